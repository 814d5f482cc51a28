"""The pages where staff create, see and revoke their REST API tokens, and where the
municipality administrator does so for a user of the municipality (issue 23).

A new token's secret is shown once (the second visit no longer has it), it works against the
API with `Authorization: Bearer`, and once revoked it is refused; nobody revokes another
user's token; the administrator creates tokens only for users of their own municipality; bad
input keeps what was typed and says what is wrong."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from naboskap.api import services
from naboskap.api.models import ApiToken, hash_key
from naboskap.conftest import english

RAW = re.compile(r"nbk_[A-Za-z0-9_-]{20,}")
NO_SCOPE = "Choose what the token may read or change in at least one area."


@pytest.fixture(autouse=True)
def open_limits(settings):
    settings.RATELIMIT_ENABLE = False


def new_token_data(prefix="", **overrides):
    data = {
        "name": "Sak/arkiv",
        "access_concerns": "write",
        "access_measures": "read",
        "access_meetings": "",
        "access_analyses": "",
        "access_stakeholders": "",
        "access_surveys": "",
        "expires_in": "90",
        **overrides,
    }
    return {f"{prefix}{key}": value for key, value in data.items()}


def concerns_with(raw: str):
    return Client().get("/api/v1/concerns/", HTTP_AUTHORIZATION=f"Bearer {raw}")


def token_of(user, name="Rapport") -> ApiToken:
    token, _raw = services.token_create(
        user=user,
        name=name,
        scopes=["concerns:read"],
        expires_at=timezone.now() + timedelta(days=30),
    )
    return token


def test_a_token_is_shown_once_works_and_is_refused_once_revoked(world):
    coordinator = world.users["coordinator"]
    client = english(coordinator)
    page = client.get(reverse("api_tokens:list"))
    assert page.status_code == 200
    assert "You have no API tokens." in page.content.decode()
    assert 'href="/api/v1/docs/"' in page.content.decode()

    created = client.post(reverse("api_tokens:list"), new_token_data())
    assert created.status_code == 302
    assert created["Location"] == reverse("api_tokens:created")

    shown = client.get(reverse("api_tokens:created"))
    assert shown.status_code == 200
    assert "no-store" in shown["Cache-Control"]
    text = shown.content.decode()
    raw = RAW.search(text).group(0)
    assert "Copy the token now" in text
    assert f'value="{raw}"' in text
    assert f'curl -H "Authorization: Bearer {raw}" http://testserver/api/v1/concerns/' in text
    assert "api/token-copy.js" in text
    token = ApiToken.objects.get(user=coordinator)
    assert token.name == "Sak/arkiv"
    assert token.prefix == raw[:12]
    assert token.scopes == ["concerns:write", "measures:read"]
    assert token.created_by == coordinator
    expected = timezone.now() + timedelta(days=90)
    assert abs(token.expires_at - expected) < timedelta(minutes=1)

    # Only once: a reload no longer has the secret.
    again = client.get(reverse("api_tokens:created"))
    assert again.status_code == 200
    assert raw not in again.content.decode()
    assert "The token is no longer shown" in again.content.decode()

    listed = client.get(reverse("api_tokens:list")).content.decode()
    assert "Sak/arkiv" in listed
    assert "Concerns: read and change" in listed and "Measures and plans: read" in listed
    assert f"{raw[:12]}…" in listed and raw not in listed
    assert "Active" in listed
    assert reverse("api_tokens:revoke", args=[token.pk]) in listed

    assert concerns_with(raw).status_code == 200

    # Revoking asks first: the button on the list opens the confirmation.
    url = reverse("api_tokens:revoke", args=[token.pk])
    asked = client.post(url)
    assert asked.status_code == 200
    assert "Revoke the token" in asked.content.decode()
    assert 'name="confirm"' in asked.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None
    assert client.get(url).status_code == 200

    revoked = client.post(url, {"confirm": "1"})
    assert revoked.status_code == 302
    assert revoked["Location"] == reverse("api_tokens:list")
    token.refresh_from_db()
    assert token.revoked_at is not None
    after = client.get(reverse("api_tokens:list")).content.decode()
    assert "was revoked" in after and "Revoked" in after
    assert url not in after  # no revoke button for a revoked token
    assert "The token is already revoked" in client.get(url).content.decode()

    refused = concerns_with(raw)
    assert refused.status_code == 401


@pytest.mark.parametrize("persona", ["case_handler", "outsider", "admin"])
def test_nobody_revokes_another_users_token(world, persona):
    token = token_of(world.users["coordinator"])
    client = english(world.users[persona])
    url = reverse("api_tokens:revoke", args=[token.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"confirm": "1"}).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    # Nor does their list show it.
    assert "Rapport" not in client.get(reverse("api_tokens:list")).content.decode()


def test_the_administrator_creates_and_revokes_a_token_for_a_user_of_the_municipality(world):
    admin, system_user = world.users["admin"], world.users["politician"]
    client = english(admin)
    user_page = client.get(reverse("administration:user", args=[system_user.pk]))
    assert user_page.status_code == 200
    text = user_page.content.decode()
    assert "API tokens" in text and "This user has no API tokens." in text
    create_url = reverse("api_tokens:member_create", args=[system_user.pk])
    assert f'action="{create_url}"' in text
    assert client.get(create_url).status_code == 200

    created = client.post(create_url, new_token_data("token-", name="Arkivsystem"))
    assert created.status_code == 302
    assert created["Location"] == reverse("api_tokens:created")
    shown = client.get(reverse("api_tokens:created")).content.decode()
    raw = RAW.search(shown).group(0)
    assert "Back to the user" in shown
    token = ApiToken.objects.get(key_hash=hash_key(raw))
    assert token.user == system_user and token.created_by == admin
    assert token.name == "Arkivsystem"
    assert concerns_with(raw).status_code == 200

    text = client.get(reverse("administration:user", args=[system_user.pk])).content.decode()
    assert "Arkivsystem" in text and "Concerns: read and change" in text
    revoke_url = reverse("api_tokens:member_revoke", args=[system_user.pk, token.pk])
    assert revoke_url in text
    # The user sees it on their own page too, made by the administrator.
    own = english(system_user).get(reverse("api_tokens:list")).content.decode()
    assert "Arkivsystem" in own and f"by {admin.get_full_name() or admin.username}" in own

    assert client.post(revoke_url).status_code == 200  # asks first
    done = client.post(revoke_url, {"confirm": "1"})
    assert done.status_code == 302
    assert done["Location"] == reverse("administration:user", args=[system_user.pk])
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert concerns_with(raw).status_code == 401


def test_the_administrator_creates_no_token_for_a_user_of_another_municipality(world):
    admin = english(world.users["admin"])
    stranger = world.users["outsider"]
    url = reverse("api_tokens:member_create", args=[stranger.pk])
    assert admin.get(url).status_code == 404
    assert admin.post(url, new_token_data("token-")).status_code == 404
    their_token = token_of(stranger)
    revoke = reverse("api_tokens:member_revoke", args=[stranger.pk, their_token.pk])
    assert admin.post(revoke, {"confirm": "1"}).status_code == 404
    # A token of another user, under the address of a user of the municipality: 404 too.
    mixed = reverse("api_tokens:member_revoke", args=[world.users["police"].pk, their_token.pk])
    assert admin.post(mixed, {"confirm": "1"}).status_code == 404
    their_token.refresh_from_db()
    assert their_token.revoked_at is None
    assert not ApiToken.objects.filter(user=stranger).exclude(pk=their_token.pk).exists()


def test_only_the_administrator_creates_tokens_for_others(world):
    coordinator = english(world.users["coordinator"])
    url = reverse("api_tokens:member_create", args=[world.users["politician"].pk])
    assert coordinator.post(url, new_token_data("token-")).status_code == 403
    assert not ApiToken.objects.exists()


def test_bad_input_keeps_what_was_typed_and_says_what_is_wrong(world):
    client = english(world.users["coordinator"])
    url = reverse("api_tokens:list")

    no_name = client.post(url, new_token_data(name="  ", access_concerns="read", expires_in="180"))
    assert no_name.status_code == 400
    text = no_name.content.decode()
    assert "Please correct the following" in text and "This field is required." in text
    assert re.search(r'value="read"[^>]*id="id_access_concerns_1"[^>]*checked', text)
    assert re.search(r'value="180"[^>]*id="id_expires_in_2"[^>]*checked', text)

    no_scope = client.post(
        url, new_token_data(name="Arkiv", access_concerns="", access_measures="")
    )
    assert no_scope.status_code == 400
    text = no_scope.content.decode()
    assert NO_SCOPE in text
    assert 'value="Arkiv"' in text

    odd = client.post(url, new_token_data(expires_in="7", access_concerns="admin"))
    assert odd.status_code == 400
    assert "Select a valid choice" in odd.content.decode()

    empty = client.post(url, {})
    assert empty.status_code == 400
    assert NO_SCOPE in empty.content.decode()

    assert not ApiToken.objects.exists()

    # The administrator's form, too: on its own page, with what was typed.
    admin = english(world.users["admin"])
    member_url = reverse("api_tokens:member_create", args=[world.users["politician"].pk])
    bad = admin.post(
        member_url,
        new_token_data("token-", name="Arkiv", access_concerns="", access_measures=""),
    )
    assert bad.status_code == 400
    assert NO_SCOPE in bad.content.decode() and 'value="Arkiv"' in bad.content.decode()
    assert not ApiToken.objects.exists()


def test_the_created_page_shows_nothing_of_another_users_new_token(world):
    """The secret in the session is shown only to the user who created the token."""
    coordinator = english(world.users["coordinator"])
    coordinator.post(reverse("api_tokens:list"), new_token_data())
    other = english(world.users["case_handler"])
    text = other.get(reverse("api_tokens:created")).content.decode()
    assert RAW.search(text) is None


def test_the_profile_links_to_the_tokens_and_the_documentation(world):
    text = english(world.users["police"]).get(reverse("tenancy:profile")).content.decode()
    assert f'href="{reverse("api_tokens:list")}"' in text
    assert 'href="/api/v1/docs/"' in text
