"""RSS and Atom feeds: read by feedparser without a warning in every edition and for every kind
of feed, with the short link as the item's id, the edition's language, corrections as new
versions, and nothing that is not public."""

from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone

from khabar.news import actions
from khabar.news.models import Article, Author, Correction
from khabar.newsroom import actions as desk
from khabar.reader.tests import editions

FEED_KINDS = ("edition", "section", "tag", "author")
HOSTILE = "<script>alert(1)</script> ]]> &amp; <b>bold</b> \x01\x08\x0b\x1f\x7f\x85\x9f\ufffe"


def feed_path(built, kind, fmt):
    code = built.edition.code
    return {
        "edition": f"/{code}/feeds/{fmt}.xml",
        "section": f"/{code}/feeds/section/{built.section.slug}/{fmt}.xml",
        "tag": f"/{code}/feeds/tag/{built.tag.slug}/{fmt}.xml",
        "author": f"/{code}/feeds/author/{built.author.slug}/{fmt}.xml",
    }[kind]


def parse(client, path, **headers):
    response = client.get(path, **headers)
    assert response.status_code == 200, path
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
    return parsed


def entry_for(parsed, article):
    [entry] = [e for e in parsed.entries if e.id.endswith(f"/news/{article.news_code}")]
    return entry


@pytest.fixture
def built(db):
    return editions.build_all()


@pytest.mark.parametrize("fmt", ["atom", "rss"])
@pytest.mark.parametrize("kind", FEED_KINDS)
def test_every_feed_of_every_edition_reads_without_a_warning(client, built, kind, fmt):
    for code, b in built.items():
        parsed = parse(client, feed_path(b, kind, fmt))
        assert parsed.version == ("atom10" if fmt == "atom" else "rss20")
        assert parsed.feed.language == code
        entry = entry_for(parsed, b.article)
        assert entry.title == b.article.headline
        # The permanent address, never the slug URL.
        assert entry.id == f"http://testserver/news/{b.article.news_code}"
        assert entry.link == "http://testserver" + b.article.get_absolute_url().replace(
            b.article.slug, entry.link.rsplit("/", 1)[1]
        )
        assert {t.term for t in entry.tags} == set(b.article.tags.values_list("name", flat=True))
        assert entry.author == b.author.name
        assert b.article.lead in entry.summary
        assert editions.EDITIONS[code]["correction"].replace("'", "&#x27;") in entry.summary


def test_feed_titles_speak_the_editions_language(client, built):
    titles = {
        "ar": ("آخر الأخبار — خبر", "أخبار موسومة بـ«الطاقة الشمسية» — خبر"),
        "fa": ("تازه‌ترین خبرها — خبر فارسی", "خبرهای دارای برچسب «انرژی خورشیدی» — خبر فارسی"),
        "en": ("Latest news — Khabar", "Stories tagged “Solar power” — Khabar"),
    }
    for code, (latest, tagged) in titles.items():
        assert parse(client, feed_path(built[code], "edition", "rss")).feed.title == latest
        assert parse(client, feed_path(built[code], "tag", "atom")).feed.title == tagged


def test_the_short_link_uses_the_site_url(client, built, settings):
    settings.SITE_URL = "https://khabar.example"
    b = built["ar"]
    parsed = parse(client, feed_path(b, "edition", "atom"))
    assert parsed.entries[0].id == f"https://khabar.example/news/{b.article.news_code}"
    assert parsed.feed.links[0].href == "https://khabar.example/ar/"


def test_rtl_summary_carries_the_editions_direction(client, built):
    for code, direction in (("ar", "rtl"), ("fa", "rtl"), ("en", "ltr")):
        raw = client.get(feed_path(built[code], "edition", "atom")).content.decode()
        assert f'&lt;div dir="{direction}" lang="{code}"&gt;' in raw


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_hostile_text_keeps_every_feed_well_formed(client, make_article, author, fmt):
    article = make_article(
        "عنوان " + HOSTILE,
        lead="مقدمة " + HOSTILE,
        body=f"<p>فقرة {HOSTILE}</p><script>alert(2)</script><p>]]></p>",
        tags=["وسم " + HOSTILE],
    )
    article.authors.set([Author.objects.create(name="كاتب " + HOSTILE, slug="hostile")])
    Correction.objects.create(
        article=article, kind="correction", note="ملاحظة " + HOSTILE, version=2
    )
    code = article.edition.code
    tag = article.tags.get()
    for path in (
        f"/{code}/feeds/{fmt}.xml",
        f"/{code}/feeds/section/{article.section.slug}/{fmt}.xml",
        f"/{code}/feeds/tag/{tag.slug}/{fmt}.xml",
        f"/{code}/feeds/author/hostile/{fmt}.xml",
    ):
        entry = parse(client, path).entries[0]
        # The text is kept as text, without the characters XML cannot carry.
        assert entry.title.startswith("عنوان <script>alert(1)</script> ]]> &amp; <b>bold</b>")
        assert "\x01" not in entry.title and "\ufffe" not in entry.title
        assert "<script" not in entry.summary  # feedparser's sanitizer, and ours
        assert "ملاحظة" in entry.summary
        assert entry.tags[0].term.startswith("وسم <script>")


def test_a_correction_moves_updated_and_adds_its_note(client, edition, make_article, editor):
    article = make_article("خبر يصحح لاحقاً", at=timezone.now() - timedelta(hours=1))
    path = f"/{edition.code}/feeds/atom.xml"
    before = entry_for(parse(client, path), article)
    assert before.updated_parsed == before.published_parsed
    article.refresh_from_db()
    desk.do_correct(
        editor,
        article,
        kind="correction",
        note="صُحّح رقم الضحايا في الفقرة الأولى.",
        base_revision=article.revision,
        body="<p>الفقرة الأولى مصححة.</p>",
    )
    after = entry_for(parse(client, path), article)  # the cached feed is gone
    assert after.updated_parsed > before.updated_parsed
    assert after.published_parsed == before.published_parsed
    assert "صُحّح رقم الضحايا في الفقرة الأولى." in after.summary
    assert "الفقرة الأولى مصححة." in after.summary
    assert after.id == before.id


def test_an_unpublished_story_leaves_every_feed(client, edition, section, make_article, editor):
    kept = make_article("خبر باق")
    gone = make_article("خبر يسحب", tags=["وسم"])
    paths = [
        f"/{edition.code}/feeds/rss.xml",
        f"/{edition.code}/feeds/section/{section.slug}/atom.xml",
    ]
    for path in paths:
        assert len(parse(client, path).entries) == 2
    desk.do_unpublish_with_reason(editor, gone, "خطأ في المصدر")
    for path in paths:
        ids = [e.id for e in parse(client, path).entries]
        assert ids == [f"http://testserver/news/{kept.news_code}"]
    # Its tag had no other public story: its feed is no more, as its page.
    assert client.get(f"/{edition.code}/feeds/tag/وسم/atom.xml").status_code == 404


def test_embargoed_and_draft_stories_are_not_in_feeds_until_the_second_they_go_live(
    client, edition, make_article, monkeypatch
):
    live_at = (timezone.now() + timedelta(hours=1)).replace(microsecond=0)
    make_article("خبر منشور")
    embargoed = make_article("خبر تحت الحظر", publish=False)
    actions.do_publish(embargoed, embargo_until=live_at)
    make_article("مسودة", publish=False)
    path = f"/{edition.code}/feeds/atom.xml"
    assert [e.title for e in parse(client, path).entries] == ["خبر منشور"]  # and now cached

    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: live_at - timedelta(seconds=1))
    assert [e.title for e in parse(client, path).entries] == ["خبر منشور"]
    monkeypatch.setattr(timezone, "now", lambda: live_at)
    assert "خبر تحت الحظر" in [e.title for e in parse(client, path).entries]
    monkeypatch.setattr(timezone, "now", real_now)


def test_conditional_get_answers_304_and_a_change_a_new_etag(client, edition, make_article, editor):
    an_hour_ago = timezone.now() - timedelta(hours=1)
    make_article("خبر أقدم", at=an_hour_ago - timedelta(hours=1))
    article = make_article(at=an_hour_ago)
    # Saved then, too: the unpublication below is in a later second.
    Article.objects.update(updated_at=an_hour_ago)
    path = f"/{edition.code}/feeds/atom.xml"
    first = client.get(path)
    assert first.status_code == 200
    assert first["Content-Type"].startswith("application/atom+xml")
    assert "public" in first["Cache-Control"] and "max-age=60" in first["Cache-Control"]
    etag, last_modified = first["ETag"], first["Last-Modified"]

    by_etag = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert by_etag.status_code == 304 and by_etag.content == b""
    assert by_etag["ETag"] == etag and "max-age=60" in by_etag["Cache-Control"]
    assert client.get(path, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304

    desk.do_unpublish_with_reason(editor, article, "سبب")
    changed = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    # A reader that sends only the date learns of it as well, though the items left are older.
    assert client.get(path, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 200


def test_the_feed_is_served_from_the_cache_until_a_story_changes(
    client, edition, make_article, django_assert_num_queries
):
    make_article()
    path = f"/{edition.code}/feeds/rss.xml"
    body = client.get(path).content
    with django_assert_num_queries(0):  # the edition is kept by the process: nothing
        assert client.get(path).content == body
    make_article("خبر جديد")
    assert "خبر جديد" in client.get(path).content.decode()


def _publish_many(make_article, author, count):
    for n in range(count):
        article = make_article(f"خبر رقم {n}", tags=["اقتصاد", "نفط"])
        article.authors.set([author])
        Correction.objects.create(article=article, kind="update", note="تحديث", version=2)


@pytest.mark.parametrize("count", [5, 50])
@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_a_feed_renders_in_a_fixed_number_of_queries(
    client, edition, make_article, author, count, fmt, django_assert_num_queries
):
    _publish_many(make_article, author, count)
    client.get(f"/{edition.code}/")  # from here the process keeps the edition (reader.queries)
    for path, queries in (
        # stories, tags, authors, corrections, next story to go live
        (f"/{edition.code}/feeds/{fmt}.xml", 5),
        # and the subject
        (f"/{edition.code}/feeds/tag/نفط/{fmt}.xml", 6),
        (f"/{edition.code}/feeds/author/{author.slug}/{fmt}.xml", 6),
    ):
        with django_assert_num_queries(queries):
            parsed = feedparser.parse(client.get(path).content)
        assert parsed.bozo == 0 and len(parsed.entries) == count


def test_a_feed_holds_the_newest_50(client, edition, make_article, author):
    _publish_many(make_article, author, 51)
    parsed = parse(client, f"/{edition.code}/feeds/atom.xml")
    assert len(parsed.entries) == 50
    assert parsed.entries[0].title == "خبر رقم 50"


def test_unknown_feeds_are_404(client, edition, make_article):
    make_article("مسودة موسومة", publish=False, tags=["سري"])
    assert client.get(f"/{edition.code}/feeds/atom.xml").status_code == 200
    for path in (
        "/xx/feeds/atom.xml",
        f"/{edition.code}/feeds/json.xml",
        f"/{edition.code}/feeds/section/none/atom.xml",
        f"/{edition.code}/feeds/author/none/rss.xml",
        f"/{edition.code}/feeds/tag/سري/rss.xml",  # only a draft carries it
    ):
        assert client.get(path).status_code == 404, path


def test_feeds_answer_only_safe_methods(client, edition):
    assert client.post(f"/{edition.code}/feeds/atom.xml").status_code == 405


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_every_author_of_a_story_is_in_its_item(client, edition, make_article, author, fmt):
    article = make_article()
    article.authors.set([author, Author.objects.create(name="كريم عبد الله", slug="karim")])
    entry = parse(client, f"/{edition.code}/feeds/{fmt}.xml").entries[0]
    assert [a.name for a in entry.authors] == ["كريم عبد الله", "ليلى حسن"]


def test_a_change_no_signal_announced_shows_after_the_cache_limit(
    client, edition, make_article, settings, monkeypatch
):
    # As when another process, with its own local-memory cache, changed the story.
    settings.KHABAR_FEED_CACHE_SECONDS = 300
    article = make_article("العنوان الأول")
    path = f"/{edition.code}/feeds/atom.xml"
    start = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: start)
    assert parse(client, path).entries[0].title == "العنوان الأول"
    Article.objects.filter(pk=article.pk).update(headline="العنوان الثاني")
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(seconds=299))
    assert parse(client, path).entries[0].title == "العنوان الأول"
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(seconds=300))
    assert parse(client, path).entries[0].title == "العنوان الثاني"
