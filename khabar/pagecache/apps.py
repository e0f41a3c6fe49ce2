from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _purge_now_and_after_lag(keys) -> None:
    from khabar.lib import replicas
    from khabar.pagecache.purge import purge

    purge(keys)
    # With read replicas, a page rendered in the meantime from a replica that had not yet
    # replayed the change may have been stored again: purged once more after the lag bound.
    replicas.repeat_after_lag(purge, keys)


def _purge_story(sender, article, **kwargs) -> None:
    from django.db import transaction

    from khabar.news.surrogate import go_live_moments, story_change_keys
    from khabar.pagecache.tasks import purge_at

    # The keys now, while the story's tags and authors are at hand in its transaction; the
    # purge once it is committed: a reader arriving before would be served the old page again.
    keys = story_change_keys(article)
    transaction.on_commit(lambda: _purge_now_and_after_lag(keys))
    # Enqueued in the transaction (the queue is a table of the same database on the embedded
    # default): a rolled-back scheduling schedules nothing.
    for moment in go_live_moments(article):
        purge_at(moment, keys)


# Seconds after which an edition-wide purge is repeated: other processes keep the edition and
# its sections for up to reader.queries.EDITION_SECONDS_UNSHARED (1 s) after a change when the
# cache is not shared, and a page they render in that window must not stay.
EDITION_REPURGE_SECONDS = 2.0


def _purge_edition_pages(sender, instance, **kwargs) -> None:
    import threading

    from django.db import transaction

    from khabar.news.models import Author, Edition
    from khabar.news.surrogate import edition_key
    from khabar.pagecache.purge import purge

    if isinstance(instance, Edition):
        codes = [instance.code]
    elif isinstance(instance, Author):
        # An author writes for any edition: every edition's pages may show the name.
        codes = list(Edition.objects.values_list("code", flat=True))
    else:  # a section or a tag
        codes = list(Edition.objects.filter(pk=instance.edition_id).values_list("code", flat=True))
    keys = [edition_key(code) for code in codes]

    def after_commit():
        _purge_now_and_after_lag(keys)
        if EDITION_REPURGE_SECONDS:  # 0 in tests, where pages cached meanwhile are counted
            timer = threading.Timer(EDITION_REPURGE_SECONDS, purge, args=(keys,))
            timer.daemon = True
            timer.start()

    transaction.on_commit(after_commit)


def _purge_comments(sender, article_id, **kwargs) -> None:
    from django.db import transaction

    from khabar.news.surrogate import comment_change_keys

    keys = comment_change_keys(article_id)
    transaction.on_commit(lambda: _purge_now_and_after_lag(keys))


class PageCacheConfig(AppConfig):
    """Public pages kept in caches (the embedded one, Varnish, a CDN) and purged by surrogate
    key when what they show changes."""

    name = "khabar.pagecache"
    verbose_name = _("page cache")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from khabar.news.models import Author, Edition, Section, Tag
        from khabar.news.signals import comments_changed, story_changed

        story_changed.connect(_purge_story, dispatch_uid="khabar.pagecache.purge_story")
        for model in (Edition, Section, Tag, Author):
            for signal in (post_save, post_delete):
                signal.connect(
                    _purge_edition_pages,
                    sender=model,
                    dispatch_uid=f"khabar.pagecache.purge_edition.{model.__name__}.{signal}",
                )
        comments_changed.connect(_purge_comments, dispatch_uid="khabar.pagecache.purge_comments")
