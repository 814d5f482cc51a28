"""The translation catalogues are complete, compiled, up to date, and used.

- naboskap/locale/{nb,nn,en}: Naboskap's own strings (`make messages` extracts them).
- naboskap/locale_vendor/nn: django-allauth's strings in nynorsk, which allauth does not ship.

When a test here fails, run `make messages`, translate what is new or fuzzy, and commit the
.po and .mo files.
"""

import gettext
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from naboskap.conftest import client_for

NABOSKAP = Path(settings.BASE_DIR) / "naboskap"
OWN = {
    lang: NABOSKAP / "locale" / lang / "LC_MESSAGES" / "django.po" for lang in ("nb", "nn", "en")
}
VENDOR = {"nn (allauth)": NABOSKAP / "locale_vendor" / "nn" / "LC_MESSAGES" / "django.po"}
CATALOGUES = {**OWN, **VENDOR}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]|\{\w*\}")


def key(entry: polib.POEntry) -> tuple:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


def translations(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


@pytest.fixture(scope="module", params=CATALOGUES, ids=str)
def catalogue(request) -> tuple[str, Path, polib.POFile]:
    path = CATALOGUES[request.param]
    return request.param, path, polib.pofile(str(path))


def test_catalogues_are_complete(catalogue):
    name, _path, po = catalogue
    assert len(po) > 0
    untranslated = [e.msgid for e in po if not e.obsolete and not all(translations(e))]
    fuzzy = [e.msgid for e in po if "fuzzy" in e.flags]
    obsolete = [e.msgid for e in po if e.obsolete]
    assert not untranslated, f"{name}: untranslated: {untranslated}"
    assert not fuzzy, f"{name}: fuzzy: {fuzzy}"
    assert not obsolete, f"{name}: obsolete: {obsolete}"
    assert not po.metadata_is_fuzzy, f"{name}: the header is marked fuzzy"
    assert po.metadata["Plural-Forms"].replace(" ", "") == "nplurals=2;plural=(n!=1);"
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"


def test_translations_keep_every_placeholder(catalogue):
    name, _path, po = catalogue
    wrong = []
    for entry in po:
        # A plural form may follow the singular source ("Every week") or the plural one
        # ("Every %(count)s weeks"); either way it keeps all of that source's placeholders.
        sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
        allowed = [sorted(PLACEHOLDER.findall(source)) for source in sources]
        for text in translations(entry):
            if sorted(PLACEHOLDER.findall(text)) not in allowed:
                wrong.append((entry.msgid, text))
    assert not wrong, f"{name}: placeholders differ: {wrong}"


def test_english_is_the_source_text():
    po = polib.pofile(str(OWN["en"]))
    differs = [
        e.msgid for e in po if translations(e) != [e.msgid, e.msgid_plural][: len(translations(e))]
    ]
    assert not differs


def test_compiled_catalogues_match_the_po_files(catalogue):
    """The committed .mo is what `make messages` makes from the .po (so it was not forgotten)."""
    name, path, po = catalogue
    expected = {}
    for entry in po.translated_entries():
        msgid = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            for i, text in enumerate(translations(entry)):
                expected[(msgid, i)] = text
        else:
            expected[msgid] = entry.msgstr
    with path.with_suffix(".mo").open("rb") as mo:
        compiled = dict(gettext.GNUTranslations(mo)._catalog)
    compiled.pop("", None)  # the header
    assert compiled == expected, f"{name}: the .mo is stale: run `make messages`"


def source_copy(destination: Path) -> None:
    """The files `make messages` reads: Python, templates and text templates, not testing/."""

    def ignore(directory, names):
        skipped = {"locale", "locale_vendor", "testing", "static", "__pycache__"}
        return [
            n
            for n in names
            if n in skipped
            or (Path(directory, n).is_file() and Path(n).suffix not in {".py", ".html", ".txt"})
        ]

    shutil.copytree(NABOSKAP, destination, ignore=ignore)


@pytest.mark.skipif(not shutil.which("xgettext"), reason="gettext is not installed")
def test_catalogues_hold_every_string_in_the_code(tmp_path):
    """What `make messages` would extract now is exactly what the catalogues hold."""
    source = tmp_path / "naboskap"
    source_copy(source)
    (source / "locale").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    # The same command as the Makefile's `messages` target, without settings, as there.
    command = ["makemessages", "-l", "en", "--no-obsolete", "--ignore", "testing/*"]
    subprocess.run(
        [sys.executable, "-m", "django", *command],
        cwd=source,
        env=env,
        check=True,
        capture_output=True,
    )
    extracted = {key(e) for e in polib.pofile(str(source / "locale/en/LC_MESSAGES/django.po"))}
    assert extracted
    for lang, path in OWN.items():
        held = {key(e) for e in polib.pofile(str(path))}
        missing = sorted(extracted - held, key=str)
        stale = sorted(held - extracted, key=str)
        assert not missing, f"{lang}: not in the catalogue, run `make messages`: {missing}"
        assert not stale, f"{lang}: no longer in the code, run `make messages`: {stale}"


def test_vendor_msgids_are_still_allauths():
    """After an allauth upgrade, a msgid it changed would silently go back to bokmål."""
    import allauth

    shipped = Path(allauth.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"
    allauth_ids = {(e.msgctxt, e.msgid) for e in polib.pofile(str(shipped))}
    ours = polib.pofile(str(VENDOR["nn (allauth)"]))
    gone = [e.msgid for e in ours if (e.msgctxt, e.msgid) not in allauth_ids]
    assert not gone, f"allauth no longer has these msgids: {gone}"


def test_vendor_catalogue_is_found_after_naboskaps_own():
    assert settings.LOCALE_PATHS[0] == NABOSKAP / "locale"
    assert NABOSKAP / "locale_vendor" in settings.LOCALE_PATHS


@pytest.mark.parametrize(
    ("msgid", "nn"),
    [
        ("Remember Me", "Hugs meg"),
        ("Forgot your password?", "Har du gløymt passordet?"),
        ("Two-Factor Authentication", "Tofaktorautentisering"),
        ("Incorrect code.", "Feil kode."),
    ],
)
def test_allauth_speaks_nynorsk(msgid, nn):
    with translation.override("nn"):
        assert translation.gettext(msgid) == nn


class VisibleText(HTMLParser):
    """The text a person reads or hears: text nodes and a few attributes, not markup."""

    ATTRIBUTES = {"aria-label", "title", "alt", "placeholder"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self.skip += 1
        self.parts.extend(value for name, value in attrs if name in self.ATTRIBUTES and value)

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


# English UI words that must not show on a Norwegian page ("English" itself is in the
# language switcher). Matched as whole words, case-sensitively.
ENGLISH = [
    "Skip to main content",
    "Housing",
    "News",
    "Phone",
    "Email",
    "Subscribe",
    "Updates",
    "Edit",
    "Delete",
    "Log out",
    "Staff login",
    "Timeline",
    "Whom",
    "emergency",
    "Police",
    "Language",
    "Contact",
    "Planned",
    "My projects",
    "About the project",
    "You are here",
    "Main menu",
    "Dwellings",
    "Subscribers",
    "Author",
    "Published",
    "Draft",
    "Password",
    "Username",
    "Remember",
    "Forgot",
    "the",
    "and",
]
# Bokmål words that must not show on a nynorsk page. The test data is bokmål, so only words
# the data does not use.
BOKMAL = ["ikke", "hva", "hvem", "nyheter", "naboer", "ansatte", "hovedinnholdet", "Nødsituasjon"]

EXPECTED = {
    "nb": ["Hopp til hovedinnholdet", "Ved nødsituasjon, ring 112. Politiet: 02800."],
    "nn": ["Gå til hovudinnhaldet", "Ved naudsituasjon, ring 112. Politiet: 02800."],
}
PAGE_EXPECTED = {
    ("home", "nb"): ["Boligprosjekter i Fjordby kommune", "Nyhetsstrøm for alle prosjektene"],
    ("home", "nn"): ["Bustadprosjekt i Fjordby kommune", "Nyheitsstraum for alle prosjekta"],
    ("project", "nb"): ["Hva som er planlagt, og hvorfor", "Hvem du kan kontakte", "Nyheter"],
    ("project", "nn"): ["Kva som er planlagt, og kvifor", "Kven du kan kontakte", "Nyheiter"],
    ("staff", "nb"): ["Dialogansvarlig", "Oppdateringer", "Mine prosjekter", "Planlegging"],
    ("staff", "nn"): ["Dialogansvarleg", "Oppdateringar", "Prosjekta mine", "Planlegging"],
    # allauth's page: Naboskap's catalogue, then allauth's own (nb) or locale_vendor (nn).
    ("login", "nb"): ["Logg inn", "Brukernavn eller e-post", "Husk meg", "Glemt ditt passord?"],
    ("login", "nn"): ["Brukarnamn eller e-post", "Hugs meg", "Har du gløymt passordet?"],
}


def words_found(text: str, words: list[str]) -> list[str]:
    return [w for w in words if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text)]


@pytest.mark.parametrize("language", ["nb", "nn"])
@pytest.mark.parametrize("which", ["home", "project", "staff", "login"])
def test_pages_are_in_norwegian(world, which, language):
    if which == "staff":
        client = client_for(world.users["coordinator"])
        url = reverse("projects:detail", args=[world.project.pk])
    else:
        client = client_for(None)
        url = {"home": "/", "login": reverse("account_login")}.get(which)
        url = url or world.project.get_public_url()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}"' in html
    text = visible_text(html)
    expected = EXPECTED[language] + PAGE_EXPECTED[(which, language)]
    assert not [s for s in expected if s not in text], text
    assert not words_found(text, ENGLISH), text
    if language == "nn":
        assert not words_found(text, BOKMAL), text
