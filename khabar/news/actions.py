"""Every change of an article's state goes through here: views, the admin and commands call these
functions and never set `status` or `news_code` themselves.

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


def do_publish(article: Article, *, at=None) -> Article:
    """Publish an article now (or at `at`), allocating its news code on first publication.

    Publishing again keeps the code; the publication time stays the first one unless `at` is
    given.
    """
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        check_publish(locked)
        if locked.news_code is None:
            locked.news_code = allocate_news_code()
        locked.status = Article.Status.PUBLISHED
        locked.published_at = at or locked.published_at or timezone.now()
        locked.save(update_fields=["news_code", "status", "published_at", "updated_at"])
    article.news_code = locked.news_code
    article.status = locked.status
    article.published_at = locked.published_at
    article.updated_at = locked.updated_at
    article._stored_news_code = locked.news_code
    return article


def do_unpublish(article: Article) -> Article:
    """Take an article off every public page. Its news code stays reserved for it."""
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        locked.status = Article.Status.UNPUBLISHED
        locked.save(update_fields=["status", "updated_at"])
    article.status = locked.status
    article.updated_at = locked.updated_at
    return article
