"""GIN indexes for staff search on PostgreSQL (issue 18): the full-text vectors of concerns
and measures, exactly as `search.selectors` builds them (SearchVector with TEXT_CONFIG), so
the planner uses them. Other databases (SQLite) search without them."""

from django.db import migrations

INDEXES = {
    "search_concern_text": (
        "concerns_concern",
        "COALESCE(\"description\", '') || ' ' || COALESCE(\"location\", '')",
    ),
    "search_measure_text": (
        "plans_measure",
        "COALESCE(\"title\", '') || ' ' || COALESCE(\"description\", '')",
    ),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, text) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin (to_tsvector('norwegian'::regconfig, {text}))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("concerns", "0010_general_area"),
        ("plans", "0008_input_decided_contact_erased"),
    ]

    operations = [migrations.RunPython(create, drop)]
