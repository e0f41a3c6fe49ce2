"""Behind TLS (KHABAR_HTTPS=1): HSTS for a year, secure session and CSRF cookies, the proxy's
X-Forwarded-Proto trusted; subdomains, preload and Django's own redirect to HTTPS only when
asked. Settings are read at import, so each case starts Django in a fresh process with only
the given variables, and asks it through Django's test client."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

# Run inside `manage.py shell`: the settings that matter, `check --deploy`'s security warnings,
# and the headers and cookies of the desk's login page over HTTPS (as the proxy says) and HTTP.
PROBE = """
import json
from django.conf import settings
from django.core import checks
from django.test import Client, override_settings

# Static files as in the tests: the hashed-name storage needs collectstatic.
PLAIN = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

def answer(**headers):
    with override_settings(STORAGES=PLAIN):
        response = Client().get("/desk/login/", **headers)
    cookie = response.cookies.get("csrftoken")
    return {"status": response.status_code,
            "hsts": response.headers.get("Strict-Transport-Security"),
            "location": response.headers.get("Location"),
            "csrf_cookie_secure": bool(cookie and cookie["secure"])}

print(json.dumps({
    "hsts_seconds": settings.SECURE_HSTS_SECONDS,
    "subdomains": settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "preload": settings.SECURE_HSTS_PRELOAD,
    "redirect": settings.SECURE_SSL_REDIRECT,
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "proxy_header": settings.SECURE_PROXY_SSL_HEADER,
    "deploy_warnings": sorted(m.id for m in checks.run_checks(include_deployment_checks=True)
                              if m.id.startswith("security.")),
    "https": answer(HTTP_X_FORWARDED_PROTO="https"),
    "http": answer(),
}))
"""


def start(tmp_path, **env) -> dict:
    environment = {"PATH": os.environ["PATH"], "KHABAR_DATA_DIR": str(tmp_path), **env}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PROBE],
        cwd=ROOT, env=environment, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_behind_tls_hsts_for_a_year_and_secure_cookies(tmp_path):
    seen = start(tmp_path, KHABAR_HTTPS="1")
    assert seen["hsts_seconds"] == 365 * 24 * 3600
    assert (seen["subdomains"], seen["preload"], seen["redirect"]) == (False, False, False)
    assert seen["session_secure"] and seen["csrf_secure"]
    assert seen["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    # What `check --deploy` says about HSTS and cookies is settled; only the subdomain and
    # preload choices (W005, W021) and Django's redirect (W008) are left to whoever runs it.
    assert set(seen["deploy_warnings"]) <= {"security.W005", "security.W008", "security.W021"}
    assert seen["https"]["status"] == 200
    assert seen["https"]["hsts"] == "max-age=31536000"
    assert seen["https"]["csrf_cookie_secure"]
    # HSTS only means something over HTTPS: a plain request is not told it.
    assert seen["http"]["status"] == 200 and seen["http"]["hsts"] is None


def test_subdomains_preload_and_redirect_when_asked(tmp_path):
    seen = start(
        tmp_path, KHABAR_HTTPS="1", SECURE_HSTS_SECONDS="600",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="1", SECURE_HSTS_PRELOAD="1", SECURE_SSL_REDIRECT="1",
    )  # fmt: skip
    assert seen["https"]["hsts"] == "max-age=600; includeSubDomains; preload"
    assert seen["http"]["status"] == 301
    assert seen["http"]["location"] == "https://testserver/desk/login/"


def test_plain_http_by_default(tmp_path):
    seen = start(tmp_path)
    assert seen["hsts_seconds"] == 0
    assert not seen["session_secure"] and not seen["csrf_secure"]
    assert seen["proxy_header"] is None
    # Without KHABAR_HTTPS a forged X-Forwarded-Proto makes nothing secure.
    assert seen["https"]["hsts"] is None and not seen["https"]["csrf_cookie_secure"]
