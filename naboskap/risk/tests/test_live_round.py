"""The live round in the room (issue 19): a phone scores one event per screen with "don't
know", previous/next, progress and a summary of its own votes; the room view (projector)
shows the count and, from three votes, a histogram per dimension. Through HTTP."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from naboskap.risk import selectors, services
from naboskap.risk.models import Vote
from naboskap.risk.tests.factories import make_analysis
from naboskap.risk.tests.test_scoring import cast, open_round, phone, vote_data

DIMENSIONS = ("liv_helse", "trygghet", "materielle", "tillit")


@pytest.fixture(autouse=True)
def fresh_limits(db):
    cache.clear()  # the vote limit counts per address in the cache
    yield
    cache.clear()


@pytest.fixture
def analysis(world):
    analysis = make_analysis(world.project, by=world.users["coordinator"])
    services.event_create(
        analysis=analysis,
        title="Støy fra uteområdet om natta",
        scenario="Fest i bakgården etter midnatt, flere helger på rad.",
    )
    services.event_create(analysis=analysis, title="Hærverk på sykkelboder")
    services.event_create(analysis=analysis, title="Brann i søppelrom")
    return analysis


def vote_url(scoring_round, number, **query):
    url = reverse("portal:scoring_vote", args=[scoring_round.code, number])
    return url + ("?fra=oppsummering" if query.get("from_summary") else "")


def summary_url(scoring_round):
    return reverse("portal:scoring_summary", args=[scoring_round.code])


def room_args(scoring_round):
    return [scoring_round.analysis.project_id, scoring_round.analysis_id, scoring_round.pk]


def room_fragment(en, scoring_round, query="") -> str:
    url = reverse("risk:round_room_results", args=room_args(scoring_round)) + query
    response = en["coordinator"].get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def test_a_phone_sees_one_event_with_its_scenario_progress_and_compact_choices(analysis, en):
    scoring_round = open_round(analysis, en["coordinator"])
    device = phone()
    join = device.get(reverse("portal:scoring_join", args=[scoring_round.code]))
    assert "There are 3 events to score, one per screen." in join.content.decode()
    assert vote_url(scoring_round, 1) in join.content.decode()  # the start button
    html = device.get(vote_url(scoring_round, 1)).content.decode()
    assert "Event 1 of 3" in html
    assert "Fest i bakgården etter midnatt" in html  # the scenario they score
    # A fieldset and legend per dimension (and the probability), each with "don't know".
    assert html.count("<fieldset") == 1 + 5 and html.count("<legend") == 6
    assert html.count('value="unknown"') == 6 and "Don&#x27;t know" in html
    assert 'rel="next"' in html and 'rel="prev"' not in html
    last = device.get(vote_url(scoring_round, 3)).content.decode()
    assert "Event 3 of 3" in last and 'rel="prev"' in last and 'rel="next"' not in last
    assert vote_url(scoring_round, 2) in last  # previous is event 2


def test_dont_know_is_stored_as_no_score_and_the_results_count_it(analysis, en):
    scoring_round = open_round(analysis, en["coordinator"])
    data = vote_data("unknown", trygghet=4)
    data["c_tillit"] = "unknown"
    response = cast(phone(), scoring_round, 1, data)
    assert response.status_code == 302
    vote = Vote.objects.get(round=scoring_round)
    assert vote.probability is None
    assert vote.consequences == {"liv_helse": 2, "trygghet": 4, "materielle": 2}
    scale = selectors.load_scale(analysis.scale_version)
    result = selectors.round_results(scoring_round, scale)[0]
    probability, *dimensions = result.items
    assert (probability.count, probability.unknown) == (0, 1)
    tillit = next(item for item in dimensions if item.key == "tillit")
    assert (tillit.count, tillit.unknown) == (0, 1)


def test_nothing_chosen_in_a_dimension_asks_for_a_level_or_dont_know(analysis, en):
    scoring_round = open_round(analysis, en["coordinator"])
    data = vote_data("3")
    del data["c_trygghet"]
    response = cast(phone(), scoring_round, 1, data)
    assert response.status_code == 400
    assert "Choose a level, or “Don&#x27;t know”." in response.content.decode()
    assert not Vote.objects.exists()


def test_the_service_takes_dont_know_for_anything(analysis, en):
    scoring_round = open_round(analysis, en["coordinator"])
    vote, replaced = services.vote_cast(
        scoring_round=scoring_round,
        event=analysis.events.get(number=2),
        device="x",
        probability=None,
        consequences={"liv_helse": None, "tillit": 5},
    )
    assert not replaced
    vote.refresh_from_db()
    assert (vote.probability, vote.consequences) == (None, {"tillit": 5})


def test_the_summary_shows_own_votes_and_a_changed_vote_returns_to_it(analysis, en):
    scoring_round = open_round(analysis, en["coordinator"])
    device = phone()
    first = cast(device, scoring_round, 1, vote_data("unknown"))
    assert first["Location"] == vote_url(scoring_round, 2)
    device.post(vote_url(scoring_round, 2), vote_data("4"))
    last = device.post(vote_url(scoring_round, 3), vote_data("2"))
    assert last["Location"] == summary_url(scoring_round)
    html = device.get(summary_url(scoring_round)).content.decode()
    assert "You have scored 3 of 3." in html
    assert "Don&#x27;t know" in html  # the probability of event 1
    change = vote_url(scoring_round, 1, from_summary=True)
    assert change in html
    page = device.get(change).content.decode()
    assert re.search(r'name="probability" value="unknown"[^>]*checked', page)
    response = device.post(change, vote_data("5"))
    assert response["Location"] == summary_url(scoring_round)
    assert Vote.objects.filter(round=scoring_round).count() == 3
    assert Vote.objects.get(round=scoring_round, event__number=1).probability == 5
    html = device.get(summary_url(scoring_round)).content.decode()
    assert "Your vote was changed. Only the last one counts." in html


def test_the_summary_names_the_events_not_scored_yet(analysis, en):
    scoring_round = open_round(analysis, en["coordinator"])
    device = phone()
    cast(device, scoring_round, 2, vote_data())
    html = device.get(summary_url(scoring_round)).content.decode()
    assert "You have scored 1 of 3." in html and "Not scored yet:" in html
    assert f'href="{vote_url(scoring_round, 1)}"' in html


def test_every_vote_is_counted_once(analysis, en):
    scoring_round = open_round(analysis, en["coordinator"])
    phones = [phone() for _n in range(3)]
    for device in phones:
        for number in (1, 2, 3):
            assert cast(device, scoring_round, number, vote_data()).status_code == 302
    cast(phones[0], scoring_round, 1, vote_data("5"))  # a second vote replaces the first
    assert Vote.objects.filter(round=scoring_round).count() == 9
    assert Vote.objects.filter(round=scoring_round, probability=5).count() == 1
    assert "3 people have voted" in room_fragment(en, scoring_round)


def test_the_room_view_is_a_full_screen_page_with_a_large_qr_code(analysis, en):
    scoring_round = open_round(analysis, en["coordinator"])
    response = en["coordinator"].get(reverse("risk:round_room", args=room_args(scoring_round)))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="room"' in html and "site-header" not in html  # no staff navigation
    assert '<svg role="img"' in html and "QR code for scoring round" in html
    assert f"/ros/{scoring_round.code}/" in html and "room__code" in html
    assert "django_htmx/htmx-2.min.js" in html and 'hx-trigger="every 3s"' in html
    # The Refresh button is a plain link to the same page: it works without JavaScript.
    assert re.search(r'href="[^"]*/rom/"[^>]*>Refresh<', html)
    assert "0 people have voted" in html
    detail = en["coordinator"].get(scoring_round.get_absolute_url()).content.decode()
    assert reverse("risk:round_room", args=room_args(scoring_round)) in detail


def test_the_room_hides_results_under_three_votes_and_draws_them_after(analysis, en):
    scoring_round = open_round(analysis, en["coordinator"])
    for probability in ("2", "4"):
        cast(phone(), scoring_round, 1, vote_data(probability, trygghet=3))
    html = room_fragment(en, scoring_round)
    assert "2 people have voted" in html and "The results show when 3 have voted." in html
    assert "<svg" not in html
    cast(phone(), scoring_round, 1, vote_data("unknown", trygghet=5))
    html = room_fragment(en, scoring_round)
    assert "3 people have voted" in html
    # A histogram per thing scored: the probability and the five dimensions of the scale.
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" role="img"') == 6
    assert "Median 3, from 2 to 4; 2 scored, 1 don&#x27;t know." in html
    assert "<table" in html  # the same data as a table
    assert "Agreement" in html


def test_the_presenter_steps_through_the_events(analysis, en):
    scoring_round = open_round(analysis, en["coordinator"])
    url = reverse("risk:round_room", args=room_args(scoring_round))
    html = en["coordinator"].get(url + "?hendelse=2").content.decode()
    assert "Event 2 of 3" in html
    assert "Hærverk på sykkelboder" in html and "Brann i søppelrom" not in html
    assert 'href="?hendelse=1"' in html and 'href="?hendelse=3"' in html
    assert "?hendelse=2" in re.search(r'hx-get="([^"]+)"', html).group(1)
    everything = en["coordinator"].get(url + "?hendelse=x²").content.decode()
    assert "Brann i søppelrom" in everything and "Hærverk på sykkelboder" in everything
    fragment = room_fragment(en, scoring_round, "?hendelse=3")
    assert "Brann i søppelrom" in fragment and "Hærverk" not in fragment


def test_the_polled_part_without_htmx_goes_to_the_room_view(analysis, en):
    scoring_round = open_round(analysis, en["coordinator"])
    url = reverse("risk:round_room_results", args=room_args(scoring_round))
    response = en["coordinator"].get(url + "?hendelse=2")
    assert response.status_code == 302
    room = reverse("risk:round_room", args=room_args(scoring_round))
    assert response["Location"] == room + "?hendelse=2"


def test_the_room_view_is_for_staff_who_read_the_analysis(analysis, en, persona_clients):
    scoring_round = open_round(analysis, en["coordinator"])
    url = reverse("risk:round_room", args=room_args(scoring_round))
    assert persona_clients["anonymous"].get(url).status_code == 302
    assert persona_clients["outsider"].get(url).status_code == 404
    assert persona_clients["politician"].get(url).status_code == 200
    assert phone().get(url)["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("events", [2, 20])
def test_the_room_view_does_not_grow_queries(world, en, events, django_assert_max_num_queries):
    from naboskap.risk.tests.factories import fill_analysis

    analysis = make_analysis(world.project)
    made = fill_analysis(analysis, events)
    scoring_round = services.round_open(analysis=analysis, events=made, opened_by=None)
    Vote.objects.bulk_create(
        Vote(
            round=scoring_round,
            event=event,
            device=f"d{device}",
            probability=1 + (n + device) % 5,
            consequences={"tillit": 1 + device},
        )
        for n, event in enumerate(made)
        for device in range(4)
    )
    url = reverse("risk:round_room", args=room_args(scoring_round))
    with django_assert_max_num_queries(20):
        assert en["coordinator"].get(url).status_code == 200
    with django_assert_max_num_queries(20):
        assert room_fragment(en, scoring_round).count("4 votes") == events


def test_a_blank_vote_form_is_drawn_once_per_language_and_never_with_a_vote(analysis, en):
    from naboskap.conftest import client_for

    scoring_round = open_round(analysis, en["coordinator"])
    english, bokmal = phone(), client_for(None, language="nb")
    first = english.get(vote_url(scoring_round, 1)).content.decode()
    assert english.get(vote_url(scoring_round, 1)).content.decode().count("<fieldset") == 6
    assert "Don&#x27;t know" in first and "checked" not in first
    norsk = bokmal.get(vote_url(scoring_round, 1)).content.decode()
    assert "Vet ikke" in norsk and "Don&#x27;t know" not in norsk
    cast(english, scoring_round, 1, vote_data("4"))
    again = english.get(vote_url(scoring_round, 1)).content.decode()
    assert re.search(r'name="probability" value="4"[^>]*checked', again)


def test_a_closed_round_stops_polling_and_keeps_its_results(analysis, en):
    scoring_round = open_round(analysis, en["coordinator"])
    for probability in ("2", "3", "4"):
        cast(phone(), scoring_round, 1, vote_data(probability))
    services.round_close(scoring_round=scoring_round, closed_by=None)
    url = reverse("risk:round_room", args=room_args(scoring_round))
    html = en["coordinator"].get(url).content.decode()
    assert "The round was closed on" in html and "hx-get" not in html
    assert "room__qr" not in html  # nobody should join a closed round
    assert "3 people have voted" in html and html.count('role="img" class="room__histogram"') == 6
