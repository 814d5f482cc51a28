"""Export and import of routines as JSON files, and every kind of bad file."""

import copy
import json
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from naboskap.conftest import english
from naboskap.routines import schema, services
from naboskap.routines.models import Routine
from naboskap.routines.shipped import SHIPPED
from naboskap.routines.tests.factories import make_routine, routine_data, task_data


def exchange(routine: dict, **top) -> dict:
    return {"format": "naboskap-routine", "format_version": 1, "routine": routine, **top}


def upload(client, data, name="rutine.json"):
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    file = SimpleUploadedFile(name, raw, content_type="application/json")
    return client.post(reverse("routines:import"), {"file": file})


@pytest.fixture
def coordinator(world):
    return english(world.users["coordinator"])


def test_export_then_import_gives_an_equal_routine(world, coordinator):
    original = make_routine(
        world.municipality,
        milestones=[{"key": "apningsfest", "name": "Åpningsfest"}],
        phases=[
            {
                "order": 1,
                "name": "Planlegging",
                "project_phase": "planning",
                "tasks": [
                    task_data("Informer naboene"),
                    task_data("Inviter til fest", {"milestone": "apningsfest"}, -21, "admin"),
                ],
            }
        ],
    )
    response = coordinator.get(reverse("routines:export", args=[original.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="testrutine-v1.json"'
    exported = response.content
    assert json.loads(exported)["format_version"] == schema.FORMAT_VERSION

    other = english(world.users["outsider"])  # Annenby imports Fjordby's file
    response = upload(other, exported)
    assert response.status_code == 302
    imported = Routine.objects.get(municipality=world.other_municipality)
    assert imported.status == Routine.Status.DRAFT
    assert services.routine_content(imported) == services.routine_content(original)
    page = other.get(response["Location"]).content.decode()
    assert "The routine was imported as a draft, version 1." in page
    assert "21 days before Åpningsfest" in page


def test_importing_a_routine_the_municipality_has_makes_its_next_version(world, coordinator):
    existing = make_routine(world.municipality)
    data = exchange(routine_data(name="Testrutine, fra nabokommunen"))
    assert upload(coordinator, data).status_code == 302
    new = Routine.objects.get(municipality=world.municipality, version=2)
    assert new.supersedes == existing
    assert new.name == "Testrutine, fra nabokommunen"
    existing.refresh_from_db()
    assert existing.status == Routine.Status.PUBLISHED  # untouched until the draft is published


def bad_files():
    good = routine_data()
    no_phases = copy.deepcopy(good) | {"phases": []}
    gap = copy.deepcopy(good)
    gap["phases"][1]["order"] = 3
    circular = copy.deepcopy(good)
    circular["phases"][0]["project_phase"], circular["phases"][1]["project_phase"] = (
        "move_in",
        "planning",
    )
    bad_offset = copy.deepcopy(good)
    bad_offset["phases"][0]["tasks"][1]["offset_days"] = "fire uker"
    bad_role = copy.deepcopy(good)
    bad_role["phases"][1]["tasks"][0]["responsible_role"] = "mayor"
    unknown_milestone = copy.deepcopy(good)
    unknown_milestone["phases"][0]["tasks"][1]["anchor"] = {"milestone": "byggestart"}
    before_project = copy.deepcopy(good)
    before_project["phases"][0]["tasks"][0]["anchor"] = {"phase": "idea"}
    before_project["phases"][0]["tasks"][0]["offset_days"] = -30
    return [
        (b"\xff\xfe not json", "The file is not JSON."),
        (b"[1, 2, 3]", "This is not a Naboskap routine"),
        (exchange(good, format_version=2), "The file has format version 2, made by a newer"),
        (exchange(good, format_version="1"), "format_version: must be a whole number"),
        (exchange("rutine"), "routine: must be an object"),
        (exchange(no_phases), "A routine must have at least one phase."),
        (exchange(good | {"phases": "ingen"}), "routine.phases: must be a list"),
        (exchange(gap), "The phases must be numbered 1, 2, 3… without gaps or repeats"),
        (exchange(circular), "cannot go back (that would be a circle)"),
        (exchange(bad_offset), "routine.phases[0].tasks[1].offset_days: must be a whole number"),
        (exchange(bad_role), "routine.phases[1].tasks[0].responsible_role: must be one of"),
        (exchange(unknown_milestone), "counts from the milestone “byggestart”, which the"),
        (exchange(before_project), "which is before any project exists"),
    ]


@pytest.mark.parametrize("data,message", bad_files())
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_is_created(
    world, coordinator, data, message
):
    existing = make_routine(world.municipality)
    response = upload(coordinator, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert list(Routine.objects.all()) == [existing]


def test_a_newer_format_version_names_both_versions(world, coordinator):
    html = upload(coordinator, exchange(routine_data(), format_version=7)).content.decode()
    assert "format version 7" in html
    assert "reads format version 1 or older" in html


def test_an_empty_upload_asks_for_a_file(world, coordinator):
    response = coordinator.post(reverse("routines:import"), {})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    path=st.sampled_from(
        [
            ("routine",),
            ("routine", "name"),
            ("routine", "slug"),
            ("routine", "milestones"),
            ("routine", "phases"),
            ("routine", "phases", 0),
            ("routine", "phases", 0, "order"),
            ("routine", "phases", 0, "project_phase"),
            ("routine", "phases", 0, "tasks"),
            ("routine", "phases", 0, "tasks", 0),
            ("routine", "phases", 0, "tasks", 0, "anchor"),
            ("routine", "phases", 0, "tasks", 0, "offset_days"),
        ]
    ),
    value=json_values,
)
def test_any_value_anywhere_is_either_read_or_refused_with_a_message(path, value):
    """The parser never raises anything but RoutineFormatError, whatever a field holds."""
    data = exchange(routine_data())
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    try:
        schema.parse_data(data)
    except schema.RoutineFormatError as error:
        assert error.problems and all(isinstance(p, str) and p for p in error.problems)


@pytest.mark.parametrize("content", SHIPPED, ids=lambda c: c["slug"])
def test_the_shipped_routines_are_valid_exchange_files(content):
    routine = schema.parse_data(exchange(content))
    assert routine["phases"]


def test_loading_the_shipped_routines_twice_changes_nothing(db):
    first = services.routines_load_shipped()
    assert {r.name for r in first} == {
        "Naboskapsarbeid i kommunale boligprosjekter",
        "Naboråd ved botiltak",
    }
    assert all(r.status == Routine.Status.PUBLISHED and r.is_shipped for r in first)
    assert services.routines_load_shipped() == []
    assert Routine.objects.count() == 2


def test_a_changed_shipped_routine_is_published_as_its_next_version(db, monkeypatch):
    from naboskap.routines import shipped

    services.routines_load_shipped()
    changed = copy.deepcopy(shipped.NABORAD) | {"description": "Ny tekst."}
    monkeypatch.setattr(shipped, "SHIPPED", [shipped.NABOSKAPSARBEID, changed])
    [new] = services.routines_load_shipped()
    assert (new.version, new.status, new.description) == (2, "published", "Ny tekst.")
    assert Routine.objects.get(pk=new.supersedes_id).status == Routine.Status.RETIRED


def test_the_load_routines_command_says_what_it_did(db):
    out = StringIO()
    call_command("load_routines", stdout=out)
    assert "Published Naboråd ved botiltak (v1)." in out.getvalue()
    out = StringIO()
    call_command("load_routines", stdout=out)
    assert out.getvalue() == "The shipped routines are up to date.\n"
