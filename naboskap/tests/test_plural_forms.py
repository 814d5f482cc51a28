"""Counts read right in bokmål, nynorsk and English: "1 møte", "2 møter", never "1 møter"."""

from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import ngettext

ROOT = Path(__file__).resolve().parents[1]

# (singular msgid, plural msgid, {language: (text for 1, text for 2)}) with %(count)s = n.
CASES = [
    (
        "%(count)s email is on its way.",
        "%(count)s emails are on their way.",
        {
            "nb": ("1 e-post er på vei.", "2 e-poster er på vei."),
            "nn": ("1 e-post er på veg.", "2 e-postar er på veg."),
            "en": ("1 email is on its way.", "2 emails are on their way."),
        },
    ),
    (
        "%(count)s letter is ready to print.",
        "%(count)s letters are ready to print.",
        {
            "nb": ("1 brev er klart til utskrift.", "2 brev er klare til utskrift."),
            "nn": ("1 brev er klart til utskrift.", "2 brev er klare til utskrift."),
            "en": ("1 letter is ready to print.", "2 letters are ready to print."),
        },
    ),
    (
        "%(count)s coming meeting changed",
        "%(count)s coming meetings changed",
        {
            "nb": ("1 kommende møte endret", "2 kommende møter endret"),
            "nn": ("1 komande møte endra", "2 komande møte endra"),
            "en": ("1 coming meeting changed", "2 coming meetings changed"),
        },
    ),
    (
        "The draft goes by email to %(count)s member for comments.",
        "The draft goes by email to %(count)s members for comments.",
        {
            "nb": ("til 1 medlem for", "til 2 medlemmer for"),
            "nn": ("til 1 medlem for", "til 2 medlemmer for"),
            "en": ("to 1 member for", "to 2 members for"),
        },
    ),
]


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
@pytest.mark.parametrize(("singular", "plural", "expected"), CASES)
def test_one_and_two_in_each_language(language, singular, plural, expected):
    one, two = expected[language]
    with translation.override(language):
        assert one in ngettext(singular, plural, 1) % {"count": 1}
        assert two in ngettext(singular, plural, 2) % {"count": 2}


@pytest.mark.parametrize(
    ("language", "one", "two"),
    [
        ("nb", "Send 1 e-post og merk 1 brev for utskrift", "Send 2 e-poster og merk 2 brev"),
        ("nn", "Send 1 e-post og merk 1 brev for utskrift", "Send 2 e-postar og merk 2 brev"),
        ("en", "Send 1 email and mark 1 letter for printing", "Send 2 emails and mark 2 letters"),
    ],
)
def test_the_send_button_counts_emails_and_letters(language, one, two):
    """The same blocks as meetings/meeting_send.html."""
    source = (
        "{% load i18n %}"
        "{% blocktranslate count count=emails|length asvar send_emails %}Send {{ count }} email"
        "{% plural %}Send {{ count }} emails{% endblocktranslate %}"
        "{% blocktranslate count count=letters|length asvar mark_letters %}mark {{ count }} "
        "letter for printing{% plural %}mark {{ count }} letters for printing"
        "{% endblocktranslate %}"
        "{% blocktranslate %}{{ send_emails }} and {{ mark_letters }}{% endblocktranslate %}"
    )
    with translation.override(language):
        assert one in Template(source).render(Context({"emails": [1], "letters": [1]}))
        assert two in Template(source).render(Context({"emails": [1, 2], "letters": [1, 2]}))
    page = (ROOT / "meetings/templates/meetings/meeting_send.html").read_text(encoding="utf-8")
    assert source.removeprefix("{% load i18n %}") in page
