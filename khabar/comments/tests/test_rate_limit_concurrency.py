"""Rate limits hold when many comments arrive at once on several app processes, sharing only
the database: 20 simultaneous posts under a limit of 5 take exactly 5, per network and per
e-mail address, on SQLite and on PostgreSQL."""

import http.cookiejar
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import ExitStack

import pytest
from django.conf import settings

from khabar.comments.models import Comment
from khabar.comments.tests.test_replay_across_processes import ROOT, database_url, free_port

SERVERS = 3
POSTS = 20
LIMIT = 5


def start_server(tmp_path, env_overrides: dict) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "KHABAR_DATA_DIR": str(tmp_path / str(port)),
        "KHABAR_HASH_SALT": settings.KHABAR_HASH_SALT,
        "KHABAR_COMMENT_MIN_SECONDS": "0",
        "DEBUG": "0",
        **env_overrides,
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    return process, f"http://127.0.0.1:{port}"


def wait_until_listening(process, base: str) -> None:
    port = int(base.rsplit(":", 1)[1])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode()) from None
            time.sleep(0.2)
    raise RuntimeError("a server did not start")


@pytest.fixture
def servers(tmp_path):
    """servers(**env) -> base URLs of SERVERS app processes started with those settings."""
    with ExitStack() as stack:

        def start(**env):
            started = [start_server(tmp_path, env) for _ in range(SERVERS)]
            for process, base in started:
                stack.callback(process.wait, timeout=10)
                stack.callback(process.terminate)
                wait_until_listening(process, base)
            return [base for _, base in started]

        yield start


def simultaneous_posts(bases: list[str], article, email_for) -> list[int]:
    """POSTS comments, each from its own thread to one of the servers: every thread fetches
    its token first, then they all wait at a barrier and send together."""
    barrier = threading.Barrier(POSTS)
    statuses: list[int] = [0] * POSTS
    path = f"/ar/comments/{article.news_code}"

    def send(index: int) -> None:
        base = bases[index % len(bases)]
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        with opener.open(base + path + "/challenge", timeout=30) as response:
            token = json.load(response)
        data = {"name": "قارئ", "email": email_for(index), "body": f"تعليق رقم {index}",
                "parent": "", "started": token["started"], "altcha": "", "website": ""}  # fmt: skip
        request = urllib.request.Request(
            base + path,
            data=urllib.parse.urlencode(data).encode(),
            headers={"X-CSRFToken": token["csrf"], "X-Requested-With": "fetch", "Referer": base},
        )
        barrier.wait(timeout=60)
        try:
            with opener.open(request, timeout=60) as response:
                statuses[index] = response.status
        except urllib.error.HTTPError as error:
            statuses[index] = error.code

    threads = [threading.Thread(target=send, args=(i,)) for i in range(POSTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.mark.django_db(transaction=True)
def test_simultaneous_posts_from_one_network_take_exactly_the_limit(article, servers):
    bases = servers(KHABAR_COMMENT_RATE_NETWORK=f"{LIMIT}/600", KHABAR_COMMENT_RATE_EMAIL="100/600")
    statuses = simultaneous_posts(bases, article, lambda i: f"reader{i}@example.org")
    assert sorted(statuses) == [201] * LIMIT + [400] * (POSTS - LIMIT)
    assert Comment.objects.count() == LIMIT


@pytest.mark.django_db(transaction=True)
def test_simultaneous_posts_with_one_address_take_exactly_the_limit(article, servers):
    bases = servers(KHABAR_COMMENT_RATE_NETWORK="100/600", KHABAR_COMMENT_RATE_EMAIL=f"{LIMIT}/600")
    statuses = simultaneous_posts(bases, article, lambda i: "same@example.org")
    assert sorted(statuses) == [201] * LIMIT + [400] * (POSTS - LIMIT)
    assert Comment.objects.count() == LIMIT
