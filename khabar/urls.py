from django.contrib import admin
from django.urls import include, path

from khabar.api import urls as api_urls
from khabar.comments import urls as comment_urls
from khabar.reader import urls as reader_urls
from khabar.reader import views as reader_views
from khabar.search import urls as search_urls
from khabar.syndication import urls as syndication_urls

urlpatterns = [
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
    path("<slug:edition>/", include(comment_urls.edition_urlpatterns)),
    path("<slug:edition>/", include(syndication_urls.edition_urlpatterns)),
    # The public site's one namespace, "reader": the search page's route (the search app's) is
    # named in it, so that "reader:search" reverses as before; reader itself imports no search.
    path(
        "<slug:edition>/",
        include(([*reader_urls.urlpatterns, *search_urls.urlpatterns], reader_urls.app_name)),
    ),
]

handler400 = "khabar.reader.views.bad_request"
handler403 = "khabar.reader.views.permission_denied"
handler404 = "khabar.reader.views.page_not_found"
handler500 = "khabar.reader.views.server_error"
