"""Units in the administrator's pages: create, rename, lead and email, merge, retire."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from naboskap.concerns.models import Category, RoutingRule
from naboskap.concerns.services import categories_ensure_defaults
from naboskap.conftest import client_for, make_staff
from naboskap.meetings.models import Body
from naboskap.plans.models import Participation
from naboskap.tenancy.administration.services import unit_references
from naboskap.tenancy.models import Membership, Role, Unit
from naboskap.testing.factories import UnitFactory, make_concern, make_measure

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(world):
    return client_for(world.users["admin"], language="en")


def test_admin_creates_and_renames_a_unit_with_lead_and_email(world, admin):
    lead = world.users["case_handler"]
    response = admin.post(
        reverse("administration:unit_create"),
        {"name": "Bolig", "kind": "property", "email": "bolig@example.org", "lead": lead.pk},
    )
    assert response.status_code == 302
    unit = Unit.objects.get(municipality=world.municipality, name="Bolig")
    assert (unit.email, unit.lead) == ("bolig@example.org", lead)
    duplicate = admin.post(
        reverse("administration:unit_create"), {"name": "Eiendom", "kind": "other"}
    )
    assert duplicate.status_code == 400
    assert 'value="Eiendom"' in duplicate.content.decode()
    renamed = admin.post(
        reverse("administration:unit", args=[unit.pk]),
        {"name": "Bolig og eiendom", "kind": "property", "email": "", "lead": ""},
    )
    assert renamed.status_code == 302
    unit.refresh_from_db()
    assert unit.name == "Bolig og eiendom" and unit.lead is None
    assert LogEntry.objects.filter(
        additional_data__municipality_id=world.municipality.pk,
        object_repr="Bolig og eiendom",
        actor=world.users["admin"],
    ).exists()
    listing = admin.get(reverse("administration:units"))
    assert "Bolig og eiendom" in listing.content.decode()


def test_another_municipalitys_unit_is_not_found(world, admin):
    foreign = UnitFactory(municipality=world.other_municipality, name="Fremmed")
    assert admin.get(reverse("administration:unit", args=[foreign.pk])).status_code == 404
    merge = admin.post(reverse("administration:unit_merge", args=[foreign.pk]))
    assert merge.status_code == 404
    assert Unit.objects.filter(pk=foreign.pk).exists()


def references_to(unit) -> dict[str, int]:
    return {f"{f.model._meta.label}.{f.name}": n for f, n in unit_references(unit) if n}


def test_merge_moves_every_reference_in_one_go(world, admin):
    source = UnitFactory(municipality=world.municipality, name="Gammel enhet")
    target = world.project.responsible_unit  # Eiendom
    categories_ensure_defaults(municipality=world.municipality)
    noise = Category.objects.get(municipality=world.municipality, code="noise")
    other = Category.objects.filter(municipality=world.municipality).exclude(pk=noise.pk).first()
    noise.default_unit = source
    noise.save()
    RoutingRule.objects.create(municipality=world.municipality, category=other, unit=source)
    Membership.objects.filter(user=world.users["case_handler"]).update(unit=source)
    make_staff(world.municipality, Role.CASE_HANDLER, unit=source)
    concern = make_concern(world.project)
    concern.assigned_unit = source
    concern.save()
    measure = make_measure(world.project, owner_unit_name="Gammel enhet")
    both = make_measure(world.project, owner_unit_name="Eiendom")
    Participation.objects.get_or_create(measure=both, unit=source, defaults={"part": "consulted"})
    Participation.objects.get_or_create(measure=both, unit=target, defaults={"part": "informed"})
    Participation.objects.get_or_create(measure=measure, unit=source, defaults={"part": "informed"})
    world.project.participating_units.add(source, target)
    Body.objects.create(project=world.project, name="Nabolagsråd", secretariat=source)

    before_source = references_to(source)
    before_target = references_to(target)
    assert len(before_source) >= 8, before_source
    expected = {
        key: before_source.get(key, 0) + before_target.get(key, 0)
        for key in before_source.keys() | before_target.keys()
    }
    # Rows the target already has where the model allows only one are not duplicated.
    in_both = Participation.objects.filter(unit=source, measure__participations__unit=target)
    assert in_both.count() == 1
    expected["plans.Participation.unit"] -= 1
    expected["projects.Project_participating_units.unit"] -= 1  # the project had both

    response = admin.post(
        reverse("administration:unit_merge", args=[source.pk]), {"merge-target": target.pk}
    )
    assert response.status_code == 302
    assert not Unit.objects.filter(pk=source.pk).exists()
    assert references_to(target) == expected
    concern.refresh_from_db()
    measure.refresh_from_db()
    noise.refresh_from_db()
    assert concern.assigned_unit == target
    assert measure.owner_unit == target
    assert noise.default_unit == target
    assert RoutingRule.objects.get(category=other).unit == target
    event = LogEntry.objects.get(additional_data__event="unit_merged")
    assert event.additional_data["merged_unit"] == "Gammel enhet"
    assert event.actor == world.users["admin"]


def test_merge_into_itself_or_a_retired_unit_is_refused(world, admin):
    source = UnitFactory(municipality=world.municipality, name="Kilde")
    retired = UnitFactory(municipality=world.municipality, name="Nedlagt")
    Unit.objects.filter(pk=retired.pk).update(retired_at="2026-01-01T00:00:00Z")
    for target in (source, retired):
        response = admin.post(
            reverse("administration:unit_merge", args=[source.pk]), {"merge-target": target.pk}
        )
        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()
    assert Unit.objects.filter(pk=source.pk).exists()


def test_retiring_a_unit_with_routing_requires_a_successor(world, admin):
    unit = world.project.responsible_unit
    successor = Unit.objects.get(municipality=world.municipality, name="Helse og sosial")
    categories_ensure_defaults(municipality=world.municipality)
    category = Category.objects.filter(municipality=world.municipality).first()
    rule = RoutingRule.objects.create(municipality=world.municipality, category=category, unit=unit)
    page = admin.get(reverse("administration:unit", args=[unit.pk]))
    assert "New concerns are sent to this unit by" in page.content.decode()
    refused = admin.post(reverse("administration:unit_retire", args=[unit.pk]))
    assert refused.status_code == 400
    assert "choose the unit that takes them over" in refused.content.decode()
    unit.refresh_from_db()
    assert unit.retired_at is None
    done = admin.post(
        reverse("administration:unit_retire", args=[unit.pk]), {"retire-successor": successor.pk}
    )
    assert done.status_code == 302
    unit.refresh_from_db()
    rule.refresh_from_db()
    assert unit.retired_at is not None
    assert rule.unit == successor
    # History keeps it; new work is not offered it.
    world.project.refresh_from_db()
    assert world.project.responsible_unit == unit
    from naboskap.concerns.forms import ConcernMeasureForm, RoutingRuleForm
    from naboskap.plans.forms import MeasureForm

    for form in (
        RoutingRuleForm(municipality=world.municipality),
        ConcernMeasureForm(municipality=world.municipality),
    ):
        field = form.fields.get("unit") or form.fields["owner_unit"]
        assert unit not in field.queryset and successor in field.queryset
    assert unit not in MeasureForm(project=world.project).fields["owner_unit"].queryset
    # The project's own form keeps showing its current (retired) unit.
    from naboskap.projects.forms import ProjectForm

    form = ProjectForm(instance=world.project, municipality=world.municipality)
    assert unit in form.fields["responsible_unit"].queryset
    listing = admin.get(reverse("administration:units")).content.decode()
    assert "Retired" in listing
    back = admin.post(reverse("administration:unit_reinstate", args=[unit.pk]))
    assert back.status_code == 302
    unit.refresh_from_db()
    assert unit.retired_at is None


def test_unit_list_queries_do_not_grow(world, admin, django_assert_max_num_queries):
    for number in range(15):
        UnitFactory(municipality=world.municipality, name=f"Enhet {number}")
    with django_assert_max_num_queries(15):
        response = admin.get(reverse("administration:units"))
    assert "Enhet 14" in response.content.decode()
