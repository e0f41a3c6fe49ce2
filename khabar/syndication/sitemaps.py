"""Sitemaps of each edition: its stories, sections, tags and authors, and a Google News sitemap
of its last 48 hours, built on django.contrib.sitemaps' Sitemap.

Every list starts from Article.objects.published(), so a draft, an unpublished story or one
still under embargo is never named, and a story appears the second its embargo lifts. Items are
value tuples, never model rows: a page of 50,000 stories reads three short columns each.
"""

import re
from abc import ABCMeta, abstractmethod
from datetime import UTC, datetime, timedelta

from django.contrib.sitemaps import Sitemap
from django.db.models import Count, Max
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import iri_to_uri

from khabar.news.models import Article, Edition, reversed_url

# Google News reads stories of the last two days, and at most 1,000 of them per sitemap.
NEWS_WINDOW = timedelta(hours=48)
NEWS_LIMIT = 1000

# Characters XML 1.0 cannot carry, even escaped: a stray control character pasted into a
# headline would otherwise make the whole news sitemap unreadable to a crawler.
# Stands for a value in a reversed route: digits, which every converter of ours accepts
# (<int:…> included), long enough never to be part of a route otherwise.
_MARKER = "9182736450"

_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def public_since():
    """When readers could first see a story: its publication time, or its embargo's end."""
    return Greatest("published_at", Coalesce("embargo_until", "published_at"))


def last_change():
    """A story's lastmod: its last save (every edit, correction, publication or unpublication
    writes updated_at), or the moment it went public when that came later (a story scheduled
    or embargoed yesterday for today)."""
    return Greatest("updated_at", public_since())


def w3c_datetime(moment) -> str:
    """A W3C date-time in UTC to the second, as the sitemap schemas and Google read it."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


class EditionSitemap(Sitemap, metaclass=ABCMeta):
    """One kind of sitemap for one edition. Items are tuples whose last value is the lastmod;
    `base_url` is the site's public address (KHABAR_SITE_URL, else the request's)."""

    def __init__(self, edition: Edition, base_url: str):
        self.edition = edition
        self.base_url = iri_to_uri(base_url)
        self._patterns: dict[str, str] = {}

    def stories(self):
        return Article.objects.published().filter(edition=self.edition)

    def lastmod(self, item):
        return item[-1]

    @abstractmethod
    def summary(self) -> tuple[int, datetime | None]:
        """How many URLs the sitemap lists and their latest lastmod, in one query: what the
        index needs, without Django's count and then a second scan for get_latest_lastmod().
        Each kind of sitemap answers it with its own query."""

    def get_latest_lastmod(self):
        return self.summary()[1]

    def num_pages(self, count: int) -> int:
        return -(-count // self.limit)

    def get_urls(self, page=1, site=None, protocol=None):
        # Not Sitemap._urls(): its per-item lookups of priority, changefreq and alternates, which
        # these sitemaps never have, cost a third of a page of 50,000.
        urls = [
            {
                "item": item,
                "location": self.base_url + self.location(item),
                "lastmod": item[-1],
                "w3c_lastmod": w3c_datetime(item[-1]),
            }
            for item in self.paginator.page(page).object_list
        ]
        self.latest_lastmod = max((url["lastmod"] for url in urls), default=None)
        return urls

    def _path(self, name: str, **kwargs) -> str:
        """The percent-encoded path of a route of this edition. reverse() costs about 0.1 ms,
        five seconds for a page of 50,000 stories: each route is reversed once, with markers
        in place of its values, and filled in for every item."""
        pattern = self._patterns.get(name)
        if pattern is None:
            markers = {key: f"{_MARKER}{n}{_MARKER}" for n, key in enumerate(kwargs)}
            path = reverse(name, kwargs={"edition": self.edition.code, **markers})
            pattern = path.replace("{", "{{").replace("}", "}}")
            for key, marker in markers.items():
                pattern = pattern.replace(marker, f"{{{key}}}")
            self._patterns[name] = pattern
        return pattern.format(**{key: iri_to_uri(str(value)) for key, value in kwargs.items()})


class StorySitemap(EditionSitemap):
    """Stories, each with its published translations as hreflang alternates (itself and
    x-default included, as its page names them: khabar/reader/meta.py)."""

    kind = "stories"

    def items(self):
        # By id: a story keeps its page of the sitemap as others are published after it.
        return (
            self.stories()
            .annotate(changed=last_change())
            .order_by("id")
            .values_list("news_code", "slug", "translation_group_id", "changed")
        )

    def location(self, item):
        return self._path("reader:article", code=item[0], slug=item[1])

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page, site, protocol)
        groups = translation_alternates({url["item"][2] for url in urls} - {None}, self.base_url)
        for url in urls:
            url["alternates"] = groups.get(url["item"][2], [])
        return urls

    def summary(self) -> tuple[int, datetime | None]:
        found = self.stories().aggregate(count=Count("id"), latest=Max(last_change()))
        return found["count"], found["latest"]


def translation_alternates(group_ids, base_url: str) -> dict[int, list[tuple[str, str]]]:
    """{group id: [(hreflang, absolute URL), …, ("x-default", URL)]} for the groups with more
    than one published story, in one query (none without groups). The order and the x-default
    (the default edition's story, else the original, else the first) are the article page's."""
    if not group_ids:
        return {}
    rows = (
        Article.objects.published()
        .filter(translation_group_id__in=group_ids)
        .order_by("translation_group_id", "-edition__is_default", "edition__code")
        .values_list(
            "translation_group_id", "pk", "translation_group__original_id", "edition__code",
            "edition__language", "edition__is_default", "news_code", "slug",
        )
    )  # fmt: skip
    found: dict[int, list] = {}
    for group, pk, original, edition, language, is_default, code, slug in rows:
        path = reversed_url("reader:article", edition=edition, code=code, slug=slug)
        found.setdefault(group, []).append((language, base_url + path, pk == original, is_default))
    alternates = {}
    for group, versions in found.items():
        if len(versions) < 2:
            continue
        default = next((v for v in versions if v[3]), None)
        default = default or next((v for v in versions if v[2]), versions[0])
        alternates[group] = [(v[0], v[1]) for v in versions] + [("x-default", default[1])]
    return alternates


class _GroupSitemap(EditionSitemap):
    """The pages that list stories (a section, a tag, an author): one per slug that at least one
    published story carries, changed when the newest change of its stories is."""

    relation = ""  # "section", "tags" or "authors"
    route = ""

    def _carrying(self):
        return self.stories().filter(**{f"{self.relation}__isnull": False})

    def items(self):
        slug = f"{self.relation}__slug"
        return (
            self._carrying().values_list(slug).annotate(changed=Max(last_change())).order_by(slug)
        )

    def location(self, item):
        return self._path(self.route, slug=item[0])

    def summary(self) -> tuple[int, datetime | None]:
        found = self._carrying().aggregate(
            count=Count(f"{self.relation}__slug", distinct=True), latest=Max(last_change())
        )
        return found["count"], found["latest"]


class SectionSitemap(_GroupSitemap):
    kind = "sections"
    relation = "section"
    route = "reader:section"


class TagSitemap(_GroupSitemap):
    kind = "tags"
    relation = "tags"
    route = "reader:tag"


class AuthorSitemap(_GroupSitemap):
    kind = "authors"
    relation = "authors"
    route = "reader:author"


class NewsSitemap(EditionSitemap):
    """Google News: the stories that went public in the last 48 hours, newest first."""

    kind = "news"
    limit = NEWS_LIMIT

    def _recent(self):
        now = timezone.now()
        return (
            Article.objects.published(now)
            .filter(edition=self.edition)
            .annotate(public_at=public_since(), changed=last_change())
            .filter(public_at__gt=now - NEWS_WINDOW)
        )

    def items(self):
        return (
            self._recent()
            .order_by("-public_at", "-id")
            .values_list("news_code", "slug", "headline", "public_at", "changed")
        )

    def location(self, item):
        return self._path("reader:article", code=item[0], slug=item[1])

    def summary(self) -> tuple[int, datetime | None]:
        found = self._recent().aggregate(count=Count("id"), latest=Max("changed"))
        return found["count"], found["latest"]

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page, site, protocol)
        for url in urls:
            _code, _slug, headline, public_at, _changed = url["item"]
            url["title"] = xml_text(headline)
            url["publication_date"] = w3c_datetime(public_at)
        return urls


KINDS = [StorySitemap, NewsSitemap, SectionSitemap, TagSitemap, AuthorSitemap]


def edition_sitemaps(base_url: str) -> dict[str, EditionSitemap]:
    """Every sitemap of the site by its name in the URL ("ar-stories", "fa-news"…), from one
    query for the editions."""
    return {
        f"{edition.code}-{kind.kind}": kind(edition, base_url)
        for edition in Edition.objects.all()
        for kind in KINDS
    }
