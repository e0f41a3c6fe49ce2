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


@pytest.fixture
def editions(edition, section):
    """The three editions, each with a politics section (the same name in each language, as
    the desk's section filter meets them) and the Arabic one also with its economy section."""
    from khabar.news.models import Edition, Section

    fa = Edition.objects.create(
        code="fa", name="خبر فارسی", language="fa", locale="fa_IR", numbering_system="arabext",
        direction="rtl", end_marker="/پایان/", time_zone="Asia/Tehran",
        datetime_pattern="y/MM/dd، HH:mm",
    )  # fmt: skip
    en = Edition.objects.create(
        code="en", name="Khabar English", language="en", locale="en_GB",
        numbering_system="latn", direction="ltr", end_marker="/End/",
        time_zone="Europe/London", datetime_pattern="d MMM y, HH:mm",
    )  # fmt: skip
    sections = {
        "ar": [
            section,
            Section.objects.create(edition=edition, name="سياسة", slug="سياسة", position=2),
        ],
        "fa": [Section.objects.create(edition=fa, name="سیاست", slug="سیاست")],
        "en": [Section.objects.create(edition=en, name="Politics", slug="politics")],
    }
    return {"ar": edition, "fa": fa, "en": en, "sections": sections}


@pytest.fixture
def persian_editor(editions):
    """An editor whose roles apply in the Persian edition only."""
    from django.contrib.auth.models import Group, User

    from khabar.newsroom.models import DeskProfile
    from khabar.newsroom.roles import EDITORS

    user = User.objects.create_user("parisa", "parisa@example.org", "pass-phrase-123")
    user.groups.add(Group.objects.get(name=EDITORS))
    DeskProfile.objects.create(user=user).editions.set([editions["fa"]])
    return user
