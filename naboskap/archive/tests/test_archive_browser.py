"""The archive in headless Chromium (issue 24), at phone and desktop width: the administrator
turns journalling on (after leaving the legal basis empty), a case handler closes a concern,
the worker writes its packages, the administrator sees them sent, the archive's receipt comes
back, the concern's page shows where it is archived and the municipality's archivist reads it
on the archive page; axe finds nothing on any step."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, pgettext
from playwright.sync_api import expect

from naboskap.archive import receipts
from naboskap.archive.models import Registration
from naboskap.archive.tests.test_archive import key, receipt
from naboskap.conftest import run_tasks
from naboskap.projects.tests.test_browser import assert_error_shown, submit
from naboskap.testing.factories import make_concern


def said(visitor, text: str, **values) -> str:
    """`text` as the visitor reads it, in their language."""
    with translation.override(visitor.language):
        return gettext(text) % values if values else gettext(text)


def translation_of(visitor, text: str) -> str:
    with translation.override(visitor.language):
        return pgettext("archive", text)


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def close_through_pages(page, visitor, concern, answer: str) -> None:
    for status in ("in_progress", "answered", "closed"):
        visitor.open(concern.get_absolute_url())
        page.locator("#id_to_status").select_option(status)
        if status == "answered":
            page.locator("#id_answer").fill(answer)
        with page.expect_navigation():
            page.locator("form.form-stack[action*='/status/'] button[type=submit]").click()
        if page.locator("input[name=confirm]").count():  # the answer's preview: send it
            with page.expect_navigation():
                page.locator("form:has(input[name=confirm]) button[type=submit]").click()


@pytest.mark.parametrize("width", [390, 1366])
def test_closed_concern_reaches_the_archive_and_its_numbers_come_back(
    world, visitor, settings, tmp_path, width
):
    settings.ARCHIVE_FOLDER = tmp_path / "out"
    settings.ARCHIVE_RECEIPTS_FOLDER = tmp_path / "receipts"
    page = visitor.page
    page.set_viewport_size({"width": width, "height": 900})
    concern = make_concern(world.project, reporter_name="Kari Nabo")

    # The administrator turns it on; an empty legal basis is refused and the rest kept.
    visitor.login(world.users["admin"])
    page = visitor.open(reverse("archive:overview"))
    expect(page.locator("main")).to_contain_text(said(visitor, "Off: nothing is sent"))
    page.locator("main a[href$='/innstillinger/']").click()
    page.wait_for_url("**/innstillinger/")
    page.locator("label[for='id_enabled']").click()
    page.locator("#id_restriction_basis").fill("")
    page.locator("#id_administrative_unit").fill("Helse og sosial")
    submit(page, 400)
    assert_error_shown(page, "id_restriction_basis")
    expect(page.locator("#id_administrative_unit")).to_have_value("Helse og sosial")
    visitor.audit()
    page.locator("#id_restriction_basis").fill("Offl. § 13 jf. fvl. § 13")
    submit(page, 200)
    expect(page.locator("main")).to_contain_text(
        said(visitor, "Nothing has been sent to the archive yet.")
    )
    visitor.audit()

    # The coordinator closes the concern with an answer; the worker sends.
    visitor.login(world.users["coordinator"])
    close_through_pages(page, visitor, concern, "Vi har snakket med beboerne.")
    concern.refresh_from_db()
    assert concern.status == "closed"
    run_tasks()
    assert set(Registration.objects.values_list("status", flat=True)) == {"sent"}
    assert len(list((tmp_path / "out" / world.municipality.slug).glob("*.zip"))) == 3

    # The archive answers: the folder's case number, the concern's registration number.
    folder = Registration.objects.get(kind="folder")
    record = Registration.objects.get(kind="concern")
    incoming = receipts.folder_of(world.municipality)
    incoming.mkdir(parents=True)
    (incoming / "kvittering.xml").write_bytes(
        receipt(
            f"<mappeKvittering><systemID>a</systemID>{key(folder.external_key)}"
            "<saksaar>2026</saksaar><sakssekvensnummer>88</sakssekvensnummer></mappeKvittering>",
            f"<registreringKvittering><systemID>b</systemID>{key(record.external_key)}"
            "<journalpostnummer>1</journalpostnummer></registreringKvittering>",
        )
    )
    receipts.import_folder(world.municipality)

    page = visitor.open(concern.get_absolute_url())
    section = page.locator("section.archive-status")
    expect(section).to_contain_text(said(visitor, "Registration %(number)s", number="2026/88-1"))
    badges = section.locator(".status-badge")
    expect(badges.first).to_contain_text(translation_of(visitor, "Archived"))
    expect(badges.last).to_contain_text(translation_of(visitor, "Sent"))  # no receipt yet
    visitor.audit()

    # The municipality's archivist reads it on the archive page, which is all of the
    # administration they see.
    visitor.login(world.users["archivist"])
    page = visitor.open(reverse("archive:overview") + "?status=archived")
    expect(page.locator(f"main nav[aria-label='{said(visitor, 'Administration')}']")).to_have_count(
        0
    )
    table = page.locator("main table")
    expect(table).to_contain_text(said(visitor, "Case %(number)s", number="2026/88"))
    expect(page.locator("main table")).to_contain_text(
        said(visitor, "Registration %(number)s", number="2026/88-1")
    )
    visitor.audit()
    visitor.assert_no_problems()
