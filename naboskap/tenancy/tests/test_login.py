"""Local login with django-allauth: username or email and a password; logout by POST; no sign-up."""

import re

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail

from naboskap.conftest import client_for, make_staff, run_tasks
from naboskap.tenancy.models import Role
from naboskap.tenancy.tests.helpers import (
    assert_in_layout,
    english_client,
    log_in,
    logged_in_user_id,
)
from naboskap.testing.factories import PASSWORD, MunicipalityFactory, UserFactory

User = get_user_model()
pytestmark = pytest.mark.django_db


def test_login_page_is_ours_and_invites_nobody_to_sign_up():
    main = assert_in_layout(english_client().get("/accounts/login/"))
    assert 'action="/accounts/login/"' in main
    assert '<label class="ds-label" for="id_login">Username or email' in main
    assert 'autocomplete="username"' in main
    assert 'href="/accounts/password/reset/"' in main
    assert "/accounts/signup/" not in main
    assert "sign up" not in main.lower()


@pytest.mark.parametrize("login", ["kari", "kari@example.org", "KARI@example.org"])
def test_login_with_username_or_email(login):
    user = UserFactory(username="kari", email="kari@example.org")
    client = english_client()
    response = log_in(client, login)
    assert response.status_code == 302
    assert response["Location"] == "/app/"
    assert logged_in_user_id(client) == str(user.pk)


def test_wrong_password_is_refused_with_a_message():
    UserFactory(username="kari")
    client = english_client()
    response = log_in(client, "kari", "not-the-password")
    main = assert_in_layout(response)
    assert 'class="ds-error-summary"' in main
    assert "not correct" in main
    assert logged_in_user_id(client) is None


def test_inactive_user_cannot_log_in():
    UserFactory(username="gone", is_active=False)
    client = english_client()
    response = log_in(client, "gone")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/inactive/"
    assert_in_layout(client.get("/accounts/inactive/"))
    assert logged_in_user_id(client) is None


def test_logout_only_by_post():
    user = UserFactory()
    client = english_client()
    client.force_login(user)

    confirm = client.get("/accounts/logout/")
    main = assert_in_layout(confirm)
    assert 'method="post"' in main and 'action="/accounts/logout/"' in main
    assert logged_in_user_id(client) == str(user.pk)

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in_user_id(client) is None


def test_header_offers_logout_form_and_my_account_when_logged_in():
    client = english_client()
    anonymous = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/login/"' in anonymous
    assert 'href="/accounts/2fa/"' not in anonymous

    client.force_login(UserFactory())
    html = client.get("/accounts/password/change/").content.decode()
    header = html.split("<main", 1)[0]
    assert re.search(r'<form method="post" action="/accounts/logout/"', header)
    assert 'href="/accounts/2fa/">My account</a>' in header


@pytest.mark.parametrize("method", ["get", "post"])
def test_nobody_can_sign_up(method):
    data = {
        "username": "intruder",
        "email": "intruder@example.org",
        "password1": "A-long-and-fine-password-1",
        "password2": "A-long-and-fine-password-1",
    }
    client = english_client()
    response = getattr(client, method)("/accounts/signup/", data if method == "post" else None)
    main = assert_in_layout(response)
    assert "Sign Up Closed" in main
    assert "<form" not in main
    assert not User.objects.filter(username="intruder").exists()
    assert logged_in_user_id(client) is None


@pytest.mark.django_db(transaction=True)
def test_password_reset_by_email_end_to_end():
    UserFactory(username="kari", email="kari@example.org")
    client = english_client()
    assert_in_layout(client.get("/accounts/password/reset/"))

    response = client.post("/accounts/password/reset/", {"email": "kari@example.org"})
    assert response.status_code == 302
    assert_in_layout(client.get(response["Location"]))
    run_tasks()  # the worker sends it from the outbox
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body

    response = client.get(link.group(1), follow=True)
    main = assert_in_layout(response)
    action = re.search(
        r'<form method="post"[^>]*action="(/accounts/password/reset/key/[^"]+)"', main
    )
    assert action, main
    new_password = "Another-fine-password-42"
    response = client.post(action.group(1), {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    assert_in_layout(client.get(response["Location"]))

    assert log_in(english_client(), "kari", new_password).status_code == 302
    assert logged_in_user_id(client) is None  # resetting does not log in


def test_password_reset_for_an_unknown_address_reveals_nothing():
    """The same answer as for a known address; the mail says there is no account."""
    response = english_client().post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    assert all("/accounts/password/reset/key/" not in m.body for m in mail.outbox)


MENU_PAGES = {"/accounts/2fa/", "/accounts/password/change/", "/accounts/email/"}


@pytest.fixture
def staff_client():
    """A staff member with TOTP and recovery codes, who has just confirmed their password."""
    user = make_staff(MunicipalityFactory(), Role.COORDINATOR)
    RecoveryCodes.activate(user)
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    reauthenticated = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert reauthenticated.status_code == 302
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/2fa/",
        "/accounts/2fa/recovery-codes/",
        "/accounts/2fa/recovery-codes/generate/",
        "/accounts/2fa/totp/deactivate/",
        "/accounts/password/change/",
        "/accounts/email/",
        "/accounts/logout/",
    ],
)
def test_account_pages_render_in_our_layout_with_the_account_menu(path, staff_client):
    main = assert_in_layout(staff_client.get(path))
    assert 'class="account-nav"' in main
    if path in MENU_PAGES:
        assert f'href="{path}" aria-current="page"' in main


@pytest.mark.parametrize("path", ["/accounts/reauthenticate/", "/accounts/2fa/reauthenticate/"])
def test_reauthentication_pages_render_in_our_layout(path, staff_client):
    main = assert_in_layout(staff_client.get(path))
    assert '<form method="post"' in main
