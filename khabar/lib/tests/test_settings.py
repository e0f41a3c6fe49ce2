"""The settings module: environment variables with working defaults, bad values refused early."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from khabar.settings import envbool, envint

ROOT = Path(__file__).resolve().parents[3]


def load_settings(tmp_path, **env):
    """Import the settings in a fresh interpreter with only the given variables set."""
    environment = {"PATH": os.environ["PATH"], "KHABAR_DATA_DIR": str(tmp_path), **env}
    code = (
        "import json, khabar.settings as s; print(json.dumps({'db': s.DATABASES['default'], "
        "'cache': s.CACHES['default']['BACKEND'], 'debug': s.DEBUG, 'key': s.SECRET_KEY}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    return result


def test_defaults_are_sqlite_locmem_and_a_kept_secret(tmp_path):
    first = load_settings(tmp_path)
    assert first.returncode == 0, first.stderr
    data = json.loads(first.stdout)
    assert data["db"]["ENGINE"] == "django.db.backends.sqlite3"
    assert data["db"]["NAME"] == str(tmp_path / "khabar.sqlite3")
    assert "journal_mode=WAL" in data["db"]["OPTIONS"]["init_command"]
    assert data["cache"].endswith("LocMemCache")
    assert data["debug"] is False
    assert (tmp_path / "secret_key").read_text() == data["key"]
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"
    again = json.loads(load_settings(tmp_path).stdout)
    assert again["key"] == data["key"]


def test_database_and_redis_urls(tmp_path):

    result = load_settings(
        tmp_path,
        DATABASE_URL="postgres://u@db.example:5433/news",
        REDIS_URL="redis://127.0.0.1:6379/2",
        SECRET_KEY="from-the-environment",
    )
    data = json.loads(result.stdout)
    assert data["db"]["ENGINE"] == "django.db.backends.postgresql"
    assert (data["db"]["HOST"], data["db"]["PORT"], data["db"]["NAME"]) == (
        "db.example",
        5433,
        "news",
    )
    assert data["cache"].endswith("RedisCache")
    assert data["key"] == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def test_bad_boolean_fails_early(tmp_path):
    result = load_settings(tmp_path, DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


@pytest.mark.parametrize("rate", ["5 per 600", "5/", "0/600", "5/0"])
def test_bad_comment_rate_fails_at_start_up_with_its_name(tmp_path, rate):
    result = load_settings(tmp_path, KHABAR_COMMENT_RATE_NETWORK=rate)
    assert result.returncode != 0
    assert "KHABAR_COMMENT_RATE_NETWORK" in result.stderr


def test_comment_rates_are_read_once_as_count_and_seconds(monkeypatch):
    from khabar.settings import envrate

    monkeypatch.setenv("KHABAR_COMMENT_RATE_EMAIL", "7/300")
    assert envrate("KHABAR_COMMENT_RATE_EMAIL", "3/600") == (7, 300)
    monkeypatch.delenv("KHABAR_COMMENT_RATE_EMAIL")
    assert envrate("KHABAR_COMMENT_RATE_EMAIL", "3/600") == (3, 600)


def test_env_helpers(monkeypatch):
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", "12")
    assert envbool("X_BOOL", False) is True
    assert envint("X_INT", 3) == 12
    assert envint("X_MISSING", 3) == 3
    monkeypatch.setenv("X_INT", "twelve")
    with pytest.raises(ImproperlyConfigured):
        envint("X_INT", 3)


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
