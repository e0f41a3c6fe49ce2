"""The story editor in real Chromium: it fits a phone and passes axe in every state, for a
reporter and an editor; the toolbar's link, unlink, figure and direction controls write the
body the server keeps; counts and times are in the edition's digits; the notice of someone
else editing ends when they leave."""

import base64
import re

import pytest

from khabar.news.models import Article
from khabar.newsroom import actions
from khabar.newsroom.models import EditSession
from khabar.testing import PHONE_WIDTHS, axe_violations, open_page, overflow, session_cookie

pytestmark = [pytest.mark.django_db(transaction=True)]

LATIN_DIGIT = re.compile("[0-9]")
# The smallest GIF, served for the sample image address.
GIF = base64.b64decode("R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw==")
# The elements that stick out of the viewport, to say what a failed overflow check is about.
OUTSIDE = """() => [...document.querySelectorAll("body *")]
  .filter((e) => e.getBoundingClientRect().left < 0 || e.getBoundingClientRect().right > innerWidth)
  .slice(0, 8).map((e) => e.tagName + "." + e.className + "#" + e.id)"""


def log_in(context, user, live_server):
    context.clear_cookies()
    context.add_cookies([session_cookie(user, live_server)])


@pytest.fixture
def stories(draft, edition, section, reporter, editor):
    """A draft, a submitted and a published story of the reporter's."""
    submitted = actions.do_create(reporter, edition=edition, section=section,
                                  headline="خبر ينتظر المراجعة", body="<p>نص.</p>")  # fmt: skip
    actions.do_submit(reporter, submitted)
    published = actions.do_create(reporter, edition=edition, section=section,
                                  headline="خبر منشور", body="<p>نص منشور.</p>")  # fmt: skip
    actions.do_publish_now(editor, published)
    return {"draft": draft, "submitted": submitted, "published": published}


def editor_url(live_server, story):
    return f"{live_server.url}/desk/stories/{story.pk}/"


@pytest.mark.parametrize("role", ["reporter", "editor"])
def test_editor_fits_phones_and_passes_axe(context, live_server, stories, role, request,
                                           screenshot_dir):  # fmt: skip
    log_in(context, request.getfixturevalue(role), live_server)
    page = open_page(context)
    pages = {state: editor_url(live_server, story) for state, story in stories.items()}
    pages["new"] = f"{live_server.url}/desk/stories/new"
    for state, url in pages.items():
        for width in PHONE_WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(url)
            page.wait_for_selector("[data-editor]:not([hidden])")
            assert overflow(page) == 0, (state, width, page.evaluate(OUTSIDE))
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
                state,
                width,
            )
        page.screenshot(path=screenshot_dir / f"editor-{role}-{state}-412.png", full_page=True)
        page.set_viewport_size({"width": 1200, "height": 900})
        assert axe_violations(page) == [], (state, role)
    assert context.problems == []


def test_toolbar_is_not_shown_on_a_read_only_story(context, live_server, stories, reporter):
    log_in(context, reporter, live_server)
    page = open_page(context)
    page.goto(editor_url(live_server, stories["submitted"]))
    page.wait_for_selector("[data-editor]:not([hidden])")
    assert not page.locator(".nr-toolbar").is_visible()
    assert page.locator("[data-editor]").get_attribute("contenteditable") == "false"
    page.goto(editor_url(live_server, stories["draft"]))
    assert page.locator(".nr-toolbar").is_visible()


def select_text(page, text):
    """Select the first occurrence of text in the editor."""
    page.evaluate(
        """(text) => {
        const editor = document.querySelector("[data-editor]");
        const walker = document.createTreeWalker(editor, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
          const at = walker.currentNode.nodeValue.indexOf(text);
          if (at >= 0) {
            const range = document.createRange();
            range.setStart(walker.currentNode, at);
            range.setEnd(walker.currentNode, at + text.length);
            editor.focus();
            const selection = getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            return;
          }
        }
        throw new Error("not found: " + text);
    }""",
        text,
    )


def save(page):
    with page.expect_navigation():
        page.click("button[value=save]")


def test_link_and_unlink_without_a_prompt(context, live_server, draft, reporter):
    log_in(context, reporter, live_server)
    page = open_page(context)
    page.on("dialog", lambda dialog: context.problems.append("dialog: " + dialog.message))
    page.goto(editor_url(live_server, draft))
    select_text(page, "الأولى")
    page.click("[data-open=link]")
    assert page.evaluate("document.activeElement.id") == "link-url"
    assert page.get_attribute("[data-open=link]", "aria-expanded") == "true"
    page.click("[data-open=link]")  # the same button closes it, the selection is kept
    assert page.locator("#panel-link").is_hidden()
    assert page.get_attribute("[data-open=link]", "aria-expanded") == "false"
    page.click("[data-open=link]")
    page.fill("#link-url", "javascript:alert(1)")
    page.keyboard.press("Enter")  # refused, and the story is not submitted
    assert page.locator("[data-error=url]").is_visible()
    assert axe_violations(page) == []
    page.fill("#link-url", "https://example.org/report")
    page.keyboard.press("Enter")
    assert page.locator("#panel-link").is_hidden()
    save(page)
    body = Article.objects.get(pk=draft.pk).body
    assert re.search(r'<a href="https://example.org/report"[^>]*>الأولى</a>', body), body

    # The caret inside the link: "Remove link" takes the whole link away, the words stay.
    page.evaluate("""() => {
        const text = document.querySelector("[data-editor] a").firstChild;
        const range = document.createRange();
        range.setStart(text, 2);
        document.querySelector("[data-editor]").focus();
        getSelection().removeAllRanges();
        getSelection().addRange(range);
    }""")
    page.click("[data-unlink]")
    save(page)
    body = Article.objects.get(pk=draft.pk).body
    assert "<a" not in body and "الفقرة الأولى." in body
    assert context.problems == []


def test_figure_with_image_and_caption(context, live_server, draft, reporter, settings):
    # Images in bodies come from the site's library or from hosts allowed here (lib/html.py);
    # the Content-Security-Policy's img-src takes the same hosts.
    settings.KHABAR_IMAGE_HOSTS = ["example.org"]
    log_in(context, reporter, live_server)
    page = open_page(context)
    page.route("https://example.org/**", lambda route: route.fulfill(
        status=200, content_type="image/gif", body=GIF))  # fmt: skip
    page.goto(editor_url(live_server, draft))
    select_text(page, "الأولى")
    page.click("[data-open=figure]")
    page.fill("#figure-src", "https://example.org/bridge.jpg")
    page.click("#panel-figure [data-apply]")  # no description yet: refused
    assert page.locator("[data-error=alt]").is_visible()
    assert axe_violations(page) == []
    page.fill("#figure-alt", "الجسر المعلق فوق النهر")
    page.fill("#figure-caption", "الجسر بعد ترميمه")
    page.click("#panel-figure [data-apply]")
    save(page)
    body = Article.objects.get(pk=draft.pk).body
    assert body == (
        '<p>الفقرة الأولى.</p><figure><img src="https://example.org/bridge.jpg" '
        'alt="الجسر المعلق فوق النهر"><figcaption>الجسر بعد ترميمه</figcaption></figure>'
        "<p>الفقرة الثانية.</p>"
    )
    assert context.problems == []


def test_direction_and_language_of_a_passage(context, live_server, draft, reporter):
    from khabar.news.models import Article as A

    A.objects.filter(pk=draft.pk).update(
        body="<p>قال الوزير: the plan is ready today</p><p>الفقرة الثانية.</p>"
    )
    log_in(context, reporter, live_server)
    page = open_page(context)
    page.goto(editor_url(live_server, draft))
    # Some words of a paragraph: a span around them.
    select_text(page, "the plan is ready")
    page.click("[data-open=direction]")
    page.select_option("#direction-dir", "ltr")
    page.fill("#direction-lang", "en")
    page.click("#panel-direction [data-apply]")
    # The caret in a paragraph, nothing selected: the paragraph itself.
    select_text(page, "الثانية")
    page.evaluate("getSelection().collapseToStart()")
    page.click("[data-open=direction]")
    page.select_option("#direction-dir", "rtl")
    page.fill("#direction-lang", "not a code!")
    page.click("#panel-direction [data-apply]")
    assert page.locator("[data-error=lang]").is_visible()
    assert axe_violations(page) == []
    page.fill("#direction-lang", "ar")
    page.click("#panel-direction [data-apply]")
    url = editor_url(live_server, draft)  # the form, not the autosave heartbeat
    with page.expect_request(lambda r: r.method == "POST" and r.url == url) as posted:
        save(page)
    sent = posted.value.post_data_json
    expected = ('<p>قال الوزير: <span dir="ltr" lang="en">the plan is ready</span> today</p>'
                '<p dir="rtl" lang="ar">الفقرة الثانية.</p>')  # fmt: skip
    assert sent["body"] == expected
    assert context.problems == []


def test_direction_and_language_are_kept_in_the_story(context, live_server, draft, reporter):
    log_in(context, reporter, live_server)
    page = open_page(context)
    page.goto(editor_url(live_server, draft))
    select_text(page, "الثانية")
    page.evaluate("getSelection().collapseToStart()")
    page.click("[data-open=direction]")
    page.select_option("#direction-dir", "ltr")
    page.fill("#direction-lang", "en")
    page.keyboard.press("Enter")
    save(page)
    assert '<p dir="ltr" lang="en">الفقرة الثانية.</p>' in Article.objects.get(pk=draft.pk).body
    # Opened again, the editor keeps them.
    assert 'dir="ltr" lang="en"' in page.input_value("[data-body-source]")


def test_counts_and_times_in_the_editions_digits(context, live_server, draft, reporter, editor):
    actions.touch_edit_session(draft, editor)
    log_in(context, reporter, live_server)
    page = open_page(context)
    page.goto(editor_url(live_server, draft))
    page.fill("#id_headline", "عنوان من ٢٣ حرفاً تقريباً")
    page.locator("[data-editor]").click()
    page.keyboard.type(" كلمة")  # something to autosave
    page.wait_for_function(
        "() => document.querySelector('[data-presence]').textContent.includes('omar')"
    )
    page.wait_for_function(
        "() => document.querySelector('[data-presence]').textContent.length > 0 && "
        "/[٠-٩]{2}:[٠-٩]{2}:[٠-٩]{2}/.test(document.querySelector('[data-presence]').textContent)",
        timeout=20000,
    )
    for selector in ("[data-headline-hint]", "[data-word-count]", "[data-presence]", ".nr-meta"):
        text = page.locator(selector).inner_text()
        assert re.search("[٠-٩]", text) and not LATIN_DIGIT.search(text), (selector, text)


def test_presence_notice_ends_when_the_other_person_leaves(browser, live_server, draft, reporter,
                                                           editor):  # fmt: skip
    contexts = []
    pages = {}
    for user in (reporter, editor):
        context = browser.new_context(locale="ar-IQ")
        contexts.append(context)
        log_in(context, user, live_server)
        pages[user.username] = context.new_page()
    try:
        mine = pages["rana"]
        mine.goto(editor_url(live_server, draft))
        theirs = pages["omar"]
        theirs.goto(editor_url(live_server, draft))
        mine.reload()
        presence = mine.locator("[data-presence]")
        assert "omar" in presence.inner_text()
        theirs.close(run_before_unload=True)  # the tab closes: pagehide sends the beacon
        for _ in range(50):
            if not EditSession.objects.filter(user=editor).exists():
                break
            mine.wait_for_timeout(100)
        assert not EditSession.objects.filter(user=editor).exists()
        # The next heartbeat (every 15 seconds) clears the notice; run it now.
        mine.evaluate(
            "window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))"
        )
        mine.wait_for_function(
            "() => !document.querySelector('[data-presence]').textContent.includes('omar')"
        )
        # A save reloads the same story: that is not leaving.
        with mine.expect_navigation():
            mine.click("button[value=save]")
        assert EditSession.objects.filter(user=reporter).exists()
    finally:
        for context in contexts:
            context.close()
