from django.contrib import admin
from django.urls import include, path

from khabar.comments import urls as comment_urls
from khabar.reader import views as reader_views

urlpatterns = [
    path("", reader_views.root, name="root"),
    path("news/<int:code>", reader_views.short_link, name="short_link"),
    path("news/<int:code>/", reader_views.short_link),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),  # the admin's language menu posts here
    path("", include(comment_urls.urlpatterns)),
    path("", include("khabar.newsroom.urls")),
    path("<slug:edition>/", include(comment_urls.edition_urlpatterns)),
    path("<slug:edition>/", include("khabar.reader.urls")),
]

handler403 = "khabar.reader.views.permission_denied"
handler404 = "khabar.reader.views.page_not_found"
handler500 = "khabar.reader.views.server_error"
