"""Administrators link a tag to its counterparts in other editions from the tag list (an
action), one tag per edition; a translation then carries the counterparts."""

import pytest

from khabar.news.models import Tag
from khabar.news.tests.translated import other_editions

pytestmark = pytest.mark.django_db


@pytest.fixture
def tags(section):
    persian, english = other_editions(section)
    return [
        Tag.objects.create(edition=section.edition, name="الطاقة الشمسية"),
        Tag.objects.create(edition=persian, name="انرژی خورشیدی"),
        Tag.objects.create(edition=english, name="Solar energy"),
        Tag.objects.create(edition=persian, name="خورشید"),
    ]


def act(client, action, tags):
    return client.post(
        "/admin/news/tag/",
        {"action": action, "_selected_action": [t.pk for t in tags]},
        follow=True,
    ).content.decode()


def test_an_administrator_links_and_unlinks_tags(client, administrator, tags):
    arabic, persian, english, extra = tags
    client.force_login(administrator)
    page = act(client, "link_selected", [arabic, persian, english])
    assert "رُبطت الوسوم." in page
    groups = set(Tag.objects.filter(pk__in=[arabic.pk, persian.pk, english.pk])
                 .values_list("translation_group", flat=True))  # fmt: skip
    assert len(groups) == 1 and None not in groups
    # The list shows each tag's counterparts with their editions.
    assert "انرژی خورشیدی (خبر فارسی)" in page and "Solar energy (Khabar)" in page

    page = act(client, "link_selected", [arabic, extra])
    assert "لهذه الوسوم المرتبطة وسم في تلك الطبعة من قبل." in page
    assert Tag.objects.get(pk=extra.pk).translation_group_id is None

    act(client, "unlink_selected", [english])
    assert Tag.objects.get(pk=english.pk).translation_group_id is None
    assert Tag.objects.get(pk=persian.pk).translation_group_id == groups.pop()


def test_the_tag_form_does_not_offer_the_group(client, administrator, tags):
    client.force_login(administrator)
    page = client.get(f"/admin/news/tag/{tags[0].pk}/change/").content.decode()
    assert 'name="translation_group"' not in page
