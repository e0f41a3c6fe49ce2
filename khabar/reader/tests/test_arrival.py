"""Arrival: `/` sends a reader to the edition of their browser's language, remembers nothing,
and says it varies with Accept-Language; the edition pages stay the same bytes for everyone."""

from types import SimpleNamespace

import pytest

from khabar.news.models import Edition
from khabar.reader.arrival import edition_for_accept_language, parse_accept_language


def editions(*languages, default="ar"):
    return [SimpleNamespace(code=lang, language=lang, is_default=lang == default)
            for lang in languages]  # fmt: skip


AR_FA_EN = editions("ar", "fa", "en")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fa", "fa"),
        ("fa-IR", "fa"),  # a region subtag reaches the language's edition
        ("FA-ir,fa;q=0.9", "fa"),  # case does not matter
        ("en-US,en;q=0.9", "en"),
        ("en-GB", "en"),
        ("ar-IQ,ar;q=0.9,en;q=0.8", "ar"),
        # Weights, not order, decide; the first listed wins a tie.
        ("en;q=0.5, fa;q=0.8", "fa"),
        ("fa;q=0.7, en;q=0.7", "fa"),
        ("de-DE,de;q=0.9,en;q=0.6,fa;q=0.5", "en"),  # the first one we have
        ("de, fr", "ar"),  # nothing we have: the default edition
        ("", "ar"),
        (None, "ar"),
        ("*", "ar"),
        ("de, *;q=0.5", "ar"),
        ("fa;q=0, *", "ar"),
        ("ar;q=0, *", "fa"),  # * is any edition but the refused ones
        ("en;q=0, en-US", "ar"),  # q=0 refuses the language in every region
        ("en-US;q=0, en", "en"),  # a regional refusal leaves the plain language
        ("fa;q=0", "ar"),
        ("zh-Hant-TW, fa-Arab-IR;q=0.3", "fa"),  # script subtags
        # Malformed entries are skipped, not the whole header.
        ("fa;q=2, en", "en"),
        ("fa;q=abc, en;q=0.1", "en"),
        ("<script>, fa", "fa"),
        ("fa;level=1, en", "en"),
        (";;;,,,en", "en"),
        ("fa;q=0.3333, en;q=0.1", "en"),  # more than three decimals is not a weight
        ("fa;q=1.000", "fa"),
        ("fa ; q = 0.5 , en;q=0.4", "fa"),
    ],
)
def test_edition_for_accept_language(header, expected):
    assert edition_for_accept_language(header, AR_FA_EN).code == expected


def test_the_default_edition_is_the_fallback_whatever_its_language():
    english_first = editions("ar", "fa", "en", default="en")
    assert edition_for_accept_language("de", english_first).code == "en"
    assert edition_for_accept_language("fa-IR", english_first).code == "fa"
    # No edition marked default: the first given (the model orders the default first).
    assert edition_for_accept_language("de", editions("fa", "en", default=None)).code == "fa"


def test_two_editions_in_one_language_prefer_the_default_and_the_exact_tag():
    two_arabic = [
        SimpleNamespace(code="iq", language="ar", is_default=False),
        SimpleNamespace(code="ar", language="ar", is_default=True),
        SimpleNamespace(code="en", language="en", is_default=False),
        SimpleNamespace(code="gb", language="en-gb", is_default=False),
    ]
    assert edition_for_accept_language("ar-IQ", two_arabic).code == "ar"
    assert edition_for_accept_language("en-GB, en;q=0.9", two_arabic).code == "gb"
    assert edition_for_accept_language("en", two_arabic).code == "en"
    assert edition_for_accept_language("en-US", two_arabic).code == "en"


def test_no_edition_at_all():
    assert edition_for_accept_language("fa", []) is None


def test_a_huge_header_is_read_only_so_far():
    header = ", ".join(f"x{i}" for i in range(5000)) + ", fa"
    assert edition_for_accept_language(header, AR_FA_EN).code == "ar"
    assert len(parse_accept_language(header)) <= 32


def test_parse_keeps_weights_in_order():
    assert parse_accept_language("en;q=0.5, fa-IR, ar;q=0.5, *;q=0") == [
        ("fa-ir", 1.0), ("en", 0.5), ("ar", 0.5), ("*", 0.0)
    ]  # fmt: skip


# --- through Django ------------------------------------------------------------------------


@pytest.fixture
def three(edition):
    Edition.objects.create(code="fa", name="خبر فارسی", language="fa", locale="fa_IR",
                           numbering_system="arabext", time_zone="Asia/Tehran")  # fmt: skip
    Edition.objects.create(code="en", name="Khabar", language="en", locale="en", direction="ltr")
    return edition


@pytest.mark.parametrize(
    ("header", "location"),
    [("fa-IR,fa;q=0.9,en-US;q=0.8", "/fa/"), ("en-US,en;q=0.9", "/en/"),
     ("ar-IQ", "/ar/"), ("de-DE", "/ar/"), (None, "/ar/")],
)  # fmt: skip
def test_root_redirects_by_accept_language(client, three, header, location):
    headers = {"Accept-Language": header} if header else {}
    response = client.get("/", headers=headers)
    assert response.status_code == 302 and response["Location"] == location
    assert response["Vary"] == "Accept-Language"
    # Never kept by a shared cache; nothing remembered about the reader.
    assert set(response["Cache-Control"].split(", ")) == {"private", "max-age=0"}
    assert not response.cookies


def test_root_keeps_a_campaigns_query_string(client, three):
    response = client.get("/?utm_source=mail", headers={"Accept-Language": "en"})
    assert response["Location"] == "/en/?utm_source=mail"


def test_nothing_is_remembered_between_arrivals(client, three):
    assert client.get("/", headers={"Accept-Language": "fa"})["Location"] == "/fa/"
    assert client.get("/")["Location"] == "/ar/"
    assert client.get("/", headers={"Accept-Language": "en"})["Location"] == "/en/"


@pytest.mark.parametrize("path", ["/ar/", "/fa/", "/en/"])
def test_edition_pages_do_not_vary_with_the_readers_language(client, three, path):
    answers = [
        client.get(path, headers={"Accept-Language": language} if language else {})
        for language in (None, "fa-IR", "en-US", "ar")
    ]
    assert {a.status_code for a in answers} == {200}
    assert len({a.content for a in answers}) == 1
    for answer in answers:
        assert "accept-language" not in answer.get("Vary", "").lower()
        assert not answer.cookies
        assert answer["Content-Language"] == path.strip("/")
