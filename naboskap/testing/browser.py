"""Browser tests: headless Chromium through pytest-playwright, with axe-core checks.

The fixtures here are imported by naboskap/conftest.py. Tests marked `browser` run last, so
that Playwright's event loop (see `playwright` below) is only alive while they run.

`CHROMIUM_PATH` points to the browser (Debian's `chromium` package by default); Playwright's
own browser downloads are not used.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from axe_playwright_python.base import AXE_SCRIPT, AxeResults
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page

from naboskap.testing.mfa import pass_mfa_stage

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# No sandbox (root in containers), and nothing that calls out to Google's servers.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
NARROW_WIDTH = 320
# Sub-pixel rounding may add a pixel; anything more is a horizontal scrollbar.
NARROW_TOLERANCE = 1

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
AXE_RUN = "options => axe.run(document, options)"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run browser tests after all others (a stable sort keeps the order within each group);
    without Chromium, stop before any test and say what to run."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
    if items and items[-1].get_closest_marker("browser") and not os.access(CHROMIUM_PATH, os.X_OK):
        pytest.exit(
            f"The browser tests need Chromium at {CHROMIUM_PATH}: run `make test` as root, or "
            "`sudo apt-get install chromium` (or set CHROMIUM_PATH), "
            'or skip them with -m "not browser".',
            returncode=pytest.ExitCode.USAGE_ERROR,
        )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM_PATH, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url():
    """Pages are opened on `live_server.url`. (This also replaces pytest-playwright's own
    `base_url`, a method fixture that pytest 9 warns about.)"""
    return None


@pytest.fixture(scope="session")
def playwright(django_db_setup, playwright):
    """Playwright's sync API keeps an asyncio loop running in the main thread.

    Django sees that loop and refuses database calls ("cannot call this from an async
    context"), though no async code runs. Django's documented way out for such tools is
    DJANGO_ALLOW_ASYNC_UNSAFE; it is set only while Playwright runs, which is during the
    browser tests, as they come last. The test database is set up first so that it is torn
    down after Playwright stops.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield playwright
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def outbox(settings, tmp_path, live_server) -> Path:
    """Email goes to an outbox folder as in development, with links to the live server."""
    settings.EMAIL_BACKEND = "naboskap.lib.mail.ConsoleAndOutboxBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "browser-outbox"
    settings.SITE_URL = live_server.url
    return settings.EMAIL_FILE_PATH


def read_outbox(outbox: Path) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for path in sorted(outbox.glob("*.eml"))
    ]


def links_in(message: email.message.EmailMessage) -> list[str]:
    return re.findall(r"https?://\S+", message.get_body(preferencelist=("plain",)).get_content())


@dataclass
class Visitor:
    """A browser tab on the live server, in one language, that audits every page it shows.

    Problems (axe-core violations, a wrong `<html lang>`, horizontal scrolling at 320 px) are
    collected, so that one run reports every page; `assert_no_problems()` ends the test.
    """

    page: Page
    base_url: str
    language: str
    problems: list[str] = field(default_factory=list)

    def login(self, user) -> None:
        """Log in as `user` with a session made by the test client, past the two-step check."""
        client = Client()
        client.force_login(user)
        pass_mfa_stage(client, user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        self.page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": self.base_url}]
        )

    def open(self, path: str, *, status: int = 200) -> Page:
        response = self.page.goto(self.base_url + path)
        assert response is not None
        assert response.status == status, f"{path}: status {response.status}, not {status}"
        self.audit()
        return self.page

    def audit(self) -> None:
        """Check the page now shown: language, axe-core (WCAG 2.1 A and AA) at the default
        width and at 320 px, and no horizontal scrolling at 320 px."""
        page = self.page
        where = f"{page.url.removeprefix(self.base_url)} [{self.language}]"
        lang = page.locator("html").get_attribute("lang")
        if lang != self.language:
            self.problems.append(f"{where}: <html lang={lang!r}>, expected {self.language!r}")
        self.problems.extend(f"{where}: {p}" for p in axe_violations(page))
        viewport = page.viewport_size
        page.set_viewport_size({"width": NARROW_WIDTH, "height": viewport["height"]})
        try:
            self.problems.extend(f"{where} at {NARROW_WIDTH} px: {p}" for p in axe_violations(page))
            self.problems.extend(f"{where}: {p}" for p in narrow_overflow(page))
        finally:
            page.set_viewport_size(viewport)

    def assert_no_problems(self) -> None:
        assert not self.problems, "\n\n".join(self.problems)


def axe_violations(page: Page) -> list[str]:
    results = AxeResults(page.evaluate(AXE_RUN, AXE_OPTIONS))
    return [results.generate_report()] if results.violations_count else []


def narrow_overflow(page: Page) -> list[str]:
    """At 320 CSS pixels (WCAG 1.4.10 Reflow) the page must not scroll sideways."""
    width = page.evaluate("document.documentElement.scrollWidth")
    if width <= NARROW_WIDTH + NARROW_TOLERANCE:
        return []
    culprits = page.evaluate(
        """limit => [...document.body.querySelectorAll('*')]
            .filter(e => e.getBoundingClientRect().right > limit)
            .slice(0, 8)
            .map(e => e.outerHTML.slice(0, 120))""",
        NARROW_WIDTH + NARROW_TOLERANCE,
    )
    return [f"{width} px wide at {NARROW_WIDTH} px; too wide: {culprits}"]


@pytest.fixture(params=["nb", "nn"])
def browser_language(request) -> str:
    """Each browser test runs in bokmål and in nynorsk."""
    return request.param


@pytest.fixture
def visitor(page: Page, live_server, browser_language) -> Visitor:
    language = browser_language
    # axe-core is loaded into every page before the page's own scripts (the Content Security
    # Policy does not apply to scripts that the browser is given this way).
    page.context.add_init_script(AXE_SCRIPT)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    visitor = Visitor(page=page, base_url=live_server.url, language=language)
    # A script that fails on a page is a problem like an axe violation (a map that stays empty).
    page.on(
        "pageerror", lambda error: visitor.problems.append(f"{page.url}: script error: {error}")
    )
    return visitor
