"""Translations: one group per story and its translations, at most one story per edition (held
by the database), a draft started from a story carries its text, authors and the counterparts of
its tags, and news codes are the story's own or shared with the original, as the setting says."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from khabar.news import actions
from khabar.news.models import Article, Tag, TranslationGroup
from khabar.news.tests.translated import linked_tag, other_editions
from khabar.news.translations import (
    editions_to_translate_into,
    link_translation,
    short_link_target,
    start_translation,
    translations_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editions(section):
    return other_editions(section)


@pytest.fixture
def original(make_article, author, editions):
    story = make_article(
        "جامعة البصرة تفتتح مختبراً للطاقة الشمسية",
        lead="المختبر يقيس أداء الألواح في حرّ الصيف.",
        source="وكالة خبر",
        tags=["الطاقة الشمسية", "البصرة"],
    )
    story.authors.set([author])
    linked_tag(story.tags.get(name="الطاقة الشمسية"), "انرژی خورشیدی", "Solar energy")
    return story


def draft_in(edition, headline="ترجمة"):
    return Article.objects.create(
        edition=edition, section=edition.sections.first(), headline=headline, body="<p>متن.</p>"
    )


def test_a_translation_joins_the_originals_group(original, editions):
    persian, english = editions
    fa, en = draft_in(persian), draft_in(english)
    group = link_translation(original, fa)
    assert link_translation(original, en) == group
    assert group.original == original
    assert {a.pk for a in group.articles.all()} == {original.pk, fa.pk, en.pk}
    assert link_translation(original, fa) == group  # linking twice changes nothing


def test_a_group_holds_one_story_per_edition(original, editions):
    persian, _english = editions
    link_translation(original, draft_in(persian))
    second = draft_in(persian, "ترجمهٔ دیگر")
    with pytest.raises(ValidationError) as refused:
        link_translation(original, second)
    assert refused.value.code == "edition_taken"
    assert Article.objects.get(pk=second.pk).translation_group_id is None


def test_the_database_refuses_two_stories_of_one_edition_in_a_group(original, editions):
    persian, _english = editions
    group = link_translation(original, draft_in(persian))
    other = draft_in(persian, "ترجمهٔ دیگر")
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=other.pk).update(translation_group=group)


def test_the_database_refuses_two_linked_tags_of_one_edition(original, editions):
    solar = original.tags.get(name="الطاقة الشمسية")
    persian, _english = editions
    extra = Tag.objects.create(edition=persian, name="خورشید")
    with pytest.raises(IntegrityError), transaction.atomic():
        Tag.objects.filter(pk=extra.pk).update(translation_group=solar.translation_group_id)


def test_a_story_is_no_translation_of_its_own_edition_or_of_itself(original, make_article):
    with pytest.raises(ValidationError) as refused:
        link_translation(original, make_article("خبر آخر", publish=False))
    assert refused.value.code == "same_edition"
    with pytest.raises(ValidationError) as refused:
        link_translation(original, original)
    assert refused.value.code == "itself"
    assert TranslationGroup.objects.count() == 0


def test_a_translation_of_another_story_is_not_taken_over(original, make_article, editions):
    persian, _english = editions
    fa = draft_in(persian)
    link_translation(original, fa)
    with pytest.raises(ValidationError) as refused:
        link_translation(make_article("خبر آخر"), fa)
    assert refused.value.code == "in_another_group"


def test_start_translation_copies_the_story_into_a_draft_of_the_edition(original, editions, editor):
    persian, _english = editions
    draft = start_translation(original, persian, editor)
    draft.refresh_from_db()
    assert draft.edition == persian
    assert draft.status == Article.Status.DRAFT and draft.news_code is None
    assert (draft.headline, draft.lead, draft.body, draft.source) == (
        original.headline, original.lead, original.body, original.source
    )  # fmt: skip
    assert draft.created_by == editor
    # The section of the same slug, not the edition's first.
    assert draft.section.edition == persian and draft.section.slug == original.section.slug
    # The linked tag's counterpart; البصرة has none in Persian and is dropped.
    assert [t.name for t in draft.tags.all()] == ["انرژی خورشیدی"]
    assert list(draft.authors.all()) == list(original.authors.all())
    assert draft.translation_group_id == original.translation_group_id is not None
    assert translations_of(original, published=False) == [draft]
    assert translations_of(original) == []  # readers see published translations only


def test_without_a_matching_section_the_draft_goes_to_the_first(original, editions, editor):
    persian, _english = editions
    persian.sections.filter(slug=original.section.slug).delete()
    draft = start_translation(original, persian, editor)
    assert draft.section == persian.sections.order_by("position").first()


def test_a_refused_translation_leaves_nothing_behind(original, editions, editor):
    persian, _english = editions
    start_translation(original, persian, editor)
    before = Article.objects.count()
    with pytest.raises(ValidationError):
        start_translation(original, persian, editor)
    assert Article.objects.count() == before
    with pytest.raises(ValidationError):
        start_translation(original, original.edition, editor)
    assert Article.objects.count() == before


def test_the_editions_left_to_translate_into(original, editions, editor):
    persian, english = editions
    assert editions_to_translate_into(original) == [english, persian]
    start_translation(original, persian, editor)
    assert editions_to_translate_into(original) == [english]


def test_published_translations_are_listed_the_default_edition_first(original, editions, editor):
    persian, english = editions
    fa = start_translation(original, persian, editor)
    en = start_translation(original, english, editor)
    actions.do_publish(fa)
    actions.do_publish(en)
    assert [a.edition.code for a in translations_of(fa)] == ["ar", "en"]
    actions.do_unpublish(en)
    assert translations_of(original) == [fa]


def test_own_codes_each_translation_takes_a_fresh_code(original, editions, editor, settings):
    settings.KHABAR_TRANSLATION_NEWS_CODE = "own"
    persian, english = editions
    fa = actions.do_publish(start_translation(original, persian, editor))
    en = actions.do_publish(start_translation(original, english, editor))
    assert len({original.news_code, fa.news_code, en.news_code}) == 3
    assert short_link_target(fa.news_code) == fa
    assert fa.get_short_url() == f"/news/{fa.news_code}"


def test_shared_codes_a_translation_takes_its_originals_code(original, editions, editor, settings):
    settings.KHABAR_TRANSLATION_NEWS_CODE = "shared"
    persian, english = editions
    fa = actions.do_publish(start_translation(original, persian, editor))
    en = actions.do_publish(start_translation(original, english, editor))
    assert fa.news_code == en.news_code == original.news_code
    # The sequence was not used: the next story takes the next code.
    assert actions.do_publish(draft_in(persian, "خبر دیگر")).news_code == original.news_code + 1
    # /news/<code> leads to the default edition's story; the others name their edition.
    assert short_link_target(original.news_code) == original
    assert original.get_short_url() == f"/news/{original.news_code}"
    assert fa.get_short_url() == f"/fa/news/{original.news_code}"


def test_shared_codes_a_draft_linked_takes_the_code_at_once(original, editions, settings):
    settings.KHABAR_TRANSLATION_NEWS_CODE = "shared"
    persian, _english = editions
    fa = draft_in(persian)
    link_translation(original, fa)
    assert Article.objects.get(pk=fa.pk).news_code == original.news_code == fa.news_code


def test_shared_codes_stories_linked_after_publication_keep_their_own(original, editions, settings):
    settings.KHABAR_TRANSLATION_NEWS_CODE = "shared"
    persian, _english = editions
    fa = actions.do_publish(draft_in(persian))
    link_translation(original, fa)
    assert Article.objects.get(pk=fa.pk).news_code == fa.news_code != original.news_code


def test_shared_codes_without_the_default_edition_the_first_holder_answers(
    editions, settings, editor
):
    settings.KHABAR_TRANSLATION_NEWS_CODE = "shared"
    persian, english = editions
    fa = actions.do_publish(draft_in(persian, "خبر"))
    en = actions.do_publish(start_translation(fa, english, editor))
    assert en.news_code == fa.news_code
    assert short_link_target(fa.news_code) == fa


def test_linking_tags_refuses_a_second_tag_of_an_edition_and_a_tag_of_another_group(
    original, editions
):
    from khabar.news.translations import link_tags

    solar = original.tags.get(name="الطاقة الشمسية")
    persian, english = editions
    basra = Tag.objects.create(edition=persian, name="بصره")
    link_tags(basra, Tag.objects.create(edition=english, name="Basra"))
    cases = [
        (solar, Tag.objects.create(edition=persian, name="خورشید"), "edition_taken"),
        (solar, original.tags.get(name="البصرة"), "same_edition"),
        (solar, basra, "in_another_group"),
    ]
    for tag, counterpart, code in cases:
        with pytest.raises(ValidationError) as refused:
            link_tags(tag, counterpart)
        assert refused.value.code == code
    assert Tag.objects.filter(translation_group=solar.translation_group_id).count() == 3


def test_an_edition_without_sections_gets_no_translation(original, editor):
    from khabar.news.models import Edition

    bare = Edition.objects.create(code="ku", name="خەبەر", language="en", locale="en")
    with pytest.raises(ValidationError) as refused:
        start_translation(original, bare, editor)
    assert refused.value.code == "no_section"
    assert not Article.objects.filter(edition=bare).exists()


def test_a_stale_copy_saved_keeps_the_link(original, editions):
    persian, _english = editions
    fa = draft_in(persian)
    stale = Article.objects.get(pk=fa.pk)  # loaded before the link, as an open form is
    link_translation(original, fa)
    stale.headline = "عنوان تازه"
    stale.save()
    fa.refresh_from_db()
    assert fa.headline == "عنوان تازه" and fa.translation_group_id == original.translation_group_id
