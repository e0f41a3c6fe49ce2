"""A solved captcha is redeemed once across every app process: a second server process,
sharing only the database, refuses a replay."""

import pytest
from django.utils import translation

from khabar.comments import captcha
from khabar.comments.models import Comment
from khabar.testing import comment_data, post_comment_to, solved_payload, start_server


@pytest.fixture
def second_server(tmp_path):
    process, base = start_server(
        tmp_path, KHABAR_COMMENT_MIN_SECONDS="0", KHABAR_CAPTCHA_MAX_NUMBER="2000"
    )
    yield base
    process.terminate()
    process.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_replay_to_a_second_process_is_refused(client, article, second_server):
    payload = solved_payload(article)
    first = client.post(
        f"/ar/comments/{article.news_code}",
        comment_data(article, altcha=payload, body="أرسلت مرة"),
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert first.status_code == 201
    status, body = post_comment_to(second_server, article,
                           comment_data(article, altcha=payload, body="ومرة ثانية"))  # fmt: skip
    assert status == 400
    with translation.override("ar"):
        assert body["message"] == str(captcha.REUSED)
    assert Comment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_challenge_redeemed_by_the_second_process_is_refused_here(client, article,
                                                                    second_server):  # fmt: skip
    payload = solved_payload(article)
    status, _ = post_comment_to(
        second_server, article, comment_data(article, altcha=payload, body="أ")
    )
    assert status == 201
    again = client.post(
        f"/ar/comments/{article.news_code}",
        comment_data(article, altcha=payload, body="ب"),
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert again.status_code == 400
    assert Comment.objects.count() == 1
