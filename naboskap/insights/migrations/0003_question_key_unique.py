# A migration of its own: on PostgreSQL, the keys written in 0002 must be committed before
# the table is altered.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0002_template_versions_question_keys"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="question",
            constraint=models.UniqueConstraint(
                fields=("template", "key"), name="insights_question_key_unique"
            ),
        ),
    ]
