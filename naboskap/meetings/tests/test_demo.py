"""The demo's councils and meetings load once and show on the pages."""

from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from naboskap.conftest import client_for, english, enrol_totp
from naboskap.demo.meetings import load_meetings
from naboskap.meetings.models import Body, Invitation, Meeting
from naboskap.meetings.selectors import council_health
from naboskap.projects.models import Project


def test_demo_council_and_meetings(db):
    call_command("load_demo", stdout=StringIO())
    solbakken = Project.objects.get(slug="solbakken")
    lindeveien = Project.objects.get(slug="lindeveien")
    council = Body.objects.get(project=solbakken)
    assert council.members.get(position="chair").category == "neighbour"
    assert [w.code for w in council_health(council)] == ["term_ending"]
    # Three council meetings and events, and the residents' meeting before the held one.
    # ... and (meetx) the six meetings of the bimonthly series and last summer's party.
    # ... and (dashboards) Lindeveien's first dialogue meeting, already held.
    assert solbakken.meetings.count() == 4 + 7 and lindeveien.meetings.count() == 1 + 1
    counts = (Meeting.objects.count(), Invitation.objects.count())
    assert Invitation.objects.exclude(response="none").count() == 7
    users = {u.username: u for u in get_user_model().objects.all()}
    load_meetings({"solbakken": solbakken, "lindeveien": lindeveien}, users)
    assert (Meeting.objects.count(), Invitation.objects.count()) == counts

    page = english().get(lindeveien.get_public_url()).content.decode()
    assert "Dialogmøte om boligene i Lindeveien" in page
    staff = users["botiltak"]
    enrol_totp(staff)
    client = client_for(staff)
    page = client.get(reverse("projects:detail", args=[solbakken.pk])).content.decode()
    assert "Naborådet på Solbakken" in page
    assert client.get(council.get_absolute_url()).status_code == 200


def test_demo_agenda_residents_meeting_and_minutes(db):
    from naboskap.meetings.models import AgendaItem, Minutes
    from naboskap.plans.models import Measure

    call_command("load_demo", stdout=StringIO())
    solbakken = Project.objects.get(slug="solbakken")
    minutes = Minutes.objects.get(meeting__project=solbakken)
    assert minutes.is_approved and minutes.is_public and minutes.versions.count() == 1
    held = minutes.meeting
    assert held.agenda_items.count() == 5
    noise = held.agenda_items.get(title="Støy fra uteområdet om kvelden")
    assert "stilletider" in noise.residents_note
    assert noise.residents_items.get().meeting.kind == Meeting.Kind.RESIDENTS
    measure = Measure.objects.get(decision__agenda_item=noise)
    assert measure.owner_unit.name == "Solbakken botiltak" and measure.due_date
    counts = (AgendaItem.objects.count(), Measure.objects.count(), Meeting.objects.count())
    call_command("load_demo", stdout=StringIO())  # idempotent
    users = {u.username: u for u in get_user_model().objects.all()}
    lindeveien = Project.objects.get(slug="lindeveien")
    load_meetings({"solbakken": solbakken, "lindeveien": lindeveien}, users)
    assert (AgendaItem.objects.count(), Measure.objects.count(), Meeting.objects.count()) == counts

    public = (
        english()
        .get(reverse("portal:meeting_minutes", args=[solbakken.slug, held.pk]))
        .content.decode()
    )
    assert "Skilt om stilletid" in public and "Beboerne foreslår" not in public
    staff = users["botiltak"]
    enrol_totp(staff)
    client = client_for(staff)
    page = client.get(held.get_absolute_url()).content.decode()
    assert "Beboerne foreslår faste stilletider" in page
    page = client.get(minutes.get_absolute_url()).content.decode()
    assert "Skilt om stilletid og benk på baksiden" in page


def test_demo_series_parties_and_external_member(db):
    from decimal import Decimal

    from naboskap.meetings.models import AgendaTemplate, Series
    from naboskap.meetings.selectors import budget_by_year

    call_command("load_demo", stdout=StringIO())
    council = Body.objects.get(project__slug="solbakken")
    series = Series.objects.get(body=council)
    assert (series.frequency, series.interval, series.meetings.count()) == ("monthly", 2, 6)
    template = AgendaTemplate.objects.get(body=council)
    for meeting in series.meetings.all():
        assert meeting.agenda_items.count() == template.items.count() == 5
    parties = council.meetings.filter(kind="social")
    assert {p.title for p in parties} == {"Julefest på Solbakken", "Sommerfest på Solbakken"}
    spent = sum((row["spent"] for row in budget_by_year(council)), Decimal(0))
    assert spent == Decimal("9500.50")
    kari = council.members.get(name="Kari Nordby")
    assert kari.user is None and kari.email and kari.category == "neighbour"
