"""Helpers that tests import: plain functions, so that no test imports a conftest module.

Fixtures stay in conftest modules; what a test calls by name lives here. Nothing here is shown
to readers or editors, so it holds no translatable string (the catalogue extractor reads it).
"""

import base64
import json

PHONE_WIDTHS = (320, 390, 412)


def session_cookie(user, live_server):
    """The session cookie of `user`, logged in without a password, for a browser context:
    context.add_cookies([session_cookie(user, live_server)])."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}


def open_page(context):
    """A new page of `context` whose script errors (uncaught, or logged to the console) are
    collected in context.problems; dialogs are dismissed, as Playwright does by default."""
    page = context.new_page()
    page.on("pageerror", lambda error: context.problems.append(str(error)))
    page.on("console", lambda m: m.type == "error" and context.problems.append(m.text))
    return page


def axe_violations(page):
    """axe-core's violations on the page as it is now, at every impact: a list of
    "rule-id (impact): target, target" strings, empty when the page passes."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): " + ", ".join(str(n["target"]) for n in v["nodes"][:5])
        for v in results.response["violations"]
    ]


def overflow(page):
    """How many CSS pixels the document is wider than the viewport (0 when it fits): a page
    that scrolls sideways on a phone makes taps land on the wrong element."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def story_post(article, **overrides):
    """The editor's form as the browser posts it."""
    data = {
        "headline": article.headline,
        "lead": article.lead,
        "body": article.body,
        "section": article.section_id,
        "tags": "، ".join(t.name for t in article.tags.all()),
        "source": article.source,
        "comment_mode": article.comment_mode,
        "base_revision": article.revision,
        "action": "save",
    }
    data.update(overrides)
    return data


def solved_payload(article) -> str:
    """The captcha widget's answer for `article`, solved as a reader's browser solves it."""
    from altcha import ChallengeV1, solve_challenge_v1

    from khabar.comments import captcha

    data = captcha.new_challenge(article)
    challenge = ChallengeV1(
        data["algorithm"], data["challenge"], data["maxNumber"], data["salt"], data["signature"]
    )
    solution = solve_challenge_v1(challenge)
    payload = {
        "algorithm": data["algorithm"],
        "challenge": data["challenge"],
        "number": solution.number,
        "salt": data["salt"],
        "signature": data["signature"],
    }
    return base64.b64encode(json.dumps(payload).encode()).decode()


def comment_data(article, *, solve_captcha=True, **fields):
    """A reader's comment form as posted, captcha solved unless asked otherwise."""
    from khabar.comments import rules

    data = {
        "name": "قارئ",
        "email": "",
        "body": "تعليق مفيد على الخبر.",
        "parent": "",
        "started": rules.started_token(),
        "altcha": solved_payload(article) if solve_captcha else "",
        "website": "",
    }
    data.update(fields)
    return data


def database_url():
    """The test database as a DATABASE_URL, for a server or worker started in another process."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    return (
        f"postgres://{user}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    )


def free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def spawn_server(data_dir, **env):
    """Khabar served by another OS process on the test database (its own data directory, the
    same secret key and hash salt): (process, base_url), not yet listening (several start side
    by side; wait_until_listening then waits for each). The caller stops it (terminate, or kill
    to crash it)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from django.conf import settings

    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "KHABAR_HASH_SALT": settings.KHABAR_HASH_SALT,
        "KHABAR_DATA_DIR": str(data_dir),
        "DEBUG": "0",
        **env,
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=Path(__file__).resolve().parent.parent, env=environment,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    return process, f"http://127.0.0.1:{port}"


def wait_until_listening(process, base, seconds=60):
    import socket
    import time

    port = int(base.rsplit(":", 1)[1])
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if process.poll() is not None:
                said = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(said or f"the server ended before listening on {port}") from None
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the server did not start")


def start_server(data_dir, **env):
    """spawn_server, then wait until it listens: (process, base_url)."""
    process, base = spawn_server(data_dir, **env)
    wait_until_listening(process, base)
    return process, base


def post_comment_to(base, article, data):
    """POST a comment to another process as the page's script would: token first, then JSON."""
    import http.cookiejar
    import json
    import urllib.error
    import urllib.parse
    import urllib.request

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    path = f"/ar/comments/{article.news_code}"
    with opener.open(base + path + "/challenge", timeout=10) as response:
        token = json.load(response)["csrf"]
    request = urllib.request.Request(
        base + path,
        data=urllib.parse.urlencode(data).encode(),
        headers={"X-CSRFToken": token, "X-Requested-With": "fetch", "Referer": base + path},
    )
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def confirm_address(client, *emails, edition_code="ar"):
    """Confirm each address as its owner does (the link of the confirmation e-mail), and give
    the test client the proof its browser would keep: trust and e-mail then apply to its
    comments."""
    from django.core.signing import get_cookie_signer

    from khabar.comments import actions, identity

    hashes = [identity.email_hash(email) for email in emails]
    for hashed in hashes:
        actions.do_confirm_address(hashed)
    signer = get_cookie_signer(salt=identity.PROOF_COOKIE + identity.PROOF_SALT)
    client.cookies[identity.PROOF_COOKIE] = signer.sign(",".join(hashes))
    client.cookies[identity.PROOF_COOKIE]["path"] = identity.proof_path(edition_code)
