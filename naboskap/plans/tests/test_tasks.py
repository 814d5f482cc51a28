"""The weekly email to each owner unit about its overdue measures, through the real task
runner (`db_worker`) and the management command."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from naboskap.conftest import make_staff, send_outbox
from naboskap.plans.models import Measure
from naboskap.plans.tasks import overdue_measure_reminders, send_overdue_measures
from naboskap.tenancy.models import Role
from naboskap.testing.factories import (
    MunicipalityFactory,
    ProjectFactory,
    UnitFactory,
    UserFactory,
    make_measure,
)

pytestmark = pytest.mark.django_db(transaction=True)


def late(days: int = 3):
    return timezone.localdate() - timedelta(days=days)


@pytest.fixture
def setup():
    municipality = MunicipalityFactory(name="Ukevik kommune", default_language="nb")
    lead = UserFactory(email="leder@ukevik.example")
    with_address = UnitFactory(municipality=municipality, name="Eiendom", email="eiendom@uk.ex")
    with_lead = UnitFactory(municipality=municipality, name="Helse", lead=lead)
    with_members = UnitFactory(municipality=municipality, name="Kommunikasjon")
    make_staff(municipality, Role.CASE_HANDLER, unit=with_members, username="komm1")
    make_staff(municipality, Role.COORDINATOR, unit=with_members, username="komm2")
    nobody = UnitFactory(municipality=municipality, name="Tom enhet")
    project = ProjectFactory(municipality=municipality, name="Ukeveien")
    for unit in (with_address, with_lead, with_members, nobody):
        make_measure(project, owner_unit=unit, title=f"Forsinket {unit.name}", due_date=late())
        make_measure(project, owner_unit=unit, title=f"I rute {unit.name}")
    make_measure(
        project,
        owner_unit=with_address,
        title="Ferdig og gammel",
        due_date=late(40),
        status=Measure.Status.DONE,
    )
    make_measure(
        project,
        owner_unit=with_address,
        title="Avlyst og gammel",
        due_date=late(40),
        status=Measure.Status.CANCELLED,
        cancel_reason="Ikke lenger aktuelt",
    )
    make_measure(project, owner_unit=with_address, title="Eldst forsinket", due_date=late(10))
    return project


def test_weekly_task_emails_each_owner_unit_its_overdue_measures(setup, tasks):
    send_overdue_measures.enqueue()
    tasks()
    sent = {tuple(message.to): message for message in mail.outbox}
    assert set(sent) == {
        ("eiendom@uk.ex",),  # the unit's own address
        ("leder@ukevik.example",),  # else its lead
        ("komm1@example.org",),  # else its members, each their own email
        ("komm2@example.org",),
    }
    eiendom = sent[("eiendom@uk.ex",)]
    assert "Eiendom" in eiendom.subject and "2" in eiendom.subject
    body = eiendom.body
    assert body.index("Eldst forsinket") < body.index("Forsinket Eiendom")  # oldest first
    assert "I rute" not in body and "Ferdig og gammel" not in body
    assert "Avlyst og gammel" not in body
    measure = Measure.objects.get(title="Forsinket Eiendom")
    assert settings.SITE_URL + measure.get_absolute_url() in body
    assert "Planlagt" in body  # in the municipality's language (bokmål)
    assert "Forsinket Helse" in sent[("leder@ukevik.example",)].body


def test_command_sends_the_same_and_can_enqueue(setup, tasks, capsys):
    call_command("send_overdue_measures", "--enqueue")
    assert mail.outbox == []
    tasks()
    assert len(mail.outbox) == 4  # three units; the last one's two members each get one
    mail.outbox.clear()
    call_command("send_overdue_measures")
    assert "Sent 0 overdue measure emails." in capsys.readouterr().out
    assert mail.outbox == []


def test_a_second_run_in_the_same_week_sends_nothing_the_next_week_sends_again(setup):
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    assert overdue_measure_reminders(today=monday + timedelta(days=1)) == 3
    assert overdue_measure_reminders(today=monday + timedelta(days=6)) == 0
    send_outbox()
    assert len(mail.outbox) == 4
    assert overdue_measure_reminders(today=monday + timedelta(days=7)) == 3
    send_outbox()
    assert len(mail.outbox) == 8
