"""What a partner may read, and the list's cursor. Plain functions of the partner and a time,
so tests call them at the second an embargo lifts."""

import base64
import binascii
import json
from datetime import datetime

from django.db.models import F, Prefetch, Q
from django.utils import timezone

from khabar.api.models import Partner
from khabar.news.models import Article, Correction, Edition

ITEM_QUERY = Article.objects.select_related("edition", "section").prefetch_related(
    "tags", "authors", Prefetch("corrections", Correction.objects.all())
)


class BadCursor(ValueError):
    pass


def editions_for(partner: Partner) -> set[str]:
    return set(partner.editions.values_list("code", flat=True))


def usable(partner: Partner, edition: Edition, now=None):
    """Stories the partner may use now: what readers see (Article.objects.published()), and,
    for a partner allowed them, embargoed stories as soon as they are published."""
    now = now or timezone.now()
    stories = ITEM_QUERY.filter(edition=edition)
    if partner.receives_embargoed:
        # An embargoed story's publication time is the embargo's end (newsroom do_embargo):
        # a scheduled story without an embargo stays hidden from everyone until its time.
        return stories.filter(status=Article.Status.PUBLISHED).filter(
            Q(published_at__lte=now) | Q(embargo_until__gt=now)
        )
    return stories.published(now)


def canceled(partner: Partner, edition: Edition):
    """Stories taken down that the partner could have had: published once, and out of embargo
    (or the partner sees embargoed stories) when they were taken down."""
    stories = ITEM_QUERY.filter(
        edition=edition, status=Article.Status.UNPUBLISHED, published_at__isnull=False
    )
    if partner.receives_embargoed:
        return stories.filter(Q(published_at__lte=F("updated_at")) | Q(embargo_until__isnull=False))
    return stories.filter(published_at__lte=F("updated_at")).filter(
        Q(embargo_until__isnull=True) | Q(embargo_until__lte=F("updated_at"))
    )


def visible(partner: Partner, edition: Edition, now=None):
    """Usable or canceled: every story the partner may be told about."""
    now = now or timezone.now()
    return usable(partner, edition, now) | canceled(partner, edition)


def changed_since(stories, since: datetime, partner: Partner, now=None):
    """Stories whose ninjs changed after `since`: saved (published, corrected, taken down), or
    reaching the partner by the clock (a scheduled time or an embargo that passed)."""
    now = now or timezone.now()
    changed = Q(updated_at__gt=since) | Q(published_at__gt=since, published_at__lte=now)
    if not partner.receives_embargoed:
        changed |= Q(embargo_until__gt=since, embargo_until__lte=now)
    return stories.filter(changed)


def page(stories, cursor: str | None, size: int):
    """Newest first, `size` stories after the cursor, and the cursor for the next page (None at
    the end). The cursor is the last story's (publication time, id): stories published later
    come before it, so new stories never shift a partner's pages."""
    stories = stories.order_by("-published_at", "-id")
    if cursor:
        moment, pk = decode_cursor(cursor)
        stories = stories.filter(Q(published_at__lt=moment) | Q(published_at=moment, id__lt=pk))
    found = list(stories[: size + 1])
    more = len(found) > size
    found = found[:size]
    return found, (encode_cursor(found[-1]) if more else None)


def encode_cursor(article: Article) -> str:
    raw = json.dumps([article.published_at.isoformat(), article.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        moment, pk = json.loads(raw)
        moment = datetime.fromisoformat(moment)
        if timezone.is_naive(moment) or not isinstance(pk, int):
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise BadCursor(cursor) from None
    return moment, pk
