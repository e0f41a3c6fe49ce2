"""RSS 2.0 and Atom 1.0 feeds of an edition, and of its sections, tags and authors.

Built with Django's syndication framework from `Article.objects.published()`, so a scheduled,
embargoed or unpublished story is never in a feed. Each item is identified by the story's short
link (/news/<code>), which stays the same when the headline and its slug change; an update or a
correction moves the item's Atom `updated` and adds its note to the item's summary.

A rendered feed is kept in the Django cache, keyed by a token per edition that every
`story_changed` of the edition replaces (see apps.py), never past the moment the edition's
next scheduled or embargoed story goes live (that moment changes what `published()` returns
without any event to announce it), and never longer than KHABAR_FEED_CACHE_SECONDS (a change
made in another process reaches a local-memory cache no other way).
"""

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.db.models import DateTimeField, Max, Min, Prefetch, Q
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import feedgenerator, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from khabar.lib.html import body_for_readers
from khabar.news.models import Article, Author, Correction, Edition, Section, Tag
from khabar.reader.pages import absolute_url

FEED_ITEMS = 50
# Paragraphs of the body given after the lead: enough to judge the story in a feed reader,
# not the whole story (readers come to the page for it).
FEED_PARAGRAPHS = 2

KINDS = ("edition", "section", "tag", "author")
FORMATS = ("rss", "atom")

# XML 1.0 has no place for C0 controls but tab and line ends, nor for U+FFFE/U+FFFF; C1
# controls are allowed but discouraged (feedparser warns). Lone surrogates cannot be encoded in
# UTF-8 at all; forms refuse them, a story imported another way is still written.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_PARAGRAPH = re.compile(r"<p[ >].*?</p>", re.DOTALL)


def xml_text(value: str) -> str:
    """Text that an XML 1.0 document can carry: control characters removed."""
    return _NOT_XML.sub("", value or "")


def story_updated(article: Article) -> datetime:
    """When the story last changed for its readers: its publication, or its newest update or
    correction (prefetched)."""
    last = article.last_correction
    return max(article.published_at, last.created_at) if last else article.published_at


def feed_items(edition: Edition, kind: str = "edition", subject=None, now=None):
    """The newest FEED_ITEMS public stories of the feed, with everything an item shows, in four
    queries whatever their number."""
    stories = Article.objects.published(now).filter(edition=edition)
    if kind == "section":
        stories = stories.filter(section=subject)
    elif kind == "tag":
        stories = stories.filter(tags=subject)
    elif kind == "author":
        stories = stories.filter(authors=subject)
    return list(
        stories.select_related("edition", "section")
        .prefetch_related(
            Prefetch("tags", queryset=Tag.objects.order_by("name")),
            Prefetch("authors", queryset=Author.objects.order_by("name")),
            Prefetch("corrections", queryset=Correction.objects.order_by("created_at", "id")),
        )
        .order_by("-published_at", "-id")[:FEED_ITEMS]
    )


def edition_moments(edition: Edition, now=None) -> tuple[datetime | None, datetime | None]:
    """In one query: when the edition's next scheduled or embargoed story becomes public (the
    end of a cached feed), and when one of its stories last changed or went public (for
    Last-Modified: an unpublished story leaves no item to date the feed by)."""
    now = now or timezone.now()
    goes_live = Greatest(
        "published_at", Coalesce("embargo_until", "published_at"), output_field=DateTimeField()
    )
    published = Q(status=Article.Status.PUBLISHED)
    live = (
        published
        & Q(published_at__lte=now)
        & (Q(embargo_until__isnull=True) | Q(embargo_until__lte=now))
    )
    moments = Article.objects.filter(edition=edition).aggregate(
        next_live=Min(goes_live, filter=published & ~live),
        last_live=Max(goes_live, filter=live),
        # Saves of public and unpublished stories only: a draft's or a scheduled story's
        # activity is no reader's business.
        last_saved=Max("updated_at", filter=live | Q(status=Article.Status.UNPUBLISHED)),
    )
    last = max((m for m in (moments["last_live"], moments["last_saved"]) if m), default=None)
    return moments["next_live"], last


def summary_html(article: Article) -> str:
    """The lead, the first paragraphs and every update or correction note, as HTML in the
    edition's direction: most feed readers show an item's HTML as it says, while a title has
    nothing but the reader's own guess (see the README on right-to-left feeds)."""
    parts = []
    if article.lead:
        parts.append(format_html('<p dir="auto">{}</p>', article.lead))
    parts.extend(_PARAGRAPH.findall(body_for_readers(article.body))[:FEED_PARAGRAPHS])
    edition = article.edition
    for correction in article.corrections.all():
        parts.append(
            format_html(
                '<p dir="auto"><strong>{} ({})</strong>: {}</p>',
                correction.get_kind_display(),
                edition.format_datetime(correction.created_at),
                correction.note,
            )
        )
    return xml_text(
        format_html(
            '<div dir="{}" lang="{}">{}</div>',
            edition.direction,
            edition.language,
            # The lead and notes are escaped above, the paragraphs come from a cleaned body.
            mark_safe("".join(parts)),
        )
    )


class _Authors:
    """Every author of an item, where Django's generators write only one."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name in item.get("more_authors", ()):
            self.add_author(handler, name)


class AtomFeed(_Authors, feedgenerator.Atom1Feed):
    def add_author(self, handler, name):
        handler.startElement("author", {})
        handler.addQuickElement("name", name)
        handler.endElement("author")


class RssFeed(_Authors, feedgenerator.Rss201rev2Feed):
    def add_author(self, handler, name):
        handler.addQuickElement(
            "dc:creator", name, {"xmlns:dc": "http://purl.org/dc/elements/1.1/"}
        )


@dataclass
class Source:
    """What a feed is of: the edition, or one of its sections, tags or authors."""

    edition: Edition
    kind: str
    subject: object = None

    def page_path(self) -> str:
        if self.kind == "edition":
            return self.edition.get_absolute_url()
        if self.kind == "author":
            return reverse("reader:author", args=[self.edition.code, self.subject.slug])
        return self.subject.get_absolute_url()

    def title(self) -> str:
        edition = self.edition.name
        if self.kind == "section":
            return _("%(section)s — %(edition)s") % {
                "section": self.subject.name,
                "edition": edition,
            }
        if self.kind == "tag":
            return _("Stories tagged “%(tag)s” — %(edition)s") % {
                "tag": self.subject.name,
                "edition": edition,
            }
        if self.kind == "author":
            return _("Stories by %(author)s — %(edition)s") % {
                "author": self.subject.name,
                "edition": edition,
            }
        return _("Latest news — %(edition)s") % {"edition": edition}


class StoryFeed(Feed):
    """One feed of stories; `feed_type` and the request's Source choose which."""

    def __init__(self, request, source: Source, items: list[Article], fmt: str):
        self.request = request
        self.feed_type = AtomFeed if fmt == "atom" else RssFeed
        self.items_list = items
        self.source = source

    def _absolute(self, path: str) -> str:
        return absolute_url(self.request, path)

    def title(self):
        return xml_text(self.source.title())

    def link(self):
        return self._absolute(self.source.page_path())

    def feed_url(self):
        return self._absolute(self.request.path)

    def description(self):
        return xml_text(self.source.edition.tagline or self.source.edition.name)

    def author_name(self):
        # Atom wants an author for every entry; the agency is the author of its feed.
        return xml_text(self.source.edition.name)

    def items(self):
        return self.items_list

    def item_title(self, item):
        return xml_text(item.headline)

    def item_description(self, item):
        return summary_html(item)

    def item_link(self, item):
        return self._absolute(item.get_absolute_url())

    def item_guid(self, item):
        # The short link: the story's address for its whole life, whatever its slug becomes.
        return self._absolute(item.get_short_url())

    def item_guid_is_permalink(self, item):
        return True

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return story_updated(item)

    def item_author_name(self, item):
        authors = list(item.authors.all())
        return xml_text(authors[0].name) if authors else None

    def item_categories(self, item):
        return [xml_text(tag.name) for tag in item.tags.all()]

    def item_extra_kwargs(self, item):
        return {"more_authors": [xml_text(a.name) for a in list(item.authors.all())[1:]]}


def feed_source(edition: Edition, kind: str, slug: str | None) -> Source:
    """The feed's subject from the URL, or 404."""
    if kind == "edition":
        return Source(edition, kind)
    if kind in ("section", "tag"):
        model = Section if kind == "section" else Tag
        subject = get_object_or_404(model, edition=edition, slug=slug)
        subject.edition = edition  # its URL needs it; spare a query
        return Source(edition, kind, subject)
    if kind == "author":
        return Source(edition, kind, get_object_or_404(Author, slug=slug))
    raise Http404("No such feed")


@dataclass
class RenderedFeed:
    body: bytes
    content_type: str
    etag: str
    last_modified: datetime | None
    valid_until: datetime


def _token_key(edition_id: int) -> str:
    return f"khabar:feeds:token:{edition_id}"


def edition_token(edition_id: int) -> str:
    """The edition's current cache token; a new one when the cache has none (first use, or
    evicted), so an old entry is never taken for a current one."""
    key = _token_key(edition_id)
    token = cache.get(key)
    if token is None:
        cache.add(key, uuid.uuid4().hex, timeout=None)
        token = cache.get(key) or ""
    return token


def forget_edition_feeds(edition_id: int) -> None:
    """Every cached feed of the edition is out of date."""
    cache.set(_token_key(edition_id), uuid.uuid4().hex, timeout=None)


def _cache_key(request, edition: Edition, kind: str, slug: str | None, fmt: str) -> str:
    # Without KHABAR_SITE_URL the feed's links take the request's host and scheme.
    site = settings.SITE_URL or request.build_absolute_uri("/")
    feed = hashlib.sha256(f"{site}\n{kind}\n{slug or ''}\n{fmt}".encode()).hexdigest()[:32]
    return f"khabar:feeds:{edition.pk}:{edition_token(edition.pk)}:{feed}"


def render_feed(request, edition: Edition, kind: str, slug: str | None, fmt: str) -> RenderedFeed:
    """The feed's bytes and validators, built from the database (a fixed number of queries)."""
    source = feed_source(edition, kind, slug)
    # One moment for both: a story going live between the two queries is either in the feed or
    # the moment the cached feed ends.
    now = timezone.now()
    items = feed_items(edition, kind, source.subject, now)
    if kind == "tag" and not items:
        # As the tag's page: a tag only drafts or embargoed stories carry is not public yet.
        raise Http404("No published story has this tag")
    generator = StoryFeed(request, source, items, fmt).get_feed(None, request)
    body = generator.writeString("utf-8").encode()
    next_live, last_changed = edition_moments(edition, now)
    last_modified = max(
        (m for m in (last_changed, *(story_updated(item) for item in items)) if m), default=None
    )
    return RenderedFeed(
        body=body,
        content_type=generator.content_type,
        etag=f'"{hashlib.sha256(body).hexdigest()[:40]}"',
        last_modified=last_modified,
        # A story change empties the cache of this process and of a shared cache (Redis) at
        # once; the cap bounds what other processes with a local-memory cache keep.
        valid_until=min(
            m for m in (next_live, now + timedelta(seconds=settings.KHABAR_FEED_CACHE_SECONDS)) if m
        ),
    )


def cached_feed(request, edition: Edition, kind: str, slug: str | None, fmt: str) -> RenderedFeed:
    """The feed from the cache while no story of the edition changed and none went live, else
    rendered and kept."""
    key = _cache_key(request, edition, kind, slug, fmt)
    now = timezone.now()
    feed = cache.get(key)
    if feed is not None and now < feed.valid_until:
        return feed
    feed = render_feed(request, edition, kind, slug, fmt)
    cache.set(key, feed, timeout=max(1, int((feed.valid_until - now).total_seconds()) + 1))
    return feed


def feed_list(edition: Edition) -> dict:
    """What the feeds page lists besides the edition's sections (the navigation has them): the
    tags and authors of its public stories, in two queries."""
    public = Article.objects.published().filter(edition=edition)
    return {
        "tags": Tag.objects.filter(edition=edition, articles__in=public)
        .distinct()
        .order_by("name"),
        "authors": Author.objects.filter(articles__in=public).distinct().order_by("name"),
    }
