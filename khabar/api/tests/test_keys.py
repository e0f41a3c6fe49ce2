"""API keys: only a hash is stored, a short prefix tells them apart; without a live key the
answer is one 401 that reveals nothing; the last use is written at most once a minute; each key
has its own rate, and over it a JSON 429 says when to come back."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from khabar.api import keys
from khabar.api.models import ApiKey, Partner, RateCounter

pytestmark = pytest.mark.django_db


def test_a_key_is_stored_only_as_its_hash(partner):
    record, key = keys.make_key(partner)
    assert key.startswith("khabar_") and len(key) == 50
    stored = ApiKey.objects.get(pk=record.pk)
    assert stored.key_hash == keys.digest(key) and key not in stored.key_hash
    assert stored.prefix == key[:13] and str(stored) == f"{key[:13]}…"
    assert keys.authenticate(f"Bearer {key}") == stored
    assert keys.authenticate(f"Bearer {key[:-1]}") is None


def test_without_a_live_key_one_401_that_reveals_nothing(api, partner, key):
    other, revoked = keys.make_key(partner)
    keys.revoke(ApiKey.objects.filter(pk=other.pk))
    inactive = Partner.objects.create(name="شريك سابق", is_active=False)
    inactive_key = keys.make_key(inactive)[1]
    answers = [
        api("/api/ar/items", key=None),
        api("/api/ar/items", key="khabar_unknown"),
        api("/api/ar/items", key=revoked),
        api("/api/ar/items", key=inactive_key),
        api("/api/xx/items/1", key=revoked),
        api("/api/ar/items", key=None, Authorization=f"Basic {key}"),
    ]
    for response in answers:
        assert response.status_code == 401
        assert response.json() == {
            "error": "unauthorized",
            "message": "This API needs a partner key: Authorization: Bearer <key>.",
        }
        assert response["WWW-Authenticate"].startswith('Bearer realm="khabar"')
        assert response["Cache-Control"] == "private, no-store"
    assert answers[0]["WWW-Authenticate"] == 'Bearer realm="khabar"'
    assert answers[2]["WWW-Authenticate"] == 'Bearer realm="khabar", error="invalid_token"'
    assert api("/api/ar/items").status_code == 200


def test_the_last_use_is_written_at_most_once_a_minute(partner):
    record, _key = keys.make_key(partner)
    moment = timezone.now()
    keys.record_use(record, moment)
    assert ApiKey.objects.get(pk=record.pk).last_used_at == moment
    with CaptureQueriesContext(connection) as queries:
        keys.record_use(record, moment + timedelta(seconds=59))
    assert len(queries) == 0
    # Another process holding an older copy writes nothing either.
    stale = ApiKey.objects.get(pk=record.pk)
    stale.last_used_at = None
    keys.record_use(stale, moment + timedelta(seconds=30))
    assert ApiKey.objects.get(pk=record.pk).last_used_at == moment
    keys.record_use(record, moment + timedelta(seconds=61))
    assert ApiKey.objects.get(pk=record.pk).last_used_at == moment + timedelta(seconds=61)


def test_a_request_records_the_use(api, key):
    assert ApiKey.objects.get().last_used_at is None
    api("/api/ar/items")
    assert ApiKey.objects.get().last_used_at is not None


@pytest.mark.parametrize("in_cache", [False, True])
def test_over_the_rate_a_json_429_with_retry_after(api, key, partner, settings, in_cache):
    settings.KHABAR_API_RATE = (3, 60)
    settings.KHABAR_API_RATE_IN_CACHE = in_cache
    statuses = [api("/api/ar/items").status_code for _ in range(3)]
    over = api("/api/ar/items")
    assert statuses == [200, 200, 200] and over.status_code == 429
    assert 1 <= int(over["Retry-After"]) <= 60
    assert over.json()["error"] == "rate_limited"
    assert f"try again in {over['Retry-After']} seconds" in over.json()["message"]
    # Another key of the same partner has its own count.
    assert api("/api/ar/items", key=keys.make_key(partner)[1]).status_code == 200
    assert RateCounter.objects.exists() is not in_cache


def test_the_database_count_starts_again_in_the_next_window(partner, settings):
    settings.KHABAR_API_RATE = (2, 60)
    settings.KHABAR_API_RATE_IN_CACHE = False
    record = keys.make_key(partner)[0]
    start = timezone.now().replace(second=0, microsecond=0)
    assert [keys.hit(record, start + timedelta(seconds=s)) for s in (0, 1, 2)] == [0, 0, 58]
    assert keys.hit(record, start + timedelta(seconds=60)) == 0
    counter = RateCounter.objects.get(key=record)
    assert counter.count == 1 and counter.window == int(start.timestamp() // 60) + 1
