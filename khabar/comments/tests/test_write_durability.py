"""A comment the server has acknowledged is on disk: killing the app server with SIGKILL in the
middle of a stream of posts loses none of them (SQLite in WAL mode with synchronous=NORMAL keeps
every commit a process crash can reach; PostgreSQL keeps what it acknowledged)."""

import http.client
import threading
import time

import pytest

from khabar.comments.models import Comment
from khabar.testing import comment_data, post_comment_to, start_server


@pytest.mark.django_db(transaction=True)
def test_acknowledged_comments_survive_the_server_being_killed(article, tmp_path):
    process, base = start_server(
        tmp_path,
        KHABAR_COMMENT_MIN_SECONDS="0",
        # Many comments from one address in a few seconds: the limits are not what is tested.
        KHABAR_COMMENT_RATE_NETWORK="100000/600",
        KHABAR_COMMENT_RATE_EMAIL="100000/600",
    )
    acknowledged, failures, stop = [], [], threading.Event()

    def write(writer):
        number = 0
        while not stop.is_set():
            number += 1
            body = f"تعليق رقم {number} من الكاتب {writer}"
            # No captcha: the comment is held for review, which is a write all the same.
            data = comment_data(article, solve_captcha=False, body=body)
            try:
                status, answer = post_comment_to(base, article, data)
            except (OSError, http.client.HTTPException, ValueError):
                return  # the server died before answering: this post was never acknowledged
            if status == 201:
                acknowledged.append((answer["id"], body))
            else:
                failures.append((status, answer))

    writers = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in writers:
        thread.start()
    try:
        deadline = time.monotonic() + 30
        while len(acknowledged) < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
        process.kill()  # SIGKILL, mid-stream: no clean shutdown of anything
        process.wait(timeout=10)
    finally:
        stop.set()
        for thread in writers:
            thread.join(timeout=30)
        if process.poll() is None:
            process.kill()

    assert not failures
    assert len(acknowledged) >= 40
    stored = dict(Comment.objects.values_list("id", "body"))
    lost = [(pk, body) for pk, body in acknowledged if stored.get(pk) != body]
    assert lost == []
