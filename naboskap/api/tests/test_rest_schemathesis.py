"""Schemathesis against the REST API's own schema, in process: for every operation, requests
generated from the schema get an answer the schema describes (status, content type, body,
headers), never a server error. One run without a token (the staff endpoints answer 401),
one with a coordinator's token with every scope.

Schemathesis's pytest plugin does not run under this pytest, so each operation's Hypothesis
strategy is driven here directly."""

import json
from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from naboskap.api import services as api_services
from naboskap.api.models import all_scopes
from naboskap.insights import services as survey_services
from naboskap.meetings.tests.factories import make_meeting
from naboskap.risk.tests.factories import fill_analysis, make_analysis
from naboskap.stakeholders.register import services as register_services
from naboskap.testing.factories import make_concern, make_measure

RUN = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture
def keep_connection():
    """The test's database connection stays open across the WSGI requests, as Django's test
    client keeps it (a real request ends by closing it, which on PostgreSQL would close the
    test's transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def api_schema():
    from drf_spectacular.generators import SchemaGenerator

    raw = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True)))
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = get_wsgi_application()
    return schema


def run_every_operation(real: dict, headers: dict) -> dict[str, set[int]]:
    """Drive every operation; half of the cases with a path parameter are about a real
    object (`real`: the parameter's value per the path before it, `("concerns", "id")`).
    Returns the statuses seen per operation."""
    operations = [result.ok() for result in api_schema().get_all_operations()]
    called = []

    for operation in operations:

        @RUN
        @given(case=operation.as_strategy())
        def check(case):
            if case.path_parameters and len(called) % 2:
                where = case.operation.path.removeprefix("/api/v1/").split("/{")[0]
                for name in case.path_parameters:
                    if (where, name) in real:
                        case.path_parameters[name] = real[where, name]
            # Ids in filters and bodies are valid by the schema but may name no object the
            # user reaches: a 400 for those is right (the schema cannot list which ids exist).
            response = case.call_and_validate(
                headers=headers, excluded_checks=[positive_data_acceptance]
            )
            called.append((case.operation.label, response.status_code))

        check()
    statuses = {label: {status for op, status in called if op == label} for label, _ in called}
    assert all(statuses.values()) and set(statuses) == {op.label for op in operations}
    return statuses


@pytest.mark.django_db
def test_every_answer_is_what_the_schema_says(world, settings, keep_connection):
    settings.RATELIMIT_ENABLE = False  # hundreds of requests: the limit is tested on its own
    concern = make_concern(world.project)
    statuses = run_every_operation(
        {("projects", "slug"): world.project.slug, ("concerns", "id"): concern.pk}, {}
    )
    assert len(statuses) >= 12
    assert statuses["GET /api/v1/projects/"] == {200}
    assert statuses["GET /api/v1/projects/{slug}/"] == {200, 404}


def real_objects(world) -> dict:
    """One object of each kind the staff endpoints show, in the coordinator's project."""
    coordinator = world.users["coordinator"]
    analysis = make_analysis(world.project, title="ROS Lindeveien")
    fill_analysis(analysis, 2, measures_every=1)
    organisation = register_services.organisation_create(
        municipality=world.municipality, name="Velforeningen", projects=[world.project]
    )
    person = register_services.person_create(
        municipality=world.municipality,
        name="Kari Nabo",
        email="kari@example.org",
        organisation=organisation,
        role="Leder",
        projects=[world.project],
    )
    today = timezone.localdate()
    survey_round = survey_services.round_create(
        project=world.project,
        template=survey_services.template_ensure_default(municipality=world.municipality),
        title="Trygghet",
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=30),
    )
    return {
        ("projects", "slug"): world.project.slug,
        ("concerns", "id"): make_concern(world.project, reporter_email="nabo@example.org").pk,
        ("measures", "id"): make_measure(world.project, title="Fast vaktmester", by=coordinator).pk,
        ("meetings", "id"): make_meeting(world.project, title="Dialogmøte", days=3).pk,
        ("analyses", "id"): analysis.pk,
        ("stakeholders/organisations", "id"): organisation.pk,
        ("stakeholders/persons", "id"): person.pk,
        ("surveys", "id"): survey_round.pk,
    }


@pytest.mark.django_db
def test_with_a_staff_token_every_answer_is_what_the_schema_says(world, settings, keep_connection):
    settings.RATELIMIT_ENABLE = False
    real = real_objects(world)
    _token, raw = api_services.token_create(
        user=world.users["coordinator"],
        name="Schemathesis",
        scopes=all_scopes(),
        expires_at=timezone.now() + timedelta(days=1),
    )
    statuses = run_every_operation(real, {"Authorization": f"Bearer {raw}"})
    # 400: a filter that is not valid; 404: a cursor that is not one of the list's.
    assert statuses["GET /api/v1/concerns/"] <= {200, 400, 404}
    assert 200 in statuses["GET /api/v1/concerns/"]
    assert statuses["GET /api/v1/concerns/{id}/"] == {200, 404}
    assert 200 in statuses["GET /api/v1/concerns/{id}/messages/"]
    for path in ("measures", "meetings", "analyses", "stakeholders/persons", "surveys"):
        assert 200 in statuses[f"GET /api/v1/{path}/{{id}}/"], path
