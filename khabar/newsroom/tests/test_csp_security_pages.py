"""The pages issue 18 added, under the Content-Security-Policy in real Chromium: the address
confirmation page and its button, the login lockout on both login pages, the site's 400 page and
the audit log in the admin. Each carries the policy and logs no violation or script error."""

import pytest
from django.test import Client

from khabar.comments.identity import confirm_token, email_hash
from khabar.newsroom import accounts
from khabar.newsroom.models import AuditEntry
from khabar.reader.tests.csp import csp_context, policy_problems, visit
from khabar.testing import session_cookie

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def context(browser):
    context = csp_context(browser, locale="ar-IQ", viewport={"width": 1200, "height": 900})
    yield context
    context.close()


def test_confirming_an_address_breaks_no_policy(context, live_server, make_article):
    make_article("خبر مفتوح للتعليق")
    page = context.new_page()
    visit(
        page, f"{live_server.url}/ar/comments/confirm/{confirm_token(email_hash('a@example.org'))}"
    )
    with page.expect_navigation() as navigation:
        page.click("form[method=post] button[type=submit]")
    assert navigation.value.status == 200
    assert policy_problems(navigation.value) == []
    visit(page, f"{live_server.url}/ar/comments/confirm/forged", status=400)
    assert context.problems == []


@pytest.mark.parametrize("login_url", ["/desk/login/", "/admin/login/"])
def test_a_lockout_breaks_no_policy(context, live_server, reporter, settings, login_url):
    settings.AXES_FAILURE_LIMIT = 2
    page = context.new_page()
    visit(page, live_server.url + login_url, status=200)
    statuses = []
    for _ in range(3):
        page.fill("#id_username", reporter.username)
        page.fill("#id_password", "not the password")
        with page.expect_navigation() as navigation:
            page.click("[type=submit]")
        assert policy_problems(navigation.value) == []
        statuses.append(navigation.value.status)
    assert statuses[-1] == 429
    assert context.problems == []


def test_the_400_page_breaks_no_policy(context, live_server):
    # A browser never sends a form in UTF-16: the page Khabar answers with is served to it as
    # it is, headers included, at the address it was asked for.
    answer = Client().post(
        "/desk/login/",
        "username=%FF%FE&password=x",
        content_type="application/x-www-form-urlencoded; charset=utf-16",
    )
    assert answer.status_code == 400
    page = context.new_page()
    page.route(
        live_server.url + "/desk/login/bad",
        lambda route: route.fulfill(
            status=400, body=answer.content, headers={k: v for k, v in answer.items()}
        ),
    )
    visit(page, live_server.url + "/desk/login/bad", status=400)
    assert page.locator("h1").count() == 1
    assert context.problems == []


def test_the_audit_log_breaks_no_policy(context, live_server, superuser, reporter):
    change = [{"field": "email", "before": "old@example.org", "after": reporter.email}]
    accounts.record(superuser, AuditEntry.Action.ACCOUNT_CHANGE, reporter, change)
    context.add_cookies([session_cookie(superuser, live_server)])
    page = context.new_page()
    visit(page, live_server.url + "/admin/newsroom/auditentry/", status=200)
    page.click("#result_list tbody a")
    page.wait_for_load_state()
    assert policy_problems(page.goto(page.url)) == []
    assert context.problems == []
