"""Shared by the login, MFA and OpenID Connect tests."""

from __future__ import annotations

import re

from django.contrib.auth import SESSION_KEY
from django.test import Client

from naboskap.conftest import english
from naboskap.testing.factories import PASSWORD


def english_client() -> Client:
    """A browser that chose English, so that pages show the source strings."""
    return english()


def log_in(client: Client, login: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"login": login, "password": password})


def logged_in_user_id(client: Client) -> str | None:
    return client.session.get(SESSION_KEY)


def main_html(response) -> str:
    html = response.content.decode()
    match = re.search(r"<main\b.*?</main>", html, re.S)
    assert match, "no <main> on the page"
    return match.group(0)


def assert_in_layout(response, status: int = 200) -> str:
    """The page is one of ours: Naboskap's header, skip link and stylesheets, not allauth's
    bare default layout. Returns the page's <main> element."""
    assert response.status_code == status, response.status_code
    html = response.content.decode()
    assert '<html lang="en"' in html
    assert 'class="ds-skip-link"' in html
    assert 'class="site-header"' in html
    assert "vendor/designsystemet/" in html
    assert "<strong>Menu:</strong>" not in html  # allauth's own layout
    return main_html(response)
