from django.contrib import admin
from django.urls import URLResolver, include, path, register_converter

from khabar.api import urls as api_urls
from khabar.comments import urls as comment_urls
from khabar.reader import urls as reader_urls
from khabar.reader import views as reader_views
from khabar.search import urls as search_urls
from khabar.syndication import urls as syndication_urls


class EditionPrefix:
    """The first segment of an edition's reader pages: a slug, as <slug:edition>, that is not
    the first segment of one of the site's other addresses (admin, desk, api, …). With those
    refused, the reader's patterns are tried first, and an article is no longer matched against
    every other pattern of the site before its own (a twentieth of the page)."""

    regex = "[-a-zA-Z0-9_]+"

    def to_python(self, value):
        if value in _OTHER_FIRST_SEGMENTS:
            raise ValueError(value)  # not an edition page: the other patterns are tried
        return value

    def to_url(self, value):
        return value


register_converter(EditionPrefix, "edition")

# Every address that is not an edition's reader page, in the order they are tried.
_site = [
    path("", reader_views.root, name="root"),
    path("news/<int:code>", reader_views.short_link, name="short_link"),
    path("news/<int:code>/", reader_views.short_link),
    path("admin/", admin.site.urls),
    path("", include("khabar.health.urls")),
    path("i18n/", include("django.conf.urls.i18n")),  # the admin's language menu posts here
    path("api/", include(api_urls.urlpatterns)),
    path("", include(syndication_urls.urlpatterns)),
    path("", include(comment_urls.urlpatterns)),
    path("", include("khabar.newsroom.urls")),
]


def _first_segments(patterns):
    for pattern in patterns:
        head = str(pattern.pattern).split("/", 1)[0]
        if not head and isinstance(pattern, URLResolver):
            yield from _first_segments(pattern.url_patterns)
        elif "<" not in head:
            yield head


_OTHER_FIRST_SEGMENTS = frozenset(_first_segments(_site))

urlpatterns = [
    # The public site's one namespace, "reader": the search page's route (the search app's) is
    # named in it, so that "reader:search" reverses as before; reader itself imports no search.
    # Its patterns share no first segment after the edition with the comments' and the feeds'
    # below, so trying it first answers every address as the order of the list did before.
    path(
        "<edition:edition>/",
        include(([*reader_urls.urlpatterns, *search_urls.urlpatterns], reader_urls.app_name)),
    ),
    *_site,
    path("<slug:edition>/", include(comment_urls.edition_urlpatterns)),
    path("<slug:edition>/", include(syndication_urls.edition_urlpatterns)),
]

handler400 = "khabar.reader.views.bad_request"
handler403 = "khabar.reader.views.permission_denied"
handler404 = "khabar.reader.views.page_not_found"
handler500 = "khabar.reader.views.server_error"
