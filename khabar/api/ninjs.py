"""A story as an IPTC ninjs news item, version 2.2 (the default) or 3.1.

`item(article)` is a plain function of the story, used by the read API and, later, by the pushes
to partners' webhooks. It reads `article.edition`, `section`, `tags`, `authors` and
`corrections`: select and prefetch them for a list (views.ITEM_QUERY does).

Choices made here, which the README repeats for partners:
- `uri` is a URN built from the news code, which never changes; the story's addresses can
  (slug, host), so they are not the identifier.
- `version` is the story's version, which rises with each published update or correction.
- The body is the story's HTML as readers get it, without the edition's end marker: that is the
  page's ending, and a partner ends the story in its own layout. Images in it have absolute
  addresses and are listed again as picture associations with their rendition.
- A story taken down is `canceled`, with its headline but no body or pictures: partners are to
  remove it, not republish it.
- `embargoed` is sent while the embargo runs (only partners allowed embargoed stories see it).
"""

import mimetypes
import re
from datetime import UTC
from html.parser import HTMLParser
from urllib.parse import urljoin

from django.conf import settings
from django.utils import timezone, translation
from django.utils.encoding import iri_to_uri
from django.utils.translation import gettext as _

from khabar.lib.html import html_to_text
from khabar.news.models import Article

VERSIONS = ("2.2", "3.1")
SCHEMAS = {v: f"http://www.iptc.org/std/ninjs/ninjs-schema_{v}.json#" for v in VERSIONS}

# 3.x renamed properties to camelCase; the rest kept their names.
CAMEL = {
    "firstcreated": "firstCreated",
    "versioncreated": "versionCreated",
    "embargoed": "embargoedUntil",
    "pubstatus": "pubStatus",
    "copyrightholder": "copyrightHolder",
    "usageterms": "usageTerms",
    "ednote": "edNote",
    "altids": "altIds",
    "representationtype": "representationType",
    "contenttype": "contentType",
    "charcount": "charCount",
    "wordcount": "wordCount",
}

# "بغداد - خبر: ..." : the place a story was filed from, before the agency's name.
DATELINE = re.compile(r"^\s*([^\s\-–—:][^\-–—:\n]{0,40}?)\s+[-–—]\s+[^:\n]{1,40}:")


def item(article: Article, version: str = "2.2", *, base_url: str | None = None, now=None) -> dict:
    """The story as a ninjs `version` item. `base_url` makes addresses absolute (the request's,
    or settings.SITE_URL)."""
    if version not in VERSIONS:
        raise ValueError(f"ninjs version {version!r} is not one of {VERSIONS}")
    now = now or timezone.now()
    base = (base_url or settings.SITE_URL or "http://localhost").rstrip("/") + "/"
    edition = article.edition
    canceled = article.status != Article.Status.PUBLISHED
    corrections = sorted(article.corrections.all(), key=lambda c: c.created_at)
    last = corrections[-1] if corrections else None
    published = article.published_at or article.created_at  # never unset once published
    changed = max(published, last.created_at) if last else published
    if canceled:
        changed = article.updated_at
    with translation.override(edition.language):
        data = {
            "uri": f"{settings.KHABAR_NINJS_URI_PREFIX}{article.news_code}",
            "standard": {"name": "ninjs", "version": version, "schema": SCHEMAS[version]},
            "type": "text",
            "representationtype": "full",
            "version": str(article.version),
            "firstcreated": _moment(published),
            "versioncreated": _moment(changed),
            "pubstatus": "canceled" if canceled else "usable",
            "language": edition.language,
            "headlines": [{"role": "main", "value": article.headline}],
            "copyrightholder": settings.KHABAR_COPYRIGHT_HOLDER or edition.name,
            "usageterms": settings.KHABAR_USAGE_TERMS
            or _("For publication by the agency's partners under their agreement; not for resale."),
            "altids": [{"role": "newscode", "value": str(article.news_code)}],
        }
        if article.embargo_until and article.embargo_until > now and not canceled:
            data["embargoed"] = _moment(article.embargo_until)
        if last:
            data["ednote"] = f"{last.get_kind_display()}: {last.note}"
        subjects = [{"name": article.section.name, "rel": "section",
                     "literal": article.section.slug}]  # fmt: skip
        subjects += [{"name": t.name, "rel": "tag", "literal": t.slug} for t in article.tags.all()]
        data["subjects"] = subjects
        authors = list(article.authors.all())
        if authors:
            comma = "، " if edition.direction == "rtl" else ", "
            data["by"] = comma.join(a.name for a in authors)
            data["people"] = [{"name": a.name, "rel": "author", "literal": a.slug} for a in authors]
        text = html_to_text(article.body)
        dateline = DATELINE.match(text)
        if dateline:
            data["located"] = dateline.group(1).strip()
        if not canceled:
            if article.lead:
                data["descriptions"] = [
                    {"role": "summary", "contenttype": "text/plain", "value": article.lead}
                ]
            body = absolute_images(article.body, base)
            data["bodies"] = [{"role": "main", "contenttype": "text/html", "value": body,
                               "charcount": len(text), "wordcount": len(text.split())}]  # fmt: skip
            pictures = [_picture(n, src, alt, base) for n, (src, alt) in
                        enumerate(images(article.body), 1)]  # fmt: skip
            if pictures:
                data["associations"] = pictures
    return _camel(data) if version.startswith("3") else data


def _moment(moment) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _camel(value):
    if isinstance(value, dict):
        return {CAMEL.get(k, k): _camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


class _Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            attrs = dict(attrs)
            if attrs.get("src"):
                self.found.append((attrs["src"], attrs.get("alt") or ""))


def images(body: str) -> list[tuple[str, str]]:
    """(src, alt) of every image of a (clean) body, in order."""
    parser = _Images()
    parser.feed(body)
    return parser.found


# A site path ("/media/…", "/ar/…") in an image's src or a link's href; nh3 quotes attributes.
_SITE_PATH = re.compile(r'(<(?:img|a)\b[^>]*?\b(?:src|href)=")(/(?!/)[^"]*)(")')


def absolute_images(body: str, base: str) -> str:
    """The body with the site's own images and links made absolute: a partner's site is
    another host, where "/media/…" would point to nothing."""
    return _SITE_PATH.sub(lambda m: m.group(1) + _absolute(m.group(2), base) + m.group(3), body)


def _absolute(src: str, base: str) -> str:
    # The body is HTML: "&amp;" in an attribute stands for "&", and stays escaped here.
    return iri_to_uri(urljoin(base, src))


def _picture(number: int, src: str, alt: str, base: str) -> dict:
    href = _absolute(src, base)
    rendition = {"name": "original", "href": href}
    kind = mimetypes.guess_type(href.split("?")[0])[0]
    if kind:
        rendition["contenttype"] = kind
    picture = {"name": f"picture{number}", "uri": href, "type": "picture",
               "renditions": [rendition]}  # fmt: skip
    if alt:
        picture["headlines"] = [{"role": "alt", "value": alt}]
    return picture
