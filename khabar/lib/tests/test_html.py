import re

import html5lib
import pytest

from khabar.lib.html import (
    ALLOWED_TAGS,
    body_for_readers,
    clean_body,
    html_to_text,
    language_tag,
    text_to_paragraphs,
)

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
    '<p dir="rtl onmouseover=alert(1)" lang="en onclick=alert(1)">نص</p>',
    '<span dir="ltr" lang="en" style="color:red" onclick="x()">text</span>',
    '<strong dir="ltr" lang="en">كلمة</strong><a href="https://example.org" lang="en">x</a>',
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
        if tag in {"p", "h2", "h3", "blockquote", "ul", "ol", "li", "figure", "figcaption", "span"}:
            allowed = {"dir", "lang"}
        assert attributes.get("dir", "rtl") in {"rtl", "ltr", "auto"}
        assert language_tag(attributes.get("lang", "ar")) is not None
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
        '<figure><img src="/media/a.jpg" alt="صورة"><figcaption>تعليق</figcaption>'
        "</figure><h3>فرعي</h3>"
    )
    cleaned = clean_body(html)
    for tag in ["h2", "h3", "strong", "em", "blockquote", "ul", "ol", "li", "figure", "figcaption"]:
        assert f"<{tag}>" in cleaned
    assert 'href="https://example.org/x"' in cleaned
    assert '<img src="/media/a.jpg" alt="صورة">' in cleaned


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


def test_direction_and_language_survive_where_the_editor_sets_them():
    # What the editor's direction/language control writes: whole blocks and phrases in a block.
    html = (
        '<p dir="ltr" lang="en">The minister said: “Prices will fall.”</p>'
        '<p>قال الوزير <span dir="ltr" lang="en">“Prices will fall.”</span> ثم غادر.</p>'
        '<blockquote dir="ltr" lang="en"><p>We will rebuild.</p></blockquote>'
        '<h2 dir="ltr" lang="en">In English</h2><h3 dir="rtl" lang="ar">بالعربية</h3>'
        '<ul dir="ltr" lang="en"><li dir="auto">one</li><li lang="fr">deux</li></ul>'
        '<ol><li dir="rtl" lang="fa">یک</li></ol>'
        '<figure dir="ltr"><img src="/media/a.jpg" alt="">'
        '<figcaption lang="en">A caption.</figcaption></figure>'
    )
    assert clean_body(html) == html


def test_direction_values_are_checked_and_written_in_lower_case():
    assert clean_body('<p dir="LTR">Hello.</p>') == '<p dir="ltr">Hello.</p>'
    assert clean_body('<p dir=" Auto ">x</p>') == '<p dir="auto">x</p>'
    for bad in ("up", "rtl ltr", "", "right", "inherit"):
        assert clean_body(f'<p dir="{bad}">نص</p>') == "<p>نص</p>", bad


def test_language_attribute_needs_a_valid_tag():
    assert clean_body('<p lang="EN-us">x</p>') == '<p lang="en-US">x</p>'
    assert clean_body('<p><span lang="zh-hant-tw">字</span></p>') == (
        '<p><span lang="zh-Hant-TW">字</span></p>'
    )
    for bad in ("english", "arab", "x-foo", "en-QQ", "zz", "en--us", "en-", "", "i-klingon"):
        assert clean_body(f'<p lang="{bad}">نص</p>') == "<p>نص</p>", bad


def test_language_attribute_is_dropped_where_it_is_not_allowed():
    # ammonia allows lang on every element by default; only blocks and <span> take it here.
    assert clean_body('<p><strong lang="en">x</strong></p>') == "<p><strong>x</strong></p>"
    assert clean_body('<p><em dir="ltr">x</em></p>') == "<p><em>x</em></p>"


@pytest.mark.parametrize(
    ("raw", "tag"),
    [
        ("en", "en"),
        ("ar-IQ", "ar-IQ"),
        ("AR-iq", "ar-IQ"),
        ("fa_IR", "fa-IR"),
        ("ckb", "ckb"),
        ("apc", "apc"),  # Levantine Arabic: not in CLDR's names, in its likely subtags
        ("kmr", "kmr"),  # Northern Kurdish: a CLDR alias of ku
        ("es-419", "es-419"),
        ("sr-latn-rs", "sr-Latn-RS"),
        ("zh-yue-HK", "zh-yue-HK"),
        ("de-CH-1996", "de-CH-1996"),
        ("en-a-bbb-b-ccc", "en-a-bbb-b-ccc"),
        ("en-US-x-twain", "en-US-x-twain"),
        ("zh-qqq", None),  # an extended language subtag is a language code too
        ("english", None),
        ("arabic", None),
        ("qq", None),
        ("en-Abcd", None),
        ("en-QQ", None),
        ("en-a-bbb-a-ccc", None),
        ("x-private", None),
        ("en US", None),
        ('en"><script>', None),
    ],
)
def test_language_tags(raw, tag):
    assert language_tag(raw) == tag


def test_reader_body_gives_blocks_without_a_direction_dir_auto():
    body = (
        '<h2>عنوان</h2><p>نص.</p><p dir="ltr" lang="en">Text.</p>'
        '<ul><li>أ</li><li dir="rtl">ب</li></ul><blockquote>اقتباس</blockquote>'
        '<figure><img src="/media/a.jpg" alt=""><figcaption>تعليق</figcaption>'
        "</figure>"
    )
    assert body_for_readers(body) == (
        '<h2 dir="auto">عنوان</h2><p dir="auto">نص.</p><p dir="ltr" lang="en">Text.</p>'
        '<ul><li dir="auto">أ</li><li dir="rtl">ب</li></ul>'
        '<blockquote dir="auto">اقتباس</blockquote>'
        '<figure><img src="/media/a.jpg" alt="">'
        '<figcaption dir="auto">تعليق</figcaption></figure>'
    )


def test_containers_that_open_with_a_block_leave_the_direction_to_it():
    # dir="auto" on the quotation would skip its paragraphs (they have their own dir), find no
    # letter and make the quotation left to right.
    assert body_for_readers("<blockquote><p>اقتباس</p></blockquote><ul><li><p>أ</p></li></ul>") == (
        '<blockquote><p dir="auto">اقتباس</p></blockquote><ul><li><p dir="auto">أ</p></li></ul>'
    )


def test_stored_bodies_keep_only_the_directions_journalists_chose():
    # The stored body is what the editor loads and the revision diff compares: dir="auto" is
    # added on the page, never saved.
    assert clean_body("<p>نص.</p>") == "<p>نص.</p>"
    assert clean_body(body_for_readers("<p>نص.</p>")) == '<p dir="auto">نص.</p>'


def test_reader_body_is_cleaned_and_ignores_look_alike_text():
    assert body_for_readers("<p>س &lt;p&gt; ص</p><script>alert(1)</script>") == (
        '<p dir="auto">س &lt;p&gt; ص</p>'
    )
    assert body_for_readers("نص عادي") == '<p dir="auto">نص عادي</p>'
