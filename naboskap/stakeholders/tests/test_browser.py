"""The neighbour list and the address register in headless Chromium, in bokmål and nynorsk:
axe-core finds no WCAG 2.1 A/AA violations, `<html lang>` is right, and nothing scrolls
sideways at 320 px. With the radius form's errors shown, and with search results."""

from decimal import Decimal

import pytest
from django.urls import reverse

from naboskap.stakeholders import services
from naboskap.stakeholders.register import services as register_services
from naboskap.stakeholders.tests.factories import make_addresses_around

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_neighbour_list_pages(world, visitor):
    project = world.project
    project.latitude, project.longitude = Decimal("69.65"), Decimal("18.95")
    project.save()
    make_addresses_around(world.municipality, 69.65, 18.95, 60)
    neighbour_list = services.neighbour_list_compute(project=project, radius_m=200)
    services.neighbour_entry_remove(entry=neighbour_list.entries.order_by("pk").first())
    visitor.login(world.users["coordinator"])

    url = reverse("stakeholders:neighbour_list", args=[project.pk])
    page = visitor.open(f"{url}?q=Spiralveien+7")
    assert page.locator("main table tbody tr").count() == 50
    page.locator("#id_radius_m").fill("50000")
    with page.expect_navigation() as navigation:
        page.locator("main form.form-stack").first.locator("button[type=submit]").click()
    assert navigation.value.status == 400
    assert page.locator(".ds-error-summary").is_visible()
    visitor.audit()

    visitor.login(world.users["admin"])
    visitor.open(reverse("stakeholders:addresses"))
    visitor.assert_no_problems()


def test_stakeholder_register_pages(world, visitor):
    from naboskap.stakeholders.models import Organisation

    project = world.project
    vel = register_services.organisation_create(
        municipality=world.municipality,
        name="Lindeveien velforening",
        kind=Organisation.Kind.RESIDENTS,
        tags=["nærmiljø"],
        projects=[project],
    )
    kari = register_services.person_create(
        municipality=world.municipality,
        name="Eva Solberg",
        organisation=vel,
        role="leder",
        projects=[project],
    )
    register_services.interaction_log(
        project=project,
        user=world.users["coordinator"],
        channel="meeting",
        direction="out",
        summary="Dialogmøte om uteområdet",
        organisations=[vel],
        persons=[kari],
        needs_follow_up=True,
    )
    register_services.assessment_add(
        project=project,
        created_by=None,
        organisation=vel,
        influence=4,
        affected=5,
        stance="worried",
        main_concerns="Trygghet",
    )
    visitor.login(world.users["coordinator"])
    for url in (
        reverse("stakeholders:organisation_list"),
        reverse("stakeholders:organisation_detail", args=[vel.pk]),
        reverse("stakeholders:person_list"),
        reverse("stakeholders:person_detail", args=[kari.pk]),
        reverse("stakeholders:person_edit", args=[kari.pk]),
        reverse("stakeholders:person_erase", args=[kari.pk]),
        reverse("stakeholders:interaction_list", args=[project.pk]),
        reverse("stakeholders:analysis", args=[project.pk]),
    ):
        visitor.open(url)
        visitor.assert_no_problems()
    page = visitor.open(reverse("stakeholders:interaction_create", args=[project.pk]))
    page.locator("#id_summary").fill("")
    with page.expect_navigation() as navigation:
        page.locator("main form.form-stack button[type=submit]").click()
    assert navigation.value.status == 400
    visitor.audit()


def test_place_analysis_letters_and_register_files(world, visitor):
    import datetime

    from django.utils import timezone

    from naboskap.meetings.models import Meeting
    from naboskap.stakeholders.places import services as place_services

    project = world.project
    project.latitude, project.longitude = Decimal("69.65"), Decimal("18.95")
    project.save()
    coordinator = world.users["coordinator"]
    place_services.place_analysis_edit(
        project=project, by=coordinator, site_description="Et boligfelt ved skolen."
    )
    place_services.place_item_add(
        project=project,
        by=coordinator,
        item="site",
        kind="school",
        name="Fjordby skole",
        latitude=69.651,
        longitude=18.951,
    )
    place_services.place_item_add(
        project=project,
        by=coordinator,
        item="event",
        occurred_on=datetime.date(2026, 1, 10),
        kind="media",
        title="Avisoppslag om tiltaket",
        source="https://example.org/artikkel-med-en-svaert-lang-adresse-som-ikke-skal-bryte-siden",
    )
    place_services.place_item_add(
        project=project, by=coordinator, item="theme", name="Trafikk", count=7
    )
    place_services.place_analysis_publish(project=project, by=coordinator)
    make_addresses_around(world.municipality, 69.65, 18.95, 3)
    services.neighbour_list_compute(project=project, radius_m=200)
    starts = timezone.now() + datetime.timedelta(days=7)
    Meeting.objects.create(
        project=project,
        kind="information",
        title="Informasjonsmøte",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
    )
    template = place_services.letter_template_create(
        municipality=world.municipality,
        project=project,
        name="Nabobrev",
        heading="Invitasjon: {title}",
        body="Tid: {time}",
    )
    visitor.login(coordinator)

    page = visitor.open(reverse("stakeholders:place_analysis", args=[project.pk]))
    page.locator("#id_site-name").fill("Lekeplassen")
    page.locator("#id_site-address").fill("Månestien 99")  # not in the register
    with page.expect_navigation() as navigation:
        page.locator("#site-form-heading").locator("xpath=..").locator(
            "button[type=submit]"
        ).click()
    assert navigation.value.status == 400
    assert page.locator(".ds-error-summary").is_visible()
    visitor.audit()
    visitor.open(reverse("stakeholders:place_version", args=[project.pk, 1]))

    visitor.open(reverse("stakeholders:letters", args=[project.pk]))
    visitor.open(reverse("stakeholders:letter_template_edit", args=[project.pk, template.pk]))
    page = visitor.open(reverse("stakeholders:letter_template_create", args=[project.pk]))
    page.locator("#id_body").fill("Kom {tid}")
    with page.expect_navigation() as navigation:
        page.locator("main form.form-stack button[type=submit]").click()
    assert navigation.value.status == 400
    visitor.audit()

    page = visitor.open(reverse("stakeholders:register_import"))
    page.locator("#id_file").set_input_files(
        files=[
            {
                "name": "register.csv",
                "mimeType": "text/csv",
                "buffer": b"navn;type\nVel;residents\nKlubb;klubb\n",
            }
        ]
    )
    page.locator("main form.form-stack button[type=submit]").click()
    page.wait_for_selector("#report-heading")
    visitor.audit()
    visitor.assert_no_problems()
