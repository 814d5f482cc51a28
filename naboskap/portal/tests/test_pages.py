"""The public pages, as a neighbour sees them."""

import time
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from naboskap.conftest import client_for, english
from naboskap.projects import services
from naboskap.projects.models import PhaseChange, Project, Update
from naboskap.testing.factories import ProjectFactory, UpdateFactory


def test_home_lists_the_municipalitys_public_projects_only(world, client_en):
    ProjectFactory(municipality=world.municipality, name="Utkastveien", visibility="draft")
    response = client_en.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lindeveien" in html
    assert "Utkastveien" not in html
    assert "Annenvei" not in html  # another municipality's project


def test_project_page_shows_what_neighbours_need(world, client_en):
    later = Update.objects.create(
        project=world.project,
        title="Planlagt nyhet",
        body="Kommer.",
        published_at=timezone.now() + timedelta(days=2),
    )
    response = client_en.get(world.project.get_public_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in html and "Lindeveien" in html
    assert world.update.title in html
    assert world.draft.title not in html
    assert later.title not in html
    assert world.contact_point.function in html
    assert "99 99 99 01" in html  # phone shown in national format
    assert "112" in html  # the emergency notice
    assert 'lang="en"' in html


def test_project_page_shows_the_timeline_with_planned_phases(world, client_en):
    services.project_plan_phases(
        project=world.project, planned={"construction": timezone.localdate() + timedelta(days=60)}
    )
    html = client_en.get(world.project.get_public_url()).content.decode()
    assert "Planning" in html
    assert "Construction" in html


@pytest.mark.parametrize("visibility", ["draft"])
def test_draft_project_is_not_public(world, visibility):
    world.project.visibility = visibility
    world.project.save()
    assert Client().get(world.project.get_public_url()).status_code == 404


def test_another_municipalitys_project_is_not_found_under_this_one(world):
    assert Client().get("/prosjekter/annenvei/").status_code == 404


def test_path_prefix_selects_the_municipality(world, client_en):
    response = client_en.get("/k/annenby/prosjekter/annenvei/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Annenvei" in html
    # Links on the page stay within the municipality's prefix.
    assert 'href="/k/annenby/"' in html
    assert client_en.get("/k/annenby/prosjekter/lindeveien/").status_code == 404
    assert client_en.get("/k/finnesikke/").status_code == 404


def test_host_name_selects_the_municipality(world, settings, client_en):
    settings.ALLOWED_HOSTS = ["annenby.example", "testserver"]
    world.other_municipality.host = "annenby.example"
    world.other_municipality.save()
    html = client_en.get("/", HTTP_HOST="annenby.example").content.decode()
    assert "Annenvei" in html
    assert "Lindeveien" not in html


def test_default_municipality_setting(world, settings, client_en):
    settings.DEFAULT_MUNICIPALITY = "annenby"
    assert "Annenvei" in client_en.get("/").content.decode()


def test_language_follows_cookie_then_municipality_default(world):
    assert 'lang="nb"' in Client().get("/").content.decode()
    world.municipality.default_language = "nn"
    world.municipality.save()
    assert 'lang="nn"' in Client().get("/").content.decode()
    assert 'lang="en"' in english().get("/").content.decode()


def test_norwegian_text_on_an_english_page_says_its_language(world, client_en):
    """A screen reader reads the municipality's own words as Norwegian on an English page,
    and the page's own words as English; on a Norwegian page nothing is marked twice."""
    html = client_en.get(world.project.get_public_url()).content.decode()
    assert f'data-size="lg" lang="nb">{world.project.name}</h1>' in html
    assert f'lang="nb">{world.update.title}<' in html
    assert f'lang="nb">{world.contact_point.function}<' in html
    assert '<h2 class="ds-heading" data-size="sm" id="updates-heading">News</h2>' in html
    world.municipality.default_language = "nn"
    world.municipality.save()
    html = client_en.get(world.project.get_public_url()).content.decode()
    assert f'lang="nn">{world.update.title}<' in html
    html = Client().get(world.project.get_public_url()).content.decode()
    assert '<html lang="nn"' in html and f'lang="nn">{world.update.title}' not in html
    assert f">{world.update.title}<" in html


def test_language_switcher_sets_the_cookie(world):
    client = Client()
    response = client.post(
        reverse("set_language"), {"language": "nn", "next": world.project.get_public_url()}
    )
    assert response.status_code == 302
    assert response["Location"] == world.project.get_public_url()
    assert 'lang="nn"' in client.get(world.project.get_public_url()).content.decode()


def test_news_list_pages_through_published_updates(world, client_en):
    UpdateFactory.create_batch(25, project=world.project)
    first = client_en.get(reverse("portal:project_updates", args=[world.project.slug]))
    assert first.status_code == 200
    assert "Page 1 of 2" in first.content.decode()
    second = client_en.get(
        reverse("portal:project_updates", args=[world.project.slug]), {"side": 2}
    )
    assert "Page 2 of 2" in second.content.decode()
    # A page number out of range or not a number shows a page, never an error.
    for page in ["999", "abc", "-1"]:
        response = client_en.get(
            reverse("portal:project_updates", args=[world.project.slug]), {"side": page}
        )
        assert response.status_code == 200


def test_feeds_list_published_updates(world):
    response = Client().get(reverse("portal:project_feed", args=[world.project.slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert world.update.title in body
    assert world.draft.title not in body
    all_feed = Client().get(reverse("portal:feed")).content.decode()
    assert world.update.title in all_feed
    assert world.other_update.title not in all_feed


def test_feeds_name_their_author_and_keep_ids_whatever_the_host(world, settings):
    import xml.etree.ElementTree as ET

    settings.SITE_URL = "https://naboskap.example"
    settings.ALLOWED_HOSTS = ["testserver", "naboskap.fjordby.example"]
    atom = "{http://www.w3.org/2005/Atom}"
    url = reverse("portal:project_feed", args=[world.project.slug])
    ids = []
    for host in ("testserver", "naboskap.fjordby.example"):
        response = Client().get(url, HTTP_HOST=host)
        assert response.status_code == 200
        feed = ET.fromstring(response.content)
        assert feed.findtext(f"{atom}author/{atom}name") == world.municipality.name
        entries = feed.findall(f"{atom}entry")
        assert entries
        for entry in entries:
            assert entry.findtext(f"{atom}author/{atom}name") == world.municipality.name
        ids.append([feed.findtext(f"{atom}id"), *(e.findtext(f"{atom}id") for e in entries)])
    assert ids[0] == ids[1]
    assert (
        ids[0][0]
        == f"tag:naboskap.example,{world.project.created_at:%Y-%m-%d}:project/{world.project.pk}"
    )
    assert all(entry_id.startswith("tag:naboskap.example,") for entry_id in ids[0])


def test_time_elements_carry_valid_html_datetimes(world):
    """HTML allows at most three digits of a second in `datetime` (no microseconds)."""
    import re

    valid = re.compile(
        r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?$"
    )
    page = Client().get(world.project.get_public_url())
    assert page.status_code == 200
    values = re.findall(r'<time[^>]* datetime="([^"]*)"', page.content.decode())
    assert values
    assert [value for value in values if not valid.match(value)] == []


def test_healthz_checks_the_database(world):
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"]) == ("ok", "ok")
    # No worker has run the scheduled jobs in a fresh test database: all are late.
    assert "concern_retention" in body["jobs"]["late"]
    assert body["jobs"]["failed"] == []


def test_friendly_not_found_page(world, client_en):
    response = client_en.get("/finnes/ikke/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_expired_form_gets_a_friendly_csrf_page(world, client_en):
    client = english(enforce_csrf_checks=True)
    response = client.post(
        reverse("portal:subscribe", args=[world.project.slug]), {"email": "a@example.org"}
    )
    assert response.status_code == 403
    assert "The form expired" in response.content.decode()


class TestCache:
    """The project page's content is cached, and every change shows at once."""

    def test_edit_through_services_shows_at_once(self, world, client_en):
        url = world.project.get_public_url()
        assert "Ny beskrivelse" not in client_en.get(url).content.decode()
        services.project_edit(project=world.project, description="Ny beskrivelse av planene")
        assert "Ny beskrivelse" in client_en.get(url).content.decode()

    def test_new_update_and_phase_change_show_at_once(self, world, client_en):
        url = world.project.get_public_url()
        client_en.get(url)
        services.update_save(
            project=world.project,
            update=Update(title="Fersk nyhet", body="Tekst", published_at=timezone.now()),
            author=world.users["coordinator"],
        )
        assert "Fersk nyhet" in client_en.get(url).content.decode()
        services.project_change_phase(
            project=world.project, to_phase="construction", changed_by=None
        )
        assert "Construction" in client_en.get(url).content.decode()

    def test_contact_point_change_shows_at_once(self, world, client_en):
        url = world.project.get_public_url()
        client_en.get(url)
        world.contact_point.function = "Vakttelefon for naboer"
        services.contact_point_save(project=world.project, contact_point=world.contact_point)
        assert "Vakttelefon for naboer" in client_en.get(url).content.decode()

    def test_cache_is_used(self, world, client_en):
        url = world.project.get_public_url()
        client_en.get(url)
        # A change that bypasses the services is not seen until the project is touched.
        Update.objects.filter(pk=world.update.pk).update(title="Stille endring")
        assert "Stille endring" not in client_en.get(url).content.decode()
        services.project_touch(project=world.project)
        assert "Stille endring" in client_en.get(url).content.decode()

    def test_scheduled_update_appears_when_its_time_comes(self, world, client_en, settings):
        settings.PUBLIC_PAGE_CACHE_SECONDS = 3600
        url = world.project.get_public_url()
        soon = timezone.now() + timedelta(seconds=2)
        services.update_save(
            project=world.project,
            update=Update(title="Snart ute", body="Tekst", published_at=soon),
            author=None,
        )
        assert "Snart ute" not in client_en.get(url).content.decode()
        time.sleep(max(0.0, (soon - timezone.now()).total_seconds()) + 1.2)
        assert "Snart ute" in client_en.get(url).content.decode()


# Each public request also pays for its rate limit: with the database cache that is up to
# twelve statements (a failed add, then a read and a write with savepoints and the cache's
# cull count); with Redis, none. Constant per request, whatever the data.
RATE_LIMIT_QUERIES = 12


@pytest.mark.parametrize("count", [1, 500])
def test_public_pages_do_not_grow_queries_with_updates(
    world, count, client_en, django_assert_max_num_queries
):
    UpdateFactory.create_batch(count, project=world.project)
    url = world.project.get_public_url()
    # Cold: the cache generation, municipality, page and content cache reads, project, five
    # content queries (and the published minutes, and the published risk summaries), two cache
    # writes.
    with django_assert_max_num_queries(RATE_LIMIT_QUERIES + 18):
        assert client_en.get(url).status_code == 200
    # Warm: the cache generation and the page, from the cache (no query with Redis), and the
    # municipality (for the language).
    with django_assert_max_num_queries(RATE_LIMIT_QUERIES + 3):
        assert client_en.get(url).status_code == 200
    with django_assert_max_num_queries(RATE_LIMIT_QUERIES + 4):
        client_en.get(reverse("portal:project_updates", args=[world.project.slug]))
    with django_assert_max_num_queries(RATE_LIMIT_QUERIES + 3):
        client_en.get(reverse("portal:project_feed", args=[world.project.slug]))
    with django_assert_max_num_queries(RATE_LIMIT_QUERIES + 2):
        client_en.get(reverse("portal:feed"))


@pytest.mark.parametrize("count", [1, 50])
def test_home_does_not_grow_queries_with_projects(world, count, django_assert_max_num_queries):
    ProjectFactory.create_batch(count, municipality=world.municipality)
    with django_assert_max_num_queries(RATE_LIMIT_QUERIES + 2):
        assert Client().get("/").status_code == 200


def test_phase_history_is_append_only(world):
    before = list(PhaseChange.objects.filter(project=world.project).values_list("pk", flat=True))
    services.project_change_phase(
        project=world.project, to_phase="construction", changed_by=world.users["coordinator"]
    )
    after = PhaseChange.objects.filter(project=world.project)
    assert list(after.values_list("pk", flat=True))[: len(before)] == before
    assert after.last().from_phase == "planning"
    assert Project.objects.get(pk=world.project.pk).phase == "construction"


def test_cached_page_gives_every_visitor_a_working_form(world):
    """The whole page is cached for anonymous visitors; its forms still carry a valid token."""
    import re

    url = world.project.get_public_url()
    Client().get(url)  # fills the cache
    visitor = Client(enforce_csrf_checks=True)
    html = visitor.get(url).content.decode()
    assert "naboskap-csrf-placeholder" not in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = visitor.post(
        reverse("portal:subscribe", args=[world.project.slug]),
        {"email": "nabo@example.org", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 200


def test_municipality_changes_show_on_cached_pages(world, client_en):
    url = world.project.get_public_url()
    client_en.get(url)
    world.municipality.email = "ny-adresse@fjordby.example"
    world.municipality.save()
    assert "ny-adresse@fjordby.example" in client_en.get(url).content.decode()


def test_a_cached_page_does_not_read_the_project_tables(world, client_en):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = world.project.get_public_url()
    client_en.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client_en.get(url).status_code == 200
    assert not [q for q in queries.captured_queries if "projects_" in q["sql"]]


def test_the_suggestion_form_speaks_the_visitors_language(world):
    """Its help text is formatted per request, not once in the language of the start-up."""
    url = reverse("portal:input_suggest", args=[world.project.slug])
    texts = {}
    for language in ("nb", "nn", "en"):
        response = client_for(None, language=language).get(url)
        assert response.status_code == 200
        texts[language] = response.content.decode()
    assert "At most 2000 characters." in texts["en"]
    assert "Høgst 2000 teikn." in texts["nn"]
    assert "Høgst 2000 teikn." not in texts["nb"]
