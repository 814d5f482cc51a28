# The time an input got its answer and the time the retention rule erased the sender's
# email. Inputs answered before this migration count as answered now: their email is erased
# the policy's number of days after the upgrade, never earlier than anyone could expect.

from django.db import migrations, models
from django.utils import timezone


def answered_now(apps, schema_editor):
    Input = apps.get_model("plans", "Input")
    Input.objects.exclude(decision="under_consideration").update(decided_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0007_observation_source_and_overdue_reminder"),
    ]

    operations = [
        migrations.AddField(
            model_name="input",
            name="decided_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="decided"
            ),
        ),
        migrations.AddField(
            model_name="input",
            name="contact_erased_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="email deleted"
            ),
        ),
        migrations.RunPython(answered_now, migrations.RunPython.noop),
    ]
