"""A page view asks the server for nothing a cache cannot answer: the captcha challenge and the
reader's CSRF token are fetched when the reader starts writing, in real Chromium."""

import pytest

from khabar.comments.models import Comment

pytestmark = [pytest.mark.django_db(transaction=True)]

SOLVED = "() => document.querySelector('input[name=altcha]').value !== ''"


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ar-IQ", viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.on("console", lambda msg: msg.type == "error" and page.problems.append(msg.text))
    page.sent = []
    page.on("request", lambda request: page.sent.append(request.url))
    yield page
    context.close()


def challenges(page) -> list[str]:
    return [url for url in page.sent if url.split("?")[0].endswith("/challenge")]


def test_a_page_view_fetches_no_challenge_and_writing_does(page, live_server, article):
    page.goto(live_server.url + article.get_absolute_url())
    page.wait_for_selector("#comment-form[data-ready]")
    page.wait_for_load_state("networkidle")
    assert challenges(page) == []
    # Nor a CSRF cookie: nothing in the visit is the reader's own.
    assert not [c for c in page.context.cookies() if c["name"] == "csrftoken"]

    page.focus("#id_body")
    page.wait_for_function(SOLVED)
    assert len(challenges(page)) == 1
    page.fill("#id_name", "قارئة")
    page.fill("#id_body", "تعليق يُرسل بعد أن بدأت الكتابة.")
    assert len(challenges(page)) == 1  # once per comment, not per field or keystroke
    page.click("button.comment-submit")
    page.wait_for_selector(".sent-note")
    comment = Comment.objects.get()
    assert comment.body == "تعليق يُرسل بعد أن بدأت الكتابة." and comment.solved_captcha
    assert page.problems == []
