"""The article and front pages' queries, compiled once (khabar.reader.compiled), load what the ORM's
article_page() loads, run with the parameters a fresh compilation would give, and leave the
page byte for byte the same."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import DEFAULT_DB_ALIAS, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from khabar.news.models import Author, Correction
from khabar.reader import queries
from khabar.reader.compiled import CompiledQuery

pytestmark = pytest.mark.django_db


def fresh(compiled: CompiledQuery, **values):
    sql, params = compiled.build(**values).query.get_compiler(DEFAULT_DB_ALIAS).as_sql()
    return sql, list(params)


def orm_article(edition, code):
    return queries.article_page(edition).filter(news_code=code).first()


@pytest.fixture
def corrected(reference_article, author):
    Author.objects.create(name="أحمد علي", slug="ahmad")
    reference_article.authors.add(Author.objects.get(slug="ahmad"))
    for version, kind in ((2, "update"), (3, "correction")):
        Correction.objects.create(
            article=reference_article, kind=kind, note=f"ملاحظة {version}", version=version
        )
    return reference_article


def test_parameters_are_those_of_a_fresh_compilation(edition):
    now = timezone.now()
    for values in (
        {"edition_id": edition.pk, "code": 100064, "now": now},
        {"edition_id": 7, "code": 2**63 - 1, "now": datetime(2030, 5, 6, 7, 8, 9, 123456, UTC)},
    ):
        assert queries._ARTICLE.sql_with_params(**values) == fresh(queries._ARTICLE, **values)
    for compiled in (queries._TAGS, queries._AUTHORS, queries._CORRECTIONS):
        for article_id in (1, 31337):
            assert compiled.sql_with_params(article_id=article_id) == fresh(
                compiled, article_id=article_id
            )


def test_a_value_that_changes_the_sql_is_refused(edition):
    from khabar.news.models import Tag

    shape_changing = CompiledQuery(
        lambda names: Tag.objects.filter(name__in=names),
        samples={"names": (["a"], ["a", "b"])},
        fields={"names": Tag._meta.get_field("name")},
    )
    with pytest.raises(ValueError, match="changes the shape"):
        shape_changing.sql_with_params(names=["c"])


def test_story_loads_as_the_orm_loads_it_in_four_queries(corrected, edition):
    expected = orm_article(edition, corrected.news_code)
    # As on a page: its edition and sections were read (and kept) before the story.
    queries.edition_and_sections(edition.code)
    with CaptureQueriesContext(connection) as captured:
        article = queries.published_article(edition, corrected.news_code)
        tags = list(article.tags.all())
        authors = list(article.authors.all())
        corrections = list(article.corrections.all())
        names = (article.edition.code, article.section.name, article.section.edition.code)
        last = article.last_correction
    assert len(captured) == 4
    assert article.pk == expected.pk
    assert {f.attname: getattr(article, f.attname) for f in article._meta.concrete_fields} == {
        f.attname: getattr(expected, f.attname) for f in expected._meta.concrete_fields
    }
    assert names == ("ar", expected.section.name, "ar")
    assert [(t.pk, t.name, t.edition.code) for t in tags] == [
        (t.pk, t.name, t.edition.code) for t in expected.tags.all()
    ]
    assert (
        [a.name for a in authors]
        == [a.name for a in expected.authors.all()]
        == [
            "أحمد علي",
            "ليلى حسن",
        ]
    )
    assert [(c.pk, c.kind, c.created_at) for c in corrections] == [
        (c.pk, c.kind, c.created_at) for c in expected.corrections.all()
    ]
    assert last.version == 3 and last.article is article


def test_stories_readers_may_not_see_are_not_found(make_article, edition):
    later = timezone.now() + timedelta(hours=1)
    scheduled = make_article("خبر مجدول", at=later)
    embargoed = make_article("خبر محظور", embargo_until=later)
    for article in (scheduled, embargoed):
        assert article.news_code is not None
        assert orm_article(edition, article.news_code) is None
        assert queries.published_article(edition, article.news_code) is None
    assert queries.published_article(edition, 2**63 - 1) is None
    assert queries.published_article(edition, 2**64) is None


def test_another_editions_story_is_not_found(make_article, edition):
    from khabar.news.models import Edition

    other = Edition.objects.create(
        code="en", name="Khabar", language="en", locale="en_GB", numbering_system="latn",
        direction="ltr", time_zone="UTC", datetime_pattern="d MMM y, HH:mm",
    )  # fmt: skip
    article = make_article()
    assert queries.published_article(other, article.news_code) is None


def test_page_is_byte_identical_to_the_orm_loaded_one(client, corrected, monkeypatch):
    url = corrected.get_absolute_url()
    compiled = client.get(url)
    monkeypatch.setattr(queries, "published_article", orm_article)
    orm = client.get(url)
    assert compiled.status_code == orm.status_code == 200
    assert "ملاحظة 3" in compiled.content.decode()
    assert compiled.content == orm.content


def test_a_news_code_past_the_databases_integers_is_not_found(client, edition):
    assert client.get(f"/ar/news/{2**64}/x").status_code == 404


def test_front_page_queries_match_a_fresh_compilation_and_the_orm(make_article, other_section):
    from khabar.news.models import Edition

    edition = Edition.objects.get(code="ar")
    for i in range(7):
        make_article(f"خبر {i}", section=other_section)
    make_article("خبر في قسم آخر")
    now = timezone.now()
    for compiled in (queries._FRONT_LATEST, queries._FRONT_SECTIONS):
        values = {"edition_id": edition.pk, "now": now}
        assert compiled.sql_with_params(**values) == fresh(compiled, **values)
    latest = list(queries._FRONT_LATEST.run(edition_id=edition.pk, now=now))
    assert [a.pk for a in latest] == [
        a.pk for a in queries.list_articles(edition, now)[: queries.FRONT_PAGE_LATEST]
    ]
    ranked = queries._FRONT_SECTIONS.run(edition_id=edition.pk, now=now)
    expected = queries._front_sections(edition.pk, now)
    assert [(a.pk, a.rank, a.section.slug, a.section.edition.code) for a in ranked] == [
        (a.pk, a.rank, a.section.slug, a.section.edition.code) for a in expected
    ]
    assert sum(1 for a in ranked if a.section_id == other_section.pk) == (
        queries.FRONT_PAGE_PER_SECTION
    )
