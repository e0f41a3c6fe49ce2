"""Rate limits hold when many comments arrive at once on several app processes, sharing only
the database: 20 simultaneous posts under a limit of 5 take exactly 5, per network and per
e-mail address, on SQLite and on PostgreSQL."""

import http.cookiejar
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from contextlib import ExitStack

import pytest

from khabar.comments.models import Comment
from khabar.testing import spawn_server, wait_until_listening

SERVERS = 3
POSTS = 20
LIMIT = 5


@pytest.fixture
def servers(tmp_path):
    """servers(**env) -> base URLs of SERVERS app processes started with those settings."""
    with ExitStack() as stack:

        def start(**env):
            started = [
                spawn_server(tmp_path / str(n), KHABAR_COMMENT_MIN_SECONDS="0", **env)
                for n in range(SERVERS)
            ]
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
