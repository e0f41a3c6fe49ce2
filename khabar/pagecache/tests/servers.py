"""Khabar under gunicorn with several workers behind the embedded page cache, as bin/run serves
it, for the freshness test and bench/purge.py (plain functions: no conftest is imported)."""

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

from khabar.testing import free_port, wait_until_listening

ROOT = Path(__file__).resolve().parents[3]


def collect_static(data_dir) -> Path:
    """Static files collected under data_dir/static, as bin/run does: pages name the hashed
    files of the manifest when DEBUG is off. Takes a few seconds; collect once and link."""
    environment = {**os.environ, "KHABAR_DATA_DIR": str(data_dir)}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                   cwd=ROOT, env=environment, check=True)  # fmt: skip
    return Path(data_dir) / "static"


def spawn_gunicorn(data_dir, *, workers=3, database_url=None, static=None, **env):
    """(process, base_url), listening. `static`: collected files to link in (collect_static).
    The caller terminates it."""
    if static is not None and not (Path(data_dir) / "static").exists():
        (Path(data_dir) / "static").symlink_to(static)
    port = free_port()
    environment = {**os.environ, "KHABAR_DATA_DIR": str(data_dir), "DEBUG": "0",
                   "KHABAR_PAGE_CACHE": "embedded", **env}  # fmt: skip
    if database_url:
        environment["DATABASE_URL"] = database_url
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
         f"127.0.0.1:{port}", "--log-level", "warning", "khabar.wsgi:application"],
        cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    wait_until_listening(process, base)
    return process, base


def fetch(base: str, path: str) -> tuple[str, str]:
    """(X-Cache, the page as text) of a GET, the path percent-encoded."""
    from urllib.parse import quote

    with urllib.request.urlopen(base + quote(path), timeout=20) as response:
        return response.headers.get("X-Cache", ""), response.read().decode()
