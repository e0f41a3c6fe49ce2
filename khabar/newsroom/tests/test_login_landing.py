"""After logging in every role lands where it can work, and the newsroom's top bar links only to
pages the person can open, with a log-out button."""

import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from khabar.newsroom.roles import landing_url

PASSWORD = "pass-phrase-123"


def log_in(client, user, **extra):
    return client.post("/desk/login/", {"username": user.username, "password": PASSWORD, **extra})


@pytest.mark.parametrize(
    "role, landing",
    [("reporter", "/desk/"), ("editor", "/desk/"), ("moderator", "/desk/comments/"),
     ("administrator", "/admin/")],
)  # fmt: skip
def test_each_role_lands_where_it_works(client, request, role, landing):
    user = request.getfixturevalue(role)
    response = log_in(client, user)
    assert response.status_code == 302 and response.url == landing
    assert landing_url(user) == landing
    assert client.get(landing).status_code == 200


def test_moderator_opening_the_desk_is_sent_to_the_queue_not_to_a_refusal(client, moderator):
    # The loop of the issue: /desk/ answered 403 with a single link back to /desk/.
    response = log_in(client, moderator, next="/desk/")
    assert client.get(response.url, follow=True).redirect_chain[-1][0] == "/desk/comments/"


def test_editor_lands_on_what_awaits_review(client, editor, draft):
    from khabar.newsroom import actions

    actions.do_submit(editor, draft)
    page = client.get(log_in(client, editor).url)
    assert page.context["tab"] == "review"
    assert draft.headline in page.content.decode()


def test_a_safe_next_is_followed_and_a_foreign_one_is_not(client, reporter):
    assert log_in(client, reporter, next="/desk/stories/new").url == "/desk/stories/new"
    client.logout()
    assert log_in(client, reporter, next="https://example.com/").url == "/desk/"


def test_account_without_a_role_is_told_so_without_a_loop(client, reader):
    page = client.get(log_in(client, reader).url)
    html = page.content.decode()
    assert page.status_code == 403
    assert "ليس لحسابك دور" in html
    assert 'action="/desk/logout/"' in html
    assert 'href="/desk/"' not in html


@pytest.mark.parametrize(
    "role, links",
    [("reporter", ["/desk/"]), ("editor", ["/desk/", "/desk/comments/"]),
     ("moderator", ["/desk/comments/"]), ("administrator", ["/admin/"])],
)  # fmt: skip
def test_top_bar_links_only_to_pages_the_role_can_open(client, request, role, links):
    user = request.getfixturevalue(role)
    http = RequestFactory().get("/desk/comments/")
    http.user = user
    html = render_to_string("newsroom/base.html", {"user": user}, request=http)
    bar = html.split('<header class="nr-bar">')[1].split("</header>")[0]
    assert re.findall(r'href="([^"]+)"', bar) == links
    assert 'action="/desk/logout/"' in bar and 'method="post"' in bar
    client.force_login(user)
    for url in links:
        assert client.get(url).status_code == 200, url


def test_log_out_is_a_post_and_leads_to_the_login_page(client, editor):
    client.force_login(editor)
    response = client.post("/desk/logout/")
    assert response.status_code == 302 and response.url == "/desk/login/"
    assert client.get("/desk/").status_code == 302
