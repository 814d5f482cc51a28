"""A project's neighbour list: computing it, editing it by hand, exporting it, and who may."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from naboskap.conftest import english
from naboskap.maps import coordinates
from naboskap.stakeholders import services
from naboskap.stakeholders.models import NeighbourEntry, NeighbourList
from naboskap.stakeholders.selectors import neighbour_entries
from naboskap.stakeholders.tests.factories import make_address, make_addresses_around

LAT, LON = 69.65, 18.95


@pytest.fixture
def site(world):
    world.project.latitude, world.project.longitude = Decimal("69.650000"), Decimal("18.950000")
    world.project.save()
    return world.project


def at(world, metres, bearing=90.0, **fields):
    lat, lon = coordinates.offset(LAT, LON, bearing, metres)
    return make_address(world.municipality, lat, lon, **fields)


def url(name, project, *args):
    return reverse(f"stakeholders:{name}", args=[project.pk, *args])


def listed(project):
    neighbour_list = NeighbourList.objects.get(project=project)
    return [entry.address for entry in neighbour_entries(neighbour_list)]


def test_addresses_at_199_m_are_in_and_at_201_m_out(world, site):
    inside = [at(world, 199, bearing, number=n) for n, bearing in enumerate((0, 90, 180, 270))]
    outside = [at(world, 201, bearing, number=10 + n) for n, bearing in enumerate((0, 135))]
    services.neighbour_list_compute(project=site, radius_m=200)
    assert set(listed(site)) == set(inside)
    assert not set(listed(site)) & set(outside)


def test_only_the_projects_municipality_is_searched(world, site):
    make_address(world.other_municipality, LAT, LON)
    services.neighbour_list_compute(project=site, radius_m=200)
    assert listed(site) == []


def test_the_page_lists_addresses_nearest_first_with_distance(world, site):
    far = at(world, 150, street="Bjørkeveien", number=3)
    near = at(world, 20, street="Lindeveien", number=14, letter="B")
    client = english(world.users["coordinator"])
    response = client.post(url("neighbour_compute", site), {"radius_m": "200"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "The neighbour list has 2 addresses within 200 m." in page
    assert page.index(str(near)) < page.index(str(far))
    assert "20 m" in page and "150 m" in page


@pytest.mark.parametrize(
    ("radius", "message"),
    [
        ("0", "The radius must be at least 10 metres."),
        ("50000", "The radius can be at most 2000 metres (2 km)."),
        ("-5", "The radius must be at least 10 metres."),
        ("50 km", "Enter the radius in whole metres, for example 200."),
        ("", "This field is required."),
    ],
)
def test_bad_radius_is_refused_clearly_and_nothing_is_computed(world, site, radius, message):
    at(world, 20)
    client = english(world.users["coordinator"])
    response = client.post(url("neighbour_compute", site), {"radius_m": radius})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert f'value="{radius}"' in page or radius == ""  # what was typed is kept
    assert not NeighbourList.objects.exists()


def test_the_service_refuses_a_radius_outside_the_range(world, site):
    from django.core.exceptions import ValidationError

    for radius in (0, 50_000):
        with pytest.raises(ValidationError, match="between 10 and"):
            services.neighbour_list_compute(project=site, radius_m=radius)


def test_a_project_without_coordinates_says_how_to_fix_it(world):
    at(world, 20)
    client = english(world.users["coordinator"])
    page = client.get(url("neighbour_list", world.project)).content.decode()
    assert "The project has no coordinates. Set its latitude and longitude" in page
    response = client.post(url("neighbour_compute", world.project), {"radius_m": "200"})
    assert response.status_code == 400
    assert "Set its latitude and longitude on the project" in response.content.decode()
    assert not NeighbourList.objects.exists()


def test_hand_edits_survive_a_recomputation(world, site):
    kept = at(world, 50, number=1)
    removed = at(world, 60, number=2)
    far = at(world, 900, number=3)
    client = english(world.users["coordinator"])
    client.post(url("neighbour_compute", site), {"radius_m": "200"})
    entry = NeighbourEntry.objects.get(address=removed)
    assert client.post(url("neighbour_remove", site, entry.pk)).status_code == 302
    assert client.post(url("neighbour_add", site), {"address": far.pk}).status_code == 302
    page = client.get(url("neighbour_list", site)).content.decode()
    assert "Removed by hand" in page and "Added by hand" in page

    client.post(url("neighbour_compute", site), {"radius_m": "300"})
    assert listed(site) == [kept, far]
    assert NeighbourEntry.objects.get(address=removed).removed
    assert NeighbourEntry.objects.get(address=far).distance_m == pytest.approx(900)

    # Back: restore the removed one; removing the hand-added one deletes it.
    client.post(url("neighbour_restore", site, NeighbourEntry.objects.get(address=removed).pk))
    client.post(url("neighbour_remove", site, NeighbourEntry.objects.get(address=far).pk))
    assert listed(site) == [kept, removed]


def test_an_address_that_leaves_the_radius_leaves_the_list(world, site):
    at(world, 150)
    services.neighbour_list_compute(project=site, radius_m=200)
    services.neighbour_list_compute(project=site, radius_m=100)
    assert listed(site) == []


def test_search_finds_an_address_by_street_and_number(world, site):
    services.neighbour_list_compute(project=site, radius_m=200)
    at(world, 1500, street="Fjordgata", number=12, letter="A")
    at(world, 1600, street="Fjordgata", number=13)
    client = english(world.users["coordinator"])
    page = client.get(url("neighbour_list", site), {"q": "fjordgata 12a"}).content.decode()
    assert "Fjordgata 12A, 9999 FJORDBY" in page and "Fjordgata 13" not in page
    page = client.get(url("neighbour_list", site), {"q": "Ingenvei 1"}).content.decode()
    assert "No address in the register matches" in page


def test_adding_an_address_of_another_municipality_is_refused(world, site):
    services.neighbour_list_compute(project=site, radius_m=200)
    foreign = make_address(world.other_municipality, LAT, LON)
    client = english(world.users["coordinator"])
    response = client.post(url("neighbour_add", site), {"address": foreign.pk})
    assert response.status_code == 400
    assert "That address is not in the municipality&#x27;s register." in response.content.decode()
    assert listed(site) == []


def test_csv_export_for_excel(world, site):
    at(world, 40, street="Bjørkeveien", number=7, letter="A", external_id="k-7")
    removed = at(world, 10, number=9)
    neighbour_list = services.neighbour_list_compute(project=site, radius_m=200)
    services.neighbour_entry_remove(entry=neighbour_list.entries.get(address=removed))
    response = english(world.users["politician"]).get(url("neighbour_export", site))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="naboliste-lindeveien.csv"' in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines == [
        "Adresse;Gatenavn;Husnummer;Bokstav;Postnummer;Poststed;Avstand (m);"
        "Lagt til manuelt;Adresse-ID",
        "Bjørkeveien 7A;Bjørkeveien;7;A;9999;FJORDBY;40;nei;k-7",
    ]


def test_csv_export_defuses_addresses_that_look_like_formulas(world, site):
    at(world, 40, street='=HYPERLINK("http://x")', number=3, post_town="+47 FJORDBY")
    services.neighbour_list_compute(project=site, radius_m=200)
    response = english(world.users["coordinator"]).get(url("neighbour_export", site))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Adresse"
    address = dict(zip(rows[0], rows[1], strict=True))
    assert address["Gatenavn"] == '\'=HYPERLINK("http://x")'
    assert address["Adresse"] == '\'=HYPERLINK("http://x") 3'
    assert address["Poststed"] == "'+47 FJORDBY"
    assert address["Husnummer"] == "3" and address["Avstand (m)"] == "40"


def test_readers_see_the_list_without_edit_buttons(world, site):
    at(world, 40)
    services.neighbour_list_compute(project=site, radius_m=200)
    page = english(world.users["facility_staff"]).get(url("neighbour_list", site))
    content = page.content.decode()
    assert page.status_code == 200 and "Testveien 1" in content
    assert "Compute the neighbour list" not in content and "Compute again" not in content
    assert ">Remove<" not in content and "Search the register" not in content


def test_the_page_makes_the_same_few_queries_for_10_or_500_addresses(
    world, site, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = english(world.users["coordinator"])
    client.get(url("neighbour_list", site))  # the first request of a session does one more
    counts, made = [], 0
    for size in (10, 500):
        make_addresses_around(world.municipality, LAT, LON, size - made)
        made = size
        neighbour_list = services.neighbour_list_compute(project=site, radius_m=200)
        for entry in neighbour_list.entries.filter(removed=False).order_by("pk")[:3]:
            services.neighbour_entry_remove(entry=entry)
        with django_assert_max_num_queries(13), CaptureQueriesContext(connection) as queries:
            response = client.get(url("neighbour_list", site), {"q": "Spiralveien"})
        assert response.status_code == 200
        assert response.content.decode().count("Spiralveien") >= min(size - 6, 50)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_register_page_is_the_municipality_administrators(world, persona_clients):
    assert persona_clients["admin"].get(reverse("stakeholders:addresses")).status_code == 200
    assert persona_clients["coordinator"].get(reverse("stakeholders:addresses")).status_code == 403
