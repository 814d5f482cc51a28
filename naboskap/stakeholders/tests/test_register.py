"""The stakeholder register: organisations and persons, who sees persons, erasure on request,
the interaction log (with follow-up measures) and the stakeholder analysis."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from naboskap.conftest import english, make_staff
from naboskap.plans.models import Measure
from naboskap.stakeholders.models import Assessment, ErasureLog, Interaction, Organisation, Person
from naboskap.stakeholders.register import services
from naboskap.tenancy.models import Role
from naboskap.testing.factories import ProjectFactory

TODAY = timezone.localdate()


def url(name, *args):
    return reverse(f"stakeholders:{name}", args=args)


@pytest.fixture
def vel(world):
    return services.organisation_create(
        municipality=world.municipality,
        name="Lindeveien velforening",
        kind=Organisation.Kind.RESIDENTS,
        tags=["nærmiljø"],
        projects=[world.project],
    )


@pytest.fixture
def kari(world, vel):
    return services.person_create(
        municipality=world.municipality,
        name="Kari Nordmann",
        email="kari@example.org",
        organisation=vel,
        role="leder",
        lawful_basis=Person.LawfulBasis.CONSENT,
        consent_given_on=TODAY,
        consent_how="Skjema på møtet",
        consent_purpose="Invitasjoner til dialogmøter",
        preferred_channels=["email"],
        projects=[world.project],
    )


def log(world, **fields):
    values = {
        "project": world.project,
        "user": world.users["coordinator"],
        "channel": "meeting",
        "direction": "out",
        "summary": "Møte med velforeningen om uteområdet",
        **fields,
    }
    return services.interaction_log(**values)


# The register ------------------------------------------------------------------------------


def test_a_coordinator_adds_an_organisation_with_tags_and_projects(world):
    client = english(world.users["coordinator"])
    response = client.post(
        url("organisation_create"),
        {
            "name": "Fjordby FAU",
            "kind": "school",
            "email": "fau@example.org",
            "tags_text": "skolevei, nærmiljø, skolevei",
            "projects": [world.project.pk],
        },
    )
    organisation = Organisation.objects.get(name="Fjordby FAU")
    assert response.status_code == 302
    assert sorted(t.name for t in organisation.tags.all()) == ["nærmiljø", "skolevei"]
    assert list(organisation.projects.all()) == [world.project]


def test_a_duplicate_organisation_name_is_a_clear_400_that_keeps_the_input(world, vel):
    client = english(world.users["coordinator"])
    response = client.post(
        url("organisation_create"),
        {"name": vel.name, "kind": "residents", "notes": "Mine notater"},
    )
    assert response.status_code == 400
    assert "Mine notater" in response.content.decode()
    assert Organisation.objects.count() == 1


def test_an_empty_post_shows_errors(world):
    client = english(world.users["coordinator"])
    assert client.post(url("organisation_create")).status_code == 400
    assert client.post(url("person_create")).status_code == 400
    assert Person.objects.count() == 0


def test_consent_as_basis_needs_a_date_not_in_the_future(world):
    client = english(world.users["coordinator"])
    data = {"name": "Ola Nabo", "kind": "neighbour", "lawful_basis": "consent"}
    response = client.post(url("person_create"), data)
    assert response.status_code == 400
    assert "Give the date of the consent" in response.content.decode()
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    response = client.post(url("person_create"), {**data, "consent_given_on": tomorrow})
    assert response.status_code == 400
    assert Person.objects.count() == 0


def test_the_register_filters_by_kind_tag_project_and_search(world, vel):
    services.organisation_create(municipality=world.municipality, name="Politiet", kind="police")
    tag = vel.tags.get()
    client = english(world.users["case_handler"])
    for params in (
        {"kind": "residents"},
        {"tag": tag.pk},
        {"project": world.project.pk},
        {"q": "velfor"},
    ):
        content = client.get(url("organisation_list"), params).content.decode()
        assert "Lindeveien velforening" in content and "Politiet" not in content, params
    assert client.get(url("organisation_list"), {"tag": "nonsense"}).status_code == 400


def test_persons_are_seen_only_by_the_project_team(world, kari):
    elsewhere = ProjectFactory(
        municipality=world.municipality, responsible_unit=world.project.responsible_unit
    )
    hidden = services.person_create(
        municipality=world.municipality, name="Per Annenprosjekt", projects=[elsewhere]
    )
    staff = english(world.users["facility_staff"])  # on Lindeveien's team only
    content = staff.get(url("person_list")).content.decode()
    assert "Kari Nordmann" in content and "Per Annenprosjekt" not in content
    assert staff.get(url("person_detail", hidden.pk)).status_code == 404
    assert (
        english(world.users["coordinator"]).get(url("person_detail", hidden.pk)).status_code == 200
    )
    for persona in ("case_handler", "police", "politician"):
        client = english(world.users[persona])
        assert client.get(url("person_detail", kari.pk)).status_code == 404
        assert client.get(url("person_list")).status_code == 403
        assert (
            "Kari Nordmann"
            not in client.get(url("organisation_detail", kari.organisation.pk)).content.decode()
        )


def test_a_project_coordinator_cannot_link_a_person_to_projects_outside_their_team(world):
    elsewhere = ProjectFactory(
        municipality=world.municipality, responsible_unit=world.project.responsible_unit
    )
    user = make_staff(world.municipality, Role.COORDINATOR, project=world.project)
    response = english(user).post(
        url("person_create"),
        {
            "name": "Ola",
            "kind": "neighbour",
            "lawful_basis": "public_task",
            "projects": [elsewhere.pk],
        },
    )
    assert response.status_code == 400
    assert not Person.objects.exists()


# Erasure -----------------------------------------------------------------------------------


def test_erasing_a_person_keeps_their_interactions_without_them(world, kari, vel):
    interaction = log(world, persons=[kari], organisations=[vel])
    services.assessment_add(
        project=world.project,
        created_by=None,
        person=kari,
        influence=2,
        affected=5,
        stance="worried",
    )
    pk = kari.pk
    assert LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Person), object_pk=str(pk)
    ).exists()
    client = english(world.users["coordinator"])
    response = client.post(
        url("person_erase", pk), {"reason": "Ba om sletting (e-post 4. mai)", "confirm": "on"}
    )
    assert response.status_code == 302
    assert not Person.objects.filter(pk=pk).exists()
    interaction.refresh_from_db()
    assert list(interaction.persons.all()) == []
    assert list(interaction.organisations.all()) == [vel]
    assert not Assessment.objects.filter(person_id=pk).exists()
    entry = ErasureLog.objects.get()
    assert entry.erased_by == world.users["coordinator"]
    assert entry.interactions_kept == 1
    assert "Kari" not in entry.reason and "Kari" not in str(entry)
    # The audit log no longer holds the person's fields.
    assert not LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Person), object_pk=str(pk)
    ).exists()
    assert "Kari" not in "".join(str(e.changes) + e.object_repr for e in LogEntry.objects.all())
    assert (
        client.get(url("interaction_detail", world.project.pk, interaction.pk)).status_code == 200
    )


def test_erasure_needs_a_reason_and_a_confirmation(world, kari):
    client = english(world.users["coordinator"])
    response = client.post(url("person_erase", kari.pk), {"reason": "  ", "confirm": "on"})
    assert response.status_code == 400
    response = client.post(url("person_erase", kari.pk), {"reason": "Ba om det"})
    assert response.status_code == 400
    assert "Tick the box" in response.content.decode()
    assert Person.objects.filter(pk=kari.pk).exists() and not ErasureLog.objects.exists()


def test_facility_staff_see_but_cannot_erase(world, kari):
    client = english(world.users["facility_staff"])
    assert client.get(url("person_detail", kari.pk)).status_code == 200
    response = client.post(url("person_erase", kari.pk), {"reason": "x", "confirm": "on"})
    assert response.status_code == 403
    assert Person.objects.filter(pk=kari.pk).exists()


# Interactions ------------------------------------------------------------------------------


def test_logging_an_interaction_links_the_stakeholders_to_the_project(world):
    lonely = services.person_create(municipality=world.municipality, name="Ola Nabo")
    org = services.organisation_create(municipality=world.municipality, name="Fjordby FAU")
    interaction = log(world, persons=[lonely], organisations=[org])
    assert list(lonely.projects.all()) == [world.project] == list(org.projects.all())
    assert interaction.measures.count() == 0


def test_needs_follow_up_puts_a_measure_on_the_plan_that_shows_its_source(world, vel):
    client = english(world.users["facility_staff"])
    response = client.post(
        url("interaction_create", world.project.pk),
        {
            "occurred_on": TODAY.isoformat(),
            "channel": "phone",
            "direction": "in",
            "summary": "Velforeningen ber om bedre belysning på gangveien",
            "organisations": [vel.pk],
            "needs_follow_up": "on",
        },
    )
    assert response.status_code == 302
    interaction = Interaction.objects.get()
    measure = Measure.objects.get(interaction=interaction)
    assert measure.project == world.project
    assert measure.owner_unit == world.project.responsible_unit
    assert "belysning" in measure.title
    page = english(world.users["coordinator"]).get(measure.get_absolute_url()).content.decode()
    assert f"Interaction: {interaction}" in page
    timeline = client.get(url("interaction_list", world.project.pk)).content.decode()
    assert measure.title in timeline


def test_bad_interactions_are_clear_400s(world):
    client = english(world.users["coordinator"])
    other_org = services.organisation_create(
        municipality=world.other_municipality, name="Annenby vel"
    )
    future = (TODAY + datetime.timedelta(days=3)).isoformat()
    cases = [
        {"occurred_on": future, "channel": "phone", "direction": "in", "summary": "Hei"},
        {"occurred_on": "2026-13-40", "channel": "phone", "direction": "in", "summary": "Hei"},
        {"occurred_on": TODAY.isoformat(), "channel": "pigeon", "direction": "in", "summary": "x"},
        {"occurred_on": TODAY.isoformat(), "channel": "phone", "direction": "up", "summary": "x"},
        {"occurred_on": TODAY.isoformat(), "channel": "phone", "direction": "in", "summary": ""},
        {
            "occurred_on": TODAY.isoformat(),
            "channel": "phone",
            "direction": "in",
            "summary": "Hei",
            "organisations": [other_org.pk],
        },
    ]
    for data in cases:
        response = client.post(url("interaction_create", world.project.pk), data)
        assert response.status_code == 400, data
    assert not Interaction.objects.exists() and not Measure.objects.exists()


def test_a_stakeholder_timeline_lists_their_interactions_newest_first(world, kari):
    log(
        world,
        persons=[kari],
        summary="Første møte",
        occurred_on=TODAY - datetime.timedelta(days=30),
    )
    log(
        world,
        persons=[kari],
        summary="Andre samtale",
        occurred_on=TODAY - datetime.timedelta(days=2),
    )
    log(world, summary="Uten Kari")
    content = (
        english(world.users["coordinator"]).get(url("person_detail", kari.pk)).content.decode()
    )
    assert content.index("Andre samtale") < content.index("Første møte")
    assert "Uten Kari" not in content


# Stakeholder analysis ----------------------------------------------------------------------


def test_assessments_keep_their_history_and_the_page_shows_the_change(world, vel):
    services.assessment_add(
        project=world.project,
        created_by=None,
        organisation=vel,
        influence=4,
        affected=5,
        stance="opposed",
        assessed_on=TODAY - datetime.timedelta(days=60),
    )
    services.assessment_add(
        project=world.project,
        created_by=None,
        organisation=vel,
        influence=4,
        affected=4,
        stance="worried",
        main_concerns="Trafikk ved skolen",
    )
    content = (
        english(world.users["coordinator"]).get(url("analysis", world.project.pk)).content.decode()
    )
    assert 'role="img"' in content and "<title" in content and "<desc" in content
    assert 'data-influence="4" data-stance="worried" data-numbers="1"' in content
    assert "(was Opposed)" in content
    assert content.count("Lindeveien velforening") >= 3  # the table and both history rows


def test_bad_assessments_are_clear_400s(world, vel):
    client = english(world.users["coordinator"])
    good = {
        "stakeholder": f"o{vel.pk}",
        "assessed_on": TODAY.isoformat(),
        "influence": "3",
        "affected": "3",
        "stance": "neutral",
    }
    other = services.organisation_create(municipality=world.other_municipality, name="Annenby")
    for bad in (
        {"influence": "6"},
        {"affected": "0"},
        {"stance": "furious"},
        {"stakeholder": f"o{other.pk}"},
        {"stakeholder": "p999999"},
        {"assessed_on": (TODAY + datetime.timedelta(days=1)).isoformat()},
    ):
        response = client.post(url("assessment_create", world.project.pk), {**good, **bad})
        assert response.status_code == 400, bad
    assert not Assessment.objects.exists()
    assert client.post(url("assessment_create", world.project.pk), good).status_code == 302


def test_the_service_refuses_two_stakeholders_or_none(world, vel, kari):
    from django.core.exceptions import ValidationError

    for kwargs in ({}, {"organisation": vel, "person": kari}):
        with pytest.raises(ValidationError):
            services.assessment_add(
                project=world.project,
                created_by=None,
                influence=1,
                affected=1,
                stance="neutral",
                **kwargs,
            )


# Query counts ------------------------------------------------------------------------------


def _fill(world, n):
    for i in range(n):
        org = services.organisation_create(
            municipality=world.municipality,
            name=f"Org {i:03}",
            tags=[f"t{i % 3}"],
            projects=[world.project],
        )
        person = services.person_create(
            municipality=world.municipality,
            name=f"Person {i:03}",
            organisation=org,
            tags=["nabo"],
            projects=[world.project],
        )
        log(world, persons=[person], organisations=[org], needs_follow_up=i % 2 == 0)
        services.assessment_add(
            project=world.project,
            created_by=None,
            organisation=org,
            influence=1 + i % 5,
            affected=3,
            stance="neutral",
        )


@pytest.mark.parametrize(
    "name,args",
    [
        ("organisation_list", lambda w: []),
        ("person_list", lambda w: []),
        ("interaction_list", lambda w: [w.project.pk]),
        ("analysis", lambda w: [w.project.pk]),
        ("organisation_detail", lambda w: [Organisation.objects.order_by("pk").first().pk]),
        ("person_detail", lambda w: [Person.objects.order_by("pk").first().pk]),
    ],
)
def test_list_pages_make_the_same_queries_for_few_and_many_rows(
    world, name, args, django_assert_max_num_queries
):
    client = english(world.users["coordinator"])
    counts, made = [], 0
    for size in (3, 40):
        _fill(world, size - made) if made == 0 else None
        if made:
            for i in range(made, size):
                org = services.organisation_create(
                    municipality=world.municipality,
                    name=f"Org {i:03}",
                    tags=[f"t{i % 3}"],
                    projects=[world.project],
                )
                first = Person.objects.order_by("pk").first()
                person = services.person_create(
                    municipality=world.municipality,
                    name=f"Person {i:03}",
                    organisation=org,
                    tags=["nabo"],
                    projects=[world.project],
                )
                first_org = Organisation.objects.order_by("pk").first()
                log(
                    world,
                    persons=[person, first],
                    organisations=[org, first_org],
                    needs_follow_up=True,
                )
                services.assessment_add(
                    project=world.project,
                    created_by=None,
                    organisation=org,
                    influence=1 + i % 5,
                    affected=3,
                    stance="worried",
                )
        made = size
        client.get(url(name, *args(world)))  # a page's first request does one more
        with django_assert_max_num_queries(17), CaptureQueriesContext(connection) as queries:
            response = client.get(url(name, *args(world)))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# Links -------------------------------------------------------------------------------------


def test_the_menu_and_the_project_page_link_the_register(world):
    project_url = reverse("projects:detail", args=[world.project.pk])
    team = english(world.users["facility_staff"]).get(project_url).content.decode()
    assert url("interaction_list", world.project.pk) in team
    assert url("analysis", world.project.pk) in team
    assert url("organisation_list") in team  # the staff menu
    police = english(world.users["police"]).get(project_url).content.decode()
    assert url("interaction_list", world.project.pk) not in police
    assert url("organisation_list") in police


def test_the_outsider_sees_only_their_own_municipalitys_register(world, vel):
    services.organisation_create(municipality=world.other_municipality, name="Annenby vel")
    content = english(world.users["outsider"]).get(url("organisation_list")).content.decode()
    assert "Annenby vel" in content and "Lindeveien velforening" not in content
