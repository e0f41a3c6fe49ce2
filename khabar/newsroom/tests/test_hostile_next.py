"""A `next=` address never sends anyone off the site after logging in or out, however it is
disguised: what a browser would make of the Location header is checked, not the header's text."""

from urllib.parse import urljoin, urlsplit

import pytest

PASSWORD = "pass-phrase-123"

HOSTILE = [
    "https://evil.example/",
    "http://evil.example",
    "HTTPS://evil.example/",
    "//evil.example/",
    "///evil.example/",
    "////evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "\\/evil.example/",
    "/\t/evil.example/",
    "/\n/evil.example/",
    " //evil.example/",
    "\t//evil.example/",
    "https:evil.example",
    "https:/evil.example",
    "http:\\\\evil.example",
    "//evil.example@testserver/",
    "//testserver@evil.example/",
    "https://testserver.evil.example/",
    "https://evil.example/?next=/desk/",
    "javascript:alert(document.domain)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "//%65vil.example/",
    "/%5Cevil.example/",
    "//evil%E3%80%82example/",
    "https://evil.example%2F@testserver/",
    "//①②.example/",
]


def where_a_browser_goes(location: str) -> tuple[str, str]:
    """Scheme and host a browser reaches from this Location on http://testserver/: browsers drop
    tabs and newlines and read a backslash as a slash in http(s) addresses."""
    cleaned = location.strip().replace("\t", "").replace("\n", "").replace("\r", "")
    cleaned = cleaned.replace("\\", "/")
    target = urlsplit(urljoin("http://testserver/desk/login/", cleaned))
    return target.scheme.lower(), (target.hostname or "").lower()


@pytest.mark.parametrize("target", HOSTILE)
@pytest.mark.parametrize("login_url", ["/desk/login/", "/admin/login/"])
def test_logging_in_never_leaves_the_site(client, administrator, login_url, target):
    response = client.post(
        login_url, {"username": administrator.username, "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert where_a_browser_goes(response["Location"]) == ("http", "testserver")


@pytest.mark.parametrize("target", HOSTILE)
def test_logging_out_never_leaves_the_site(client, reporter, target):
    client.force_login(reporter)
    response = client.post("/desk/logout/", {"next": target})
    assert response.status_code == 302
    assert where_a_browser_goes(response["Location"]) == ("http", "testserver")
