"""A draft made through the actions as the desk makes it (the personas are in the root conftest)."""

import pytest

from khabar.newsroom import actions


@pytest.fixture
def draft(edition, section, reporter):
    return actions.do_create(
        reporter, edition=edition, section=section, headline="مسودة خبر عن المياه",
        lead="مقدمة قصيرة.", body="<p>الفقرة الأولى.</p><p>الفقرة الثانية.</p>", tags=[],
    )  # fmt: skip
