"""OpenID Connect (Entra ID for staff, ID-porten for citizens) against a real little provider.

The provider (oidc_provider.py) runs over HTTP on 127.0.0.1 in a thread of the test process;
allauth talks to it with `requests`, and the test plays the browser: Django's test client for
Naboskap, urllib for the provider's authorize page.
"""

import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured

from naboskap.conftest import make_staff
from naboskap.settings import _oidc_apps
from naboskap.tenancy.models import Membership, Role
from naboskap.tenancy.tests.helpers import (
    assert_in_layout,
    english_client,
    logged_in_user_id,
)
from naboskap.tenancy.tests.oidc_provider import MockOpenIDProvider
from naboskap.testing.factories import MunicipalityFactory
from naboskap.testing.mfa import enrol_totp, totp_code

User = get_user_model()
pytestmark = pytest.mark.django_db

ENTRA_LOGIN = "/accounts/oidc/entra/login/"
IDPORTEN_LOGIN = "/accounts/oidc/idporten/login/"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_browser = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects)


@pytest.fixture
def provider(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    server = MockOpenIDProvider().start()
    yield server
    server.stop()


def configure(monkeypatch, settings, **servers):
    """Set the environment as an operator would and build the provider settings from it."""
    for prefix in ("OIDC_ENTRA", "OIDC_IDPORTEN"):
        for suffix in ("CLIENT_ID", "CLIENT_SECRET", "SERVER_URL"):
            monkeypatch.delenv(f"{prefix}_{suffix}", raising=False)
    for name, server in servers.items():
        prefix = f"OIDC_{name.upper()}"
        monkeypatch.setenv(f"{prefix}_CLIENT_ID", server.client_id)
        monkeypatch.setenv(f"{prefix}_CLIENT_SECRET", server.client_secret)
        monkeypatch.setenv(f"{prefix}_SERVER_URL", server.issuer)
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {"APPS": _oidc_apps(), "OAUTH_PKCE_ENABLED": True}
    }


@pytest.fixture
def entra(provider, monkeypatch, settings):
    configure(monkeypatch, settings, entra=provider)
    return provider


def log_in_through(provider, client, login_url=ENTRA_LOGIN, **claims):
    """The whole round trip; returns Naboskap's answer to the callback."""
    provider.next_user = claims
    response = client.post(login_url)
    assert response.status_code == 302, response.content.decode()[:2000]
    authorize = response["Location"]
    assert authorize.startswith(provider.endpoint("authorize") + "?")

    with pytest.raises(urllib.error.HTTPError) as redirect:
        _browser.open(authorize)
    assert redirect.value.code == 302
    callback = urllib.parse.urlsplit(redirect.value.headers["Location"])
    assert callback.netloc == "testserver"
    return client.get(f"{callback.path}?{callback.query}")


def test_login_page_has_a_button_per_configured_provider(monkeypatch, settings, provider):
    configure(monkeypatch, settings, entra=provider, idporten=provider)
    main = assert_in_layout(english_client().get("/accounts/login/"))
    forms = re.findall(r'<form method="post" action="([^"]+)"[^>]*>\s*<input[^>]+csrf', main)
    assert sorted(urllib.parse.urlsplit(f).path for f in forms) == [ENTRA_LOGIN, IDPORTEN_LOGIN]
    assert "Log in with Microsoft Entra ID" in main
    assert "Log in with ID-porten" in main


def test_login_page_has_no_provider_buttons_when_none_is_configured(monkeypatch, settings):
    configure(monkeypatch, settings)
    main = assert_in_layout(english_client().get("/accounts/login/"))
    assert "/accounts/oidc/" not in main
    assert "Or log in with" not in main
    assert english_client().post(ENTRA_LOGIN).status_code == 404


def test_new_user_is_created_and_logged_in_with_no_role(entra):
    client = english_client()
    response = log_in_through(
        entra,
        client,
        sub="entra-0001",
        email="ola.nordmann@fjordby.kommune.no",
        email_verified=True,
        preferred_username="ola.nordmann@fjordby.kommune.no",
        name="Ola Nordmann",
        given_name="Ola",
        family_name="Nordmann",
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == "/app/"

    account = SocialAccount.objects.get(provider="entra", uid="entra-0001")
    user = account.user
    assert logged_in_user_id(client) == str(user.pk)
    assert user.email == "ola.nordmann@fjordby.kommune.no"
    assert (user.first_name, user.last_name) == ("Ola", "Nordmann")
    assert user.has_usable_password() is False
    assert not Membership.objects.filter(user=user).exists()

    # No role, so no staff data: the 403 page says why and what to do.
    main = assert_in_layout(client.get("/app/"), status=403)
    assert "Your account has no role yet" in main
    assert "ola.nordmann@fjordby.kommune.no" in main
    assert client.get("/app/prosjekter/ny/").status_code == 403

    # What the client sent the provider: PKCE S256, the secret in the body, the callback URL.
    (authorize,) = entra.requests_to("/authorize")
    assert sorted(authorize["query"]["scope"].split()) == ["email", "openid", "profile"]
    assert authorize["query"]["code_challenge_method"] == "S256"
    assert authorize["query"]["redirect_uri"] == (
        "http://testserver/accounts/oidc/entra/login/callback/"
    )
    (token,) = entra.requests_to("/token")
    assert token["form"]["client_secret"] == entra.client_secret
    assert token["form"]["code_verifier"]
    assert token["authorization"] == ""
    (userinfo,) = entra.requests_to("/userinfo")
    assert userinfo["authorization"].startswith("Bearer ")


def test_second_login_finds_the_same_user(entra):
    claims = {"sub": "entra-0002", "email": "kari@fjordby.kommune.no", "name": "Kari"}
    log_in_through(entra, english_client(), **claims)
    client = english_client()
    response = log_in_through(entra, client, **claims)
    assert response.status_code == 302
    assert User.objects.filter(socialaccount__uid="entra-0002").count() == 1
    assert logged_in_user_id(client) == str(SocialAccount.objects.get(uid="entra-0002").user_id)


def test_idporten_citizen_without_an_email_address_gets_in(provider, monkeypatch, settings):
    """ID-porten gives a pseudonymous `sub` and the national identity number, no email."""
    configure(monkeypatch, settings, idporten=provider)
    client = english_client()
    response = log_in_through(
        provider,
        client,
        IDPORTEN_LOGIN,
        sub="Xk3-pseudonym",
        pid="24079421234",
        acr="idporten-loa-substantial",
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = SocialAccount.objects.get(provider="idporten", uid="Xk3-pseudonym").user
    assert logged_in_user_id(client) == str(user.pk)
    assert user.email == ""
    assert client.get("/app/").status_code == 403
    (authorize,) = provider.requests_to("/authorize")
    assert sorted(authorize["query"]["scope"].split()) == ["openid", "profile"]


def test_a_provider_without_server_url_is_a_configuration_error(monkeypatch):
    monkeypatch.setenv("OIDC_ENTRA_CLIENT_ID", "naboskap")
    monkeypatch.delenv("OIDC_ENTRA_SERVER_URL", raising=False)
    with pytest.raises(ImproperlyConfigured, match="OIDC_ENTRA_SERVER_URL"):
        _oidc_apps()


def test_an_address_already_in_use_does_not_take_over_the_account(entra):
    """Email addresses from a provider are not trusted to log in to an existing account."""
    staff = make_staff(MunicipalityFactory(), Role.ADMIN, username="admin")
    client = english_client()
    response = log_in_through(
        entra, client, sub="entra-evil", email=staff.email, email_verified=True
    )
    # allauth asks the newcomer to complete a sign-up form instead; the address is refused.
    assert response["Location"] == "/accounts/3rdparty/signup/"
    assert_in_layout(client.get(response["Location"]))
    response = client.post("/accounts/3rdparty/signup/", {"email": staff.email, "username": "evil"})
    main = assert_in_layout(response)
    assert 'class="ds-error-summary"' in main
    assert logged_in_user_id(client) is None
    assert not SocialAccount.objects.exists()


def test_staff_member_with_a_linked_account_is_sent_to_enrol_in_totp(entra):
    staff = make_staff(MunicipalityFactory(), Role.COORDINATOR, username="linked", mfa=False)
    SocialAccount.objects.create(user=staff, provider="entra", uid="entra-staff")
    client = english_client()
    response = log_in_through(entra, client, sub="entra-staff", email=staff.email)
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(staff.pk)

    response = client.get("/app/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_staff_member_with_totp_is_asked_for_the_code_after_the_provider(entra):
    staff = make_staff(MunicipalityFactory(), Role.COORDINATOR, username="linked", mfa=False)
    secret = enrol_totp(staff)
    SocialAccount.objects.create(user=staff, provider="entra", uid="entra-staff")
    client = english_client()
    response = log_in_through(entra, client, sub="entra-staff")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert logged_in_user_id(client) is None

    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(staff.pk)
    assert client.get("/app/").status_code == 200


def test_a_second_factor_at_entra_counts_and_no_code_is_asked(entra):
    """Entra ID says `amr: ["pwd", "mfa"]`: the staff member is not asked again."""
    staff = make_staff(MunicipalityFactory(), Role.COORDINATOR, username="linked", mfa=False)
    enrol_totp(staff)
    SocialAccount.objects.create(user=staff, provider="entra", uid="entra-staff")
    client = english_client()
    response = log_in_through(entra, client, sub="entra-staff", amr=["pwd", "mfa"])
    assert response.status_code == 302
    assert response["Location"] == "/app/"
    assert logged_in_user_id(client) == str(staff.pk)
    assert client.get("/app/").status_code == 200


def test_a_second_factor_at_the_provider_spares_setting_up_totp(entra):
    staff = make_staff(MunicipalityFactory(), Role.COORDINATOR, username="linked", mfa=False)
    SocialAccount.objects.create(user=staff, provider="entra", uid="entra-staff")
    client = english_client()
    log_in_through(entra, client, sub="entra-staff", amr=["pwd", "mfa"])
    assert client.get("/app/").status_code == 200
    # The claim is read from the signed ID token of this login, not remembered: a later
    # login with a password alone at the provider must set up TOTP as before.
    other = english_client()
    log_in_through(entra, other, sub="entra-staff", amr=["pwd"])
    assert other.get("/app/")["Location"] == "/accounts/2fa/totp/activate/"


def test_id_porten_level_substantial_counts_as_a_second_factor(provider, monkeypatch, settings):
    configure(monkeypatch, settings, idporten=provider)
    staff = make_staff(MunicipalityFactory(), Role.POLITICIAN, username="politiker", mfa=False)
    SocialAccount.objects.create(user=staff, provider="idporten", uid="Xk3-politiker")
    client = english_client()
    log_in_through(
        provider, client, IDPORTEN_LOGIN, sub="Xk3-politiker", acr="idporten-loa-substantial"
    )
    assert client.get("/app/").status_code == 200
    low = english_client()
    log_in_through(provider, low, IDPORTEN_LOGIN, sub="Xk3-politiker", acr="idporten-loa-low")
    assert low.get("/app/")["Location"] == "/accounts/2fa/totp/activate/"


def test_an_id_token_for_another_client_is_refused(entra):
    entra.id_token_overrides = {"aud": "some-other-client"}
    client = english_client()
    response = log_in_through(entra, client, sub="entra-0003", email="x@example.org")
    main = assert_in_layout(response, status=401)
    assert "Third-Party Login Failure" in main
    assert logged_in_user_id(client) is None
    assert not SocialAccount.objects.exists()


def test_a_callback_without_the_login_state_is_refused(entra):
    """A forged callback (login CSRF): the state was never issued to this browser."""
    entra.next_user = {"sub": "entra-0004"}
    response = english_client().post(ENTRA_LOGIN)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(response["Location"]).query)
    with pytest.raises(urllib.error.HTTPError) as redirect:
        _browser.open(response["Location"])
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(redirect.value.headers["Location"]).query)

    other = english_client()
    callback = "/accounts/oidc/entra/login/callback/?" + urllib.parse.urlencode(
        {"code": code["code"][0], "state": query["state"][0]}
    )
    main = assert_in_layout(other.get(callback), status=401)
    assert "Third-Party Login Failure" in main
    assert logged_in_user_id(other) is None
    assert not SocialAccount.objects.exists()


def test_provider_signs_id_tokens_that_verify_against_its_jwks(entra):
    """What allauth checks when an app hands it an id_token (no TLS channel to trust)."""
    entra.next_user = {"sub": "entra-0005"}
    authorize = (
        entra.endpoint("authorize")
        + "?"
        + urllib.parse.urlencode(
            {
                "client_id": entra.client_id,
                "response_type": "code",
                "scope": "openid",
                "redirect_uri": "http://testserver/cb",
                "state": "s",
            }
        )
    )
    with pytest.raises(urllib.error.HTTPError) as redirect:
        _browser.open(authorize)
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(redirect.value.headers["Location"]).query)
    body = urllib.parse.urlencode(
        {
            "grant_type": "authorization_code",
            "code": code["code"][0],
            "redirect_uri": "http://testserver/cb",
            "client_id": entra.client_id,
            "client_secret": entra.client_secret,
        }
    ).encode()
    with _browser.open(entra.endpoint("token"), data=body) as response:
        id_token = json.load(response)["id_token"]
    claims = jwtkit.verify_and_decode(
        credential=id_token,
        keys_url=entra.endpoint("jwks"),
        issuer=entra.issuer,
        audience=[entra.client_id],
        lookup_kid=jwtkit.lookup_kid_jwk,
    )
    assert claims["sub"] == "entra-0005"
