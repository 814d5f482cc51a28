"""Navigation that fits the role (issue 18): each demo login's menu holds what it can open, and
no staff page links to a page its user may not open. The demo is loaded and walked from the
start page as each person would, following every staff link, as far as the budget goes."""

import re
from collections import Counter, deque
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urldefrag, urljoin, urlsplit

from django.contrib.auth import get_user_model
from django.core.management import call_command

from naboskap.conftest import client_for, enrol_totp

# Pages per person, at most PER_KIND of each kind (both demo projects' and a third for
# lists of many): more than any role can reach.
BUDGET = 600
PER_KIND = 3
# Links that are not pages to read: files, downloads and feeds.
SKIPPED_SUFFIXES = (".pdf", ".csv", ".xlsx", ".ics", ".zip", ".png", ".json", ".xml")
PEOPLE = [
    "admin",
    "koordinator",
    "saksbehandler",
    "botiltak",
    "miljovaktmester",
    "politi",
    "politiker",
    "arkivar",
]


class Links(HTMLParser):
    """Every link's address, and the staff menu's items (text, current or not)."""

    def __init__(self):
        super().__init__()
        self.hrefs, self.menu, self._nav, self._item = [], [], False, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and attrs.get("class") == "site-header__nav":
            self._nav = True
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
            if self._nav:
                self._item = [attrs.get("aria-current") == "page", ""]

    def handle_data(self, data):
        if self._item is not None:
            self._item[1] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._item is not None:
            self.menu.append((self._item[1].strip(), self._item[0]))
            self._item = None
        if tag == "nav":
            self._nav = False


def parse(page: bytes) -> Links:
    links = Links()
    links.feed(page.decode())
    return links


def site_links(page: bytes, base: str) -> list[str]:
    found = []
    for href in parse(page).hrefs:
        parts = urlsplit(urldefrag(urljoin(base, href))[0])
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue  # mail, phone and other sites
        if parts.path.startswith("/admin/"):
            continue
        if parts.path.endswith(SKIPPED_SUFFIXES) or "eksport" in parts.path:
            continue
        found.append(parts.path)  # filters and pages of a list are the same page
    return found


def kind(path: str) -> str:
    """/app/prosjekter/1/moter/7/ is of the kind /app/prosjekter/N/moter/N/."""
    return re.sub(r"\d+", "N", path)


def walk(client) -> dict[str, int]:
    """Status of every page of the site reached from the start page, breadth first: staff
    pages are followed further, public pages they link to only opened."""
    seen, kinds, statuses, queue = {"/app/"}, Counter(), {}, deque(["/app/"])
    while queue and len(statuses) < BUDGET:
        path = queue.popleft()
        response = client.get(path)
        statuses[path] = response.status_code
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        if not path.startswith("/app/"):
            continue  # a public page a staff page links to: opened, not walked further
        for link in site_links(response.content, path):
            if link not in seen and kinds[kind(link)] < PER_KIND:
                seen.add(link)
                kinds[kind(link)] += 1
                queue.append(link)
    return statuses


def test_no_demo_login_is_offered_a_page_it_may_not_open(db):
    call_command("load_demo", stdout=StringIO())
    users = {u.username: u for u in get_user_model().objects.filter(username__in=PEOPLE)}
    menus, refused = {}, {}
    for username in PEOPLE:
        enrol_totp(users[username])
        client = client_for(users[username], language="en")
        start = client.get("/app/")
        assert start.status_code == 200
        menus[username] = dict(parse(start.content).menu)
        statuses = walk(client)
        assert len(statuses) >= 5, (username, statuses)  # the start page leads somewhere
        refused.update({(username, p): s for p, s in statuses.items() if s >= 400})
    assert not refused, f"pages offered that answer an error: {refused}"

    assert menus["politi"]["Today"] is True  # the start page is marked as the current page
    assert "Concerns" in menus["saksbehandler"] and "Concerns" not in menus["politiker"]
    assert "Status reports" in menus["politiker"] and "Status reports" not in menus["politi"]
    assert "Administration" in menus["admin"] and "Administration" not in menus["koordinator"]
    assert "My unit's measures" not in menus["politi"]
    assert "Archive" in menus["arkivar"] and "Archive" in menus["admin"]
    assert "Archive" not in menus["koordinator"] and "Administration" not in menus["arkivar"]
