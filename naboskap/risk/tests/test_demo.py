"""The demo ROS analysis of Lindeveien."""

import io

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from naboskap.conftest import english
from naboskap.demo.risk import load_risk
from naboskap.plans.models import Measure
from naboskap.projects.models import Project
from naboskap.risk import selectors
from naboskap.risk.models import Analysis
from naboskap.testing.mfa import enrol_totp


def test_the_demo_has_a_revised_ros_analysis_for_lindeveien(db):
    call_command("load_demo", stdout=io.StringIO())
    project = Project.objects.get(slug="lindeveien")
    first, second = Analysis.objects.filter(project=project).order_by("revision")
    assert (first.status, second.status) == ("approved", "draft")
    assert first.events.count() == 8 and second.events.count() == 9
    assert Measure.objects.filter(unwanted_event__analysis=first).count() == 5
    assert first.participants.filter(kind="group").count() == 2
    counts = (Analysis.objects.count(), Measure.objects.count())
    users = {u.username: u for u in get_user_model().objects.all()}
    load_risk({"lindeveien": project}, users)  # a second run adds nothing
    assert (Analysis.objects.count(), Measure.objects.count()) == counts

    enrol_totp(users["politiker"])
    client = english(users["politiker"])
    for name in ["risk:analysis_detail", "risk:matrix", "risk:analysis_diff"]:
        response = client.get(reverse(name, args=[project.pk, second.pk]))
        assert response.status_code == 200, name
    diff = client.get(reverse("risk:analysis_diff", args=[project.pk, second.pk])).content
    assert "Parkering som sperrer utrykningsveien" in diff.decode()
    assert "Støy og uro fra boligene" in diff.decode()  # re-scored: probability 4 → 3

    # A closed scoring round, with the noise event settled from its votes, and drug dealing
    # flagged: the concerns linked to it show it happens more often than assessed.
    scoring_round = second.scoring_rounds.get()
    assert not scoring_round.is_open and scoring_round.votes.count() == 16
    noise = second.events.get(number=2)
    assert noise.settled_spread["votes"] == 7
    html = client.get(noise.get_absolute_url()).content.decode()
    assert "Agreement behind the strength of knowledge" in html
    flagged = [e.number for e, _seen in selectors.events_to_reassess(project)]
    assert flagged == [4]
    html = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    flagged_event = selectors.events_to_reassess(project)[0][0]
    assert "1 event to re-assess" in html and flagged_event.get_absolute_url() in html
    # The politician's start page counts it too, in the singular.
    home = client.get(reverse("insights:home"))
    assert home.status_code == 200
    assert "Risk event to re-assess" in home.content.decode()
