"""Fixtures every app's tests share: a municipality with a project, and named personas.

Personas (each a test client, logged in when a test first asks for it, or anonymous):
  admin, coordinator, case_handler (of another unit than the project's), facility_staff
  (scoped to the project), police, politician, outsider (a coordinator of another
  municipality), anonymous.
Staff personas are enrolled in TOTP, as MFA is required by default.
"""

import socket
from collections.abc import Mapping
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings

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
from naboskap.testing.cache import worker_caches
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
    "archivist",
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


@pytest.fixture(scope="session")
def _sqlite_test_file(django_db_keepdb):
    """With `--reuse-db`, SQLite's test database is a file in var/ that is kept between runs
    (in memory, the default, there is nothing to keep); `--create-db` builds it anew, as is
    needed after a migration changes."""
    database = settings.DATABASES["default"]
    if django_db_keepdb and database["ENGINE"] == "django.db.backends.sqlite3":
        test = database.setdefault("TEST", {})
        if not test.get("NAME"):
            test["NAME"] = str(settings.VAR_DIR / "test-naboskap.sqlite3")


@pytest.fixture(scope="session")
def django_db_modify_db_settings_parallel_suffix(
    _sqlite_test_file,
    django_db_modify_db_settings_tox_suffix,
    django_db_modify_db_settings_xdist_suffix,
):
    """pytest-django's own, after `_sqlite_test_file`: the xdist worker's suffix (gw0, gw1,
    …) goes on the file's name (fixtures are set up in the order they are listed)."""


@pytest.fixture(scope="session", autouse=True)
def _worker_cache():
    """A cache key prefix per pytest-xdist worker; Redis cleared by prefix, not flushed (see
    naboskap.testing.cache)."""
    with override_settings(CACHES=worker_caches(settings.CACHES)):
        yield


# Fixtures that give a test the database (`world` and the like request `db`).
DB_FIXTURES = ("db", "transactional_db", "live_server", "django_db_reset_sequences")


@pytest.fixture(autouse=True)
def _clear_cache(request, settings):
    """Each test starts with an empty cache: no rate-limit counter or cached page of another
    test. A Redis cache outlives every test; the database cache rolls back with a test's
    transaction, but a transactional (live server) test commits what it counts."""
    from django.core.cache import cache

    if "redis" in settings.CACHES["default"]["BACKEND"].lower():
        cache.clear()
    elif request.node.get_closest_marker("django_db") or any(
        name in request.fixturenames for name in DB_FIXTURES
    ):
        request.getfixturevalue("db")  # a transactional test stays transactional
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
        "archivist": make_staff(municipality, Role.ARCHIVIST, username="archivist"),
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


class PersonaClients(Mapping):
    """A test client per persona, logged in (past the two-step check) when first asked for:
    most tests use one persona, and logging in all seven was a third of the set-up time of a
    permission-matrix case."""

    def __init__(self, users: dict):
        self._users = users
        self._clients: dict[str, Client] = {}

    def __getitem__(self, name: str) -> Client:
        if name not in self._clients:
            if name == "anonymous":
                self._clients[name] = Client()
            else:
                self._clients[name] = client_for(self._users[name])
        return self._clients[name]

    def __iter__(self):
        return iter(["anonymous", *self._users])

    def __len__(self) -> int:
        return 1 + len(self._users)


@pytest.fixture
def persona_clients(world) -> PersonaClients:
    return PersonaClients(world.users)


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


def send_outbox() -> int:
    """Send what waits in the outbox now, as the worker does: for a test that calls a task
    or a command directly, inside the test's transaction."""
    from naboskap.outbox.services import send_due

    return send_due()


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


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a local port (naboskap.testing.smtp), with sending pointed at it:
    `.sink.received` holds what it accepted; `.sink.refuse` / `.sink.defer` make it answer
    550 / 451 for addresses; `.stop()` and `.start()` take it away and bring it back."""
    from naboskap.testing.smtp import SmtpServer

    server = SmtpServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()
