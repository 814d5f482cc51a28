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
    assert solbakken.meetings.count() == 3 and lindeveien.meetings.count() == 1
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
