"""Several `manage.py db_worker` processes on one queue (docs/scaling.md, the worker pool):
every task runs once, by one worker, and the work is shared. django-tasks-db claims a task with
SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL and inside an exclusive transaction on SQLite."""

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django_tasks_db.models import DBTaskResult

from khabar.health import checks
from khabar.health.tests.tasks import take
from khabar.testing import database_url

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS, TASKS = 3, 60


def start_worker(data_dir, worker_id):
    environment = {
        **os.environ, "DATABASE_URL": database_url(), "SECRET_KEY": settings.SECRET_KEY,
        "KHABAR_DATA_DIR": str(data_dir), "DEBUG": "0",
    }  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
         "--interval", "0.1", "--worker-id", worker_id, "--verbosity", "0"],
        cwd=Path(settings.BASE_DIR), env=environment,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def test_several_workers_run_each_task_once_and_share_the_queue(tmp_path):
    for number in range(TASKS):
        take.enqueue(number)
    assert checks.worker()["due"] == TASKS
    workers = [start_worker(tmp_path / f"w{n}", f"worker-{n}") for n in range(WORKERS)]
    try:
        deadline = time.monotonic() + 120
        while DBTaskResult.objects.finished().count() < TASKS:
            assert all(w.poll() is None for w in workers), workers[0].stderr.read().decode()
            assert time.monotonic() < deadline, "the workers did not finish the queue"
            time.sleep(0.2)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=20)
    results = list(DBTaskResult.objects.all())
    assert all(r.status == "SUCCESSFUL" for r in results)
    assert sorted(r.return_value for r in results) == list(range(TASKS))
    assert all(len(r.worker_ids) == 1 for r in results)  # claimed once, never twice
    shares = Counter(r.worker_ids[0] for r in results)
    assert len(shares) >= 2, shares  # the pool shared the work
    after = checks.worker()
    assert after["due"] == 0 and after["running"] == 0 and after["status"] == "ok"
    assert after["last_finished_seconds_ago"] < 60
