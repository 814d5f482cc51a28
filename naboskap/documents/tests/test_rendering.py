"""Rendering in the worker: one render per version however many workers are asked, a claim
that lost its worker taken over, a result made stale while it rendered thrown away, changes
of another app found through the project's documents, and stored files deleted with what
they show."""

import dataclasses
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from naboskap.conftest import client_for, run_tasks
from naboskap.documents import registry, rendering
from naboskap.documents.models import Document
from naboskap.documents.services import documents_prune
from naboskap.documents.tests.kinds import make_plan, make_ros, pdf_text
from naboskap.lib.storage import private_storage
from naboskap.testing.documents import fetch_document, read


def counting(monkeypatch, name: str) -> list:
    """Count the renders of a kind (they still happen)."""
    kind = registry.get(name)
    calls = []

    def render(job):
        calls.append(job.obj.pk)
        return kind.render(job)

    monkeypatch.setitem(registry._kinds, name, dataclasses.replace(kind, render=render))
    return calls


@pytest.mark.django_db
def test_a_version_another_worker_renders_is_not_rendered_twice(world, monkeypatch):
    analysis, _url = make_ros(world)
    document = Document.objects.get(kind="risk.report", object_id=analysis.pk)
    fingerprint = rendering.fingerprint_of(document, analysis)
    calls = counting(monkeypatch, "risk.report")
    # Another worker claimed this version a moment ago.
    Document.objects.filter(pk=document.pk).update(
        wanted=fingerprint, status=Document.Status.PREPARING, claimed_at=timezone.now()
    )
    assert rendering.render_document(document.pk) == "claimed"
    assert calls == []
    # It died: after LOST_AFTER its claim is taken over, and the version rendered once.
    Document.objects.filter(pk=document.pk).update(
        claimed_at=timezone.now() - rendering.LOST_AFTER - timedelta(seconds=1)
    )
    assert rendering.render_document(document.pk) == "rendered"
    assert rendering.render_document(document.pk) == "current"
    assert calls == [analysis.pk]


@pytest.mark.django_db
def test_a_render_made_stale_while_it_ran_is_thrown_away(
    world, monkeypatch, settings, django_capture_on_commit_callbacks
):
    from naboskap.risk import services

    analysis, _url = make_ros(world)
    document = Document.objects.get(kind="risk.report", object_id=analysis.pk)
    kind = registry.get("risk.report")

    def render_while_someone_edits(job):
        content = kind.render(job)
        services.event_create(analysis=analysis, title="Skrevet underveis")
        stale = Document.objects.get(pk=document.pk)
        rendering.want(stale, rendering.fingerprint_of(stale, analysis))  # a download asks
        return content

    monkeypatch.setitem(
        registry._kinds, kind.name, dataclasses.replace(kind, render=render_while_someone_edits)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert rendering.render_document(document.pk) == "superseded"
    document.refresh_from_db()
    assert not document.file and document.status == Document.Status.PREPARING
    assert not list(Path(settings.PRIVATE_MEDIA_ROOT).rglob("*.pdf"))


@pytest.mark.django_db(transaction=True)
def test_a_measure_changed_in_the_plan_renders_the_ros_report_again(world):
    """The plan's service reports its own change; the ROS report, which shows the measures
    of its events, is found stale among the project's documents and rendered again."""
    from naboskap.plans import services as plan_services
    from naboskap.risk import services as risk_services

    analysis, url = make_ros(world)
    event = risk_services.event_create(analysis=analysis, title="Støy om natta")
    measure = risk_services.event_measure_add(
        event=event,
        created_by=None,
        title="Husordensregler for utleie",
        kind="probability",
        owner_unit=world.project.responsible_unit,
        due_date=timezone.localdate() + timedelta(days=30),
    )
    run_tasks()
    client = client_for(world.users["coordinator"])
    assert "Husordensregler for utleie" in pdf_text(read(client.get(url)).content)
    plan_services.measure_update(measure=measure, changed_by=None, title="Vakt i helgene")
    run_tasks()  # the plan's refresh finds the report stale and queues it
    report = client.get(url)
    assert report.streaming  # rendered before anyone asked
    assert "Vakt i helgene" in pdf_text(read(report).content)


@pytest.mark.django_db
def test_a_kind_rendered_ahead_gets_its_first_document_in_the_municipalitys_language(world):
    analysis, _url = make_ros(world)
    (document,) = Document.objects.filter(kind="risk.report", object_id=analysis.pk)
    assert document.language == world.municipality.default_language
    assert document.project_pk == world.project.pk
    assert document.municipality_id == world.municipality.pk


@pytest.mark.django_db
def test_documents_go_with_what_they_show(world, django_capture_on_commit_callbacks):
    analysis, url = make_ros(world)
    project, plan_url = make_plan(world)
    client = client_for(world.users["coordinator"])
    fetch_document(client, url)
    fetch_document(client, plan_url)
    report = Document.objects.get(kind="risk.report", object_id=analysis.pk)
    plan = Document.objects.get(kind="plans.plan", object_id=project.pk)
    assert private_storage.exists(report.file.name)
    analysis.delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert documents_prune() == 1
    assert not Document.objects.filter(pk=report.pk).exists()
    assert not private_storage.exists(report.file.name)
    assert private_storage.exists(Document.objects.get(pk=plan.pk).file.name)


@pytest.mark.django_db
def test_a_filtered_plan_is_a_document_of_its_own(world):
    project, url = make_plan(world)
    client = client_for(world.users["coordinator"])
    whole = fetch_document(client, url)
    planned = fetch_document(client, url + "?overdue=on&group=source&status=planned&side=2")
    assert whole.content != planned.content
    variants = Document.objects.filter(kind="plans.plan", object_id=project.pk)
    # The filter in a fixed order, without the default grouping or anything else.
    assert sorted(variants.values_list("variant", flat=True)) == ["", "status=planned&overdue=on"]
    assert "Fast kontaktperson for naboene" not in pdf_text(planned.content)  # not overdue


@pytest.mark.django_db(transaction=True)
def test_renaming_the_project_renders_its_documents_again(world):
    from naboskap.projects import services as project_services

    _analysis, url = make_ros(world)
    run_tasks()
    client = client_for(world.users["coordinator"])
    assert client.get(url).streaming
    project_services.project_edit(project=world.project, name="Lindeveien bofellesskap")
    run_tasks()
    report = client.get(url)
    assert report.streaming
    assert "Lindeveien bofellesskap" in pdf_text(read(report).content)
