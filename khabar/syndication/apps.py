from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _forget_feeds(sender, article, **kwargs) -> None:
    from django.db import transaction

    from khabar.syndication.feeds import forget_edition_feeds

    # Now, for this process's next request, and again once the change is committed: a feed
    # rendered from the old rows by another request in between must not be kept under the
    # new token.
    forget_edition_feeds(article.edition_id)
    transaction.on_commit(lambda: forget_edition_feeds(article.edition_id))


class SyndicationConfig(AppConfig):
    """Feeds (RSS and Atom), sitemaps and robots.txt: what carries stories out to readers'
    feed readers, aggregators and crawlers."""

    name = "khabar.syndication"
    verbose_name = _("syndication")

    def ready(self):
        from khabar.news.signals import story_changed

        # A published, corrected or unpublished story changes the feeds of its edition.
        story_changed.connect(_forget_feeds, dispatch_uid="khabar.syndication.forget_feeds")
