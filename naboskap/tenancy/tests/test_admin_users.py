"""The municipality administrator's user pages: the list, roles, deactivation, two-step
resets, and the log."""

import pytest
from allauth.mfa.models import Authenticator
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.urls import reverse

from naboskap.conftest import client_for, make_staff
from naboskap.tenancy.models import Membership, Profile, Role
from naboskap.tenancy.sessions import SIGNED_IN_AT

User = get_user_model()
pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(world):
    return client_for(world.users["admin"], language="en")


def test_user_list_shows_roles_last_login_and_two_step_state(world, admin):
    no_totp = make_staff(world.municipality, Role.POLITICIAN, username="utenkode", mfa=False)
    response = admin.get(reverse("administration:users"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Project coordinator" in html and "Case handler · Helse og sosial" in html
    assert "Facility staff · Lindeveien" in html
    assert "utenkode" in html and "Not set up" in html and "Set up" in html
    assert "outsider" not in html  # another municipality's staff
    searched = admin.get(reverse("administration:users"), {"q": "utenkode"})
    assert "utenkode" in searched.content.decode()
    assert "case_handler" not in searched.content.decode()
    assert no_totp.pk


def test_user_list_queries_do_not_grow_with_the_staff(world, admin, django_assert_max_num_queries):
    for number in range(12):
        make_staff(world.municipality, Role.CASE_HANDLER, username=f"ekstra{number}")
    with django_assert_max_num_queries(20):
        response = admin.get(reverse("administration:users"))
    assert "ekstra11" in response.content.decode()


def roles_data(rows):
    data = {
        "roles-TOTAL_FORMS": str(len(rows)),
        "roles-INITIAL_FORMS": "0",
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "20",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"roles-{index}-{key}"] = value
    return data


def test_admin_changes_roles_units_and_project_scope(world, admin):
    user = world.users["case_handler"]
    unit = world.project.responsible_unit
    url = reverse("administration:user", args=[user.pk])
    page = admin.get(url)
    assert page.status_code == 200 and "Save the roles" in page.content.decode()
    response = admin.post(
        url,
        roles_data(
            [
                {"role": "case_handler", "project": "", "unit": unit.pk},
                {"role": "coordinator", "project": world.project.pk, "unit": ""},
            ]
        ),
    )
    assert response.status_code == 302
    assert set(Membership.objects.filter(user=user).values_list("role", "project", "unit")) == {
        ("case_handler", None, unit.pk),
        ("coordinator", world.project.pk, None),
    }
    entries = LogEntry.objects.filter(additional_data__municipality_id=world.municipality.pk)
    assert entries.filter(actor=world.users["admin"]).exists()


def test_roles_form_errors_answer_400_and_change_nothing(world, admin):
    user = world.users["police"]
    url = reverse("administration:user", args=[user.pk])
    twice = roles_data([{"role": "police", "project": ""}, {"role": "police", "project": ""}])
    response = admin.post(url, twice)
    assert response.status_code == 400
    assert "only once" in response.content.decode()
    none = admin.post(url, roles_data([{"role": "", "project": ""}]))
    assert none.status_code == 400 and "at least one role" in none.content.decode()
    assert list(Membership.objects.filter(user=user).values_list("role", flat=True)) == ["police"]


def test_the_last_admin_cannot_demote_or_deactivate_themselves(world, admin):
    me = world.users["admin"]
    demote = admin.post(
        reverse("administration:user", args=[me.pk]), roles_data([{"role": "coordinator"}])
    )
    assert demote.status_code == 400
    assert "at least one administrator" in demote.content.decode()
    leave = admin.post(reverse("administration:user_deactivate", args=[me.pk]))
    assert leave.status_code == 400
    assert "at least one administrator" in leave.content.decode()
    me.refresh_from_db()
    assert me.is_active
    assert Membership.objects.filter(user=me, role=Role.ADMIN).exists()
    # With a second administrator, stepping down is allowed.
    make_staff(world.municipality, Role.ADMIN, username="admin2")
    ok = admin.post(
        reverse("administration:user", args=[me.pk]), roles_data([{"role": "coordinator"}])
    )
    assert ok.status_code == 302
    assert list(Membership.objects.filter(user=me).values_list("role", flat=True)) == [
        "coordinator"
    ]


def test_deactivation_ends_roles_and_sessions_and_keeps_history(world, admin):
    leaver = world.users["coordinator"]
    leaver_client = client_for(leaver, language="en")
    assert leaver_client.get(reverse("projects:my_projects")).status_code == 200
    assert leaver_client.session.get(SIGNED_IN_AT)
    unit = world.project.responsible_unit
    unit.lead = leaver
    unit.save()
    response = admin.post(
        reverse("administration:user_deactivate", args=[leaver.pk]),
        {"deactivate-reason": "Sluttet 1. desember"},
    )
    assert response.status_code == 302
    leaver.refresh_from_db()
    assert leaver.is_active is False
    assert not Membership.objects.filter(user=leaver).exists()
    assert Profile.objects.get(user=leaver).sessions_valid_from is not None
    unit.refresh_from_db()
    assert unit.lead is None
    # History stays: the project still names them as its dialogue owner.
    world.project.refresh_from_db()
    assert world.project.dialogue_owner == leaver
    # Their open session is logged out on its next request (SessionPolicyMiddleware).
    after = leaver_client.get(reverse("projects:my_projects"))
    assert after.status_code == 302
    assert after["Location"].startswith(reverse("account_login"))
    event = LogEntry.objects.get(additional_data__event="deactivated")
    assert event.actor == world.users["admin"]
    assert event.additional_data["reason"] == "Sluttet 1. desember"
    assert event.object_id == leaver.pk
    # Not offered any more where work is assigned.
    from naboskap.concerns.selectors import assignable_users
    from naboskap.testing.factories import make_concern

    concern = make_concern(world.project)
    assert leaver not in assignable_users(world.municipality, [concern])
    assert world.users["admin"] in assignable_users(world.municipality, [concern])
    # Listed as no longer here.
    listing = admin.get(reverse("administration:users")).content.decode()
    assert "No longer here" in listing and leaver.username in listing


def test_someone_in_two_municipalities_is_only_removed_from_this_one(world, admin):
    both = world.users["outsider"]
    Membership.objects.create(user=both, municipality=world.municipality, role=Role.POLICE)
    response = admin.post(reverse("administration:user_deactivate", args=[both.pk]))
    assert response.status_code == 302
    both.refresh_from_db()
    assert both.is_active is True
    assert list(Membership.objects.filter(user=both).values_list("municipality", flat=True)) == [
        world.other_municipality.pk
    ]
    assert Profile.objects.get(user=both).sessions_valid_from is not None
    assert LogEntry.objects.filter(additional_data__event="removed").exists()


def test_two_step_reset_requires_a_reason_and_removes_authenticators(world, admin):
    user = world.users["police"]
    assert Authenticator.objects.filter(user=user).exists()
    url = reverse("administration:user_reset_mfa", args=[user.pk])
    refused = admin.post(url, {"mfa-reason": "   "})
    assert refused.status_code == 400
    assert "This field is required" in refused.content.decode()
    assert Authenticator.objects.filter(user=user).exists()
    done = admin.post(url, {"mfa-reason": "Mistet telefonen, ringte og bekreftet"})
    assert done.status_code == 302
    assert not Authenticator.objects.filter(user=user).exists()
    assert Profile.objects.get(user=user).sessions_valid_from is not None
    event = LogEntry.objects.get(additional_data__event="mfa_reset")
    assert event.actor == world.users["admin"]
    assert event.additional_data["reason"] == "Mistet telefonen, ringte og bekreftet"
    log = admin.get(reverse("administration:log")).content.decode()
    assert "Two-step login reset" in log and "Mistet telefonen" in log


def test_other_municipalitys_user_is_not_found(world, admin):
    outsider = world.users["outsider"]
    assert admin.get(reverse("administration:user", args=[outsider.pk])).status_code == 404
    response = admin.post(reverse("administration:user_deactivate", args=[outsider.pk]))
    assert response.status_code == 404
    outsider.refresh_from_db()
    assert outsider.is_active


def test_log_is_paginated_and_filters_by_user(world, admin, django_assert_max_num_queries):
    from naboskap.tenancy.administration.services import Event, admin_event

    for number in range(60):
        admin_event(
            municipality=world.municipality,
            event=Event.MFA_RESET,
            actor=world.users["admin"],
            subject=world.users["police"] if number % 2 else world.users["politician"],
            reason=f"grunn {number}",
        )
    admin_event(
        municipality=world.other_municipality,
        event=Event.MFA_RESET,
        actor=world.users["outsider"],
        subject=world.users["outsider"],
        reason="annen kommune",
    )
    with django_assert_max_num_queries(20):  # the same with 2 entries or 60
        first = admin.get(reverse("administration:log"))
    html = first.content.decode()
    assert first.status_code == 200
    assert "grunn 59" in html and "Page 1 of 2" in html
    assert "annen kommune" not in html
    second = admin.get(reverse("administration:log"), {"side": 2})
    assert "grunn 0<" in second.content.decode() or "grunn 0" in second.content.decode()
    police = world.users["police"]
    filtered = admin.get(reverse("administration:log"), {"user": police.pk}).content.decode()
    assert "grunn 59" in filtered and "grunn 58" not in filtered


def test_admin_sees_the_administration_link_and_others_do_not(world, persona_clients):
    link = reverse("administration:users")
    home = reverse("projects:my_projects")
    assert link in persona_clients["admin"].get(home).content.decode()
    for persona in ("coordinator", "politician", "police", "outsider"):
        assert link not in persona_clients[persona].get(home).content.decode(), persona
