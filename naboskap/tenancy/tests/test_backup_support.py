"""`manage.py backup_support`: what bin/backup and bin/restore read from the settings. The
scripts themselves are checked end to end by `make backup-check` (bin/backup_check.py)."""

import shlex
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from naboskap.lib import pagecache
from naboskap.tenancy.management.commands.backup_support import assign

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("backup_support", *args, stdout=out)
    return out.getvalue()


def assignments(output: str) -> dict[str, str]:
    """What `eval` would set (a quoted value may span lines)."""
    found = {}
    words = iter(shlex.split(output))
    for word in words:
        if word == "unset":
            next(words)
        elif word != "export":
            name, _, value = word.partition("=")
            found[name] = value
    return found


def test_env_names_the_database_and_the_folders_the_settings_use(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "elsewhere"
    found = assignments(run("env"))
    assert found["NABOSKAP_DATABASE"] == connection.vendor
    assert found["NABOSKAP_PRIVATE_MEDIA_ROOT"] == str(tmp_path / "elsewhere")
    assert found["NABOSKAP_MEDIA_ROOT"] == str(settings.MEDIA_ROOT)
    assert found["NABOSKAP_SECRET_KEY_FILE"] == str(settings.VAR_DIR / "secret_key")
    last = dict(line.split() for line in found["NABOSKAP_MIGRATIONS"].splitlines())
    assert last["concerns"].startswith("00")
    if connection.vendor == "postgresql":
        assert found["PGDATABASE"] == connection.settings_dict["NAME"]
        assert "PGPASSWORD" not in found  # only with --with-password


def test_values_are_quoted_for_the_shell_and_empty_ones_unset():
    line = assign("PGPASSWORD", "it's a $secret", export=True)
    assert shlex.split(line) == ["export", "PGPASSWORD=it's a $secret"]
    assert assign("PGHOST", "", export=True) == "unset PGHOST"
    assert assign("NABOSKAP_MIGRATIONS", "a 0001\nb 0002") == "NABOSKAP_MIGRATIONS='a 0001\nb 0002'"


def test_after_a_restore_the_public_pages_start_over_and_the_migrations_are_compared():
    generation = pagecache.generation()
    output = run("restored")
    assert pagecache.generation() != generation
    assert output.strip() == "The database and the code are at the same migrations."


def test_after_a_restore_tables_the_backup_lacks_are_named(tmp_path):
    listed = tmp_path / "tables"
    listed.write_text("\n".join(t for t in connection.introspection.table_names() if t != "a"))
    output = run("restored", "--backup-tables", str(listed))
    assert "Warning" not in output
    kept = [t for t in connection.introspection.table_names() if t != "concerns_photo"]
    listed.write_text("\n".join(kept))
    assert "were left in the database" in run("restored", "--backup-tables", str(listed))
    assert "concerns_photo" in run("restored", "--backup-tables", str(listed))
