"""Read replicas: reader pages read from a PostgreSQL streaming replica, everything else from the
primary. Enabled by DATABASE_REPLICA_URLS (settings.py makes one alias per URL, replica1, …,
installs ReplicaRouter and ReplicaMiddleware); with none set, nothing here runs.

Who reads from a replica: a GET or HEAD request (ReplicaMiddleware) whose path is not one of
KHABAR_PRIMARY_PATHS (the desk, the admin, the partner API), that carries no session cookie
(an editor looking at the site sees their own changes at once) and no primary cookie (set for
KHABAR_REPLICA_LAG_SECONDS on the answer to any POST: a reader who has just posted a comment
reads it back from the primary). Within such a request the router still sends to the primary:
every write, every read once the request has written, every read inside a transaction, and the
tables read to act rather than to show (sessions, users, login throttling, the task queue).
The worker and management commands never pass through the middleware: primary only.

Replication lag: a replica is used only while its measured lag (re-measured at most once a
second per process) is within KHABAR_REPLICA_LAG_SECONDS, so a page is never rendered from data
older than that bound. A cache purged on commit on the primary may still be refilled from a
replica that has not yet replayed the change: whoever purges on commit purges again
lag_bound() seconds later (repeat_after_lag does it), so a stale refill lives at most that long.
"""

import logging
import math
import random
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger(__name__)

PRIMARY_COOKIE = "khabar_primary"
READ_METHODS = frozenset({"GET", "HEAD"})
# Rows read to decide something, not to show it: read where they are written.
PRIMARY_APPS = frozenset({"sessions", "auth", "axes", "django_tasks_db", "admin"})
# How long a measured lag is trusted, per process: one cheap query a second per replica.
CHECK_SECONDS = 1.0

# The replica alias the current request reads from; None (the default): the primary.
_replica: ContextVar[str | None] = ContextVar("khabar_replica", default=None)

# On a replica: 0 when it has replayed all it received, else the age of the last transaction
# replayed; NULL when it is not streaming from the primary (its lag is then unknown). On a
# server that is not in recovery (a test mirror, a primary) 0.
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN NOT EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming') THEN NULL
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
END
"""


def aliases() -> list[str]:
    return list(getattr(settings, "KHABAR_REPLICAS", []))


def lag_bound() -> float:
    """Seconds a replica may be behind the primary and still serve pages; 0 without replicas.
    A cache that purges on commit purges again this long after (repeat_after_lag)."""
    return float(settings.KHABAR_REPLICA_LAG_SECONDS) if aliases() else 0.0


def current() -> str | None:
    """The replica the current request reads from, None for the primary. A page cache may give
    a page rendered from a replica a shorter life (at most lag_bound() beyond its purge)."""
    return _replica.get()


def measure_lag(alias: str) -> float | None:
    """Seconds the replica is behind, None when it does not stream (unknown). Raises when the
    replica does not answer."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return 0.0  # SQLite has no replicas: an alias here is the same file (tests)
    with connection.cursor() as cursor:
        cursor.execute(LAG_SQL)
        lag = cursor.fetchone()[0]
    return None if lag is None else round(float(lag), 3)


_lags: dict[str, tuple[float, float | None]] = {}
_lags_lock = threading.Lock()


def usable(alias: str) -> bool:
    """The replica answered within the last CHECK_SECONDS and was within the lag bound."""
    now = time.monotonic()
    seen = _lags.get(alias)
    if seen is None or now - seen[0] > CHECK_SECONDS:
        try:
            lag = measure_lag(alias)
        except Exception:
            # Down or unreachable: the primary serves until the next measurement.
            logger.warning("replica %s does not answer; reading from the primary", alias)
            # The next measurement connects afresh (a broken connection is not reused).
            for connection in connections.all(initialized_only=True):
                if connection.alias == alias:
                    connection.close()
            lag = None
        with _lags_lock:
            _lags[alias] = seen = (now, lag)
    return seen[1] is not None and seen[1] <= lag_bound()


def forget_lags() -> None:
    """Measure every replica again at its next use (tests, and after a fail-over)."""
    with _lags_lock:
        _lags.clear()


def choose() -> str | None:
    """A usable replica, picked at random to spread readers; None: read from the primary."""
    candidates = aliases()
    random.shuffle(candidates)
    return next((alias for alias in candidates if usable(alias)), None)


def eligible(request) -> bool:
    """May this request read from a replica (see the module's docstring)?"""
    if request.method not in READ_METHODS:
        return False
    if request.path_info.startswith(tuple(settings.KHABAR_PRIMARY_PATHS)):
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and PRIMARY_COOKIE not in cookies


@contextmanager
def reading_from(alias: str | None):
    """Reads in this block go to `alias` (a replica) as the router allows; None: the primary."""
    token = _replica.set(alias)
    try:
        yield
    finally:
        _replica.reset(token)


def repeat_after_lag(function, *args) -> None:
    """Call function(*args) again lag_bound() seconds from now, in this process, when replicas
    are configured: the second purge of a page cache (see the module's docstring). Call it
    after the first purge, on commit. A process that stops within the delay loses the repeat,
    and the page then lives until its max-age, as without replicas."""
    delay = lag_bound()
    if not delay:
        return
    timer = threading.Timer(delay, _quietly, args=(function, *args))
    timer.daemon = True
    timer.start()


def _quietly(function, *args) -> None:
    try:
        function(*args)
    except Exception:
        logger.exception("the purge repeated after the replicas' lag failed")


class ReplicaMiddleware:
    """Marks replica-eligible requests for the router; after a POST (or any other writing
    method), asks the browser to read from the primary for the lag bound."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        alias = choose() if eligible(request) else None
        with reading_from(alias):
            response = self.get_response(request)
        if request.method not in READ_METHODS and request.method != "OPTIONS":
            response.set_cookie(
                PRIMARY_COOKIE, "1", max_age=math.ceil(lag_bound()) + 1,
                httponly=True, samesite="Lax", secure=request.is_secure(),
            )  # fmt: skip
        return response


class ReplicaRouter:
    """Reads go to the request's replica (ReplicaMiddleware) unless the request has written,
    a transaction is open or the table is one read to act; writes always to the primary."""

    def db_for_read(self, model, **hints):
        alias = _replica.get()
        if alias is None:
            return None
        if model._meta.app_label in PRIMARY_APPS:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return alias

    def db_for_write(self, model, **hints):
        # Read-your-writes: once a request writes, the rest of it reads from the primary.
        _replica.set(None)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replicas hold the primary's rows: objects read from either may be related.
        ours = {DEFAULT_DB_ALIAS, *aliases()}
        if obj1._state.db in ours and obj2._state.db in ours:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # A replica is read-only and follows the primary's schema through replication.
        return None if db == DEFAULT_DB_ALIAS else False
