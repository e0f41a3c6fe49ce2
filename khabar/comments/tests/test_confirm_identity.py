"""Trust and e-mail start only once an address is confirmed by the one-click link mailed to it,
and trust holds only in the browser that confirmed it: knowing a trusted person's address is
not enough to skip the queue (issue 18, item 2)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone, translation

from khabar.comments import actions, identity
from khabar.comments.identity import email_hash
from khabar.comments.models import Comment, Commenter
from khabar.news.models import CommentMode
from khabar.testing import comment_data

pytestmark = pytest.mark.django_db

VICTIM = "trusted.reader@example.org"


def post(client, article, network="10.1.1.1", **fields):
    url = f"/{article.edition.code}/comments/{article.news_code}"
    data = comment_data(article, **fields)
    return client.post(url, data, HTTP_X_REQUESTED_WITH="fetch", REMOTE_ADDR=network)


def latest():
    return Comment.objects.latest("id")


def confirmation_path(message):
    assert message.subject  # one message, with the link on a line of its own
    line = next(line for line in message.body.splitlines() if "/comments/confirm/" in line)
    return line.strip().split("127.0.0.1:8000")[-1]


def confirm_in(client, message):
    path = confirmation_path(message)
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 200
    return response


def earn_trust(client, article, moderator, email=VICTIM):
    """Three approved comments in a row from the address (KHABAR_COMMENT_TRUST_AFTER)."""
    for n in range(3):
        post(client, article, email=email, body=f"تعليق مفيد رقم {n}")
        actions.do_approve(latest(), moderator)


@pytest.fixture
def premoderated(article):
    assert article.effective_comment_mode == CommentMode.PREMODERATED
    return article


def test_the_attack_from_the_issue_is_held(premoderated, moderator):
    """Three approved comments from the victim's address; the attacker posts with it: held."""
    earn_trust(Client(), premoderated, moderator)
    attacker = Client()
    post(attacker, premoderated, network="10.66.0.1", email=VICTIM, body="إعلان مزيف")
    assert latest().status == Comment.Status.PENDING
    assert latest().held_reason == "premoderation"


def test_even_after_the_victim_confirmed_the_attacker_is_held(
    premoderated, moderator, django_capture_on_commit_callbacks
):
    victim = Client()
    with django_capture_on_commit_callbacks(execute=True):
        earn_trust(victim, premoderated, moderator)
    confirm_in(victim, mail.outbox[0])
    post(victim, premoderated, email=VICTIM, body="تعليق من صاحب العنوان")
    assert latest().status == Comment.Status.APPROVED
    post(Client(), premoderated, network="10.66.0.1", email=VICTIM, body="إعلان مزيف")
    assert latest().status == Comment.Status.PENDING


def test_confirmation_flow(premoderated, moderator, django_capture_on_commit_callbacks):
    reader = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(reader, premoderated, email=VICTIM, body="أول تعليق", notify_on_reply="on")
    # The form's answer says the comment waits and why, in the edition's language.
    with translation.override("ar"):
        note = translation.gettext(
            "Until you confirm your e-mail address, we send you no e-mails and your comments "
            "wait for a moderator: open the link we have sent to it, in this browser."
        )
    assert note in response.json()["message"]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [VICTIM]
    path = confirmation_path(message)
    assert path.startswith("/ar/comments/confirm/")

    # A GET (a mail scanner, a link preview) confirms nothing: it shows one button.
    page = reader.get(path)
    assert page.status_code == 200
    assert b'<form method="post"' in page.content
    assert Commenter.objects.get(email_hash=email_hash(VICTIM)).confirmed_at is None
    assert identity.PROOF_COOKIE not in page.cookies

    done = reader.post(path)
    assert Commenter.objects.get(email_hash=email_hash(VICTIM)).confirmed_at is not None
    cookie = done.cookies[identity.PROOF_COOKIE]
    assert cookie["path"] == "/ar/comments/"
    assert cookie["httponly"] and cookie["samesite"] == "Strict"

    # Trust earned from this browser: its next comment is published at once.
    actions.do_approve(latest(), moderator)
    for n in range(2):
        post(reader, premoderated, email=VICTIM, body=f"تعليق آخر {n}")
        actions.do_approve(latest(), moderator)
    post(reader, premoderated, email=VICTIM, body="منشور مباشرة")
    assert latest().status == Comment.Status.APPROVED
    # From another browser: the same address waits, and the answer asks to confirm there.
    other = Client()
    response = post(other, premoderated, network="10.2.2.2", email=VICTIM, body="من متصفح آخر")
    assert latest().status == Comment.Status.PENDING
    assert note in response.json()["message"]


def test_a_forged_proof_cookie_is_not_trusted(premoderated, moderator):
    reader = Client()
    earn_trust(reader, premoderated, moderator)
    Commenter.objects.filter(email_hash=email_hash(VICTIM)).update(confirmed_at=timezone.now())
    reader.cookies[identity.PROOF_COOKIE] = email_hash(VICTIM)  # unsigned
    post(reader, premoderated, email=VICTIM, body="بلا إثبات")
    assert latest().status == Comment.Status.PENDING


def test_one_confirmation_mail_a_day_per_address(premoderated, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(4):
            post(Client(), premoderated, network=f"10.{n}.0.1", email=VICTIM, body=f"رقم {n}",
                 notify_on_publish="on")  # fmt: skip
    assert len(mail.outbox) == 1
    day_ago = timezone.now() - timedelta(days=1, minutes=1)
    Commenter.objects.filter(email_hash=email_hash(VICTIM)).update(confirmation_sent_at=day_ago)
    with django_capture_on_commit_callbacks(execute=True):
        post(Client(), premoderated, network="10.9.0.1", email=VICTIM, body="بعد يوم",
             notify_on_publish="on")  # fmt: skip
    assert len(mail.outbox) == 2


def test_no_confirmation_mail_without_a_reason(article, django_capture_on_commit_callbacks):
    """On an open story, a comment that asks for no e-mail needs no confirmation."""
    article.comment_mode = CommentMode.OPEN
    article.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(Client(), article, email=VICTIM, body="تعليق عادي")
    assert mail.outbox == []
    assert response.json()["status"] == "approved"


@pytest.mark.parametrize("kind", ["forged", "expired"])
def test_bad_confirmation_links_are_refused_with_a_translated_message(kind, client, edition,
                                                                     monkeypatch):  # fmt: skip
    token = identity.confirm_token(email_hash(VICTIM))
    if kind == "forged":
        token = identity.confirm_token(email_hash(VICTIM))[:-4] + "AAAA"
        english = "This confirmation link is not valid. Check that it was copied whole."
    else:
        monkeypatch.setattr(identity, "CONFIRM_MAX_AGE", -1)
        english = (
            "This confirmation link has expired. Send a comment with your address to receive a "
            "new one."
        )
    with translation.override("ar"):
        arabic = translation.gettext(english)
    assert arabic != english
    for method in (client.get, client.post):
        response = method(f"/ar/comments/confirm/{token}")
        assert response.status_code == 400
        assert arabic in response.content.decode()
        assert identity.PROOF_COOKIE not in response.cookies
    assert not Commenter.objects.filter(confirmed_at__isnull=False).exists()


def test_notifications_wait_for_confirmation(premoderated, moderator,
                                             django_capture_on_commit_callbacks):  # fmt: skip
    reader = Client()
    with django_capture_on_commit_callbacks(execute=True):
        post(reader, premoderated, email=VICTIM, body="أول", notify_on_publish="on")
        actions.do_approve(latest(), moderator)
    # Only the confirmation link: no "your comment is published" before confirming.
    assert [m.subject for m in mail.outbox] == [mail.outbox[0].subject]
    assert "/comments/confirm/" in mail.outbox[0].body
    confirm_in(reader, mail.outbox[0])
    with django_capture_on_commit_callbacks(execute=True):
        post(reader, premoderated, email=VICTIM, body="ثان", notify_on_publish="on")
        actions.do_approve(latest(), moderator)
    assert len(mail.outbox) == 2
    assert premoderated.headline in mail.outbox[1].subject


def test_replies_notify_only_a_confirmed_address(article, django_capture_on_commit_callbacks):
    article.comment_mode = CommentMode.OPEN
    article.save()
    with django_capture_on_commit_callbacks(execute=True):
        post(Client(), article, email="someone.else@example.org", body="سؤال",
             notify_on_reply="on")  # fmt: skip
        question = latest()
        post(Client(), article, network="10.5.0.1", name="مجيب", body="جواب",
             parent=str(question.pk))  # fmt: skip
    # The confirmation link went out; the reply notice did not.
    assert len(mail.outbox) == 1
    assert "/comments/confirm/" in mail.outbox[0].body


def test_story_pages_are_the_same_bytes_with_a_proof(
    premoderated, moderator, django_capture_on_commit_callbacks
):
    reader = Client()
    with django_capture_on_commit_callbacks(execute=True):
        post(reader, premoderated, email=VICTIM, body="أول", notify_on_publish="on")
    confirm_in(reader, mail.outbox[0])
    assert identity.PROOF_COOKIE in reader.cookies
    url = premoderated.get_absolute_url()
    assert reader.get(url).content == Client().get(url).content
    region = f"/ar/comments/{premoderated.news_code}?partial=1"
    assert reader.get(region).content == Client().get(region).content


@pytest.mark.django_db(transaction=True)
def test_in_chromium_the_confirming_browser_is_trusted_and_another_is_not(browser, live_server,
                                                                        premoderated):  # fmt: skip
    """The proof cookie (path /ar/comments/, SameSite=Strict, HttpOnly) reaches the comment
    form's POST in a real browser, and only from the browser that confirmed."""
    Commenter.objects.create(email_hash=email_hash(VICTIM), approved_count=3, approved_streak=3)
    story = live_server.url + premoderated.get_absolute_url()

    def write(page, body):
        page.goto(story)
        page.fill("#id_name", "سلمى")
        page.fill("#id_email", VICTIM)
        page.fill("#id_body", body)
        page.wait_for_function("() => document.querySelector('input[name=altcha]').value !== ''")
        page.click("button.comment-submit")
        return page.wait_for_selector(".sent-note").inner_text()

    mine = browser.new_context(locale="ar-IQ")
    page = mine.new_page()
    answer = write(page, "تعليق قبل التأكيد من المتصفح الأول")
    assert latest().status == Comment.Status.PENDING
    assert "افتح الرابط" in answer  # the answer asks to confirm, in Arabic
    page.goto(live_server.url + confirmation_path(mail.outbox[0]))
    page.click("form button[type=submit]")
    page.wait_for_selector(".sent-note")
    cookie = next(c for c in mine.cookies() if c["name"] == identity.PROOF_COOKIE)
    assert cookie["path"] == "/ar/comments/" and cookie["httpOnly"]
    write(page, "تعليق بعد التأكيد من المتصفح الأول")
    assert latest().status == Comment.Status.APPROVED

    other = browser.new_context(locale="ar-IQ")
    write(other.new_page(), "تعليق بالعنوان نفسه من متصفح آخر")
    assert latest().status == Comment.Status.PENDING
    mine.close()
    other.close()


def test_without_javascript_the_page_says_so_too(premoderated, django_capture_on_commit_callbacks):
    reader = Client()
    url = f"/ar/comments/{premoderated.news_code}"
    with django_capture_on_commit_callbacks(execute=True):
        response = reader.post(url, comment_data(premoderated, solve_captcha=False, email=VICTIM))
    assert response.status_code == 303 and "&confirm=1" in response["Location"]
    with translation.override("ar"):
        note = translation.gettext(
            "Until you confirm your e-mail address, we send you no e-mails and your comments "
            "wait for a moderator: open the link we have sent to it, in this browser."
        )
    assert note in reader.get(response["Location"]).content.decode()
    assert len(mail.outbox) == 1
