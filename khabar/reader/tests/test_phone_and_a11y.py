"""Every reader page type, in the Arabic, Persian and English editions, in real Chromium: none
scrolls sideways on a phone (a sideways scroll makes a tap land on the wrong element), none has
an axe-core violation at any impact, each has one h1 and a meta description, and the section
navigation shows every section whole."""

import html5lib
import pytest
from django.test import Client

from khabar.reader.tests.editions import EDITIONS, build, build_all
from khabar.testing import PHONE_WIDTHS, axe_violations

LOCALES = {"ar": "ar-IQ", "fa": "fa-IR", "en": "en-GB"}

# The elements that stick out of the viewport, outermost first, for a failure message that
# names the culprit rather than only the width.
CULPRITS_JS = """() => {
  // Only the side the page can scroll to: the left in a right-to-left page, else the right.
  const width = window.innerWidth, rtl = document.dir === 'rtl', out = [];
  const sticksOut = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && (rtl ? box.left < -0.5 : box.right > width + 0.5);
  };
  for (const el of document.body.querySelectorAll('*')) {
    if (!sticksOut(el) || sticksOut(el.parentElement)) continue;
    const classes = typeof el.className === 'string' ? el.className.trim().split(/ +/) : [];
    out.push([el.tagName.toLowerCase() + (el.id ? '#' + el.id : ''), ...classes].join('.')
             + ' ' + Math.round(el.getBoundingClientRect().width) + 'px'
             + (el.closest('#comments') ? ' (in #comments)' : ''));
  }
  return out.slice(0, 6);
}"""

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_page(browser, live_server):
    """open_page(code, path, width) -> a page of the edition's language at that width, with
    its comments region loaded where it has one."""
    contexts = {}

    def open_(code, path, width=1280):
        if code not in contexts:
            contexts[code] = browser.new_context(locale=LOCALES[code])
        context = contexts[code]
        page = context.pages[0] if context.pages else context.new_page()
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + path)
        if page.locator("[data-comments-src]").count():
            page.wait_for_selector("#comment-form")  # the script has put the region in place
        return page

    yield open_
    for context in contexts.values():
        context.close()


@pytest.mark.parametrize("code", EDITIONS)
def test_no_reader_page_scrolls_sideways_on_a_phone(open_page, code, screenshot_dir):
    built = build_all()[code]
    wide = []
    for width in PHONE_WIDTHS:
        for name, path in built.pages().items():
            page = open_page(code, path, width)
            scroll_width, inner_width = page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            if scroll_width > inner_width:
                culprits = ", ".join(page.evaluate(CULPRITS_JS))
                wide.append(f"{name} at {width}px is {scroll_width}px wide: {culprits}")
            if width == 390 and name in ("front", "article", "search"):
                shot = screenshot_dir / f"reader-{code}-{name}-390.png"
                page.screenshot(path=shot, full_page=True)
    assert wide == [], "\n".join(wide)


@pytest.mark.parametrize("code", EDITIONS)
def test_axe_finds_nothing_on_any_reader_page(open_page, code):
    built = build_all()[code]
    found = []
    for width in (1280, 390):
        for name, path in built.pages().items():
            page = open_page(code, path, width)
            found += [f"{name} at {width}px: {v}" for v in axe_violations(page)]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("code", EDITIONS)
def test_section_navigation_shows_every_section_whole_at_390(open_page, code):
    built = build_all()[code]
    page = open_page(code, built.pages()["front"], 390)
    links = page.locator(".sections a")
    assert links.count() == len(EDITIONS[code]["sections"])
    nav = page.locator(".sections ul").bounding_box()
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        name = links.nth(i).inner_text()
        # Whole: inside the viewport and inside the navigation, not clipped by its edge.
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, name
        assert nav["x"] - 0.5 <= box["x"], name
        assert box["x"] + box["width"] <= nav["x"] + nav["width"] + 0.5, name
        # On one line: a section's name does not break in the middle.
        assert box["height"] < 2 * page.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('.sections a')).lineHeight)"
        ), name
    if code == "ar":
        assert "علوم وتقنية" in page.locator(".sections").inner_text()


def _page_facts(html: str) -> dict:
    document = html5lib.HTMLParser(namespaceHTMLElements=False).parse(html)
    description = document.find("head/meta[@name='description']")
    return {
        "h1": len(list(document.iter("h1"))),
        "description": "" if description is None else description.get("content", "").strip(),
        "search_labels": [
            form.get("aria-label") for form in document.iter("form") if form.get("role") == "search"
        ],
    }


@pytest.mark.parametrize("code", EDITIONS)
def test_every_reader_page_has_one_h1_a_description_and_named_search_landmarks(code):
    built = build(code)
    client = Client()
    for name, path in built.pages().items():
        response = client.get(path)
        assert response.status_code == (404 if name == "404" else 200), name
        facts = _page_facts(response.content.decode())
        assert facts["h1"] == 1, name
        if name != "404":
            assert facts["description"], name
        labels = facts["search_labels"]
        assert all(labels) and len(set(labels)) == len(labels), (name, labels)
