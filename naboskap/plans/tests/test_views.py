"""The action plan for staff: plan page, measure form, detail with history, progress reports,
collaboration matrix and "my unit's measures"."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from naboskap.conftest import english, make_staff
from naboskap.plans.models import Measure, MeasureChange, Participation
from naboskap.tenancy.models import Role, Unit
from naboskap.testing.factories import (
    UnitFactory,
    UserFactory,
    make_concern,
    make_measure,
)
from naboskap.testing.mfa import enrol_totp


@pytest.fixture
def units(world):
    return {u.name: u for u in Unit.objects.filter(municipality=world.municipality)}


@pytest.fixture
def measure(world, units):
    """Owned by Helse og sosial, the case-handler persona's unit; Eiendom is consulted."""
    return make_measure(
        world.project,
        owner_unit_name="Helse og sosial",
        title="Fast kontaktperson for naboene",
        participations={units["Eiendom"]: Participation.Part.CONSULTED},
        by=world.users["coordinator"],
    )


def form_data(world, units, **overrides):
    data = {
        "title": "Ryddeaksjon rundt bygget",
        "description": "Hver vår, sammen med velforeningen.",
        "owner_unit": str(units["Eiendom"].pk),
        "responsible": str(world.users["coordinator"].pk),
        "due_date": (timezone.localdate() + timedelta(days=20)).isoformat(),
        "phase": "",
        "status": "planned",
        "cancel_reason": "",
        "progress": "0",
        "concern": "",
        "input": "",
        "public_text": "",
        f"part_{units['Helse og sosial'].pk}": "informed",
    }
    data.update(overrides)
    return data


def plan_url(world):
    return reverse("plans:plan", args=[world.project.pk])


def test_coordinator_creates_a_measure_with_units_and_history(world, units):
    client = english(world.users["coordinator"])
    response = client.post(
        reverse("plans:measure_create", args=[world.project.pk]), form_data(world, units)
    )
    measure = Measure.objects.get(title="Ryddeaksjon rundt bygget")
    assert response.status_code == 302
    assert response["Location"] == measure.get_absolute_url()
    assert measure.owner_unit == units["Eiendom"]
    assert {(p.unit.name, p.part) for p in measure.participations.all()} == {
        ("Helse og sosial", "informed")
    }
    html = client.get(measure.get_absolute_url()).content.decode()
    assert "Ryddeaksjon rundt bygget" in html
    assert "Helse og sosial: Informed" in html
    assert "Participating units: – → Helse og sosial: Informed" in html
    html = client.get(plan_url(world)).content.decode()
    assert "Ryddeaksjon rundt bygget" in html
    assert "Helse og sosial (<abbr" in html


def test_editing_records_old_and_new_values(world, units, measure):
    client = english(world.users["coordinator"])
    url = reverse("plans:measure_edit", args=[world.project.pk, measure.pk])
    data = form_data(
        world,
        units,
        title="Fast kontaktperson for naboene",
        owner_unit=str(units["Helse og sosial"].pk),
        status="in_progress",
        progress="30",
        **{f"part_{units['Eiendom'].pk}": "accountable"},
    )
    assert client.post(url, data).status_code == 302
    change = measure.history.order_by("-pk").first()
    assert change.changed_by == world.users["coordinator"]
    assert change.changes["status"] == ["Planned", "In progress"]
    assert change.changes["progress"] == ["0", "30"]
    assert change.changes["participations"] == [
        "Eiendom: Consulted",
        "Eiendom: Accountable, Helse og sosial: Informed",
    ]
    html = client.get(measure.get_absolute_url()).content.decode()
    assert "Status: Planned → In progress" in html
    assert "Progress (%): 0 → 30" in html
    assert MeasureChange.objects.filter(measure=measure).count() == 2  # appended, not edited


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"status": "cancelled"}, "Give a reason for cancelling the measure."),
        ({"progress": "150"}, "Progress is a percentage from 0 to 100."),
        ({"progress": "-5"}, "Ensure this value is greater than or equal to 0."),
        ({"title": ""}, "This field is required."),
        ({"is_public": "on"}, "Write the text the public page shows."),
        ({"due_date": "31.02.2026"}, "Enter a valid date."),
        ({"part_999999": "responsible", "status": "nonsense"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_kept(world, units, overrides, message):
    client = english(world.users["coordinator"])
    data = form_data(world, units, description="Skrevet med omhu, skal ikke bli borte.")
    data.update(overrides)
    response = client.post(reverse("plans:measure_create", args=[world.project.pk]), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "Skrevet med omhu, skal ikke bli borte." in html
    assert not Measure.objects.filter(project=world.project).exists()


def test_owner_unit_and_responsible_must_be_of_the_municipality(world, units):
    client = english(world.users["coordinator"])
    foreign_unit = UnitFactory(municipality=world.other_municipality, name="Fremmed enhet")
    stranger = UserFactory()
    data = form_data(world, units, owner_unit=str(foreign_unit.pk), responsible=str(stranger.pk))
    response = client.post(reverse("plans:measure_create", args=[world.project.pk]), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Owner unit: Select a valid choice." in html
    assert "Responsible person: Select a valid choice." in html
    assert "Fremmed enhet" not in html
    assert "Ryddeaksjon rundt bygget" in html


def test_a_unit_deleted_while_the_form_was_open_gives_a_message_not_an_error(world, units):
    """The owner unit chosen in the form is gone when it is sent: nothing typed is lost."""
    client = english(world.users["coordinator"])
    doomed = UnitFactory(municipality=world.municipality, name="Nedlagt enhet")
    url = reverse("plans:measure_create", args=[world.project.pk])
    assert "Nedlagt enhet" in client.get(url).content.decode()
    data = form_data(world, units, owner_unit=str(doomed.pk), title="Mitt viktige tiltak")
    data[f"part_{doomed.pk}"] = "consulted"
    doomed.delete()
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Owner unit: Select a valid choice." in html
    assert 'value="Mitt viktige tiltak"' in html
    assert "Hver vår, sammen med velforeningen." in html


def test_owner_unit_with_measures_cannot_be_deleted_and_the_admin_says_why(world, measure):
    """Unit uses PROTECT: the admin explains instead of failing, and nothing is lost."""
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    enrol_totp(root)  # the admin asks for a second factor, superusers too
    client = english(root)
    unit = measure.owner_unit
    municipality_url = reverse("admin:tenancy_municipality_change", args=[world.municipality.pk])
    response = client.get(municipality_url)
    assert response.status_code == 200
    # The municipality's page lists its units inline; ask to delete the measure's owner.
    form = response.context["inline_admin_formsets"][0].formset
    data = {
        "name": world.municipality.name,
        "number": world.municipality.number,
        "slug": world.municipality.slug,
        "default_language": "nb",
        "email": "",
        "phone": "",
        "address": "",
        "website": "",
        "host": "",
        "accessibility_statement_url": "",
    }
    prefix = form.prefix
    units = list(form.queryset)
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": str(len(units)),
            f"{prefix}-INITIAL_FORMS": str(len(units)),
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    )
    for index, each in enumerate(units):
        data.update(
            {
                f"{prefix}-{index}-id": str(each.pk),
                f"{prefix}-{index}-municipality": str(world.municipality.pk),
                f"{prefix}-{index}-name": each.name,
                f"{prefix}-{index}-kind": each.kind,
                f"{prefix}-{index}-email": each.email,
                f"{prefix}-{index}-lead": "",
            }
        )
        if each == unit:
            data[f"{prefix}-{index}-DELETE"] = "on"
    response = client.post(municipality_url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "would require deleting the following protected related objects" in html
    assert "Fast kontaktperson for naboene" in html
    assert Unit.objects.filter(pk=unit.pk).exists()

    # Deleting the whole municipality: the confirmation page lists what stands in the way.
    delete_url = reverse("admin:tenancy_municipality_delete", args=[world.municipality.pk])
    response = client.post(delete_url, {"post": "yes"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "protected related objects" in html
    assert Measure.objects.filter(pk=measure.pk).exists()


def test_plan_groups_by_source_or_unit_and_filters(world, units, measure):
    concern = make_concern(world.project)
    make_measure(
        world.project,
        title="Svar på støyklager",
        concern=concern,
        owner_unit_name="Eiendom",
        due_date=timezone.localdate() - timedelta(days=2),
    )
    client = english(world.users["politician"])
    html = client.get(plan_url(world)).content.decode()
    assert html.index(">Concern (1)<") < html.index(">No source (1)<")
    assert concern.reference in html
    assert '<strong class="overdue">Overdue</strong>' in html  # text, not only colour
    assert "1 overdue" in html

    html = client.get(plan_url(world), {"group": "unit"}).content.decode()
    assert html.index(">Eiendom (1)<") < html.index(">Helse og sosial (1)<")

    html = client.get(plan_url(world), {"overdue": "on"}).content.decode()
    assert "Svar på støyklager" in html and "Fast kontaktperson" not in html
    # The unit filter finds measures the unit owns or takes part in.
    html = client.get(plan_url(world), {"unit": units["Eiendom"].pk}).content.decode()
    assert "Svar på støyklager" in html and "Fast kontaktperson" in html
    html = client.get(plan_url(world), {"unit": units["Helse og sosial"].pk}).content.decode()
    assert "Svar på støyklager" not in html and "Fast kontaktperson" in html
    response = client.get(plan_url(world), {"status": "nonsense", "group": "x"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_politician_reads_but_cannot_change(world, units, measure):
    client = english(world.users["politician"])
    html = client.get(measure.get_absolute_url()).content.decode()
    assert "Fast kontaktperson for naboene" in html
    assert "Report progress" not in html
    assert "Edit measure" not in html
    assert "New measure" not in client.get(plan_url(world)).content.decode()
    progress = reverse("plans:measure_progress", args=[world.project.pk, measure.pk])
    assert client.post(progress, {"status": "done", "progress": "100"}).status_code == 403
    edit = reverse("plans:measure_edit", args=[world.project.pk, measure.pk])
    assert client.post(edit, form_data(world, units)).status_code == 403
    measure.refresh_from_db()
    assert measure.status == Measure.Status.PLANNED


def test_owner_units_case_handler_reports_progress(world, measure):
    client = english(world.users["case_handler"])
    url = reverse("plans:measure_progress", args=[world.project.pk, measure.pk])
    html = client.get(measure.get_absolute_url()).content.decode()
    assert "Report progress" in html
    assert "Edit measure" not in html
    response = client.post(url, {"status": "in_progress", "progress": "60", "note": "Avtalt."})
    assert response.status_code == 302
    measure.refresh_from_db()
    assert (measure.status, measure.progress) == ("in_progress", 60)
    html = client.get(measure.get_absolute_url()).content.decode()
    assert "Progress (%): 0 → 60" in html
    assert "Avtalt." in html

    response = client.post(url, {"status": "cancelled", "progress": "60", "note": "Typed"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Give a reason for cancelling the measure." in html
    assert "Typed" in html
    response = client.post(url, {"status": "in_progress", "progress": "101"})
    assert response.status_code == 400
    assert "Ensure this value is less than or equal to 100." in response.content.decode()

    response = client.post(url, {"status": "cancelled", "progress": "60", "cancel_reason": "Ny"})
    assert response.status_code == 302
    assert "Cancelled" in client.get(measure.get_absolute_url()).content.decode()

    # Done means 100 %.
    client.post(url, {"status": "done", "progress": "10"})
    measure.refresh_from_db()
    assert (measure.status, measure.progress, measure.cancel_reason) == ("done", 100, "")


def test_case_handler_of_another_unit_cannot_report_progress(world, units):
    other = make_measure(world.project, owner_unit_name="Eiendom", title="Eiendoms tiltak")
    client = english(world.users["case_handler"])
    url = reverse("plans:measure_progress", args=[world.project.pk, other.pk])
    assert client.post(url, {"status": "done", "progress": "100"}).status_code == 403


def test_outsider_gets_404_for_everything(world, measure):
    client = english(world.users["outsider"])
    for url in [
        plan_url(world),
        reverse("plans:matrix", args=[world.project.pk]),
        measure.get_absolute_url(),
        reverse("plans:measure_edit", args=[world.project.pk, measure.pk]),
        reverse("plans:plan_pdf", args=[world.project.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    url = reverse("plans:measure_progress", args=[world.project.pk, measure.pk])
    assert client.post(url, {"status": "done", "progress": "100"}).status_code == 404
    # A measure of another project is not found under this one.
    other = make_measure(world.other_project, title="Annenby-tiltak")
    wrong = reverse("plans:measure_detail", args=[world.project.pk, other.pk])
    assert english(world.users["coordinator"]).get(wrong).status_code == 404


def test_matrix_shows_parts_with_accessible_headers(world, units, measure):
    html = (
        english(world.users["politician"])
        .get(reverse("plans:matrix", args=[world.project.pk]))
        .content.decode()
    )
    assert '<th scope="col" id="unit-' in html
    assert ">Eiendom</th>" in html
    assert '<abbr title="Consulted">C</abbr>' in html
    assert '<th scope="row"><a class="ds-link"' in html
    assert "Fast kontaktperson for naboene" in html


def test_my_units_measures_across_projects(world, units, measure):
    from naboskap.testing.factories import ProjectFactory

    second = ProjectFactory(municipality=world.municipality, name="Bjørkeveien")
    make_measure(
        second,
        owner_unit_name="Eiendom",
        title="Deltar som informert",
        participations={units["Helse og sosial"]: "informed"},
    )
    make_measure(second, owner_unit_name="Eiendom", title="Ikke vår enhet")
    client = english(world.users["case_handler"])
    html = client.get(reverse("plans:my_measures")).content.decode()
    assert "Fast kontaktperson for naboene" in html
    assert "Deltar som informert" in html and "Bjørkeveien" in html
    assert "Ikke vår enhet" not in html
    assert "Helse og sosial" in html

    # Facility staff scoped to one project see only that project's measures.
    scoped = make_staff(
        world.municipality,
        Role.FACILITY_STAFF,
        project=world.project,
        unit=units["Helse og sosial"],
        username="scoped",
    )
    html = english(scoped).get(reverse("plans:my_measures")).content.decode()
    assert "Fast kontaktperson for naboene" in html
    assert "Deltar som informert" not in html
    # Someone without a unit gets an explanation.
    html = english(world.users["politician"]).get(reverse("plans:my_measures")).content.decode()
    assert "You belong to no unit" in html


def test_plan_is_linked_from_the_project_and_the_navigation(world):
    client = english(world.users["politician"])
    html = client.get(reverse("projects:detail", args=[world.project.pk])).content.decode()
    assert plan_url(world) in html
    # A politician has no unit's measures of their own: the menu leaves them out.
    assert reverse("plans:my_measures") not in html
    handler = english(world.users["case_handler"])
    html = handler.get(reverse("projects:detail", args=[world.project.pk])).content.decode()
    assert plan_url(world) in html and reverse("plans:my_measures") in html


def test_form_offers_the_municipalitys_units_people_and_the_projects_sources(world, units, measure):
    concern = make_concern(world.project)
    other_concern = make_concern(world.other_project)
    make_staff(world.other_municipality, Role.COORDINATOR, username="fremmed_person")
    client = english(world.users["coordinator"])
    html = client.get(reverse("plans:measure_create", args=[world.project.pk])).content.decode()
    concerns = html[html.index('name="concern"') :].split("</select>")[0]
    assert re.search(rf'<option value="{concern.pk}"\s*>{concern.reference}</option>', concerns)
    assert f'value="{other_concern.pk}"' not in concerns
    assert "fremmed_person" not in html
    for name in ["Eiendom", "Helse og sosial"]:
        assert f">{name}</label>" in html
    edit = reverse("plans:measure_edit", args=[world.project.pk, measure.pk])
    html = client.get(edit).content.decode()
    assert 'value="Fast kontaktperson for naboene"' in html
    assert re.search(r'<option value="consulted" selected\s*>Consulted</option>', html)


def test_a_concern_can_be_preselected_as_the_source(world, units):
    concern = make_concern(world.project)
    foreign = make_concern(world.other_project)
    client = english(world.users["coordinator"])
    url = reverse("plans:measure_create", args=[world.project.pk])
    html = client.get(url, {"concern": concern.pk}).content.decode()
    assert re.search(rf'<option value="{concern.pk}" selected\s*>', html)
    # Another project's concern is not offered, preselected or not.
    html = client.get(url, {"concern": foreign.pk}).content.decode()
    concerns = html[html.index('name="concern"') :].split("</select>")[0]
    assert f'value="{foreign.pk}"' not in concerns
    response = client.post(url, form_data(world, units, concern=str(foreign.pk)))
    assert response.status_code == 400
    assert "Concern: Select a valid choice." in response.content.decode()
