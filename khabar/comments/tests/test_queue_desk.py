"""The moderation queue as a newsroom page: the newsroom's top bar, no link a moderator cannot
open, reasons in words, counts in the interface's digits, actions by keyboard that keep the
moderator's place, accessible (axe) and with targets big enough to tap."""

import pytest
from django.contrib.auth.models import User

from khabar.comments import rules
from khabar.comments.models import Comment
from khabar.comments.tests.test_phone_layout import TARGETS_JS
from khabar.testing import axe_violations, session_cookie


def held(article, body, reason="premoderation", **fields):
    comment = Comment.objects.create(article=article, name="قارئ", body=body, held_reason=reason,
                                     **fields)  # fmt: skip
    Comment.objects.filter(pk=comment.pk).update(root=comment, path=f"{comment.pk:012d}")
    return comment


@pytest.mark.django_db
def test_queue_and_editor_are_newsroom_pages_without_the_admin_link(client, moderator, article):
    comment = held(article, "تعليق")
    client.force_login(moderator)
    for url in ("/desk/comments/", f"/desk/comments/{comment.pk}/edit"):
        html = client.get(url).content.decode()
        assert 'class="nr-bar"' in html  # the newsroom's top bar
        assert 'action="/desk/logout/"' in html  # with log-out
        assert 'href="/admin/"' not in html  # a moderator cannot open the admin


@pytest.mark.django_db
def test_demo_comment_reason_is_in_words(client, moderator, article):
    held(article, "تعليق من المحتوى التجريبي", reason="demo")
    client.force_login(moderator)
    html = client.get("/desk/comments/").content.decode()
    reason = html[html.index('class="queue-reason"') :].split("</p>")[0]
    assert "تعليق نموذجي من المحتوى التجريبي" in reason
    assert "demo" not in reason


def test_hold_reasons_are_never_shown_as_codes():
    from django.utils import translation

    with translation.override("ar"):
        assert rules.describe_hold("no-captcha,demo") == (
            "أُرسل دون فحص مكافحة الرسائل المزعجة (من دون JavaScript، أو الموقع على HTTP بلا تشفير)"
            "، تعليق نموذجي من المحتوى التجريبي"
        )
        assert rules.describe_hold("from-a-later-version") == "سبب آخر"
    with translation.override("en"):
        assert rules.describe_hold("links,held-word") == (
            "contains many links, contains a held word"
        )
        assert rules.describe_hold("") == ""


@pytest.mark.django_db
def test_action_from_the_script_answers_with_states_and_counts(client, moderator, article):
    first, second = held(article, "أ"), held(article, "ب")
    client.force_login(moderator)
    response = client.post(
        "/desk/comments/?state=pending",
        {"action": "approve", "ids": [first.pk]},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    data = response.json()
    assert data["statuses"] == {str(first.pk): "approved"}
    assert data["counts"]["pending"] == "١" and data["counts"]["approved"] == "١"
    assert data["message"] == "تغيّرت حالة تعليق واحد."
    assert Comment.objects.get(pk=second.pk).status == "pending"


@pytest.mark.django_db
def test_queue_times_and_counts_in_the_interface_digits(client, moderator, article):
    for n in range(12):
        held(article, f"تعليق {n}")
    client.force_login(moderator)
    html = client.get("/desk/comments/").content.decode()
    assert 'data-count="pending">١٢</span>' in html
    times = html.split('<time datetime="')[1].split("</time>")[0].split(">")[1]
    assert times and not any(c in "0123456789" for c in times)


@pytest.fixture
def queue_page(browser, live_server, moderator, article):
    parent = Comment.objects.create(article=article, name="كاتب", body="تعليق أصلي منشور",
                                    status="approved")  # fmt: skip
    comments = [
        held(article, "الأول في القائمة، فيه رابط https://example.org/a", reason="links"),
        held(article, "الثاني في القائمة", reason="demo", parent=parent, depth=1),
        held(article, "الثالث في القائمة", reason="no-captcha,premoderation"),
    ]
    context = browser.new_context(locale="ar-IQ", viewport={"width": 1100, "height": 900})
    context.add_cookies([session_cookie(moderator, live_server)])
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.on("console", lambda msg: msg.type == "error" and page.problems.append(msg.text))
    page.goto(live_server.url + "/desk/comments/")
    page.comments = comments
    yield page
    context.close()


@pytest.mark.django_db(transaction=True)
def test_keyboard_approve_keeps_the_place(queue_page):
    page, (first, second, third) = queue_page, queue_page.comments
    page.evaluate("window.notReloaded = true")
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.dataset.id") == str(first.pk)
    page.keyboard.press("a")
    page.wait_for_selector(f"#queue-{first.pk}", state="detached")
    # No reload, and the focus is on the comment that came next.
    assert page.evaluate("window.notReloaded") is True
    assert page.evaluate("document.activeElement.dataset.id") == str(second.pk)
    assert page.locator("[data-count=pending]").inner_text() == "٢"
    assert Comment.objects.get(pk=first.pk).status == "approved"
    # r on the next one, then the last: focus goes on, and finally to "Nothing here."
    page.keyboard.press("r")
    page.wait_for_selector(f"#queue-{second.pk}", state="detached")
    assert page.evaluate("document.activeElement.dataset.id") == str(third.pk)
    page.keyboard.press("s")
    page.wait_for_selector(f"#queue-{third.pk}", state="detached")
    assert page.evaluate("document.activeElement.hasAttribute('data-queue-empty')")
    assert [c.status for c in Comment.objects.filter(pk__in=[second.pk, third.pk])
            .order_by("pk")] == ["rejected", "spam"]  # fmt: skip
    assert page.problems == []


@pytest.mark.django_db(transaction=True)
def test_a_button_acts_in_place_too(queue_page):
    page, (first, second, _third) = queue_page, queue_page.comments
    page.click(f"#queue-{first.pk} button[data-action=reject]")
    page.wait_for_selector(f"#queue-{first.pk}", state="detached")
    assert page.evaluate("document.activeElement.dataset.id") == str(second.pk)
    assert "تعليق واحد" in page.locator("[data-queue-status]").inner_text()


@pytest.mark.django_db(transaction=True)
def test_queue_passes_axe_and_every_target_can_be_tapped(queue_page):
    page = queue_page
    assert axe_violations(page) == []
    for width in (1100, 390):
        page.set_viewport_size({"width": width, "height": 900})
        targets = page.eval_on_selector(".mod-queue", TARGETS_JS)
        assert len(targets) > 10
        assert [t for t in targets if t["width"] < 24 or t["height"] < 24] == []
        # Nothing of the queue's own sticks out of a phone's screen.
        outside = page.evaluate("""() => Array.from(document.querySelectorAll('.mod-queue *'))
          .filter(el => { const r = el.getBoundingClientRect();
            return r.width && (r.left < -0.5 || r.right > window.innerWidth + 0.5); })
          .map(el => el.outerHTML.slice(0, 80))""")
        assert outside == []
    assert axe_violations(page) == []


@pytest.mark.django_db(transaction=True)
def test_comment_editor_passes_axe(browser, live_server, moderator, article):
    comment = held(article, "نص يحتاج إلى تصحيح")
    context = browser.new_context(locale="ar-IQ")
    context.add_cookies([session_cookie(moderator, live_server)])
    page = context.new_page()
    page.goto(live_server.url + f"/desk/comments/{comment.pk}/edit")
    assert axe_violations(page) == []
    context.close()


@pytest.mark.django_db
def test_staff_still_reach_the_admin_from_the_top_bar(client, article):
    admin = User.objects.create_superuser("chief", "chief@example.org", "x")
    client.force_login(admin)
    assert 'href="/admin/"' in client.get("/desk/comments/").content.decode()
