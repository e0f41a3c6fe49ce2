"""Personas of the newsroom, each in their role's group, and a story factory that goes through
the actions as the desk does."""

import pytest
from django.contrib.auth.models import Group, User

from khabar.newsroom import actions
from khabar.newsroom.roles import ADMINISTRATORS, EDITORS, MODERATORS, REPORTERS


def person(username, group):
    user = User.objects.create_user(username, f"{username}@example.org", "pass-phrase-123")
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def reporter(db):
    return person("rana", REPORTERS)


@pytest.fixture
def other_reporter(db):
    return person("sami", REPORTERS)


@pytest.fixture
def editor(db):
    return person("omar", EDITORS)


@pytest.fixture
def moderator(db):
    return person("hala", MODERATORS)


@pytest.fixture
def administrator(db):
    user = person("adil", ADMINISTRATORS)
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def reader(db):
    return person("reader", None)


@pytest.fixture
def draft(edition, section, reporter):
    return actions.do_create(
        reporter, edition=edition, section=section, headline="مسودة خبر عن المياه",
        lead="مقدمة قصيرة.", body="<p>الفقرة الأولى.</p><p>الفقرة الثانية.</p>", tags=[],
    )  # fmt: skip


def story_post(article, **overrides):
    """The editor's form as the browser posts it."""
    data = {
        "headline": article.headline,
        "lead": article.lead,
        "body": article.body,
        "section": article.section_id,
        "tags": "، ".join(t.name for t in article.tags.all()),
        "source": article.source,
        "comment_mode": article.comment_mode,
        "base_revision": article.revision,
        "action": "save",
    }
    data.update(overrides)
    return data
