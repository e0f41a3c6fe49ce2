"""The comments region on phones and in dark mode, in real Chromium: it never makes the page
wider than the screen, every link and button is big enough to tap, and its colours follow the
reader's dark palette with readable contrast."""

import pytest

from khabar.comments.models import Comment
from khabar.comments.tests.test_region import approved
from khabar.testing import PHONE_WIDTHS, overflow

pytestmark = [pytest.mark.django_db(transaction=True)]

# Links and buttons a reader taps. Links inside a comment's own text are part of a sentence
# (WCAG 2.5.8 exempts inline targets); the honeypot field is never shown.
TARGETS_JS = """(root) => Array.from(root.querySelectorAll(
    'a[href], button, input:not([type=hidden]), textarea, select, summary'))
  .filter(el => !el.closest('.comment-body, .field-website'))
  .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
  .map(el => { const r = el.getBoundingClientRect();
    return {what: el.outerHTML.slice(0, 80), width: r.width, height: r.height}; })"""

# What sticks out of the screen (to the left in a right-to-left page), to say what overflowed.
WIDEST_JS = """() => Array.from(document.querySelectorAll('body *'))
  .filter(el => { const r = el.getBoundingClientRect();
    return r.width && (r.left < -0.5 || r.right > window.innerWidth + 0.5); })
  .map(el => el.outerHTML.slice(0, 90)).slice(-4)"""


LONG_NAME = "عبد_الرحمن_محمد_الحسيني_البغدادي_من_الكرخ_القديمة"


@pytest.fixture
def thread(article, settings):
    """Two pages of comments, one with more replies than are shown, one featured."""
    settings.KHABAR_COMMENT_PAGE_SIZE = 3
    settings.KHABAR_COMMENT_REPLIES_SHOWN = 1
    first = approved(article, "تعليق أول على الخبر، ومعه رابط https://example.org/page للاطلاع.")
    approved(article, "رد أول على التعليق.", parent=first)
    approved(article, "رد ثانٍ على التعليق.", parent=first)
    others = [approved(article, f"تعليق رقم {n} يضيف رأيًا آخر في الموضوع.") for n in range(3)]
    Comment.objects.filter(pk=others[0].pk).update(featured=True)
    # A name without a break opportunity, shown in the thread and in "you are replying to".
    Comment.objects.filter(pk=first.pk).update(name=LONG_NAME)
    from khabar.comments.actions import _touch_article

    _touch_article(article.pk)
    return first


def open_region(browser, live_server, url, width, **options):
    context = browser.new_context(locale="ar-IQ", viewport={"width": width, "height": 800},
                                  **options)  # fmt: skip
    page = context.new_page()
    page.goto(live_server.url + url)
    page.wait_for_selector("#comment-form[data-ready]")
    # The page around the region (masthead, search box) is held by the reader pages' own width
    # tests; left out here so that this test speaks of the region alone.
    # (Through the element's style, not a <style> tag: the page's policy refuses inline CSS.)
    page.evaluate("document.querySelectorAll('.masthead').forEach(e => e.style.display = 'none')")
    return context, page


def test_region_fits_phones_with_every_part_open(browser, live_server, article, thread):
    for url in (article.get_absolute_url(), f"/ar/comments/{article.news_code}"):
        for width in PHONE_WIDTHS:
            context, page = open_region(browser, live_server, url, width)
            assert overflow(page) == 0, (url, width, page.evaluate(WIDEST_JS))
            # The reply form inside the thread, with its "you are replying to" box.
            page.click(f"#comment-{thread.pk} .comment-reply")
            page.wait_for_selector("[data-replying-to]:not([hidden])")
            page.fill("#id_name", "اسم طويل جدًا لقارئ يكتب من هاتف صغير الشاشة")
            assert overflow(page) == 0, (url, width, "reply", page.evaluate(WIDEST_JS))
            context.close()


def test_every_target_in_the_region_is_big_enough_to_tap(browser, live_server, article, thread):
    context, page = open_region(browser, live_server, article.get_absolute_url(), 390)
    page.click(f"#comment-{thread.pk} .comment-reply")
    page.wait_for_selector("[data-replying-to]:not([hidden])")
    targets = page.eval_on_selector("#comments", TARGETS_JS)
    kinds = " ".join(t["what"] for t in targets)
    # The ones the issue names are among those measured.
    for needle in ("comment-reply", "cancel-reply", "more-replies", "more-comments",
                   "data-comments-load", "checkbox", "comment-submit"):  # fmt: skip
        assert needle in kinds, needle
    small = [t for t in targets if t["width"] < 24 or t["height"] < 24]
    assert small == []
    context.close()


# WCAG contrast of an element's text against the first opaque background behind it.
CONTRAST_JS = """(selector) => {
  function rgb(s) { const m = s.match(/[0-9.]+/g).map(Number);
    return m.length > 3 && m[3] === 0 ? null : m; }
  function lum(c) { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; }
  function background(el) { for (; el; el = el.parentElement) {
    const c = rgb(getComputedStyle(el).backgroundColor); if (c) return c; }
    return [255, 255, 255]; }
  const el = document.querySelector(selector);
  const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(background(el))];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def test_region_follows_dark_mode(browser, live_server, article, thread):
    context, page = open_region(browser, live_server, article.get_absolute_url(), 1000,
                                color_scheme="dark")  # fmt: skip
    # The reader stylesheet's own dark palette (prefers-color-scheme), as a reader gets it.
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(255, 255, 255)"
    # Nothing in the region stays light on the dark page.
    light = page.evaluate("""() => Array.from(document.querySelectorAll('#comments *'))
      .filter(el => getComputedStyle(el).backgroundColor === 'rgb(255, 255, 255)')
      .map(el => el.outerHTML.slice(0, 60))""")
    assert light == []
    page.fill("#id_body", "نص")
    for selector in ("#id_body", "#id_name", ".comment-form label", ".captcha-status",
                     ".comment-author", ".comment-time", ".comment.is-featured .comment-body",
                     ".comment-reply", "button.comment-submit", ".char-count"):  # fmt: skip
        ratio = page.evaluate(CONTRAST_JS, selector)
        assert ratio >= 4.5, (selector, ratio)
    context.close()
