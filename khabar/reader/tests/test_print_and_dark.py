"""Reader pages on paper and in dark mode, in real Chromium.

Printed, a page drops what only works on a screen (search box, navigation, comment form) and
prints the story's short link in full. With the reader's system in dark mode, the pages turn
dark with text, muted text and links at WCAG AA contrast (4.5:1) or better; the newsroom, which
loads the same sheet, stays light; and paper stays black on white."""

import pytest

from khabar.reader.tests.editions import EDITIONS, build_all
from khabar.testing import axe_violations

pytestmark = [pytest.mark.django_db(transaction=True)]

LOCALES = {"ar": "ar-IQ", "fa": "fa-IR", "en": "en-GB"}

# WCAG 2.x contrast of an element's text against the first opaque background behind it.
CONTRAST_JS = """(el) => {
  const rgb = (css) => css.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => {
    const lin = (c) => (c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  let back = el, paint = 'rgba(0, 0, 0, 0)';
  while (back) {
    paint = getComputedStyle(back).backgroundColor;
    const parts = rgb(paint);
    if (parts.length < 4 || parts[3] > 0) break;
    back = back.parentElement;
  }
  if (!back) paint = 'rgb(255, 255, 255)';  // the canvas
  const [a, b] = [luminance(rgb(getComputedStyle(el).color)), luminance(rgb(paint))];
  return {ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05), background: b};
}"""

BODY_COLOURS = "['color', 'backgroundColor'].map((p) => getComputedStyle(document.body)[p])"

# On every page: body text, muted text and a link in the content; then what each page adds.
CHECKED = {
    "front": ["main", ".story-item-meta", "main .story-link", ".tagline", ".sections a"],
    "section": ["main h1", ".story-item-lead", ".story-item-meta", ".site-footer a"],
    "tag": ["main h1", ".list-kind", ".search-form button", "#tag-q"],
    "article": [".story-body", ".story-meta", ".story-meta a", ".story-lead", ".story-byline",
                ".story-corrections", ".end-marker", ".news-code a", ".story-tags a"],
    "search": ["main h1", "mark", ".story-item-meta", ".search-form button", "#search-q",
               ".search-form label"],
    "comments": ["main h1", "main h1 a", ".comment-author", ".comment-body", ".comment-head"],
    "corrections": ["main .story-link", ".story-item-meta", ".corrections-list p"],
    "404": ["main h1", "main p", "main a", ".site-footer"],
}  # fmt: skip


@pytest.fixture
def editions(transactional_db):
    return build_all()


@pytest.fixture
def new_page(browser):
    contexts = []

    def new(code, **options):
        context = browser.new_context(locale=LOCALES[code], **options)
        contexts.append(context)
        page = context.new_page()
        page.problems = []
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        return page

    yield new
    for context in contexts:
        context.close()


def open_(page, url):
    page.goto(url)
    if page.locator("[data-comments-src]").count():
        # The script has put the region in place (hidden when printed).
        page.wait_for_selector("#comment-form", state="attached")


@pytest.mark.parametrize("code", EDITIONS)
def test_printed_article_drops_screen_parts_and_prints_the_short_link(
    new_page, live_server, editions, code
):
    built = editions[code]
    page = new_page(code, viewport={"width": 800, "height": 1000})
    open_(page, live_server.url + built.pages()["article"])
    screen_only = [".header-search", "nav.sections", "#comment-form"]
    short_link = page.locator(".print-link")
    # On screen all is there but the printed link, which the news code line already offers.
    assert all(page.locator(selector).is_visible() for selector in screen_only)
    assert not short_link.is_visible()

    page.emulate_media(media="print")
    assert [s for s in screen_only if page.locator(s).is_visible()] == []
    assert short_link.is_visible()
    address = f"{live_server.url}/news/{built.article.news_code}"
    assert address in short_link.inner_text()
    assert page.locator(".story-headline").is_visible()
    assert page.locator(".story-body").is_visible()
    assert page.problems == []


def test_printed_comments_and_search_pages_drop_their_forms(new_page, live_server, editions):
    built = editions["ar"]
    page = new_page("ar")
    page.emulate_media(media="print")
    open_(page, live_server.url + built.pages()["comments"])
    assert not page.locator("#comment-form").is_visible()
    assert page.locator("h1").is_visible()
    assert page.locator(".comment-body").first.is_visible()  # the comments themselves print
    assert address_printed(page, live_server, built)
    open_(page, live_server.url + built.pages()["search"])
    assert not page.locator(".search-form").is_visible()
    assert not page.locator(".header-search").is_visible()
    assert page.locator(".story-item").first.is_visible()


def address_printed(page, live_server, built):
    link = page.locator(".print-link")
    address = f"{live_server.url}/news/{built.article.news_code}"
    return link.is_visible() and address in link.inner_text()


def test_paper_stays_black_on_white_in_dark_mode(new_page, live_server, editions):
    page = new_page("ar", color_scheme="dark")
    page.emulate_media(media="print", color_scheme="dark")
    open_(page, live_server.url + editions["ar"].pages()["article"])
    assert page.evaluate(BODY_COLOURS) == ["rgb(0, 0, 0)", "rgb(255, 255, 255)"]


@pytest.mark.parametrize("code", EDITIONS)
def test_dark_mode_keeps_aa_contrast(new_page, live_server, editions, code, screenshot_dir):
    built = editions[code]
    page = new_page(code, color_scheme="dark", viewport={"width": 1280, "height": 900})
    weak, missing = [], []
    for name, selectors in CHECKED.items():
        open_(page, live_server.url + built.pages()[name])
        # The page did turn dark: light text on a dark background.
        body = page.locator("body").element_handle()
        assert page.evaluate(CONTRAST_JS, body)["background"] < 0.05, name
        for selector in selectors:
            element = page.locator(selector).first
            if not element.count():
                missing.append(f"{name}: {selector}")
                continue
            ratio = page.evaluate(CONTRAST_JS, element.element_handle())["ratio"]
            if ratio < 4.5:
                weak.append(f"{name}: {selector} {ratio:.2f}")
        if name in ("front", "article"):
            page.screenshot(path=screenshot_dir / f"reader-dark-{code}-{name}.png", full_page=True)
    assert missing == []
    assert weak == []


@pytest.mark.parametrize("code", EDITIONS)
def test_axe_finds_nothing_in_dark_mode(new_page, live_server, editions, code):
    page = new_page(code, color_scheme="dark", viewport={"width": 1280, "height": 900})
    found = []
    for name, path in editions[code].pages().items():
        open_(page, live_server.url + path)
        found += [f"{name}: {v}" for v in axe_violations(page)]
    assert found == [], "\n".join(found)


def test_newsroom_pages_stay_light_in_dark_mode(new_page, live_server, editions):
    # The newsroom's base template marks <html class="desk">; the reader's sheet then keeps
    # the light palette whatever the system setting.
    page = new_page("ar", color_scheme="dark")
    open_(page, live_server.url + editions["ar"].pages()["front"])
    assert page.evaluate(BODY_COLOURS)[1] != "rgb(255, 255, 255)"
    page.evaluate("document.documentElement.classList.add('desk')")
    assert page.evaluate(BODY_COLOURS) == ["rgb(27, 27, 31)", "rgb(255, 255, 255)"]
    assert page.evaluate("getComputedStyle(document.documentElement).colorScheme") == "light"
