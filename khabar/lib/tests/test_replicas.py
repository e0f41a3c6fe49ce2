"""Read replicas: the router's decisions as plain functions, then requests: a reader page reads
from the replica alias while the desk, a signed-in reader and a writer read from the primary.
The replica alias is a second connection to the test database (TEST MIRROR), so those tests
commit (transaction=True); KHABAR_TEST_REPLICA_URL adds one on a real streaming replica."""

import os
import threading
import time

import dj_database_url
import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import connections, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from khabar.lib import replicas
from khabar.news.models import Article

REPLICA = "replica"


@pytest.fixture
def with_replica(settings):
    """Settings as DATABASE_REPLICA_URLS makes them, with one replica alias."""
    settings.KHABAR_REPLICAS = [REPLICA]
    settings.KHABAR_REPLICA_LAG_SECONDS = 5
    settings.DATABASE_ROUTERS = ["khabar.lib.replicas.ReplicaRouter"]
    settings.MIDDLEWARE = [
        settings.MIDDLEWARE[0], "khabar.lib.replicas.ReplicaMiddleware", *settings.MIDDLEWARE[1:]
    ]  # fmt: skip
    replicas.forget_lags()
    yield settings
    replicas.forget_lags()


def read(model, **hints):
    """Where the router sends a read of `model`; its None is Django's default, the primary."""
    return replicas.ReplicaRouter().db_for_read(model, **hints) or "default"


# -- the router, as plain functions ------------------------------------------------------------


def test_without_a_request_marked_every_read_goes_to_the_primary(with_replica):
    assert read(Article) == "default"


@pytest.mark.django_db(transaction=True)  # no test transaction around it: atomic() is its own
def test_a_marked_request_reads_content_from_the_replica_and_the_rest_from_the_primary(
    with_replica,
):
    with replicas.reading_from(REPLICA):
        assert read(Article) == REPLICA
        assert read(Session) == "default"  # read to act, not to show
        assert read(User) == "default"
        with transaction.atomic():
            assert read(Article) == "default"  # inside a transaction: its own writes
        assert read(Article) == REPLICA
    assert replicas.current() is None


def test_once_a_request_writes_it_reads_from_the_primary(with_replica):
    router = replicas.ReplicaRouter()
    with replicas.reading_from(REPLICA):
        assert router.db_for_write(Article) == "default"
        assert read(Article) == "default"
    with replicas.reading_from(REPLICA):  # the next request starts afresh
        assert read(Article) == REPLICA


def test_only_the_primary_is_migrated(with_replica):
    router = replicas.ReplicaRouter()
    assert router.allow_migrate(REPLICA, "news") is False
    assert router.allow_migrate("default", "news") is None


@pytest.mark.parametrize(
    ("method", "path", "cookies", "eligible"),
    [
        ("GET", "/ar/", {}, True),
        ("HEAD", "/ar/news/100001/", {}, True),
        ("GET", "/ar/comments/100001", {}, True),
        ("POST", "/ar/comments/100001", {}, False),
        ("GET", "/desk/", {}, False),
        ("GET", "/admin/news/article/", {}, False),
        ("GET", "/api/v1/items", {}, False),
        ("GET", "/ar/", {"sessionid": "x"}, False),  # an editor sees their own changes
        ("GET", "/ar/", {replicas.PRIMARY_COOKIE: "1"}, False),  # just posted a comment
    ],
)
def test_which_requests_may_read_from_a_replica(with_replica, method, path, cookies, eligible):
    request = RequestFactory().generic(method, path)
    request.COOKIES.update(cookies)
    assert replicas.eligible(request) is eligible


def test_a_replica_behind_the_bound_or_down_is_not_used(with_replica, monkeypatch):
    lags = {"replica": 1.0}

    def measure(alias):
        if lags[alias] == "down":
            raise OSError("connection refused")
        return lags[alias]

    monkeypatch.setattr(replicas, "measure_lag", measure)
    assert replicas.choose() == REPLICA
    lags["replica"] = 9.0  # over KHABAR_REPLICA_LAG_SECONDS = 5 …
    assert replicas.choose() == REPLICA  # … but the last measurement is trusted for a second
    replicas.forget_lags()
    assert replicas.choose() is None
    lags["replica"] = None  # not streaming: lag unknown
    replicas.forget_lags()
    assert replicas.choose() is None
    lags["replica"] = "down"
    replicas.forget_lags()
    assert replicas.choose() is None


def test_lag_bound_is_zero_without_replicas(settings):
    settings.KHABAR_REPLICAS = []
    assert replicas.lag_bound() == 0
    settings.KHABAR_REPLICAS = [REPLICA]
    settings.KHABAR_REPLICA_LAG_SECONDS = 3
    assert replicas.lag_bound() == 3


def test_a_purge_is_repeated_after_the_lag_bound(with_replica):
    with_replica.KHABAR_REPLICA_LAG_SECONDS = 0.2
    calls, done = [], threading.Event()
    started = time.monotonic()
    replicas.repeat_after_lag(lambda key: (calls.append((key, time.monotonic())), done.set()), "k")
    assert done.wait(5)
    assert calls[0][0] == "k" and calls[0][1] - started >= 0.2


def test_without_replicas_nothing_is_repeated(settings):
    settings.KHABAR_REPLICAS = []
    calls = []
    timers_before = {t for t in threading.enumerate() if isinstance(t, threading.Timer)}
    replicas.repeat_after_lag(calls.append, "k")
    time.sleep(0.1)
    # (Other timers may run: the page cache repeats an edition-wide purge after 2 s.)
    timers = {t for t in threading.enumerate() if isinstance(t, threading.Timer)}
    assert calls == [] and timers <= timers_before


# -- requests --------------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup, django_db_blocker):
    """The alias `replica`: a second connection to the test database (or, with
    KHABAR_TEST_REPLICA_URL, to the same database on a streaming replica of the primary).
    Module-wide, so that it exists when a test's database access is checked."""
    default = connections["default"].settings_dict
    settings_dict = {**default, "TEST": {**default["TEST"], "MIRROR": "default"}}
    real = os.environ.get("KHABAR_TEST_REPLICA_URL")
    if real:
        parsed = dj_database_url.parse(real)
        settings_dict.update(HOST=parsed["HOST"], PORT=parsed["PORT"])
    connections.settings[REPLICA] = settings_dict
    yield REPLICA
    with django_db_blocker.unblock():
        connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


def queries(alias):
    return CaptureQueriesContext(connections[alias])


def requests_marker():
    return pytest.mark.django_db(transaction=True, databases=["default", REPLICA])


@pytest.fixture
def story(with_replica, make_article):
    """A published story, once the replica has it (at once on a mirror)."""
    story = make_article("خبر يُقرأ من النسخة المتماثلة")
    deadline = time.monotonic() + 30
    while not Article.objects.using(REPLICA).filter(pk=story.pk).exists():
        assert time.monotonic() < deadline, "the replica did not replay the story"
        time.sleep(0.05)
    return story


def test_a_reader_page_reads_from_the_replica_the_desk_from_the_primary(story, client, editor):
    with queries(REPLICA) as on_replica, queries("default") as on_primary:
        response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    assert story.headline in response.content.decode()
    assert len(on_replica) >= 1 and len(on_primary) == 0

    client.force_login(editor)
    with queries(REPLICA) as on_replica, queries("default") as on_primary:
        assert client.get("/desk/").status_code == 200
        # Signed in, the same reader page comes from the primary: the editor's own changes.
        assert client.get(story.get_absolute_url()).status_code == 200
    assert len(on_replica) == 0 and len(on_primary) >= 1


def test_after_a_post_the_browser_reads_from_the_primary_for_the_lag_bound(story, client):
    response = client.post("/health")  # any POST, even one refused
    cookie = response.cookies[replicas.PRIMARY_COOKIE]
    assert int(cookie["max-age"]) == 6 and cookie["httponly"]
    with queries(REPLICA) as on_replica:
        client.get(story.get_absolute_url())
    assert len(on_replica) == 0


for _test in (
    test_a_reader_page_reads_from_the_replica_the_desk_from_the_primary,
    test_after_a_post_the_browser_reads_from_the_primary_for_the_lag_bound,
):
    requests_marker()(_test)


@requests_marker()
@pytest.mark.skipif(
    not os.environ.get("KHABAR_TEST_REPLICA_URL"), reason="no streaming replica to read from"
)
def test_a_real_streaming_replica_serves_the_story_once_replayed(story, client):
    assert (
        connections[REPLICA].settings_dict["PORT"] != connections["default"].settings_dict["PORT"]
    )
    lag = replicas.measure_lag(REPLICA)
    assert lag is not None and lag < 5
    with queries(REPLICA) as on_replica:
        response = client.get(story.get_absolute_url())
    assert story.headline in response.content.decode() and len(on_replica) >= 1


# -- settings --------------------------------------------------------------------------------


def settings_with(tmp_path, **env):
    """The settings as a fresh interpreter reads them with only these variables set."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import json, khabar.settings as s; print(json.dumps({'dbs': s.DATABASES, "
        "'replicas': s.KHABAR_REPLICAS, 'routers': getattr(s, 'DATABASE_ROUTERS', []), "
        "'middleware': s.MIDDLEWARE}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[3],
        env={"PATH": os.environ["PATH"], "KHABAR_DATA_DIR": str(tmp_path), **env},
        capture_output=True, text=True,
    )  # fmt: skip
    return (
        result.returncode,
        (json.loads(result.stdout) if result.returncode == 0 else None),
        (result.stderr),
    )


def test_each_replica_url_becomes_an_alias_with_the_router_and_middleware(tmp_path):
    code, data, _err = settings_with(
        tmp_path,
        DATABASE_URL="postgres://u@primary.example/news",
        DATABASE_REPLICA_URLS="postgres://u@r1.example/news, postgres://u@r2.example/news",
    )
    assert code == 0
    assert data["replicas"] == ["replica1", "replica2"]
    assert data["dbs"]["replica2"]["HOST"] == "r2.example"
    assert data["dbs"]["replica1"]["TEST"] == {"MIRROR": "default"}
    assert all(db["OPTIONS"]["connect_timeout"] == 5 for db in data["dbs"].values())
    assert data["routers"] == ["khabar.lib.replicas.ReplicaRouter"]
    assert data["middleware"][1] == "khabar.lib.replicas.ReplicaMiddleware"


def test_without_replicas_neither_router_nor_middleware(tmp_path):
    code, data, _err = settings_with(tmp_path)
    assert code == 0
    assert data["replicas"] == [] and data["routers"] == []
    assert "khabar.lib.replicas.ReplicaMiddleware" not in data["middleware"]


def test_a_replica_of_sqlite_is_refused_at_start_up(tmp_path):
    code, _data, err = settings_with(tmp_path, DATABASE_REPLICA_URLS="sqlite:////tmp/x.sqlite3")
    assert code != 0 and "DATABASE_REPLICA_URLS" in err
