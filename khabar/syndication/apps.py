from django.apps import AppConfig


class SyndicationConfig(AppConfig):
    """Feeds (RSS and Atom), sitemaps and robots.txt: what carries stories out to readers'
    feed readers, aggregators and crawlers."""

    name = "khabar.syndication"
    verbose_name = "syndication"
