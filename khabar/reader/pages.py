"""The reader's public API: what every public page of an edition is built with.

Search, comments and every later public page (feeds, an API's HTML views) use these, never the
reader's views, so that a public page loads its edition, speaks its language, carries the
sections' navigation and a canonical link the same way everywhere.
"""

from functools import lru_cache, wraps

from django.conf import settings
from django.http import Http404, HttpResponse
from django.template.loader import get_template
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.encoding import iri_to_uri
from django.views.decorators.http import require_safe

from khabar.lib.surrogate import add_keys, response_keys
from khabar.news.models import Edition, Section
from khabar.news.surrogate import edition_key, shared_caches_purged, shared_max_age
from khabar.reader import queries


def in_edition(view):
    """Load the edition named by the URL (404 if there is none) and speak its language while the
    view runs and while a lazy response renders; the view receives the Edition. No caching and
    no method rule: pages that take a form or hold a reader's own text choose their own."""

    @wraps(view)
    def wrapper(request, edition, *args, **kwargs):
        edition_obj, sections = queries.edition_and_sections(edition)
        if edition_obj is None:
            raise Http404("No such edition")
        request.edition = edition_obj
        # Kept for render_page: asking again reads the shared cache's generation a second time.
        request.nav_sections = sections
        with translation.override(edition_obj.language):
            response = view(request, edition_obj, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
        return response

    return wrapper


def edition_page(view):
    """Load the edition named by the URL, speak its language, and let front caches keep the page.

    Reader pages never read the session or the CSRF token, so their bytes are the same for every
    reader and a shared cache may serve them.
    """
    in_its_edition = in_edition(view)

    @require_safe
    @wraps(view)
    def wrapper(request, edition, *args, **kwargs):
        response = in_its_edition(request, edition, *args, **kwargs)
        if response.status_code == 200:
            patch_cache_control(response, public=True, max_age=settings.KHABAR_PAGE_MAX_AGE)
            if response_keys(response):
                # Every page shows the edition's navigation: renaming a section reaches it.
                add_keys(response, [edition_key(request.edition.code)])
                shared_cache_control(request, response, request.edition)
        response.headers["Content-Language"] = request.edition.language
        return response

    return wrapper


# Where the page cache (khabar.pagecache) finds, in the request's WSGI environ, the moment the
# page's go-live cap was read: a purge after it refuses the page (see shared_max_age).
CAP_READ_AT = "khabar.cap_read_at"


def shared_cache_control(request, response, edition: Edition) -> None:
    """Let caches that Khabar purges by surrogate key (the response must carry them) keep the
    page for longer than browsers: s-maxage, never past the edition's next go-live moment.
    Nothing when no shared cache is purged: a cache that nobody purges keeps max-age."""
    if not shared_caches_purged():
        return
    seconds, read_at = shared_max_age(edition.pk)
    patch_cache_control(response, s_maxage=seconds)
    request.META[CAP_READ_AT] = min(read_at, request.META.get(CAP_READ_AT, read_at))


def edition_named(code: str) -> Edition | None:
    """The edition with this URL prefix, or None; kept by the process (reader.queries)."""
    return queries.edition_and_sections(code)[0]


def nav_sections(edition: Edition) -> list[Section]:
    """The edition's sections for the navigation bar, kept by each process (reader.queries)."""
    return queries.edition_and_sections(edition.code)[1]


def absolute_url(request, path: str) -> str:
    """An absolute URL, percent-encoded, for canonical links and machine-readable metadata."""
    if settings.SITE_URL:
        return _encoded(settings.SITE_URL + path)
    if not path.startswith("/") or path.startswith("//") or "/./" in path or "/../" in path:
        return request.build_absolute_uri(path)
    # What build_absolute_uri answers for a plain absolute path, with the request's scheme and
    # host read once per request and the percent-encoding of each address remembered: an
    # article page makes three, and encoding its Arabic slug each time was a fiftieth of it.
    origin = request.__dict__.get("_reader_origin")
    if origin is None:
        origin = request._reader_origin = f"{request.scheme}://{request.get_host()}"
    return _encoded(origin + path)


@lru_cache(maxsize=4096)
def _encoded(url: str) -> str:
    return iri_to_uri(url)


def canonical_url(request, page=None) -> str:
    """The page's own address without tracking parameters; ?page=N only past the first."""
    path = request.path
    if page is not None and page.number > 1:
        path += f"?page={page.number}"
    return absolute_url(request, path)


def render_page(request, edition, template, context, status=200):
    """A public page of the edition: its navigation and canonical link come with it; the
    context may give its own canonical (an article's address, whatever the request's)."""
    sections = getattr(request, "nav_sections", None)
    if sections is None or getattr(request, "edition", None) is not edition:
        sections = nav_sections(edition)
    context = {"edition": edition, "nav_sections": sections, **context}
    if "canonical" not in context:
        context["canonical"] = canonical_url(request, context.get("page"))
    # The request in a plain context rather than a RequestContext: public pages read no user,
    # message or CSRF token (their bytes are the same for every reader), and the context
    # processors that make them ran on every page for nothing.
    context["request"] = request
    return HttpResponse(get_template(template).render(context), status=status)
