"""API keys: made, checked, recorded as used, and counted against the rate limit.

A key is "khabar_" and 43 characters of secrets.token_urlsafe(32), 256 random bits. Only its
SHA-256 is stored. A password hasher (PBKDF2) is slow on purpose, so that guessing a
low-entropy password from a stolen hash takes years; a 256-bit random key cannot be guessed at
any speed, so the slowness would protect nothing and cost a third of a second on every request.
And an unsalted digest can be looked up by an index, where salted hashes would have to be tried
one by one against every key.
"""

import hashlib
import math
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from khabar.api.models import ApiKey, Partner, RateCounter

KEY_START = "khabar_"
PREFIX_LENGTH = len(KEY_START) + 6
# The last use is written at most this often: not a database write on every request.
LAST_USED_EVERY = timedelta(minutes=1)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def make_key(partner: Partner, label: str = "") -> tuple[ApiKey, str]:
    """A new key for `partner`: the stored record and the key itself, to be shown once."""
    key = KEY_START + secrets.token_urlsafe(32)
    record = ApiKey.objects.create(
        partner=partner, label=label, prefix=key[:PREFIX_LENGTH], key_hash=digest(key)
    )
    return record, key


def fill_new_key(record: ApiKey) -> str:
    """Give an unsaved ApiKey (the admin's add form) its key; returns the key to show once."""
    key = KEY_START + secrets.token_urlsafe(32)
    record.prefix, record.key_hash = key[:PREFIX_LENGTH], digest(key)
    return key


def authenticate(header: str) -> ApiKey | None:
    """The live key sent as "Bearer <key>", with its partner; None for anything else (no
    header, another scheme, an unknown or revoked key, an inactive partner), all alike."""
    scheme, _, key = (header or "").partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key.startswith(KEY_START) or len(key) > 100:
        return None
    return (
        ApiKey.objects.select_related("partner")
        .filter(key_hash=digest(key), revoked_at__isnull=True, partner__is_active=True)
        .first()
    )


def record_use(record: ApiKey, now=None) -> None:
    """Note the key's last use, at most once a minute. The filter makes the write a no-op when
    another process wrote it meanwhile."""
    now = now or timezone.now()
    if record.last_used_at and now - record.last_used_at < LAST_USED_EVERY:
        return
    ApiKey.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_EVERY), pk=record.pk
    ).update(last_used_at=now)
    record.last_used_at = now


def revoke(records, now=None) -> int:
    return records.filter(revoked_at__isnull=True).update(revoked_at=now or timezone.now())


def hit(record: ApiKey, now=None) -> int:
    """Count a request of this key; 0 when it is within the limit, else the seconds until the
    window ends (for Retry-After).

    A fixed window of KHABAR_API_RATE seconds. The count must hold across processes, so it is
    never kept in a process's memory:
    - with Redis (REDIS_URL), in the shared cache: an atomic INCR, no database write;
    - on the embedded default, in the database, one row per key updated in place. The local
      memory cache is per process, so it cannot count; SQLite opens every transaction
      IMMEDIATE (settings.DATABASES), so the update and the read that follows are one step
      for every process, as PostgreSQL's row lock makes them there.
    """
    limit, seconds = settings.KHABAR_API_RATE
    now = now or timezone.now()
    stamp = now.timestamp()
    window = int(stamp // seconds)
    count = (
        _count_in_cache(record, window, seconds)
        if settings.KHABAR_API_RATE_IN_CACHE
        else (_count_in_database(record, window))
    )
    if count <= limit:
        return 0
    return max(1, math.ceil((window + 1) * seconds - stamp))


def _count_in_cache(record: ApiKey, window: int, seconds: int) -> int:
    name = f"api-rate:{record.pk}:{window}"
    cache.add(name, 0, timeout=seconds + 5)
    try:
        return cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.add(name, 1, timeout=seconds + 5)
        return 1


def _count_in_database(record: ApiKey, window: int) -> int:
    rows = RateCounter.objects.filter(key_id=record.pk)
    with transaction.atomic():
        for _attempt in range(3):
            if rows.filter(window=window).update(count=F("count") + 1):
                break
            # A new window: start it at 1, unless another process started it meanwhile (then
            # the loop counts this request into it).
            if rows.filter(window__lt=window).update(window=window, count=1):
                break
            RateCounter.objects.bulk_create(
                [RateCounter(key_id=record.pk, window=window - 1, count=0)], ignore_conflicts=True
            )
        return rows.values_list("count", flat=True).get()
