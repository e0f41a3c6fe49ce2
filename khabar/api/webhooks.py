"""Pushes: each publication, correction and unpublication POSTed to partners' webhooks as ninjs.

How a push goes:
- `plan(article)` runs on story_changed, inside the story's transaction: one Delivery per
  partner with a webhook that reads the story's edition, and, after commit, a task to send it
  (`tasks.deliver`, on django-tasks). A partner cleared for embargoed stories gets it at once;
  others at the second the embargo lifts (the task runs at that time).
- `attempt(delivery_id)` is the task's body. It claims the delivery for one attempt and, in the
  same transaction, enqueues the next attempt (the retry) before sending anything: if the worker
  dies mid-POST the retry is already in the queue, so a push is never lost, only perhaps sent
  twice (receivers drop repeats by X-Khabar-Delivery). A success makes that retry a no-op.
- Retries wait KHABAR_WEBHOOK_FIRST_RETRY seconds (30), doubling each time (1, 2, 4 … minutes),
  until KHABAR_WEBHOOK_GIVE_UP (a day) after the push was due; then the delivery is failed.
- Order: the body is the story as it is when sent, never an older snapshot, and a delivery
  waits while an earlier one of the same story and partner is pending; an earlier one that
  finds a later one due is "superseded" (the later sends the current version). So a partner
  never gets version 3 after version 4, and a late retry never pushes a story taken down.

Signing, for receivers (the README repeats it): `X-Khabar-Signature: t=<unix time>,v1=<hex>`,
where hex is HMAC-SHA256 with the partner's secret over `<t>.<body bytes>`. A receiver
recomputes it, compares in constant time, and refuses a `t` more than 5 minutes from its clock
(a replayed old push), and drops a repeated X-Khabar-Delivery id. `verify()` below does it.
"""

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from khabar.api import items, ninjs
from khabar.api.models import Delivery, Partner, Webhook
from khabar.news.models import Article

SECRET_START = "whsec_"
TOLERANCE = 300  # seconds a receiver accepts between the signature's time and its clock
Status = Delivery.Status


def new_secret() -> str:
    return SECRET_START + secrets.token_urlsafe(32)


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The X-Khabar-Signature header of `body` sent at `timestamp` (Unix seconds)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, body: bytes, header: str, now: float | None = None,
           tolerance: int = TOLERANCE) -> bool:  # fmt: skip
    """What a receiver does: the signature matches and is recent (a replay is refused)."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))


def event_of(article: Article) -> str:
    if article.status != Article.Status.PUBLISHED:
        return Delivery.Event.UNPUBLISHED
    return Delivery.Event.PUBLISHED if article.version == 1 else Delivery.Event.CHANGED


def due(partner: Partner, article: Article, now) -> object:
    """When the partner may first be told of the story as it is: now, or when it goes live
    (the embargo's end or the scheduled time) for a partner not cleared for embargoes."""
    if article.status != Article.Status.PUBLISHED or article.published_at is None:
        return now
    if partner.receives_embargoed and article.embargo_until:
        return now
    return max(now, article.published_at)


def plan(article: Article, now=None) -> list[Delivery]:
    """Deliveries of this change of the story, sent after the transaction commits."""
    if article.published_at is None:
        return []  # never published: no partner has been told of it
    now = now or timezone.now()
    partners = Partner.objects.filter(
        is_active=True, editions=article.edition_id, webhook__is_active=True
    )
    event = event_of(article)
    planned = [
        Delivery.objects.create(uuid=uuid.uuid4(), partner=partner, article=article,
                                event=event, not_before=due(partner, article, now))
        for partner in partners
    ]  # fmt: skip
    for delivery in planned:
        enqueue(delivery.pk, delivery.not_before)
    return planned


def enqueue(delivery_id: int, when=None) -> None:
    """Queue an attempt of the delivery at `when` (now if None), once the transaction commits:
    a rolled-back change is never pushed."""
    from khabar.api.tasks import deliver

    def send():
        at = when if when and when > timezone.now() else None
        (deliver.using(run_after=at) if at else deliver).enqueue(delivery_id)

    transaction.on_commit(send)


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=settings.KHABAR_WEBHOOK_FIRST_RETRY * 2 ** max(attempts - 1, 0))


def lease() -> timedelta:
    return timedelta(seconds=settings.KHABAR_WEBHOOK_TIMEOUT + 5)


def _kick_next(delivery: Delivery) -> None:
    """The next pending delivery of the same story and partner, if one waits for this one."""
    pending = Delivery.objects.filter(
        partner=delivery.partner_id, article=delivery.article_id, status=Status.PENDING
    )
    following = pending.filter(id__gt=delivery.id).order_by("id").first()
    if following:
        enqueue(following.pk, following.not_before)


def _finish(delivery: Delivery, status: str, now, **fields) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status, finished_at=now, leased_until=None, **fields
    )
    delivery.status = status
    _kick_next(delivery)


def _claim(delivery_id: int, now) -> tuple[Delivery | None, str]:
    """Take the delivery for one attempt, or say why not. Runs in a transaction."""
    delivery = Delivery.objects.select_related("partner").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != Status.PENDING:
        return None, "done"
    if delivery.not_before > now:
        enqueue(delivery.pk, delivery.not_before)
        return None, "not yet"
    if delivery.leased_until and delivery.leased_until > now:
        enqueue(delivery.pk, delivery.leased_until)  # an attempt is running; look again after
        return None, "running"
    pair = Delivery.objects.filter(partner=delivery.partner_id, article=delivery.article_id,
                                   status=Status.PENDING)  # fmt: skip
    if pair.filter(id__lt=delivery.id).exists():
        return None, "waiting"  # the earlier one kicks this one when it ends
    if pair.filter(id__gt=delivery.id, not_before__lte=now).exists():
        _finish(delivery, Status.SUPERSEDED, now)
        return None, "superseded"
    give_up = delivery.not_before + timedelta(seconds=settings.KHABAR_WEBHOOK_GIVE_UP)
    if delivery.attempts and now >= give_up:  # tried at least once, even after a long stop
        _finish(delivery, Status.FAILED, now)
        return None, "failed"
    claimed = (
        Delivery.objects.filter(pk=delivery.pk, status=Status.PENDING)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lte=now))
        .update(leased_until=now + lease(), attempts=F("attempts") + 1, last_attempt_at=now)
    )
    if not claimed:
        return None, "running"
    delivery.attempts += 1
    # Written ahead: the retry is queued with the claim, so a worker killed mid-POST loses
    # nothing. A success turns it into a no-op.
    enqueue(delivery.pk, now + retry_delay(delivery.attempts))
    return delivery, "claimed"


def body_for(delivery: Delivery, now) -> tuple[bytes | None, Article | None]:
    """The ninjs the partner gets now, or None when the partner may not see the story (no
    longer reading its edition, or it was taken down before the partner could see it)."""
    partner = delivery.partner
    webhook = Webhook.objects.filter(partner=partner, is_active=True).first()
    if webhook is None or not partner.is_active:
        return None, None
    article = items.ITEM_QUERY.filter(pk=delivery.article_id).first()
    if article is None or article.edition_id not in set(
        partner.editions.values_list("id", flat=True)
    ):
        return None, None
    if not items.visible(partner, article.edition, now).filter(pk=article.pk).exists():
        return None, article
    data = ninjs.item(article, webhook.ninjs_version, base_url=settings.SITE_URL or None, now=now)
    return json.dumps(data, ensure_ascii=False).encode(), article


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 3xx is an answer like any other non-2xx: the push is retried


_opener = urllib.request.build_opener(_NoRedirects)


def post(url: str, body: bytes, headers: dict) -> tuple[int | None, str]:
    """(HTTP status or None, error text) of one POST."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=settings.KHABAR_WEBHOOK_TIMEOUT) as response:
            response.read(1024)
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code}"
    except (OSError, ValueError) as error:
        return None, str(error)[:500] or type(error).__name__


def attempt(delivery_id: int) -> str:
    """One attempt of a delivery (the task's body): what happened, for the task's result."""
    now = timezone.now()
    with transaction.atomic():
        delivery, outcome = _claim(delivery_id, now)
    if delivery is None:
        return outcome
    body, article = body_for(delivery, now)
    if body is None:
        with transaction.atomic():
            _finish(delivery, Status.SKIPPED, timezone.now())
        return "skipped"
    webhook = Webhook.objects.get(partner=delivery.partner_id)
    timestamp = int(time.time())
    status, error = post(webhook.url, body, {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Khabar-Webhook/1",
        "X-Khabar-Delivery": str(delivery.uuid),
        "X-Khabar-Event": delivery.event,
        "X-Khabar-Signature": sign(webhook.secret, body, timestamp),
    })  # fmt: skip
    ended = timezone.now()
    with transaction.atomic():
        if status is not None and 200 <= status < 300:
            _finish(delivery, Status.DELIVERED, ended, last_http_status=status, last_error="",
                    sent_version=article.version)  # fmt: skip
            return "delivered"
        fields = {"last_http_status": status, "last_error": error, "leased_until": None}
        give_up = delivery.not_before + timedelta(seconds=settings.KHABAR_WEBHOOK_GIVE_UP)
        if ended + retry_delay(delivery.attempts) >= give_up:
            fields.pop("leased_until")
            _finish(delivery, Status.FAILED, ended, **fields)
            return "failed"
        Delivery.objects.filter(pk=delivery.pk).update(**fields)
    return "retrying"
