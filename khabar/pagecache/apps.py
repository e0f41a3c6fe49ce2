from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _purge_story(sender, article, **kwargs) -> None:
    from django.db import transaction

    from khabar.news.surrogate import story_change_keys
    from khabar.pagecache.purge import purge

    # The keys now, while the story's tags and authors are at hand in its transaction; the
    # purge once it is committed: a reader arriving before would be served the old page again.
    keys = story_change_keys(article)
    transaction.on_commit(lambda: purge(keys))


def _purge_comments(sender, article_id, **kwargs) -> None:
    from django.db import transaction

    from khabar.news.surrogate import comment_change_keys
    from khabar.pagecache.purge import purge

    keys = comment_change_keys(article_id)
    transaction.on_commit(lambda: purge(keys))


class PageCacheConfig(AppConfig):
    """Public pages kept in caches (the embedded one, Varnish, a CDN) and purged by surrogate
    key when what they show changes."""

    name = "khabar.pagecache"
    verbose_name = _("page cache")

    def ready(self):
        from khabar.news.signals import comments_changed, story_changed

        story_changed.connect(_purge_story, dispatch_uid="khabar.pagecache.purge_story")
        comments_changed.connect(_purge_comments, dispatch_uid="khabar.pagecache.purge_comments")
