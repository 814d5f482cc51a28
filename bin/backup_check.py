"""Backups that restore: back up, wipe, restore and compare (`make backup-check`).

In a throwaway set-up (VAR_DIR and PRIVATE_MEDIA_ROOT in a temporary folder; with
PostgreSQL a database of its own, `naboskap_backupcheck` on the server DATABASE_URL names,
created and dropped here: the database DATABASE_URL names is never touched) it migrates,
loads the demo, gives a few concerns photos and renders the status reports' PDFs through the
app's own services, and takes a sample: every table's rows (a fingerprint per model), every
concern, each photo and document read through its model, every stored file, the migrations
and the secret key file. Then `bin/backup`, a wipe (the database dropped or deleted, the
file folders deleted), `bin/restore`, and the sample again. Last, a restore over changed data:
a photo added and a file deleted after the backup must be gone again after a second restore.

Prints one line, `BACKUP check ok: …`, and exits 0; or lists the differences and exits 1.

    .venv/bin/python bin/backup_check.py                      # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bin/backup_check.py
"""

import argparse
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CHECK_DATABASE = "naboskap_backupcheck"
# Photos on the first concerns: so many on each.
PHOTOS_PER_CONCERN = [2, 2, 1, 1]


class CheckFailed(Exception):
    pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="a PostgreSQL server to check on (default: DATABASE_URL; empty: SQLite); the "
        "check uses a database of its own there, see --database-name",
    )
    parser.add_argument("--database-name", default=CHECK_DATABASE, help="default: %(default)s")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("-v", "--verbose", action="store_true", help="say each step")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="naboskap-backupcheck-"))
    check = Check(tmp, args.database_url, args.database_name, verbose=args.verbose)
    try:
        summary = check.run()
    except CheckFailed as failure:
        print(f"BACKUP check FAILED: {failure}", file=sys.stderr)
        return 1
    finally:
        check.clean_up(keep=args.keep)
    print(summary)
    return 0


class Check:
    def __init__(self, tmp: Path, server_url: str, database_name: str, *, verbose: bool):
        self.tmp = tmp
        self.verbose = verbose
        self.started = time.monotonic()
        self.var_dir = tmp / "var"
        # Outside VAR_DIR, as a deployment may have it: the scripts must follow the setting.
        self.private_dir = tmp / "private-files"
        self.backups = tmp / "backups"
        self.database_url = ""
        if server_url:
            parts = urlsplit(server_url)
            if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
                raise SystemExit(f"backup check: only PostgreSQL or SQLite, not {parts.scheme}")
            self.database_url = parts._replace(path=f"/{database_name}").geturl()
            self.database_name = database_name
        self.environment()

    def environment(self) -> None:
        """What the app, bin/backup and bin/restore read: this process's environment, which
        the scripts inherit. Set before Django reads its settings."""
        env = os.environ
        for name in ("REDIS_URL", "SECRET_KEY", "DEBUG", "TASKS_BACKEND", "DATABASE_URL"):
            env.pop(name, None)
        env.update(
            DJANGO_SETTINGS_MODULE="naboskap.settings",
            NABOSKAP_ENV="development",
            VAR_DIR=str(self.var_dir),
            PRIVATE_MEDIA_ROOT=str(self.private_dir),
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            LOG_LEVEL="WARNING",
            DATABASE_CONN_MAX_AGE="0",
        )
        if self.database_url:
            env["DATABASE_URL"] = self.database_url

    def say(self, message: str) -> None:
        if self.verbose:
            print(f"[{time.monotonic() - self.started:6.1f} s] {message}", file=sys.stderr)

    def run(self) -> str:
        if self.database_url:
            self.say(f"create database {self.database_name}")
            self.recreate_database()
        # Django only now: its settings read the environment set above.
        import django

        django.setup()
        from django.core.management import call_command

        self.say("migrate")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        self.say("load the demo")
        call_command("load_demo", stdout=io.StringIO())
        self.say("add photos and render the status reports' PDFs")
        self.add_photos_and_documents()
        before = self.sample()
        if not before["photos"] or not before["documents"]:
            raise CheckFailed("the demo gave no photos or no documents to check")

        self.say("bin/backup")
        backup, backup_seconds = self.script("backup", str(self.backups))
        backup = backup.strip().splitlines()[-1]

        self.say("wipe")
        self.wipe()
        self.say("bin/restore")
        _, restore_seconds = self.script("restore", "--yes", backup)
        self.compare(before, self.sample(), "after the restore into a wiped set-up")

        self.say("change data, then restore over it")
        self.change_after_backup()
        try:
            self.compare(before, self.sample(), "")
        except CheckFailed:
            pass  # as it should: the changes show
        else:
            raise CheckFailed("the changes made after the backup do not show in the sample")
        self.script("restore", "--yes", backup)
        self.compare(before, self.sample(), "after the restore over changed data")

        kind = "postgresql" if self.database_url else "sqlite"
        return (
            f"BACKUP check ok: {len(before['concerns'])} concerns, {len(before['photos'])} "
            f"photos, {len(before['documents'])} documents, {len(before['rows'])} tables restored "
            f"(database {kind}, {backup_seconds:.1f} s backup, {restore_seconds:.1f} s restore, "
            f"also over changed data; {time.monotonic() - self.started:.0f} s in all)"
        )

    # The set-up.

    def add_photos_and_documents(self) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile
        from PIL import Image, ImageDraw

        from naboskap.concerns.models import Concern
        from naboskap.concerns.services import photos_add
        from naboskap.documents.models import Document
        from naboskap.documents.rendering import render_document
        from naboskap.reports.documents import STATUS_REPORT

        concerns = list(Concern.objects.order_by("pk")[: len(PHOTOS_PER_CONCERN)])
        number = 0
        for concern, count in zip(concerns, PHOTOS_PER_CONCERN, strict=False):
            uploads = []
            for _ in range(count):
                number += 1
                image = Image.new("RGB", (640, 480), (40 * number % 256, 120, 200))
                ImageDraw.Draw(image).ellipse((50 + number * 20, 60, 400, 300), fill=(250, 200, 0))
                data = io.BytesIO()
                image.save(data, "JPEG", quality=85)
                uploads.append(
                    SimpleUploadedFile(f"photo{number}.jpg", data.getvalue(), "image/jpeg")
                )
            photos_add(concern=concern, files=uploads)
        # The status reports' PDFs, stored as the worker stores them (no worker runs here).
        for document in Document.objects.filter(kind=STATUS_REPORT, fingerprint=""):
            render_document(document.pk)

    def change_after_backup(self) -> None:
        """What happens after a backup: a new photo, a file gone. The restore undoes both."""
        from django.core.files.uploadedfile import SimpleUploadedFile
        from PIL import Image

        from naboskap.concerns.models import Concern, Photo
        from naboskap.concerns.services import photos_add

        concern = Concern.objects.filter(photos__isnull=True).order_by("pk").first()
        data = io.BytesIO()
        Image.new("RGB", (200, 100), (10, 20, 30)).save(data, "JPEG")
        photos_add(
            concern=concern, files=[SimpleUploadedFile("late.jpg", data.getvalue(), "image/jpeg")]
        )
        Path(Photo.objects.order_by("pk").first().image.path).unlink()
        self.close_connections()

    # The sample.

    def sample(self) -> dict:
        from django.apps import apps
        from django.db import connection
        from django.db.migrations.recorder import MigrationRecorder

        from naboskap.concerns.models import Concern, Photo
        from naboskap.documents.models import Document

        def fingerprint(rows) -> str:
            digest = hashlib.sha256()
            for row in rows:
                plain = [bytes(v).hex() if isinstance(v, memoryview | bytes) else v for v in row]
                # str() for what JSON lacks: dates, decimals, phone numbers.
                digest.update(json.dumps(plain, default=str, sort_keys=True).encode())
            return digest.hexdigest()

        def read(field_file) -> str:
            try:
                with field_file.open("rb") as stored:
                    return hashlib.sha256(stored.read()).hexdigest()
            except FileNotFoundError:
                return f"no file {field_file.name}"

        models = [
            model
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
        ]
        sample = {
            "rows": {
                model._meta.label: (
                    model._base_manager.count(),
                    fingerprint(model._base_manager.order_by("pk").values_list()),
                )
                for model in models
            },
            "tables": sorted(connection.introspection.table_names()),
            "indexes": self.indexes(connection),
            "migrations": sorted(MigrationRecorder(connection).applied_migrations()),
            "concerns": {
                row["id"]: fingerprint([sorted(row.items())])
                for row in Concern.objects.order_by("pk").values()
            },
            "photos": {photo.pk: read(photo.image) for photo in Photo.objects.order_by("pk")},
            "documents": {
                document.pk: read(document.file)
                for document in Document.objects.exclude(file="").order_by("pk")
            },
            "files": self.files(),
        }
        self.close_connections()
        return sample

    def indexes(self, connection) -> list[str]:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")
            else:
                cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
            return sorted(name for (name,) in cursor.fetchall())

    def files(self) -> dict[str, str]:
        from django.conf import settings

        found = {}
        for label, folder in (
            ("media", Path(settings.MEDIA_ROOT)),
            ("private", Path(settings.PRIVATE_MEDIA_ROOT)),
        ):
            for path in sorted(folder.rglob("*")) if folder.exists() else []:
                if path.is_file():
                    key = f"{label}/{path.relative_to(folder)}"
                    found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
        secret_key = self.var_dir / "secret_key"
        if secret_key.exists():
            found["secret_key"] = hashlib.sha256(secret_key.read_bytes()).hexdigest()
        return found

    def compare(self, before: dict, after: dict, when: str) -> None:
        differences = []
        for part, expected in before.items():
            found = after[part]
            if isinstance(expected, dict):
                missing = [str(key) for key in expected if key not in found]
                extra = [str(key) for key in found if key not in expected]
                changed = [str(k) for k in expected if k in found and found[k] != expected[k]]
                for what, keys in (("missing", missing), ("extra", extra), ("changed", changed)):
                    if keys:
                        differences.append(f"{part} {what}: {', '.join(keys[:10])}")
            elif found != expected:
                differences.append(f"{part} differ: {sorted(set(expected) ^ set(found))[:10]}")
        if differences:
            raise CheckFailed(f"{when}: " + "; ".join(differences))

    # Backing up, wiping, restoring.

    def script(self, name: str, *args: str) -> tuple[str, float]:
        self.close_connections()
        start = time.monotonic()
        done = subprocess.run(  # noqa: S603 (our own scripts, no shell)
            [str(ROOT / "bin" / name), *args], capture_output=True, text=True, check=False
        )
        seconds = time.monotonic() - start
        if self.verbose or done.returncode:
            sys.stderr.write(done.stdout + done.stderr)
        if done.returncode:
            raise CheckFailed(f"bin/{name} exited with {done.returncode}")
        return done.stdout, seconds

    def wipe(self) -> None:
        self.close_connections()
        if self.database_url:
            self.recreate_database()
        shutil.rmtree(self.var_dir)
        shutil.rmtree(self.private_dir)
        if self.database_url:
            from django.db import connection

            if connection.introspection.table_names():
                raise CheckFailed("the wipe left tables in the database")
            self.close_connections()

    def close_connections(self) -> None:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()

    def admin_connection(self):
        import dj_database_url
        import psycopg

        database = dj_database_url.parse(self.database_url)
        return psycopg.connect(
            host=database["HOST"] or None,
            port=database["PORT"] or None,
            user=database["USER"] or None,
            password=database["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        )

    def recreate_database(self) -> None:
        from psycopg import sql

        name = sql.Identifier(self.database_name)
        with self.admin_connection() as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(name))

    def clean_up(self, *, keep: bool) -> None:
        self.close_connections()
        if keep:
            print(f"kept {self.tmp} (and the database)", file=sys.stderr)
            return
        if self.database_url:
            from psycopg import sql

            with self.admin_connection() as admin:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(self.database_name))
                )
        shutil.rmtree(self.tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
