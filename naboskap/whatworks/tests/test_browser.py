"""What works in a browser, in bokmål and nynorsk, at phone width (390 px) and on a laptop
(1366 px), with axe-core on every page: the caretaker's round at one project is done and its
page shows what happened to litter before and after; the coordinator finds it in the
catalogue; planning another project's ROS event suggests it, and one click adopts it into
that project's plan with its source noted; the first project's trust barometer has its
parts; the administrator changes how effects are measured."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from naboskap.concerns.models import Category, Concern
from naboskap.concerns.services import concern_link_event
from naboskap.plans import services as plan_services
from naboskap.plans.models import Measure
from naboskap.risk import services as risk_services
from naboskap.risk.tests.factories import make_analysis
from naboskap.testing.factories import ProjectFactory, make_concern, make_measure
from naboskap.whatworks.barometer import update_readings
from naboskap.whatworks.models import Settings
from naboskap.whatworks.services import compute_effects

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROUND = "Fast ryddetur hver mandag"


def navigate(page, locator, status: int = 200) -> None:
    with page.expect_navigation() as navigation:
        locator.click()
    assert navigation.value.status == status, navigation.value.url


def litter_on(project, days_ago: list[int]) -> None:
    today = timezone.localdate()
    for days in days_ago:
        concern = make_concern(project, "litter")
        noon = timezone.make_aware(datetime.combine(today - timedelta(days=days), time(12)))
        Concern.objects.filter(pk=concern.pk).update(created_at=noon)


@pytest.mark.parametrize("width", [390, 1366])
def test_a_measure_that_worked_is_seen_found_and_adopted(world, visitor, width):
    page = visitor.page
    page.set_viewport_size({"width": width, "height": 900})
    municipality = world.municipality
    litter = Category.objects.filter(municipality=municipality, code="litter")
    solbakken = ProjectFactory(
        municipality=municipality,
        name="Solbakken botiltak",
        kind="existing",
        dialogue_owner=world.users["coordinator"],
        responsible_unit=world.project.responsible_unit,
    )
    litter_on(solbakken, [101, 108, 115, 122, 130, 141, 150, 163, 177, 60, 25])
    measure = make_measure(solbakken, title=ROUND)
    plan_services.measure_update(
        measure=measure,
        changed_by=None,
        status=Measure.Status.DONE,
        categories=list(Category.objects.filter(municipality=municipality, code="litter")),
    )
    Measure.objects.filter(pk=measure.pk).update(done_on=timezone.localdate() - timedelta(days=100))
    compute_effects()
    update_readings(months=3)
    # Lindeveien's analysis has an event about paraphernalia, with a litter concern on it.
    event = risk_services.event_create(
        analysis=make_analysis(world.project), title="Brukerutstyr funnet på lekeplassen"
    )
    concern_link_event(concern=make_concern(world.project, "litter"), unwanted_event=event)
    assert litter.exists()

    visitor.login(world.users["coordinator"])
    # The round's page: what was counted, and the change with its interval.
    page = visitor.open(measure.get_absolute_url())
    effect = page.locator("section.effect")
    assert effect.locator("h2").count() == 1
    assert "9" in effect.locator(".effect__figures").first.inner_text()
    assert "%" in effect.locator(".effect__item").first.inner_text()

    # The catalogue lists it, under its category, and links to it.
    page = visitor.open(reverse("whatworks:catalogue"))
    link = page.get_by_role("link", name=ROUND)
    assert link.count() == 1
    navigate(page, link)
    assert page.url.endswith(measure.get_absolute_url())

    # Planning Lindeveien's event: Solbakken's round is suggested; adopt it.
    url = reverse(
        "risk:event_detail",
        kwargs={"pk": world.project.pk, "analysis_pk": event.analysis_id, "event_pk": event.pk},
    )
    page = visitor.open(url)
    suggestions = page.locator("section", has=page.get_by_role("heading", level=2)).filter(
        has_text=ROUND
    )
    assert suggestions.count() >= 1
    adopt = page.locator("a[href*='/tiltak/nytt/?']").first
    navigate(page, adopt)
    visitor.audit()
    assert page.locator("#id_title").input_value() == ROUND
    assert "Solbakken botiltak" in page.locator("#id_description").input_value()
    assert page.locator(f"input[name=categories][value='{litter.get().pk}']").is_checked()
    page.locator("#id_owner_unit").select_option(str(world.project.responsible_unit_id))
    navigate(page, page.locator("main form.form-stack button[type=submit]"))
    visitor.audit()
    adopted = Measure.objects.get(project=world.project, title=ROUND)
    assert adopted.unwanted_event_id == event.pk
    assert list(adopted.categories.values_list("code", flat=True)) == ["litter"]
    assert "Solbakken botiltak" in adopted.description

    # Solbakken's trust barometer, from the project page.
    page = visitor.open(solbakken.get_absolute_url())
    navigate(page, page.locator(f"a[href='{reverse('whatworks:barometer', args=[solbakken.pk])}']"))
    visitor.audit()
    assert page.locator("table").count() >= 2

    # The administrator measures over 60 days from now on.
    visitor.login(world.users["admin"])
    page = visitor.open(reverse("whatworks:settings"))
    page.locator("#id_window_days").fill("60")
    navigate(page, page.locator("main form button[type=submit]"))
    visitor.audit()
    assert Settings.objects.get(municipality=municipality).window_days == 60
    visitor.assert_no_problems()
