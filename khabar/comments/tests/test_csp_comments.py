"""The comments under the Content-Security-Policy, in real Chromium: a reader writes (the
captcha solved by the page's own script: no Web Worker, no blob:), opens a reply and posts it;
the moderation queue approves by keyboard and its edit page saves; the privacy request, the
privacy link's page and the unsubscribe page are used. No page logs a CSP violation or a
script error, and every page carries the policy."""

import pytest

from khabar.comments import notify
from khabar.comments.identity import email_hash
from khabar.comments.models import Comment
from khabar.reader.tests.csp import csp_context, policy_problems, visit
from khabar.testing import session_cookie

pytestmark = [pytest.mark.django_db(transaction=True)]

SOLVED = "() => document.querySelector('input[name=altcha]').value !== ''"


@pytest.fixture
def context(browser):
    context = csp_context(browser, locale="ar-IQ", viewport={"width": 1100, "height": 900})
    yield context
    context.close()


def write(page, name, body, email=""):
    page.fill("#id_name", name)
    page.fill("#id_email", email)
    page.fill("#id_body", body)
    page.wait_for_function(SOLVED)
    page.click("button.comment-submit")
    page.wait_for_selector(".sent-note")


def test_writing_replying_and_moderating_break_no_policy(context, live_server, article,
                                                        moderator):  # fmt: skip
    page = context.new_page()
    visit(page, live_server.url + article.get_absolute_url())
    page.wait_for_selector("#comment-form")
    write(page, "سلمى", "تعليق أول على الخبر.", email="salma@example.org")
    comment = Comment.objects.get()
    assert comment.solved_captcha  # solved in the page, under the policy

    # The moderator approves it by keyboard, then edits it.
    context.add_cookies([session_cookie(moderator, live_server)])
    visit(page, live_server.url + "/desk/comments/")
    page.keyboard.press("j")
    page.keyboard.press("a")
    page.wait_for_selector("[data-queue-status]:not(:empty)")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    visit(page, live_server.url + f"/desk/comments/{comment.pk}/edit")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()

    # A reader opens a reply, cancels it, opens it again and posts it.
    context.clear_cookies()
    visit(page, live_server.url + article.get_absolute_url())
    page.wait_for_selector(f"#comment-{comment.pk}")
    page.click(f"#comment-{comment.pk} .comment-reply")
    page.click("[data-cancel-reply]")
    page.click(f"#comment-{comment.pk} .comment-reply")
    write(page, "Karim", "Thank you — شكرًا.")
    assert Comment.objects.filter(parent=comment).exists()

    # The comments' own page, as a reader without the article's script would reach it.
    visit(page, live_server.url + f"/{article.edition.code}/comments/{article.news_code}")
    assert context.problems == []


def test_privacy_and_unsubscribe_pages_break_no_policy(context, live_server, article,
                                                      post_comment):  # fmt: skip
    post_comment(article, email="me@example.org", body="تعليقي")
    page = context.new_page()
    visit(page, live_server.url + f"/{article.edition.code}/comments/privacy/")
    page.fill("input[name=email]", "me@example.org")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert policy_problems(page.reload()) == []

    visit(page, live_server.url + f"/comments/privacy/{notify.privacy_token('me@example.org')}")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert not Comment.objects.exists()

    token = notify.unsubscribe_token(email_hash("me@example.org"))
    visit(page, live_server.url + f"/comments/unsubscribe/{token}")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert context.problems == []
