"""One breadcrumb trail: every page renders includes/breadcrumbs.html from the trail its
view builds (naboskap.lib.breadcrumbs); no template writes its own ds-breadcrumbs nav."""

import re
from pathlib import Path

from django.template.loader import render_to_string
from django.urls import reverse

from naboskap.conftest import english
from naboskap.lib.breadcrumbs import Crumb, project_trail, trail

ROOT = Path(__file__).resolve().parent.parent
PARTIAL = ROOT / "templates" / "includes" / "breadcrumbs.html"


def test_it_leaves_no_hand_written_breadcrumbs():
    hand_written = [
        str(path.relative_to(ROOT))
        for path in sorted(ROOT.rglob("templates/**/*.html"))
        if path != PARTIAL and "ds-breadcrumbs" in path.read_text()
    ]
    assert hand_written == [], "use includes/breadcrumbs.html with a trail from the view"


def test_it_builds_the_project_trail(world):
    project = world.project
    crumbs = project_trail(project, ("Plan", "/plan/"), None, "Edit")
    assert crumbs == [
        Crumb("My projects", reverse("projects:my_projects")),
        Crumb(project.name, reverse("projects:detail", args=[project.pk])),
        Crumb("Plan", "/plan/"),
        Crumb("Edit", None),
    ]
    assert crumbs.back == Crumb("Plan", "/plan/")


def test_it_renders_the_current_page_without_a_link():
    html = render_to_string(
        "includes/breadcrumbs.html", {"breadcrumbs": trail(("Home", "/a/"), ("Part", "/b/"), "Now")}
    )
    assert '<nav class="ds-breadcrumbs no-print" aria-label="You are here">' in html
    items = re.findall(r"<li>(.*?)</li>", html)
    assert items == [
        '<a class="ds-link" href="/a/">Home</a>',
        '<a class="ds-link" href="/b/">Part</a>',
        '<span aria-current="page">Now</span>',
    ]
    # The back link Designsystemet shows alone on narrow screens goes one level up.
    assert '<a class="ds-link" href="/b/" aria-label="Back to Part">Part</a>' in html


def test_it_renders_nothing_without_a_trail():
    assert render_to_string("includes/breadcrumbs.html", {}).strip() == ""


def test_it_shows_the_trail_on_a_project_page(world):
    project = world.project
    response = english(world.users["coordinator"]).get(reverse("plans:plan", args=[project.pk]))
    html = response.content.decode()
    assert html.count("ds-breadcrumbs") == 1
    assert reverse("projects:my_projects") in html
    assert '<span aria-current="page">Action and collaboration plan</span>' in html
