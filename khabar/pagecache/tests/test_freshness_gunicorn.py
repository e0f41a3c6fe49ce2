"""A correction committed by the desk is what readers get through the embedded cache, on every
page that shows the story, within a second: gunicorn with several workers, as bin/run."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from khabar.news.models import Tag
from khabar.newsroom.actions import do_correct
from khabar.pagecache.tests.servers import app_environment, read_page, start_gunicorn, stop
from khabar.testing import database_url


@pytest.mark.django_db(transaction=True)
def test_a_correction_is_fresh_through_gunicorn_within_a_second(
    tmp_path, settings, make_article, author, editor, static_files
):
    # The desk (this process) and the server share the data directory, as in production.
    settings.KHABAR_PAGE_CACHE = "embedded"
    settings.KHABAR_PAGE_CACHE_DIR = tmp_path / "pages"
    story = make_article("خبر عن المياه", tags=["المياه"])
    story.authors.set([author])
    urls = {
        "article": story.get_absolute_url(),
        "front": "/ar/",
        "section": story.section.get_absolute_url(),
        "tag": Tag.objects.get(name="المياه").get_absolute_url(),
        "feed": "/ar/feeds/rss.xml",
    }
    process, base = start_gunicorn(tmp_path, database_url=database_url(), static=static_files,
                                   workers=3, **app_environment())  # fmt: skip
    try:
        for url in urls.values():
            for _ in range(4):  # whichever worker answers, the page is the one kept
                seen, text = read_page(base, url)
            assert seen == "HIT" and "خبر عن المياه" in text, url
        started = time.monotonic()
        do_correct(editor, story, kind="correction", note="صُحّح العنوان.",
                   base_revision=story.revision, headline="خبر مصحح عن المياه")  # fmt: skip
        saved = time.monotonic() - started  # committed and purged

        stale = []

        def fresh_after(url) -> float | None:
            # A reader of each page, side by side, asking again until the correction shows.
            while time.monotonic() - started < 10:
                if "خبر مصحح عن المياه" in read_page(base, url)[1]:
                    return time.monotonic() - started
                stale.append(url)
            return None

        with ThreadPoolExecutor(len(urls)) as readers:
            seen = dict(zip(urls, readers.map(fresh_after, urls.values()), strict=True))
        fresh = {name: moment for name, moment in seen.items() if moment is not None}
        slowest = max(fresh.values(), default=10)
        print(f"\ncorrection fresh through the embedded cache (gunicorn, 3 workers) on "
              f"{len(fresh)}/{len(urls)} URLs; the save (commit and purge) took "
              f"{saved * 1000:.0f} ms; each URL (read side by side) fresh at: "
              + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in fresh.items()))  # fmt: skip
        assert set(fresh) == set(urls) and slowest < 1.0
        # Purged exactly, after the commit and before the save returned: not one stale answer
        # once the editor saw "saved" (the time above is the rendering, not a wait).
        assert stale == []
    finally:
        stop(process)
