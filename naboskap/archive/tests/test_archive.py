"""Journalling into the archive (issue 24, ADR 0033): what becomes a registration and when,
the arkivmelding each package carries, the folder transport, receipts, failures and resends,
the one-off export, and the archivist's pages."""

from __future__ import annotations

import datetime
import io
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from naboskap.archive import arkivmelding, delivery, packages, receipts, services, transports
from naboskap.archive.models import Registration
from naboskap.archive.tests.test_pdfs import assert_pdfa
from naboskap.concerns import services as concern_services
from naboskap.conftest import english
from naboskap.stakeholders.tests import test_letters
from naboskap.testing.factories import make_concern, make_photo

# The letter tests' fixtures: a project with a neighbour list, a meeting and a letter template.
listed, meeting, template = test_letters.listed, test_letters.meeting, test_letters.template

NS = {"a": arkivmelding.NS, "m": arkivmelding.MDK, "x": arkivmelding.XSI}
Kind = Registration.Kind
Status = Registration.Status


@pytest.fixture
def archive(world, settings, tmp_path):
    settings.ARCHIVE_FOLDER = tmp_path / "archive-out"
    settings.ARCHIVE_RECEIPTS_FOLDER = tmp_path / "archive-receipts"
    return services.settings_update(municipality=world.municipality, enabled=True)


def out_folder(settings, municipality) -> Path:
    return Path(settings.ARCHIVE_FOLDER) / municipality.slug


def close(concern, by, *, answer="Vi har snakket med beboerne, og det skal bli roligere."):
    concern_services.concern_transition(concern=concern, to_status="in_progress", by=by)
    concern_services.concern_transition(concern=concern, to_status="answered", by=by, answer=answer)
    return concern_services.concern_transition(concern=concern, to_status="closed", by=by)


def read_package(path: Path) -> tuple[ET.Element, dict[str, bytes], list[str]]:
    with zipfile.ZipFile(path) as package:
        names = package.namelist()
        files = {name: package.read(name) for name in names}
    return ET.fromstring(files.pop(transports.XML_NAME)), files, names


def code(element: ET.Element, path: str) -> str:
    return element.find(f"{path}/m:kode", NS).text


def text(element: ET.Element, path: str) -> str:
    return element.find(path, NS).text


def send_all() -> int:
    return delivery.send_due()


# What becomes a registration, and when --------------------------------------------------------


def test_an_open_concern_is_never_archived_and_a_closed_one_is(world, archive):
    handler = world.users["case_handler"]
    concern = make_concern(world.project, reporter_name="Kari Nabo")
    concern_services.concern_transition(concern=concern, to_status="in_progress", by=handler)
    assert not Registration.objects.exists()

    concern_services.concern_transition(
        concern=concern, to_status="answered", by=handler, answer="Vi følger opp."
    )
    assert not Registration.objects.exists(), "answered is not closed"
    concern_services.concern_transition(concern=concern, to_status="closed", by=handler)

    kinds = sorted(Registration.objects.values_list("kind", flat=True))
    assert kinds == sorted([Kind.FOLDER, Kind.CONCERN, Kind.ANSWER])
    record = Registration.objects.get(kind=Kind.CONCERN)
    assert record.title == f"Bekymringsmelding {concern.reference} – Lindeveien – Støy"
    assert record.external_key == f"concern:{concern.pk}"
    assert record.folder.kind == Kind.FOLDER
    assert record.folder.title == f"Bekymringsmeldinger {concern.created_at.year} – Lindeveien"
    assert record.status == Status.WAITING


def test_nothing_is_made_while_the_archive_is_off_or_for_a_kind_it_does_not_take(world, archive):
    services.settings_update(municipality=world.municipality, enabled=False)
    close(make_concern(world.project), world.users["case_handler"])
    assert not Registration.objects.exists()
    services.settings_update(municipality=world.municipality, enabled=True, archive_concerns=False)
    close(make_concern(world.project), world.users["case_handler"])
    assert not Registration.objects.exists()


def test_closing_again_adds_only_what_is_new_and_notes_only_when_configured(world, archive):
    handler = world.users["case_handler"]
    concern = close(make_concern(world.project), handler)
    concern_services.message_send(concern=concern, body="Internt: sjekk igjen", author=None)
    concern.messages.filter(body="Internt: sjekk igjen").update(kind="internal")
    assert Registration.objects.count() == 3
    concern_services.concern_transition(concern=concern, to_status="in_progress", by=handler)
    concern_services.concern_transition(
        concern=concern, to_status="answered", by=handler, answer="Nytt svar"
    )
    concern_services.concern_transition(concern=concern, to_status="closed", by=handler)
    assert Registration.objects.filter(kind=Kind.ANSWER).count() == 2
    assert Registration.objects.filter(kind=Kind.FOLDER).count() == 1
    assert not Registration.objects.filter(kind=Kind.NOTE).exists(), "notes are not configured"


def test_a_folder_per_concern_when_the_municipality_chooses_it(world, archive):
    services.settings_update(municipality=world.municipality, concern_folder="concern")
    first = close(make_concern(world.project), world.users["case_handler"])
    second = close(make_concern(world.project), world.users["case_handler"])
    folders = Registration.objects.filter(kind=Kind.FOLDER)
    assert folders.count() == 2
    assert set(folders.values_list("external_key", flat=True)) == {
        f"folder:concern-{first.pk}",
        f"folder:concern-{second.pk}",
    }


# The packages ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_closed_concern_reaches_the_folder_as_packages_the_archive_can_import(
    world, archive, settings, tasks
):
    handler = world.users["case_handler"]
    concern = make_concern(
        world.project,
        reporter_name="Kari Nabo",
        reporter_email="kari@example.org",
        reporter_address="Lindeveien 7\n9999 Fjordby",
    )
    make_photo(concern)
    concern_services.concern_transition(concern=concern, to_status="in_progress", by=handler)
    concern_services.concern_transition(
        concern=concern, to_status="answered", by=handler, answer="Vi har snakket med beboerne."
    )
    concern_services.concern_transition(concern=concern, to_status="closed", by=handler)
    tasks()  # the worker sends after commit

    assert set(Registration.objects.values_list("status", flat=True)) == {Status.SENT}
    folder_path = out_folder(settings, world.municipality)
    written = sorted(path.name for path in folder_path.glob("*.zip"))
    assert written == sorted(
        f"{registration.external_key.replace(':', '-')}.zip"
        for registration in Registration.objects.all()
    )

    # The case folder: a screened saksmappe with its external key.
    year = concern.created_at.year
    root, files, _names = read_package(
        folder_path / f"folder-concerns-p{world.project.pk}-{year}.zip"
    )
    assert root.tag == f"{{{arkivmelding.NS}}}arkivmelding"
    assert text(root, "a:system") == "Naboskap" and text(root, "a:antallFiler") == "0"
    mappe = root.find("a:mappe", NS)
    assert mappe.get(f"{{{arkivmelding.XSI}}}type") == "saksmappe"
    assert root.find("a:registrering", NS) is None and files == {}
    assert text(mappe, "a:referanseEksternNoekkel/m:noekkel") == (
        f"folder:concerns-p{world.project.pk}-{year}"
    )
    assert code(mappe, "a:skjerming/a:tilgangsrestriksjon") == "13"

    # The concern: incoming, screened, the reporter as sender, the photo attached.
    root, files, names = read_package(folder_path / f"concern-{concern.pk}.zip")
    assert names[0] == transports.XML_NAME
    entry = root.find("a:registrering", NS)
    assert entry.get(f"{{{arkivmelding.XSI}}}type") == "journalpost"
    assert code(entry, "a:journalposttype") == "I"
    assert code(entry, "a:journalstatus") == "J"
    assert text(entry, "a:tittel") == f"Bekymringsmelding {concern.reference} – Lindeveien – Støy"
    assert "Kari" not in text(entry, "a:tittel")
    assert code(entry, "a:skjerming/a:tilgangsrestriksjon") == "13"
    assert text(entry, "a:skjerming/a:skjermingshjemmel") == "Offl. § 13 jf. fvl. § 13"
    assert text(entry, "a:referanseEksternNoekkel/m:fagsystem") == "Naboskap"
    assert text(entry, "a:referanseEksternNoekkel/m:noekkel") == f"concern:{concern.pk}"
    parent = "a:referanseForelderMappe/m:referanseEksternNoekkel/m:noekkel"
    assert text(entry, parent) == f"folder:concerns-p{world.project.pk}-{year}"
    party = entry.find("a:korrespondansepart", NS)
    assert code(party, "a:korrespondanseparttype") == "EA"
    assert text(party, "a:korrespondansepartNavn") == "Kari Nabo"
    assert [e.text for e in party.findall("a:postadresse", NS)] == ["Lindeveien 7", "9999 Fjordby"]
    assert text(party, "a:epostadresse") == "kari@example.org"
    received = datetime.datetime.fromisoformat(text(entry, "a:mottattDato"))
    assert received.utcoffset() is not None
    assert received == concern.created_at.replace(microsecond=0)
    assert (
        text(entry, "a:dokumentetsDato")
        == timezone.localtime(concern.created_at).date().isoformat()
    )
    documents = entry.findall("a:dokumentbeskrivelse", NS)
    assert [code(d, "a:tilknyttetRegistreringSom") for d in documents] == ["H", "V"]
    assert text(root, "a:antallFiler") == str(len(files)) == "2"
    assert text(entry, "a:antallVedlegg") == "1"
    for document in documents:
        file = document.find("a:dokumentobjekt", NS)
        name = text(file, "a:referanseDokumentfil")
        assert name in files and name.isascii()
        assert code(file, "a:format") == "RA-PDF" and code(file, "a:variantformat") == "A"
        assert int(text(file, "a:filstoerrelse")) == len(files[name])
        assert_pdfa(PdfReader(io.BytesIO(files[name])))
    main = files[text(documents[0], "a:dokumentobjekt/a:referanseDokumentfil")]
    content = PdfReader(io.BytesIO(main)).pages[0].extract_text()
    assert concern.reference in content and "Høy musikk" in content

    # The answer: outgoing, expedited, to the reporter.
    answer = Registration.objects.get(kind=Kind.ANSWER)
    root, files, _names = read_package(folder_path / f"answer-{answer.object_id}.zip")
    entry = root.find("a:registrering", NS)
    assert code(entry, "a:journalposttype") == "U" and code(entry, "a:journalstatus") == "E"
    assert code(entry, "a:korrespondansepart/a:korrespondanseparttype") == "EM"
    assert entry.find("a:sendtDato", NS) is not None
    assert (
        "Vi har snakket"
        in PdfReader(io.BytesIO(next(iter(files.values())))).pages[0].extract_text()
    )


def test_no_correspondence_party_without_a_name_or_once_contact_is_erased(world, archive):
    handler = world.users["case_handler"]
    anonymous = close(make_concern(world.project, reporter_email="anon@example.org"), handler)
    named = close(make_concern(world.project, reporter_name="Per Nabo"), handler)
    named.contact_erased_at = timezone.now()
    named.save()
    packages_of = {}
    for concern in (anonymous, named):
        registration = Registration.objects.get(kind=Kind.CONCERN, object_id=str(concern.pk))
        package = packages_of[concern.pk] = packages.build(registration, archive)
        root = ET.fromstring(package.xml)
        assert root.find("a:registrering/a:korrespondansepart", NS) is None
        assert b"Per Nabo" not in package.xml and b"anon@example.org" not in package.xml
    # Without a name the reporter is no party, but the document shows the address they gave.
    main = next(iter(packages_of[anonymous.pk].files.values()))
    assert "anon@example.org" in PdfReader(io.BytesIO(main)).pages[0].extract_text()
    # Erased: neither the party nor the document has them.
    main = next(iter(packages_of[named.pk].files.values()))
    content = PdfReader(io.BytesIO(main)).pages[0].extract_text()
    assert "Per Nabo" not in content and "have been deleted" in content.replace("\n", " ")


def test_internal_notes_are_notes_when_configured(world, archive):
    services.settings_update(municipality=world.municipality, archive_notes=True)
    concern = make_concern(world.project)
    concern_services.message_send(concern=concern, body="Ring vaktmesteren", author=None)
    concern.messages.update(kind="internal")
    close(concern, world.users["case_handler"])
    note = Registration.objects.get(kind=Kind.NOTE)
    root = ET.fromstring(packages.build(note, archive).xml)
    assert code(root, "a:registrering/a:journalposttype") == "N"
    assert root.find("a:registrering/a:korrespondansepart", NS) is None


def test_the_same_record_gives_the_same_xml_apart_from_its_timestamp(world, archive):
    close(make_concern(world.project, reporter_name="Kari Nabo"), world.users["case_handler"])
    registration = Registration.objects.get(kind=Kind.CONCERN)
    record = packages.RECORDS[registration.kind](registration, archive)
    moment = timezone.now()
    first = arkivmelding.record_xml(record, now=moment)
    assert arkivmelding.record_xml(record, now=moment) == first
    later = arkivmelding.record_xml(record, now=moment + datetime.timedelta(hours=1))
    assert later != first
    stamp = f"<opprettetDato>{moment.replace(microsecond=0).isoformat()}</opprettetDato>"
    assert stamp.encode() in first
    assert (
        later.replace(
            arkivmelding._moment(moment + datetime.timedelta(hours=1)).encode(),
            arkivmelding._moment(moment).encode(),
        )
        == first
    )


@pytest.mark.django_db(transaction=True)
def test_minutes_analysis_report_and_letters_go_into_the_projects_case_folder(
    world,
    archive,
    settings,
    listed,
    meeting,
    template,
):
    from naboskap.meetings.minutes import services as minutes_services
    from naboskap.meetings.tests.factories import make_body, make_meeting
    from naboskap.reports import services as report_services
    from naboskap.risk import services as risk_services
    from naboskap.risk.tests.factories import make_analysis
    from naboskap.stakeholders.places import services as place_services

    coordinator = world.users["coordinator"]
    held = make_meeting(world.project, body=make_body(world.project), days=-1)
    minutes_services.agenda_item_add(meeting=held, title="Husordensreglene")
    minutes = minutes_services.minutes_start(meeting=held, created_by=None)
    minutes_services.minutes_approve(minutes=minutes, approved_by=coordinator)
    analysis = make_analysis(world.project, by=coordinator, title="ROS Lindeveien")
    for status in ("review", "approved"):
        risk_services.analysis_change_status(
            analysis=analysis, to_status=status, changed_by=coordinator
        )
    today = timezone.localdate()
    report_services.report_create(
        municipality=world.municipality,
        project=world.project,
        period_start=today.replace(day=1),
        period_end=today,
        language="nb",
    )
    place_services.letters_send(
        neighbour_list=listed.neighbour_list,
        template=template,
        meeting=meeting,
        by=coordinator,
        language="nb",
    )

    expected = {Kind.MINUTES: "X", Kind.ANALYSIS: "X", Kind.REPORT: "X", Kind.LETTERS: "U"}
    folder = Registration.objects.get(kind=Kind.FOLDER)
    assert folder.title == "Naboskapsarbeid – Lindeveien"
    assert send_all() == 5
    for kind, record_type in expected.items():
        registration = Registration.objects.get(kind=kind)
        assert registration.folder == folder and registration.status == Status.SENT
        root, files, _names = read_package(
            out_folder(settings, world.municipality) / registration.package
        )
        assert code(root, "a:registrering/a:journalposttype") == record_type
        assert root.find("a:registrering/a:skjerming", NS) is None
        (pdf,) = files.values()
        assert_pdfa(PdfReader(io.BytesIO(pdf)))
    letters = Registration.objects.get(kind=Kind.LETTERS)
    assert "(3)" in letters.title
    _root, files, _names = read_package(out_folder(settings, world.municipality) / letters.package)
    assert len(PdfReader(io.BytesIO(next(iter(files.values())))).pages) == 3


# Sending: order, failures, resends ---------------------------------------------------------------


def test_a_registration_waits_for_its_folder(world, archive, settings):
    close(make_concern(world.project), world.users["case_handler"])
    folder = Registration.objects.get(kind=Kind.FOLDER)
    Registration.objects.filter(pk=folder.pk).update(
        next_attempt_at=timezone.now() + datetime.timedelta(hours=1)
    )
    assert send_all() == 0
    Registration.objects.filter(pk=folder.pk).update(next_attempt_at=timezone.now())
    assert send_all() == 3


def test_a_transport_away_is_tried_again_later_then_failed_then_resent_with_the_same_key(
    world, archive, settings, tmp_path
):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    settings.ARCHIVE_FOLDER = blocked
    close(make_concern(world.project), world.users["case_handler"])
    assert send_all() == 0
    folder = Registration.objects.get(kind=Kind.FOLDER)
    assert folder.status == Status.WAITING and folder.attempts == 1
    assert folder.next_attempt_at > timezone.now() + datetime.timedelta(seconds=50)
    assert "not-a-folder" in folder.last_error
    for _attempt in delivery.RETRY_SECONDS:
        Registration.objects.filter(pk=folder.pk).update(next_attempt_at=timezone.now())
        send_all()
    folder.refresh_from_db()
    assert folder.status == Status.FAILED and folder.attempts == len(delivery.RETRY_SECONDS) + 1

    settings.ARCHIVE_FOLDER = tmp_path / "archive-out"
    services.registration_resend(registration=folder)
    assert send_all() == 3
    folder.refresh_from_db()
    assert folder.status == Status.SENT
    root, _files, _names = read_package(out_folder(settings, world.municipality) / folder.package)
    assert text(root, "a:mappe/a:referanseEksternNoekkel/m:noekkel") == folder.external_key
    # Sent again on purpose: the same package, the same key, for the archive to recognise.
    services.registration_resend(registration=folder)
    assert send_all() == 1
    again, _files, _names = read_package(out_folder(settings, world.municipality) / folder.package)
    assert text(again, "a:mappe/a:referanseEksternNoekkel/m:noekkel") == folder.external_key


def test_a_record_whose_object_is_gone_fails_with_the_reason(world, archive):
    concern = close(make_concern(world.project), world.users["case_handler"])
    Registration.objects.filter(kind=Kind.FOLDER).update(status=Status.SENT)
    concern.delete()
    send_all()
    failed = Registration.objects.get(kind=Kind.CONCERN)
    assert failed.status == Status.FAILED
    # In the municipality's language, as the archivist reads it.
    assert failed.last_error == "Det den registrerer, er slettet: det er ingenting å sende."


# Receipts ---------------------------------------------------------------------------------------


def receipt(*parts: str) -> bytes:
    return (
        f'<arkivmeldingKvittering xmlns="{arkivmelding.RECEIPT_NS}" '
        f'xmlns:mdk="{arkivmelding.MDK}" xmlns:xsi="{arkivmelding.XSI}">'
        + "".join(parts)
        + "</arkivmeldingKvittering>"
    ).encode()


def key(noekkel: str) -> str:
    return (
        "<referanseEksternNoekkel><mdk:fagsystem>Naboskap</mdk:fagsystem>"
        f"<mdk:noekkel>{noekkel}</mdk:noekkel></referanseEksternNoekkel>"
    )


def test_receipts_from_the_folder_give_case_and_registration_numbers(world, archive, settings):
    close(make_concern(world.project), world.users["case_handler"])
    send_all()
    folder = Registration.objects.get(kind=Kind.FOLDER)
    record = Registration.objects.get(kind=Kind.CONCERN)
    answer = Registration.objects.get(kind=Kind.ANSWER)
    incoming = receipts.folder_of(world.municipality)
    incoming.mkdir(parents=True)
    (incoming / "1-folder.xml").write_bytes(
        receipt(
            '<mappeKvittering xsi:type="saksmappeKvittering">'
            "<systemID>3f1c0a52-5d1b-4c5e-9a77-0c6f2b9d1e10</systemID>"
            + key(folder.external_key)
            + "<opprettetEllerEksisterende>Opprettet</opprettetEllerEksisterende>"
            "<saksaar>2026</saksaar><sakssekvensnummer>123</sakssekvensnummer></mappeKvittering>",
            '<registreringKvittering xsi:type="journalpostKvittering">'
            "<systemID>8a2b9c1d-0e3f-4a5b-8c7d-6e5f4a3b2c1d</systemID>"
            + key(record.external_key)
            + "<opprettetEllerEksisterende>Opprettet</opprettetEllerEksisterende>"
            "<journalaar>2026</journalaar><journalsekvensnummer>4567</journalsekvensnummer>"
            "<journalpostnummer>1</journalpostnummer></registreringKvittering>",
        )
    )
    (incoming / "2-failed.xml").write_bytes(
        receipt(
            "<registreringFeilet><feilId>42</feilId>"
            "<feilmelding>Ukjent arkivdel</feilmelding></registreringFeilet>"
        ).replace(b"<feilId>", key(answer.external_key).encode() + b"<feilId>")
    )
    (incoming / "3-other.xml").write_bytes(receipt())
    (incoming / "4-broken.xml").write_bytes(b"<not-xml")

    call_command("archive_receipts", stdout=io.StringIO())

    folder.refresh_from_db(), record.refresh_from_db(), answer.refresh_from_db()
    assert folder.status == Status.ARCHIVED and folder.case_number == "2026/123"
    assert folder.archive_id == "3f1c0a52-5d1b-4c5e-9a77-0c6f2b9d1e10"
    assert record.status == Status.ARCHIVED and record.record_number == "2026/123-1"
    assert answer.status == Status.FAILED and answer.last_error == "Ukjent arkivdel"
    assert sorted(p.name for p in (incoming / "done").iterdir()) == ["1-folder.xml", "2-failed.xml"]
    assert sorted(p.name for p in (incoming / "unknown").iterdir()) == [
        "3-other.xml",
        "4-broken.xml",
    ]
    assert not list(incoming.glob("*.xml"))


def test_a_receipt_without_the_case_gives_the_journal_number():
    parsed = receipts.parse(
        receipt(
            "<registreringKvittering><systemID>x</systemID>"
            + key("concern:1")
            + "<journalaar>2026</journalaar><journalsekvensnummer>77</journalsekvensnummer>"
            "<journalpostnummer>3</journalpostnummer></registreringKvittering>"
        )
    )
    assert parsed == [receipts.Answer("concern:1", "Naboskap", "x", record_number="2026/77")]
    with pytest.raises(ValueError):
        receipts.parse(b"<arkivmelding/>")


# The one-off export ------------------------------------------------------------------------------


def test_archive_export_writes_everything_final_since_a_date_and_is_idempotent(
    world, tmp_path, settings
):
    settings.ARCHIVE_FOLDER = tmp_path / "archive-out"
    handler = world.users["case_handler"]
    closed = close(make_concern(world.project), handler)
    make_concern(world.project)  # open: not exported
    out = tmp_path / "export"
    arguments = ["--since", "2020-01-01", "--out", str(out), "--municipality", "fjordby"]

    call_command("archive_export", *arguments, stdout=io.StringIO())
    written = sorted(path.name for path in (out / "fjordby").glob("*.zip"))
    count = Registration.objects.count()
    assert count == 3 and len(written) == 3
    assert f"concern-{closed.pk}.zip" in written
    call_command("archive_export", *arguments, stdout=io.StringIO())
    assert Registration.objects.count() == count
    assert sorted(path.name for path in (out / "fjordby").glob("*.zip")) == written
    # What the export made is the worker's too (the archive is off: nothing sent by itself).
    assert set(Registration.objects.values_list("status", flat=True)) == {Status.WAITING}

    later = ["--since", "2999-01-01", "--out", str(tmp_path / "none")]
    output = io.StringIO()
    call_command("archive_export", *later, stdout=output)
    assert "Wrote 0 packages" in output.getvalue()


# The archivist's pages and the record pages ------------------------------------------------------


def test_the_archive_page_shows_state_and_resends(world, archive):
    close(make_concern(world.project), world.users["case_handler"])
    failed = Registration.objects.get(kind=Kind.ANSWER)
    Registration.objects.filter(pk=failed.pk).update(
        status=Status.FAILED, last_error="Arkivet svarte ikke"
    )
    admin = english(world.users["admin"])

    page = admin.get(reverse("archive:overview"))
    assert page.status_code == 200
    body = page.content.decode()
    assert failed.title in body and "Arkivet svarte ikke" in body
    assert "Failed (1)" in body and "Waiting (2)" in body
    only_failed = admin.get(reverse("archive:overview"), {"status": "failed"}).content.decode()
    assert failed.title in only_failed and "Case folder ·" not in only_failed

    response = admin.post(reverse("archive:resend", args=[failed.pk]))
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == Status.WAITING and failed.last_error == ""


def test_the_settings_are_saved_from_the_form_and_bad_input_is_kept(world, archive):
    admin = english(world.users["admin"])
    form = {
        "enabled": "on",
        "concern_folder": "concern",
        "archive_notes": "on",
        "restriction_code": "",
        "restriction_basis": "Offl. § 13",
        "archive_concerns": "on",
    }
    response = admin.post(reverse("archive:settings"), form)
    assert response.status_code == 400
    assert 'value="Offl. § 13"' in response.content.decode()
    form["restriction_code"] = "13"
    form["fiks_io_account"] = "not-an-account"
    response = admin.post(reverse("archive:settings"), form)
    assert response.status_code == 400
    assert "A Fiks IO account id looks like" in response.content.decode()
    form["fiks_io_account"] = ""
    response = admin.post(reverse("archive:settings"), form)
    assert response.status_code == 302
    saved = services.settings_of(world.municipality)
    assert saved.concern_folder == "concern" and saved.archive_notes
    assert saved.archive_concerns and not saved.archive_minutes
    # In the municipality's log: who changed how concerns are archived.
    log = admin.get(reverse("administration:log")).content.decode()
    assert "archive settings" in log.lower()


@pytest.mark.parametrize("persona", ["coordinator", "case_handler", "politician", "outsider"])
def test_only_the_municipalitys_administrator_reaches_the_archive_pages(world, archive, persona):
    close(make_concern(world.project), world.users["case_handler"])
    registration = Registration.objects.get(kind=Kind.CONCERN)
    client = english(world.users[persona])
    assert client.get(reverse("archive:overview")).status_code in (403, 404)
    assert client.post(reverse("archive:resend", args=[registration.pk])).status_code in (403, 404)


def test_another_municipalitys_registration_is_not_found(world, archive):
    from naboskap.conftest import make_staff
    from naboskap.tenancy.models import Role

    close(make_concern(world.project), world.users["case_handler"])
    registration = Registration.objects.get(kind=Kind.CONCERN)
    other_admin = make_staff(world.other_municipality, Role.ADMIN)
    client = english(other_admin)
    assert client.get(reverse("archive:overview")).status_code == 200
    assert registration.title not in client.get(reverse("archive:overview")).content.decode()
    assert client.post(reverse("archive:resend", args=[registration.pk])).status_code == 404


def test_the_case_page_says_whether_and_where_it_is_archived(world, archive):
    concern = close(make_concern(world.project), world.users["case_handler"])
    handler = english(world.users["coordinator"])
    response = handler.get(concern.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "In the archive" in page and "Waiting" in page
    Registration.objects.filter(kind=Kind.FOLDER).update(
        status=Status.ARCHIVED, case_number="2026/123"
    )
    Registration.objects.filter(kind=Kind.CONCERN).update(
        status=Status.ARCHIVED, record_number="2026/123-1"
    )
    page = handler.get(concern.get_absolute_url()).content.decode()
    assert "Registration 2026/123-1" in page and "Case 2026/123" in page


# The keepers' start page --------------------------------------------------------------------------


def test_the_archivist_start_page_shows_what_failed_and_what_has_no_receipt(world, archive):
    from naboskap.insights.tests.test_home import counts, page

    close(make_concern(world.project), world.users["case_handler"])
    close(make_concern(world.project), world.users["case_handler"])
    send_all()
    failed, old = Registration.objects.filter(kind=Kind.CONCERN).order_by("pk")
    Registration.objects.filter(pk=failed.pk).update(status=Status.FAILED, last_error="Nei")
    a_day_ago = timezone.now() - datetime.timedelta(days=1, minutes=1)
    Registration.objects.filter(pk=old.pk).update(sent_at=a_day_ago)
    overview = reverse("archive:overview")

    _client, response = page(world.users["archivist"])

    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{overview}"' in html
    assert counts(html) == {
        "Archive registration that failed": (1, f"{overview}?status=failed"),
        "Sent to the archive more than a day ago, no receipt": (1, f"{overview}?status=sent"),
    }
    # The administrator keeps the archive too; a coordinator does not.
    assert "Archive registration that failed" in page(world.users["admin"])[1].content.decode()
    coordinator = page(world.users["coordinator"])[1].content.decode()
    assert f'href="{overview}' not in coordinator
