"""One municipality context for staff with several municipalities, and each user's own
language for pages and emails (issue 15)."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from naboskap.concerns import tasks as concern_tasks
from naboskap.conftest import client_for, make_staff, send_outbox
from naboskap.reports import services as report_services
from naboskap.reports.models import StatusReport
from naboskap.tenancy.models import Membership, Municipality, Profile, Role
from naboskap.tenancy.rules import memberships_of
from naboskap.tenancy.selectors import (
    current_municipality,
    language_for,
    municipalities_of,
    recipients_by_language,
)
from naboskap.testing.factories import MembershipFactory, MunicipalityFactory, make_concern

pytestmark = pytest.mark.django_db

MY_PROJECTS = reverse("projects:my_projects")
SWITCH = reverse("tenancy:switch_municipality")
PROFILE = reverse("tenancy:profile")


@pytest.fixture
def consultant(world):
    """An administrator in both Fjordby and Annenby (Annenby comes first by name)."""
    user = make_staff(world.municipality, Role.ADMIN, username="konsulent")
    MembershipFactory(user=user, municipality=world.other_municipality, role=Role.ADMIN)
    return user


def stored(user) -> Municipality | None:
    profile = Profile.objects.filter(user=user).first()
    return profile.municipality if profile else None


def fresh(user):
    """The user as a new request loads it (nothing kept from earlier reads)."""
    return get_user_model().objects.get(pk=user.pk)


# The helper -------------------------------------------------------------------------------


def test_the_first_municipality_by_name_is_chosen_and_remembered(world, consultant):
    assert [m.name for m in municipalities_of(fresh(consultant))] == [
        "Annenby kommune",
        "Fjordby kommune",
    ]
    assert current_municipality(fresh(consultant)) == world.other_municipality
    assert stored(consultant) == world.other_municipality


def test_the_stored_choice_holds_only_while_the_user_has_a_role_there(world, consultant):
    third = MunicipalityFactory(name="Tredjeby kommune")
    MembershipFactory(user=consultant, municipality=third, role=Role.COORDINATOR)
    Profile.objects.create(user=consultant, municipality=world.municipality)
    assert current_municipality(fresh(consultant)) == world.municipality
    Membership.objects.filter(user=consultant, municipality=world.municipality).delete()
    assert current_municipality(fresh(consultant)) == world.other_municipality
    assert stored(consultant) == world.other_municipality


def test_staff_of_one_municipality_need_no_stored_choice(world, django_assert_num_queries):
    coordinator = fresh(world.users["coordinator"])
    memberships_of(coordinator)
    with django_assert_num_queries(0):  # the site's own municipality is theirs
        assert current_municipality(coordinator, world.municipality) == world.municipality
    with django_assert_num_queries(1):  # on another municipality's site: read once
        assert current_municipality(coordinator, world.other_municipality) == world.municipality
    assert not Profile.objects.filter(user=coordinator).exists()


def test_the_context_costs_one_query_and_is_then_kept(world, consultant, django_assert_num_queries):
    Profile.objects.create(user=consultant, municipality=world.municipality)
    user = fresh(consultant)
    with django_assert_num_queries(1):  # the memberships: loaded once per request anyway
        memberships_of(user)
    with django_assert_num_queries(1):  # the profile with its municipality
        assert current_municipality(user) == world.municipality
    with django_assert_num_queries(0):  # kept on the request's user from then on
        for _ in range(5):
            assert current_municipality(user) == world.municipality
            language_for(user, world.municipality)


def test_a_user_without_a_role_has_no_municipality(world):
    user = get_user_model().objects.create_user("ingen", "ingen@example.org", "x")
    assert current_municipality(user) is None
    assert municipalities_of(user) == []


# Lists show the current municipality only; switching -------------------------------------


def test_lists_show_the_current_municipality_only_and_switching_shows_the_other(world, consultant):
    # References count per municipality, so the list is told apart by the concerns' links.
    fjordby_concern = reverse("concerns:detail", args=[make_concern(world.project).pk])
    annenby_concern = reverse("concerns:detail", args=[make_concern(world.other_project).pk])
    client = client_for(consultant)

    projects = client.get(MY_PROJECTS)
    assert projects.status_code == 200
    assert "Annenvei" in projects.content.decode()
    assert "Lindeveien" not in projects.content.decode()
    inbox = client.get(reverse("concerns:inbox")).content.decode()
    assert annenby_concern in inbox
    assert fjordby_concern not in inbox
    settings_page = client.get(reverse("concerns:settings"))
    assert settings_page.status_code == 200
    assert settings_page.context["municipality"] == world.other_municipality

    switched = client.post(SWITCH, {"municipality": world.municipality.pk})
    assert switched.status_code == 302
    assert switched["Location"] == reverse("insights:home")
    assert stored(consultant) == world.municipality

    projects = client.get(MY_PROJECTS).content.decode()
    assert "Lindeveien" in projects
    assert "Annenvei" not in projects
    inbox = client.get(reverse("concerns:inbox")).content.decode()
    assert fjordby_concern in inbox
    assert annenby_concern not in inbox
    assert client.get(reverse("concerns:settings")).context["municipality"] == world.municipality


def test_the_report_list_shows_the_current_municipalitys_reports(world, consultant):
    day = datetime.date(2026, 1, 31)
    made = {
        m.pk: report_services.report_create(
            municipality=m,
            project=None,
            period_start=day.replace(day=1),
            period_end=day,
            created_by=consultant,
            notify=False,
        )
        for m in (world.municipality, world.other_municipality)
    }
    assert StatusReport.objects.count() == 2
    client = client_for(consultant)
    page = client.get(reverse("reports:list"))
    assert page.status_code == 200
    assert list(page.context["page"]) == [made[world.other_municipality.pk]]
    client.post(SWITCH, {"municipality": world.municipality.pk})
    page = client.get(reverse("reports:list"))
    assert list(page.context["page"]) == [made[world.municipality.pk]]
    assert client.get(reverse("reports:create")).context["municipality"] == world.municipality


def test_a_new_project_belongs_to_the_current_municipality(world, consultant):
    from naboskap.projects.models import Project
    from naboskap.projects.tests.test_views import project_data

    client = client_for(consultant)
    client.post(SWITCH, {"municipality": world.municipality.pk})
    created = client.post(reverse("projects:create"), project_data(world))
    assert created.status_code == 302
    project = Project.objects.get(name="Bjørkeveien omsorgsboliger")
    assert project.municipality == world.municipality


def test_the_choice_is_remembered_at_the_next_login(world, consultant):
    client_for(consultant).post(SWITCH, {"municipality": world.municipality.pk})
    again = client_for(consultant)  # another browser, a new login
    page = again.get(MY_PROJECTS).content.decode()
    assert "Lindeveien" in page
    assert "Annenvei" not in page


def test_nobody_switches_to_a_municipality_where_they_have_no_role(world):
    coordinator = world.users["coordinator"]
    client = client_for(coordinator)
    refused = client.post(SWITCH, {"municipality": world.other_municipality.pk})
    assert refused.status_code == 404
    assert not Profile.objects.filter(
        user=coordinator, municipality=world.other_municipality
    ).exists()
    for junk in ("", "abc", "99999999999999999999", str(world.other_municipality.pk) + "x"):
        assert client.post(SWITCH, {"municipality": junk}).status_code == 404
    assert not Profile.objects.filter(
        user=coordinator, municipality=world.other_municipality
    ).exists()
    assert client.get(SWITCH).status_code == 405


def test_the_switch_goes_back_only_to_a_safe_address(world, consultant):
    client = client_for(consultant)
    data = {"municipality": world.municipality.pk}
    routines = reverse("routines:list")
    assert client.post(SWITCH, {**data, "next": routines})["Location"] == routines
    for unsafe in ("https://evil.example.org/", "//evil.example.org/x", "javascript:alert(1)"):
        assert client.post(SWITCH, {**data, "next": unsafe})["Location"] == reverse("insights:home")


def test_a_link_to_the_other_municipalitys_concern_opens_it_and_switches(world, consultant):
    """An emailed link to a concern of Fjordby, while the user works in Annenby: the page
    opens, and the header, the menu and the lists follow it to Fjordby."""
    concern = make_concern(world.project)
    client = client_for(consultant)
    assert client.get(MY_PROJECTS).context["municipality"] == world.other_municipality
    page = client.get(reverse("concerns:detail", args=[concern.pk]))
    assert page.status_code == 200
    assert concern.reference in page.content.decode()
    assert stored(consultant) == world.municipality
    inbox = client.get(reverse("concerns:inbox"))
    assert inbox.context["municipality"] == world.municipality
    assert concern.reference in inbox.content.decode()


def test_the_other_municipalitys_project_opens_under_its_own_name(world, consultant):
    client = client_for(consultant)
    page = client.get(reverse("projects:detail", args=[world.project.pk]))
    assert page.status_code == 200
    header = page.content.decode().split("</header>")[0]
    assert "Fjordby kommune" in header


# The header -------------------------------------------------------------------------------


def test_the_header_names_the_current_municipality_and_offers_the_others(world, consultant):
    page = client_for(consultant).get(MY_PROJECTS)
    header = page.content.decode().split("</header>")[0]
    assert 'action="/app/kommune/"' in header
    annenby, fjordby = world.other_municipality.pk, world.municipality.pk
    assert f'<option value="{annenby}" selected>Annenby kommune</option>' in header
    assert f'<option value="{fjordby}">Fjordby kommune</option>' in header


def test_staff_of_one_municipality_get_no_switcher(world):
    page = client_for(world.users["coordinator"]).get(MY_PROJECTS)
    assert page.status_code == 200
    header = page.content.decode().split("</header>")[0]
    assert "Fjordby kommune" in header
    assert "/app/kommune/" not in header


# Each user's own language ----------------------------------------------------------------


def test_the_profile_language_changes_the_staff_pages(world):
    coordinator = world.users["coordinator"]
    client = client_for(coordinator)
    assert 'lang="nb"' in client.get(MY_PROJECTS).content.decode()
    saved = client.post(PROFILE, {"first_name": "Kari", "last_name": "Nordmann", "language": "en"})
    assert saved.status_code == 302
    profile = Profile.objects.get(user=coordinator)
    assert profile.language == "en"
    coordinator.refresh_from_db()
    assert coordinator.get_full_name() == "Kari Nordmann"
    # A new browser without any language cookie: the profile decides.
    page = client_for(coordinator).get(MY_PROJECTS)
    assert page["Content-Language"] == "en"
    assert "My projects" in page.content.decode()
    # The public switcher (the cookie) still wins.
    chosen = client_for(coordinator, language="nn").get(MY_PROJECTS)
    assert chosen["Content-Language"] == "nn"


def test_saving_the_profile_sets_the_language_at_once_even_over_an_old_choice(world):
    coordinator = world.users["coordinator"]
    client = client_for(coordinator, language="nn")
    response = client.post(PROFILE, {"first_name": "", "last_name": "", "language": "en"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert client.get(PROFILE)["Content-Language"] == "en"
    response = client.post(PROFILE, {"first_name": "", "last_name": "", "language": ""})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == ""  # deleted
    assert Profile.objects.get(user=coordinator).language == ""
    assert client.get(PROFILE)["Content-Language"] == "nb"  # the municipality's


def test_the_profile_page_refuses_a_language_it_does_not_offer(world):
    coordinator = world.users["coordinator"]
    client = client_for(coordinator)
    page = client.get(PROFILE)
    assert page.status_code == 200
    assert coordinator.email in page.content.decode()
    assert "sessions: lead" not in page.content.decode()  # a template comment only
    refused = client.post(PROFILE, {"first_name": "Ola", "last_name": "Normann", "language": "de"})
    assert refused.status_code == 400
    assert 'value="Ola"' in refused.content.decode()  # nothing typed is lost
    assert not Profile.objects.filter(user=coordinator, language="de").exists()
    coordinator.refresh_from_db()
    assert coordinator.first_name != "Ola"


def test_a_unit_notice_reaches_each_handler_in_their_own_language(world):
    concern = make_concern(world.project)
    unit = concern.assigned_unit
    unit.email = "eiendom@example.org"
    unit.save(update_fields=["email"])
    english = make_staff(world.municipality, Role.CASE_HANDLER, unit=unit, username="english")
    Profile.objects.create(user=english, language="en")
    norsk = make_staff(world.municipality, Role.CASE_HANDLER, unit=unit, username="norsk")
    mail.outbox.clear()
    concern_tasks.notify_unit.call(concern.pk)
    send_outbox()
    # One email each (nobody sees the others' addresses), in each one's language.
    by_recipient = {tuple(message.to): message.subject for message in mail.outbox}
    assert by_recipient == {
        (english.email,): f"New concern {concern.reference} for {unit.name}",
        (norsk.email,): f"Ny melding {concern.reference} til {unit.name}",
        ("eiendom@example.org",): f"Ny melding {concern.reference} til {unit.name}",
    }


def test_recipients_are_grouped_by_language_with_the_unit_address_in_the_municipalitys(world):
    nynorsk = make_staff(world.municipality, Role.POLITICIAN, username="nynorsk")
    Profile.objects.create(user=nynorsk, language="nn")
    plain = world.users["politician"]
    groups = recipients_by_language(
        [fresh(nynorsk), fresh(plain)], world.municipality, ["post@example.org", ""]
    )
    assert groups == {"nn": [nynorsk.email], "nb": sorted([plain.email, "post@example.org"])}


def test_a_status_report_email_reaches_each_politician_in_their_own_language(world):
    from naboskap.reports.tasks import email_report

    english = make_staff(world.municipality, Role.POLITICIAN, username="english_politician")
    Profile.objects.create(user=english, language="en")
    report = report_services.report_create(
        municipality=world.municipality,
        project=None,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 1, 31),
        created_by=world.users["admin"],
        notify=False,
    )
    mail.outbox.clear()
    assert email_report.call(report.pk) == 2
    send_outbox()
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects[english.email].startswith("New status report: ")
    assert subjects[world.users["politician"].email].startswith("Ny statusrapport: ")


def test_a_suggestion_notice_reaches_the_dialogue_owner_in_their_own_language(world):
    from naboskap.plans import services as plan_services
    from naboskap.plans.inputs.tasks import input_submitted

    Profile.objects.create(user=world.users["coordinator"], language="nn")  # the dialogue owner
    suggestion, _created = plan_services.input_submit_public(
        project=world.project,
        idempotency_key="context-input-key-0001",
        text="Vi ønsker en benk ved lekeplassen.",
        contact_email="nabo@example.org",
    )
    mail.outbox.clear()
    input_submitted.call(suggestion.pk)
    send_outbox()
    assert [message.to for message in mail.outbox] == [[world.users["coordinator"].email]]
    assert mail.outbox[0].subject == "Lindeveien: eit nytt forslag ventar på moderering"


# One helper decides the municipality of every staff page without an object -----------------

# Pages whose view names the municipality it works in.
NAMING_PAGES = [
    "concerns:settings",
    "privacy:index",
    "insights:municipality_dashboard",
    "reports:create",
]


def test_every_page_works_in_the_chosen_municipality(world, consultant):
    """The user chose Fjordby, though Annenby comes first by name: every page without an
    object in its address works in Fjordby."""
    from naboskap.insights.services import template_ensure_default
    from naboskap.risk.services import scale_ensure_default

    for municipality in (world.municipality, world.other_municipality):
        template_ensure_default(municipality=municipality)
        scale_ensure_default(municipality)
    annenby_only = make_staff(world.other_municipality, Role.COORDINATOR, username="annenby")
    client = client_for(consultant)
    assert client.post(SWITCH, {"municipality": world.municipality.pk}).status_code == 302
    for name in NAMING_PAGES:
        page = client.get(reverse(name))
        assert page.status_code == 200, name
        assert page.context["municipality"] == world.municipality, name
    scales = client.get(reverse("risk:scale_list"))
    assert scales.status_code == 200
    assert {s.municipality_id for s in scales.context["scales"]} == {world.municipality.pk}
    templates = client.get(reverse("insights:template_list"))
    assert templates.status_code == 200
    assert {t.municipality_id for t in templates.context["templates"]} == {world.municipality.pk}
    members = client.get(reverse("administration:users")).content.decode()
    assert world.users["coordinator"].email in members
    assert annenby_only.email not in members


def test_a_page_asks_its_permission_in_the_chosen_municipality(world):
    """An administrator in Annenby who only coordinates in Fjordby: the administration pages
    open while they work in Annenby, and answer 403 once they chose Fjordby."""
    user = make_staff(world.other_municipality, Role.ADMIN, username="annenby_admin")
    MembershipFactory(user=user, municipality=world.municipality, role=Role.COORDINATOR)
    client = client_for(user)
    users_page = reverse("administration:users")
    assert client.get(users_page).status_code == 200
    assert client.get(reverse("concerns:settings")).status_code == 200
    client.post(SWITCH, {"municipality": world.municipality.pk})
    assert client.get(users_page).status_code == 403
    assert client.get(reverse("concerns:settings")).status_code == 403
    assert client.get(MY_PROJECTS).context["municipality"] == world.municipality
