"""What a reader and a moderator click, in real Chromium: write, solve the captcha, wait for
review, approve by keyboard, reply, and never run a hostile comment's script."""

import pytest

from khabar.comments.models import Comment
from khabar.news.models import CommentMode
from khabar.testing import session_cookie

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="ar-IQ", viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.problems = []
    page.on("dialog", lambda dialog: (page.problems.append(f"dialog: {dialog.message}"),
                                      dialog.dismiss()))  # fmt: skip
    page.on("console", lambda msg: msg.type == "error" and page.problems.append(msg.text))
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    yield page
    context.close()


def write_comment(page, name, body):
    page.fill("#id_name", name)
    page.fill("#id_body", body)
    page.wait_for_function("() => document.querySelector('input[name=altcha]').value !== ''")
    page.click("button.comment-submit")
    page.wait_for_selector(".sent-note")


def test_write_approve_reply(page, live_server, article, moderator, screenshot_dir):
    page.goto(live_server.url + article.get_absolute_url())
    page.wait_for_selector("#comment-form")
    assert page.locator("#comments-heading").inner_text().startswith("تعليقك")
    page.fill("#id_body", "تعليق")
    assert "٢٠٠٠" not in page.locator("#body-count").inner_text()
    assert "١٩٩٥" in page.locator("#body-count").inner_text()  # characters left, Arabic digits
    write_comment(page, "سلمى", "هذا أول تعليق على الخبر، شكرًا للوكالة.")
    assert "بانتظار المراجعة" in page.locator(".comment-badge.is-pending").inner_text()
    page.screenshot(path=screenshot_dir / "comment-pending.png", full_page=True)
    comment = Comment.objects.get()
    assert comment.status == "pending" and comment.solved_captcha

    # The moderator approves it from the queue, by keyboard.
    page.context.add_cookies([session_cookie(moderator, live_server)])
    page.goto(live_server.url + "/desk/comments/")
    assert "هذا أول تعليق" in page.content()
    page.screenshot(path=screenshot_dir / "moderation-queue.png", full_page=True)
    page.keyboard.press("j")
    page.keyboard.press("a")
    page.wait_for_selector("[data-queue-status]:not(:empty)")
    comment.refresh_from_db()
    assert comment.status == "approved"

    # A reader sees it, and replies to it.
    page.context.clear_cookies()
    page.goto(live_server.url + article.get_absolute_url())
    page.wait_for_selector(f"#comment-{comment.pk}")
    assert "(تعليق واحد)" in page.locator("#comments-heading").inner_text()
    page.click(f"#comment-{comment.pk} .comment-reply")
    replying = page.locator("[data-replying-to]")
    assert replying.is_visible() and "سلمى" in replying.inner_text()
    page.click("[data-cancel-reply]")
    assert not replying.is_visible()
    page.click(f"#comment-{comment.pk} .comment-reply")
    write_comment(page, "Karim", "Thank you, I agree — شكرًا.")
    reply = Comment.objects.exclude(pk=comment.pk).get()
    assert reply.parent_id == comment.pk and reply.depth == 1
    page.screenshot(path=screenshot_dir / "comment-reply.png", full_page=True)
    assert page.problems == []


def test_open_story_thread_and_hostile_comment_runs_nothing(page, live_server, article,
                                                            screenshot_dir):  # fmt: skip
    article.comment_mode = CommentMode.OPEN
    article.save()
    page.goto(live_server.url + article.get_absolute_url())
    page.wait_for_selector("#comment-form")
    write_comment(page, "<img src=x onerror=alert(1)>", '<script>alert("x")</script> ok')
    page.goto(live_server.url + article.get_absolute_url())
    page.wait_for_selector("li.comment")
    body_text = page.locator("li.comment .comment-body").first.inner_text()
    assert '<script>alert("x")</script>' in body_text
    root = Comment.objects.get()
    page.click(f"#comment-{root.pk} .comment-reply")
    write_comment(page, "ليلى", "ردّ على التعليق")
    page.goto(live_server.url + article.get_absolute_url())
    page.wait_for_selector("li.comment.depth-1")
    assert "ليلى" in page.locator("li.comment.depth-1").inner_text()
    # Each comment lays out in its own direction inside the right-to-left page.
    assert page.locator("li.comment .comment-body").first.get_attribute("dir") == "auto"
    page.screenshot(path=screenshot_dir / "comment-thread.png", full_page=True)
    assert page.problems == []


def test_without_javascript(browser, live_server, article, screenshot_dir):
    context = browser.new_context(java_script_enabled=False, locale="ar-IQ")
    page = context.new_page()
    page.goto(live_server.url + article.get_absolute_url())
    page.click("text=اقرأ التعليقات واكتب تعليقك")
    assert "سيراجع مشرف تعليقك" in page.locator(".captcha-status").inner_text()
    page.fill("#id_name", "قارئ بلا سكربت")
    page.fill("#id_body", "أكتب من متصفح لا يشغّل JavaScript.")
    page.click("button.comment-submit")
    page.wait_for_selector(".sent-note")
    assert "بانتظار" in page.locator(".sent-note").inner_text()
    page.screenshot(path=screenshot_dir / "comment-no-javascript.png", full_page=True)
    comment = Comment.objects.get()
    assert comment.status == "pending" and not comment.solved_captcha
    context.close()


def test_a_refused_comment_keeps_the_text(page, live_server, article, settings):
    settings.KHABAR_COMMENT_MAX_LENGTH = 40
    page.goto(live_server.url + article.get_absolute_url())
    page.wait_for_selector("#comment-form")
    long_text = "نص طويل لن يُقبل لأنه يتجاوز الحد المسموح به كثيرًا"
    page.fill("#id_name", "قارئ")
    page.evaluate("document.querySelector('#id_body').removeAttribute('maxlength')")
    page.fill("#id_body", long_text)
    page.wait_for_function("() => document.querySelector('input[name=altcha]').value !== ''")
    page.click("button.comment-submit")
    page.wait_for_selector(".form-error:not(:empty)")
    assert page.input_value("#id_body") == long_text
    assert Comment.objects.count() == 0
