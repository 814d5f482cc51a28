"""The inbox of a case handler (issue 16): summaries, status badges that differ by more than
colour, open cases by default, the one-click views with their counts, few queries whatever
the size, unique form ids, and the access log of everything that shows a concern's text."""

import re
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django import forms
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from naboskap.concerns import services
from naboskap.concerns.models import Concern
from naboskap.concerns.workflow import Status
from naboskap.conftest import english, make_staff
from naboskap.tenancy.models import Role
from naboskap.testing.factories import make_concern, make_photo

INBOX = "/app/meldinger/"


def accesses(concern, **filters):
    return LogEntry.objects.get_for_object(concern).filter(action=LogEntry.Action.ACCESS, **filters)


@pytest.fixture
def handler(world):
    return make_staff(
        world.municipality,
        Role.CASE_HANDLER,
        unit=world.project.responsible_unit,
        username="eiendom",
    )


@pytest.fixture
def cases(world, handler):
    """One case per view: mine, new from the reporter, overdue, due this week, and closed."""
    today = timezone.localdate()
    sunday = today + timedelta(days=6 - today.weekday())
    mine = make_concern(world.project, description="Min sak om støy")
    services.concern_assign(concern=mine, unit=mine.assigned_unit, handler=handler)
    new = make_concern(world.project, description="Ny fra melderen")
    services.reporter_reply(concern=new, body="Mer informasjon")
    overdue = make_concern(world.project, description="Forsinket sak")
    week = make_concern(world.project, description="Frist denne uken")
    closed = make_concern(world.project, description="Ferdig behandlet")
    for status in (Status.ACKNOWLEDGED, Status.ANSWERED, Status.CLOSED):
        answer = "Svar" if status == Status.ANSWERED else ""
        services.concern_transition(concern=closed, to_status=status, by=None, answer=answer)
    far = today + timedelta(days=30)
    Concern.objects.filter(pk__in=[mine.pk, new.pk, week.pk]).update(
        answer_due=far, acknowledge_due=far
    )
    Concern.objects.filter(pk=overdue.pk).update(answer_due=today - timedelta(days=2))
    Concern.objects.filter(pk=week.pk).update(answer_due=sunday)
    services.selectors._bump(world.municipality.pk)  # the raw updates above, as a write does
    return {"mine": mine, "new": new, "overdue": overdue, "week": week, "closed": closed}


def shown(html: str, cases: dict) -> set[str]:
    return {name for name, concern in cases.items() if concern.reference in html}


def test_open_cases_by_default_closed_on_request(world, handler, cases):
    client = english(handler)
    response = client.get(INBOX)
    assert response.status_code == 200
    html = response.content.decode()
    assert shown(html, cases) == {"mine", "new", "overdue", "week"}
    assert "Showing open cases." in html
    html = client.get(INBOX, {"show": "closed"}).content.decode()
    assert shown(html, cases) == {"closed"}
    html = client.get(INBOX, {"show": "all"}).content.decode()
    assert shown(html, cases) == set(cases)


@pytest.mark.parametrize(
    ("view", "expected"),
    [("mine", {"mine"}), ("new", {"new"}), ("overdue", {"overdue"}), ("week", {"week"})],
)
def test_one_click_views_with_their_counts(world, handler, cases, view, expected):
    client = english(handler)
    html = client.get(INBOX).content.decode()
    links = dict(re.findall(r'href="\?view=(\w+)"[^>]*>[^<]*: <strong>(\d+)</strong>', html))
    assert links == {"mine": "1", "new": "1", "overdue": "1", "week": "1"}
    response = client.get(INBOX, {"view": view})
    assert response.status_code == 200
    html = response.content.decode()
    assert shown(html, cases) == expected
    assert f'href="?view={view}" aria-current="page"' in html


def test_old_overdue_links_still_open_the_overdue_view(world, handler, cases):
    html = english(handler).get(INBOX, {"overdue": "on"}).content.decode()
    assert shown(html, cases) == {"overdue"}


def test_summary_badges_and_the_new_mark(world, handler, cases):
    html = english(handler).get(INBOX).content.decode()
    assert "Min sak om støy" in html  # the short summary
    # The status is text and a shape, not only a colour.
    badge = re.search(
        r'<span class="ds-tag status-badge" data-status="received"[^>]*>(.*?)</span> ', html
    )
    assert badge and "●" in badge.group(1)
    assert 'data-status="received"' in html and ">●</span> Received</span>" in html
    closed = english(handler).get(INBOX, {"show": "closed"}).content.decode()
    assert ">■</span> Closed</span>" in closed
    assert html.count("data-new-from-reporter") == 1
    assert "New from the reporter</span>" in html


def test_inbox_rows_are_in_the_access_log(world, handler, cases):
    """The inbox shows a summary of what the reporter wrote: each row listed is logged."""
    english(handler).get(INBOX)
    entry = accesses(cases["mine"]).get()
    assert entry.actor == handler
    assert entry.additional_data == {"seen": "inbox"}
    assert not accesses(cases["closed"]).exists()  # not listed


def test_form_ids_are_unique_and_every_select_is_named(world, handler, cases):
    html = english(handler).get(INBOX).content.decode()
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert 'for="id_unit"' in html and 'for="id_bulk-unit"' in html
    assert 'for="id_bulk-handler"' in html and 'id="id_bulk-handler"' in html


@pytest.mark.parametrize("size", [3, 60])
def test_inbox_views_stay_within_fifteen_queries(
    world, handler, size, django_assert_max_num_queries
):
    for number in range(size):
        concern = make_concern(world.project, description=f"Sak {number}")
        if number % 3 == 0:
            services.reporter_reply(concern=concern, body="Mer")
        if number % 4 == 0:
            services.concern_assign(concern=concern, unit=concern.assigned_unit, handler=handler)
    client = english(handler)
    client.get(INBOX)  # counts once per change (then cached), as every inbox view after
    for query in [
        {},
        {"view": "mine"},
        {"view": "new"},
        {"view": "overdue"},
        {"view": "week"},
        {"show": "closed"},
        {"side": "2"},
    ]:
        with django_assert_max_num_queries(15):
            assert client.get(INBOX, query).status_code == 200


def test_the_error_summary_links_to_the_first_radio_button_not_its_container():
    class Choice(forms.Form):
        colour = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)

    form = Choice({})
    assert not form.is_valid()
    summary = render_to_string("includes/form_errors.html", {"form": form})
    assert 'href="#id_colour_0"' in summary
    assert 'id="id_colour_0"' in str(form["colour"])


def test_every_page_showing_the_text_is_logged(world, handler, cases):
    """Opening the case, the page again after an invalid POST, and a photo: each logged."""
    concern = cases["mine"]
    photo = make_photo(concern)
    client = english(handler)
    assert client.get(concern.get_absolute_url()).status_code == 200
    assert accesses(concern, additional_data__isnull=True).count() == 1
    for name, data in [
        ("concerns:transition", {"to_status": "nonsense"}),
        ("concerns:message", {"body": ""}),
        ("concerns:note", {"note-body": ""}),
        ("concerns:assign", {"unit": "999999"}),
        ("concerns:link_event", {"event-unwanted_event": "999999"}),
    ]:
        response = client.post(reverse(name, args=[concern.pk]), data)
        assert response.status_code == 400, name
        assert "Min sak om støy" in response.content.decode()
    assert accesses(concern, additional_data__isnull=True).count() == 6
    assert client.get(photo.get_absolute_url()).status_code == 200
    assert accesses(concern, additional_data={"seen": "photo"}).get().actor == handler
