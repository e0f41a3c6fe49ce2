"""Pages go out in brotli or gzip as the client accepts, give back the same bytes, revalidate
with the compressed ETag, and stay plain where compressing would not help or not be safe."""

import gzip
import re

import brotli
import pytest
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory

from khabar.lib.compression_middleware import CompressionMiddleware

pytestmark = pytest.mark.django_db

DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


def vary(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",")}


@pytest.mark.parametrize(("accept", "coding"), [("gzip, deflate, br", "br"), ("gzip", "gzip")])
def test_an_article_page_is_compressed_and_gives_back_its_bytes(
    client, reference_article, accept, coding
):
    url = reference_article.get_absolute_url()
    plain = client.get(url)
    packed = client.get(url, HTTP_ACCEPT_ENCODING=accept)
    assert packed.status_code == 200
    assert packed["Content-Encoding"] == coding
    assert DECODE[coding](packed.content) == plain.content
    # Arabic HTML compresses several times over; the header tells the real length.
    assert len(packed.content) * 3 < len(plain.content)
    assert packed["Content-Length"] == str(len(packed.content))
    assert "accept-encoding" in vary(plain) and "accept-encoding" in vary(packed)
    assert "Content-Encoding" not in plain


def test_the_compressed_etag_is_weak_and_still_revalidates(client, reference_article):
    url = reference_article.get_absolute_url()
    plain = client.get(url)
    packed = client.get(url, HTTP_ACCEPT_ENCODING="br")
    assert plain["ETag"].startswith('"')
    assert packed["ETag"] == "W/" + plain["ETag"]
    again = client.get(url, HTTP_ACCEPT_ENCODING="br", HTTP_IF_NONE_MATCH=packed["ETag"])
    assert again.status_code == 304


def test_the_comments_region_is_compressed_and_revalidates(client, reference_article):
    url = f"/ar/comments/{reference_article.news_code}?partial=1"
    plain = client.get(url)
    packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    again = client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=packed["ETag"])
    assert again.status_code == 304


def test_a_feed_is_compressed(client, reference_article):
    packed = client.get("/ar/feeds/atom.xml", HTTP_ACCEPT_ENCODING="br")
    assert packed["Content-Encoding"] == "br"
    assert brotli.decompress(packed.content).startswith(b"<?xml")


def test_the_desk_is_compressed_and_its_csrf_token_never_repeats(client, editor, make_article):
    make_article()
    client.force_login(editor)
    pages = [client.get("/desk/", HTTP_ACCEPT_ENCODING="br") for _ in range(2)]
    tokens = []
    for page in pages:
        assert page["Content-Encoding"] == "br"
        html = brotli.decompress(page.content).decode()
        tokens.append(set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)))
    # Django masks the token anew in every response: no response carries the text of another's
    # (the forms of one page, the desk language menu and log-out, share that response's mask).
    assert all(tokens)
    assert not tokens[0] & tokens[1]


def test_the_desk_search_goes_out_plain(client, editor, make_article):
    """It writes the query beside unpublished headlines: compressed, its length would tell an
    attacker who chose the query how much of it a secret headline shares (BREACH)."""
    make_article("خبر تحت الحظر", publish=False)
    client.force_login(editor)
    response = client.get("/desk/", {"tab": "all", "q": "الحظر"}, HTTP_ACCEPT_ENCODING="br")
    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert "الحظر" in response.content.decode()


def test_the_reader_search_is_compressed(client, reference_article):
    response = client.get("/ar/search/", {"q": "المياه"}, HTTP_ACCEPT_ENCODING="br")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "br"


def answer(response, accept="gzip, br", path="/"):
    request = RequestFactory().get(path, HTTP_ACCEPT_ENCODING=accept)
    return CompressionMiddleware(lambda _request: response)(request)


BIG = "<p>خبر</p>" * 100


def test_small_bodies_stay_plain():
    response = answer(HttpResponse("<p>خبر</p>"))
    assert "Content-Encoding" not in response


def test_streaming_responses_stay_plain():
    response = answer(StreamingHttpResponse(iter([BIG.encode()])))
    assert "Content-Encoding" not in response
    assert b"".join(response.streaming_content) == BIG.encode()


def test_an_answer_already_encoded_is_left_alone():
    original = HttpResponse(gzip.compress(BIG.encode()))
    original["Content-Encoding"] = "gzip"
    response = answer(original, accept="br")
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content) == BIG.encode()


def test_no_transform_is_obeyed():
    original = HttpResponse(BIG)
    original["Cache-Control"] = "public, no-transform"
    assert "Content-Encoding" not in answer(original)


def test_images_and_other_binary_types_stay_plain():
    response = answer(HttpResponse(b"\x89PNG" * 200, content_type="image/png"))
    assert "Content-Encoding" not in response


def test_a_refused_coding_is_not_sent():
    response = answer(HttpResponse(BIG), accept="br;q=0, gzip;q=0")
    assert "Content-Encoding" not in response
    assert "accept-encoding" in vary(response)
