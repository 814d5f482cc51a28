"""Every kind of archive message, made from the demo's own data (issue 24): its closed
concerns, their answers, approved minutes, the approved ROS analysis and the status reports,
each checked for what the Fiks Arkiv schema requires."""

import io
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from naboskap.archive import arkivmelding, packages
from naboskap.archive.models import Registration, Settings
from naboskap.concerns.models import Concern

NS = {"a": arkivmelding.NS, "m": arkivmelding.MDK}
XSI_TYPE = f"{{{arkivmelding.XSI}}}type"
Kind = Registration.Kind
RECORD_TYPES = {
    Kind.CONCERN: "I",
    Kind.ANSWER: "U",
    Kind.MINUTES: "X",
    Kind.ANALYSIS: "X",
    Kind.REPORT: "X",
}
# The order the schema gives a journalpost's own elements (those Naboskap writes).
ORDER = [
    "opprettetDato",
    "referanseForelderMappe",
    "skjerming",
    "dokumentbeskrivelse",
    "tittel",
    "offentligTittel",
    "korrespondansepart",
    "referanseEksternNoekkel",
    "journalposttype",
    "journalstatus",
    "dokumentetsDato",
    "mottattDato",
    "sendtDato",
    "antallVedlegg",
]


def local(element: ET.Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


@pytest.mark.django_db
def test_the_demo_makes_every_kind_of_message_the_schema_asks_for():
    call_command("load_demo", stdout=io.StringIO())
    archive = Settings.objects.select_related("municipality").get()
    assert archive.enabled
    registrations = Registration.objects.select_related("folder")
    kinds = set(registrations.values_list("kind", flat=True))
    assert kinds >= {Kind.FOLDER, *RECORD_TYPES}
    # What became final more than two days ago came back archived, with numbers.
    old = registrations.filter(created_at__lt=timezone.now() - timedelta(days=2))
    assert old.exists()
    assert all(r.status == "archived" and (r.case_number or r.record_number) for r in old)
    reporters = [name for name in Concern.objects.values_list("reporter_name", flat=True) if name]

    with translation.override(archive.municipality.default_language):
        for kind in [Kind.FOLDER, *RECORD_TYPES]:
            registration = registrations.filter(kind=kind).first()
            package = packages.build(registration, archive)
            root = ET.fromstring(package.xml)
            assert [local(child) for child in root][:2] == ["system", "antallFiler"]
            assert int(root.find("a:antallFiler", NS).text) == len(package.files)
            title = registration.title
            assert not any(name in title for name in reporters), title
            if kind == Kind.FOLDER:
                mappe = root.find("a:mappe", NS)
                assert mappe.get(XSI_TYPE) == "saksmappe"
                assert mappe.find("a:tittel", NS).text == title
                assert mappe.find("a:klassifikasjon/a:klasseID", NS).text == "614"
                assert mappe.find("a:administrativEnhet/m:navn", NS).text == "Helse og sosial"
                continue
            entry = root.find("a:registrering", NS)
            assert entry.get(XSI_TYPE) == "journalpost"
            names = [local(child) for child in entry]
            assert names == sorted(names, key=ORDER.index), names
            assert entry.find("a:journalposttype/m:kode", NS).text == RECORD_TYPES[kind]
            key = entry.find("a:referanseEksternNoekkel", NS)
            assert key.find("m:fagsystem", NS).text == "Naboskap"
            assert key.find("m:noekkel", NS).text == registration.external_key
            parent = entry.find("a:referanseForelderMappe/m:referanseEksternNoekkel/m:noekkel", NS)
            assert parent.text == registration.folder.external_key
            screened = entry.find("a:skjerming", NS)
            assert (screened is not None) == (kind in (Kind.CONCERN, Kind.ANSWER))
            files = [
                obj.find("a:referanseDokumentfil", NS).text
                for obj in entry.iterfind("a:dokumentbeskrivelse/a:dokumentobjekt", NS)
            ]
            assert files == list(package.files)
            for name in files:
                assert name.isascii() and package.files[name].startswith(b"%PDF-")
