"""Staff search (issue 18), through HTTP for each persona: what each one finds, that every
hit opens, that another municipality never shows, and that the queries do not grow with the
hits. Runs on SQLite (icontains) and on PostgreSQL (full-text search)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from naboskap.concerns.models import Concern
from naboskap.conftest import client_for, make_staff
from naboskap.meetings.tests.factories import make_meeting
from naboskap.search import selectors
from naboskap.stakeholders.models import Organisation, Person
from naboskap.tenancy.models import Role, Unit
from naboskap.testing.factories import MeasureFactory, ProjectFactory, make_concern

URL = "/app/sok/"
HIT = re.compile(r'<a class="ds-link" href="(/app/[^"]+)" data-hit>([^<]+)</a>')


def test_url_name():
    assert reverse("search:search") == URL


def search(client, text: str):
    response = client.get(URL, {"q": text})
    assert response.status_code == 200
    return response


def hits(response) -> dict[str, list[str]]:
    """Titles found, per kind (the `data-search-group` sections)."""
    html = response.content.decode()
    found = {key: [] for key in re.findall(r'data-search-empty-group="(\w+)"', html)}
    for part in html.split('data-search-group="')[1:]:
        key = part.split('"', 1)[0]
        found[key] = [title for _url, title in HIT.findall(part.split("</section>", 1)[0])]
    return found


def links(response) -> list[str]:
    html = response.content.decode()
    return [url for part in html.split('data-search-group="')[1:] for url, _t in HIT.findall(part)]


def health_unit(world):
    return Unit.objects.get(municipality=world.municipality, name="Helse og sosial")


@pytest.fixture
def data(world):
    """In Fjordby: the world's project (Lindeveien) and a second project (Bjørkeveien), each
    with a concern about broken windows, a measure, a meeting; a person linked to Lindeveien
    and an organisation. In Annenby (the outsider's): the same words."""
    second = ProjectFactory(
        municipality=world.municipality,
        name="Bjørkeveien vindusprosjekt",
        slug="bjorkeveien",
        responsible_unit=health_unit(world),
    )
    concerns = {
        "lindeveien": make_concern(world.project, description="Knuste vinduer i oppgangen."),
        "bjorkeveien": make_concern(second, description="Knuste vinduer ved sykkelstativet."),
        "annenby": make_concern(world.other_project, description="Knuste vinduer i Annenby."),
    }
    # Lindeveien's goes to the property unit; Bjørkeveien's to the case handler's unit.
    Concern.objects.filter(pk=concerns["lindeveien"].pk).update(
        assigned_unit=world.project.responsible_unit
    )
    Concern.objects.filter(pk=concerns["bjorkeveien"].pk).update(assigned_unit=health_unit(world))
    for project in (world.project, second, world.other_project):
        MeasureFactory(
            project=project,
            title=f"Bytte vinduer {project.name}",
            owner_unit=Unit.objects.filter(municipality=project.municipality).first()
            or Unit.objects.create(municipality=project.municipality, name="Enhet"),
        )
        make_meeting(project, title=f"Dialogmøte om vinduer {project.name}")
    person = Person.objects.create(
        municipality=world.municipality, name="Vera Vindusvask", email="vera@example.org"
    )
    person.projects.add(world.project)
    Person.objects.create(municipality=world.other_municipality, name="Vidar Vindu")
    Organisation.objects.create(municipality=world.municipality, name="Vindusvelforeningen")
    Organisation.objects.create(municipality=world.other_municipality, name="Vindu Annenby")
    return {"second": second, "concerns": concerns, "person": person}


def test_empty_and_too_long_queries_get_a_message(world, persona_clients):
    client = persona_clients["coordinator"]
    page = client.get(URL)
    assert page.status_code == 200
    assert b"data-search-error" not in page.content
    for text in ("", "   ", "x" * (selectors.MAX_LENGTH + 1)):
        response = client_for(world.users["coordinator"], language="en").get(URL, {"q": text})
        assert response.status_code == 200
        assert b"data-search-error" in response.content
        assert b"data-search-group" not in response.content
        assert b"data-search-empty" not in response.content
    response = client_for(world.users["coordinator"], language="en").get(URL, {"q": ""})
    assert "Type what you are looking for." in response.content.decode()
    response = client_for(world.users["coordinator"], language="nb").get(URL, {"q": "x" * 201})
    assert "200 tegn" in response.content.decode()


def test_odd_input_never_fails(world, data, persona_clients):
    client = persona_clients["coordinator"]
    for text in ("&|!:*()'\"", "vinduer:*", "<script>", "og", "2026-", "--", "ÆØÅ æøå", "\x00a"):
        response = client.get(URL, {"q": text})
        assert response.status_code == 200, text


def test_coordinator_finds_every_kind(world, data, persona_clients):
    found = hits(search(persona_clients["coordinator"], "vinduer"))
    assert set(found) == {
        "projects",
        "concerns",
        "measures",
        "meetings",
        "persons",
        "organisations",
    }
    references = {c.reference for key, c in data["concerns"].items() if key != "annenby"}
    assert set(found["concerns"]) == references
    assert len(found["measures"]) == 2 and len(found["meetings"]) == 2
    found = hits(search(persona_clients["coordinator"], "vindus"))
    assert found["projects"] == ["Bjørkeveien vindusprosjekt"]
    assert found["persons"] == ["Vera Vindusvask"]
    assert found["organisations"] == ["Vindusvelforeningen"]


def test_case_does_not_matter_beyond_ascii(world, persona_clients):
    """Æ, Ø, Å (and other non-ASCII letters) match whatever their case, on SQLite as well,
    whose LIKE folds only A–Z."""
    concern = make_concern(world.project, description="Ærlig talt: søppel i Østre oppgang.")
    Person.objects.create(municipality=world.municipality, name="Øystein Ås")
    Organisation.objects.create(municipality=world.municipality, name="ÅPEN GÅRD")
    client = persona_clients["coordinator"]
    for text in ("ærlig", "ÆRLIG", "Ærlig østre"):
        assert hits(search(client, text))["concerns"] == [concern.reference], text
    for text in ("øystein", "ØYSTEIN ÅS", "ås"):
        assert hits(search(client, text))["persons"] == ["Øystein Ås"], text
    assert hits(search(client, "åpen gård"))["organisations"] == ["ÅPEN GÅRD"]
    assert hits(search(client, "Grüße"))["concerns"] == []


def test_a_concern_by_its_reference(world, data, persona_clients):
    concern = data["concerns"]["lindeveien"]
    for text in (concern.reference, concern.reference.split("-")[1]):
        found = hits(search(persona_clients["coordinator"], text))
        assert found["concerns"] == [concern.reference], text


def test_case_handler_finds_only_their_units_concerns(world, data, persona_clients):
    found = hits(search(persona_clients["case_handler"], "vinduer"))
    assert found["concerns"] == [data["concerns"]["bjorkeveien"].reference]
    lindeveien = data["concerns"]["lindeveien"].reference
    assert hits(search(persona_clients["case_handler"], lindeveien))["concerns"] == []
    assert "persons" not in found  # persons are the project teams'


def test_project_scoped_staff_do_not_find_another_projects_concerns(world, data):
    """Facility staff of Lindeveien, and a case handler of a unit narrowed to Lindeveien."""
    client = client_for(world.users["facility_staff"])
    found = hits(search(client, "vinduer"))
    assert found["concerns"] == [data["concerns"]["lindeveien"].reference]
    assert found["projects"] == []  # Bjørkeveien is not theirs, Lindeveien has no such word
    assert all("Bjørkeveien" not in title for title in found["measures"] + found["meetings"])
    assert hits(search(client, data["concerns"]["bjorkeveien"].reference))["concerns"] == []


def test_politician_and_police_do_not_find_concerns(world, data, persona_clients):
    for persona in ("politician", "police"):
        client = persona_clients[persona]
        found = hits(search(client, "vinduer"))
        assert "concerns" not in found, persona
        assert "persons" not in found, persona
        assert len(found["measures"]) == 2 and len(found["meetings"]) == 2
        assert hits(search(client, "vindus"))["organisations"] == ["Vindusvelforeningen"]
        concern = data["concerns"]["lindeveien"]
        assert concern.get_absolute_url() not in links(search(client, concern.reference))
        assert "/app/meldinger/" not in "".join(links(search(client, "knuste")))


def test_another_municipality_never_shows(world, data, persona_clients):
    for persona in ("admin", "coordinator", "case_handler", "police", "politician"):
        text = search(persona_clients[persona], "vindu").content.decode()
        assert "Annenby" not in text and "Annenvei" not in text and "Vidar" not in text
        # References are per municipality (both have 2026-000001): compare the pages.
        annenby = data["concerns"]["annenby"].get_absolute_url()
        assert annenby not in links(search(persona_clients[persona], "vinduer"))
    found = hits(search(persona_clients["outsider"], "vindu"))
    assert found["organisations"] == ["Vindu Annenby"]
    assert found["persons"] == ["Vidar Vindu"]
    assert found["concerns"] == [data["concerns"]["annenby"].reference]
    assert all(
        "Bjørkeveien" not in t and "Lindeveien" not in t for ts in found.values() for t in ts
    )


@pytest.mark.parametrize(
    "persona",
    ["admin", "coordinator", "case_handler", "facility_staff", "police", "politician", "outsider"],
)
def test_every_hit_opens(world, data, persona_clients, persona):
    client = persona_clients[persona]
    urls = links(search(client, "vindu")) + links(search(client, "vinduer"))
    assert urls
    for url in set(urls):
        assert client.get(url).status_code == 200, (persona, url)


def test_caretaker_finds_their_project_only(world, data):
    caretaker = make_staff(world.municipality, Role.CARETAKER, project=world.project)
    found = hits(search(client_for(caretaker), "vinduer"))
    assert "concerns" not in found and "persons" not in found
    assert found["measures"] == [f"Bytte vinduer {world.project.name}"]
    assert found["meetings"] == [f"Dialogmøte om vinduer {world.project.name}"]


def test_many_hits_are_limited_and_counted(world, persona_clients):
    for number in range(selectors.PER_KIND + 3):
        make_concern(world.project, description=f"Søppel på plenen nummer {number}.")
    response = search(persona_clients["coordinator"], "søppel")
    assert len(hits(response)["concerns"]) == selectors.PER_KIND
    html = response.content.decode()
    assert re.search(r"data-search-count>\s*13\s*<", html)
    assert "data-more" in html


def test_queries_do_not_grow_with_the_hits(
    world, data, persona_clients, django_assert_max_num_queries
):
    client = persona_clients["coordinator"]
    search(client, "vinduer")  # warm (sessions, caches)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            search(client, "vinduer")
        return len(queries)

    few = count()
    for number in range(25):
        project = ProjectFactory(municipality=world.municipality, name=f"Vinduer {number}")
        make_concern(project, description=f"Knuste vinduer nummer {number}.")
        MeasureFactory(project=project, title=f"Nye vinduer {number}")
        make_meeting(project, title=f"Møte om vinduer {number}")
        person = Person.objects.create(municipality=world.municipality, name=f"Vindu {number}")
        person.projects.add(project)
        Organisation.objects.create(municipality=world.municipality, name=f"Vinduer {number}")
    assert count() == few
    with django_assert_max_num_queries(14):
        search(client, "vinduer")


def test_anonymous_goes_to_the_login(world, persona_clients):
    response = persona_clients["anonymous"].get(URL, {"q": "vinduer"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_full_text_matches_are_counted_up_to_a_cap(world, persona_clients, monkeypatch):
    """On PostgreSQL at most CAP matches of a long text are counted: "at least"."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite counts every match")
    monkeypatch.setattr(selectors, "CAP", 5)
    concerns = [make_concern(world.project, description=f"Søppel nummer {n}.") for n in range(8)]
    response = client_for(world.users["coordinator"], language="en").get(URL, {"q": "søppel"})
    html = response.content.decode()
    assert re.search(r"data-search-count>\s*5\+\s*<", html)
    assert "At least 0" not in html and "At least" not in html  # 5 shown of 5 counted
    monkeypatch.setattr(selectors, "PER_KIND", 3)
    html = client_for(world.users["coordinator"], language="en").get(URL, {"q": "søppel"})
    html = html.content.decode()
    assert "At least 2 more hits not shown." in html
    # The newest first.
    assert links(client_for(world.users["coordinator"]).get(URL, {"q": "søppel"}))[:1] == [
        concerns[-1].get_absolute_url()
    ]
