"""Template versions and question keys.

Every question gets a key (its identity across template versions, for the trend): the shipped
default questions get their fixed keys, others a slug of their Bokmål text. Templates that
rounds already use are frozen.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone
from django.utils.text import slugify

# The shipped default questions' Bokmål text -> key (as in insights.services.DEFAULT_QUESTIONS).
DEFAULT_KEYS = {
    "Jeg føler meg trygg i nabolaget mitt.": "trygg-i-nabolaget",
    "Jeg vet hvor jeg skal henvende meg hvis noe skjer.": "vet-hvor-jeg-henvender-meg",
    "Forholdet mellom naboene og tjenestestedet er godt.": "forhold-til-tjenestestedet",
    "Er det noe annet du vil si til kommunen?": "noe-annet",
}


def fill_keys(apps, schema_editor):
    Question = apps.get_model("insights", "Question")
    SurveyTemplate = apps.get_model("insights", "SurveyTemplate")
    taken: dict[int, set] = {}
    for question in Question.objects.order_by("template_id", "position"):
        used = taken.setdefault(question.template_id, set())
        key = DEFAULT_KEYS.get(question.text) or slugify(question.text)[:40].strip("-")
        key = key or f"sporsmal-{question.position}"
        base, n = key, 2
        while key in used:
            suffix = f"-{n}"
            key = base[: 40 - len(suffix)] + suffix
            n += 1
        used.add(key)
        question.key = key
        question.save(update_fields=["key"])
    SurveyTemplate.objects.filter(rounds__isnull=False, frozen_at__isnull=True).update(
        frozen_at=timezone.now()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="surveytemplate",
            options={
                "ordering": ["name", "version", "pk"],
                "verbose_name": "survey template",
                "verbose_name_plural": "survey templates",
            },
        ),
        migrations.AddField(
            model_name="surveytemplate",
            name="version",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="version"),
        ),
        migrations.AddField(
            model_name="surveytemplate",
            name="previous",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="next_versions",
                to="insights.surveytemplate",
                verbose_name="previous version",
            ),
        ),
        migrations.AddField(
            model_name="surveytemplate",
            name="frozen_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="frozen"
            ),
        ),
        migrations.AddField(
            model_name="question",
            name="key",
            field=models.SlugField(default="", max_length=40, verbose_name="key"),
            preserve_default=False,
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop, elidable=True),
    ]
