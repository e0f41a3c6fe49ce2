"""Links and images in story bodies that do not lie about where they lead, and the nesting and
length limits checked before a body is sanitised (khabar/lib/html.py)."""

import pytest

from khabar.lib.html import (
    MAX_IDN_HOSTS,
    BodyRefused,
    body_for_readers,
    check_body,
    clean_body,
    nesting_depth,
    safe_href,
)


@pytest.fixture(autouse=True)
def image_hosts(settings):
    settings.KHABAR_IMAGE_HOSTS = ["images.example", "*.cdn.example"]
    settings.MEDIA_URL = "media/"


LINKS = [
    # (href as written, href as kept or None when the link is unwrapped)
    ("https://example.org/report?id=3#p2", "https://example.org/report?id=3#p2"),
    ("HTTP://Example.ORG/a", "http://example.org/a"),
    ("https://example.org:8443/a", "https://example.org:8443/a"),
    ("https://www.example.org./a", "https://www.example.org./a"),
    ("/ar/اقتصاد/", "/ar/اقتصاد/"),
    ("/", "/"),
    ("/ar/100001?page=2", "/ar/100001?page=2"),
    ("  /ar/  ", "/ar/"),  # what the browser strips itself
    ("mailto:desk@example.org", "mailto:desk@example.org"),
    ("mailto:desk@example.org?subject=x", "mailto:desk@example.org?subject=x"),
    # A look-alike host is kept as the browser reads it: punycode, visible as such.
    ("https://аpple.com/login", "https://xn--pple-43d.com/login"),  # Cyrillic а
    ("https://ｅｘａｍｐｌｅ．org/", "https://example.org/"),  # full-width letters and dot
    ("https://faß.de/", "https://xn--fa-hia.de/"),  # UTS 46 as browsers do, not IDNA 2003
    ("https://مثال.إختبار/", "https://xn--mgbh0fb.xn--kgbechtv/"),
    ("mailto:desk@аpple.com", "mailto:desk@xn--pple-43d.com"),
    # Scheme-relative, common in pasted HTML: kept as https when the host is sound.
    ("//example.org/a", "https://example.org/a"),
    # Look internal, leave the site.
    ("/\\evil.example/", None),
    ("\\\\evil.example/", None),
    ("/\\/evil.example/", None),
    ("//evil.example\\@example.org/", None),
    ("https://example.org\\@evil.example/", None),
    ("/\t/evil.example/", None),  # the browser drops the tab: //evil.example/
    ("/\n/evil.example/", None),
    ("/%09/evil.example/", "/%09/evil.example/"),  # a path segment on this site
    ("///evil.example/", None),
    # User names, IP addresses, hosts that are not names.
    ("//user:pass@host.example/", None),
    ("https://example.org@evil.example/", None),
    ("https://user@example.org/", None),
    ("//127.0.0.1/", None),
    ("https://127.1/", None),
    ("https://2130706433/", None),
    ("https://0x7f.0.0.1/", None),
    ("https://example.0x7f/", None),
    ("https://[::1]/", None),
    ("https://[::ffff:7f00:1]/", None),
    ("https://localhost/", None),
    ("https://intranet/", None),
    ("https://exa%6dple.org/", None),
    ("https://example.org:99999/", None),
    ("https://example.org:/", None),
    ("https://ex..org/", None),
    ("https://-example.org/", None),
    ("https:/evil.example/", None),  # Chromium reads this as https://evil.example/
    ("https:evil.example", None),
    ("mailto:desk@127.0.0.1", None),
    ("mailto:a@example.org,b@evil.example", None),
    # Invisible and direction characters hide what an address says.
    ("https://example.org/\u202egpj.exe", None),
    ("https://exam\u200bple.org/", None),
    ("https://example.org/\u00a0x", None),
    # Schemes that are not links at all, and relative paths that are not paths on the site.
    ("javascript:alert(1)", None),
    ("data:text/html,x", None),
    ("ftp://example.org/", None),
    ("tel:+9641", None),
    ("news/today", None),
    ("?page=2", None),
    ("#section", None),
    ("", None),
]


NOT_LINKS = {"https://example.0x7f/", "https://example.org:99999/", "javascript:alert(1)",
             "data:text/html,x", "ftp://example.org/", "tel:+9641"}  # fmt: skip


@pytest.mark.parametrize(("written", "kept"), LINKS)
def test_link_addresses(written, kept):
    assert safe_href(written) == kept


@pytest.mark.parametrize(("written", "kept"), LINKS)
def test_links_in_a_body_keep_their_address_or_lose_only_the_link(written, kept):
    refused = []
    body = clean_body(f'<p>قبل <a href="{written}">نص الرابط</a> بعد</p>', refused)
    if kept is None:
        assert body == "<p>قبل نص الرابط بعد</p>"
        # Named to the journalist, but for addresses nh3 drops before asking (a scheme other
        # than http(s) or mailto, an address it cannot parse): those were never links.
        assert refused == ([] if written in NOT_LINKS else [written])
    else:
        assert body.startswith("<p>قبل <a href=")
        assert "نص الرابط</a> بعد</p>" in body
        # The kept address, as an attribute (& escaped), is the one the link has.
        assert f'href="{kept.replace("&", "&amp;")}"' in body
        assert refused == []


def test_a_body_links_to_a_bounded_number_of_hosts_in_other_letters():
    # Each is mapped by the idna package in Python: 20,000 of them would take seconds.
    links = "".join(f'<a href="https://موقع{n}.example/">{n}</a> ' for n in range(250))
    refused = []
    body = clean_body(f"<p>{links}</p>", refused)
    assert body.count("xn--") == MAX_IDN_HOSTS == 200
    assert len(refused) == 50
    # The same host again does not count, nor do hosts in Latin letters and paths in Arabic.
    links = '<a href="https://موقع.example/">x</a> ' * 250
    assert clean_body(f"<p>{links}</p>").count("xn--") == 250
    links = "".join(f'<a href="https://ar.example/{n}/مقال">{n}</a> ' for n in range(250))
    assert clean_body(f"<p>{links}</p>").count("<a ") == 250


IMAGES = [
    # (src as written, kept?)
    ("/media/2024/bridge.jpg", True),
    ("/media/%D8%AC%D8%B3%D8%B1.jpg", True),
    ("https://images.example/a.jpg", True),
    ("https://IMAGES.example/a.jpg", True),
    ("https://eu.cdn.example/a.jpg", True),
    ("//images.example/a.jpg", True),
    ("https://tracker.example/pixel.gif", False),
    ("https://images.example.tracker.example/a.jpg", False),
    ("https://cdn.example.evil/a.jpg", False),
    ("https://evilcdn.example/a.jpg", False),
    ("https://user@images.example/a.jpg", False),
    ("https://images.example@tracker.example/a.jpg", False),
    ("https://127.0.0.1/a.jpg", False),
    ("/a.jpg", False),  # on the site but not from its image library
    ("/media/../desk/x", False),
    ("/media/%2e%2e/desk/x", False),
    ("/mediax/a.jpg", False),
    ("/\\tracker.example/a.jpg", False),
    ("//tracker.example/a.jpg", False),
    ("media/a.jpg", False),
    ("data:image/png;base64,iVBORw0KGgo=", False),
    ("", False),
]


@pytest.mark.parametrize(("src", "kept"), IMAGES)
def test_images_only_from_the_library_or_the_allowed_hosts(src, kept):
    refused = []
    body = clean_body(f'<figure><img src="{src}" alt="جسر المدينة"><figcaption>الجسر الجديد'
                      "</figcaption></figure>", refused)  # fmt: skip
    if kept:
        assert "<img src=" in body and 'alt="جسر المدينة"' in body
        assert refused == []
    else:
        # The picture goes, what it showed stays as text, and so does the caption.
        assert body == "<figure>جسر المدينة<figcaption>الجسر الجديد</figcaption></figure>"
        assert refused == ([] if src.startswith("data:") else [src])


def test_image_without_alt_text_leaves_its_caption():
    body = clean_body('<figure><img src="https://tracker.example/p.gif"><figcaption>تعليق'
                      "</figcaption></figure>")  # fmt: skip
    assert body == "<figure><figcaption>تعليق</figcaption></figure>"


def test_alt_text_stays_text():
    body = clean_body('<p><img src="https://tracker.example/p.gif" alt="&lt;b&gt; &amp; &quot;">'
                      "</p>")  # fmt: skip
    assert body == '<p>&lt;b&gt; &amp; "</p>'
    assert clean_body(body) == body


def test_images_from_an_absolute_media_url(settings):
    settings.MEDIA_URL = "https://media.khabar.example/files/"
    assert "<img" in clean_body('<p><img src="https://media.khabar.example/files/a.jpg"></p>')
    assert "<img" not in clean_body('<p><img src="/files/a.jpg" alt="x"></p>')


def test_no_image_host_allowed_by_default(settings):
    settings.KHABAR_IMAGE_HOSTS = []
    assert clean_body('<p><img src="https://images.example/a.jpg" alt="x"></p>') == "<p>x</p>"
    assert "<img" in clean_body('<p><img src="/media/a.jpg" alt="x"></p>')


def test_stored_bodies_are_shown_by_the_same_rules():
    # Bodies saved before these rules are cleaned again on the page (body_for_readers), so an
    # old story shows neither the link nor the tracking image.
    stored = (
        '<p>راجع <a href="/\\evil.example/" rel="noopener noreferrer">المصدر</a>.</p>'
        '<figure><img src="https://tracker.example/p.gif" alt="صورة"></figure>'
    )
    page = body_for_readers(stored)
    assert "evil.example" not in page and "tracker.example" not in page
    assert page == '<p dir="auto">راجع المصدر.</p><figure>صورة</figure>'


def test_cleaning_a_clean_body_changes_nothing():
    for body in [
        '<p><a href="https://аpple.com/">x</a> <a href="//127.0.0.1/">y</a></p>',
        '<form action="https://evil.example"><button>go</button></form>',
        "<div>نص</div>",
        "<h2>عنوان</h2>نص بعد العنوان <strong>مهم</strong>",
        '<figure><img src="https://tracker.example/a.gif" alt="صورة"></figure>',
    ]:
        once = clean_body(body)
        assert clean_body(once) == once, body


DEPTHS = [
    # (body, nesting the parser will give it, at least as counted)
    ("<p>نص</p>" * 1000, 1),
    ("<div>" * 40 + "x" + "</div>" * 40, 40),
    ("<div>" * 41 + "x" + "</div>" * 41, 41),
    ("<div>" * 60_000, 41),
    ("<blockquote><ul><li><p><strong><a href='/'>x</a></strong></p></li></ul></blockquote>", 6),
    # Unclosed paragraphs and list items close themselves, as the parser closes them.
    ("<p>أ<p>ب<p>ج" * 100, 1),
    ("<ul><li>أ<li>ب<li>ج</ul>" * 100, 2),
    ("<p><div>x</div>" * 100, 1),
    # End tags the parser does not see, or that close nothing, close nothing here either.
    ("<div><!--</div>-->" * 100, 41),
    ("<div><!-- x --!></div>" * 100, 1),
    ("<div><textarea></div></textarea>" * 100, 41),
    ("<div><style></div></style>" * 100, 41),
    ("<div><title></div></title>" * 100, 41),
    ("<div><noscript></div></noscript>" * 100, 41),
    ('<div><p title="</div>">' * 100, 41),
    ("<div><p title='</div>'>" * 100, 41),
    ('<div a"b></div x=">' * 100, 1),  # a quote starts a value only after "="
    ("<div></span>" * 100, 41),
    ("<div></divx>" * 100, 41),
    ("<div><table></div>" * 100, 41),
    ("<div><svg><![CDATA[</div>]]></svg>" * 100, 41),
    ("<div><svg><![CDATA[ > </div> ]]></svg>" * 100, 41),
    ("<div><![CDATA[ > </div> ]]>" * 100, 1),  # outside <svg>, a bogus comment to ">"
    # An end tag that meets a special element first is ignored ("any other end tag"), and a
    # formatting element's end tag there moves elements without closing them.
    ("<span><div></span>" * 100, 41),
    ("<b><div></b>" * 100, 41),
    ("<em><blockquote></em>" * 100, 41),
    ("<span><em>x</span>" * 100, 41),  # <em> is opened again after each </span>
    ("<p><span><em>x</em></span></p>" * 100, 3),
    ("<ul><li><span>x</span></li></ul>" * 100, 3),
    ("<div><script><!--<script></div></script>" * 2, 41),
    # Formatting elements closed by another's end tag are opened again by the parser.
    ("<p><b class=a><i class=b><u class=c></p>x" * 20, 41),
    ("<p><b>x</b></p>" * 100, 2),
    # The document ending inside a quoted value: the parser sees nothing after it, the scan
    # more than that.
    ('<div title="' + "<div>" * 100, 41),
]


@pytest.mark.parametrize(("body", "depth"), DEPTHS)
def test_nesting_depth_never_counts_less_than_the_parser_nests(body, depth):
    assert nesting_depth(body, 40) == depth


def test_bodies_too_deep_or_too_long_are_refused_before_sanitising(settings, monkeypatch):
    import nh3

    calls = []
    monkeypatch.setattr(nh3, "clean", lambda *a, **k: calls.append(a) or "")
    settings.KHABAR_BODY_MAX_CHARS = 1000
    with pytest.raises(BodyRefused) as refused:
        clean_body("<blockquote>" * 41 + "نص")
    assert refused.value.code == "body_too_deep"
    with pytest.raises(BodyRefused) as refused:
        clean_body("<p>" + "ن" * 1000 + "</p>")
    assert refused.value.code == "body_too_long"
    assert calls == []
    check_body("<blockquote>" * 40)
    settings.KHABAR_BODY_MAX_DEPTH = 5
    with pytest.raises(BodyRefused):
        check_body("<blockquote>" * 6)


def test_a_stored_body_too_deep_to_sanitise_is_shown_as_text():
    stored = "<blockquote>" * 5000 + "نص <b>قديم</b> &amp; " + "</blockquote>" * 5000
    assert body_for_readers(stored) == '<p dir="auto">نص قديم &amp;</p>'


def test_a_stored_body_longer_than_the_limit_is_still_shown(settings):
    settings.KHABAR_BODY_MAX_CHARS = 10
    assert body_for_readers("<p>فقرة أطول من الحد الجديد.</p>") == (
        '<p dir="auto">فقرة أطول من الحد الجديد.</p>'
    )


_SOUP_TAGS = ["div", "p", "span", "b", "i", "em", "strong", "a", "li", "ul", "ol", "blockquote",
              "table", "td", "tr", "svg", "math", "textarea", "style", "script", "noscript",
              "title", "select", "option", "button", "form", "h2", "figure", "img", "br",
              "template", "object", "dd", "dt", "nobr", "font", "pre", "xmp",
              "plaintext"]  # fmt: skip
_SOUP_PIECES = ["x", " ", "<!--", "-->", "<![CDATA[", "]]>", '"', "'", "=", "<!", "<?", ">", "</",
                "<", "/>", "--!>"]  # fmt: skip
_VOIDS = {"br", "img", "hr", "input", "meta", "link", "wbr", "area", "col", "embed", "source"}


def _parsed_depth(element, depth=0):
    children = [c for c in element if isinstance(c.tag, str) and c.tag not in _VOIDS]
    return max([depth, *(_parsed_depth(c, depth + 1) for c in children)])


def test_nesting_depth_holds_against_the_html5_parser():
    """Tag soup, repeated 40 times: wherever html5lib (the specification's parser, scripting on
    as in ammonia) nests deeper than the limit, the scan says so too."""
    import random

    import html5lib

    rng = random.Random(18)
    attributes = ["", " a=1", ' title="</div>"', ' a"b', " class='x>y'"]
    for _ in range(150):
        parts = []
        for _ in range(rng.randint(1, 40)):
            roll, tag = rng.random(), rng.choice(_SOUP_TAGS)
            if roll < 0.45:
                parts.append(f"<{tag}{rng.choice(attributes)}>")
            elif roll < 0.8:
                parts.append(f"</{tag}>")
            else:
                parts.append(rng.choice(_SOUP_PIECES))
        soup = "".join(parts) * 40
        parser = html5lib.HTMLParser(namespaceHTMLElements=False)
        parsed = _parsed_depth(parser.parseFragment(soup, container="div", scripting=True))
        if parsed > 40:
            assert nesting_depth(soup, 40) > 40, soup[: len(soup) // 40]
