"""Story bodies: a small allowed subset of HTML, cleaned with nh3 (ammonia) once on every save,
with links and images that cannot lie about where they lead. A page cleans a body again only
when it carries no seal of that save under the rules in force (body_seal)."""

import hashlib
import hmac
import re
from functools import cache, lru_cache
from html import escape, unescape

import idna
import nh3
from babel import Locale
from babel.core import get_global
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ALLOWED_TAGS = {
    "p", "h2", "h3", "strong", "em", "a", "blockquote", "ul", "ol", "li",
    "figure", "img", "figcaption", "span",
}  # fmt: skip
# Where a journalist may say which way text runs and what language it is in: the blocks, and
# <span> for a phrase inside a paragraph (an English quotation in an Arabic story).
DIRECTED_TAGS = {"p", "h2", "h3", "blockquote", "ul", "ol", "li", "figure", "figcaption", "span"}
DIRECTIONS = {"rtl", "ltr", "auto"}
ALLOWED_ATTRIBUTES = {
    # ammonia allows lang and title on every element unless told otherwise; lang is only
    # allowed where DIRECTED_TAGS says, and only with a valid value (_attribute_value).
    "*": {"title"},
    "a": {"href"},
    "img": {"src", "alt"},
    **{tag: {"dir", "lang"} for tag in DIRECTED_TAGS},
}
URL_SCHEMES = {"http", "https", "mailto"}

# Something that looks like a tag, a comment or a character reference: such text is treated as
# HTML. Anything else is plain text a journalist pasted, to be split into paragraphs.
_LOOKS_LIKE_HTML = re.compile(r"<[a-zA-Z!/?]|&[#a-zA-Z0-9]+;")
_BLANK_LINES = re.compile(r"\n\s*\n")
_BLOCK_TAG = re.compile(
    r"<\s*(p|h2|h3|blockquote|ul|ol|li|figure|div|table|section|article)\b", re.IGNORECASE
)
_BLOCK_END = re.compile(r"</\s*(p|h2|h3|blockquote|li|figcaption)\s*>", re.IGNORECASE)
# Elements whose content is meant for machines, never for readers: dropped whole, not unwrapped.
_DROP_WITH_CONTENT = {"script", "style", "template", "iframe", "object", "noscript", "title",
                      "textarea", "select", "svg", "math"}  # fmt: skip


def _paragraphs(text: str) -> list[str]:
    """Blank lines separate paragraphs; so do single line breaks when the text has no blank line
    at all (as text copied from a chat or a wire feed does)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return []
    blocks = _BLANK_LINES.split(text) if _BLANK_LINES.search(text) else text.split("\n")
    paragraphs = (" ".join(line.strip() for line in block.split("\n")) for block in blocks)
    return [p for p in paragraphs if p]


def text_to_paragraphs(text: str) -> str:
    """Plain text to <p> elements."""
    return "".join(f"<p>{escape(p, quote=False)}</p>" for p in _paragraphs(text))


# RFC 5646 (BCP 47) language tags, subtag by subtag. The primary language is 2-3 letters: the
# 4-letter and 5-8-letter forms the grammar reserves have never been assigned, and refusing them
# catches "english" or "arab" typed for "en" or "ar". Grandfathered tags (i-klingon) and a bare
# private-use tag (x-…) tell a browser nothing and are refused too.
_LANGUAGE_TAG = re.compile(
    r"""
    (?P<language>[a-z]{2,3})
    (?:-(?P<extlang>[a-z]{3}(?:-[a-z]{3}){0,2}))?
    (?:-(?P<script>[a-z]{4}))?
    (?:-(?P<region>[a-z]{2}|[0-9]{3}))?
    (?P<variants>(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*)
    (?P<extensions>(?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*)
    (?P<private>-x(?:-[a-z0-9]{1,8})+)?
    """,
    re.VERBOSE,
)


@cache
def _cldr_codes() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Language, script and region codes CLDR knows (through Babel), to tell a valid tag from a
    merely well-formed one ("xq-Abcd-QQ"). Languages come from CLDR's likely subtags and aliases
    as well as its names, which together cover the languages of the region (apc, kmr, ckb…)."""
    english = Locale("en")
    languages = {code.split("_")[0] for code in get_global("likely_subtags")}
    languages |= {code.split("_")[0] for code in english.languages}
    languages |= set(get_global("language_aliases"))
    scripts = {code.lower() for code in english.scripts} | {"zyyy", "zinh", "zxxx", "zzzz"}
    regions = {code.lower() for code in english.territories} | {
        code.lower() for code in get_global("territory_aliases")
    }
    return frozenset(languages), frozenset(scripts), frozenset(regions)


def language_tag(value: str) -> str | None:
    """A valid BCP 47 language tag in its conventional case ("en-US", "zh-Hant", "ar-IQ"),
    or None. An underscore is read as a hyphen: "en_US" is how Python and CLDR write locales,
    and an editor who types it means en-US."""
    tag = value.strip().lower().replace("_", "-")
    match = _LANGUAGE_TAG.fullmatch(tag)
    if not match:
        return None
    languages, scripts, regions = _cldr_codes()
    extlangs = match["extlang"].split("-") if match["extlang"] else []
    if not all(code in languages for code in [match["language"], *extlangs]):
        return None
    if match["script"] and match["script"] not in scripts:
        return None
    if match["region"] and match["region"] not in regions:
        return None
    singletons = re.findall(r"-([0-9a-wyz])(?=-)", match["extensions"])
    if len(singletons) != len(set(singletons)):  # RFC 5646 2.2.6: each extension once
        return None
    # Case carries no meaning in BCP 47, but scripts are written Title and regions UPPER.
    return "".join(
        [
            match["language"],
            f"-{match['extlang']}" if match["extlang"] else "",
            f"-{match['script'].title()}" if match["script"] else "",
            f"-{match['region'].upper()}" if match["region"] else "",
            match["variants"],
            match["extensions"],
            match["private"] or "",
        ]
    )


# Links and images. A link either leaves the site for a host written as the browser will read
# it, or stays on the site; anything in between ("/\\evil.example", "//user@host", "//127.1")
# looks internal and is not. Characters a browser drops or rewrites inside an address (tabs and
# line breaks, backslashes, which WHATWG reads as "/") or that hide what it says (invisible and
# bidi controls) are refused anywhere in it rather than guessed at.
_UNSAFE_IN_URL = re.compile(
    "[\x00-\x20\x7f-\xa0\\\\\u00ad\u1680\u180e\u2000-\u200f\u2028-\u202f"
    "\u205f-\u206f\u3000\ufeff\ufff9-\ufffb]"
)
_ABSOLUTE = re.compile(r"(?i)(?:(https?):)?//([^/?#]*)(.*)\Z", re.DOTALL)
_MAILTO = re.compile(r"(?i)mailto:([^@/?#,;:]+)@([^?#/]+)(\?.*)?\Z", re.DOTALL)
_ASCII_HOST = re.compile(
    r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+\.?"
)
# WHATWG reads a host whose last label is a number ("127.1", "0x7f.1", "2130706433") as IPv4.
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*")
_DOT_SEGMENT = re.compile(r"(?i)/(?:\.|%2e){1,2}(?:[/?#]|\Z)")


@lru_cache(maxsize=4096)
def shown_host(host: str) -> str | None:
    """The host as the browser will go to it, in ASCII (punycode for other letters, so that
    "аpple.com" in Cyrillic reads "xn--pple-43d.com"), or None when the host is an IP address, a
    single name ("localhost", "intranet") or not a valid name.

    The idna package's UTS 46 (non-transitional) mapping is what Chromium and Firefox use;
    Python's own "idna" codec is IDNA 2003, which sends "faß.de" to "fass.de", a host the
    browser would not have gone to, and knows no letter added to Unicode since 2002."""
    if host.isascii():
        ascii_host = host.lower()
    else:
        try:
            ascii_host = idna.encode(host, uts46=True, transitional=False).decode("ascii")
        except (idna.IDNAError, UnicodeError, ValueError):
            return None
    if not _ASCII_HOST.fullmatch(ascii_host):
        return None
    if _NUMERIC_LABEL.fullmatch(ascii_host.rstrip(".").rsplit(".", 1)[-1]):
        return None
    return ascii_host


def site_path(url: str) -> bool:
    """A path on this site: "/" then a path character, never "//" or "/\\"."""
    return (
        url.startswith("/")
        and (url == "/" or url[1] not in "/\\")
        and not _UNSAFE_IN_URL.search(url)
    )


# Different hosts in other letters a body may link to or take images from: the idna package
# maps each in Python (~0.3 ms), so a body of 20,000 different ones would take seconds.
MAX_IDN_HOSTS = 200


def _within(budget: set[str], host: str) -> bool:
    """False for a host in other letters past the first MAX_IDN_HOSTS different ones."""
    if host.isascii() or host in budget:
        return True
    budget.add(host)
    return len(budget) <= MAX_IDN_HOSTS


def outside_link(url: str, budget: set[str] | None = None) -> str | None:
    """An http(s) address rewritten with its host as shown_host gives it, or None. A
    scheme-relative "//host/x" (common in pasted HTML) becomes https. No user name or password
    (https://bank.example@evil.example/ is evil.example), no IP address, no odd port."""
    match = _ABSOLUTE.match(url)
    if not match or _UNSAFE_IN_URL.search(url):
        return None
    scheme, authority, rest = (match[1] or "https").lower(), match[2], match[3]
    host, _colon, port = authority.partition(":")
    if "@" in authority or "%" in authority or (_colon and not re.fullmatch(r"[0-9]{1,5}", port)):
        return None
    if budget is not None and not _within(budget, host):
        return None
    ascii_host = shown_host(host)
    if ascii_host is None or (port and not 0 < int(port) < 65536):
        return None
    return f"{scheme}://{ascii_host}{_colon}{port}{rest}"


def safe_href(url: str, budget: set[str] | None = None) -> str | None:
    """A link's address as it is kept, or None when the link must go (its text stays)."""
    url = url.strip()
    if site_path(url):
        return url
    mailto = _MAILTO.match(url)
    if mailto:
        if budget is not None and not _within(budget, mailto[2]):
            return None
        if _UNSAFE_IN_URL.search(url) or not (host := shown_host(mailto[2])):
            return None
        return f"mailto:{mailto[1]}@{host}{mailto[3] or ''}"
    return outside_link(url, budget)


def _image_hosts() -> list[str]:
    return [h.strip().lower() for h in getattr(settings, "KHABAR_IMAGE_HOSTS", []) if h.strip()]


def _media_prefix() -> str:
    media = getattr(settings, "MEDIA_URL", "") or "/media/"
    return media if "//" in media or media.startswith("/") else f"/{media}"


def safe_src(url: str, hosts: list[str], media: str, budget: set[str] | None = None) -> str | None:
    """An image from the site's own media (MEDIA_URL) or from a host in KHABAR_IMAGE_HOSTS
    ("cdn.example", or "*.cdn.example" for its subdomains); None for any other, which would
    tell a third party who reads the story."""
    url = url.strip()
    if _DOT_SEGMENT.search(url):
        return None
    if media.startswith("/"):
        if site_path(url) and url.startswith(media):
            return url
    elif url.startswith(media) and not _UNSAFE_IN_URL.search(url):
        return url
    if not hosts or (url.startswith("/") and not url.startswith("//")):
        return None
    address = outside_link(url, budget)
    if address is None:
        return None
    host = _ABSOLUTE.match(address)[2].partition(":")[0].rstrip(".")
    for allowed in hosts:
        if host == allowed or (allowed.startswith("*.") and host.endswith(allowed[1:])):
            return address
    return None


# What nh3 leaves of a link or an image whose address was refused: <a> without href is
# unwrapped, <img> without src becomes its alt text. nh3 writes tags in lower case with quoted
# attributes and escapes "<" and ">" inside them; an <a> never holds another <a>.
_LINK_WITHOUT_HREF = re.compile(r"<a(?![^>]* href=)[^>]*>(.*?)</a>", re.DOTALL)
_IMAGE_WITHOUT_SRC = re.compile(r"<img(?![^>]* src=)[^>]*>")
_ALT = re.compile(r' alt="([^"]*)"')
_EMPTY_PARAGRAPH = "<p></p>"


def _alt_text(match: re.Match) -> str:
    alt = _ALT.search(match.group(0))
    return escape(unescape(alt.group(1)), quote=False) if alt else ""


def _attribute_filter(refused: list[str] | None):
    hosts, media = _image_hosts(), _media_prefix()
    budget: set[str] = set()

    def attribute_value(tag: str, attribute: str, value: str) -> str | None:
        """nh3 asks here about every attribute it would keep; None drops it."""
        if attribute == "dir":
            direction = value.strip().lower()
            return direction if direction in DIRECTIONS else None
        if attribute == "lang":
            return language_tag(value)
        if tag == "a" and attribute == "href":
            kept = safe_href(value, budget)
        elif tag == "img" and attribute == "src":
            kept = safe_src(value, hosts, media, budget)
        else:
            return value
        if kept is None and refused is not None:
            refused.append(value)
        return kept

    return attribute_value


def _clean(value: str, refused: list[str] | None = None) -> str:
    cleaned = nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        clean_content_tags=_DROP_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter(refused),
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    if "<a" in cleaned:
        cleaned = _LINK_WITHOUT_HREF.sub(r"\1", cleaned)
    if "<img" in cleaned:
        cleaned = _IMAGE_WITHOUT_SRC.sub(_alt_text, cleaned)
    return _paragraphs_at_top(cleaned.replace(_EMPTY_PARAGRAPH, "").strip())


_BLOCKS = {"p", "h2", "h3", "blockquote", "ul", "ol", "li", "figure", "figcaption"}
_CLEAN_TAG = re.compile(r"<(/?)([a-z0-9]+)[^>]*>")


def _paragraphs_at_top(html: str) -> str:
    """Text and inline elements left outside any block (an element that closed the paragraph
    they were in, like <form>, was unwrapped) go in a paragraph, so that cleaning a clean body
    changes nothing. Reads nh3's output, whose tags are well formed and whose text holds no "<"."""
    wraps: list[tuple[int, int]] = []  # (start, end) of runs at the top level to wrap
    depth, top_from, run_from = 0, 0, -1
    for tag in _CLEAN_TAG.finditer(html):
        closing, name = tag.group(1, 2)
        if depth == 0:
            if name in _BLOCKS:
                if run_from < 0 and html[top_from : tag.start()].strip():
                    run_from = top_from
                if run_from >= 0:
                    wraps.append((run_from, tag.start()))
                    run_from = -1
            elif run_from < 0:
                run_from = top_from
        if name != "img":
            depth += -1 if closing else 1
        if depth == 0:
            top_from = tag.end()
    if run_from < 0 and html[top_from:].strip():
        run_from = top_from
    if run_from >= 0:
        wraps.append((run_from, len(html)))
    if not wraps:
        return html
    out, position = [], 0
    for start, end in wraps:
        out += [html[position:start], "<p>", html[start:end], "</p>"]
        position = end
    out.append(html[position:])
    return "".join(out)


# Limits on what is sanitised at all. ammonia's parser slows down with the square of the
# nesting (60,000 nested <div>s took 12.5 s), so a body nested deeper than any story needs is
# refused before it reaches nh3, by nesting_depth's linear scan.
DEFAULT_MAX_DEPTH = 40
DEFAULT_MAX_CHARS = 500_000


class BodyRefused(ValidationError):
    """A body that is not sanitised at all: too long or nested too deep."""


def check_body(value: str, *, length: bool = True) -> None:
    """Raise BodyRefused for a body over KHABAR_BODY_MAX_CHARS characters (unless `length` is
    false) or nested deeper than KHABAR_BODY_MAX_DEPTH elements; cheap enough to run on every
    save and every page."""
    max_chars = getattr(settings, "KHABAR_BODY_MAX_CHARS", DEFAULT_MAX_CHARS)
    max_depth = getattr(settings, "KHABAR_BODY_MAX_DEPTH", DEFAULT_MAX_DEPTH)
    if length and len(value) > max_chars:
        raise BodyRefused(
            _("The body is %(length)s characters long; a story may have at most %(limit)s. "
              "Split it into several stories.") % {"length": f"{len(value):,}",
                                                  "limit": f"{max_chars:,}"},
            code="body_too_long",
        )  # fmt: skip
    if nesting_depth(value, max_depth) > max_depth:
        raise BodyRefused(
            _(
                "The body nests elements more than %(limit)s deep (quotations in lists in "
                "quotations…). Remove the extra levels, or paste it as plain text."
            )
            % {"limit": max_depth},
            code="body_too_deep",
        )


# nesting_depth follows the HTML tokenizer (html.spec.whatwg.org, 13.2.5) far enough to see
# every tag the parser will see, and the tree builder far enough never to count fewer open
# elements than it will have: where it is unsure it counts more (an end tag that may not close
# anything is ignored). A tag: its name, then attributes, where only a quote after "=" starts a
# quoted value; possessive, as the tokenizer never goes back.
_TOKEN = re.compile(
    r"""<(?:
      (/?)([a-zA-Z][^\t\n\f\r />]*+)
      (?>[\t\n\f\r /]++
        |[^\t\n\f\r />][^\t\n\f\r />=]*+
         (?>[\t\n\f\r ]*+=[\t\n\f\r ]*+(?>"[^"]*+"|'[^']*+'|[^\t\n\f\r >]++))?
      )*+>
    |(!--)
    |(!\[CDATA\[)|[!?][^>]*+>|/[^a-zA-Z>][^>]*+>|/>
    )""",
    re.VERBOSE,
)
_COMMENT_END = re.compile(r"--!?>")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr", "param", "keygen", "frame", "basefont", "bgsound", "image"}  # fmt: skip
# Text until their own end tag (with scripting on, as ammonia parses, for noscript too).
_RAW_TEXT = {"style", "xmp", "iframe", "noembed", "noframes", "noscript", "textarea", "title",
             "script"}  # fmt: skip
# An end tag does not reach past these ("has an element in scope"; a superset of each scope).
_SCOPE = {"applet", "caption", "html", "table", "td", "th", "marquee", "object", "template",
          "button", "ol", "ul", "select", "foreignobject", "desc", "title", "mi", "mo", "mn",
          "ms", "mtext", "annotation-xml", "svg", "math"}  # fmt: skip
_RAW_TEXT_END = {name: re.compile(rf"(?i)</{name}[\t\n\f\r />]") for name in _RAW_TEXT}
# Start tags that close an open <p> first (a subset of the specification's list).
_CLOSES_P = {"address", "article", "aside", "blockquote", "center", "details", "dialog", "dir",
             "div", "dl", "fieldset", "figcaption", "figure", "footer", "header", "hgroup",
             "main", "menu", "nav", "ol", "p", "search", "section", "summary", "ul", "h1", "h2",
             "h3", "h4", "h5", "h6", "pre", "listing", "li", "dd", "dt"}  # fmt: skip
# Between two <li>s only these may stand for the second to close the first.
_LI_PASSES = {"address", "div", "p", "span", "a", "b", "big", "code", "em", "font", "i", "nobr",
              "s", "small", "strike", "strong", "tt", "u"}  # fmt: skip
# End tags that close everything above their element (when it is in scope); others stop at a
# "special" element (html.spec.whatwg.org's list: any element not in _NOT_SPECIAL here).
_CLOSES_THROUGH = {"address", "article", "aside", "blockquote", "button", "center", "details",
                   "dialog", "dir", "div", "dl", "fieldset", "figcaption", "figure", "footer",
                   "header", "hgroup", "listing", "main", "menu", "nav", "ol", "pre", "search",
                   "section", "summary", "ul", "form", "p", "li", "dd", "dt", "h1", "h2", "h3",
                   "h4", "h5", "h6", "applet", "marquee", "object"}  # fmt: skip
_NOT_SPECIAL = _FORMATTING_NAMES = {"a", "b", "big", "code", "em", "font", "i", "nobr", "s",
                                    "small", "strike", "strong", "tt", "u"}  # fmt: skip
_NOT_SPECIAL = _NOT_SPECIAL | {
    "span",
    "abbr",
    "cite",
    "q",
    "sub",
    "sup",
    "mark",
    "time",
    "label",
    "dfn",
    "kbd",
    "samp",
    "var",
    "bdi",
    "bdo",
    "data",
    "ins",
    "del",
}
_STRICT_AFTER = {"svg", "math", "template", "select"}
_ANY_START = re.compile(r"<[a-zA-Z]")
_TABLE_START = re.compile(r"(?i)<(?:table|caption|colgroup|col|tbody|thead|tfoot|tr|td|th)\b")
# Formatting elements closed by another element's end tag are opened again by the parser at
# the next text: they still count until their own end tag.
_FORMATTING = {"a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike",
               "strong", "tt", "u"}  # fmt: skip


def nesting_depth(value: str, limit: int) -> int:
    """How deep the HTML parser will nest the elements of `value` at most, or more (never
    less); the scan stops as soon as it passes `limit`. Linear in the length of `value`.

    Where the document ends inside a comment, a tag or raw text, the parser sees nothing more,
    so whatever the scan counts after that point can only count more."""
    stack: list[str] = []
    where: dict[str, list[int]] = {}  # tag name -> its positions in the stack
    scopes: list[int] = [-1]  # positions of _SCOPE elements in the stack
    reopened = 0  # formatting elements the parser will open again
    foreign = 0  # open <svg> and <math>: CDATA sections there, no raw text
    deepest = 0
    search = _TOKEN.search

    def pop_to(index: int) -> None:
        nonlocal reopened, foreign
        while len(stack) > index:
            name = stack.pop()
            where[name].pop()
            if scopes[-1] == len(stack):
                scopes.pop()
            if name in {"svg", "math"}:
                foreign -= 1
            if name in _FORMATTING and len(stack) > index:
                reopened += 1

    position = 0
    while token := search(value, position):
        position = token.end()
        closing, name, comment, cdata = token.group(1, 2, 3, 4)
        if name is None:
            if comment:
                if value.startswith(("<!-->", "<!--->"), token.start()):
                    position = token.start() + 5 + value.startswith("<!--->", token.start())
                    continue
                closed = _COMMENT_END.search(value, position)
                if not closed:
                    break
                position = closed.end()
            elif cdata:
                # A bogus comment to the next ">" (in <svg> and <math>, never reached here, a
                # CDATA section).
                closed = value.find(">", position)
                if closed < 0:
                    break
                position = closed + 1
            continue  # a bogus comment or a doctype, to its ">"
        name = name.lower()
        if closing:
            if stack and stack[-1] == name and scopes[-1] < len(stack) - 1:
                stack.pop()
                where[name].pop()
                if name in {"svg", "math"}:
                    foreign -= 1
                continue
            positions = where.get(name)
            if name in {"p", "br"} and not (positions and positions[-1] > scopes[-1]):
                # The parser makes an element of a stray </p> or </br>: one level, briefly.
                deepest = max(deepest, len(stack) + reopened + 1)
                if deepest > limit:
                    return limit + 1
            if not positions:
                if name in _FORMATTING and reopened:
                    reopened -= 1  # the adoption agency drops it from the formatting list
            elif positions[-1] >= scopes[-1] and (
                name in _CLOSES_THROUGH
                or all(other in _NOT_SPECIAL for other in stack[positions[-1] + 1 :])
            ):
                pop_to(positions[-1])
            # Otherwise the parser ignores the end tag ("any other end tag" meeting a special
            # element), or the adoption agency moves elements without closing any: count on.
            continue
        if name in _VOID or (foreign and value[position - 2] == "/"):
            continue
        if name in _STRICT_AFTER:
            # Foreign content, templates and <select> have parsing rules of their own (elements
            # that break out, CDATA, modes that ignore tags or read text as markup): from here
            # on, every "<" and letter counts as an element that stays open (tables as three:
            # the parser adds their body and row).
            rest = len(_ANY_START.findall(value, token.start()))
            rest += 2 * len(_TABLE_START.findall(value, token.start()))
            return min(limit + 1, max(deepest, len(stack) + reopened + rest))
        if where.get("select") and name in _RAW_TEXT | {"plaintext"} and name != "script":
            # Inside <select> the parser ignores these (but <textarea>, which ends the select
            # first): read what follows as markup, which counts more.
            continue
        if (name in _RAW_TEXT or name == "plaintext") and not foreign:
            # An element of text only: one level more while it is open.
            deepest = max(deepest, len(stack) + reopened + 1)
            if deepest > limit:
                return limit + 1
            if name == "plaintext":
                break  # the rest of the document is text
            content_end = _RAW_TEXT_END[name].search(value, position)
            if name == "script" and "<!--" in value[position : content_end and content_end.start()]:
                # Escaped script text (<!--<script>…) ends where only a full parser knows.
                return limit + 1
            if not content_end:
                break
            closed = _TOKEN.match(value, content_end.start())
            if not closed:
                break
            position = closed.end()
            continue
        if name in _CLOSES_P and where.get("p") and where["p"][-1] > scopes[-1]:
            pop_to(where["p"][-1])
        if name == "li" and where.get("li"):
            index = where["li"][-1]
            if all(other in _LI_PASSES for other in stack[index + 1 :]):
                pop_to(index)
        if name in _SCOPE:
            scopes.append(len(stack))
        if name in {"svg", "math"}:
            foreign += 1
        positions = where.get(name)
        if positions is None:
            where[name] = [len(stack)]
        else:
            positions.append(len(stack))
        stack.append(name)
        if len(stack) + reopened > deepest:
            deepest = len(stack) + reopened
            if deepest > limit:
                return limit + 1
    return deepest


class CleanBody(str):
    """A body as clean_body returned it: Article.save does not sanitise it a second time. Any
    change to the string (concatenation, slicing) gives a plain str again, which is cleaned."""

    __slots__ = ()


def clean_body(value: str, refused: list[str] | None = None, *, length: bool = True) -> CleanBody:
    """Return a story body as safe HTML of the allowed subset. BodyRefused when it is too long or
    too deep (check_body); the addresses of links and images dropped are added to `refused`."""
    value = (value or "").replace("\x00", "")
    check_body(value, length=length)
    if not _LOOKS_LIKE_HTML.search(value):
        return CleanBody(text_to_paragraphs(value))
    if not _BLOCK_TAG.search(value):
        # Text with inline markup only (<strong>, <a>): a paragraph per line, cleaned at once.
        value = "".join(f"<p>{p}</p>" for p in _paragraphs(value))
        return CleanBody(_clean(value, refused))
    # Blocks separated by blank lines: those that start with a block element stay as they are,
    # runs of text between them become paragraphs.
    blocks = _BLANK_LINES.split(value.replace("\r\n", "\n").strip())
    wrapped = [b if _BLOCK_TAG.match(b.lstrip()) else f"<p>{b.strip()}</p>" for b in blocks]
    return CleanBody(_clean("".join(wrapped), refused))


def html_to_text(value: str) -> str:
    """Text of a cleaned body, for meta descriptions and summaries."""
    spaced = _BLOCK_END.sub(lambda m: m.group(0) + " ", value or "")
    text = nh3.clean(spaced, tags=set(), clean_content_tags={"figcaption"})
    return unescape(re.sub(r"\s+", " ", text)).strip()


# Opening tags of text blocks in a cleaned body. Safe to match with a pattern: nh3 writes every
# tag in lower case with quoted attributes, these tags keep only dir and lang (whose values are
# checked above, so hold no ">"), and a "<" in text always comes out as &lt;.
_TEXT_BLOCK_OPEN = re.compile(r"<(p|h2|h3|figcaption|li|blockquote)((?: [^>]*)?)>")
# A list item or quotation that opens with a block of its own (<blockquote><p>…) leaves the
# direction to those blocks: dir="auto" on it would look only at text outside them, find none
# and fall back to left to right.
_OPENS_WITH_BLOCK = re.compile(r"\s*<(?:p|h2|h3|ul|ol|li|blockquote|figure)[ >]")


def _auto_direction(match: re.Match) -> str:
    tag, attributes = match.group(1), match.group(2)
    if " dir=" in attributes:
        return match.group(0)
    if tag in {"li", "blockquote"} and _OPENS_WITH_BLOCK.match(match.string, match.end()):
        return match.group(0)
    return f'<{tag}{attributes} dir="auto">'


# Raised whenever the cleaning rules change in a way the settings below do not show, so that
# every body sealed under the old rules is cleaned again on its page.
BODY_RULES_VERSION = "1"


def body_seal(value: str) -> str:
    """A keyed digest that `value` came out of clean_body under the rules in force: the rules'
    version and the settings they read (image hosts, media address, depth) are part of it.
    Article.save stores it beside the body; a page then trusts a body whose seal still matches
    and cleans any other (a row written around save, a fixture, a body sealed before the image
    hosts changed). Keyed with SECRET_KEY: a seal cannot be made for a body without it."""
    depth = getattr(settings, "KHABAR_BODY_MAX_DEPTH", DEFAULT_MAX_DEPTH)
    rules = f"{BODY_RULES_VERSION}|{','.join(_image_hosts())}|{_media_prefix()}|{depth}|"
    return hmac.new(_seal_key(settings.SECRET_KEY), (rules + value).encode(), "sha256").hexdigest()


@lru_cache(maxsize=4)
def _seal_key(secret: str) -> bytes:
    return hashlib.sha256(f"khabar-body-seal:{secret}".encode()).digest()


def body_for_readers(value: str, seal: str = "") -> str:
    """A story body as the article page shows it: cleaned, and each block of text without a
    direction of its own given dir="auto", so that a paragraph takes the direction of its first
    letter. An English paragraph in an Arabic story then ends with its full stop on the right,
    and an Arabic one in an English story on the left.

    Done at render time rather than stored: bodies saved before this rule read right too, the
    stored body keeps only what the journalist chose (the editor and revision diffs show no
    attribute nobody set), and the page is still the same bytes for every reader.

    The same rules as on saving apply to every stored body, so one saved before them shows no
    link or image they refuse. That is a few milliseconds for a long story, so the result is
    kept for the bodies shown most (keyed by the settings the rules read, too).

    A body with a valid `seal` (body_seal, stored by Article.save) is not cleaned again: only
    its directions are added."""
    value = value or ""
    if seal and hmac.compare_digest(seal, body_seal(value)):
        return _directions(value)
    depth = getattr(settings, "KHABAR_BODY_MAX_DEPTH", DEFAULT_MAX_DEPTH)
    return _for_readers(value, tuple(_image_hosts()), _media_prefix(), depth)


@lru_cache(maxsize=256)
def _directions(cleaned: str) -> str:
    return _TEXT_BLOCK_OPEN.sub(_auto_direction, cleaned)


@lru_cache(maxsize=256)
def _for_readers(value: str, hosts: tuple[str, ...], media: str, depth: int) -> str:
    try:
        # Not the length: a story saved under a higher KHABAR_BODY_MAX_CHARS is still shown.
        cleaned = clean_body(value, length=False)
    except BodyRefused:
        # A body stored before the limits (or written around Article.save) that is too deep to
        # sanitise in time: its text only, without parsing it.
        text = _ANY_TAG.sub("", _ANY_BLOCK.sub("\n\n", value))
        cleaned = text_to_paragraphs(unescape(text))
    return _TEXT_BLOCK_OPEN.sub(_auto_direction, cleaned)


_ANY_BLOCK = re.compile(
    r"</?(?:p|h[1-6]|blockquote|ul|ol|li|figure|figcaption|div|section|article|table|tr)\b[^>]*>?",
    re.IGNORECASE,
)
_ANY_TAG = re.compile(r"<[^>]*>?")
