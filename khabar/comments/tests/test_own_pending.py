"""A reader's own comment awaiting review stays in view for them after a reload, from the signed
value that identified it when it was sent, until a moderator approves or rejects it; the
region itself stays the same bytes for every reader."""

import pytest
from django.core import signing

from khabar.comments import actions
from khabar.comments.models import Comment
from khabar.comments.views import SENT_SALT


def own_url(article, *tokens):
    query = "&".join(f"sent={t}" for t in tokens)
    return f"/ar/comments/{article.news_code}/own?{query}"


@pytest.mark.django_db
def test_sending_gives_the_writer_a_signed_value(post_comment, article):
    data = post_comment(article).json()
    assert data["status"] == "pending"
    assert signing.loads(data["sent"], salt=SENT_SALT) == data["id"]


@pytest.mark.django_db
def test_own_returns_pending_comments_only_while_they_wait(client, post_comment, article,
                                                          moderator):  # fmt: skip
    first, second = post_comment(article).json(), post_comment(article, body="رأي آخر").json()
    response = client.get(own_url(article, first["sent"], second["sent"], "forged:value"))
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]
    items = response.json()["pending"]
    assert [i["id"] for i in items] == [first["id"], second["id"]]
    assert "بانتظار المراجعة" in items[0]["html"]  # marked as awaiting review
    assert f'id="comment-{first["id"]}"' in items[0]["html"]

    actions.do_approve(Comment.objects.get(pk=first["id"]), moderator)
    actions.do_reject(Comment.objects.get(pk=second["id"]), moderator)
    assert client.get(own_url(article, first["sent"], second["sent"])).json()["pending"] == []


@pytest.mark.django_db
def test_own_is_bound_to_the_story(client, post_comment, article, make_article):
    sent = post_comment(article).json()["sent"]
    other = make_article("خبر آخر")
    assert client.get(own_url(other, sent)).json()["pending"] == []


@pytest.mark.django_db
def test_a_pending_reply_says_whom_it_answers(client, post_comment, article):
    root = post_comment(article, body="تعليق أول").json()
    actions.do_approve(Comment.objects.get(pk=root["id"]), None)
    reply = post_comment(article, body="رد عليه", parent=str(root["id"])).json()
    item = client.get(own_url(article, reply["sent"])).json()["pending"][0]
    assert item["parent"] == root["id"]
    assert "<bdi>قارئ</bdi>" in item["html"]


@pytest.mark.django_db
def test_the_region_stays_the_same_for_every_reader(client, post_comment, article):
    before = client.get(f"/ar/comments/{article.news_code}?partial=1")
    post_comment(article)  # the writer's client now has cookies; pending changes nothing public
    after = client.get(f"/ar/comments/{article.news_code}?partial=1")
    assert before.content == after.content
    assert "public" in after["Cache-Control"]


@pytest.mark.django_db(transaction=True)
def test_pending_comment_survives_a_reload(browser, live_server, article, moderator):
    context = browser.new_context(locale="ar-IQ", viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(live_server.url + article.get_absolute_url())
    page.wait_for_selector("#comment-form[data-ready]")
    page.fill("#id_name", "سلمى")
    page.fill("#id_body", "تعليقي الذي ينتظر المراجعة.")
    page.wait_for_function("() => document.querySelector('input[name=altcha]').value !== ''")
    page.click("button.comment-submit")
    page.wait_for_selector(".sent-note")
    comment = Comment.objects.get()

    page.reload()
    mine = page.locator(f"#comment-{comment.pk}")
    mine.wait_for()
    assert "تعليقي الذي ينتظر المراجعة." in mine.inner_text()
    assert "بانتظار المراجعة" in mine.locator(".comment-badge.is-pending").inner_text()

    # Another reader (another browser) does not see it.
    other = browser.new_context(locale="ar-IQ").new_page()
    other.goto(live_server.url + article.get_absolute_url())
    other.wait_for_selector("#comment-form[data-ready]")
    assert other.locator(f"#comment-{comment.pk}").count() == 0
    other.context.close()

    # Approved: it is in the thread, once, without the mark.
    actions.do_approve(comment, moderator)
    page.reload()
    page.wait_for_selector(f"#comment-{comment.pk}")
    page.wait_for_load_state("networkidle")
    assert page.locator(f"#comment-{comment.pk}").count() == 1
    assert page.locator(".comment-badge.is-pending").count() == 0
    stored = page.evaluate("localStorage.getItem('khabar-own-comments')")
    assert stored == "{}"
    context.close()


@pytest.mark.django_db(transaction=True)
def test_rejected_comment_is_gone_after_a_reload(browser, live_server, article, moderator):
    context = browser.new_context(locale="ar-IQ")
    page = context.new_page()
    page.goto(live_server.url + article.get_absolute_url())
    page.wait_for_selector("#comment-form[data-ready]")
    page.fill("#id_name", "زائر")
    page.fill("#id_body", "تعليق سيُرفض.")
    page.wait_for_function("() => document.querySelector('input[name=altcha]').value !== ''")
    page.click("button.comment-submit")
    page.wait_for_selector(".sent-note")
    actions.do_reject(Comment.objects.get(), moderator)
    page.reload()
    page.wait_for_selector("#comment-form[data-ready]")
    page.wait_for_load_state("networkidle")
    assert page.locator("li.comment").count() == 0
    assert page.evaluate("localStorage.getItem('khabar-own-comments')") == "{}"
    context.close()
