"""The queries behind reader pages, each a fixed number of SQL statements however much content
there is (tests hold the counts)."""

import threading
import time
import uuid
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Prefetch, Window
from django.db.models.functions import RowNumber
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from khabar.news.models import Article, Author, Correction, Edition, Section, Tag
from khabar.reader.compiled import CompiledQuery

FRONT_PAGE_LATEST = 6
FRONT_PAGE_PER_SECTION = 4

# What a list item shows: no body, which is the bulk of a row.
_LIST_FIELDS = [
    "id", "headline", "slug", "lead", "news_code", "published_at",
    "edition__code", "section__name", "section__slug", "section__position",
    "section__edition__code",
]  # fmt: skip


def list_articles(edition: Edition | int, now=None):
    return (
        Article.objects.published(now=now)
        .filter(edition=edition)
        .select_related("edition", "section__edition")
        .only(*_LIST_FIELDS)
        .order_by("-published_at", "-id")
    )


def author_articles(edition: Edition, author: Author):
    return list_articles(edition).filter(authors=author)


# The front page's rows alone, without their edition and section: the page has both already
# (its edition and that edition's sections, kept by this process: edition_and_sections), and
# building three more objects per row for them was an eighth of the front page's time.
_FRONT_FIELDS = [
    "id", "headline", "slug", "lead", "news_code", "published_at", "edition", "section",
]  # fmt: skip


def _front_rows(edition_id: int, now):
    return (
        Article.objects.published(now=now)
        .filter(edition=edition_id)
        .only(*_FRONT_FIELDS)
        .order_by("-published_at", "-id")
    )


def _front_sections(edition_id: int, now):
    """Each section's latest few stories."""
    ranked = _front_rows(edition_id, now).annotate(
        rank=Window(
            RowNumber(), partition_by=F("section_id"), order_by=[F("published_at").desc(), "-id"]
        )
    )
    return ranked.filter(rank__lte=FRONT_PAGE_PER_SECTION)


# The front page's two queries, compiled once per database (khabar.reader.compiled).
_SAMPLE_TIMES = (datetime(2001, 1, 1, tzinfo=UTC), datetime(2002, 2, 2, tzinfo=UTC))
_EDITION_AND_NOW = {
    "edition_id": Article._meta.get_field("edition").target_field,
    "now": Article._meta.get_field("published_at"),
}
_FRONT_LATEST = CompiledQuery(
    lambda edition_id, now: _front_rows(edition_id, now)[:FRONT_PAGE_LATEST],
    samples={"edition_id": (1, 2), "now": _SAMPLE_TIMES},
    fields=_EDITION_AND_NOW,
)
_FRONT_SECTIONS = CompiledQuery(
    _front_sections, samples={"edition_id": (1, 2), "now": _SAMPLE_TIMES}, fields=_EDITION_AND_NOW
)


def front_page(edition: Edition) -> tuple[list[Article], list[tuple[Section, list[Article]]]]:
    """The latest stories, then each section with its latest few, in two queries."""
    now = timezone.now()
    latest = list(_FRONT_LATEST.run(edition_id=edition.pk, now=now))
    ranked = list(_FRONT_SECTIONS.run(edition_id=edition.pk, now=now))
    _attach(edition, latest + ranked)
    grouped: dict[int, list[Article]] = {}
    sections: dict[int, Section] = {}
    for article in ranked:
        grouped.setdefault(article.section_id, []).append(article)
        sections[article.section_id] = article.section
    order = sorted(sections.values(), key=lambda s: (s.position, s.name))
    return latest, [(s, grouped[s.id]) for s in order]


def _attach(edition: Edition, articles: list[Article]) -> None:
    """Give each story of the edition its edition and section objects, from those this process
    keeps for the navigation; a section too new to be among them is read (with its edition)."""
    kept = edition_and_sections(edition.code)
    known = {s.pk: s for s in kept[1]} if kept[0] is not None and kept[0].pk == edition.pk else {}
    missing = {a.section_id for a in articles} - known.keys()
    if missing:
        known.update(Section.objects.select_related("edition").in_bulk(missing))
    for article in articles:
        article.edition = edition
        article.section = known[article.section_id]


def article_page_all():
    """Everything the article page shows, whatever the story's state (the newsroom's preview)."""
    return Article.objects.select_related("edition", "section__edition").prefetch_related(
        Prefetch("tags", queryset=Tag.objects.select_related("edition").order_by("name")),
        Prefetch("authors", queryset=Author.objects.order_by("name")),
        Prefetch("corrections", queryset=Correction.objects.order_by("created_at")),
    )


def article_page(edition: Edition):
    return article_page_all().published().filter(edition=edition)


# The article page's four queries (the story, then its tags, authors and corrections), compiled
# once per database: see khabar.reader.compiled. What article_page() loads, which tests compare
# them with, except the editions and sections: the story and its tags take the page's own edition
# and the sections this process keeps (as the front page's stories do, _attach), which spared
# six model instances a page.
_ARTICLE = CompiledQuery(
    lambda edition_id, code, now: Article.objects.published(now=now).filter(
        edition_id=edition_id, news_code=code
    ),
    samples={"edition_id": (1, 2), "code": (1, 2), "now": _SAMPLE_TIMES},
    fields={
        "edition_id": Article._meta.get_field("edition").target_field,
        "code": Article._meta.get_field("news_code"),
        "now": Article._meta.get_field("published_at"),
    },
)
_LARGEST_CODE = 2**63 - 1
_ARTICLE_ID = {"article_id": Article._meta.pk}
_TAGS = CompiledQuery(
    lambda article_id: Tag.objects.filter(articles=article_id).order_by("name"),
    samples={"article_id": (1, 2)},
    fields=_ARTICLE_ID,
)
_AUTHORS = CompiledQuery(
    lambda article_id: Author.objects.filter(articles=article_id).order_by("name"),
    samples={"article_id": (1, 2)},
    fields=_ARTICLE_ID,
)
_CORRECTIONS = CompiledQuery(
    lambda article_id: Correction.objects.filter(article=article_id).order_by("created_at"),
    samples={"article_id": (1, 2)},
    fields=_ARTICLE_ID,
)


def published_article(edition: Edition, code: int) -> Article | None:
    """The published story with this news code in the edition, with what its page shows
    (edition, section, tags, authors, corrections) as article_page() would load it, or None.
    Its edition is the one given, and its section and its tags' edition are objects this
    process keeps for every page: read them, never change them."""
    if code > _LARGEST_CODE:  # the ORM finds nothing there; a database would overflow
        return None
    found = list(_ARTICLE.run(edition_id=edition.pk, code=code, now=timezone.now()))
    if not found:
        return None
    article = found[0]
    _attach(edition, found)
    corrections = _CORRECTIONS.run(article_id=article.pk)
    for correction in corrections:
        correction.article = article
    tags = _TAGS.run(article_id=article.pk)
    others = {tag.edition_id for tag in tags} - {edition.pk}
    # A tag of another edition (none should be: the desk offers the story's own) is read.
    editions = {edition.pk: edition, **Edition.objects.in_bulk(others)} if others else None
    for tag in tags:
        tag.edition = editions[tag.edition_id] if editions else edition
    article._prefetched_objects_cache = {
        "tags": tags,
        "authors": _AUTHORS.run(article_id=article.pk),
        "corrections": corrections,
    }
    return article


# Every public page starts with its edition and the edition's sections (the navigation bar):
# two queries that were a sixth of the article page's time, for rows that change a few times a
# year. Each process keeps them, checked on every request against a generation number in the
# shared cache that any change to an edition or a section replaces (after commit). With a
# cache shared between processes (Redis) a change shows everywhere on the next request; with
# the local-memory cache, which each process has to itself, the process that made the change
# sees it at once and the others within EDITION_SECONDS_UNSHARED.
_GENERATION_KEY = "reader:editions:generation"
EDITION_SECONDS_UNSHARED = 1.0
_editions: dict[str, tuple[str, float, Edition, list[Section]]] = {}
_editions_lock = threading.Lock()


def _generation() -> str:
    generation = cache.get(_GENERATION_KEY)
    if generation is None:
        # A fresh number after the cache was emptied (a restart of Redis, a test): what
        # processes kept under the old one is not trusted.
        cache.add(_GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(_GENERATION_KEY)
    return generation


def _cache_is_shared() -> bool:
    return "locmem" not in settings.CACHES["default"]["BACKEND"].lower()


def edition_and_sections(code: str) -> tuple[Edition | None, list[Section]]:
    """The edition with this code (None if there is none) and its sections in navigation
    order, the same objects for every request of this process until either changes: callers
    read them and never change or save them."""
    generation, now = _generation(), time.monotonic()
    kept = _editions.get(code)
    if kept and kept[0] == generation and (kept[1] > now or _cache_is_shared()):
        return kept[2], kept[3]
    edition = Edition.objects.filter(code=code).first()
    sections = list(edition.sections.all()) if edition else []
    for section in sections:
        section.edition = edition  # their URLs need it; spare a query each
    if edition is not None:
        with _editions_lock:
            _editions[code] = (generation, now + EDITION_SECONDS_UNSHARED, edition, sections)
    return edition, sections


def kept_edition(code: str) -> Edition | None:
    """The edition this process last read under this code, asking neither the database nor
    the cache: for the server error page, whose cause may be either."""
    kept = _editions.get(code)
    return kept[2] if kept else None


def _new_generation() -> None:
    cache.set(_GENERATION_KEY, uuid.uuid4().hex, None)


@receiver([post_save, post_delete], sender=Edition)
@receiver([post_save, post_delete], sender=Section)
def _editions_changed(sender, **kwargs):
    # At once, for what this transaction reads next; and again after commit, as another
    # process may have read the old rows under the first new number in between.
    _new_generation()
    transaction.on_commit(_new_generation)
