"""Where a page is kept, and which requests have no place in the tree at all."""

import pytest

from khabar.pagecache.store import locate


def wsgi(path: str) -> str:
    """A path as WSGI hands it over: its UTF-8 bytes decoded as ISO-8859-1."""
    return path.encode().decode("latin-1")


def test_a_unicode_page_is_kept_under_its_decoded_path():
    location = locate(wsgi("/ar/news/100062/لجنة-الاقتصاد"))
    assert location.directory == "ar/news/100062/لجنة-الاقتصاد"
    assert location.file == "ar/news/100062/لجنة-الاقتصاد/index.html"
    assert locate(wsgi("/ar/section/سياسة/")).directory == "ar/section/سياسة"


def test_a_query_is_normalised_and_kept_under_its_own_name_beside_the_page():
    # nginx finds the file by the request's query string when it is in this form.
    one = locate("/ar/comments/100062", "partial=1&order=newest")
    two = locate("/ar/comments/100062", "order=newest&partial=1")
    assert one == two and one.query == "order=newest&partial=1"
    assert one.directory == "ar/comments/100062" and one.name == "q-order=newest&partial=1.html"
    assert locate("/ar/comments/100062", "partial=1&order=oldest").name != one.name
    assert locate("/ar/section/x/", "page=2").file == "ar/section/x/q-page=2.html"
    # A reply thread's position: its "/" percent-encoded, never a directory of the name.
    replies = locate("/ar/comments/100062/replies/7", "after=0001/0002&partial=1")
    assert replies.name == "q-after=0001%2F0002&partial=1.html"


@pytest.mark.parametrize(
    "query",
    ["page=" + "9" * 200, "after=a b", "after=%D8%A8~"],  # too long; "+"; "~"
)
def test_a_query_that_makes_no_plain_file_name_is_kept_under_its_hash(query):
    location = locate("/ar/comments/100062", query)
    assert location.name.startswith("h-") and len(location.name) == len("h-.html") + 24
    assert "/" not in location.name


def test_tracking_parameters_are_left_out_so_a_shared_link_is_the_page_itself():
    plain = locate("/ar/news/1/x")
    for query in ("utm_source=newsletter&utm_medium=email", "fbclid=IwAR0abc", "gclid=1&mc_cid=2"):
        assert locate("/ar/news/1/x", query) == plain, query
    assert locate("/ar/section/x/", "utm_campaign=a&page=2") == locate("/ar/section/x/", "page=2")


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/ar/../secret", ""),
        ("/ar/./x", ""),
        ("/ar//x", ""),
        ("/ar/.hidden", ""),
        ("/ar/x\x00y", ""),
        ("/ar/a\\b", ""),
        ("/ar/\x1b", ""),
        ("relative", ""),
        ("/ar/" + "ب" * 150, ""),  # 300 bytes: longer than a file name may be
        ("/desk/", ""),
        ("/admin/news/article/", ""),
        ("/api/ar/items", ""),
        ("/static/reader/site.css", ""),
        ("/ar/", "nocache=123"),  # a parameter no page reads: anyone could fill the disk
        ("/ar/", "page=2&nocache=123"),
        ("/ar/", "utm_source=x&nocache=123"),
        ("/ar/", "page"),  # not name=value
        ("/", ""),  # the arrival redirect, one per reader's languages
        ("/", "page=2"),
    ],
)
def test_what_is_never_kept(path, query):
    assert locate(wsgi(path), query) is None


def test_a_path_that_is_not_utf8_is_not_kept():
    assert locate("/ar/\xff\xfe") is None  # bytes FF FE: no UTF-8 text
