"""The syndication app's addresses: feeds (feed_urls) and sitemaps with robots.txt
(sitemap_urls), kept in two modules so that each part is read on its own."""

from khabar.syndication import feed_urls, sitemap_urls

urlpatterns = [*sitemap_urls.urlpatterns]
edition_urlpatterns = [*feed_urls.edition_urlpatterns]
