"""Story bodies: a small allowed subset of HTML, cleaned with nh3 (ammonia) on every save."""

import re
from functools import cache
from html import escape, unescape

import nh3
from babel import Locale
from babel.core import get_global

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


def _attribute_value(tag: str, attribute: str, value: str) -> str | None:
    """nh3 asks here about every attribute it would keep; None drops it."""
    if attribute == "dir":
        direction = value.strip().lower()
        return direction if direction in DIRECTIONS else None
    if attribute == "lang":
        return language_tag(value)
    return value


def _clean(value: str) -> str:
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        clean_content_tags=_DROP_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_value,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def clean_body(value: str) -> str:
    """Return a story body as safe HTML of the allowed subset."""
    value = (value or "").replace("\x00", "")
    if not _LOOKS_LIKE_HTML.search(value):
        return text_to_paragraphs(value)
    if not _BLOCK_TAG.search(value):
        # Text with inline markup only (<strong>, <a>): paragraphs by line, each cleaned.
        cleaned = (_clean(p) for p in _paragraphs(value))
        return "".join(f"<p>{p}</p>" for p in cleaned if p)
    # Blocks separated by blank lines: those that start with a block element stay as they are,
    # runs of text between them become paragraphs.
    blocks = _BLANK_LINES.split(value.replace("\r\n", "\n").strip())
    wrapped = [b if _BLOCK_TAG.match(b.lstrip()) else f"<p>{b.strip()}</p>" for b in blocks]
    return _clean("".join(wrapped))


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


def body_for_readers(value: str) -> str:
    """A story body as the article page shows it: cleaned, and each block of text without a
    direction of its own given dir="auto", so that a paragraph takes the direction of its first
    letter. An English paragraph in an Arabic story then ends with its full stop on the right,
    and an Arabic one in an English story on the left.

    Done at render time rather than stored: bodies saved before this rule read right too, the
    stored body keeps only what the journalist chose (the editor and revision diffs show no
    attribute nobody set), and the page is still the same bytes for every reader."""
    return _TEXT_BLOCK_OPEN.sub(_auto_direction, clean_body(value))
