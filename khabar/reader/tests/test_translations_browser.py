"""The "read in" switcher in real Chromium: a reader of the Arabic story clicks "فارسی" and lands
on the Persian story, right to left in Persian, and from there "English", left to right; each
page stays accessible (axe-core) and fits a phone."""

import pytest

from khabar.news import actions
from khabar.news.tests.translated import other_editions
from khabar.news.translations import start_translation
from khabar.testing import axe_violations, open_page, overflow

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ar-IQ", viewport={"width": 320, "height": 800})
    context.problems = []
    page = open_page(context)
    page.problems = context.problems
    yield page
    context.close()


def test_the_switcher_leads_from_one_language_to_another(page, live_server, make_article,
                                                         section, editor):  # fmt: skip
    persian, english = other_editions(section)
    original = make_article("جامعة البصرة تفتتح مختبراً للطاقة الشمسية")
    fa = start_translation(original, persian, editor)
    fa.headline = "دانشگاه بصره آزمایشگاه انرژی خورشیدی گشود"
    fa.save()
    en = start_translation(original, english, editor)
    en.headline = "Basra university opens a solar energy laboratory"
    en.save()
    actions.do_publish(fa)
    actions.do_publish(en)

    page.goto(live_server.url + original.get_absolute_url())
    switcher = page.get_by_role("navigation", name="هذا الخبر بلغات أخرى")
    assert switcher.is_visible()
    assert axe_violations(page) == []
    assert overflow(page) == 0
    switcher.get_by_role("link", name="فارسی").click()
    page.wait_for_url("**/fa/news/**")
    assert page.locator("h1").inner_text() == fa.headline
    assert page.locator("html").get_attribute("lang") == "fa"
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert axe_violations(page) == []

    page.get_by_role("navigation", name="این خبر به زبان‌های دیگر").get_by_role(
        "link", name="English"
    ).click()
    page.wait_for_url("**/en/news/**")
    assert page.locator("h1").inner_text() == en.headline
    assert page.locator("html").get_attribute("dir") == "ltr"
    back = page.get_by_role("navigation", name="This story in other languages")
    assert back.get_by_role("link", name="العربية").get_attribute("dir") == "rtl"
    assert axe_violations(page) == []
    assert overflow(page) == 0
    assert page.problems == []
