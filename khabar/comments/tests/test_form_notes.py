"""What the comment form says about the anti-spam check: one note, never two that contradict
each other, and no failure message where the check cannot run (no JavaScript, plain HTTP)."""

import re

import pytest

from khabar.news.models import CommentMode

REVIEWED = "سيراجع مشرف تعليقك قبل أن يظهر."
# Words only the notes about the check or about moderation use.
NOTE_WORDS = ("مشرف", "JavaScript", "برنامج", "التحقق", "عملية حسابية")


def notes_in(html: str) -> list[str]:
    """The form's sentences (paragraphs, noscript included) that speak of the check or of review."""
    start = html.index('<form class="comment-form"')
    form = html[start : html.index("</form>", start)]
    paragraphs = re.findall(r"<p\b([^>]*)>(.*?)</p>", form, flags=re.S)
    return [
        text.strip()
        for attributes, text in paragraphs
        if not re.search(r"\bhidden\b", attributes) and any(word in text for word in NOTE_WORDS)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("mode", [CommentMode.PREMODERATED, CommentMode.OPEN])
def test_page_without_javascript_has_one_note(client, article, mode):
    article.comment_mode = mode
    article.save()
    for url in (f"/ar/comments/{article.news_code}", f"/ar/comments/{article.news_code}?partial=1"):
        html = client.get(url).content.decode()
        assert "<noscript" not in html
        assert notes_in(html) == [REVIEWED]


def visible_notes(page) -> list[str]:
    return page.eval_on_selector_all(
        "#comment-form p",
        """(ps) => ps.filter(p => p.offsetParent !== null && p.innerText.trim())
                   .map(p => p.innerText.trim())""",
    )


@pytest.mark.django_db(transaction=True)
def test_browser_without_javascript_shows_one_note(browser, live_server, article):
    context = browser.new_context(java_script_enabled=False, locale="ar-IQ")
    page = context.new_page()
    page.goto(live_server.url + f"/ar/comments/{article.news_code}")
    notes = [n for n in visible_notes(page) if any(w in n for w in NOTE_WORDS)]
    assert notes == [REVIEWED]
    context.close()


@pytest.mark.django_db(transaction=True)
def test_insecure_context_says_once_that_a_moderator_reviews(browser, live_server, article):
    """Plain HTTP under a public name: browsers give crypto.subtle only to secure contexts
    (HTTPS, localhost), and the test server is on localhost, so the page is made to look like
    the insecure case by removing crypto.subtle and isSecureContext before any script runs."""
    context = browser.new_context(locale="ar-IQ")
    context.add_init_script(
        "Object.defineProperty(window, 'isSecureContext', {value: false});"
        "Object.defineProperty(Crypto.prototype, 'subtle', {get: () => undefined});"
    )
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(live_server.url + article.get_absolute_url())
    page.wait_for_selector("#comment-form[data-ready]")
    assert [n for n in visible_notes(page) if any(w in n for w in NOTE_WORDS)] == [REVIEWED]
    # The reader starts writing: the challenge endpoint answers (the CSRF token for sending),
    # and the note stays as it was.
    page.focus("#id_name")
    page.wait_for_function("() => document.querySelector('input[name=started]').value !== ''")
    notes = [n for n in visible_notes(page) if any(w in n for w in NOTE_WORDS)]
    assert notes == [REVIEWED]
    assert "تعذّر" not in page.locator("#comment-form").inner_text()  # no failure message
    # The comment is still sent, and goes to a moderator.
    page.fill("#id_name", "قارئ على اتصال غير آمن")
    page.fill("#id_body", "تعليق من صفحة لا تعمل فيها عملية التحقق.")
    page.click("button.comment-submit")
    page.wait_for_selector(".sent-note")
    from khabar.comments.models import Comment

    comment = Comment.objects.get()
    assert comment.status == "pending" and "no-captcha" in comment.held_reason
    assert problems == []
    context.close()


@pytest.mark.django_db(transaction=True)
def test_secure_context_runs_the_check_and_notes_premoderation(browser, live_server, article):
    context = browser.new_context(locale="ar-IQ")
    page = context.new_page()
    page.goto(live_server.url + article.get_absolute_url())
    page.wait_for_selector("#comment-form[data-ready]")
    page.focus("#id_body")  # the check runs once the reader starts writing
    page.wait_for_function("() => document.querySelector('input[name=altcha]').value !== ''")
    notes = [n for n in visible_notes(page) if any(w in n for w in NOTE_WORDS)]
    # The check's result, then the story's pre-moderation; not "reviewed because no check".
    assert len(notes) == 2 and REVIEWED not in notes
    assert "تُنشر التعليقات بعد أن يراجعها مشرف." in notes
    context.close()
