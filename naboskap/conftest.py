"""Fixtures every app's tests share: a municipality with a project, and named personas.

Personas (each a logged-in test client, or anonymous):
  admin, coordinator, case_handler (of another unit than the project's), facility_staff
  (scoped to the project), police, politician, outsider (a coordinator of another
  municipality), anonymous.
Staff personas are enrolled in TOTP, as MFA is required by default.
"""

import socket
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from naboskap.tenancy.access import has_mfa
from naboskap.tenancy.models import Role
from naboskap.testing.browser import (  # noqa: F401 (fixtures and a hook for browser tests)
    base_url,
    browser_language,
    browser_type_launch_args,
    outbox,
    playwright,
    pytest_collection_modifyitems,
    visitor,
)
from naboskap.testing.factories import (
    ContactPointFactory,
    MembershipFactory,
    MunicipalityFactory,
    ProjectFactory,
    UnitFactory,
    UpdateFactory,
    UserFactory,
)
from naboskap.testing.mfa import enrol_totp, pass_mfa_stage

PERSONAS = [
    "anonymous",
    "admin",
    "coordinator",
    "case_handler",
    "facility_staff",
    "police",
    "politician",
    "outsider",
]


@dataclass
class World:
    municipality: object
    other_municipality: object
    project: object
    other_project: object
    update: object
    draft: object
    contact_point: object
    other_update: object
    other_contact_point: object
    users: dict


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "outbox"
    # Photos attached to concerns: never into the repository's var/.
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    # Look static files up per request instead of scanning STATIC_ROOT for every new test
    # client (a developer's var/static may hold a full collectstatic).
    settings.WHITENOISE_AUTOREFRESH = True
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts with no language active, as Django's test set-up leaves it (source
    strings): a request leaves its language active in the thread, and a later test that
    reads messages or labels outside a request must not inherit it."""
    from django.utils import translation

    translation.deactivate_all()
    yield
    translation.deactivate_all()


@pytest.fixture(autouse=True)
def _clear_cache(settings):
    """The database cache rolls back with each test; a Redis cache must be emptied."""
    if "redis" in settings.CACHES["default"]["BACKEND"].lower():
        from django.core.cache import cache

        cache.clear()


def make_staff(municipality, role, *, project=None, unit=None, username=None, mfa=True):
    kwargs = {"username": username} if username else {}
    user = UserFactory(**kwargs)
    MembershipFactory(user=user, municipality=municipality, role=role, project=project, unit=unit)
    if mfa:
        enrol_totp(user)
    return user


@pytest.fixture
def world(db) -> World:
    municipality = MunicipalityFactory(name="Fjordby kommune", slug="fjordby", number="9911")
    other = MunicipalityFactory(name="Annenby kommune", slug="annenby", number="9912")
    property_unit = UnitFactory(municipality=municipality, name="Eiendom")
    health_unit = UnitFactory(municipality=municipality, name="Helse og sosial")
    users = {
        "admin": make_staff(municipality, Role.ADMIN, username="admin"),
        "coordinator": make_staff(municipality, Role.COORDINATOR, username="coordinator"),
        "police": make_staff(municipality, Role.POLICE, username="police"),
        "politician": make_staff(municipality, Role.POLITICIAN, username="politician"),
        "outsider": make_staff(other, Role.COORDINATOR, username="outsider"),
    }
    project = ProjectFactory(
        municipality=municipality,
        slug="lindeveien",
        name="Lindeveien",
        responsible_unit=property_unit,
        dialogue_owner=users["coordinator"],
    )
    users["case_handler"] = make_staff(
        municipality, Role.CASE_HANDLER, unit=health_unit, username="case_handler"
    )
    users["facility_staff"] = make_staff(
        municipality, Role.FACILITY_STAFF, project=project, username="facility_staff"
    )
    other_project = ProjectFactory(
        municipality=other, slug="annenvei", name="Annenvei", dialogue_owner=users["outsider"]
    )
    return World(
        municipality=municipality,
        other_municipality=other,
        project=project,
        other_project=other_project,
        update=UpdateFactory(project=project, title="Dialogmøte i mai"),
        draft=UpdateFactory(project=project, title="Hemmelig utkast", published_at=None),
        contact_point=ContactPointFactory(project=project),
        other_update=UpdateFactory(project=other_project),
        other_contact_point=ContactPointFactory(project=other_project),
        users=users,
    )


def client_for(user, *, language: str | None = None, **client_kwargs) -> Client:
    """A test client logged in as `user` (anonymous for None), past the MFA stage; with
    `language`, as a visitor who chose that language (English shows the source strings)."""
    client = Client(**client_kwargs)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if user is not None:
        client.force_login(user)
        if has_mfa(user):
            pass_mfa_stage(client, user)
    return client


def english(user=None, **client_kwargs) -> Client:
    return client_for(user, language="en", **client_kwargs)


@pytest.fixture
def client_en() -> Client:
    """An anonymous visitor who chose English."""
    return english()


@pytest.fixture
def persona_clients(world) -> dict[str, Client]:
    clients = {"anonymous": Client()}
    for name, user in world.users.items():
        clients[name] = client_for(user)
    return clients


def run_tasks() -> None:
    """Run every queued background task, as `manage.py db_worker` does in production.

    The worker closes connections it finds inside a transaction, so a test that runs it
    must use `@pytest.mark.django_db(transaction=True)`.
    """
    from django.db import connection

    assert connection.get_autocommit(), "mark the test django_db(transaction=True)"
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)


@pytest.fixture
def tasks():
    return run_tasks


def closed_port() -> int:
    """A local port where nothing listens (bound, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mail_server_down(settings):
    """Real SMTP sending, to a local port where nothing listens: every send fails as it does
    when the municipality's mail server is down. Switch `EMAIL_BACKEND` back to
    `django.core.mail.backends.locmem.EmailBackend` on the returned settings to bring it back."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    return settings
