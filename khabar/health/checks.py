"""What /health reports, as plain functions: the database (and each read replica), the shared
cache and the task queue. Each check answers a dict with a "status" of "ok", "degraded" or
"fail" and a few numbers; none of them says a host name, a version or an error's message, since
the endpoint answers anyone (what failed is logged here instead).

The load balancer acts on the overall status: "fail" takes this app server out of rotation,
"degraded" does not (a late worker or a lagging replica is not cured by sending readers
elsewhere, and taking every app server out would turn a late push into an outage)."""

import logging
import time
import uuid

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from khabar.lib import replicas

logger = logging.getLogger(__name__)

OK, DEGRADED, FAIL = "ok", "degraded", "fail"
_RANK = {OK: 0, DEGRADED: 1, FAIL: 2}


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)


def _failed(what: str, error: Exception, started: float) -> dict:
    logger.warning("health: %s failed", what, exc_info=error)
    # The class name tells an operator where to look (OperationalError, ConnectionError,
    # TimeoutError) without the message, which names hosts and ports.
    return {"status": FAIL, "error": type(error).__name__, "ms": _ms(started)}


def database(alias: str = DEFAULT_DB_ALIAS) -> dict:
    """SELECT 1 on the primary, under a short statement timeout on PostgreSQL (local to its
    transaction, so that a persistent connection keeps its own); connecting is bounded by
    connect_timeout (KHABAR_DB_CONNECT_TIMEOUT)."""
    connection = connections[alias]
    started = time.monotonic()
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                timeout_ms = settings.KHABAR_HEALTH_TIMEOUT_MS
                cursor.execute(f"SET LOCAL statement_timeout = {int(timeout_ms)}")
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return _failed("database", error, started)
    return {"status": OK, "ms": _ms(started)}


def replica(alias: str) -> dict:
    """A read replica answers, and how far it is behind the primary. Down, not streaming or
    behind by more than KHABAR_REPLICA_LAG_SECONDS is "degraded", not "fail": the router then
    reads from the primary, and this app server still serves every page."""
    started = time.monotonic()
    try:
        lag = replicas.measure_lag(alias)
    except Exception as error:
        return {**_failed(f"replica {alias}", error, started), "status": DEGRADED}
    status = OK if lag is not None and lag <= replicas.lag_bound() else DEGRADED
    return {"status": status, "lag_seconds": lag, "ms": _ms(started)}


def cache() -> dict:
    """A set, get and delete on the default cache (Redis when REDIS_URL is set), with a key
    of its own so that app servers checking at once do not read each other's value."""
    started = time.monotonic()
    key, value = f"khabar:health:{uuid.uuid4().hex}", uuid.uuid4().hex
    try:
        default = caches["default"]
        default.set(key, value, timeout=10)
        found = default.get(key)
        default.delete(key)
    except Exception as error:
        return _failed("cache", error, started)
    if found != value:
        return {"status": FAIL, "error": "value not read back", "ms": _ms(started)}
    return {"status": OK, "ms": _ms(started)}


def worker(now=None) -> dict:
    """The queue of django-tasks-db, which records no heartbeat of its workers: their liveness
    is read from the queue itself. The lag is the age of the oldest task that is due and not
    yet claimed (a running worker claims a due task within its poll interval, a second);
    above KHABAR_HEALTH_QUEUE_LAG_SECONDS the queue is "degraded". An empty queue is "ok"
    whether or not a worker runs: nothing is waiting for one. The numbers beside it (tasks
    due, running, seconds since a task last finished) are for the operator. A queue that
    cannot be read is "degraded" too: the database check says whether readers are served."""
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        # Another backend has its own monitoring (Celery's, RQ's); nothing to read here.
        return {"status": OK, "backend": "external"}
    from django_tasks_db.models import DBTaskResult, get_date_max

    now = now or timezone.now()
    started = time.monotonic()
    # A task without a run_after (get_date_max() marks it so) is due from when it was
    # queued; a retry, from its run_after.
    scheduled = ~Q(run_after=get_date_max())
    try:
        due = DBTaskResult.objects.ready().aggregate(
            count=Count("id"),
            oldest_queued=Min("enqueued_at", filter=~scheduled),
            oldest_scheduled=Min("run_after", filter=scheduled),
        )
        running = DBTaskResult.objects.running().count()
        last = DBTaskResult.objects.finished().aggregate(at=Max("finished_at"))["at"]
    except Exception as error:
        return {**_failed("task queue", error, started), "status": DEGRADED}
    oldest = [at for at in (due["oldest_queued"], due["oldest_scheduled"]) if at is not None]
    lag = max(0.0, (now - min(oldest)).total_seconds()) if oldest else 0.0
    return {
        "status": DEGRADED if lag > settings.KHABAR_HEALTH_QUEUE_LAG_SECONDS else OK,
        "queue_lag_seconds": round(lag, 1),
        "due": due["count"],
        "running": running,
        "last_finished_seconds_ago": round((now - last).total_seconds(), 1) if last else None,
        "ms": _ms(started),
    }


def run() -> dict:
    """Every check, and the overall status: the worst of them."""
    checks = {"database": database()}
    for alias in replicas.aliases():
        checks[alias] = replica(alias)
    checks["cache"] = cache()
    checks["worker"] = worker()
    status = max((check["status"] for check in checks.values()), key=_RANK.__getitem__)
    return {"status": status, "checks": checks}
