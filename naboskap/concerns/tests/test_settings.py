"""The municipality administrator's settings: categories, deadlines, routing, retention."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from naboskap.concerns import services
from naboskap.concerns.models import Category, Policy, RoutingRule
from naboskap.concerns.workflow import Status
from naboskap.conftest import english
from naboskap.testing.factories import UnitFactory, make_concern

SETTINGS = reverse("concerns:settings")


@pytest.fixture
def admin(world):
    return english(world.users["admin"])


def test_only_the_administrator_sees_the_settings(world, admin):
    page = admin.get(SETTINGS).content.decode()
    assert "Categories and deadlines" in page and "Noise" in page and "Retention" in page
    inbox = admin.get(reverse("concerns:inbox")).content.decode()
    assert SETTINGS in inbox
    coordinator = english(world.users["coordinator"])
    assert coordinator.get(SETTINGS).status_code == 403
    assert SETTINGS not in coordinator.get(reverse("concerns:inbox")).content.decode()


def test_a_changed_category_reaches_the_form_and_new_deadlines(world, admin):
    services.categories_ensure_defaults(municipality=world.municipality)
    noise = Category.objects.get(municipality=world.municipality, code="noise")
    english().get(reverse("portal:report"))  # the form is in the cache now
    url = reverse("concerns:category_edit", args=[noise.pk])
    data = {
        "name": "Støy og bråk",
        "name_nn": "Støy og bråk",
        "name_en": "Noise and racket",
        "code": "endret-kode",  # fixed once made: ignored
        "description": "",
        "acknowledge_days": "2",
        "answer_days": "4",
        "default_unit": "",
        "position": "0",
        "active": "on",
    }
    assert admin.post(url, data).status_code == 302
    noise.refresh_from_db()
    assert (noise.code, noise.answer_days) == ("noise", 4)
    assert "Noise and racket" in english().get(reverse("portal:report")).content.decode()
    concern = make_concern(world.project)
    assert concern.answer_due > timezone.localdate()
    assert concern.answer_due <= timezone.localdate() + timedelta(days=4 + 4)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"acknowledge_days": "5", "answer_days": "2"}, "The answer cannot be due before"),
        ({"answer_days": "500"}, "At most 120 working days."),
        ({"code": "noise"}, "Another category has this code."),
        ({"code": "ikke en kode"}, "Enter a valid “slug”"),
        ({"name": ""}, "This field is required."),
    ],
)
def test_bad_category_input_is_explained_and_kept(world, admin, fields, message):
    services.categories_ensure_defaults(municipality=world.municipality)
    data = {
        "name": "Parkering ved skolen",
        "code": "skoleparkering",
        "acknowledge_days": "1",
        "answer_days": "5",
        "position": "9",
        **fields,
    }
    response = admin.post(reverse("concerns:category_create"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    if data["name"]:
        assert 'value="Parkering ved skolen"' in body
    assert not Category.objects.filter(name="Parkering ved skolen").exists()


def test_routing_rules_send_new_concerns_to_their_unit(world, admin):
    services.categories_ensure_defaults(municipality=world.municipality)
    noise = Category.objects.get(municipality=world.municipality, code="noise")
    caretakers = UnitFactory(municipality=world.municipality, name="Miljøtjenesten")
    add = reverse("concerns:rule_add")
    response = admin.post(
        add,
        {"rule-category": noise.pk, "rule-project": world.project.pk, "rule-unit": caretakers.pk},
    )
    assert response.status_code == 302
    assert make_concern(world.project).assigned_unit == caretakers
    page = admin.get(SETTINGS).content.decode()
    assert "Miljøtjenesten" in page and world.project.name in page
    # The same category and project again replaces the rule.
    admin.post(
        add,
        {
            "rule-category": noise.pk,
            "rule-project": world.project.pk,
            "rule-unit": world.project.responsible_unit_id,
        },
    )
    rule = RoutingRule.objects.get(category=noise)
    assert rule.unit == world.project.responsible_unit
    # Units and projects of another municipality cannot be chosen.
    other_unit = UnitFactory(municipality=world.other_municipality)
    response = admin.post(add, {"rule-category": noise.pk, "rule-unit": other_unit.pk})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert admin.post(reverse("concerns:rule_delete", args=[rule.pk])).status_code == 302
    assert not RoutingRule.objects.exists()


def test_retention_rules(world, admin):
    url = reverse("concerns:policy_edit")
    response = admin.post(
        url, {"policy-erase_contact_after_days": "800", "policy-delete_after_years": "2"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Contact details must be deleted before the whole concern is." in body
    assert 'value="800"' in body
    response = admin.post(
        url, {"policy-erase_contact_after_days": "30", "policy-delete_after_years": "2"}
    )
    assert response.status_code == 302
    policy = Policy.objects.get(municipality=world.municipality)
    assert (policy.erase_contact_after_days, policy.delete_after_years) == (30, 2)
    concern = make_concern(world.project, reporter_email="nabo@example.org")
    services.concern_transition(
        concern=concern, to_status=Status.CANCELLED, by=None, cancel_reason="spam"
    )
    result = services.retention_apply(
        municipality=world.municipality, now=timezone.now() + timedelta(days=31)
    )
    assert result["erased"] == [concern.reference]
