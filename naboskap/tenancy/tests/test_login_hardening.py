"""Two-step login with no way around it, logins that can't be used against staff, and
sessions that end (issue 15).

Through HTTP, as a person (or an attacker) would go: the Django admin asks superusers for a
second factor; a provider's own second factor counts; failed logins throttle the address that
guesses, not the owner; idle, old and ended sessions are logged out.
"""

import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.core.checks import Warning as CheckWarning

from naboskap.conftest import client_for, english, make_staff
from naboskap.tenancy import checks
from naboskap.tenancy.models import Profile, Role
from naboskap.tenancy.sessions import LAST_SEEN_AT, SIGNED_IN_AT
from naboskap.tenancy.tests.helpers import assert_in_layout, english_client, log_in
from naboskap.testing.factories import PASSWORD, MunicipalityFactory, UserFactory
from naboskap.testing.mfa import enrol_totp, totp_code

ACTIVATE = "/accounts/2fa/totp/activate/"
AUTHENTICATE = "/accounts/2fa/authenticate/"


@pytest.fixture(autouse=True)
def fresh_cache(db):
    """Rate-limit counters live in the cache, which outlives each test's transaction."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


# The Django admin ------------------------------------------------------------------------


def test_a_superuser_without_a_second_factor_is_sent_to_set_one_up(superuser):
    client = english_client()
    response = client.post(
        "/accounts/login/?next=%2Fadmin%2F", {"login": "root", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"  # the password was right

    # Every admin page is closed: the index and the page that would delete an authenticator.
    for page in ("/admin/", "/admin/mfa/authenticator/", "/admin/auth/user/"):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith("/admin/login/?next="), page
    response = client.get("/admin/login/?next=/admin/auth/user/")
    assert response.status_code == 302
    assert response["Location"] == ACTIVATE
    main = assert_in_layout(client.get(response["Location"], follow=True))
    assert "Set up two-step verification" in main


def test_a_superuser_with_a_code_gets_in_and_a_password_alone_does_not(superuser):
    secret = enrol_totp(superuser)
    client = english_client()
    client.force_login(superuser)  # a session that passed no two-step check
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/reauthenticate/?next=")
    response = client.post(response["Location"], {"code": totp_code(secret)})
    assert response.status_code == 302
    page = client.get("/admin/auth/user/")
    assert page.status_code == 200
    assert "root" in page.content.decode()


def test_without_the_requirement_the_admin_opens_with_a_password(settings, superuser):
    settings.NABOSKAP_MFA_REQUIRED = False
    client = english_client()
    client.force_login(superuser)
    assert client.get("/admin/").status_code == 200


def test_a_signed_in_user_who_is_not_admin_staff_is_refused(db):
    user = make_staff(MunicipalityFactory(), Role.COORDINATOR, username="coord")
    response = client_for(user).get("/admin/login/?next=/admin/")
    assert response.status_code == 403


def test_check_deploy_warns_when_two_step_login_is_off_in_production(settings):
    settings.NABOSKAP_ENV = "production"
    settings.NABOSKAP_MFA_REQUIRED = False
    (warning,) = checks.mfa_required_in_production(None)
    assert isinstance(warning, CheckWarning)
    assert warning.id == "naboskap.W001"
    settings.NABOSKAP_MFA_REQUIRED = True
    assert checks.mfa_required_in_production(None) == []
    settings.NABOSKAP_ENV = "development"
    settings.NABOSKAP_MFA_REQUIRED = False
    assert checks.mfa_required_in_production(None) == []


# Failed logins ----------------------------------------------------------------------------


def test_a_stranger_guessing_is_throttled_while_the_owner_still_logs_in(db):
    owner = make_staff(MunicipalityFactory(), Role.COORDINATOR, username="kari", mfa=False)
    attacker = english(REMOTE_ADDR="203.0.113.66")
    for _attempt in range(5):
        response = log_in(attacker, "kari", "wrong-password")
        assert response.status_code == 200
        assert "The username and/or password you specified are not correct." in (
            response.content.decode()
        )
    # The sixth try from that address is refused, even with the right password.
    response = log_in(attacker, "kari", PASSWORD)
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert SESSION_KEY not in attacker.session

    # The owner, at the office, is not locked out of their own account.
    office = english(REMOTE_ADDR="198.51.100.7")
    response = log_in(office, "kari", PASSWORD)
    assert response.status_code == 302
    assert office.session[SESSION_KEY] == str(owner.pk)


def test_one_address_cannot_try_account_after_account_without_limit(db):
    municipality = MunicipalityFactory()
    for n in range(21):
        make_staff(municipality, Role.CASE_HANDLER, username=f"user{n}", mfa=False)
    attacker = english(REMOTE_ADDR="203.0.113.67")
    refused = 0
    for n in range(21):
        response = log_in(attacker, f"user{n}", "wrong-password")
        refused += "Too many failed login attempts" in response.content.decode()
    assert refused >= 1


# Sessions that end ------------------------------------------------------------------------


@pytest.fixture
def staff(db):
    return make_staff(MunicipalityFactory(), Role.COORDINATOR, username="kari")


def signed_in(user):
    """A browser that logged in with password and code, as staff do."""
    client = client_for(user, language="en")
    assert client.get("/app/").status_code == 200
    return client


def age_session(client, *, signed_in_ago: float, last_seen_ago: float) -> None:
    session = client.session
    now = time.time()
    session[SIGNED_IN_AT] = now - signed_in_ago
    session[LAST_SEEN_AT] = now - last_seen_ago
    session.save()


def test_a_session_in_use_goes_on(staff):
    client = signed_in(staff)
    age_session(client, signed_in_ago=11 * 3600, last_seen_ago=7 * 3600)
    assert client.get("/app/").status_code == 200
    assert time.time() - client.session[LAST_SEEN_AT] < 5  # the request counted as use


def test_a_session_idle_for_eight_hours_is_logged_out(staff):
    client = signed_in(staff)
    age_session(client, signed_in_ago=9 * 3600, last_seen_ago=8 * 3600 + 60)
    response = client.get("/app/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/app/"
    assert SESSION_KEY not in client.session
    main = assert_in_layout(client.get(response["Location"]))
    assert "You were logged out because you had not used Naboskap for a while." in main


def test_a_session_older_than_twelve_hours_is_logged_out_even_in_use(staff):
    client = signed_in(staff)
    age_session(client, signed_in_ago=12 * 3600 + 60, last_seen_ago=30)
    assert client.get("/app/").status_code == 302
    assert SESSION_KEY not in client.session


def test_the_timeouts_are_configurable(settings, staff):
    settings.NABOSKAP_SESSION_IDLE_SECONDS = 15 * 60
    client = signed_in(staff)
    age_session(client, signed_in_ago=20 * 60, last_seen_ago=16 * 60)
    assert client.get("/app/").status_code == 302


def test_log_out_on_all_devices_ends_every_session(staff):
    phone, laptop = signed_in(staff), signed_in(staff)
    main = assert_in_layout(laptop.get("/accounts/logout/"))
    assert 'action="/app/logg-ut-overalt/"' in main
    response = laptop.post("/app/logg-ut-overalt/")
    assert response.status_code == 302
    assert SESSION_KEY not in laptop.session
    assert Profile.objects.get(user=staff).sessions_valid_from is not None

    # The phone's session was ended too, on its next request.
    response = phone.get("/app/")
    assert response.status_code == 302
    assert SESSION_KEY not in phone.session
    main = assert_in_layout(phone.get(response["Location"]))
    assert "all your sessions were ended" in main

    # A new login afterwards works.
    assert signed_in(staff).get("/app/").status_code == 200


def test_log_out_on_all_devices_needs_a_post_and_a_login(staff):
    assert signed_in(staff).get("/app/logg-ut-overalt/").status_code == 405
    response = english_client().post("/app/logg-ut-overalt/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_deactivated_user_is_logged_out_at_once(staff):
    client = signed_in(staff)
    staff.is_active = False
    staff.save()
    response = client.get("/app/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_reading_pages_does_not_write_the_session_every_time(staff, django_assert_num_queries):
    client = signed_in(staff)
    before = client.session[LAST_SEEN_AT]
    client.get("/accounts/login/")
    assert client.session[LAST_SEEN_AT] == before


def test_the_profile_page_offers_to_log_out_everywhere(staff):
    page = signed_in(staff).get("/app/profil/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'action="/app/logg-ut-overalt/"' in html
    assert "You are logged out after 8 hours without activity, and 12 hours after" in html
