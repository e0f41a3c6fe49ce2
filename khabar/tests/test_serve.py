"""bin/serve (what bin/run ends in) serves as in production: granian (gunicorn with
KHABAR_SERVER=gunicorn) with DEBUG off whatever the shell says, pages compressed, hashed static
files cached for a year, a missing one a 404; Ctrl-C stops the server, its workers and the task
worker, and frees the port; either one ending stops the other."""

import contextlib
import gzip
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import brotli
import pytest
from django.conf import settings
from django.utils.encoding import iri_to_uri

from khabar.testing import database_url, free_port, wait_until_listening

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent.parent


def descendants(pid: int) -> set[int]:
    """Every process started under `pid`, read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def command_line(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def wait_until_gone(pids, seconds=40.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(alive(pid) for pid in pids):
        time.sleep(0.1)
    return [command_line(pid) for pid in pids if alive(pid)]


def port_is_free(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return True
    return False


def get(url, **headers):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """Static files collected once for the module (hashing and compressing them takes long)."""
    data_dir = tmp_path_factory.mktemp("collected")
    env = {**os.environ, "KHABAR_DATA_DIR": str(data_dir), "SECRET_KEY": "collectstatic"}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    return data_dir / "static"


@pytest.fixture(params=["granian", "gunicorn"])
def server(request):
    """The WSGI server bin/serve starts: granian by default, gunicorn on request."""
    return request.param


@pytest.fixture
def serve(tmp_path, collected, server):
    """bin/serve on the test database, in its own session as a terminal would run it: yields
    (process, base_url); killed at the end whatever the test did."""
    port = free_port()
    (tmp_path / "static").symlink_to(collected)
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "KHABAR_HASH_SALT": settings.KHABAR_HASH_SALT,
        "KHABAR_DATA_DIR": str(tmp_path),
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "DEBUG": "1",  # bin/serve must turn it off
    }
    if server == "gunicorn":
        env["KHABAR_SERVER"] = "gunicorn"
    # As a terminal starts it: SIGINT at its default even when this test runs from a background
    # job, which starts programs with SIGINT ignored (bash cannot trap a signal ignored at entry).
    process = subprocess.Popen(
        ["bin/serve"], cwd=ROOT, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_listening(process, base)
        yield process, base
    finally:
        started = descendants(process.pid) | {process.pid}
        # Each server's whole process group at once (the servers lead their own): killed one by
        # one, a granian worker killed before its main process was respawned by it and
        # outlived the test.
        groups = set()
        for pid in started:
            with contextlib.suppress(ProcessLookupError):
                groups.add(os.getpgid(pid))
        for group in groups - {os.getpgrp()}:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
        for pid in started:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait()


def test_pages_come_from_the_server_compressed_with_debug_off(serve, server, reference_article):
    _, base = serve
    url = base + iri_to_uri(reference_article.get_absolute_url())
    status, headers, plain = get(url)
    assert status == 200
    assert headers["Server"].startswith(server)
    status, headers, packed = get(url, **{"Accept-Encoding": "br"})
    assert headers["Content-Encoding"] == "br"
    assert brotli.decompress(packed) == plain
    assert "Accept-Encoding" in headers["Vary"]
    status, headers, packed = get(url, **{"Accept-Encoding": "gzip"})
    assert gzip.decompress(packed) == plain
    # DEBUG=1 in the environment, yet no debug page: the site's own 404.
    status, _, body = get(base + "/ar/news/999999999")
    assert status == 404
    assert b"URLconf" not in body and b"technical_404" not in body


def test_hashed_static_files_are_cached_for_a_year_and_a_missing_one_is_a_404(serve):
    _, base = serve
    status, _, page = get(base + "/desk/login/")
    assert status == 200
    css = next(
        part.split('"', 1)[0] for part in page.decode().split('href="')[1:]
        if part.startswith("/static/") and ".css" in part.split('"', 1)[0]
    )  # fmt: skip
    status, headers, _ = get(base + css, **{"Accept-Encoding": "br"})
    assert status == 200
    assert headers["Cache-Control"] == "max-age=315360000, public, immutable"
    assert headers["Content-Encoding"] == "br"
    for missing in ("/static/reader/missing.css", "/static/reader/site.0123456789ab.css"):
        assert get(base + missing)[0] == 404


def test_ctrl_c_stops_the_server_its_workers_and_the_task_worker(serve, server):
    process, base = serve
    port = int(base.rsplit(":", 1)[1])
    # The main process listens before it forks its workers: wait for it and its two.
    deadline = time.monotonic() + 60
    while True:
        started = descendants(process.pid)
        names = [command_line(pid) for pid in started]
        if sum(server in name for name in names) == 3 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert sum(server in name for name in names) == 3
    assert any("db_worker" in name for name in names)
    # Ctrl-C in a terminal: SIGINT to the foreground process group, the script's.
    os.killpg(process.pid, signal.SIGINT)
    process.wait(timeout=40)
    assert wait_until_gone(started) == []
    assert port_is_free(port)


def test_the_task_worker_ending_stops_the_server(serve):
    process, base = serve
    port = int(base.rsplit(":", 1)[1])
    started = descendants(process.pid)
    worker = next(pid for pid in started if "db_worker" in command_line(pid))
    os.kill(worker, signal.SIGKILL)
    process.wait(timeout=40)
    assert wait_until_gone(started) == []
    assert port_is_free(port)
