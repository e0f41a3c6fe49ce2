"""Exact purge after commit, seen over real HTTP through the embedded cache."""

import logging
import time
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.utils import timezone

from khabar.comments import actions as comment_actions
from khabar.comments.models import Comment
from khabar.news.models import Author, Tag
from khabar.newsroom.actions import do_correct, do_save, do_schedule
from khabar.pagecache import purge
from khabar.pagecache.store import PageStore, locate
from khabar.pagecache.wsgi import PageCache


@pytest.fixture
def story(make_article, author):
    story = make_article("خبر عن المياه", tags=["المياه"])
    story.authors.set([author])
    return story


@pytest.fixture
def unrelated(make_article, other_section):
    return make_article("خبر رياضي", section=other_section, tags=["كرة"])


def shows(answer, story) -> bool:
    """The page lists the story: its headline, or (a sitemap) its address."""
    story.refresh_from_db()
    return story.headline in answer.text or quote(story.get_absolute_url()) in answer.text


def urls_of(story) -> dict[str, str]:
    return {
        "article": story.get_absolute_url(),
        "front": "/ar/",
        "section": story.section.get_absolute_url(),
        "tag": Tag.objects.get(name="المياه").get_absolute_url(),
        "author": f"/ar/author/{Author.objects.get().slug}/",
        "rss": "/ar/feeds/rss.xml",
        "atom": "/ar/feeds/atom.xml",
        "sitemap": "/sitemap-ar-stories.xml",
    }


def test_a_correction_purges_its_page_lists_and_feeds_and_nothing_else(
    cached_site, story, unrelated, editor
):
    urls = urls_of(story)
    others = [unrelated.get_absolute_url(), unrelated.section.get_absolute_url(),
              Tag.objects.get(name="كرة").get_absolute_url()]  # fmt: skip
    for url in [*urls.values(), *others]:
        cached_site.get(url)
        assert cached_site.get(url).headers["x-cache"] == "HIT", url
    do_correct(editor, story, kind="correction", note="صُحّح العنوان.",
               base_revision=story.revision, headline="خبر مصحح عن المياه")  # fmt: skip
    for name, url in urls.items():
        answer = cached_site.get(url)
        assert answer.headers["x-cache"] == "MISS", name
        assert shows(answer, story), name
    assert story.headline == "خبر مصحح عن المياه"
    for url in others:
        assert cached_site.get(url).headers["x-cache"] == "HIT", url


def test_a_story_moved_out_of_a_section_and_a_tag_leaves_their_lists(
    cached_site, story, other_section, editor
):
    old_section = story.section.get_absolute_url()
    old_tag = Tag.objects.get(name="المياه").get_absolute_url()
    new_section = other_section.get_absolute_url()
    for url in (old_section, old_tag, new_section):
        cached_site.get(url)
    assert "خبر عن المياه" not in cached_site.get(new_section).text
    new_tag = Tag.objects.create(edition=story.edition, name="الطقس")
    do_save(editor, story, base_revision=story.revision, section=other_section,
            tags=[new_tag])  # fmt: skip
    assert "خبر عن المياه" not in cached_site.get(old_section).text
    assert cached_site.get(old_tag).status == 404  # no public story carries it any more
    assert "خبر عن المياه" in cached_site.get(new_section).text
    assert "خبر عن المياه" in cached_site.get(new_tag.get_absolute_url()).text


def test_a_scheduled_story_appears_on_cached_pages_at_its_time(
    cached_site, story, make_article, editor
):
    scheduled = make_article("خبر مجدول", publish=False, tags=["المياه"])
    goes_live = timezone.now() + timedelta(seconds=8)  # the pages below render first
    do_schedule(editor, scheduled, goes_live)
    urls = [v for k, v in urls_of(story).items() if k not in ("article", "author")]
    for url in urls:
        first = cached_site.get(url)
        assert not shows(first, scheduled), url
        assert cached_site.get(url).headers["x-cache"] == "HIT", url  # kept, but not for long
    while timezone.now() < goes_live:
        time.sleep(0.1)
    for url in urls:
        assert shows(cached_site.get(url), scheduled), url


def test_an_approved_comment_purges_the_comments_region_only(cached_site, story, moderator):
    region = f"/ar/comments/{story.news_code}?partial=1"
    page = story.get_absolute_url()
    for url in (region, page):
        cached_site.get(url)
    comment = Comment.objects.create(article=story, name="قارئ", body="تعليق في وقته")
    Comment.objects.filter(pk=comment.pk).update(root=comment, path=f"{comment.pk:012d}")
    comment.refresh_from_db()
    assert "تعليق في وقته" not in cached_site.get(region).text
    comment_actions.do_approve(comment, moderator)
    answer = cached_site.get(region)
    assert answer.headers["x-cache"] == "MISS" and "تعليق في وقته" in answer.text
    assert cached_site.get(page).headers["x-cache"] == "HIT"


def test_a_page_rendered_while_its_story_changes_is_not_kept(tmp_path):
    """The race through the WSGI wrapper: the story's purge lands while its page renders."""
    store = PageStore(tmp_path)

    def django(environ, start_response):
        store.purge(["s1"])  # committed by the desk while this request read the old rows
        start_response(
            "200 OK",
            [
                ("Content-Type", "text/html"),
                ("Surrogate-Key", "s1"),
                ("Cache-Control", "public, max-age=60, s-maxage=600"),
            ],
        )
        return [b"<p>old headline</p>" * 20]

    app = PageCache(django, store)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/ar/news/1/x", "QUERY_STRING": "",
               "HTTP_HOST": "127.0.0.1", "wsgi.url_scheme": "http"}  # fmt: skip
    statuses = []
    body = b"".join(app(environ, lambda status, headers: statuses.append((status, headers))))
    assert statuses[0][0] == "200 OK" and body.startswith(b"<p>old headline")
    assert dict(statuses[0][1])["X-Cache"] == "MISS"
    assert store.lookup(locate("/ar/news/1/x")) is None
    assert not (tmp_path / "ar/news/1/x/index.html").exists()


def test_a_failing_cache_is_logged_and_the_save_goes_through(
    story, editor, settings, caplog, django_capture_on_commit_callbacks
):
    settings.KHABAR_VARNISH_URLS = ["http://127.0.0.1:9"]  # nothing listens on port 9
    settings.KHABAR_PURGE_WEBHOOK = "http://127.0.0.1:9/purge"
    settings.KHABAR_PURGE_TIMEOUT = 1
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        corrected = do_correct(editor, story, kind="update", note="أضيفت تفاصيل.",
                               base_revision=story.revision, lead="تفاصيل جديدة")  # fmt: skip
    assert corrected.version == 2
    assert any("purge" in record.getMessage() for record in caplog.records)


def test_the_webhook_receives_the_keys_after_commit(
    story, editor, settings, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(purge, "notify_webhook", lambda url, keys: sent.append((url, keys)))
    settings.KHABAR_PURGE_WEBHOOK = "https://purge.example/keys"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        do_correct(editor, story, kind="update", note="أضيفت تفاصيل.",
                   base_revision=story.revision, lead="تفاصيل جديدة")  # fmt: skip
    assert sent == []  # not before the commit
    for callback in callbacks:
        callback()
    assert sent[0][0] == "https://purge.example/keys"
    assert f"s{story.news_code}" in sent[0][1] and "far" in sent[0][1]


def test_a_scheduled_story_enqueues_a_purge_at_its_go_live_for_files_sent_by_a_front_server(
    cached_site, story, make_article, editor
):
    """nginx sends the tree's files without reading their expiry: the task worker purges the
    story's keys when it goes live, so the front page file goes then."""
    from django_tasks_db.models import DBTaskResult

    from khabar.pagecache.tasks import purge_keys

    cached_site.get("/ar/")
    front_file = cached_site.store.root / locate("/ar/").file
    assert front_file.exists()
    scheduled = make_article("خبر مجدول للنشر", publish=False)
    goes_live = timezone.now() + timedelta(hours=2)
    do_schedule(editor, scheduled, goes_live)
    queued = DBTaskResult.objects.filter(task_path=purge_keys.module_path)
    assert [t.run_after for t in queued] == [goes_live]
    keys = queued[0].args_kwargs["args"][0]
    assert "far" in keys  # the edition's front page
    # What the worker runs at that moment:
    cached_site.get("/ar/")
    assert front_file.exists()
    purge_keys.call(keys)
    assert not front_file.exists()


def test_renaming_a_section_purges_every_page_of_its_edition(cached_site, story, unrelated):
    urls = [story.get_absolute_url(), unrelated.get_absolute_url(), "/ar/"]
    for url in urls:
        cached_site.get(url)
        assert cached_site.get(url).headers["x-cache"] == "HIT", url
    section = unrelated.section
    section.name = "الرياضة والشباب"
    section.save()
    for url in urls:
        answer = cached_site.get(url)
        assert answer.headers["x-cache"] == "MISS", url
        assert "الرياضة والشباب" in answer.text, url


def test_with_replicas_the_purge_is_repeated_after_the_lag_bound(
    cached_site, story, editor, settings, monkeypatch
):
    from khabar.lib import replicas

    repeated = []
    monkeypatch.setattr(replicas, "repeat_after_lag", lambda f, *a: repeated.append((f, a)))
    do_correct(editor, story, kind="update", note="أضيفت تفاصيل.",
               base_revision=story.revision, lead="تفاصيل جديدة")  # fmt: skip
    assert len(repeated) == 1
    function, (keys,) = repeated[0]
    assert function is purge.purge and f"s{story.news_code}" in keys


def test_go_live_moments_are_the_publication_and_the_embargo_still_to_come(make_article):
    from khabar.news.models import Article
    from khabar.news.surrogate import go_live_moments

    story = make_article("خبر")
    now = timezone.now()
    assert go_live_moments(story, now) == []  # already public
    story.published_at, story.embargo_until = now + timedelta(hours=1), now + timedelta(hours=3)
    assert go_live_moments(story, now) == [story.published_at, story.embargo_until]
    story.published_at = now - timedelta(hours=1)
    assert go_live_moments(story, now) == [story.embargo_until]
    story.status = Article.Status.UNPUBLISHED
    assert go_live_moments(story, now) == []
