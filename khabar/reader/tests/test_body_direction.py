"""Mixed-direction text in story bodies, as Chromium lays it out: where the full stops land.

Positions are measured on the characters themselves (a DOM Range around one character), so the
tests hold whatever the font: in a right-to-left paragraph the full stop that ends it is the
leftmost thing on its line; in a left-to-right one it follows the last word on the right.
"""

import pytest

from khabar.news import actions
from khabar.news.models import Article, Edition, Section

pytestmark = [pytest.mark.django_db(transaction=True)]

# The box of the character at `offset` within the first occurrence of `needle` in the element's
# text, looked for across its text nodes (the needle may run through a <span>).
CHAR_BOX = """([selector, needle, offset]) => {
  const element = document.querySelector(selector);
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let text = "";
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    nodes.push([node, text.length]);
    text += node.data;
  }
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`${needle} is not in ${selector}`);
  const index = at + (offset < 0 ? needle.length + offset : offset);
  const [node, start] = nodes.filter(([, start]) => start <= index).pop();
  const range = document.createRange();
  range.setStart(node, index - start);
  range.setEnd(node, index - start + 1);
  const box = range.getBoundingClientRect();
  return {left: box.left, right: box.right, top: box.top};
}"""

ARABIC_WITH_ENGLISH_ENDING = (
    "قال وزير المالية للصحفيين بالإنكليزية The budget will be ready in March."
)
ENGLISH = "The ministry said: “Prices will fall.”"
ARABIC_WITH_ENGLISH_QUOTATION = (
    '<p>قال الوزير <span dir="ltr" lang="en">“Prices will fall.”</span> ثم غادر القاعة.</p>'
)


# The sanitiser drops ids: paragraphs are found by their place in the body.
MIXED = QUOTED = ".story-body p:nth-child(1)"
ENGLISH_P = ".story-body p:nth-child(2)"


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ar-IQ", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    yield page
    context.close()


def box(page, selector, needle, offset):
    return page.evaluate(CHAR_BOX, [selector, needle, offset])


def open_story(page, live_server, article):
    page.goto(live_server.url + article.get_absolute_url())
    page.wait_for_selector(".story-body")


@pytest.fixture
def english_edition(db):
    edition = Edition.objects.create(
        code="en", name="Khabar", language="en", locale="en_GB", direction="ltr",
        end_marker="/ENDS/", time_zone="Asia/Baghdad", datetime_pattern="d MMM y, HH:mm",
    )  # fmt: skip
    section = Section.objects.create(edition=edition, name="World", slug="world")
    return edition, section


def test_arabic_paragraph_ending_in_english_keeps_its_full_stop_on_the_left(
    page, live_server, make_article, screenshot_dir
):
    article = make_article(body=f"<p>{ARABIC_WITH_ENGLISH_ENDING}</p>")
    open_story(page, live_server, article)
    full_stop = box(page, MIXED, "March.", -1)
    english_start = box(page, MIXED, "The budget", 0)
    arabic_start = box(page, MIXED, "قال", 0)
    # Right to left: the Arabic opens on the right, the English sentence runs left to right in
    # the middle, and the paragraph's full stop closes it at the far left.
    assert page.eval_on_selector(MIXED, "p => getComputedStyle(p).direction") == "rtl"
    assert full_stop["top"] == english_start["top"] == arabic_start["top"]  # one line
    assert full_stop["right"] <= english_start["left"] + 0.5
    assert english_start["left"] < arabic_start["left"]
    page.screenshot(path=screenshot_dir / "body-direction-arabic.png")
    assert page.problems == []


def test_arabic_paragraph_in_an_english_story_reads_right_to_left(
    page, live_server, english_edition
):
    # The page is left to right; the paragraph's dir="auto" turns it by its first letter.
    edition, section = english_edition
    article = Article.objects.create(
        edition=edition, section=section, headline="Water plan",
        body=f"<p>An English paragraph first.</p><p>{ARABIC_WITH_ENGLISH_ENDING}</p>",
    )  # fmt: skip
    actions.do_publish(article)
    open_story(page, live_server, article)
    selector = ".story-body p:nth-child(2)"
    full_stop = box(page, selector, "March.", -1)
    english_start = box(page, selector, "The budget", 0)
    assert page.eval_on_selector(selector, "p => getComputedStyle(p).direction") == "rtl"
    assert full_stop["right"] <= english_start["left"] + 0.5
    first = ".story-body p:nth-child(1)"
    assert box(page, first, "first.", -1)["left"] >= box(page, first, "first.", -2)["right"] - 0.5


@pytest.mark.parametrize(
    "paragraph",
    [f'<p dir="ltr" lang="en">{ENGLISH}</p>', f"<p>{ENGLISH}</p>"],
    ids=["marked-by-the-editor", "without-dir"],
)
def test_english_paragraph_in_an_arabic_story_runs_left_to_right(
    page, live_server, make_article, paragraph
):
    article = make_article(body=f"<p>فقرة عربية أولى.</p>{paragraph}")
    open_story(page, live_server, article)
    assert page.eval_on_selector(ENGLISH_P, "p => getComputedStyle(p).direction") == "ltr"
    start = box(page, ENGLISH_P, "The", 0)
    last_letter = box(page, ENGLISH_P, "fall.”", 3)
    full_stop = box(page, ENGLISH_P, "fall.”", 4)
    closing_quote = box(page, ENGLISH_P, "fall.”", 5)
    assert start["left"] < last_letter["left"]
    assert last_letter["right"] - 0.5 <= full_stop["left"] < closing_quote["left"]
    # Starts at the left edge of the body, as English text does.
    body_left = page.eval_on_selector(".story-body", "b => b.getBoundingClientRect().left")
    assert start["left"] - body_left < 2


def test_english_quotation_in_an_arabic_paragraph_keeps_its_own_full_stop(
    page, live_server, make_article, screenshot_dir
):
    article = make_article(body=ARABIC_WITH_ENGLISH_QUOTATION)
    open_story(page, live_server, article)
    assert page.locator(QUOTED + ' span[dir="ltr"][lang="en"]').count() == 1
    opening_quote = box(page, QUOTED, "“Prices", 0)
    last_letter = box(page, QUOTED, "fall.”", 3)
    english_full_stop = box(page, QUOTED, "fall.”", 4)
    closing_quote = box(page, QUOTED, "fall.”", 5)
    arabic_full_stop = box(page, QUOTED, "القاعة.", -1)
    # The quotation reads left to right with its full stop and quote mark after "fall"...
    assert opening_quote["left"] < last_letter["left"]
    assert last_letter["right"] - 0.5 <= english_full_stop["left"] < closing_quote["left"]
    # ...and the Arabic sentence around it still ends with its full stop on the far left.
    assert arabic_full_stop["right"] <= opening_quote["left"]
    page.screenshot(path=screenshot_dir / "body-direction-quotation.png")
    assert page.problems == []
