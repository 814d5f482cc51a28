"""How the log lines on standard error look: `LOG_FORMAT` (settings.py, README)."""

from django.core.exceptions import ImproperlyConfigured

LOG_FORMATS = ("text", "json")


def console_formatter(log_format: str) -> dict:
    """The console handler's formatter, as `logging.config.dictConfig` takes it.

    `text`: the message alone, as Python's default formatter writes it. `json`: one JSON
    object per line (python-json-logger) with `timestamp` (ISO 8601, UTC), `level`, `logger`
    and `message`, plus the fields a call passes in `extra=` and the traceback of an
    exception.
    """
    if log_format == "text":
        return {"format": "%(message)s"}
    if log_format == "json":
        return {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": ["levelname", "name", "message"],
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,
        }
    raise ImproperlyConfigured(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}")
