from django.urls import path, register_converter

from khabar.reader import views


class TextSlug:
    """A path segment for Unicode slugs: anything but a slash or a NUL (which PostgreSQL
    refuses in text, and which no slug of ours contains)."""

    regex = "[^/\x00]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(TextSlug, "text")

app_name = "reader"

urlpatterns = [
    path("", views.home, name="home"),
    path("section/<text:slug>/", views.section, name="section"),
    path("tag/<text:slug>/", views.tag, name="tag"),
    path("author/<text:slug>/", views.author, name="author"),
    path("corrections/", views.corrections, name="corrections"),
    path("news/<int:code>", views.article, name="article_no_slug"),
    path("news/<int:code>/", views.article),
    path("news/<int:code>/<text:slug>", views.article, name="article"),
    path("news/<int:code>/<text:slug>/", views.article),
]
