"""`manage.py backup_support <what>`: what `bin/backup` and `bin/restore` need to know from
the settings, so that the scripts read the same environment as the app and never work out
paths or database names themselves (docs/operations.md, "Backup and restore").

- `env`: shell assignments for `eval`: the database (`NABOSKAP_DATABASE` is `postgresql` or
  `sqlite`; for PostgreSQL the `PG*` variables that pg_dump and pg_restore read, the password
  only with `--with-password`; for SQLite the file), the two folders of stored files
  (`MEDIA_ROOT`, `PRIVATE_MEDIA_ROOT`: concern and observation photos, status report PDFs),
  the development secret key's file, and `NABOSKAP_MIGRATIONS`: the last migration applied
  in the database per app, one `app name` a line.
- `restored`: after a restore: moves the public page cache on (a shared Redis cache still
  holds pages of the data before the restore), names the tables left in the database that
  the backup did not have (`--backup-tables FILE`: the backup's tables, one a line), and says
  whether the code and the restored database are at the same migrations.
"""

import shlex
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from naboskap.lib import pagecache

# libpq's variables for the connection options that dj-database-url passes on (`?sslmode=`).
PG_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
}


def assign(name: str, value, *, export: bool = False) -> str:
    if export and (value is None or value == ""):
        return f"unset {name}"
    line = f"{name}={shlex.quote(str(value or ''))}"
    return f"export {line}" if export else line


class Command(BaseCommand):
    help = "What bin/backup and bin/restore need from the settings (see docs/operations.md)."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["env", "restored"])
        parser.add_argument(
            "--with-password",
            action="store_true",
            help="env: include PGPASSWORD (for the scripts; not for a terminal)",
        )
        parser.add_argument(
            "--backup-tables",
            metavar="FILE",
            help="restored: the tables the backup holds, one a line",
        )

    def handle(self, *args, what, with_password, backup_tables, **options):
        if connection.vendor not in {"postgresql", "sqlite"}:
            raise CommandError(f"Backups support PostgreSQL and SQLite, not {connection.vendor}.")
        if what == "env":
            lines = self.env(with_password=with_password)
        else:
            lines = self.restored(backup_tables)
        for line in lines:
            self.stdout.write(line)

    def env(self, *, with_password: bool) -> list[str]:
        database = settings.DATABASES["default"]
        lines = [assign("NABOSKAP_DATABASE", connection.vendor)]
        if connection.vendor == "postgresql":
            lines += [
                assign("PGDATABASE", database["NAME"], export=True),
                assign("PGHOST", database.get("HOST"), export=True),
                assign("PGPORT", database.get("PORT"), export=True),
                assign("PGUSER", database.get("USER"), export=True),
                assign(
                    "PGPASSWORD", database.get("PASSWORD") if with_password else "", export=True
                ),
            ]
            options = database.get("OPTIONS", {})
            lines += [assign(var, options.get(key), export=True) for key, var in PG_OPTIONS.items()]
        else:
            lines.append(assign("NABOSKAP_SQLITE_FILE", database["NAME"]))
        lines += [
            assign("NABOSKAP_MEDIA_ROOT", settings.MEDIA_ROOT),
            assign("NABOSKAP_PRIVATE_MEDIA_ROOT", settings.PRIVATE_MEDIA_ROOT),
            # Only read when SECRET_KEY is not set (development); a backup keeps it if it exists.
            assign("NABOSKAP_SECRET_KEY_FILE", settings.VAR_DIR / "secret_key"),
            assign("NABOSKAP_MIGRATIONS", "\n".join(self.migrations())),
        ]
        return lines

    def migrations(self) -> list[str]:
        last = {}
        for app, name in MigrationRecorder(connection).applied_migrations():
            last[app] = max(last.get(app, name), name)
        return [f"{app} {name}" for app, name in sorted(last.items())]

    def restored(self, backup_tables: str | None) -> list[str]:
        lines = []
        try:
            pagecache.invalidate()
        except DatabaseError:  # the database cache without its table
            lines.append("The cache has no table: run `manage.py createcachetable`.")
        if backup_tables:
            expected = set(Path(backup_tables).read_text().split())
            extra = sorted(set(connection.introspection.table_names()) - expected)
            if extra:
                lines.append(
                    "Warning: tables the backup does not have were left in the database (of a "
                    f"newer release?): {', '.join(extra)}. Restore into an empty database."
                )
        executor = MigrationExecutor(connection)
        unknown = sorted(
            f"{app}.{name}"
            for app, name in executor.loader.applied_migrations
            if (app, name) not in executor.loader.disk_migrations
        )
        if unknown:
            return [
                *lines,
                "The backup is newer than this code: the database has migrations the code does "
                f"not know ({', '.join(unknown)}). Deploy the release the backup was made with "
                "(its commit is in the manifest).",
            ]
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            return [
                *lines,
                f"The code is newer than the backup: {len(plan)} migration(s) to apply. "
                "Run `manage.py migrate` before starting the app.",
            ]
        return [*lines, "The database and the code are at the same migrations."]
