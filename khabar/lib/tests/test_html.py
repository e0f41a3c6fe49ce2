import re

import html5lib
import pytest

from khabar.lib.html import ALLOWED_TAGS, clean_body, html_to_text, text_to_paragraphs

HOSTILE = [
    "<script>alert(1)</script><p>نص</p>",
    "<p>نص<script>alert(1)</script></p>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="javascript:alert(1)" alt="x">',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+" alt="x">',
    '<a href="javascript:alert(1)">اضغط</a>',
    '<a href="JaVaScRiPt:alert(1)">اضغط</a>',
    '<a href="jav&#x09;ascript:alert(1)">اضغط</a>',
    '<a href=" javascript:alert(1)">اضغط</a>',
    '<a href="vbscript:msgbox(1)">اضغط</a>',
    '<a href="data:text/html,<script>alert(1)</script>">اضغط</a>',
    '<p onclick="alert(1)" onmouseover="alert(1)">نص</p>',
    '<p style="background:url(javascript:alert(1))">نص</p>',
    "<iframe src=https://evil.example></iframe>",
    "<object data=x></object><embed src=x>",
    "<svg><script>alert(1)</script></svg>",
    "<svg onload=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<form action="https://evil.example"><input name=x><button>go</button></form>',
    "<style>body{display:none}</style><p>نص</p>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    "<!--<script>alert(1)</script>--><p>نص</p>",
    "<p>نص</p><noscript><p title='</noscript><img src=x onerror=alert(1)>'></p></noscript>",
    "<<script>script>alert(1)<</script>/script>",
    "<p>\x00<script>alert(1)</script></p>",
    '<a href="https://example.org" target="_blank" onclick="x()">رابط</a>',
    "<template><img src=x onerror=alert(1)></template>",
    '<div><p class="x" id="y">نص</p></div>',
]


def _elements_and_attributes(html: str):
    fragment = html5lib.parseFragment(html, namespaceHTMLElements=False)
    for element in fragment.iter():
        if isinstance(element.tag, str) and element is not fragment:
            yield element.tag, dict(element.attrib)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_input_comes_out_inert(hostile):
    cleaned = clean_body(hostile)
    for tag, attributes in _elements_and_attributes(cleaned):
        assert tag in ALLOWED_TAGS
        allowed = {"a": {"href", "rel"}, "img": {"src", "alt"}}.get(tag, set())
        assert set(attributes) <= allowed, (tag, attributes)
        for name in ("href", "src"):
            url = attributes.get(name, "")
            assert not re.match(r"\s*(javascript|vbscript|data):", url, re.IGNORECASE), url
    assert "<script" not in cleaned.lower()


def test_cleaning_is_stable():
    for hostile in HOSTILE:
        once = clean_body(hostile)
        assert clean_body(once) == once


def test_allowed_markup_survives():
    html = (
        "<h2>عنوان فرعي</h2><p>نص <strong>مهم</strong> و<em>مائل</em> "
        '<a href="https://example.org/x">رابط</a></p><blockquote><p>اقتباس</p></blockquote>'
        "<ul><li>أولاً</li></ul><ol><li>ثانياً</li></ol>"
        '<figure><img src="https://example.org/a.jpg" alt="صورة"><figcaption>تعليق</figcaption>'
        "</figure><h3>فرعي</h3>"
    )
    cleaned = clean_body(html)
    for tag in ["h2", "h3", "strong", "em", "blockquote", "ul", "ol", "li", "figure", "figcaption"]:
        assert f"<{tag}>" in cleaned
    assert 'href="https://example.org/x"' in cleaned
    assert '<img src="https://example.org/a.jpg" alt="صورة">' in cleaned


def test_plain_pasted_text_becomes_paragraphs():
    text = "السطر الأول من الفقرة\nتكملة الفقرة\n\nالفقرة الثانية\r\n\r\n\r\nالفقرة الثالثة"
    assert clean_body(text) == (
        "<p>السطر الأول من الفقرة تكملة الفقرة</p><p>الفقرة الثانية</p><p>الفقرة الثالثة</p>"
    )


def test_text_without_blank_lines_splits_on_line_breaks():
    assert clean_body("أولى\nثانية\nثالثة") == "<p>أولى</p><p>ثانية</p><p>ثالثة</p>"


def test_plain_text_with_angle_brackets_is_escaped_not_dropped():
    assert clean_body("س < ص و ع > ل") == "<p>س &lt; ص و ع &gt; ل</p>"


def test_text_with_inline_markup_only_becomes_paragraphs():
    assert clean_body("فقرة <strong>أولى</strong>\n\nفقرة ثانية") == (
        "<p>فقرة <strong>أولى</strong></p><p>فقرة ثانية</p>"
    )


def test_empty_and_markup_only_bodies_clean_to_nothing():
    assert clean_body("") == ""
    assert clean_body("   \n\n ") == ""
    assert clean_body("<script>alert(1)</script>") == ""


def test_text_of_a_body():
    assert html_to_text("<p>أ &amp; ب</p><p>ج</p>") == "أ & ب ج"


def test_text_to_paragraphs_escapes():
    assert text_to_paragraphs("<b>x</b>") == "<p>&lt;b&gt;x&lt;/b&gt;</p>"


def test_text_between_blocks_becomes_paragraphs():
    body = "<h2>عنوان فرعي</h2>\n\nالفقرة الأولى.\n\nالفقرة <strong>الثانية</strong>."
    assert clean_body(body) == (
        "<h2>عنوان فرعي</h2><p>الفقرة الأولى.</p><p>الفقرة <strong>الثانية</strong>.</p>"
    )
