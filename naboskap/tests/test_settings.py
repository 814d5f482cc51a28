"""Settings come from the environment; production refuses to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL"}}
    clean.update({"VAR_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_check(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "NABOSKAP_ENV": "production",
            "SECRET_KEY": "x" * 64 + "a-long-random-production-secret-key-for-the-test",
            "ALLOWED_HOSTS": "naboskap.example",
        },
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_requires_a_secret_key(tmp_path):
    result = manage(
        "check",
        env={"NABOSKAP_ENV": "production", "ALLOWED_HOSTS": "naboskap.example"},
        tmp_path=tmp_path,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_development_keeps_a_generated_secret_key(tmp_path):
    assert manage("check", env={"NABOSKAP_ENV": "development"}, tmp_path=tmp_path).returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) > 40
    manage("check", env={"NABOSKAP_ENV": "development"}, tmp_path=tmp_path)
    assert (tmp_path / "secret_key").read_text() == key
