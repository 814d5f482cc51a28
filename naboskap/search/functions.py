"""Case folding that knows more than ASCII, on every database.

PostgreSQL's LOWER (and so `icontains`, ILIKE) folds every letter. SQLite's LOWER and LIKE fold
only A–Z: "Ærlig" would not find "ærlig". On SQLite, `Casefold` calls a Python function
(`str.casefold`) that `connect_casefold` registers on each new connection (SearchConfig.ready).
"""

from __future__ import annotations

from django.db.models import Func, TextField

SQLITE_FUNCTION = "naboskap_casefold"


def casefold(value):
    return value.casefold() if isinstance(value, str) else value


class Casefold(Func):
    """A text expression folded for caseless matching: LOWER on PostgreSQL and elsewhere,
    Python's `str.casefold` on SQLite."""

    function = "LOWER"
    arity = 1
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function=SQLITE_FUNCTION, **extra_context)


def connect_casefold(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: give a SQLite connection the casefold function."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FUNCTION, 1, casefold, deterministic=True)
