"""Analyses, unwanted events, scores, measures and revisions, through the staff pages."""

import re

import pytest
from django.db import IntegrityError
from django.urls import reverse

from naboskap.plans.models import Measure
from naboskap.risk import selectors, services, workflow
from naboskap.risk.models import Analysis, ConsequenceScore, RiskScale, UnwantedEvent
from naboskap.risk.tests.factories import AFTER, make_analysis, score
from naboskap.testing.factories import make_concern, make_measure


@pytest.fixture
def analysis(world):
    return make_analysis(world.project, by=world.users["coordinator"])


@pytest.fixture
def event(analysis):
    return services.event_create(
        analysis=analysis,
        title="Støy fra uteområdet om natta",
        causes="Besøk sent på kvelden\nManglende husordensregler",
    )


def dims(analysis) -> dict:
    return {d.key: d for d in analysis.scale_version.dimensions.all()}


def test_the_first_analysis_gets_the_nabolag_scale(world, en):
    url = reverse("risk:analysis_create", args=[world.project.pk])
    data = {
        "title": "ROS for Lindeveien",
        "purpose": "Uønskede hendelser som kan skape utrygghet.",
        "method": "Dialogmøte med naboene.",
        "deltaker-TOTAL_FORMS": "2",
        "deltaker-INITIAL_FORMS": "0",
        "deltaker-0-kind": "group",
        "deltaker-0-name": "3 naboer fra velforeningen",
        "deltaker-1-kind": "person",
        "deltaker-1-name": "",
        "mote-TOTAL_FORMS": "1",
        "mote-INITIAL_FORMS": "0",
        "mote-0-held_on": "2026-05-12",
        "mote-0-note": "Dialogmøte",
    }
    response = en["coordinator"].post(url, data, follow=True)
    html = response.content.decode()
    assert "The analysis was saved." in html
    assert "3 neighbours" not in html and "3 naboer fra velforeningen" in html
    assert "scale Nabolag, version 1" in html
    analysis = Analysis.objects.get(title="ROS for Lindeveien")
    assert analysis.participants.get().kind == "group"
    assert str(analysis.meetings.get().held_on) == "2026-05-12"
    assert RiskScale.objects.get(municipality=world.municipality).name == "Nabolag"


def test_an_empty_analysis_form_answers_400_with_messages(world, en):
    response = en["coordinator"].post(reverse("risk:analysis_create", args=[world.project.pk]))
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Analysis.objects.exists()


def score_data(analysis, stage="before", probability="3", **levels):
    data = {f"{stage}-probability": probability, f"{stage}-probability_justification": "Skjer."}
    for key, dimension in dims(analysis).items():
        data[f"{stage}-dim_{dimension.pk}"] = str(levels.get(key, 2)) if dimension.required else ""
    return data


def test_scores_are_saved_and_the_overall_level_is_the_worst_cell(analysis, event, en):
    url = reverse("risk:event_score", args=[analysis.project_id, analysis.pk, event.pk])
    data = score_data(analysis, probability="4", liv_helse=1, trygghet=4, materielle=2, tillit=3)
    data.update(score_data(analysis, stage="after", probability="2", trygghet=2))
    data.update({"after-acceptance": "accepted", "after-acceptance_reason": "Tiltak på plass."})
    response = en["coordinator"].post(url, data, follow=True)
    html = response.content.decode()
    assert "The scores were saved." in html
    event.refresh_from_db()
    assert (event.probability, event.residual_probability) == (4, 2)
    assert event.scores.filter(stage="before").count() == 4  # nature is optional
    scale = selectors.load_scale(analysis.scale_version)
    risk = selectors.event_risk(selectors.analysis_events(analysis).get(), scale)
    # 4 + 4 = 8 is red in the Nabolag matrix; that is the worst of the four cells.
    assert (risk.before.probability, risk.before.consequence, risk.before.colour) == (4, 4, "red")
    assert risk.cells["before"]["liv_helse"].colour == "green"  # 4 + 1 = 5
    assert risk.after.colour == "green"
    detail = en["coordinator"].get(analysis.get_absolute_url()).content.decode()
    assert 'Red</span> <span class="meta">P4 × C4' in detail


@pytest.mark.parametrize(
    "field, value",
    [("probability", "6"), ("probability", "0"), ("probability", "x"), ("dim", "9")],
)
def test_a_score_outside_the_scale_is_refused(analysis, event, en, field, value):
    url = reverse("risk:event_score", args=[analysis.project_id, analysis.pk, event.pk])
    data = score_data(analysis)
    if field == "probability":
        data["before-probability"] = value
    else:
        data[f"before-dim_{dims(analysis)['tillit'].pk}"] = value
    response = en["coordinator"].post(url, data)
    assert response.status_code == 400
    assert "Choose a level from 1 to 5 on this analysis&#x27;s scale." in response.content.decode()
    event.refresh_from_db()
    assert event.probability is None and not event.scores.exists()
    # What was typed stays in the form.
    assert "Skjer." in response.content.decode()


def test_a_required_dimension_must_be_scored(analysis, event, en):
    url = reverse("risk:event_score", args=[analysis.project_id, analysis.pk, event.pk])
    data = score_data(analysis)
    data[f"before-dim_{dims(analysis)['liv_helse'].pk}"] = ""
    response = en["coordinator"].post(url, data)
    assert response.status_code == 400
    assert "This dimension must be scored on this scale." in response.content.decode()


def test_the_service_refuses_a_level_outside_the_scale(analysis, event):
    with pytest.raises(services.RiskError, match="from 1 to 5"):
        score(event, 7, {"liv_helse": 1})
    with pytest.raises(services.RiskError, match="from 1 to 5"):
        score(event, 2, {"liv_helse": 6})
    assert UnwantedEvent.objects.get(pk=event.pk).probability is None


def test_a_4x4_analysis_refuses_level_5(world, event):
    scale = services.scale_create_from_preset(world.municipality, "dsb", 4)
    small = make_analysis(world.project, title="Liten", scale=scale)
    small_event = services.event_create(analysis=small, title="Innbrudd i boden")
    with pytest.raises(services.RiskError, match="from 1 to 4"):
        score(small_event, 5, {"liv_helse": 1})


def test_the_event_page_shows_the_bow_tie_and_adds_measures_to_the_plan(world, analysis, event, en):
    url = reverse("risk:event_measure_create", args=[world.project.pk, analysis.pk, event.pk])
    for title, kind in [("Husordensregler", "probability"), ("Vakttelefon", "consequence")]:
        response = en["coordinator"].post(
            url,
            {
                "title": title,
                "kind": kind,
                "owner_unit": world.project.responsible_unit_id,
                "status": "planned",
            },
        )
        assert response.status_code == 302
    page = en["politician"].get(event.get_absolute_url()).content.decode()
    bowtie = page[page.index('id="bowtie-heading"') : page.index('id="about-heading"')]
    left, right = bowtie.split('class="bowtie__knot"')
    assert "Besøk sent på kvelden" in left and "Husordensregler" in left
    assert "Vakttelefon" in right and "Husordensregler" not in right
    plan = en["coordinator"].get(reverse("plans:plan", args=[world.project.pk])).content.decode()
    assert "Husordensregler" in plan and "Vakttelefon" in plan
    measure = Measure.objects.get(title="Husordensregler")
    assert measure.unwanted_event == event and measure.kind == "probability"
    assert measure.history.count() == 1  # created through plans.services


def test_a_measure_without_a_type_is_refused(world, analysis, event, en):
    url = reverse("risk:event_measure_create", args=[world.project.pk, analysis.pk, event.pk])
    response = en["coordinator"].post(url, {"title": "Noe", "owner_unit": "999999"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required." in html
    assert "Select a valid choice." in html
    assert 'value="Noe"' in html
    assert not Measure.objects.exists()


def test_a_measure_has_at_most_one_source(world, event):
    concern = make_concern(world.project)
    with pytest.raises(services.RiskError, match="one source at most"):
        services.event_measure_add(
            event=event,
            created_by=None,
            title="To kilder",
            kind="probability",
            owner_unit=world.project.responsible_unit,
            concern=concern,
        )
    measure = make_measure(world.project, concern=concern)
    measure.unwanted_event = event
    with pytest.raises(IntegrityError):
        measure.save()


def test_workflow_walks_every_transition(analysis):
    """Draft → review → draft → review → approved; a revision approved supersedes it."""
    user = None
    assert analysis.status == "draft"
    for to in ["review", "draft", "review", "approved"]:
        services.analysis_change_status(analysis=analysis, to_status=to, changed_by=user)
    with pytest.raises(services.RiskError):
        services.analysis_change_status(analysis=analysis, to_status="draft", changed_by=user)
    revision = services.analysis_revise(analysis=analysis, created_by=user)
    for to in ["review", "approved"]:
        services.analysis_change_status(analysis=revision, to_status=to, changed_by=user)
    analysis.refresh_from_db()
    assert analysis.status == "superseded"
    with pytest.raises(services.RiskError):
        services.analysis_change_status(analysis=analysis, to_status="approved", changed_by=user)
    assert list(analysis.status_changes.values_list("to_status", flat=True)) == [
        "draft",
        "review",
        "draft",
        "review",
        "approved",
        "superseded",
    ]
    for status, targets in workflow.TRANSITIONS.items():
        assert set(targets) <= set(Analysis.Status.values), status


def test_approving_records_who_and_when_and_locks_the_analysis(world, analysis, event, en):
    url = reverse("risk:analysis_status", args=[world.project.pk, analysis.pk])
    en["coordinator"].post(url, {"to_status": "review"})
    response = en["coordinator"].post(url, {"to_status": "approved"}, follow=True)
    html = response.content.decode()
    assert "approved by" in html
    analysis.refresh_from_db()
    assert analysis.approved_by == world.users["coordinator"] and analysis.approved_at
    edit = reverse("risk:event_edit", args=[world.project.pk, analysis.pk, event.pk])
    response = en["coordinator"].post(edit, {"title": "Endret"}, follow=True)
    assert "Only a draft can be changed." in response.content.decode()
    assert UnwantedEvent.objects.get(pk=event.pk).title == "Støy fra uteområdet om natta"
    bad = en["coordinator"].post(url, {"to_status": "draft"})
    assert bad.status_code == 400
    assert "An analysis that is approved cannot become draft." in bad.content.decode()
    unknown = en["coordinator"].post(url, {"to_status": "burned"})
    assert unknown.status_code == 400 and "Choose a status." in unknown.content.decode()
    revise = reverse("risk:analysis_revise", args=[world.project.pk, analysis.pk])
    assert en["coordinator"].post(revise).status_code == 302
    again = en["coordinator"].post(revise)
    assert again.status_code == 400
    assert "Only the newest revision can be revised." in again.content.decode()


def test_a_new_revision_copies_every_event_and_shows_what_changed(world, analysis, en):
    kept = services.event_create(analysis=analysis, title="Rusmidler på lekeplassen")
    score(kept, 3, {"liv_helse": 3, "trygghet": 4, "materielle": 1, "tillit": 3})
    same = services.event_create(analysis=analysis, title="Hærverk på bilene")
    score(same, 2, {"liv_helse": 1, "trygghet": 2, "materielle": 3, "tillit": 2})
    gone = services.event_create(analysis=analysis, title="Brann i fellesarealet")
    score(gone, 1, {"liv_helse": 5, "trygghet": 4, "materielle": 5, "tillit": 4})
    measure = services.event_measure_add(
        event=kept,
        created_by=None,
        title="Miljøvaktmester på runde",
        kind="probability",
        owner_unit=world.project.responsible_unit,
    )
    for to in ["review", "approved"]:
        services.analysis_change_status(analysis=analysis, to_status=to, changed_by=None)

    response = en["coordinator"].post(
        reverse("risk:analysis_revise", args=[world.project.pk, analysis.pk]), follow=True
    )
    assert "A new revision was made" in response.content.decode()
    revision = Analysis.objects.get(series=analysis.series, revision=2)
    assert revision.status == "draft" and revision.previous == analysis
    assert revision.scale_version == analysis.scale_version
    copies = {e.title: e for e in revision.events.all()}
    assert set(copies) == {e.title for e in analysis.events.all()}
    assert copies["Rusmidler på lekeplassen"].previous == kept
    assert copies["Rusmidler på lekeplassen"].scores.count() == 4
    # The measure stays with the first event and shows as carried over.
    page = en["coordinator"].get(copies["Rusmidler på lekeplassen"].get_absolute_url())
    assert "Miljøvaktmester på runde" in page.content.decode()
    assert "carried over from an earlier revision" in page.content.decode()
    assert Measure.objects.get(pk=measure.pk).unwanted_event == kept

    score(copies["Rusmidler på lekeplassen"], 2, {"trygghet": 3})
    services.event_delete(event=copies["Brann i fellesarealet"])
    services.event_create(analysis=revision, title="Ulovlig parkering")

    diff = en["politician"].get(reverse("risk:analysis_diff", args=[world.project.pk, revision.pk]))
    html = diff.content.decode()
    added = html[html.index('id="added"') : html.index("removed-heading")]
    removed = html[html.index('id="removed"') : html.index("rescored-heading")]
    rescored = html[html.index("rescored-heading") :]
    assert "Ulovlig parkering" in added
    assert "Brann i fellesarealet" in removed
    assert "Rusmidler på lekeplassen" in rescored and "Hærverk på bilene" not in rescored
    rows = re.sub(r"\s+", " ", rescored)
    assert '<th scope="row">Probability</th><td>3</td><td>2</td>' in rows
    assert "Consequence: Trygghet og stabilitet</th><td>4</td><td>3</td>" in rows


def test_only_the_newest_revision_is_revised(analysis):
    for to in ["review", "approved"]:
        services.analysis_change_status(analysis=analysis, to_status=to, changed_by=None)
    services.analysis_revise(analysis=analysis, created_by=None)
    with pytest.raises(services.RiskError, match="newest revision"):
        services.analysis_revise(analysis=analysis, created_by=None)


def test_residual_scores_are_their_own_stage(analysis, event):
    score(event, 4, {"liv_helse": 2, "trygghet": 4, "materielle": 1, "tillit": 2})
    score(event, 2, {"trygghet": 2}, stage=AFTER)
    stages = set(ConsequenceScore.objects.values_list("stage", flat=True))
    assert stages == {"before", "after"}
