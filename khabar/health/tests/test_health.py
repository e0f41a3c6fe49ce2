"""GET /health: 200 while the app server can serve, 503 when its database does not answer, the
queue worker's lag reported without taking the server out; never cached, no session, no secret."""

import json
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from khabar.health import checks
from khabar.testing import free_port, wait_until_listening

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


def test_ok_answers_200_with_every_check(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    report = json.loads(response.content)
    assert report["status"] == "ok"
    assert {"database", "cache", "worker"} <= set(report["checks"])
    assert all(check["status"] == "ok" for check in report["checks"].values())


def test_never_cached_no_session_no_surrogate_key(client, editor):
    client.force_login(editor)  # a session cookie arrives; the answer must not touch it
    response = client.get("/health")
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
    for header in ("ETag", "Surrogate-Key", "xkey", "Set-Cookie"):
        assert header not in response


def test_head_answers_without_body_and_post_is_refused(client):
    head = client.head("/health")
    assert head.status_code == 200 and head.content == b""
    # No CSRF token is asked for (a balancer has none): the method itself is refused.
    assert client.post("/health").status_code == 405


def test_reveals_no_host_port_or_version(client, settings):
    body = client.get("/health").content.decode()
    db = connection.settings_dict
    for secret in (settings.SECRET_KEY, "Django", "PostgreSQL", "SQLite", "5432"):
        assert secret.lower() not in body.lower()
    assert not db.get("HOST") or db["HOST"] not in body


@pytest.fixture
def broken():
    """The alias of a connection like the test database's, to where no database answers: a
    closed port on PostgreSQL, a file in a missing directory on SQLite."""
    default = connections["default"]
    settings_dict = dict(default.settings_dict)
    if default.vendor == "postgresql":
        settings_dict.update(PORT=free_port(), HOST="127.0.0.1")
    else:
        settings_dict["NAME"] = "/nonexistent/khabar/db.sqlite3"
    connections["broken"] = default.__class__(settings_dict, alias="broken")
    yield "broken"
    connections["broken"].close()
    del connections["broken"]


def test_database_down_is_fail_and_names_only_the_error_class(broken):
    result = checks.database(broken)
    assert result["status"] == "fail"
    assert result["error"] == "OperationalError"
    assert "127.0.0.1" not in json.dumps(result) and "nonexistent" not in json.dumps(result)


def test_database_down_answers_503(client, monkeypatch, broken):
    real = checks.database
    monkeypatch.setattr(checks, "database", lambda: real(broken))
    response = client.get("/health")
    assert response.status_code == 503
    assert json.loads(response.content)["status"] == "fail"


def test_cache_down_is_fail(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    response = client.get("/health")
    assert response.status_code == 503
    cache = json.loads(response.content)["checks"]["cache"]
    assert cache == {"status": "fail", "error": "ConnectionError", "ms": cache["ms"]}


def queued(ago, run_after=None, status="READY"):
    task = DBTaskResult.objects.create(
        task_path="khabar.api.tasks.deliver", args_kwargs={"args": [1], "kwargs": {}},
        backend_name="default", run_after=run_after or get_date_max(), status=status,
    )  # fmt: skip
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=timezone.now() - ago)
    return task


def test_idle_queue_is_ok():
    result = checks.worker()
    assert result["status"] == "ok" and result["queue_lag_seconds"] == 0 and result["due"] == 0


def test_a_task_waiting_past_the_threshold_is_degraded_but_still_200(client, settings):
    settings.KHABAR_HEALTH_QUEUE_LAG_SECONDS = 120
    queued(timedelta(seconds=30))
    assert checks.worker()["status"] == "ok"
    queued(timedelta(minutes=10))
    response = client.get("/health")
    assert response.status_code == 200  # a late worker does not take app servers out
    report = json.loads(response.content)
    assert report["status"] == "degraded"
    worker = report["checks"]["worker"]
    assert worker["status"] == "degraded" and worker["due"] == 2
    assert 595 <= worker["queue_lag_seconds"] <= 660


def test_a_retry_is_due_from_its_run_after_not_from_when_it_was_queued(settings):
    settings.KHABAR_HEALTH_QUEUE_LAG_SECONDS = 120
    now = timezone.now()
    queued(timedelta(hours=1), run_after=now + timedelta(minutes=5))  # not due yet
    queued(timedelta(hours=1), run_after=now - timedelta(seconds=20))  # due 20 s ago
    result = checks.worker(now=now)
    assert result["status"] == "ok" and result["due"] == 1
    assert 19 <= result["queue_lag_seconds"] <= 60


def test_running_and_last_finished_are_reported():
    queued(timedelta(seconds=5), status="RUNNING")
    done = queued(timedelta(minutes=3), status="SUCCESSFUL")
    DBTaskResult.objects.filter(pk=done.pk).update(
        finished_at=timezone.now() - timedelta(minutes=2)
    )
    result = checks.worker()
    assert result["running"] == 1
    assert 119 <= result["last_finished_seconds_ago"] <= 180


@pytest.mark.django_db(transaction=True)
def test_a_real_server_whose_database_is_down_answers_503(tmp_path, settings):
    """gunicorn, as in production, started on a database that does not answer: the balancer
    sees 503 (and a JSON body), not a hang or a 500 page."""
    from khabar.testing import database_url

    url = database_url()
    if connection.vendor == "postgresql":
        url = url.replace(f":{connection.settings_dict.get('PORT') or 5432}/", f":{free_port()}/")
    else:
        url = "sqlite:////nonexistent/khabar/db.sqlite3"
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}",
         "khabar.wsgi:application"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": url, "KHABAR_DATA_DIR": str(tmp_path),
             "SECRET_KEY": settings.SECRET_KEY, "KHABAR_DB_CONNECT_TIMEOUT": "2"},
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_listening(process, base)
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(base + "/health", timeout=20)
        assert answer.value.code == 503
        report = json.load(answer.value)
        assert report["status"] == "fail"
        assert report["checks"]["database"]["status"] == "fail"
        assert answer.value.headers["Cache-Control"] == "no-store"
    finally:
        process.terminate()
        process.wait(timeout=20)
