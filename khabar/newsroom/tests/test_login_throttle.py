"""Login throttling on /desk/login/ and /admin/login/ (django-axes with the database handler,
khabar/newsroom/throttle.py): by account name from any network, by network whatever the names,
429 on the login page in the person's language, the same whether or not the account exists, a
right password refused while locked out, lifted after the cool-off, and counted across
processes."""

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.utils import translation

from khabar.testing import start_server

pytestmark = pytest.mark.django_db

PASSWORD = "pass-phrase-123"
LOGINS = ["/desk/login/", "/admin/login/"]
LOCKED = (
    "Too many failed attempts to log in with this name or from this network. "
    "Try again once the wait is over (minutes: %(minutes)s)."
)
WRONG = "wrong-pass-phrase"


def attempt(client, url, username, password, network="10.0.0"):
    """A log-in from the network's address .7 (a /24 is one network)."""
    return client.post(
        url, {"username": username, "password": password}, REMOTE_ADDR=f"{network}.7"
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def locked_message(language="ar") -> str:
    with translation.override(language):
        return translation.gettext(LOCKED) % {"minutes": 15}


def page_without_tokens(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


@pytest.mark.parametrize("url", LOGINS)
def test_fifty_wrong_passwords_lock_the_account_even_against_the_right_one(client, reporter, url):
    # Each from its own network, so that only the account's count can lock it.
    codes = [attempt(client, url, "rana", WRONG, f"10.{i}.0").status_code for i in range(50)]
    assert codes == [200] * 4 + [429] * 46
    response = attempt(client, url, "rana", PASSWORD, "172.16.5")
    assert response.status_code == 429
    assert locked_message() in response.content.decode()
    assert not logged_in(client)
    # What axes keeps of the attempts never holds a password.
    assert not AccessAttempt.objects.filter(post_data__contains=WRONG).exists()
    assert not AccessAttempt.objects.filter(post_data__contains=PASSWORD).exists()
    # Another account from those networks still logs in.
    assert attempt(client, url, "omar-absent", WRONG, "10.1.0").status_code == 200


@pytest.mark.parametrize("url", LOGINS)
def test_an_unknown_account_is_answered_exactly_as_a_real_one(reporter, url):
    answers = {}
    for username, network in (("rana", "10.1.1"), ("nobody-here", "10.2.2")):
        client = Client()
        wrong = [attempt(client, url, username, WRONG, network) for _ in range(5)]
        assert [r.status_code for r in wrong] == [200, 200, 200, 200, 429]
        # The wrong-password page does not tell either (Django's message, kept).
        first = page_without_tokens(wrong[0]).replace(username, "NAME")
        answers[username] = (first, page_without_tokens(wrong[-1]))
    assert answers["rana"] == answers["nobody-here"]


@pytest.mark.parametrize("url", LOGINS)
def test_a_network_is_locked_after_its_own_limit_whatever_the_names(client, administrator, url):
    limit = settings.KHABAR_LOGIN_NETWORK_FAILURE_LIMIT
    codes = [attempt(client, url, f"guess{i}", WRONG, "198.51.100").status_code
             for i in range(limit)]  # fmt: skip
    assert codes == [200] * (limit - 1) + [429]
    # Another account, right password, another address of the same network: refused.
    response = client.post(url, {"username": "adil", "password": PASSWORD},
                           REMOTE_ADDR="198.51.100.200")  # fmt: skip
    assert response.status_code == 429 and not logged_in(client)
    # From another network it logs in.
    assert attempt(client, url, "adil", PASSWORD, "203.0.113").status_code == 302
    assert logged_in(client)


@pytest.mark.parametrize("url", LOGINS)
def test_the_lockout_lifts_after_the_cool_off(client, administrator, url, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=30)
    for _ in range(5):
        attempt(client, url, "adil", WRONG)
    assert attempt(client, url, "adil", PASSWORD).status_code == 429
    # 29 minutes later: still locked. 31 minutes later: the right password works.
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time
                                 - timedelta(minutes=29))  # fmt: skip
    assert attempt(client, url, "adil", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time
                                 - timedelta(minutes=2))  # fmt: skip
    assert attempt(client, url, "adil", PASSWORD).status_code == 302
    assert logged_in(client)


@pytest.mark.parametrize("url", LOGINS)
@pytest.mark.parametrize("language", ["ar", "fa", "en"])
def test_the_lockout_speaks_the_persons_language_on_the_login_page(client, url, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for _ in range(5):
        response = attempt(client, url, "rana", WRONG)
    assert response.status_code == 429
    page = response.content.decode()
    assert f'lang="{language}"' in page
    assert locked_message(language) in page
    assert 'name="password"' in page  # the same login page, its form ready for later
    if language != "en":
        assert locked_message(language) != locked_message("en")


def test_wrong_password_logs_in_the_right_way_after_a_success_elsewhere(client, reporter):
    # Failures under the limit do not stop the right password.
    for _ in range(4):
        attempt(client, "/desk/login/", "rana", WRONG)
    assert attempt(client, "/desk/login/", "rana", PASSWORD).status_code == 302


@pytest.fixture
def second_server(tmp_path):
    """Another app process on the same database, in DEBUG so that it serves the login page's
    static files without collectstatic."""
    process, base = start_server(tmp_path, DEBUG="1")
    yield base
    process.terminate()
    process.wait(timeout=10)


def post_login(base: str, username: str, password: str) -> int:
    """A log-in to another process, as a browser makes it: the page (for its CSRF cookie and
    token), then the form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(base + "/desk/login/", timeout=10) as response:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.read().decode())
    data = {"username": username, "password": password, "csrfmiddlewaretoken": token[1]}
    request = urllib.request.Request(
        base + "/desk/login/", data=urllib.parse.urlencode(data).encode(),
        headers={"Referer": base + "/desk/login/"},
    )  # fmt: skip
    try:
        with opener.open(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.django_db(transaction=True)
def test_failures_in_two_processes_add_up(client, reporter, second_server):
    # Both processes see the client at 127.0.0.1: three failures here, two in the other server.
    local = Client(REMOTE_ADDR="127.0.0.1")
    assert [attempt_from(local, WRONG) for _ in range(3)] == [200, 200, 200]
    assert post_login(second_server, "rana", WRONG) == 200
    assert post_login(second_server, "rana", WRONG) == 429  # the fifth, counted across both
    assert attempt_from(local, PASSWORD) == 429  # and this process sees the lockout
    assert post_login(second_server, "rana", PASSWORD) == 429
    assert AccessAttempt.objects.filter(username="rana").count() >= 1


def attempt_from(client, password) -> int:
    return client.post("/desk/login/", {"username": "rana", "password": password}).status_code
