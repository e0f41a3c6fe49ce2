"""Sitemap and robots.txt addresses, at the site root."""

urlpatterns = []
