"""The Content-Security-Policy on reader pages, in real Chromium: every page type of the Arabic,
Persian and English editions (front, section, tag, article with its comments region, author,
search, comments, corrections, 404 and 500) carries a strict policy and breaks none of it; a
page whose markup carries an injected inline script is refused by it; the policy is the same
bytes for every reader (the pages are cached); story image hosts join img-src."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import path

from khabar.reader.tests.csp import csp_context, directives, policy_problems
from khabar.reader.tests.editions import EDITIONS, build
from khabar.urls import urlpatterns as site_urlpatterns

ROOT = Path(__file__).resolve().parents[3]
LOCALES = {"ar": "ar-IQ", "fa": "fa-IR", "en": "en-GB"}


def broken(request):
    raise RuntimeError("a page that fails, to show the 500 page")


# This module is also the URLconf of its tests: the site, plus one page that fails.
urlpatterns = [path("test-broken/", broken), *site_urlpatterns]
handler404 = "khabar.reader.views.page_not_found"
handler500 = "khabar.reader.views.server_error"

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls(__name__)]


@pytest.fixture
def context(browser):
    contexts = []

    def make(code="ar"):
        contexts.append(csp_context(browser, locale=LOCALES[code]))
        return contexts[-1]

    yield make
    for context in contexts:
        context.close()


@pytest.mark.parametrize("code", EDITIONS)
def test_every_reader_page_has_a_strict_policy_and_breaks_none_of_it(context, live_server,
                                                                     code):  # fmt: skip
    built = build(code)
    browser_context = context(code)
    page = browser_context.new_page()
    pages = {**built.pages(), "500": "/test-broken/"}
    wrong = []
    for name, page_path in pages.items():
        response = page.goto(live_server.url + page_path)
        wrong += [f"{name}: {problem}" for problem in policy_problems(response)]
        if page.locator("[data-comments-src]").count():
            page.wait_for_selector("#comment-form")  # the script has put the region in place
        if name == "500":
            assert response.status == 500
        # Each page type shows what readers see, not an error page standing in for it.
        elif name != "404":
            assert response.status == 200, name
    page.goto(live_server.url + built.article.get_absolute_url())
    page.wait_for_selector("#comment-form")
    page.locator("#id_body").fill("…")  # the form's script counts the characters left
    page.wait_for_function("() => document.querySelector('input[name=altcha]').value !== ''")
    assert wrong == []
    assert browser_context.problems == []


def test_a_page_with_an_injected_inline_script_is_refused(context, live_server, make_article):
    """The policy bites: markup carrying an inline script, a handler attribute and a style
    attribute (as if it had got past the sanitiser) runs none of them, and the browser says so."""
    article = make_article("خبر عادي")
    browser_context = context()
    page = browser_context.new_page()
    injected = (
        '<script>window.ran = "script"</script>'
        '<img src="data:," onload="window.ran = \'handler\'">'
        '<p id="styled" style="color: rgb(255, 0, 0)">نص</p>'
    )

    def inject(route):
        response = route.fetch()
        body = response.text().replace("</main>", injected + "</main>")
        route.fulfill(response=response, body=body)

    page.route(live_server.url + article.get_absolute_url(), inject)
    page.goto(live_server.url + article.get_absolute_url())
    page.wait_for_selector("#comment-form")
    assert page.evaluate("window.ran") is None
    assert page.evaluate("getComputedStyle(document.getElementById('styled')).color") != (
        "rgb(255, 0, 0)"
    )
    reported = " ".join(browser_context.problems)
    assert "CSP" in reported
    for directive in ("script-src-elem", "script-src-attr", "style-src-attr"):
        assert directive in reported, browser_context.problems


def test_the_policy_is_the_same_for_every_reader(client, make_article):
    # Reader pages are cached for every reader: a per-request nonce would be wrong in the cache.
    article = make_article()
    first = client.get(article.get_absolute_url())["Content-Security-Policy"]
    second = Client().get(article.get_absolute_url())["Content-Security-Policy"]
    assert first == second
    assert "nonce-" not in first and "unsafe" not in first


def test_story_image_hosts_join_img_src(client, make_article, settings):
    article = make_article()
    settings.KHABAR_IMAGE_HOSTS = ["images.example.org", "https://cdn.example.net", "bad; x"]
    policy = directives(client.get(article.get_absolute_url())["Content-Security-Policy"])
    assert policy["img-src"] == "'self' data: images.example.org https://cdn.example.net"
    del settings.KHABAR_IMAGE_HOSTS
    policy = directives(client.get(article.get_absolute_url())["Content-Security-Policy"])
    assert policy["img-src"] == "'self' data:"


def test_headers_that_come_with_the_policy(client, make_article):
    # Django's SecurityMiddleware defaults: kept, not assumed.
    response = client.get(make_article().get_absolute_url())
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response  # plain HTTP by default


def test_report_only_sends_the_same_policy_without_enforcing_it(tmp_path, client, db):
    # Settings are read at import: a fresh Django with the variables set.
    code = (
        "import json; from django.conf import settings as s; print(json.dumps("
        "[s.CONTENT_SECURITY_POLICY, s.CONTENT_SECURITY_POLICY_REPORT_ONLY]))"
    )
    environment = {
        "PATH": os.environ["PATH"],
        "KHABAR_DATA_DIR": str(tmp_path),
        "KHABAR_CSP_REPORT_ONLY": "1",
        "KHABAR_CSP_REPORT_URI": "/csp-reports",
    }
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT,
                            env=environment, capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr
    enforced, report_only = json.loads(result.stdout.strip().splitlines()[-1])
    assert enforced is None
    assert report_only["DIRECTIVES"]["report-uri"] == ["/csp-reports"]
    with override_settings(CONTENT_SECURITY_POLICY=enforced,
                           CONTENT_SECURITY_POLICY_REPORT_ONLY=report_only):  # fmt: skip
        response = client.get("/desk/login/")
    assert "Content-Security-Policy" not in response
    policy = directives(response["Content-Security-Policy-Report-Only"])
    assert policy["script-src"] == "'self'" and policy["report-uri"] == "/csp-reports"
