"""Need-to-know for suggestions: who reads what a neighbour wrote and their email address,
who sees only the counts and the published answers, the access log, the notification's
recipients and the exports of the plan. Through HTTP, persona by persona."""

import io

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from openpyxl import load_workbook

from naboskap.conftest import client_for, make_staff
from naboskap.plans import services
from naboskap.plans.inputs.tasks import suggestion_recipients
from naboskap.plans.models import Input
from naboskap.tenancy.models import Role
from naboskap.testing.factories import ProjectFactory, UserFactory

RAW = "Naboen i nr. 3 roper om natta"
EMAIL = "kari.nabo@example.org"
PUBLISHED_RAW = "Ola Nordmann vil ha benker"
PUBLIC_TEXT = "Flere benker ved lekeplassen."

# Who handles the project's inputs: the municipality's administrator and coordinator (the
# project's dialogue owner), and the case handlers of the project's responsible unit.
HANDLERS = {"admin", "coordinator", "unit_handler"}
# Everyone else with a role in the project: counts and published answers only.
OTHERS = {"case_handler", "facility_staff", "caretaker", "police", "politician"}


@pytest.fixture
def people(world):
    """The world's personas, a caretaker and a case handler of the responsible unit."""
    users = dict(world.users)
    users["caretaker"] = make_staff(world.municipality, Role.CARETAKER, username="caretaker")
    users["unit_handler"] = make_staff(
        world.municipality,
        Role.CASE_HANDLER,
        unit=world.project.responsible_unit,
        username="unit_handler",
    )
    return users


@pytest.fixture
def clients(people):
    found = {name: client_for(user, language="en") for name, user in people.items()}
    found["anonymous"] = client_for(None, language="en")
    return found


@pytest.fixture
def inputs(world):
    """A pending suggestion with an email, and a published one with a curated text."""
    pending, _created = services.input_submit_public(
        project=world.project, idempotency_key="ntk-key-000001", text=RAW, contact_email=EMAIL
    )
    published, _created = services.input_submit_public(
        project=world.project,
        idempotency_key="ntk-key-000002",
        text=PUBLISHED_RAW,
        contact_email="ola@example.org",
    )
    services.input_decide(input=published, decision="adopted", decision_reason="Vi setter opp to.")
    services.input_publish(input=published, public_text=PUBLIC_TEXT)
    return pending, published


def detail_url(input):
    return reverse("inputs:detail", args=[input.project_id, input.pk])


def access_entries(input):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Input),
        object_pk=str(input.pk),
        action=LogEntry.Action.ACCESS,
    )


@pytest.mark.parametrize("persona", sorted(HANDLERS))
def test_handlers_read_the_text_and_email_and_the_opening_is_logged(
    world, people, clients, inputs, persona
):
    pending, _published = inputs
    listing = clients[persona].get(reverse("inputs:list", args=[world.project.pk]))
    assert listing.status_code == 200
    assert RAW in listing.content.decode()
    page = clients[persona].get(detail_url(pending))
    body = page.content.decode()
    assert page.status_code == 200
    assert RAW in body and EMAIL in body
    entry = access_entries(pending).get()
    assert entry.actor == people[persona]
    assert RAW not in entry.object_repr and EMAIL not in entry.object_repr


@pytest.mark.parametrize("persona", sorted(OTHERS))
def test_others_see_counts_and_published_answers_never_the_text(world, clients, inputs, persona):
    listing = clients[persona].get(reverse("inputs:list", args=[world.project.pk]))
    body = listing.content.decode()
    assert listing.status_code == 200
    assert "2 inputs" in body
    assert "Waiting for moderation: <strong>1</strong>" in body
    assert "Published: <strong>1</strong>" in body
    assert PUBLIC_TEXT in body and "Vi setter opp to." in body  # the published answer
    for secret in (RAW, EMAIL, PUBLISHED_RAW, "ola@example.org"):
        assert secret not in body
    for input in inputs:
        page = clients[persona].get(detail_url(input))
        assert page.status_code == 403
        assert RAW not in page.content.decode()
        assert not access_entries(input).exists()


def test_anonymous_is_sent_to_the_login(world, clients, inputs):
    pending, _published = inputs
    for url in (reverse("inputs:list", args=[world.project.pk]), detail_url(pending)):
        response = clients["anonymous"].get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_others_cannot_search_the_text_through_the_list(world, clients, inputs):
    """The filter would tell whether a word is in a suggestion: others get no filter."""
    response = clients["politician"].get(
        reverse("inputs:list", args=[world.project.pk]), {"q": "natta", "moderation": "pending"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "2 inputs" in body and RAW not in body and "Filter and search" not in body


def test_the_coordinator_reads_who_opened_the_input(world, people, clients, inputs):
    pending, _published = inputs
    clients["unit_handler"].get(detail_url(pending))
    page = clients["coordinator"].get(detail_url(pending)).content.decode()
    assert "Who opened this input" in page
    handler = people["unit_handler"]
    assert (handler.get_full_name() or handler.username) in page
    assert access_entries(pending).count() == 2
    # The case handler reads the input but not who else did.
    assert (
        "Who opened this input"
        not in clients["unit_handler"].get(detail_url(pending)).content.decode()
    )


def test_the_edit_page_is_logged_too(world, clients, inputs):
    pending, _published = inputs
    response = clients["coordinator"].get(
        reverse("inputs:edit", args=[world.project.pk, pending.pk])
    )
    assert response.status_code == 200 and RAW in response.content.decode()
    assert access_entries(pending).count() == 1


def test_the_plan_and_its_spreadsheet_name_an_input_by_reference_only(world, clients, inputs):
    _pending, published = inputs
    services.input_create_measure(
        input=published, created_by=world.users["coordinator"], title="Sett opp benker"
    )
    plan = clients["politician"].get(reverse("plans:plan", args=[world.project.pk]))
    body = plan.content.decode()
    assert plan.status_code == 200
    assert "Sett opp benker" in body and f"Input: #{published.pk}" in body
    assert PUBLISHED_RAW not in body
    xlsx = clients["politician"].get(reverse("plans:plan_xlsx", args=[world.project.pk]))
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert f"Input: #{published.pk}" in cells
    assert not any(PUBLISHED_RAW in cell or "ola@example.org" in cell for cell in cells)
    measure = published.measures.get()
    page = clients["politician"].get(measure.get_absolute_url()).content.decode()
    assert f"#{published.pk}" in page and PUBLISHED_RAW not in page


def test_the_notice_goes_only_to_those_who_may_read_it(world, people):
    project = world.project
    assert suggestion_recipients(project) == [people["coordinator"].email]
    # A dialogue owner who no longer has a role here is passed over for the coordinators
    # who may read it: the municipality-wide one and the project's, not another project's.
    elsewhere = ProjectFactory(municipality=world.municipality)
    scoped = make_staff(world.municipality, Role.COORDINATOR, project=elsewhere)
    here = make_staff(world.municipality, Role.COORDINATOR, project=project)
    gone = UserFactory()
    project.dialogue_owner = gone
    project.save()
    recipients = suggestion_recipients(project)
    assert sorted(recipients) == sorted([people["coordinator"].email, here.email])
    assert scoped.email not in recipients and gone.email not in recipients
    assert people["politician"].email not in recipients
