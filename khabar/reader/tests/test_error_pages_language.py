"""Error pages speak the language of the edition their address names, in its direction:
/fa/… in Persian, right to left; /en/… in English, left to right; 400, 403, 404 and 500."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.utils import translation

from khabar.reader import queries, views
from khabar.reader.tests.editions import build

pytestmark = pytest.mark.django_db

LANGUAGES = {"ar": ("ar", "rtl"), "fa": ("fa", "rtl"), "en": ("en", "ltr")}


def tr(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


@pytest.fixture
def built(edition):
    return {code: build(code) for code in ("fa", "en")}


def assert_in_language(html: str, code: str, *messages):
    language, direction = LANGUAGES[code]
    assert f'<html lang="{language}" dir="{direction}">' in html
    for message in messages:
        translated = tr(language, message)
        if language != "en":
            assert translated != message, f"{message!r} is not translated in {language}"
        assert translated in html, message
    assert f'href="/{code}/"' in html  # back to this edition's front page, not another's


@pytest.mark.parametrize("code", ["fa", "en"])
def test_404(client, built, code):
    for path in (f"/{code}/news/999999/none", f"/{code}/no/such/page", f"/{code}/section/x/"):
        response = client.get(path)
        assert response.status_code == 404
        assert_in_language(response.content.decode(), code, "Page not found",
                           "Back to the front page")  # fmt: skip


@pytest.mark.parametrize("code", ["fa", "en"])
def test_403(built, code):
    response = views.permission_denied(RequestFactory().get(f"/{code}/x"), PermissionDenied())
    assert response.status_code == 403
    assert_in_language(response.content.decode(), code, "Not allowed")


@pytest.mark.parametrize("code", ["fa", "en"])
def test_400(built, code, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = Client().post(f"/{code}/comments/privacy/", {"email": "x" * 2000})
    assert response.status_code == 400
    html = response.content.decode()
    assert_in_language(html, code, "The request could not be read")
    assert ("۱۰" if code == "fa" else "10") in html  # the limit, in the edition's digits


@pytest.mark.parametrize("code", ["fa", "en"])
def test_500(built, code, monkeypatch):
    def broken(edition):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(queries, "front_page", broken)
    client = Client(raise_request_exception=False)
    response = client.get(f"/{code}/")
    assert response.status_code == 500
    assert_in_language(
        response.content.decode(),
        code,
        "Server error",
        "Something went wrong on our side. Please try again in a moment.",
    )


def test_500_asks_no_database(built, django_assert_num_queries, monkeypatch):
    queries.edition_and_sections("fa")  # as the request that failed did, in this process
    request = RequestFactory().get("/fa/news/1/x")
    with django_assert_num_queries(0):
        html = views.server_error(request).content.decode()
    assert_in_language(html, "fa", "Server error")
    # An edition this process never read: a prefix that is a language of the site still
    # speaks it; anything else speaks the site's language.
    monkeypatch.delitem(queries._editions, "en", raising=False)
    with django_assert_num_queries(0):
        english = views.server_error(RequestFactory().get("/en/")).content.decode()
        other = views.server_error(RequestFactory().get("/zz/")).content.decode()
    assert_in_language(english, "en", "Server error")
    assert '<html lang="ar" dir="rtl">' in other and 'href="/"' in other
