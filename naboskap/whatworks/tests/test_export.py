"""The anonymised export of what works for research (docs/what-works-export.md): no personal
data or free text leaves, the figures are the effects', the pseudonyms are stable, each
municipality gets its own rows (and the sharing ones each other's), and the CSV matches its
documented schema."""

import csv
import io
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from naboskap.concerns.models import Category, Concern
from naboskap.insights import services as survey_services
from naboskap.insights.models import Response
from naboskap.meetings.models import Attendance, Member
from naboskap.meetings.tests.factories import make_body, make_meeting
from naboskap.plans.models import SOURCE_FIELDS, Measure
from naboskap.projects.models import Phase, PhaseChange, Project
from naboskap.risk import services as risk_services
from naboskap.risk.tests.factories import make_analysis
from naboskap.testing.factories import UnitFactory, UserFactory, make_concern, make_measure
from naboskap.whatworks import export, sharing
from naboskap.whatworks.models import Effect, Settings
from naboskap.whatworks.services import compute_effects

SCHEMA = json.loads(
    (Path(settings.BASE_DIR) / "docs" / "what-works-export.schema.json").read_text()
)
DOC = (Path(settings.BASE_DIR) / "docs" / "what-works-export.md").read_text()
URL = "/app/hva-virker/eksport.csv"


class Markers:
    """Unique strings put into every free-text and personal field the export could reach."""

    def __init__(self):
        self.made: list[str] = []

    def __call__(self, what: str) -> str:
        marker = f"Qzx{what}Mark{len(self.made):02d}"
        self.made.append(marker)
        return marker

    def email(self, what: str) -> str:
        return f"{self(what).lower()}@example.org"


def _concern(project, markers, *, category="noise", on, **fields):
    concern = make_concern(
        project,
        category,
        description=markers("ConcernText"),
        location=markers("ConcernPlace"),
        reporter_name=markers("ReporterName"),
        reporter_email=markers.email("Reporter"),
        **fields,
    )
    created = timezone.make_aware(
        timezone.datetime.combine(on, timezone.datetime.min.time())
    ) + timedelta(hours=12)
    Concern.objects.filter(pk=concern.pk).update(created_at=created)
    return concern


def _survey(project, markers, *, answers: list[int], on, today):
    survey_round = survey_services.round_create(
        project=project,
        template=survey_services.template_ensure_default(municipality=project.municipality),
        title=markers("RoundTitle"),
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=30),
    )
    questions = list(survey_round.template.questions.all())
    for value in answers:
        response = survey_services.response_submit(
            survey_round=survey_round,
            answers={
                q.pk: (value, "") if q.is_likert else (None, markers("OpenAnswer"))
                for q in questions
            },
        )
        Response.objects.filter(pk=response.pk).update(submitted_on=on)


@pytest.fixture
def known(world):
    """Fjordby's project with three done measures, everything named with markers, and a
    done measure in Annenby; effects computed. The known case, measure `concern`: done 60
    days ago, 8 concerns in the 90 days before and 2 in the 60 days since."""
    markers = Markers()
    today = timezone.localdate()
    done = today - timedelta(days=60)
    municipality = world.municipality
    municipality.name = markers("Municipality")
    municipality.address = markers("MunicipalityAddress")
    municipality.email = markers.email("Municipality")
    municipality.save()
    unit = UnitFactory(municipality=municipality, name=markers("UnitName"))
    responsible = UserFactory(
        first_name=markers("First"), last_name=markers("Last"), email=markers.email("Staff")
    )
    Project.objects.filter(pk=world.project.pk).update(
        name=markers("ProjectName"),
        address=markers("ProjectAddress"),
        description=markers("ProjectDescription"),
        target_group=markers("TargetGroup"),
        kind=Project.Kind.EXISTING,
        dwellings_with_tenancy=6,
        dwellings_temporary=2,
        dwellings_emergency=1,
    )
    project = Project.objects.get(pk=world.project.pk)
    project.responsible_unit.name = markers("ResponsibleUnit")
    project.responsible_unit.save()
    for days, phase in ((200, Phase.PLANNING), (10, Phase.CONSTRUCTION)):
        PhaseChange.objects.create(
            project=project,
            to_phase=phase,
            note=markers("PhaseNote"),
            changed_at=timezone.now() - timedelta(days=60 + days),
        )
    source = _concern(project, markers, on=done - timedelta(days=20))
    noise = source.category
    local = Category.objects.create(
        municipality=municipality, code=markers("LocalCode").lower(), name=markers("Category")
    )
    for days in range(1, 8):
        _concern(project, markers, on=done - timedelta(days=days))
    for days in (3, 10):
        _concern(project, markers, on=done + timedelta(days=days))
    _concern(project, markers, category="traffic", on=done - timedelta(days=2))
    _survey(project, markers, answers=[4, 4, 3, 5, 4], on=done - timedelta(days=30), today=today)
    _survey(project, markers, answers=[5, 4, 5], on=done + timedelta(days=5), today=today)
    body = make_body(
        project,
        name=markers("CouncilName"),
        members=[
            (markers("MemberName"), Member.Category.NEIGHBOUR, Member.Position.MEMBER)
            for _n in range(4)
        ],
    )
    meeting = make_meeting(
        project, body=body, days=-80, title=markers("MeetingTitle"), place=markers("Place")
    )
    for member in list(body.members.all())[:3]:
        Attendance.objects.create(meeting=meeting, member=member, status=Attendance.Status.PRESENT)
    measures = {
        "concern": make_measure(
            project,
            title=markers("MeasureTitle"),
            description=markers("MeasureDescription"),
            public_text=markers("PublicText"),
            owner_unit=unit,
            responsible=responsible,
            concern=source,
            categories=[noise, local],
            phase=Phase.CONSTRUCTION,
            status=Measure.Status.DONE,
            done_on=done,
        )
    }
    analysis = make_analysis(project, title=markers("AnalysisTitle"))
    event = risk_services.event_create(analysis=analysis, title=markers("EventTitle"))
    measures["event"] = make_measure(
        project,
        title=markers("EventMeasure"),
        unwanted_event=event,
        kind=Measure.Kind.PROBABILITY,
        status=Measure.Status.DONE,
        done_on=done + timedelta(days=5),
    )
    measures["open"] = make_measure(
        project, title=markers("NotDone"), categories=[noise], status=Measure.Status.PLANNED
    )
    other_noise = _concern(world.other_project, markers, on=done - timedelta(days=3)).category
    measures["other"] = make_measure(
        world.other_project,
        title=markers("OtherMeasure"),
        categories=[other_noise],
        status=Measure.Status.DONE,
        done_on=done,
    )
    assert compute_effects(today=today) == 3
    return world, markers, measures


def rows_of(municipality_ids) -> list[dict]:
    text = "".join(export.csv_lines(municipality_ids=municipality_ids))
    return list(csv.DictReader(io.StringIO(text)))


def share(*municipalities):
    for municipality in municipalities:
        Settings.objects.update_or_create(
            municipality=municipality, defaults={"share_across": True}
        )


def test_no_personal_data_or_free_text_leaves(known):
    world, markers, measures = known
    share(world.municipality, world.other_municipality)
    # The effects hold free text (the other measures' titles, the event's): it stays there.
    stored = Effect.objects.get(measure=measures["concern"])
    assert measures["event"].title in str(stored.meanwhile)
    assert Effect.objects.get(measure=measures["event"]).event_titles
    for text in (
        "".join(export.csv_lines(municipality_ids=[world.municipality.pk])),
        "".join(export.csv_lines(municipality_ids=export.shared_municipality_ids())),
    ):
        lowered = text.lower()
        leaked = [marker for marker in markers.made if marker.lower() in lowered]
        assert not leaked
        assert "@" not in text
        assert not re.search(r"\d{4}-\d{2}-\d{2}", text), "no date to the day"
        assert "lindeveien" not in lowered and "fjordby" not in lowered
    assert len(markers.made) > 30


def test_the_known_case_has_its_counts_and_ratios(known):
    world, _markers, measures = known
    measure = measures["concern"]
    effect = Effect.objects.get(measure=measure)
    by_id = {row["measure_id"]: row for row in rows_of([world.municipality.pk])}
    assert len(by_id) == 2  # the planned measure has no effect; Annenby's is not here
    row = by_id[export.pseudonym(export.MEASURE_PURPOSE, measure.pk)]
    done = measure.done_on
    assert row == {
        "measure_id": export.pseudonym(export.MEASURE_PURPOSE, measure.pk),
        "project_id": export.pseudonym(export.PROJECT_PURPOSE, world.project.pk),
        "municipality_number": "9911",
        "project_kind": "existing",
        "project_size_band": "6-15",
        "project_phase_at_done": "construction",
        "measure_kind": "",
        "measure_phase": "construction",
        "source_type": "concern",
        "category_codes": "local;noise",
        "done_month": f"{done:%Y-%m}",
        "window_days": "90",
        "after_days": "60",
        "concerns_before": "8",
        "concerns_after": "2",
        "ratio": "0.375",
        "ratio_low": str(round(effect.ratio_low, 4)),
        "ratio_high": str(round(effect.ratio_high, 4)),
        "too_little_data": "false",
        "survey_before": "4.0",
        "survey_after": "",  # 3 responses: fewer than the smallest group
        "survey_responses_before": "5",
        "survey_responses_after": "3",
        "survey_change_low": "",
        "survey_change_high": "",
        "council_meetings_before": "1",
        "council_meetings_after": "0",
        "council_present_before": "3",
        "council_present_after": "0",
        "other_measures_meanwhile": "1",
        "phase_changed_meanwhile": "true",
    }
    assert 0 < effect.ratio_low < 0.375 < effect.ratio_high
    # Computed, but from 3 responses after: left out.
    assert effect.survey_after and effect.survey_change_low is not None
    event_row = by_id[export.pseudonym(export.MEASURE_PURPOSE, measures["event"].pk)]
    assert event_row["source_type"] == "unwanted_event"
    assert event_row["measure_kind"] == "probability"
    assert event_row["category_codes"] == ""
    assert event_row["too_little_data"] == "true"
    assert event_row["ratio"] == ""


def test_pseudonyms_are_stable_keyed_and_not_the_key(known, settings):
    world, _markers, measures = known
    first = rows_of([world.municipality.pk])
    assert rows_of([world.municipality.pk]) == first
    ids = {row["measure_id"] for row in first}
    pks = {str(measures["concern"].pk), str(measures["event"].pk)}
    assert len(ids) == 2 and not ids & pks
    assert all(re.fullmatch(r"[0-9a-f]{16}", i) for i in ids)
    assert {row["project_id"] for row in first} == {
        export.pseudonym(export.PROJECT_PURPOSE, world.project.pk)
    }
    assert export.pseudonym(export.PROJECT_PURPOSE, 1) != export.pseudonym(
        export.MEASURE_PURPOSE, 1
    )
    settings.SECRET_KEY = "another deployment's secret, of a good length, 0123456789"
    assert {row["measure_id"] for row in rows_of([world.municipality.pk])}.isdisjoint(ids)


def test_another_municipalitys_rows_only_when_both_share(known):
    world, _markers, _measures = known
    numbers = lambda found: {row["municipality_number"] for row in found}  # noqa: E731
    assert numbers(rows_of([world.municipality.pk])) == {"9911"}
    assert numbers(rows_of([world.other_municipality.pk])) == {"9912"}
    assert export.shared_municipality_ids() == []
    share(world.municipality)
    assert numbers(rows_of(export.shared_municipality_ids())) == {"9911"}
    share(world.other_municipality)
    assert numbers(rows_of(export.shared_municipality_ids())) == {"9911", "9912"}


def test_the_export_reads_in_a_fixed_number_of_queries(known, django_assert_num_queries):
    world, _markers, _measures = known
    with django_assert_num_queries(2):  # the phase history, the effects
        assert len(list(export.rows(municipality_ids=[world.municipality.pk]))) == 3


def test_rows_within_a_month_come_in_pseudonym_order(world):
    today = timezone.localdate()
    done = (today.replace(day=1) - timedelta(days=40)).replace(day=1)
    noise = make_concern(world.project).category
    made = [
        make_measure(
            world.project,
            title=f"Tiltak {n}",
            categories=[noise],
            status=Measure.Status.DONE,
            done_on=done + timedelta(days=n),
        )
        for n in range(5)
    ]
    compute_effects(today=today)
    ids = [row["measure_id"] for row in rows_of([world.municipality.pk])]
    assert len(ids) == len(made) and ids == sorted(ids)


# The schema ---------------------------------------------------------------------------------


def test_the_header_is_the_schemas_field_names(world):
    names = [field["name"] for field in SCHEMA["fields"]]
    header = next(csv.reader(io.StringIO(next(export.csv_lines(municipality_ids=[])))))
    assert header == names == export.COLUMNS


def test_the_schema_knows_every_value_the_code_writes():
    fields = {field["name"]: field for field in SCHEMA["fields"]}
    assert fields["source_type"]["constraints"]["enum"] == [export.OWN_SOURCE, *SOURCE_FIELDS]
    assert fields["project_kind"]["constraints"]["enum"] == Project.Kind.values
    assert fields["measure_kind"]["constraints"]["enum"] == Measure.Kind.values
    for name in ("project_phase_at_done", "measure_phase"):
        assert fields[name]["constraints"]["enum"] == Phase.values
    bands = [code for _lowest, _highest, code, _label in sharing.SIZE_BANDS]
    assert fields["project_size_band"]["constraints"]["enum"] == bands
    pattern = fields["category_codes"]["constraints"]["pattern"]
    for code in [*export.SHARED_CODES, export.LOCAL_CODE]:
        assert re.fullmatch(pattern, code)
    assert not re.fullmatch(pattern, "hansens-hage")


def test_the_documentation_describes_every_column():
    for name in export.COLUMNS:
        assert f"`{name}`" in DOC, name


def _valid(field: dict, value: str) -> bool:
    constraints = field.get("constraints", {})
    if value in SCHEMA["missingValues"]:
        return not constraints.get("required")
    kind = field["type"]
    if kind == "integer":
        number = int(value)
    elif kind == "number":
        number = float(value)
    elif kind == "boolean":
        return value in field["trueValues"] + field["falseValues"]
    elif kind == "yearmonth":
        return bool(re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value))
    else:
        number = None
    if number is not None:
        low, high = constraints.get("minimum"), constraints.get("maximum")
        return (low is None or number >= low) and (high is None or number <= high)
    if "enum" in constraints and value not in constraints["enum"]:
        return False
    return "pattern" not in constraints or bool(re.fullmatch(constraints["pattern"], value))


def test_every_row_is_valid_against_the_schema(known):
    world, _markers, _measures = known
    share(world.municipality, world.other_municipality)
    found = rows_of(export.shared_municipality_ids())
    assert len(found) == 3
    for row in found:
        invalid = {
            field["name"]: row[field["name"]]
            for field in SCHEMA["fields"]
            if not _valid(field, row[field["name"]])
        }
        assert not invalid
    assert len({row["measure_id"] for row in found}) == len(found)  # the primary key


# The download -------------------------------------------------------------------------------


def test_an_administrator_downloads_the_municipalitys_csv(known, persona_clients):
    _world, markers, _measures = known
    response = persona_clients["admin"].get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="hva-virker-9911-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    assert "no-store" in response["Cache-Control"]
    text = b"".join(response.streaming_content).decode()
    found = list(csv.DictReader(io.StringIO(text)))
    assert len(found) == 2 and {row["municipality_number"] for row in found} == {"9911"}
    assert not [marker for marker in markers.made if marker.lower() in text.lower()]


@pytest.mark.parametrize(
    "persona",
    [
        "coordinator",
        "case_handler",
        "facility_staff",
        "police",
        "politician",
        "archivist",
        "outsider",
    ],
)
def test_no_one_else_downloads_it(known, persona_clients, persona):
    assert persona_clients[persona].get(URL).status_code == 403


def test_anonymous_is_sent_to_log_in(known, persona_clients):
    response = persona_clients["anonymous"].get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_another_municipalitys_administrator_gets_only_their_own_rows(known):
    from naboskap.conftest import client_for, make_staff
    from naboskap.tenancy.models import Role

    world, _markers, _measures = known
    admin = make_staff(world.other_municipality, Role.ADMIN, username="annenby-admin")
    response = client_for(admin).get(URL)
    assert response.status_code == 200
    found = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {row["municipality_number"] for row in found} == {"9912"}
    # Even with Fjordby's number or slug in the address.
    for query in ("?kommune=fjordby", "?municipality=9911"):
        response = client_for(admin).get(URL + query)
        text = b"".join(response.streaming_content).decode()
        assert "9911" not in text


def test_the_shared_export_needs_the_municipality_to_share(known, persona_clients):
    world, _markers, _measures = known
    share(world.other_municipality)
    admin = persona_clients["admin"]
    assert admin.get(URL, {"omfang": "delt"}).status_code == 403
    share(world.municipality)
    response = admin.get(URL, {"omfang": "delt"})
    assert response.status_code == 200
    assert 'filename="hva-virker-delt-' in response["Content-Disposition"]
    found = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {row["municipality_number"] for row in found} == {"9911", "9912"}


# The command --------------------------------------------------------------------------------


def test_the_command_writes_a_municipality_or_the_sharing_ones(known, tmp_path):
    world, markers, _measures = known
    out = tmp_path / "effekter.csv"
    errors = io.StringIO()
    call_command("what_works_export", "--municipality", "fjordby", "--out", str(out), stderr=errors)
    text = out.read_bytes().decode("utf-8")
    assert text == "".join(export.csv_lines(municipality_ids=[world.municipality.pk]))
    assert "Wrote 2 rows" in errors.getvalue()
    share(world.municipality, world.other_municipality)
    printed = io.StringIO()
    call_command("what_works_export", "--shared", stdout=printed)
    found = list(csv.DictReader(io.StringIO(printed.getvalue())))
    assert {row["municipality_number"] for row in found} == {"9911", "9912"}
    assert not [m for m in markers.made if m.lower() in printed.getvalue().lower()]


def test_the_command_needs_a_known_municipality_or_shared(world):
    with pytest.raises(CommandError, match="nowhere"):
        call_command("what_works_export", "--municipality", "nowhere")
    with pytest.raises(CommandError):
        call_command("what_works_export")
