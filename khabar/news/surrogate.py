"""What a public response shows, named as surrogate keys, and which keys a change purges.

Caches in front of Khabar (the embedded page cache, Varnish, a CDN) keep each page with the
keys of what it shows, and a change of a story purges exactly its keys:

- `s<code>`: a story. Its page carries it, and so does every list that shows it (front,
  section, tag, author, corrections, with their own key besides): a story moved out of a
  section or a tag still purges the old list, which named it.
- `sec<id>`, `t<id>`, `a<id>`: a section's, a tag's, an author's list, purged when a story
  comes into it (the list did not name that story yet).
- `f<edition>`: the edition's front page and its other edition-wide lists (corrections).
- `feed-<edition>`, `sitemap-<edition>`, `api-<edition>`: its feeds, sitemaps and API lists.
- `c<code>`: a story's comments region, purged when its comments change.
- `g<group>`: the pages of a story and its translations (news/translations.py), which link to
  each other: purged when any story of the group changes, a translation published at last
  included (its page did not exist when the others were kept).
- `e<edition>`: every page of the edition with its navigation, purged when the edition, one of
  its sections, tags or authors is changed (renamed, added, removed): rare, and shown everywhere.

Scheduled and embargoed stories go live at their time with no event: every cached page of an
edition is kept no later than the edition's next go-live moment (`next_go_live`).
"""

import time
from datetime import datetime

from django.conf import settings
from django.db.models import Subquery
from django.utils import timezone

from khabar.news.models import Article, Edition


def story_key(code) -> str:
    return f"s{code}"


def section_key(section_id) -> str:
    return f"sec{section_id}"


def tag_key(tag_id) -> str:
    return f"t{tag_id}"


def author_key(author_id) -> str:
    return f"a{author_id}"


def front_key(edition_code: str) -> str:
    return f"f{edition_code}"


def feed_key(edition_code: str) -> str:
    return f"feed-{edition_code}"


def sitemap_key(edition_code: str) -> str:
    return f"sitemap-{edition_code}"


def api_key(edition_code: str) -> str:
    return f"api-{edition_code}"


def edition_key(edition_code: str) -> str:
    return f"e{edition_code}"


def comments_key(code) -> str:
    return f"c{code}"


def translation_key(group_id) -> str:
    return f"g{group_id}"


def story_keys(articles) -> list[str]:
    """The keys of the stories a list shows (articles with a news code)."""
    return [story_key(a.news_code) for a in articles if a.news_code]


def story_change_keys(article: Article) -> list[str]:
    """Every key a change of this story must purge: its own page and every list that shows it
    (they carry its key), the lists it may have just come into, the edition's front page,
    feeds, sitemaps and API lists, and its comments region (which closes with the story)."""
    edition = article.edition.code
    keys = [
        front_key(edition),
        feed_key(edition),
        sitemap_key(edition),
        api_key(edition),
        section_key(article.section_id),
    ]
    if article.news_code:
        keys[:0] = [story_key(article.news_code), comments_key(article.news_code)]
    if article.translation_group_id:
        keys.append(translation_key(article.translation_group_id))
        # The other editions' story sitemaps list this story as an alternate of theirs.
        editions = Article.objects.filter(translation_group_id=article.translation_group_id)
        codes = editions.values_list("edition__code", flat=True).distinct()
        keys += [sitemap_key(code) for code in codes if code != edition]
    if article.pk:
        keys += [tag_key(pk) for pk in article.tags.values_list("pk", flat=True)]
        keys += [author_key(pk) for pk in article.authors.values_list("pk", flat=True)]
    return keys


def go_live_moments(article: Article, now: datetime | None = None) -> list[datetime]:
    """The moments still to come at which this published story becomes public (its publication
    time, the end of its embargo): nothing happens then, so caches kept by file (a front
    server sending the page cache's files, which reads no expiry) are purged at each by a task."""
    if article.status != Article.Status.PUBLISHED:
        return []
    now = now or timezone.now()
    return sorted({m for m in (article.published_at, article.embargo_until) if m and m > now})


def comment_change_keys(article_id: int) -> list[str]:
    """What a change of a story's comments purges: its comments region. The story page shows no
    comment count of its own (the count is in the region), so the page stays cached."""
    code = Article.objects.filter(pk=article_id).values_list("news_code", flat=True).first()
    return [comments_key(code)] if code else []


def next_go_live(edition_id: int, now: datetime | None = None) -> datetime | None:
    """When the edition's next scheduled or embargoed story becomes public, or None.

    A lower bound, in one query of two index range scans (article_edition_pub and the partial
    article_edition_embargo), each stopping at its first row: the earliest publication time
    still to come and the earliest embargo still running. A story published at 10:00 under an
    embargo to 11:00 makes a page expire at 10:00 as well as at 11:00: one render too many,
    never a page kept too long."""
    now = now or timezone.now()
    published = Article.objects.filter(edition_id=edition_id, status=Article.Status.PUBLISHED)
    first = published.filter(published_at__gt=now).order_by("published_at")
    embargo = published.filter(embargo_until__gt=now).order_by("embargo_until")
    moments = (
        Edition.objects.filter(pk=edition_id)
        .values(
            publication=Subquery(first.values("published_at")[:1]),
            embargo=Subquery(embargo.values("embargo_until")[:1]),
        )
        .first()
    )
    return min((m for m in (moments or {}).values() if m), default=None)


# Per process: {edition id: (when computed, time.time(); the moment)}. Forgotten on this
# process's story_changed, and trusted for at most MEMO_SECONDS, which bounds what another
# process's change (a story scheduled at the desk) takes to reach this one. The page cache
# closes that window for what it stores: it refuses a page whose keys were purged after the
# moment was computed (see go_live_cap's second value).
MEMO_SECONDS = 1.0
_memo: dict[int, tuple[float, datetime | None]] = {}


def memo_next_go_live(edition_id: int) -> tuple[datetime | None, float]:
    """next_go_live, memoised: (the moment, time.time() when it was read from the database)."""
    clock = time.time()
    entry = _memo.get(edition_id)
    if entry is not None:
        computed, moment = entry
        if clock - computed < MEMO_SECONDS and (moment is None or moment > timezone.now()):
            return moment, computed
    moment = next_go_live(edition_id)
    _memo[edition_id] = (clock, moment)
    return moment, clock


def forget_go_live(edition_id: int | None) -> None:
    """Forget the edition's memoised moment (None: every edition's)."""
    if edition_id is None:
        _memo.clear()
    else:
        _memo.pop(edition_id, None)


def shared_caches_purged() -> bool:
    """Whether Khabar purges some shared cache (the embedded one, Varnish, a CDN's hook): only
    then may one keep a page past its max-age, since only then does a change reach it."""
    return settings.KHABAR_SHARED_MAX_AGE > 0 and bool(
        settings.KHABAR_PAGE_CACHE == "embedded"
        or settings.KHABAR_VARNISH_URLS
        or settings.KHABAR_PURGE_WEBHOOK
    )


def shared_max_age(edition_id: int) -> tuple[int, float]:
    """Seconds a shared cache may keep a page of the edition: KHABAR_SHARED_MAX_AGE, cut to
    the next go-live moment; and when that moment was read (time.time())."""
    moment, computed = memo_next_go_live(edition_id)
    seconds = settings.KHABAR_SHARED_MAX_AGE
    if moment is not None:
        seconds = min(seconds, max(0, int((moment - timezone.now()).total_seconds())))
    return seconds, computed
