"""The inbox counts' version per municipality, and the first acknowledgement and answer of
each concern for the dashboards, filled in from the status history of the concerns so far."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Min, Q
from django.utils import timezone


def fill_first_answer(apps, schema_editor):
    """The first answer is the earliest move to "answered" in the history (the latest one is
    in `answered_at`); the first acknowledgement the earlier of `acknowledged_at` and it."""
    Concern = apps.get_model("concerns", "Concern")
    done = Q(acknowledged_at__isnull=False) | Q(answered_at__isnull=False)
    concerns = (
        Concern.objects.filter(done)
        .annotate(first_answer=Min("history__changed_at", filter=Q(history__to_status="answered")))
        .only("pk", "acknowledged_at", "answered_at")
        .order_by("pk")
    )
    batch = []
    for concern in concerns.iterator(chunk_size=2000):
        first = concern.first_answer or concern.answered_at
        acknowledged = min(t for t in (concern.acknowledged_at, first) if t is not None)
        concern.acknowledged_on = timezone.localdate(acknowledged)
        concern.first_answered_at = first
        concern.first_answered_on = timezone.localdate(first) if first else None
        batch.append(concern)
        if len(batch) == 2000:
            Concern.objects.bulk_update(
                batch, ["acknowledged_on", "first_answered_at", "first_answered_on"]
            )
            batch = []
    Concern.objects.bulk_update(batch, ["acknowledged_on", "first_answered_at", "first_answered_on"])


class Migration(migrations.Migration):

    dependencies = [
        ('concerns', '0007_police_relevant'),
        ('tenancy', '0002_unit_lead'),
    ]

    operations = [
        migrations.CreateModel(
            name='CountsVersion',
            fields=[
                ('municipality', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='tenancy.municipality')),
                ('number', models.PositiveBigIntegerField(default=0)),
            ],
        ),
        migrations.AddField(
            model_name='concern',
            name='acknowledged_on',
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='concern',
            name='first_answered_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='concern',
            name='first_answered_on',
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill_first_answer, migrations.RunPython.noop),
    ]
