"""Side-by-side differences between two versions of a story, readable by journalists: headline,
lead and body compared paragraph by paragraph, changed words marked."""

import difflib
import re
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

from khabar.lib.html import html_to_text

_PARAGRAPH_END = re.compile(r"</(p|h2|h3|li|blockquote|figcaption)>", re.IGNORECASE)


@dataclass
class Row:
    old: SafeString
    new: SafeString
    changed: bool


def paragraphs(body_html: str) -> list[str]:
    parts = _PARAGRAPH_END.split(body_html or "")[::2]
    return [text for part in parts if (text := html_to_text(part))]


def _words(old: str, new: str) -> tuple[SafeString, SafeString]:
    a, b = old.split(), new.split()
    left, right = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        old_part, new_part = escape(" ".join(a[i1:i2])), escape(" ".join(b[j1:j2]))
        if op == "equal":
            left.append(old_part)
            right.append(new_part)
        else:
            if old_part:
                left.append(f"<del>{old_part}</del>")
            if new_part:
                right.append(f"<ins>{new_part}</ins>")
    return mark_safe(" ".join(left)), mark_safe(" ".join(right))


def compare_texts(old: list[str], new: list[str]) -> list[Row]:
    rows = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            rows += [Row(mark_safe(escape(t)), mark_safe(escape(t)), False) for t in old[i1:i2]]
            continue
        left, right = old[i1:i2], new[j1:j2]
        for k in range(max(len(left), len(right))):
            a = left[k] if k < len(left) else ""
            b = right[k] if k < len(right) else ""
            rows.append(Row(*_words(a, b), changed=True))
    return rows


def compare(old, new) -> dict[str, list[Row]]:
    """Rows per field for two objects with headline, lead and body (stories or revisions)."""
    return {
        "headline": compare_texts([old.headline], [new.headline]),
        "lead": compare_texts([old.lead] if old.lead else [], [new.lead] if new.lead else []),
        "body": compare_texts(paragraphs(old.body), paragraphs(new.body)),
    }


def has_changes(rows: dict[str, list[Row]]) -> bool:
    return any(row.changed for field in rows.values() for row in field)


# A sentence ends at a full stop, a question or exclamation mark (Latin, Arabic, Urdu) or an
# ellipsis, followed by a space or the end of the paragraph; "3.5" and "www.example" stay whole.
_SENTENCE_END = re.compile(r"(?<=[.!?؟۔…])\s+")


def sentences(story) -> list[str]:
    """The sentences of a story's headline, lead and body, whitespace made single, in order.

    Used to find what a published correction added, so that a restore cannot quietly take it
    out again."""
    parts = [story.headline or "", story.lead or "", *paragraphs(story.body)]
    found = []
    for part in parts:
        for sentence in _SENTENCE_END.split(" ".join(part.split())):
            if sentence and sentence not in found:
                found.append(sentence)
    return found
