"""A purged page while it is rendered again: readers who arrive meanwhile get the copy the purge
removed, from the process's memory, for at most STALE_SECONDS after the page was last seen in
place; one render per purge; and a reader alone after a purge always gets the fresh page."""

import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from khabar.newsroom.actions import do_correct
from khabar.pagecache import wsgi
from khabar.pagecache.purge import purge
from khabar.pagecache.store import locate


@pytest.fixture
def story(make_article):
    return make_article("خبر عن المياه", tags=["المياه"])


def where(url):
    return locate(url.encode().decode("latin-1"))  # as WSGI gives the path


def held_render(site, url, seconds=10.0):
    """Another request rendering `url` (in another process, say): its render lock, taken for
    `seconds` or until the returned function is called, which returns once it is released."""
    taken, done = threading.Event(), threading.Event()

    def render():
        lock = wsgi._RenderLock(site.store.root, where(url))
        assert lock.acquire()
        taken.set()
        done.wait(seconds)
        lock.release()

    thread = threading.Thread(target=render, daemon=True)
    thread.start()
    assert taken.wait(5)

    def finish():
        done.set()
        thread.join()

    return finish


def test_a_hit_comes_from_memory_and_a_purge_is_seen_at_once(cached_site, story):
    url = story.get_absolute_url()
    assert cached_site.get(url).headers["x-cache"] == "MISS"
    assert cached_site.get(url).headers["x-cache"] == "HIT"
    cached_site.rendered.clear()
    assert cached_site.get(url).headers["x-cache"] == "HIT"  # held in memory now
    assert cached_site.rendered == []
    purge([f"s{story.news_code}"])
    # Nobody else is rendering it: this reader renders it and gets the fresh page.
    assert cached_site.get(url).headers["x-cache"] == "MISS"
    assert cached_site.rendered == [url]


def test_a_page_replaced_on_disk_is_read_again(cached_site, story):
    url = story.get_absolute_url()
    cached_site.get(url)
    first = cached_site.get(url)
    assert first.headers["x-cache"] == "HIT"
    sidecar = Path(cached_site.store.sidecar(where(url)))
    meta = json.loads(sidecar.read_bytes())
    meta["etag"] = '"another-etag"'
    # Another process stored the page again: a new sidecar, written aside and renamed.
    sidecar.with_name("new.json").write_text(json.dumps(meta))
    os.replace(sidecar.with_name("new.json"), sidecar)
    again = cached_site.get(url)
    assert again.headers["x-cache"] == "HIT" and "another-etag" in again.headers["etag"]


def test_readers_arriving_during_the_render_get_the_previous_copy(cached_site, story, editor):
    url = story.get_absolute_url()
    cached_site.get(url)
    cached_site.get(url)  # held in memory
    do_correct(editor, story, kind="correction", note="صُحّح الرقم.",
               base_revision=story.revision, headline="عنوان مصحح")  # fmt: skip
    finish = held_render(cached_site, url)
    try:
        answer = cached_site.get(url)
        assert answer.headers["x-cache"] == "STALE"
        assert "صُحّح الرقم" not in answer.text and story.headline in answer.text
    finally:
        finish()
    # The render over (here: nothing was stored), the next reader gets the correction.
    fresh = cached_site.get(url)
    assert fresh.headers["x-cache"] == "MISS" and "صُحّح الرقم" in fresh.text


def test_the_previous_copy_is_given_for_at_most_stale_seconds(cached_site, story, monkeypatch):
    monkeypatch.setattr(wsgi, "STALE_SECONDS", 0.3)
    url = story.get_absolute_url()
    cached_site.get(url)
    cached_site.get(url)
    purge([f"s{story.news_code}"])
    time.sleep(0.4)  # longer than STALE_SECONDS since the page was last seen in place
    held_render(cached_site, url, seconds=0.5)
    started = time.monotonic()
    answer = cached_site.get(url)
    # No stale copy: the reader waited for the render (here, the lock's release), then rendered.
    assert answer.headers["x-cache"] == "MISS"
    assert time.monotonic() - started >= 0.4


def test_one_render_per_purge_while_the_others_get_the_previous_copy(
    cached_site, story, monkeypatch
):
    url = story.get_absolute_url()
    cached_site.get(url)
    cached_site.get(url)
    purge([f"s{story.news_code}"])
    cached_site.rendered.clear()
    slow = wsgi.PageCache._miss

    def slow_miss(self, *args):  # a render that takes long, as on busy cores
        time.sleep(0.2)
        return slow(self, *args)

    monkeypatch.setattr(wsgi.PageCache, "_miss", slow_miss)
    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(lambda _: cached_site.get(url), range(12)))
    assert all(a.status == 200 and story.headline in a.text for a in answers)
    assert cached_site.rendered.count(url) == 1
    seen = sorted(a.headers["x-cache"] for a in answers)
    assert seen.count("MISS") == 1 and "STALE" in seen, seen
