"""The address register page: counts, uploading a file, and the last import's report."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from naboskap.conftest import english
from naboskap.stakeholders.models import Address, AddressImport
from naboskap.stakeholders.tests.factories import HEADER, row

URL = reverse("stakeholders:addresses")


def upload(content: bytes, name="adresser.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


def post(world, content: bytes, **data):
    client = english(world.users["admin"])
    response = client.post(URL, {"file": upload(content), "encoding": "utf-8", **data})
    return client, response


def test_uploading_a_file_imports_it_and_shows_the_report(world):
    content = "\n".join([HEADER, row("a-1", "14"), row("a-2", "x"), row("a-3", "16")]).encode()
    client, response = post(world, content)
    assert response.status_code == 302
    page = client.get(URL).content.decode()
    assert "The file was read. See the report below." in page
    assert "Fjordby kommune has 2 addresses in the register." in page
    assert "adresser.csv" in page and "Imported" in page
    assert (
        "<td>3</td><td>the house number (nummer) &#x27;x&#x27; is not a whole number</td>" in page
    )
    record = AddressImport.objects.get()
    assert (record.via, record.started_by, record.created) == ("upload", world.users["admin"], 2)


def test_a_file_in_another_encoding_is_refused_and_nothing_saved(world):
    content = "\n".join([HEADER, row("a-1", street="Bjørkeveien")]).encode("cp1252")
    client, response = post(world, content)
    page = client.get(response["Location"]).content.decode()
    assert "The file is not in the encoding utf-8 (line 1 cannot be read)." in page
    assert "Failed (nothing saved)" in page
    assert not Address.objects.exists()
    _client, response = post(world, content, encoding="cp1252")
    assert Address.objects.get().street == "Bjørkeveien"


def test_missing_columns_are_named_on_the_page(world):
    client, response = post(world, b"lokalId;kommunenummer\n1;9911\n")
    page = client.get(response["Location"]).content.decode()
    assert "The file lacks these columns: adressenavn, nummer, postnummer, poststed" in page
    assert not Address.objects.exists()


def test_a_dry_run_saves_nothing(world):
    client, response = post(world, "\n".join([HEADER, row("a-1")]).encode(), dry_run="on")
    page = client.get(response["Location"]).content.decode()
    assert "Checked (nothing saved)" in page
    assert not Address.objects.exists()


def test_no_file_is_a_400_with_the_form_again(world):
    response = english(world.users["admin"]).post(URL, {"encoding": "latin-9"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Address file (CSV): This field is required." in page
    assert "Select a valid choice." in page


def test_the_menu_links_the_register_for_administrators_only(world):
    link = f'href="{URL}"'
    assert (
        link in english(world.users["admin"]).get(reverse("projects:my_projects")).content.decode()
    )
    page = english(world.users["coordinator"]).get(reverse("projects:my_projects"))
    assert link not in page.content.decode()


def test_a_large_upload_kept_in_a_temporary_file_is_imported(world, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # as a file over 2.5 MB would be
    content = "\n".join([HEADER, *(row(f"a-{n}", str(n)) for n in range(1, 3001))]).encode()
    _client, response = post(world, content)
    assert response.status_code == 302
    assert Address.objects.count() == 3000


def test_a_file_over_the_upload_limit_is_sent_to_the_command(world, monkeypatch):
    from naboskap.stakeholders.addresses import forms

    monkeypatch.setattr(forms, "UPLOAD_MAX_BYTES", 10)
    _client, response = post(world, "\n".join([HEADER, row("a-1")]).encode())
    assert response.status_code == 400
    assert "manage.py import_addresses" in response.content.decode()
    assert not Address.objects.exists()
