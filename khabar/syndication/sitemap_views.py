"""The sitemap index, each sitemap, and robots.txt. Thin: what goes in them is sitemaps.py's."""

import re

from django.conf import settings
from django.core.paginator import EmptyPage
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from khabar.lib.surrogate import add_keys
from khabar.news import surrogate
from khabar.news.models import Edition
from khabar.reader.pages import shared_cache_control
from khabar.syndication.sitemaps import NewsSitemap, edition_sitemaps, w3c_datetime

_PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,5}")


def site_base(request) -> str:
    """The site's public address without a trailing slash: KHABAR_SITE_URL, else the request's,
    as canonical links take it (khabar.reader.pages.absolute_url)."""
    return settings.SITE_URL or f"{request.scheme}://{request.get_host()}"


def _public(request, response, editions, last_modified=None):
    """Front caches keep these like reader pages, and caches that purge by surrogate key
    until a story of their editions changes; Last-Modified lets ConditionalGetMiddleware
    answer a crawler's If-Modified-Since with 304. They are for crawlers, not search results."""
    if last_modified is not None:
        response.headers["Last-Modified"] = http_date(last_modified.timestamp())
    patch_cache_control(response, public=True, max_age=settings.KHABAR_PAGE_MAX_AGE)
    add_keys(response, [surrogate.sitemap_key(edition.code) for edition in editions])
    for edition in editions:  # the index: the nearest go-live of every edition
        shared_cache_control(request, response, edition)
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def index(request):
    """Every non-empty sitemap of every edition, each page of a long one on its own line. An
    empty sitemap (no story in the last 48 hours, no tag yet) is left out rather than listed,
    since the sitemap schema wants at least one <url>."""
    base = site_base(request)
    entries, latest = [], None
    sitemaps = edition_sitemaps(base)
    for name, sitemap in sitemaps.items():
        count, lastmod = sitemap.summary()
        if not count:
            continue
        latest = max(latest, lastmod) if latest else lastmod
        loc = base + reverse("sitemap", kwargs={"name": name})
        for page in range(1, sitemap.num_pages(count) + 1):
            location = loc if page == 1 else f"{loc}?p={page}"
            entries.append({"location": location, "lastmod": w3c_datetime(lastmod)})
    response = TemplateResponse(
        request,
        "syndication/sitemap_index.xml",
        {"sitemaps": entries},
        content_type="application/xml; charset=utf-8",
    )
    editions = {sitemap.edition.pk: sitemap.edition for sitemap in sitemaps.values()}
    return _public(request, response, editions.values(), latest)


@require_safe
def sitemap(request, name):
    sitemap = edition_sitemaps(site_base(request)).get(name)
    if sitemap is None:
        raise Http404("No such sitemap")
    raw = request.GET.get("p", "1")
    # ASCII digits only, as reader pages: one page, one URL.
    if not _PAGE_NUMBER.fullmatch(raw):
        raise Http404("No such page")
    try:
        urls = sitemap.get_urls(page=int(raw))
    except EmptyPage:
        raise Http404("No such page") from None
    if not urls:
        raise Http404("Nothing to list yet")
    template = (
        "syndication/sitemap_news.xml"
        if isinstance(sitemap, NewsSitemap)
        else ("syndication/sitemap.xml")
    )
    response = TemplateResponse(
        request,
        template,
        {"urlset": urls, "edition": sitemap.edition},
        content_type="application/xml; charset=utf-8",
    )
    return _public(request, response, [sitemap.edition], max(url["lastmod"] for url in urls))


def disallowed_paths(edition_codes) -> list[str]:
    """What crawlers are kept out of: the desk, the admin, the partner API, and in each edition
    the comment endpoints (forms, posting, confirmations) and search results, which are endless
    and thin. Comment links carrying a token (unsubscribe, privacy) sit under /comments/."""
    paths = [
        reverse("newsroom_desk"),
        reverse("admin:index"),
        "/api/",  # the partner API's prefix (khabar/urls.py); its routes have no common name
        reverse("comments_unsubscribe", kwargs={"token": "x"}).removesuffix("unsubscribe/x"),
    ]
    for code in edition_codes:
        paths.append(reverse("comments_privacy", kwargs={"edition": code}).removesuffix("privacy/"))
        paths.append(reverse("reader:search", kwargs={"edition": code}))
    return paths


@require_safe
def robots_txt(request):
    codes = Edition.objects.order_by("code").values_list("code", flat=True)
    context = {
        "disallow": disallowed_paths(codes),
        "sitemap": site_base(request) + reverse("sitemap_index"),
    }
    response = TemplateResponse(
        request, "syndication/robots.txt", context, content_type="text/plain; charset=utf-8"
    )
    patch_cache_control(response, public=True, max_age=settings.KHABAR_PAGE_MAX_AGE)
    return response
