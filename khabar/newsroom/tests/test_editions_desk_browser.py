"""In Chromium: picking an edition for a new story changes the section choices and the
direction, language and font of the fields written in the story's language, in an Arabic
desk; the story is saved in the edition picked."""

import pytest

from khabar.news.models import Article
from khabar.testing import open_page, session_cookie

pytestmark = [pytest.mark.django_db(transaction=True)]

FIELD = """(selector) => { const e = document.querySelector(selector);
  const s = getComputedStyle(e);
  return [e.lang, s.direction, s.fontFamily.split(",")[0].replaceAll('"', "")]; }"""


def test_picking_an_edition_changes_sections_and_direction(context, live_server, editions,
                                                           editor):  # fmt: skip
    context.add_cookies([session_cookie(editor, live_server)])
    page = open_page(context)
    page.goto(live_server.url + "/desk/")
    page.click("a.nr-button")  # "New story": no URL typed
    page.wait_for_selector("[data-editor]:not([hidden])")
    assert page.is_hidden("[data-edition-change]")  # the no-script button is not needed

    def sections():
        return page.eval_on_selector_all("#id_section option", "os => os.map(o => o.text)")

    assert sections()[1:] == ["اقتصاد", "سياسة"]
    assert page.evaluate(FIELD, "#id_headline")[:2] == ["ar", "rtl"]

    page.select_option("#id_edition", "en")
    assert sections()[1:] == ["Politics"]
    for selector in ("#id_headline", "#id_lead", "#body-editor"):
        lang, direction, font = page.evaluate(FIELD, selector)
        assert (lang, direction) == ("en", "ltr"), selector
        assert "Arabic" not in font, (selector, font)  # a Latin face first, not an Arabic one
    # The desk around it stays Arabic, right to left.
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == [
        "ar",
        "rtl",
    ]

    page.select_option("#id_edition", "fa")
    assert sections()[1:] == ["سیاست"]
    lang, direction, font = page.evaluate(FIELD, "#id_headline")
    assert (lang, direction, font) == ("fa", "rtl", "Vazirmatn")

    page.select_option("#id_edition", "en")
    page.fill("#id_headline", "Ministers meet on the water plan")
    # Counts in the English edition's digits.
    assert page.text_content("[data-headline-hint]").startswith("32 ")
    page.click("#body-editor")
    page.keyboard.type("The ministers met on Tuesday.")
    page.select_option("#id_section", label="Politics")
    page.click("button[name=action][value=save]")
    page.wait_for_url("**/desk/stories/*/")
    story = Article.objects.get(headline="Ministers meet on the water plan")
    assert (story.edition.code, story.section.name) == ("en", "Politics")
    assert "The ministers met on Tuesday." in story.body
    assert context.problems == []
