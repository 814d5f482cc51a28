"""Two-step verification (TOTP) for staff, through HTTP as a person would go through it.

Staff (anyone with a membership) must have a TOTP authenticator, and their session must have
passed a two-step check, before a `staff_required` page opens; see naboskap.tenancy.access.
"""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.core.cache import cache

from naboskap.conftest import make_staff
from naboskap.tenancy.models import Role
from naboskap.tenancy.tests.helpers import (
    assert_in_layout,
    english_client,
    log_in,
    logged_in_user_id,
)
from naboskap.testing.factories import PASSWORD, MunicipalityFactory, UserFactory
from naboskap.testing.mfa import enrol_totp, totp_code

ACTIVATE = "/accounts/2fa/totp/activate/"
AUTHENTICATE = "/accounts/2fa/authenticate/"
REAUTHENTICATE_MFA = "/accounts/2fa/reauthenticate/?next=%2Fapp%2F"


@pytest.fixture
def municipality(db):
    return MunicipalityFactory()


@pytest.fixture
def newcomer(municipality):
    """A staff member who has not set up two-step verification yet."""
    return make_staff(municipality, Role.COORDINATOR, username="newcomer", mfa=False)


@pytest.fixture
def enrolled(municipality):
    """A staff member with TOTP; the fixture returns (user, secret)."""
    user = make_staff(municipality, Role.COORDINATOR, username="enrolled", mfa=False)
    return user, enrol_totp(user)


@pytest.fixture
def empty_cache_afterwards():
    """A transactional test's cache rows (rate limits, used codes) outlive its rollback."""
    yield
    cache.clear()


@pytest.mark.django_db(transaction=True)
def test_first_login_walks_through_enrolment_to_the_staff_pages(newcomer, empty_cache_afterwards):
    """Transactional: allauth reports the new authenticator when the transaction commits."""
    client = english_client()
    response = log_in(client, "newcomer")
    assert response.status_code == 302
    assert response["Location"] == "/app/"

    # The gate sends them to set up an authenticator, and says why.
    response = client.get("/app/")
    assert response.status_code == 302
    assert response["Location"] == ACTIVATE

    # allauth asks for the password again before an authenticator is added.
    response = client.get(ACTIVATE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    main = assert_in_layout(client.get(response["Location"]))
    assert "Set up two-step verification before you open the staff pages." in main
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == ACTIVATE

    main = assert_in_layout(client.get(ACTIVATE))
    assert re.search(r'<img class="totp-qr" src="data:image/svg\+xml;base64,[^"]+"', main)
    assert 'alt="QR code for your authenticator app"' in main
    secret = client.session[SECRET_SESSION_KEY]
    assert re.search(
        rf'<input class="ds-input" readonly id="authenticator_secret" value="{secret}"', main
    )

    # A wrong code is refused with a message next to the field.
    main = assert_in_layout(client.post(ACTIVATE, {"code": "000000"}))
    assert 'class="ds-error-summary"' in main
    assert 'aria-invalid="true"' in main
    assert not Authenticator.objects.filter(user=newcomer).exists()
    assert client.session[SECRET_SESSION_KEY] == secret  # the QR code they scanned still holds

    # The code from the app activates TOTP; recovery codes are made and shown.
    response = client.post(ACTIVATE, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/recovery-codes/"
    assert Authenticator.objects.filter(user=newcomer, type=Authenticator.Type.TOTP).exists()
    main = assert_in_layout(client.get(response["Location"]))
    codes = RecoveryCodes(
        Authenticator.objects.get(user=newcomer, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()
    textarea = re.search(r"<textarea[^>]*readonly[^>]*>(.*?)</textarea>", main, re.S)
    assert textarea and textarea.group(1).split() == codes
    assert 'href="/app/"' in main  # on to the staff pages

    # Enrolling took a valid code: the session is not asked for another.
    response = client.get("/app/")
    assert response.status_code == 200


def test_login_with_totp_asks_for_the_code(enrolled):
    user, secret = enrolled
    client = english_client()
    response = log_in(client, "enrolled")
    assert response.status_code == 302
    assert response["Location"] == AUTHENTICATE
    assert logged_in_user_id(client) is None  # not in before the code
    assert client.get("/app/")["Location"].startswith("/accounts/login/")

    main = assert_in_layout(client.get(AUTHENTICATE))
    assert 'name="code"' in main
    assert 'autocomplete="one-time-code"' in main

    main = assert_in_layout(client.post(AUTHENTICATE, {"code": "123456"}))
    assert "Incorrect code." in main
    assert logged_in_user_id(client) is None

    response = client.post(AUTHENTICATE, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/app/"
    assert logged_in_user_id(client) == str(user.pk)
    assert client.get("/app/").status_code == 200


def test_a_code_works_only_once(enrolled):
    _user, secret = enrolled
    code = totp_code(secret)
    first = english_client()
    log_in(first, "enrolled")
    assert first.post(AUTHENTICATE, {"code": code}).status_code == 302

    second = english_client()
    log_in(second, "enrolled")
    main = assert_in_layout(second.post(AUTHENTICATE, {"code": code}))
    assert "Incorrect code." in main
    assert logged_in_user_id(second) is None


def test_cancel_at_the_code_stage_logs_out(enrolled):
    client = english_client()
    log_in(client, "enrolled")
    main = assert_in_layout(client.get(AUTHENTICATE))
    cancel = re.search(
        r'<button class="ds-button" data-variant="(\w+)" form="logout-from-stage"', main
    )
    assert cancel and cancel.group(1) != "primary"  # "Sign in" is the one primary button
    client.post("/accounts/logout/")
    response = client.get(AUTHENTICATE)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"


def test_a_recovery_code_stands_in_for_a_lost_phone(enrolled):
    user, _secret = enrolled
    codes = RecoveryCodes.activate(user).get_unused_codes()
    client = english_client()
    log_in(client, "enrolled")
    response = client.post(AUTHENTICATE, {"code": codes[0]})
    assert response.status_code == 302
    assert client.get("/app/").status_code == 200
    recovery_codes = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    assert codes[0] not in RecoveryCodes(recovery_codes).get_unused_codes()


def test_without_the_requirement_staff_pages_open_without_totp(settings, newcomer):
    settings.NABOSKAP_MFA_REQUIRED = False
    client = english_client()
    response = log_in(client, "newcomer")
    assert response["Location"] == "/app/"
    assert client.get("/app/").status_code == 200


def test_session_from_before_enrolment_must_confirm_with_a_code(newcomer):
    """Logged in with only a password; then TOTP was set up elsewhere (another browser)."""
    client = english_client()
    log_in(client, "newcomer")
    secret = enrol_totp(newcomer)

    response = client.get("/app/")
    assert response.status_code == 302
    assert response["Location"] == REAUTHENTICATE_MFA
    main = assert_in_layout(client.get(response["Location"]))
    assert "Confirm that it is you with a code from your authenticator app." in main
    assert 'name="code"' in main

    assert_in_layout(client.post(REAUTHENTICATE_MFA, {"code": "000000"}))
    assert client.get("/app/").status_code == 302

    response = client.post(REAUTHENTICATE_MFA, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/app/"
    assert client.get("/app/").status_code == 200


def test_a_password_does_not_stand_in_for_the_code(enrolled):
    """allauth offers "use your password" on its confirm page; that does not pass the gate."""
    user, _secret = enrolled
    client = english_client()
    client.force_login(user)  # a session that has passed no check at all
    assert client.get("/app/")["Location"] == REAUTHENTICATE_MFA
    response = client.post("/accounts/reauthenticate/?next=%2Fapp%2F", {"password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/app/")["Location"] == REAUTHENTICATE_MFA


def test_a_user_without_a_role_gets_a_clear_403(db):
    user = UserFactory(username="citizen", email="citizen@example.org")
    client = english_client()
    log_in(client, "citizen")
    response = client.get("/app/")
    main = assert_in_layout(response, status=403)
    assert "Your account has no role yet" in main
    assert "citizen@example.org" in main
    assert 'action="/accounts/logout/"' in main
    assert not Authenticator.objects.filter(user=user).exists()


def test_deactivating_totp_closes_the_staff_pages_again(enrolled):
    user, secret = enrolled
    client = english_client()
    log_in(client, "enrolled")
    client.post(AUTHENTICATE, {"code": totp_code(secret)})
    assert client.get("/app/").status_code == 200

    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    main = assert_in_layout(client.get("/accounts/2fa/totp/deactivate/"))
    assert 'data-color="danger"' in main
    response = client.post("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get("/app/")["Location"] == ACTIVATE


def test_mfa_overview_offers_activation_to_a_newcomer(newcomer):
    client = english_client()
    log_in(client, "newcomer")
    main = assert_in_layout(client.get("/accounts/2fa/"))
    link = re.search(rf'<a href="{ACTIVATE}" class="ds-button" data-variant="(\w+)"', main)
    assert link, main


def test_the_admin_logs_in_through_allauth_and_its_code_stage(db):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    secret = enrol_totp(superuser)
    client = english_client()
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"

    response = client.post(
        "/accounts/login/?next=%2Fadmin%2F", {"login": "root", "password": PASSWORD}
    )
    assert response["Location"] == AUTHENTICATE
    assert client.get("/admin/").status_code == 302  # not in before the code
    response = client.post(AUTHENTICATE, {"code": totp_code(secret)})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_live_fragment_after_the_session_ended_sends_the_whole_page_to_login(db):
    """A polling htmx fragment whose session has expired must not swap the login page into
    itself: htmx is told to load the login page, which comes back to the page, not the
    fragment."""
    client = english_client()
    response = client.get(
        "/app/prosjekter/1/ros/2/runder/3/resultater/",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/app/prosjekter/1/ros/2/runder/3/",
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=/app/prosjekter/1/ros/2/runder/3/"
    assert response.content == b""


def test_a_plain_request_after_the_session_ended_is_redirected_to_login(db):
    response = english_client().get("/app/prosjekter/1/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/app/prosjekter/1/"
