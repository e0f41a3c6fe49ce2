"""A key's rate holds across app processes: two servers sharing only the database (the embedded
default has no shared cache) count the same key's requests together."""

import json
import urllib.error
import urllib.request

import pytest

from khabar.testing import spawn_server, wait_until_listening


def get(base, path, key):
    request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {key}"})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, dict(response.headers), json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.load(error)


@pytest.fixture
def two_servers(tmp_path):
    started = [spawn_server(tmp_path / name, KHABAR_API_RATE="4/3600", REDIS_URL="")
               for name in ("one", "two")]  # fmt: skip
    try:
        for process, base in started:
            wait_until_listening(process, base)
        yield [base for _process, base in started]
    finally:
        for process, _base in started:
            process.terminate()
            process.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_two_processes_count_one_key_together(two_servers, key, make_article):
    make_article()
    one, two = two_servers
    statuses = [get(base, "/api/ar/items", key)[0] for base in (one, two, one, two)]
    assert statuses == [200, 200, 200, 200]
    for base in (one, two):
        status, headers, body = get(base, "/api/ar/items", key)
        assert status == 429 and body["error"] == "rate_limited"
        assert 1 <= int(headers["Retry-After"]) <= 3600
