"""Sitemap and robots.txt addresses, at the site root."""

from django.urls import path

from khabar.syndication import sitemap_views

urlpatterns = [
    path("robots.txt", sitemap_views.robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap_views.index, name="sitemap_index"),
    path("sitemap-<str:name>.xml", sitemap_views.sitemap, name="sitemap"),
]
