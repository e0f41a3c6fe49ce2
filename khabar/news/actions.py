"""The content-level operations on a story: its news code, publishing and unpublishing.

Nothing sets `status` or `news_code` but these functions and the newsroom's workflow verbs
(newsroom/actions.py), which wrap them and decide who may call them. This module knows only the
content, so it imports nothing above `news` and `lib`. What changes what readers see is announced
with the story_changed signal, inside the transaction, for whoever keeps a copy (the search index).

`check_*` functions validate and raise ValidationError with a sentence for the editor;
`do_*` functions change the database, atomically.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from khabar.news.models import Article, NewsCodeCounter
from khabar.news.signals import story_changed
from khabar.news.translations import shared_code


def lock_story(article: Article) -> Article:
    """The story's row, locked until the transaction ends, with its stored values.

    A row lock lasts until the outermost transaction ends, so the instance this returns carries
    the transaction it was locked in; handed back within it (the desk saves the text, then
    publishes it, in one request), the row is read again for its stored values but not locked a
    second time. (An instance kept past its transaction, into another run of the same
    `@transaction.atomic` function, would be taken for locked: no caller keeps one.)
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("lock_story() must run inside the transaction that changes the story")
    outermost = connection.atomic_blocks[0]
    if getattr(article, "_locked_in", None) is outermost:
        locked = Article.objects.get(pk=article.pk)
    else:
        locked = _locked_row(article.pk)
    locked._locked_in = outermost
    return locked


def _locked_row(pk: int) -> Article:
    """The one place a story's row is read FOR UPDATE (tests count the calls)."""
    return Article.objects.select_for_update().get(pk=pk)


def announce(article: Article) -> None:
    """Tell the listeners (the search index, later the page cache and feeds) that what readers
    see of this story has changed. Sent inside the transaction, so a copy kept in the same
    database changes with the story or not at all."""
    story_changed.send(sender=Article, article=article)


def allocate_news_code() -> int:
    """Hand out the next news code: unique across the site, never reused.

    One counter row, incremented in place. The UPDATE takes the row's write lock (a row lock on
    PostgreSQL, the database write lock on SQLite) and keeps it until the surrounding transaction
    ends, so concurrent publishers queue and each reads back its own value. A rolled-back
    publication returns its code with it, so codes have no gaps and are never handed out twice.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate_news_code() must run inside the publishing transaction")
    counter = NewsCodeCounter.objects.filter(pk=1)
    next_code = Greatest(F("last") + 1, Value(settings.KHABAR_FIRST_NEWS_CODE))
    if not counter.update(last=next_code):
        # The row is made by a migration; should it be gone (a flushed database), recreate it.
        # ON CONFLICT DO NOTHING: of several publishers racing here, one inserts, the others
        # wait for it and then take their turn at the UPDATE.
        NewsCodeCounter.objects.bulk_create([NewsCodeCounter(pk=1, last=0)], ignore_conflicts=True)
        counter.update(last=next_code)
    return counter.values_list("last", flat=True).get()


def check_publish(article: Article) -> None:
    errors = {}
    if not article.headline.strip():
        errors["headline"] = _("A story needs a headline before it is published.")
    if not article.body.strip():
        errors["body"] = _("A story needs a body before it is published.")
    if article.section_id and article.section.edition_id != article.edition_id:
        errors["section"] = _("The section belongs to another edition.")
    if errors:
        raise ValidationError(errors)


_UNCHANGED = object()


def do_publish(article: Article, *, at=None, embargo_until=_UNCHANGED) -> Article:
    """Publish an article now (or at `at`), allocating its news code on first publication.

    Publishing again keeps the code; the publication time stays the first one unless `at` is
    given. Who may publish is checked by the newsroom's callers (do_publish_now, do_schedule,
    do_embargo); this is the mechanism they share with the demo loader.
    """
    with transaction.atomic():
        locked = lock_story(article)
        check_publish(locked)
        if locked.news_code is None:
            locked.news_code = shared_code(locked) or allocate_news_code()
        locked.status = Article.Status.PUBLISHED
        locked.published_at = at or locked.published_at or timezone.now()
        fields = ["news_code", "status", "published_at", "updated_at"]
        if embargo_until is not _UNCHANGED:
            locked.embargo_until = embargo_until
            fields.append("embargo_until")
        locked.save(update_fields=fields)
        announce(locked)
    article.news_code = locked.news_code
    article.status = locked.status
    article.published_at = locked.published_at
    article.embargo_until = locked.embargo_until
    article.updated_at = locked.updated_at
    article._stored_news_code = locked.news_code
    return article


def do_unpublish(article: Article) -> Article:
    """Take an article off every public page. Its news code stays reserved for it."""
    with transaction.atomic():
        locked = lock_story(article)
        locked.status = Article.Status.UNPUBLISHED
        locked.save(update_fields=["status", "updated_at"])
        announce(locked)
    article.status = locked.status
    article.updated_at = locked.updated_at
    return article
