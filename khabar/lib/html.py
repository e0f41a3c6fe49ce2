"""Story bodies: a small allowed subset of HTML, cleaned with nh3 (ammonia) on every save."""

import re
from html import escape, unescape

import nh3

ALLOWED_TAGS = {
    "p", "h2", "h3", "strong", "em", "a", "blockquote", "ul", "ol", "li",
    "figure", "img", "figcaption",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}}
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


def _clean(value: str) -> str:
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        clean_content_tags=_DROP_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
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
