"""Every page and e-mail a commenter meets speaks the edition's language: the form's messages,
the confirmation, privacy and unsubscribe pages (links from e-mails carry the edition), the
deletion page, a form that expired, and the e-mails about a story."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation

from khabar.comments import actions, notify
from khabar.comments.identity import confirm_token, email_hash
from khabar.comments.models import Comment
from khabar.reader.tests.editions import build
from khabar.testing import comment_data, confirm_address

pytestmark = pytest.mark.django_db

LANGUAGES = {"fa": ("fa", "rtl"), "en": ("en", "ltr")}


def tr(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


@pytest.fixture
def stories(edition):
    """The Arabic edition (the default) and a story in Persian and in English."""
    return {code: build(code).article for code in ("fa", "en")}


def assert_in_language(response, code, *messages):
    language, direction = LANGUAGES[code]
    html = response.content.decode()
    assert f'<html lang="{language}" dir="{direction}">' in html
    for message in messages:
        translated = tr(language, message)
        if language != "en":
            assert translated != message, f"{message!r} is not translated in {language}"
        assert translated in html, message


@pytest.mark.parametrize("code", ["fa", "en"])
def test_unsubscribe_link_opens_and_works_in_the_editions_language(client, stories, code):
    token = notify.unsubscribe_token(email_hash("reader@example.org"))
    page = client.get(f"/{code}/comments/unsubscribe/{token}")
    assert page.status_code == 200 and page["Content-Language"] == code
    assert_in_language(page, code, "Stop comment e-mails", "Stop the e-mails")
    done = client.post(f"/{code}/comments/unsubscribe/{token}")  # one click, no CSRF token
    assert_in_language(done, code, "Done. You will receive no more e-mails about your comments.")


def test_an_unsubscribe_link_sent_before_editions_were_named_still_works(client, stories):
    token = notify.unsubscribe_token(email_hash("reader@example.org"))
    response = client.post(f"/comments/unsubscribe/{token}")
    html = response.content.decode()
    assert response.status_code == 200 and '<html lang="ar" dir="rtl">' in html
    assert tr("ar", "Done. You will receive no more e-mails about your comments.") in html


def test_unknown_edition_or_forged_token_is_a_404_in_its_language(client, stories):
    token = notify.unsubscribe_token(email_hash("reader@example.org"))
    assert client.get(f"/xx/comments/unsubscribe/{token}").status_code == 404
    forged = client.get("/fa/comments/unsubscribe/forged")
    assert forged.status_code == 404
    assert_in_language(forged, "fa", "Page not found")


@pytest.mark.parametrize("code", ["fa", "en"])
def test_privacy_request_page_and_its_email(client, stories, code,
                                            django_capture_on_commit_callbacks):  # fmt: skip
    article = stories[code]
    mine = Comment.objects.create(article=article, name="n", body="b", email="me@example.org",
                                  email_hash=email_hash("me@example.org"))  # fmt: skip
    page = client.get(f"/{code}/comments/privacy/")
    assert_in_language(page, code, "Your comments and your data", "Send me the link")
    wrong = client.post(f"/{code}/comments/privacy/", {"email": "not an address"})
    assert_in_language(wrong, code, "This is not a valid e-mail address, even without spaces "
                                    "and invisible characters. Please check it.")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(f"/{code}/comments/privacy/", {"email": "me@example.org"})
    assert_in_language(
        sent,
        code,
        "If comments were written with this address, a message "
        "with a link is on its way. The link works for one day.",
    )
    [message] = mail.outbox
    language = LANGUAGES[code][0]
    assert message.subject == tr(language, "Your comments on Khabar")
    assert tr(language, "If you did not ask, ignore this message: nothing will change.") in (
        message.body
    )
    link = re.search(rf"http\S+/{code}/comments/privacy/(\S+)", message.body)
    assert link, message.body

    manage = client.get(f"/{code}/comments/privacy/{link[1]}")
    assert_in_language(manage, code, "Download your comments (JSON)", "Delete all my comments")
    deleted = client.post(f"/{code}/comments/privacy/{link[1]}", {"confirm": "delete"})
    assert_in_language(deleted, code, "Your comments are deleted")
    assert not Comment.objects.filter(pk=mine.pk).exists()


@pytest.mark.parametrize("code", ["fa", "en"])
def test_comment_form_messages(client, stories, code):
    article = stories[code]
    response = client.post(f"/{code}/comments/{article.news_code}",
                           comment_data(article, name="", body=""))  # fmt: skip
    assert response.status_code == 400
    assert_in_language(
        response, code, "Your comment was not sent. Please correct what is marked below.",
        "Please write your name.", "Please write your comment.",
    )  # fmt: skip
    script = client.post(f"/{code}/comments/{article.news_code}",
                         comment_data(article, name=""), HTTP_X_REQUESTED_WITH="fetch")  # fmt: skip
    assert script.json()["errors"]["name"] == [tr(LANGUAGES[code][0], "Please write your name.")]


@pytest.mark.parametrize("code", ["fa", "en"])
def test_confirmation_page_and_email(client, stories, code, django_capture_on_commit_callbacks):
    article = stories[code]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/{code}/comments/{article.news_code}",
                    comment_data(article, email="new@example.org"))  # fmt: skip
    [message] = mail.outbox
    language = LANGUAGES[code][0]
    assert message.subject == tr(language, "Confirm your e-mail address")
    assert f"/{code}/comments/confirm/" in message.body and article.headline in message.body
    token = confirm_token(email_hash("new@example.org"))
    page = client.get(f"/{code}/comments/confirm/{token}")
    assert_in_language(page, code, "Confirm my address")
    done = client.post(f"/{code}/comments/confirm/{token}")
    assert_in_language(done, code, "In another browser or on another device, confirm again "
                                   "with the link of a new message.")  # fmt: skip


@pytest.mark.parametrize("code", ["fa", "en"])
def test_emails_about_a_story_speak_its_editions_language(
    client, stories, code, moderator, django_capture_on_commit_callbacks
):
    article = stories[code]
    confirm_address(client, "reader@example.org", edition_code=code)
    client.post(
        f"/{code}/comments/{article.news_code}",
        comment_data(article, email="reader@example.org", notify_on_publish="on"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_approve(Comment.objects.latest("id"), moderator)
    [message] = mail.outbox
    language = LANGUAGES[code][0]
    assert message.subject == tr(language, "Your comment is published: %(headline)s") % {
        "headline": article.headline
    }
    assert tr(language, "To stop these messages:") in message.body
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert re.fullmatch(rf"<http\S+/{code}/comments/unsubscribe/\S+>", unsubscribe)
    # The link's page speaks the same language.
    path = unsubscribe.strip("<>").split("://", 1)[1].split("/", 1)[1]
    assert_in_language(client.get("/" + path), code, "Stop comment e-mails")


@pytest.mark.parametrize("code", ["fa", "en"])
def test_an_expired_reader_form_gets_the_sites_page_in_its_language(stories, code):
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/{code}/comments/privacy/", {"email": "me@example.org"})
    assert response.status_code == 403
    assert_in_language(response, code, "The form had expired, so nothing was sent. Go back, "
                                       "reload the page and send it again.")  # fmt: skip
    assert f'href="/{code}/"' in response.content.decode()
