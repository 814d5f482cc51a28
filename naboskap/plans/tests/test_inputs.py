"""Inputs for staff: registering, the list with its filters, deciding, publishing, hiding,
and measures made from an input. Through HTTP, as the personas see it."""

import html

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from naboskap.conftest import english
from naboskap.plans import services
from naboskap.plans.models import Input, Measure
from naboskap.testing.factories import ProjectFactory, UnitFactory


def register(world, **fields) -> Input:
    fields.setdefault("text", "Vi ønsker fartsdumper i Lindeveien.")
    fields.setdefault("origin", Input.Origin.MEETING)
    return services.input_register(
        project=world.project, created_by=world.users["coordinator"], **fields
    )


def suggestion(world, n: int = 0, **fields) -> Input:
    fields.setdefault("text", "Kan det bli flere benker ved lekeplassen?")
    return services.input_submit_public(
        project=fields.pop("project", world.project),
        idempotency_key=f"test-suggestion-key-{n:06d}",
        **fields,
    )[0]


def url(name: str, input: Input) -> str:
    return reverse(f"inputs:{name}", args=[input.project_id, input.pk])


def list_url(world) -> str:
    return reverse("inputs:list", args=[world.project.pk])


@pytest.fixture
def coordinator(world):
    return english(world.users["coordinator"])


@pytest.fixture
def politician(world):
    return english(world.users["politician"])


def test_coordinator_registers_an_input_and_finds_it_in_the_list(world, coordinator):
    response = coordinator.post(
        reverse("inputs:create", args=[world.project.pk]),
        {
            "text": "Velforeningen ønsker <b>fartsdumper</b> i Lindeveien.",
            "origin": "meeting",
            "from_whom": "Velforeningen",
            "theme": "Trafikk",
            "received_on": "2026-05-04",
            "contact_email": "",
        },
    )
    input = Input.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("detail", input)
    assert (input.origin, input.moderation, input.decision) == (
        "meeting",
        "pending",
        "under_consideration",
    )
    assert input.created_by == world.users["coordinator"]
    page = coordinator.get(url("detail", input)).content.decode()
    assert "The input was registered." in page
    assert html.escape("Velforeningen ønsker <b>fartsdumper</b>") in page
    assert "Velforeningen" in page and "Trafikk" in page
    listing = coordinator.get(list_url(world)).content.decode()
    assert "1 input" in listing and "Velforeningen" in listing


def test_registering_without_text_is_explained_and_kept(world, coordinator):
    response = coordinator.post(
        reverse("inputs:create", args=[world.project.pk]),
        {"text": "", "origin": "letter", "from_whom": "Ola på hjørnet", "received_on": "x"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Please correct the following" in body
    assert "This field is required." in body and "Enter a valid date." in body
    assert "Ola på hjørnet" in body
    assert not Input.objects.exists()


def test_a_decision_needs_a_reason_unless_under_consideration(world, coordinator):
    input = register(world)
    response = coordinator.post(url("decide", input), {"decision": "not_adopted"})
    assert response.status_code == 400
    assert "Give a reason for the decision." in response.content.decode()
    input.refresh_from_db()
    assert input.decision == "under_consideration"
    response = coordinator.post(
        url("decide", input),
        {"decision": "partly_adopted", "decision_reason": "Skilt, men ingen støyskjerm i år."},
    )
    assert response.status_code == 302
    input.refresh_from_db()
    assert (input.decision, input.decision_reason) == (
        "partly_adopted",
        "Skilt, men ingen støyskjerm i år.",
    )
    assert "Partly adopted" in coordinator.get(url("detail", input)).content.decode()
    # The service refuses it too, whoever calls it.
    with pytest.raises(services.PlanError):
        services.input_decide(input=input, decision="adopted", decision_reason=" ")


def test_publishing_needs_a_curated_text_and_shows_only_that(world, coordinator, client_en):
    input = suggestion(world, text="Jeg, Kari på nr. 4, vil ha benk.", contact_email="k@ex.org")
    response = coordinator.post(url("publish", input), {"public_text": "  "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert Input.objects.get().moderation == "pending"
    public = reverse("portal:you_said", args=[world.project.slug])
    assert "benk" not in client_en.get(public).content.decode()
    response = coordinator.post(url("publish", input), {"public_text": "Ønske om en benk."})
    assert response.status_code == 302
    assert Input.objects.get().moderation == "published"
    body = client_en.get(public).content.decode()
    assert "Ønske om en benk." in body
    assert "Kari" not in body and "k@ex.org" not in body
    # Taken off again: gone from the public page at once (the cache is invalidated).
    assert coordinator.post(url("hide", input)).status_code == 302
    assert Input.objects.get().moderation == "hidden"
    assert "Ønske om en benk." not in client_en.get(public).content.decode()


def test_a_measure_made_from_an_input_shows_with_its_status(world, coordinator):
    input = register(world)
    other_unit = UnitFactory(municipality=world.other_municipality, name="Annen enhet")
    response = coordinator.post(
        url("measure_create", input), {"title": "Fartsdumper", "owner_unit": other_unit.pk}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    response = coordinator.post(
        url("measure_create", input),
        {"title": "Fartsdumper", "is_public": "on", "public_text": ""},
    )
    assert response.status_code == 400
    assert "Write the text the public page shows." in response.content.decode()
    assert not Measure.objects.exists()
    response = coordinator.post(
        url("measure_create", input),
        {"title": "Fartsdumper", "owner_unit": world.project.responsible_unit_id},
    )
    assert response.status_code == 302
    measure = Measure.objects.get()
    assert (measure.input, measure.project, measure.owner_unit) == (
        input,
        world.project,
        world.project.responsible_unit,
    )
    assert measure.history.count() == 1
    page = coordinator.get(url("detail", input)).content.decode()
    assert "Fartsdumper" in page and "Planned" in page and measure.get_absolute_url() in page
    assert "1</td>" in coordinator.get(list_url(world)).content.decode()  # measure count


def test_the_list_filters_counts_and_pages(world, coordinator):
    for n in range(30):
        suggestion(world, n, text=f"Forslag nummer {n}", theme="Trafikk" if n % 2 else "")
    meeting = register(
        world, text="Fra møtet: lys på stien", from_whom="Naborådet", theme="Trygghet"
    )
    services.input_publish(input=meeting, public_text="Lys på stien.")
    for title in ["Lys på stien", "Rydde busker"]:  # counted once, whatever its measures
        services.input_create_measure(input=meeting, created_by=None, title=title)
    body = coordinator.get(list_url(world)).content.decode()
    assert "31 inputs" in body
    assert "Waiting for moderation: <strong>30</strong>" in body
    assert "Published: <strong>1</strong>" in body
    assert "Under consideration: <strong>31</strong>" in body
    assert "Page 1 of 2" in body
    page_two = coordinator.get(list_url(world), {"side": "2"}).content.decode()
    assert "Page 2 of 2" in page_two
    pending = coordinator.get(list_url(world), {"moderation": "pending", "origin": "public_form"})
    assert "30 inputs" in pending.content.decode()
    assert "15 inputs" in coordinator.get(list_url(world), {"theme": "Trafikk"}).content.decode()
    found = coordinator.get(list_url(world), {"q": "naborådet"}).content.decode()
    assert "1 input" in found and "lys på stien" in found
    bad = coordinator.get(list_url(world), {"decision": "maybe", "theme": "Ukjent"})
    assert bad.status_code == 400
    assert "Select a valid choice" in bad.content.decode()


def queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(path).status_code == 200
    return len(context.captured_queries)


def add_inputs(world, start: int, count: int) -> None:
    for n in range(start, start + count):
        input = suggestion(world, n, theme=f"Tema {n % 7}")
        if n % 3 == 0:
            services.input_create_measure(input=input, created_by=None, title=f"Tiltak {n}")


def test_the_list_and_detail_do_not_grow_queries(world, coordinator):
    add_inputs(world, 0, 3)
    first = Input.objects.order_by("pk").first()
    queries(coordinator, list_url(world))  # the session's first request does more
    few = (queries(coordinator, list_url(world)), queries(coordinator, url("detail", first)))
    add_inputs(world, 3, 60)
    for n in range(5):
        services.input_create_measure(input=first, created_by=None, title=f"Mer {n}")
    # Changes to public content move the page generation on: the first request after them
    # looks the municipality up again (once per app process).
    queries(coordinator, list_url(world))
    many = (queries(coordinator, list_url(world)), queries(coordinator, url("detail", first)))
    assert few == many
    # The list's own: project, themes, two counts, the page's count and the page (six); the
    # detail's: input and its measures; the rest is the staff layout's (session, user,
    # memberships, MFA, navigation).
    assert many[0] <= 16 and many[1] <= 13, many


def test_only_handlers_see_the_text_and_email_and_politicians_only_counts(
    world, coordinator, politician
):
    input = suggestion(world, contact_email="nabo@example.org", text="Flere benker, takk.")
    managed = coordinator.get(url("detail", input)).content.decode()
    assert "nabo@example.org" in managed
    assert "Save the decision" in managed and "Publish" in managed
    assert "Create the measure" in managed and "Do not publish" in managed
    page = politician.get(url("detail", input))
    body = page.content.decode()
    assert page.status_code == 403
    assert "Flere benker, takk." not in body and "nabo@example.org" not in body
    listing = politician.get(list_url(world)).content.decode()
    assert "Waiting for moderation: <strong>1</strong>" in listing
    assert "Flere benker" not in listing and "nabo@example.org" not in listing
    assert "Register an input" not in listing
    assert "Register an input" in coordinator.get(list_url(world)).content.decode()
    assert politician.get(reverse("inputs:create", args=[world.project.pk])).status_code == 403
    assert "nabo@example.org" not in coordinator.get(list_url(world)).content.decode()
    assert politician.post(url("decide", input), {"decision": "adopted"}).status_code == 403
    assert politician.post(url("publish", input), {"public_text": "Benker."}).status_code == 403
    assert politician.get(url("edit", input)).status_code == 403
    assert Input.objects.get().moderation == "pending"


def test_outsiders_and_other_projects_get_not_found(world):
    input = suggestion(world)
    outsider = english(world.users["outsider"])
    assert outsider.get(url("detail", input)).status_code == 404
    assert outsider.get(list_url(world)).status_code == 404
    assert outsider.post(url("hide", input)).status_code == 404
    # The input through another project's address is not found either.
    other = ProjectFactory(municipality=world.municipality)
    wrong = reverse("inputs:detail", args=[other.pk, input.pk])
    assert english(world.users["coordinator"]).get(wrong).status_code == 404


def test_editing_keeps_the_decision_and_refuses_bad_values(world, coordinator):
    input = register(world)
    services.input_decide(input=input, decision="adopted", decision_reason="Vi gjør det.")
    response = coordinator.post(
        url("edit", input),
        {"text": "Ny tekst", "origin": "nowhere", "received_on": "2026-01-01"},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    response = coordinator.post(
        url("edit", input),
        {"text": "Ny tekst", "origin": "letter", "theme": "Trafikk", "received_on": "2026-01-01"},
    )
    assert response.status_code == 302
    input.refresh_from_db()
    assert (input.text, input.origin, input.decision) == ("Ny tekst", "letter", "adopted")


@pytest.mark.django_db(transaction=True)
def test_the_dialogue_owner_is_told_without_the_text(world, tasks):
    suggestion(world, text="Hemmelig innhold om naboen", contact_email="nabo@example.org")
    tasks()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.users["coordinator"].email]
    assert world.project.name in message.subject
    assert "Hemmelig" not in message.body and "nabo@example.org" not in message.body
    assert "?moderation=pending" in message.body
    # A retry of the same form sends nothing more.
    suggestion(world, text="Hemmelig innhold om naboen")
    tasks()
    assert len(mail.outbox) == 1


FUZZ = hsettings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(["q", "decision", "moderation", "origin", "theme", "side", "x"]),
        st.text(max_size=60),
    )
)
def test_fuzz_list_filters(world, coordinator, params):
    response = coordinator.get(list_url(world), params)
    assert response.status_code in {200, 400}
