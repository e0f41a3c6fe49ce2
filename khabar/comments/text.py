"""A comment's text: plain text in, safe HTML out."""

import re

from django.utils.html import linebreaks, urlize

# Bidi embeddings, overrides and isolates could reorder the text around a comment; zero-width
# spaces, word joiners and BOMs hide words from the word list. ZWNJ and ZWJ stay: Persian
# spelling needs them.
_STRIP = re.compile("[\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff\u200e\u200f\u061c]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def has_lone_surrogate(text: str) -> bool:
    return bool(_SURROGATE.search(text))


def clean_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _STRIP.sub("", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def count_links(text: str) -> int:
    """Links as readers will see them: whatever render() turns into one (bare domains and
    e-mail addresses too)."""
    return render(text).count("<a ")


def render(text: str) -> str:
    """Escaped text with paragraphs and line breaks; web addresses become links that search
    engines do not credit (rel="nofollow ugc")."""
    html = urlize(text, trim_url_limit=60, nofollow=True, autoescape=True)
    html = html.replace('rel="nofollow"', 'rel="nofollow ugc noopener"')
    return linebreaks(html, autoescape=False)
