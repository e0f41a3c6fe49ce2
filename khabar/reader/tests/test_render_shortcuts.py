"""The shortcuts that make reader pages cheaper to render answer what the general tools they
replace answer: {% asset %} as {% static %}, |iso as |date:'c', absolute_url as
build_absolute_uri, ld_json's escapes, and the edition's URL segment, matched first, never takes
an address of the rest of the site."""

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import resolve

from khabar.reader.pages import absolute_url
from khabar.reader.templatetags.reader import ld_json


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_asset_is_the_static_address():
    for path in ("reader/site.css", "comments/comments.js"):
        assert render("{% load reader %}{% asset path %}", path=path) == render(
            "{% load static %}{% static path %}", path=path
        )
    assert render("{% load reader %}{% asset 'reader/site.css' %}").startswith("/static/reader/")


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 12, 3, 21, 10, tzinfo=UTC),
        datetime(2024, 1, 26, 18, 27, 5, 123456, tzinfo=UTC),
        None,
        "",
    ],
)
def test_iso_is_what_date_c_writes_in_the_current_time_zone(moment):
    iso = render("{% load reader %}{{ moment|iso }}", moment=moment)
    assert iso == render("{{ moment|date:'c' }}", moment=moment)
    if moment:
        assert iso.endswith("+03:00")  # Asia/Baghdad, the site's zone, as |date shows it


def test_absolute_url_is_build_absolute_uri(settings):
    settings.SITE_URL = ""
    request = RequestFactory().get("/ar/")
    for path in ("/ar/news/100001/خبر-عاجل", "/ar/section/سياسة/", "/news/5", "/a b/?x=1"):
        assert absolute_url(request, path) == request.build_absolute_uri(path)
    settings.SITE_URL = "https://khabar.example"
    assert absolute_url(request, "/ar/tag/المياه/") == (
        "https://khabar.example/ar/tag/%D8%A7%D9%84%D9%85%D9%8A%D8%A7%D9%87/"
    )


def test_ld_json_cannot_end_its_script_element():
    text = ld_json({"headline": "</script><b>A & B</b>", "name": "خبر"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert text == (
        '{"headline": "\\u003C/script\\u003E\\u003Cb\\u003EA \\u0026 B\\u003C/b\\u003E", '
        '"name": "خبر"}'
    )


def test_the_sites_other_addresses_are_not_taken_for_editions():
    assert resolve("/ar/").view_name == "reader:home"
    assert resolve("/ar/news/100001/خبر").view_name == "reader:article"
    assert resolve("/ar/search/").view_name == "reader:search"
    assert resolve("/ar/comments/100001").view_name == "comments_region"
    assert resolve("/admin/").view_name == "admin:index"
    assert resolve("/desk/").view_name == "newsroom_desk"
    assert resolve("/news/100001").view_name == "short_link"
    assert resolve("/api/").view_name != "reader:home"
    # An e-mail's old link, without an edition: "comments" is no edition's code here.
    assert resolve("/comments/privacy/abc").kwargs == {"token": "abc"}
