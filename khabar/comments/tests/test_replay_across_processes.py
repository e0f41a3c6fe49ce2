"""A solved captcha is redeemed once across every app process: a second server process,
sharing only the database, refuses a replay."""

import http.cookiejar
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation

from khabar.comments import captcha
from khabar.comments.models import Comment
from khabar.testing import comment_data, solved_payload

ROOT = Path(__file__).resolve().parents[3]


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    return (
        f"postgres://{user}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def second_server(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "KHABAR_DATA_DIR": str(tmp_path),
        "KHABAR_COMMENT_MIN_SECONDS": "0",
        "KHABAR_CAPTCHA_MAX_NUMBER": "2000",
        "DEBUG": "0",
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode()) from None
            time.sleep(0.2)
    else:
        process.kill()
        raise RuntimeError("the second server did not start")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


def post_to(base: str, article, data: dict) -> tuple[int, dict]:
    """POST a comment to another process as the page's script would: token first, then JSON."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    path = f"/ar/comments/{article.news_code}"
    with opener.open(base + path + "/challenge", timeout=10) as response:
        token = json.load(response)["csrf"]
    request = urllib.request.Request(
        base + path,
        data=urllib.parse.urlencode(data).encode(),
        headers={"X-CSRFToken": token, "X-Requested-With": "fetch", "Referer": base + path},
    )
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


@pytest.mark.django_db(transaction=True)
def test_replay_to_a_second_process_is_refused(client, article, second_server):
    payload = solved_payload(article)
    first = client.post(
        f"/ar/comments/{article.news_code}",
        comment_data(article, altcha=payload, body="أرسلت مرة"),
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert first.status_code == 201
    status, body = post_to(second_server, article,
                           comment_data(article, altcha=payload, body="ومرة ثانية"))  # fmt: skip
    assert status == 400
    with translation.override("ar"):
        assert body["message"] == str(captcha.REUSED)
    assert Comment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_challenge_redeemed_by_the_second_process_is_refused_here(client, article,
                                                                    second_server):  # fmt: skip
    payload = solved_payload(article)
    status, _ = post_to(second_server, article, comment_data(article, altcha=payload, body="أ"))
    assert status == 201
    again = client.post(
        f"/ar/comments/{article.news_code}",
        comment_data(article, altcha=payload, body="ب"),
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert again.status_code == 400
    assert Comment.objects.count() == 1
