"""The measure operations: append-only history, RACI parts, rules the plan keeps, and the
admin going through them."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from naboskap.conftest import english
from naboskap.plans import services
from naboskap.plans.models import Measure, MeasureChange, Participation
from naboskap.tenancy.models import Unit
from naboskap.testing.factories import UnitFactory, UserFactory, make_measure
from naboskap.testing.mfa import enrol_totp


@pytest.fixture
def units(world):
    return {u.name: u for u in Unit.objects.filter(municipality=world.municipality)}


@translation.override("en")
def test_history_is_appended_never_rewritten(world, units):
    """History rows hold display values in the language of whoever made the change."""
    measure = make_measure(world.project, by=world.users["coordinator"])
    first = MeasureChange.objects.get(measure=measure)
    assert first.changes["title"] == ["", "Fast kontaktperson for naboene"]
    assert first.changes["status"] == ["", "Planned"]
    services.measure_update(measure=measure, changed_by=None, progress=20)
    services.participations_set(
        measure=measure,
        participations={units["Helse og sosial"]: Participation.Part.RESPONSIBLE},
        changed_by=world.users["admin"],
    )
    rows = list(MeasureChange.objects.filter(measure=measure).order_by("pk"))
    assert rows[0] == first and rows[0].changes == first.changes
    assert rows[1].changes == {"progress": ["0", "20"]}
    assert rows[2].changes == {"participations": ["", "Helse og sosial: Responsible"]}
    assert rows[2].changed_by == world.users["admin"]
    # Nothing changed and nothing said: no row.
    assert services.measure_update(measure=measure, changed_by=None, progress=20) is None
    assert MeasureChange.objects.filter(measure=measure).count() == 3


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": "cancelled"}, "Give a reason for cancelling"),
        ({"progress": 101}, "Progress is a percentage"),
    ],
)
def test_the_plan_refuses_what_it_does_not_allow(world, fields, message):
    measure = make_measure(world.project)
    with pytest.raises(services.PlanError, match=message):
        services.measure_update(measure=measure, changed_by=None, **fields)
    assert MeasureChange.objects.filter(measure=measure).count() == 1


def test_units_of_another_municipality_are_refused(world):
    foreign = UnitFactory(municipality=world.other_municipality)
    with pytest.raises(services.PlanError, match="owner unit must belong"):
        make_measure(world.project, owner_unit=foreign)
    measure = make_measure(world.project)
    with pytest.raises(services.PlanError, match="Participating units must belong"):
        services.participations_set(measure=measure, participations={foreign: "informed"})
    assert not measure.participations.exists()


def test_admin_edits_go_through_the_services(world, units):
    measure = make_measure(world.project, owner_unit_name="Eiendom")
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    enrol_totp(root)  # the admin asks for a second factor, superusers too
    client = english(root)
    url = reverse("admin:plans_measure_change", args=[measure.pk])
    page = client.get(url)
    assert page.status_code == 200
    # Sources are looked up by id, not listed (a select would hold every row of them).
    html = page.content.decode()
    sources = ("project", "concern", "routine_task", "interaction", "decision", "observation")
    for source in sources:
        assert re.search(rf'<input[^>]* type="text" name="{source}"', html), source
        assert not re.search(rf'<select[^>]* name="{source}"', html), source
    # The admin's own widget classes join Designsystemet's in one attribute (its scripts
    # find fields by them); a second `class` attribute would be dropped by the browser.
    assert 'class="ds-input vForeignKeyRawIdAdminField" type="text" name="project"' in html
    assert not re.search(r'<[^>]*\sclass="[^"]*"[^>]*\sclass="', html)
    form = page.context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields
    }
    data.update({"due_date": measure.due_date.isoformat(), "status": "cancelled"})
    for prefix in ["participations", "history"]:
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Give a reason for cancelling the measure." in response.content.decode()
    data["cancel_reason"] = "Ikke lenger behov"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    measure.refresh_from_db()
    assert measure.status == Measure.Status.CANCELLED
    change = measure.history.order_by("-pk").first()
    assert change.changes["status"] == ["Planned", "Cancelled"]
    assert change.changed_by == root
    assert change.note == "Changed in the administration."
