"""Author pages in real Chromium: reached from the byline, accessible (axe-core), and no wider
than a phone."""

import pytest

from khabar.news.models import Author
from khabar.testing import PHONE_WIDTHS, axe_violations

pytestmark = [pytest.mark.django_db(transaction=True)]

# How far the page's own content (inside <main>) reaches past either edge of the viewport. The
# header is shared by every page and measured by its own tests.
MAIN_OVERFLOW = """() => Math.max(0, ...[...document.querySelectorAll("main *")].map(e => {
  const box = e.getBoundingClientRect();
  return Math.max(box.right - window.innerWidth, -box.left);
}))"""


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ar-IQ", viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.problems = []
    page.on("console", lambda msg: msg.type == "error" and page.problems.append(msg.text))
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    yield page
    context.close()


def test_byline_leads_to_an_accessible_author_page(page, live_server, make_article, author,
                                                    settings, screenshot_dir):  # fmt: skip
    settings.KHABAR_PAGE_SIZE = 2
    author.bio = "مراسلة الوكالة في البصرة، تكتب عن المياه والزراعة."
    author.save(update_fields=["bio"])
    karim = Author.objects.create(name="كريم عبد الله", slug="كريم-عبد-الله")
    for i in range(3):
        make_article(f"خبر رقم {i} عن شبكات المياه في البصرة").authors.set([author, karim])
    story = make_article("مجلس المحافظة يقر خطة لتأهيل شبكات المياه")
    story.authors.set([author, karim])

    page.goto(live_server.url + story.get_absolute_url())
    assert axe_violations(page) == []  # the byline's links too
    page.get_by_role("link", name="ليلى حسن").click()
    page.wait_for_url("**/ar/author/layla/")
    assert page.locator("h1").inner_text() == "الكاتب: ليلى حسن"
    assert page.locator(".story-item").count() == 2
    assert axe_violations(page) == []
    page.screenshot(path=screenshot_dir / "author-page.png", full_page=True)
    page.get_by_role("link", name="أخبار أقدم").click()
    page.wait_for_url("**/ar/author/layla/?page=2")
    assert page.locator(".story-item").count() == 2
    assert axe_violations(page) == []

    page.goto(live_server.url + story.get_absolute_url())
    page.get_by_role("link", name="كريم عبد الله").click()
    page.wait_for_url("**/author/**")
    assert page.locator("h1").inner_text() == "الكاتب: كريم عبد الله"
    assert page.problems == []


def test_author_page_without_stories_is_accessible_and_fits_phones(page, live_server, edition,
                                                                    author):  # fmt: skip
    author.bio = "Correspondent in Basra since 2015, writing about water, farming and the marshes."
    author.save(update_fields=["bio"])
    page.goto(live_server.url + "/ar/author/layla/")
    assert "لا أخبار بقلم هذا الكاتب في هذه النسخة بعد." in page.locator("main").inner_text()
    assert axe_violations(page) == []
    for width in PHONE_WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate(MAIN_OVERFLOW) <= 0.5, width
        bio = page.locator(".author-bio")
        assert bio.evaluate("p => getComputedStyle(p).direction") == "ltr"  # dir="auto"
    assert page.problems == []
