"""Fixtures for the front-server tests: each server started here is stopped at the end of the
test that asked for it, whatever the test's outcome."""

import pytest

from khabar.pagecache.tests import servers
from khabar.testing import database_url, free_port


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """The static files, collected once for every server of the session."""
    return servers.collect_static(tmp_path_factory.mktemp("collected") / "static")


@pytest.fixture
def varnish_port():
    return free_port()


@pytest.fixture
def app_server(tmp_path, transactional_db, varnish_port, static_root):
    """Khabar in gunicorn (two workers) on the test database, purging the Varnish that
    `varnish` starts on varnish_port: (base_url, data_dir)."""
    data_dir = tmp_path / "data"
    process, base = servers.start_gunicorn(
        data_dir, database_url=database_url(), static=static_root,
        **servers.app_environment(KHABAR_VARNISH_URLS=f"http://127.0.0.1:{varnish_port}"),
    )  # fmt: skip
    try:
        yield base, data_dir
    finally:
        servers.stop(process)


@pytest.fixture
def varnish(tmp_path, app_server, varnish_port):
    """varnishd with deploy/varnish/khabar.vcl in front of app_server: its base URL."""
    servers.binary("varnishd")
    process, base = servers.start_varnish(tmp_path / "varnish", [app_server[0]], port=varnish_port)
    try:
        yield base
    finally:
        servers.stop(process)
