from io import StringIO

from django.core.management import call_command

from naboskap.demo.addresses import load_addresses
from naboskap.projects.models import Project
from naboskap.stakeholders.models import Address, NeighbourEntry
from naboskap.stakeholders.selectors import neighbour_entries


def test_the_demo_has_fjordviks_addresses_and_lindeveiens_neighbour_list(db):
    call_command("load_demo", stdout=StringIO())
    lindeveien = Project.objects.get(slug="lindeveien")
    entries = list(neighbour_entries(lindeveien.neighbour_list))
    assert Address.objects.filter(municipality=lindeveien.municipality).count() == 354
    assert 50 < len(entries) < 200
    assert str(entries[0].address) == "Lindeveien 14"
    assert all(entry.distance_m <= 200 for entry in entries)
    # Loading the addresses again changes nothing.
    from django.contrib.auth import get_user_model

    users = {u.username: u for u in get_user_model().objects.all()}
    load_addresses({"lindeveien": lindeveien}, users)
    assert Address.objects.count() == 354
    assert NeighbourEntry.objects.count() == len(entries)
