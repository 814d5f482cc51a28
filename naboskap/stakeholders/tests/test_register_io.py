"""The register as CSV and XLSX: export (with formulas defused), import with a row-by-row
report, check-only runs, re-imports that update instead of duplicating, and bad files."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from naboskap.conftest import english
from naboskap.stakeholders.models import Organisation, Person
from naboskap.stakeholders.register import services

ORG_HEADER = "navn;type;e-post;telefon;adresse;nettside;stikkord;prosjekter;notater"
PERSON_HEADER = "navn;type;e-post;organisasjon;rettsgrunnlag;samtykke dato;kanaler;prosjekter"


def upload(client, text, *, kind="organisations", dry_run=False, name="register.csv", **extra):
    data = text.encode(extra.pop("encoding_bytes", "utf-8")) if isinstance(text, str) else text
    values = {
        "kind": kind,
        "file": SimpleUploadedFile(name, data),
        "encoding": extra.pop("encoding", "utf-8"),
    }
    if dry_run:
        values["dry_run"] = "on"
    return client.post(reverse("stakeholders:register_import"), values)


@pytest.fixture
def coordinator(world):
    return english(world.users["coordinator"])


def organisations_csv(world):
    return "\n".join(
        [
            ORG_HEADER,
            f"Lindeveien vel;residents;vel@example.org;;;;nærmiljø, skolevei;{world.project.slug};",
            "Fjordby FAU;school;;;;;;;Foreldre",
            "Uten type;klubb;;;;;;;",
            "Lindeveien vel;residents;;;;;;;",
            ";business;;;;;;;",
            "Feil prosjekt;business;;;;;;finnes-ikke;",
        ]
    )


def test_import_saves_the_good_rows_and_reports_each_bad_one(world, coordinator):
    response = upload(coordinator, organisations_csv(world))
    assert response.status_code == 200
    body = response.content.decode()
    assert "6 rows read: 2 new, 0 updated, 0 unchanged, 4 with errors" in body
    assert "Unknown value &#x27;klubb&#x27;" in body  # line 4, column type
    assert "The same organisation is on line 2" in body
    assert "The name is missing." in body
    assert "finnes-ikke" in body
    vel = Organisation.objects.get(name="Lindeveien vel")
    assert {t.name for t in vel.tags.all()} == {"nærmiljø", "skolevei"}
    assert list(vel.projects.all()) == [world.project]
    assert Organisation.objects.count() == 2


def test_a_reimport_updates_instead_of_adding(world, coordinator):
    upload(coordinator, organisations_csv(world))
    again = upload(coordinator, organisations_csv(world))
    assert "0 new, 0 updated, 2 unchanged" in again.content.decode()
    changed = organisations_csv(world).replace("Foreldre", "FAU-leder er ny")
    response = upload(coordinator, changed)
    assert "0 new, 1 updated, 1 unchanged" in response.content.decode()
    assert Organisation.objects.get(name="Fjordby FAU").notes == "FAU-leder er ny"
    assert Organisation.objects.count() == 2


def test_a_check_saves_nothing(world, coordinator):
    response = upload(coordinator, organisations_csv(world), dry_run=True)
    assert response.status_code == 200
    assert "Check (nothing was saved)" in response.content.decode()
    assert "2 new" in response.content.decode()
    assert not Organisation.objects.exists()


def test_persons_are_matched_by_email_or_by_name_and_organisation(world, coordinator):
    services.organisation_create(municipality=world.municipality, name="Lindeveien vel")
    text = "\n".join(
        [
            PERSON_HEADER,
            f"Kari Nordmann;representative;KARI@example.org;Lindeveien vel;consent;2026-03-01;"
            f"email, sms;{world.project.slug}",
            "Ola Nabo;neighbour;;Lindeveien vel;;;;",
            "Per Samtykke;neighbour;;;consent;;;",
            "Lise Dato;neighbour;;;consent;1. mars;;",
            "Ukjent Org;neighbour;;Finnes ikke;;;;",
            "Kari N.;neighbour;kari@example.org;;;;;",
        ]
    )
    response = upload(coordinator, text, kind="persons")
    body = response.content.decode()
    assert "6 rows read: 2 new" in body
    assert "Give the date of the consent" in body
    assert "YYYY-MM-DD" in body
    assert "No organisation in the register is called Finnes ikke." in body
    assert "The same person is on line 2" in body
    kari = Person.objects.get(email="KARI@example.org")
    assert kari.preferred_channels == ["email", "sms"]
    assert kari.organisation.name == "Lindeveien vel"
    again = upload(coordinator, text, kind="persons")
    assert "0 new, 0 updated, 2 unchanged" in again.content.decode()
    assert Person.objects.count() == 2


def test_a_file_in_another_encoding_saves_nothing_and_says_so(world, coordinator):
    text = organisations_csv(world).replace("Fjordby FAU", "Fjordby FAU Ås")
    response = upload(coordinator, text.encode("cp1252"))
    assert response.status_code == 400
    assert "not in the encoding utf-8" in response.content.decode()
    assert not Organisation.objects.exists()
    response = upload(coordinator, text.encode("cp1252"), encoding="cp1252")
    assert response.status_code == 200
    assert Organisation.objects.filter(name="Fjordby FAU Ås").exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        ("navn;e-post\nVel;vel@example.org", "a.csv", "lacks the column(s) type"),
        ("", "a.csv", "The submitted file is empty."),
        ("\n\n", "a.csv", "The file is empty."),
        (b"PK\x03\x04broken", "a.xlsx", "not an XLSX workbook"),
        ("navn;type", "a.pdf", "Upload a .csv or .xlsx file."),
    ],
)
def test_bad_files_are_refused_whole(world, coordinator, content, name, message):
    response = upload(coordinator, content, name=name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Organisation.objects.exists()


def test_xlsx_round_trip_with_formulas_defused(world, coordinator):
    services.organisation_create(
        municipality=world.municipality,
        name='=HYPERLINK("http://x")',
        kind="media",
        tags=["presse"],
    )
    response = coordinator.get(
        reverse("stakeholders:register_export", args=["organisasjoner", "xlsx"])
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:2] == ["navn", "type"]
    cell = sheet["A2"]
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"
    csv_response = coordinator.get(
        reverse("stakeholders:register_export", args=["organisasjoner", "csv"])
    )
    assert "'=HYPERLINK" in csv_response.content.decode("utf-8-sig")
    again = upload(coordinator, csv_response.content)
    assert "1 row read: 0 new, 0 updated, 1 unchanged" in again.content.decode()

    # Back in, as a spreadsheet program saves it: the formula-like name stays a name.
    workbook = load_workbook(io.BytesIO(response.content))
    workbook.active.append(["Nytt lag", "voluntary"])
    out = io.BytesIO()
    workbook.save(out)
    result = upload(coordinator, out.getvalue(), name="register.xlsx")
    assert "2 rows read: 1 new, 0 updated, 1 unchanged" in result.content.decode()


def test_persons_export_has_only_the_persons_the_user_sees(world):
    services.person_create(
        municipality=world.municipality, name="Kari Nabo", projects=[world.project]
    )
    services.person_create(municipality=world.municipality, name="Uten Prosjekt")
    facility = english(world.users["facility_staff"])
    text = facility.get(reverse("stakeholders:register_export", args=["personer", "csv"]))
    body = text.content.decode("utf-8-sig")
    assert "Kari Nabo" in body and "Uten Prosjekt" not in body
    politician = english(world.users["politician"])
    assert (
        politician.get(
            reverse("stakeholders:register_export", args=["personer", "csv"])
        ).status_code
        == 403
    )
    coordinator = english(world.users["coordinator"])
    assert (
        coordinator.get(reverse("stakeholders:register_export", args=["x", "csv"])).status_code
        == 404
    )


@pytest.mark.parametrize("count", [1, 30])
def test_the_export_has_a_fixed_number_of_queries(
    world, coordinator, django_assert_max_num_queries, count
):
    for index in range(count):
        services.person_create(
            municipality=world.municipality,
            name=f"Person {index}",
            tags=["nabo"],
            projects=[world.project],
        )
    with django_assert_max_num_queries(14):
        response = coordinator.get(
            reverse("stakeholders:register_export", args=["personer", "xlsx"])
        )
        assert response.status_code == 200


def test_a_politician_sees_the_export_links_but_cannot_import(world):
    politician = english(world.users["politician"])
    page = politician.get(reverse("stakeholders:register_import"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "organisasjoner.csv" in body and 'enctype="multipart/form-data"' not in body
    assert upload(politician, "navn;type\nVel;residents").status_code == 403
    assert not Organisation.objects.exists()
