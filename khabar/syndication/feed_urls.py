"""Feed addresses under /<edition>/: the feeds page, and RSS and Atom of the edition and of
each section, tag and author. Named without a namespace, so that reader templates link to them
with {% url %} and import nothing from here."""

from django.urls import path, register_converter

from khabar.reader.urls import TextSlug  # noqa: F401  (registers the "text" converter)
from khabar.syndication import views


class FeedFormat:
    regex = "rss|atom"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FeedFormat, "feed_format")

edition_urlpatterns = [
    path("feeds/", views.feed_list, name="feeds"),
    path("feeds/<feed_format:fmt>.xml", views.feed, {"kind": "edition"}, name="edition_feed"),
    path(
        "feeds/section/<text:slug>/<feed_format:fmt>.xml",
        views.feed,
        {"kind": "section"},
        name="section_feed",
    ),
    path(
        "feeds/tag/<text:slug>/<feed_format:fmt>.xml", views.feed, {"kind": "tag"}, name="tag_feed"
    ),
    path(
        "feeds/author/<text:slug>/<feed_format:fmt>.xml",
        views.feed,
        {"kind": "author"},
        name="author_feed",
    ),
]
