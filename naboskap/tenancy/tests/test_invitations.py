"""Inviting a colleague by email, through HTTP: the email, the single-use link, the new
account, the roles, and the two-step setup that follows."""

import re
import urllib.error
import urllib.parse
from datetime import timedelta

import pytest
from allauth.socialaccount.models import SocialAccount
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from naboskap.conftest import client_for, english
from naboskap.tenancy.administration.services import (
    invitation_create,
    invitation_token,
    token_hash,
)
from naboskap.tenancy.models import Invitation, Membership, Municipality, Role
from naboskap.tenancy.tests.helpers import logged_in_user_id
from naboskap.tenancy.tests.test_oidc import _browser, entra, provider  # noqa: F401 (fixtures)

User = get_user_model()
LINK = re.compile(r"https?://\S+/invitasjon/(?P<token>[0-9a-f]+)/")
GOOD_PASSWORD = "Fjell-og-fjord-2026!"


def invite(admin_client, world, **data):
    fields = {
        "invite-name": "Nina Nyansatt",
        "invite-email": "nina@example.org",
        "invite-roles": ["case_handler"],
        "invite-unit": world.project.responsible_unit_id,
        **data,
    }
    return admin_client.post(reverse("administration:invite"), fields)


def link_in_last_email() -> str:
    match = LINK.search(mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return reverse("invitations:accept", args=[match["token"]])


@pytest.mark.django_db(transaction=True)
def test_invitation_journey_from_email_to_two_step_setup(world, tasks):
    admin = client_for(world.users["admin"], language="en")
    response = invite(admin, world)
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="nina@example.org")
    assert invitation.invited_by == world.users["admin"]
    assert invitation.expires_at - timezone.now() > timedelta(hours=71)
    assert len(invitation.token_hash) == 64
    tasks()
    assert [m.to for m in mail.outbox] == [["nina@example.org"]]
    assert "Fjordby kommune" in mail.outbox[0].subject
    url = link_in_last_email()
    # The token is not stored: only its hash.
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert not Invitation.objects.filter(token_hash=token).exists()
    assert Invitation.objects.filter(token_hash=token_hash(token)).exists()

    invitee = english()
    page = invitee.get(url)
    assert page.status_code == 200
    assert "Nina Nyansatt" in page.content.decode()
    weak = invitee.post(url, {"username": "nina", "password1": "123", "password2": "123"})
    assert weak.status_code == 400
    assert "too short" in weak.content.decode()
    assert 'value="nina"' in weak.content.decode()  # what was typed is kept
    done = invitee.post(
        url, {"username": "nina", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    )
    assert done.status_code == 302
    user = User.objects.get(username="nina")
    assert user.email == "nina@example.org" and user.check_password(GOOD_PASSWORD)
    assert str(logged_in_user_id(invitee)) == str(user.pk)
    membership = Membership.objects.get(user=user)
    assert membership.role == Role.CASE_HANDLER
    assert membership.municipality == world.municipality
    assert membership.unit == world.project.responsible_unit
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None and invitation.accepted_by == user
    # MFA is required: the staff gate sends the new colleague to set up TOTP.
    gate = invitee.get(done["Location"])
    assert gate.status_code == 302
    assert gate["Location"] == reverse("mfa_activate_totp")
    assert invitee.get(gate["Location"]).status_code == 200
    # The link works once.
    again = english().get(url)
    assert again.status_code == 410
    assert "has been used" in again.content.decode()


@pytest.mark.django_db
def test_expired_and_unknown_links_answer_a_clear_page(world):
    invitation = invitation_create(
        municipality=world.municipality,
        name="Ola",
        email="ola@example.org",
        roles=[Role.POLITICIAN],
        invited_by=world.users["admin"],
    )
    url = reverse("invitations:accept", args=[invitation_token(invitation)])
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    client = english()
    expired = client.get(url)
    assert expired.status_code == 410
    assert "has expired" in expired.content.decode()
    posted = client.post(
        url, {"username": "ola", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    )
    assert posted.status_code == 410
    assert not User.objects.filter(username="ola").exists()
    unknown = client.get(reverse("invitations:accept", args=["nonsense" * 3]))
    assert unknown.status_code == 404
    assert "does not work" in unknown.content.decode()


@pytest.mark.django_db
def test_resend_replaces_the_link_and_revoke_ends_it(world, django_capture_on_commit_callbacks):
    admin = client_for(world.users["admin"], language="en")
    invite(admin, world)
    invitation = Invitation.objects.get()
    old_url = reverse("invitations:accept", args=[invitation_token(invitation)])
    resend = admin.post(reverse("administration:invitation_resend", args=[invitation.pk]))
    assert resend.status_code == 302
    invitation.refresh_from_db()
    new_url = reverse("invitations:accept", args=[invitation_token(invitation)])
    assert new_url != old_url
    assert english().get(old_url).status_code == 404
    assert english().get(new_url).status_code == 200
    revoke = admin.post(reverse("administration:invitation_revoke", args=[invitation.pk]))
    assert revoke.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    page = english().get(new_url)
    assert page.status_code == 410 and "withdrawn" in page.content.decode()
    listing = admin.get(reverse("administration:users"))
    assert "<td>nina@example.org</td>" not in listing.content.decode()
    assert "No open invitations." in listing.content.decode()
    events = LogEntry.objects.filter(additional_data__municipality_id=world.municipality.pk)
    assert {e.additional_data.get("event") for e in events} >= {
        "invited",
        "invitation_resent",
        "invitation_revoked",
    }


@pytest.mark.django_db
def test_an_existing_user_of_another_municipality_gets_the_role_added(world):
    outsider = world.users["outsider"]
    outsider.email = "delt@example.org"
    outsider.save()
    admin = client_for(world.users["admin"], language="en")
    invite(admin, world, **{"invite-email": "delt@example.org", "invite-roles": ["police"]})
    invitation = Invitation.objects.get()
    url = reverse("invitations:accept", args=[invitation_token(invitation)])
    anonymous = english().get(url)
    assert anonymous.status_code == 200
    assert "Sign in to accept" in anonymous.content.decode()
    assert "password1" not in anonymous.content.decode()
    signed_in = client_for(outsider, language="en")
    assert signed_in.post(url).status_code == 302
    assert set(Membership.objects.filter(user=outsider).values_list("role", "municipality")) == {
        (Role.COORDINATOR, world.other_municipality.pk),
        (Role.POLICE, world.municipality.pk),
    }
    assert User.objects.filter(email="delt@example.org").count() == 1


@pytest.mark.django_db
def test_someone_else_signed_in_cannot_take_the_invitation(world):
    admin = client_for(world.users["admin"], language="en")
    invite(admin, world)
    url = reverse("invitations:accept", args=[invitation_token(Invitation.objects.get())])
    other = client_for(world.users["politician"], language="en")
    page = other.get(url)
    assert page.status_code == 200 and "another account" in page.content.decode()
    assert other.post(url).status_code == 403
    assert Invitation.objects.get().accepted_at is None


@pytest.mark.django_db
def test_invite_form_errors_keep_what_was_typed(world):
    admin = client_for(world.users["admin"], language="en")
    response = invite(admin, world, **{"invite-email": "not-an-address", "invite-roles": []})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nina Nyansatt" in html and "not-an-address" in html
    assert not Invitation.objects.exists()
    taken = invite(admin, world, **{"invite-email": world.users["coordinator"].email})
    assert taken.status_code == 400
    assert "member already" in taken.content.decode()


@pytest.mark.django_db(transaction=True)
def test_create_municipality_command_invites_the_first_admin(world, tasks, capsys):
    call_command(
        "create_municipality",
        number="4601",
        name="Bærum kommune",
        language="nn",
        admin_email="forste@example.org",
    )
    municipality = Municipality.objects.get(number="4601")
    assert municipality.slug == "baerum-kommune"
    assert municipality.default_language == "nn"
    assert municipality.concern_categories.filter(code="noise").exists()
    invitation = Invitation.objects.get(municipality=municipality)
    assert invitation.roles == [Role.ADMIN]
    printed = capsys.readouterr().out
    match = LINK.search(printed)
    assert match, printed
    tasks()
    assert [m.to for m in mail.outbox] == [["forste@example.org"]]
    assert match.group(0) in mail.outbox[0].body
    client = english()
    url = reverse("invitations:accept", args=[match["token"]])
    client.post(url, {"username": "forste", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert Membership.objects.filter(
        user__username="forste", municipality=municipality, role=Role.ADMIN
    ).exists()


@pytest.mark.django_db
def test_create_municipality_refuses_a_taken_number(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="number"):
        call_command(
            "create_municipality",
            number=world.municipality.number,
            name="Kopi kommune",
            admin_email="x@example.org",
        )
    assert not Municipality.objects.filter(name="Kopi kommune").exists()


@pytest.mark.django_db
def test_invitee_who_chooses_entra_gets_the_login_connected_to_the_invited_user(
    world,
    entra,  # noqa: F811
):
    """The whole round trip through a real little OpenID Connect provider: the invitation in
    the session, the provider's login connected to a new user with the invited roles."""
    invitation = invitation_create(
        municipality=world.municipality,
        name="Eva Entra",
        email="eva@example.org",
        roles=[Role.COORDINATOR],
    )
    url = reverse("invitations:accept", args=[invitation_token(invitation)])
    client = english()
    page = client.get(url)
    assert "Continue with Entra ID" in page.content.decode()
    entra.next_user = {
        "sub": "entra-eva-1",
        "email": "eva.work@fjordby.kommune.no",
        "email_verified": True,
        "name": "Eva Entra",
        "given_name": "Eva",
        "family_name": "Entra",
    }
    response = client.post(url, {"action": "oidc"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"].startswith(entra.endpoint("authorize") + "?")
    with pytest.raises(urllib.error.HTTPError) as redirect:
        _browser.open(response["Location"])
    callback = urllib.parse.urlsplit(redirect.value.headers["Location"])
    done = client.get(f"{callback.path}?{callback.query}")
    assert done.status_code == 302, done.content.decode()[:2000]
    user = SocialAccount.objects.get(provider="entra", uid="entra-eva-1").user
    assert user.email == "eva@example.org"  # the invited address
    assert not user.has_usable_password()
    assert str(logged_in_user_id(client)) == str(user.pk)
    assert Membership.objects.filter(
        user=user, municipality=world.municipality, role=Role.COORDINATOR
    ).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert english().get(url).status_code == 410


@pytest.mark.django_db
def test_invitation_page_offers_the_provider_when_configured(world, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "entra",
                    "name": "Microsoft Entra ID",
                    "client_id": "naboskap",
                    "secret": "s",
                    "settings": {"server_url": "https://login.example.org"},
                }
            ]
        }
    }
    invitation = invitation_create(
        municipality=world.municipality, name="Per", email="per@example.org", roles=["police"]
    )
    page = english().get(reverse("invitations:accept", args=[invitation_token(invitation)]))
    assert page.status_code == 200
    assert "Continue with Entra ID" in page.content.decode()
