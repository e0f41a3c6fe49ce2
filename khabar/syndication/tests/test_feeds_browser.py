"""The feeds page in real Chromium, in every edition: reached from the footer, accessible
(axe-core), and no wider than a phone."""

import pytest

from khabar.reader.tests import editions
from khabar.testing import PHONE_WIDTHS, axe_violations, open_page, overflow

pytestmark = [pytest.mark.django_db(transaction=True)]

FEEDS = {"ar": "الخلاصات", "fa": "خوراک‌ها", "en": "Feeds"}


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.problems = []
    yield context
    context.close()


def test_the_feeds_page_is_reached_from_the_footer_accessible_and_fits_phones(
    context, live_server, screenshot_dir
):
    editions.build_all()
    page = open_page(context)
    for code, name in FEEDS.items():
        page.goto(f"{live_server.url}/{code}/")
        page.locator("footer").get_by_role("link", name=name).click()
        page.wait_for_url(f"**/{code}/feeds/")
        assert page.locator("h1").inner_text() == name
        # The edition's two, and two for each section, tag and author.
        assert page.locator('a[type="application/atom+xml"]').count() == 1 + 6 + 2 + 1
        assert axe_violations(page) == [], code
        page.screenshot(path=screenshot_dir / f"feeds-{code}.png", full_page=True)
        for width in PHONE_WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            assert overflow(page) <= 0, (code, width)
        page.set_viewport_size({"width": 1200, "height": 900})
        href = page.locator('a[type="application/atom+xml"]').first.get_attribute("href")
        feed = page.request.get(live_server.url + href)
        assert feed.ok and feed.headers["content-type"].startswith("application/atom+xml")
    assert context.problems == []
