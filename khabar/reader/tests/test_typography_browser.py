"""Each edition's article page draws its headline and its body paragraphs from one font each,
the right one for the edition's script, in real Chromium: asked through the DevTools protocol
(CSS.getPlatformFontsForNode), which reports the platform fonts that actually drew a node's
text, not what the style sheet asked for.

A font stack that starts with a face lacking the page's script draws a paragraph glyph by
glyph from several fonts: an English sentence under an Arabic-first stack takes its spaces and
full stop from the Arabic face and its letters from whatever comes next. The expected families
are those of Debian's fonts-noto-core, which CI installs with Chromium; Persian accepts
Vazirmatn too, first in its stack, where a machine has it.

A passage marked with another language (the editor's direction control sets `lang`) takes that
language's stack, so an English paragraph in an Arabic story is drawn in one Latin face."""

import pytest

from khabar.news.models import Edition
from khabar.reader.tests.editions import EDITIONS, build
from khabar.testing import overflow

pytestmark = [pytest.mark.django_db(transaction=True)]

LOCALES = {"ar": "ar-IQ", "fa": "fa-IR", "en": "en-GB"}

# The faces each edition's headline (sans, as the rest of the page's interface) and body text
# are drawn from: Naskh for reading Arabic, a Persian sans for Persian, Latin for English.
PERSIAN = {"Vazirmatn", "Noto Sans Arabic"}
EXPECTED = {
    "ar": {"headline": {"Noto Sans Arabic"}, "body": {"Noto Naskh Arabic"}},
    "fa": {"headline": PERSIAN, "body": PERSIAN},
    "en": {"headline": {"Noto Sans"}, "body": {"Noto Serif"}},
}  # fmt: skip

# A passage in another language inside each story, as the editor marks it, and the face it
# should be drawn from whatever the edition.
FOREIGN = {
    "ar": ('<p dir="ltr" lang="en">The dean said the laboratory would open to schools in '
           "the autumn.</p>", {"Noto Serif"}),
    "fa": ('<p dir="ltr" lang="en">The dean said the laboratory would open to schools in '
           "the autumn.</p>", {"Noto Serif"}),
    "en": ('<p dir="rtl" lang="ar">وقال العميد إن المختبر سيفتح أبوابه لطلبة المدارس في '
           "الخريف.</p>", {"Noto Naskh Arabic"}),
}  # fmt: skip

# An English name inside a paragraph of each right-to-left story, marked as a span.
NAMED = {
    "ar": '<p>ونقلت وكالة <span lang="en" dir="ltr">Reuters</span> الخبر عن الجامعة.</p>',
    "fa": '<p>خبرگزاری <span lang="en" dir="ltr">Reuters</span> این خبر را از دانشگاه نقل کرد.</p>',
}


def story_for(code):
    """The edition's story of editions.py, with a paragraph in another language added and, for
    the English edition, the locale the issue names (en_GB)."""
    built = build(code)
    if code == "en":
        Edition.objects.filter(pk=built.edition.pk).update(locale="en_GB")
    article = built.article
    article.body = article.body + FOREIGN[code][0] + NAMED.get(code, "")
    article.save()
    return article


def platform_fonts(page, selector):
    """{family: glyphs} of the platform fonts that drew the text of the node `selector`
    matches, its descendants' included."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        assert node, f"nothing matches {selector}"
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    finally:
        cdp.detach()
    return {font["familyName"]: font["glyphCount"] for font in fonts}


@pytest.fixture
def new_page(browser):
    contexts = []

    def new(code, width):
        context = browser.new_context(
            locale=LOCALES[code], viewport={"width": width, "height": 900}
        )
        contexts.append(context)
        page = context.new_page()
        page.fonts_requested = []
        page.on(
            "request",
            lambda request: (
                request.resource_type == "font" and page.fonts_requested.append(request.url)
            ),
        )
        return page

    yield new
    for context in contexts:
        context.close()


def drawn_from(page, selector):
    fonts = platform_fonts(page, selector)
    assert fonts, f"no text drawn in {selector}"
    return fonts


@pytest.mark.parametrize("code", EDITIONS)
def test_headline_and_paragraphs_are_each_drawn_from_one_font_of_the_editions_script(
    new_page, live_server, code
):
    article = story_for(code)
    page = new_page(code, 1280)
    page.goto(live_server.url + article.get_absolute_url())
    page.evaluate("document.fonts.ready")
    assert page.evaluate("document.documentElement.lang") == code

    headline = drawn_from(page, ".story-headline")
    first = drawn_from(page, ".story-body p:first-child")
    second = drawn_from(page, ".story-body p:nth-child(2)")
    assert len(headline) == 1 and set(headline) <= EXPECTED[code]["headline"], headline
    assert len(first) == 1 and set(first) <= EXPECTED[code]["body"], first
    assert set(second) == set(first)  # every paragraph in the same face
    if code == "ar":
        assert "Naskh" in next(iter(first))

    face = FOREIGN[code][1]
    foreign = drawn_from(page, ".story-body p[lang]")
    assert len(foreign) == 1 and set(foreign) <= face, foreign
    if code in NAMED:
        # The English name is drawn in a Latin face, and only its 7 letters: the words,
        # spaces and full stop around it stay in the paragraph's own face.
        name = drawn_from(page, ".story-body p > span[lang='en']")
        assert name == {"Noto Serif": len("Reuters")}, name
        around = drawn_from(page, ".story-body p:has(> span[lang='en'])")
        (own,) = first
        assert set(around) == {own, "Noto Serif"} and around["Noto Serif"] == 7, around
    # System faces only: nothing is downloaded for the text.
    assert page.fonts_requested == []


@pytest.mark.parametrize("code", EDITIONS)
def test_article_page_fits_a_320_pixel_phone(new_page, live_server, code, screenshot_dir):
    article = story_for(code)
    page = new_page(code, 320)
    page.goto(live_server.url + article.get_absolute_url())
    page.evaluate("document.fonts.ready")
    page.screenshot(path=screenshot_dir / f"typography-{code}-320.png", full_page=True)
    assert overflow(page) == 0
    headline = drawn_from(page, ".story-headline")
    assert len(headline) == 1 and set(headline) <= EXPECTED[code]["headline"], headline
