"""Fixtures of the API tests: a partner of the Arabic edition with a key, a reader of the API,
and the push worker run as bin/run starts it (personas and stories: the root conftest)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from khabar.api import keys
from khabar.api.models import Partner
from khabar.testing import database_url


@pytest.fixture
def partner(edition):
    partner = Partner.objects.create(name="صحيفة الشريك")
    partner.editions.set([edition])
    return partner


@pytest.fixture
def key(partner):
    return keys.make_key(partner, "production")[1]


@pytest.fixture
def api(key):
    """api(path, key=..., **headers) -> response, GET with the partner's key."""
    client = Client()

    def get(path, *, key=key, **headers):
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return client.get(path, headers=headers)

    return get


def start_worker(data_dir, **env):
    """`manage.py db_worker` as bin/run starts it, on the test database; retries after 1 s and
    a 2 s HTTP timeout, so that a retry and a lease run out within a test."""
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "KHABAR_HASH_SALT": settings.KHABAR_HASH_SALT,
        "KHABAR_DATA_DIR": str(data_dir),
        "DEBUG": "0",
        "KHABAR_WEBHOOK_FIRST_RETRY": "1",
        "KHABAR_WEBHOOK_TIMEOUT": "2",
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
         "--verbosity", "0"],
        cwd=Path(settings.BASE_DIR), env=environment,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


@pytest.fixture
def worker(tmp_path):
    started = []

    def start():
        process = start_worker(tmp_path / f"worker{len(started)}")
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=20)
