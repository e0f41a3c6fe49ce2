"""The real front servers for tests and bench/cache_hits.py: gunicorn running Khabar, varnishd
with deploy/varnish, nginx with deploy/nginx, each in its own directory, on free ports, stopped
with its children by stop(). Plain functions, so that the bench uses them outside pytest."""

import http.client
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from khabar.testing import free_port, wait_until_listening

REPO = Path(__file__).resolve().parents[3]
DEPLOY = REPO / "deploy"
REQUIRE = "KHABAR_REQUIRE_FRONT_SERVERS"


def binary(name: str) -> str:
    """The path of `name` (varnishd and nginx live in /usr/sbin); the test is skipped without
    it, unless KHABAR_REQUIRE_FRONT_SERVERS=1 (CI), where it fails."""
    import pytest

    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin")
    if path:
        return path
    if os.environ.get(REQUIRE) == "1":
        pytest.fail(f"{name} is not installed and {REQUIRE}=1")
    pytest.skip(f"{name} is not installed")


def render(template: Path, out: Path, **values: str) -> Path:
    """`template` with each @NAME@ replaced by values[NAME], written to `out`; a placeholder
    left without a value is an error, not a broken configuration."""
    text = template.read_text()
    for name, value in values.items():
        text = text.replace(f"@{name}@", str(value))
    left = sorted(set(re.findall(r"@[A-Z_]+@", text)))
    if left:
        raise ValueError(f"{template.name}: placeholders without a value: {left}")
    out.write_text(text)
    return out


def stop(process: subprocess.Popen) -> None:
    """Stop a server and everything it started (its own process group): TERM, then KILL."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    except ProcessLookupError:
        pass


def _spawn(argv, *, env=None, cpu=None, stderr=None, cwd=None):
    if cpu is not None and shutil.which("taskset"):
        argv = ["taskset", "-c", str(cpu), *argv]
    return subprocess.Popen(
        argv, env=env, cwd=cwd, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=stderr if stderr is not None else subprocess.PIPE,
    )  # fmt: skip


def collect_static(directory: Path) -> Path:
    """collectstatic into `directory` (hashed names, .gz and .br beside them), as a deployment
    runs it: without it, pages fail with DEBUG off (the manifest names their files)."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=REPO, check=True, env={**os.environ, "KHABAR_DATA_DIR": str(directory.parent)},
    )  # fmt: skip
    return directory


def _app_environment(data_dir: Path, database_url: str, static: Path, env: dict):
    """A free port and the environment of an app server on `data_dir`, serving `static`."""
    data_dir.mkdir(parents=True, exist_ok=True)
    if not (data_dir / "static").exists():
        (data_dir / "static").symlink_to(static)
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "KHABAR_DATA_DIR": str(data_dir),
        "DEBUG": "0",
        **{name: str(value) for name, value in env.items()},
    }
    return free_port(), environment


def start_gunicorn(data_dir: Path, *, database_url: str, static: Path, workers=2, cpu=None,
                   log=None, **env):  # fmt: skip
    """Khabar in gunicorn on its own port, serving `static` (collect_static's) as its
    STATIC_ROOT: (process, base_url), listening."""
    port, environment = _app_environment(data_dir, database_url, static, env)
    argv = [sys.executable, "-m", "gunicorn", "khabar.wsgi:application",
            "-b", f"127.0.0.1:{port}", "-w", str(workers)]  # fmt: skip
    if log:
        argv += ["--access-logfile", str(log)]
    process = _spawn(argv, env=environment, cpu=cpu, cwd=REPO)
    base = f"http://127.0.0.1:{port}"
    wait_until_listening(process, base)
    return process, base


def start_granian(data_dir: Path, *, database_url: str, static: Path, workers=1, threads=16,
                  cpu=None, **env):  # fmt: skip
    """Khabar in granian as bin/serve runs it (WSGI, `threads` blocking threads a worker), on
    its own port: (process, base_url), listening."""
    port, environment = _app_environment(data_dir, database_url, static, env)
    argv = [str(Path(sys.executable).parent / "granian"), "--interface", "wsgi",
            "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
            "--blocking-threads", str(threads), "khabar.wsgi:application"]  # fmt: skip
    process = _spawn(argv, env=environment, cpu=cpu, cwd=REPO)
    base = f"http://127.0.0.1:{port}"
    wait_until_listening(process, base)
    return process, base


def probe_url() -> tuple[str, int]:
    """What the backends' health probe asks for: /health when the app has it, else the desk's
    login page (200 whether or not there is content yet)."""
    from django.urls import Resolver404, resolve

    try:
        resolve("/health")
        return "/health", 200
    except Resolver404:
        return "/desk/login/", 200


def start_varnish(directory: Path, backends: list[str], *, acl=None, cpu=None, port=None,
                  vcl: str | None = None, params=()):  # fmt: skip
    """varnishd with deploy/varnish/khabar.vcl (one backend) or khabar-scaled.vcl (two), the
    backends' addresses ("http://127.0.0.1:PORT") put in place of the shipped ones:
    (process, base_url), listening and with its backends healthy. `vcl`: another VCL's text
    instead (bench/cache_hits.py's floor), its backend at @BACKEND_PORT@; `params`: more
    varnishd arguments."""
    binary("varnishd")
    directory.mkdir(parents=True, exist_ok=True)
    url, status = probe_url()
    name = "khabar.vcl" if len(backends) == 1 else "khabar-scaled.vcl"
    text = (DEPLOY / "varnish" / name).read_text()
    text = text.replace('"/health"', f'"{url}"').replace(
        "expected_response = 200", f"expected_response = {status}"
    )
    # A machine shared by several test runs can take over a second to answer the probe: the
    # backends would be marked sick and pages answered 503.
    text = text.replace(".timeout = 1s;", ".timeout = 5s;")
    shipped = ["127.0.0.1"] if len(backends) == 1 else ["10.0.0.11", "10.0.0.12"]
    for host, backend in zip(shipped, backends, strict=True):
        backend_port = backend.rsplit(":", 1)[1]
        text = text.replace(f'.host = "{host}";\n    .port = "8000";',
                            f'.host = "127.0.0.1";\n    .port = "{backend_port}";', 1)  # fmt: skip
    (directory / name).write_text(text)
    rules = (DEPLOY / "varnish" / "khabar-rules.vcl").read_text()
    if acl is not None:
        rules = rules.replace('"127.0.0.1";\n    "::1";', f'"{acl}";')
    (directory / "khabar-rules.vcl").write_text(rules)
    if vcl is not None:
        text = vcl.replace("@BACKEND_PORT@", backends[0].rsplit(":", 1)[1])
        (directory / name).write_text(text)
    port = port or free_port()
    argv = ["varnishd", "-F", "-n", str(directory / "work"), "-a", f"127.0.0.1:{port}",
            "-f", str(directory / name), "-p", f"vcl_path={directory}",
            "-p", "vcc_allow_inline_c=off", "-s", "malloc,64m", "-T", "none",
            *params]  # fmt: skip
    if os.geteuid() == 0:
        argv += ["-j", "none"]  # as root, Varnish would switch to a "varnish" user and group
    process = _spawn(argv, cpu=cpu, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    wait_until_listening(process, base)
    # The probe's initial state is healthy; wait for one answer through Varnish anyway, so that
    # a test never measures the first connection to the backends.
    _wait_for_answer(process, base + "/desk/login/")
    return process, base


def start_nginx(directory: Path, *, app: str, data_dir: Path, cpu=None, tls=True):
    """nginx with deploy/nginx/khabar.conf, a self-signed certificate for 127.0.0.1 and its own
    pid, log and temporary paths: (process, http_base, https_base), listening. tls=False (the
    bench, comparing with Varnish, which speaks no TLS): the site's server on plain HTTP."""
    binary("nginx")
    directory.mkdir(parents=True, exist_ok=True)
    for sub in ("logs", "tmp"):
        (directory / sub).mkdir(exist_ok=True)
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    http_port, https_port = free_port(), free_port()
    shutil.copy(DEPLOY / "nginx" / "khabar-proxy.conf", directory / "khabar-proxy.conf")
    render(
        DEPLOY / "nginx" / "khabar.conf", directory / "khabar.conf",
        SERVER_NAME="127.0.0.1 localhost", HTTP_LISTEN=f"127.0.0.1:{http_port}",
        HTTPS_LISTEN=f"127.0.0.1:{https_port}", CERT=cert, CERT_KEY=key,
        APP=app.removeprefix("http://"), DATA_DIR=data_dir, CONF_DIR=directory,
    )  # fmt: skip
    if not tls:
        conf = directory / "khabar.conf"
        conf.write_text(conf.read_text().replace(f"{https_port} ssl http2;", f"{https_port};"))
    modules = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
    temp = directory / "tmp"
    # As root, nginx's workers would run as nobody, who cannot read the tests' private
    # temporary directories.
    user = "user root root;" if os.geteuid() == 0 else ""
    main = f"""
{f"load_module {modules};" if modules.exists() else ""}
{user}
worker_processes 1;
pcre_jit on;
pid {directory}/nginx.pid;
error_log {directory}/logs/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {directory}/khabar.conf;
}}
"""
    (directory / "nginx.conf").write_text(main)
    argv = ["nginx", "-p", str(directory), "-c", str(directory / "nginx.conf"),
            "-g", "daemon off;"]  # fmt: skip
    process = _spawn(argv, cpu=cpu)
    http_base = f"http://127.0.0.1:{http_port}"
    https_base = f"{'https' if tls else 'http'}://127.0.0.1:{https_port}"
    wait_until_listening(process, https_base)
    return process, http_base, https_base


def _wait_for_answer(process, url, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            fetch(url, timeout=5)
            return
        except OSError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped with status {process.returncode}")
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def fetch(url: str, *, method="GET", headers=None, body=None, timeout=10):
    """One request, redirects not followed, bodies not decoded, any certificate accepted
    (the tests' own): (status, headers as an http.client.HTTPMessage, body bytes)."""
    scheme, rest = url.split("://", 1)
    host, _, path = rest.partition("/")
    if scheme == "https":
        context = ssl._create_unverified_context()
        connection = http.client.HTTPSConnection(host, timeout=timeout, context=context)
    else:
        connection = http.client.HTTPConnection(host, timeout=timeout)
    try:
        target = urllib.parse.quote("/" + path, safe="/?&=%:;,+@")
        connection.request(method, target, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def app_environment(**extra) -> dict:
    """The test's secret key and hash salt, so that sessions and tokens made in the test process
    are valid in the server's, and the embedded page cache on, as the run command has it (the
    root conftest turns it off for the servers of other tests)."""
    from django.conf import settings

    return {
        "KHABAR_PAGE_CACHE": "embedded",
        "SECRET_KEY": settings.SECRET_KEY,
        "KHABAR_HASH_SALT": settings.KHABAR_HASH_SALT,
        **extra,
    }


def read_page(base: str, path: str) -> tuple[str, str]:
    """(X-Cache, the page as text) of a plain GET (no Accept-Encoding)."""
    status, headers, body = fetch(base + path)
    assert status == 200, (path, status)
    return headers.get("X-Cache", ""), body.decode()
