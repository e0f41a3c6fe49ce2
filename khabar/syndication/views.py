"""The feeds and the feeds page. Thin views: feeds.py builds and caches the feeds."""

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from khabar.lib.surrogate import add_keys
from khabar.news import surrogate
from khabar.reader.pages import edition_page, render_page
from khabar.syndication import feeds


@edition_page
def feed(request, edition, fmt, kind, slug=None):
    rendered = feeds.cached_feed(request, edition, kind, slug, fmt)
    response = HttpResponse(rendered.body, content_type=rendered.content_type)
    response.headers["ETag"] = rendered.etag
    if rendered.last_modified:
        response.headers["Last-Modified"] = http_date(rendered.last_modified.timestamp())
    # Set here as well as by edition_page, which only marks a 200: a 304 carries it too.
    patch_cache_control(response, public=True, max_age=settings.KHABAR_PAGE_MAX_AGE)
    add_keys(response, [surrogate.feed_key(edition.code)])
    last_modified = rendered.last_modified.timestamp() if rendered.last_modified else None
    return get_conditional_response(
        request, etag=rendered.etag, last_modified=last_modified, response=response
    )


@edition_page
def feed_list(request, edition):
    context = feeds.feed_list(edition)
    response = render_page(request, edition, "syndication/feeds.html", context)
    # It lists the edition's sections and tags, which change with its stories.
    add_keys(response, [surrogate.front_key(edition.code)])
    return response
