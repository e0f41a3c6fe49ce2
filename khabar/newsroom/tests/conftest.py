"""A draft made through the actions as the desk makes it (the personas are in the root conftest)."""

import pytest

from khabar.newsroom import actions


@pytest.fixture
def draft(edition, section, reporter):
    return actions.do_create(
        reporter, edition=edition, section=section, headline="مسودة خبر عن المياه",
        lead="مقدمة قصيرة.", body="<p>الفقرة الأولى.</p><p>الفقرة الثانية.</p>", tags=[],
    )  # fmt: skip


@pytest.fixture
def context(browser, live_server):
    """A desk-sized Arabic browser context; its pages' script errors land in context.problems
    (khabar.testing.open_page)."""
    context = browser.new_context(locale="ar-IQ", viewport={"width": 1200, "height": 900})
    context.problems = []
    yield context
    context.close()
