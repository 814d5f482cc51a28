"""Log lines on standard error: the message as plain text, or JSON with LOG_FORMAT=json."""

import json
import os
import subprocess
import sys
from datetime import datetime

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from naboskap.lib.logs import console_formatter

# A fresh process, so that settings.py reads LOG_FORMAT and Django configures logging from it.
LOG_A_LINE = (
    "import django, logging; django.setup(); "
    "logging.getLogger('naboskap.reports').warning("
    "'%s reports waiting', 3, extra={'municipality': 'fjordby'})"
)


def logged(tmp_path, **environment) -> str:
    """The last line a fresh Django process writes to standard error."""
    inherited = {name: value for name, value in os.environ.items() if name != "LOG_FORMAT"}
    result = subprocess.run(
        [sys.executable, "-c", LOG_A_LINE],
        cwd=settings.BASE_DIR,
        env={**inherited, "VAR_DIR": str(tmp_path), **environment},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return result.stderr.strip().splitlines()[-1]


def test_json_logs_have_time_level_logger_message_and_extra_fields(tmp_path):
    line = json.loads(logged(tmp_path, LOG_FORMAT="json"))
    assert line["message"] == "3 reports waiting"
    assert line["level"] == "WARNING"
    assert line["logger"] == "naboskap.reports"
    assert line["municipality"] == "fjordby"
    assert datetime.fromisoformat(line["timestamp"]).tzinfo is not None


def test_plain_text_logs_by_default(tmp_path):
    assert logged(tmp_path) == "3 reports waiting"


def test_an_unknown_log_format_stops_the_start():
    with pytest.raises(ImproperlyConfigured, match="LOG_FORMAT"):
        console_formatter("xml")
