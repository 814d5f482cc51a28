"""The project page answers first (issue 17): on a 390 px phone, "Meld fra", "Få nyheter"
and the first phone number lie within the first 800 px, for a planned project and for a
facility in operation (whose 24-hour number comes first). axe-core audits each page, with a
published risk summary on it, at 390 and 1366 px (and 320 px, by the visitor)."""

import pytest
from django.urls import reverse

from naboskap.projects.models import Phase, Project
from naboskap.risk import services
from naboskap.risk.tests.factories import AFTER, make_analysis, score
from naboskap.testing.factories import ContactPointFactory, ProjectFactory, make_measure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRST_SCREEN = 800
TOP = "selector => document.querySelector(selector).getBoundingClientRect().top"
BOTTOM = "selector => document.querySelector(selector).getBoundingClientRect().bottom"


def planned(world):
    project = world.project
    project.name = "Lindeveien velferdsboliger"
    project.address = "Lindeveien 14, 9999 Fjordvik"
    project.description = (
        "Kommunen planlegger åtte kommunale utleieboliger i Lindeveien. Boligene skal gi "
        "trygge og varige hjem.\n\nVi vil informere tidlig og snakke med naboene."
    )
    project.save()
    make_measure(project, is_public=True, public_text="Vi lager en trygg gangvei til skolen.")
    analysis = make_analysis(project, by=world.users["coordinator"])
    event = services.event_create(analysis=analysis, title="Støy fra boligene om natta")
    score(event, 4, {"trygghet": 4})
    score(event, 2, {"trygghet": 2}, stage=AFTER)
    for status in ("review", "approved"):
        services.analysis_change_status(analysis=analysis, to_status=status, changed_by=None)
    services.summary_publish(
        analysis=analysis,
        published_by=None,
        descriptions={str(event.lineage): "Naboer kan bli plaget av støy sent på kvelden."},
        organisations=["Velforeningen", "FAU"],
    )
    return project


def facility(world):
    project = ProjectFactory(
        municipality=world.municipality,
        kind=Project.Kind.EXISTING,
        phase=Phase.OPERATION,
        slug="solbakken",
        name="Solbakken botiltak",
        address="Solbakken 3, 9999 Fjordvik",
        description=(
            "Solbakken er et botiltak med 23 boliger med husleiekontrakt, fire midlertidige "
            "boliger og tre akuttplasser. Målet er et trygt bomiljø for alle."
        ),
    )
    ContactPointFactory(
        project=project,
        function="Botiltaket (døgnbemannet)",
        phone="+4799999902",
        email="solbakken.botiltak@fjordvik-kommune.example",
        opening_hours="Hele døgnet",
        on_duty_phone="+4799999903",
    )
    return project


@pytest.mark.parametrize("kind", ["planned", "facility"])
def test_the_first_screen_answers(world, visitor, kind):
    project = planned(world) if kind == "planned" else facility(world)
    page = visitor.page
    page.set_viewport_size({"width": 390, "height": 844})
    page = visitor.open(reverse("portal:project", args=[project.slug]))
    for selector in ("#action-report", "#action-subscribe", "a[href^='tel:']"):
        assert page.evaluate(TOP, selector) < FIRST_SCREEN, selector
        assert page.evaluate(BOTTOM, selector) <= FIRST_SCREEN, selector
    first_phone = page.locator("a[href^='tel:']").first.get_attribute("href")
    assert first_phone == ("tel:+4799999903" if kind == "facility" else "tel:+4799999901")
    assert page.locator("#action-report").get_attribute("href") == reverse(
        "portal:project_report", args=[project.slug]
    )
    # The two actions sit side by side, as large buttons.
    report = page.locator("#action-report").bounding_box()
    subscribe = page.locator("#action-subscribe").bounding_box()
    assert abs(report["y"] - subscribe["y"]) < 2 and report["height"] >= 44
    # An email address never breaks inside a word: only at the <wbr> after "@" and dots.
    assert page.locator("a[href^='mailto:'] wbr").count() >= 1

    page.set_viewport_size({"width": 1366, "height": 900})
    visitor.audit()
    # On a wide screen the contacts sit beside the actions, at the top.
    assert page.evaluate(TOP, "a[href^='tel:']") < 600
    if kind == "planned":
        page = visitor.open(reverse("portal:risk_summary", args=[project.slug]))
        assert page.locator("table.public-risk tbody tr").count() == 1
        page.set_viewport_size({"width": 390, "height": 844})
        visitor.audit()
    visitor.assert_no_problems()
