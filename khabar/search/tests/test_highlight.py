"""Snippets: the window of words around the first match, and the marks, as plain functions."""

from khabar.search.query import parse
from khabar.search.service import highlight


def words(n: int, start: int = 0) -> list[str]:
    return [f"كلمة{i}" for i in range(start, start + n)]


def test_a_late_match_gets_a_window_around_it_with_ellipses():
    text = " ".join(words(60)) + "، النفط " + " ".join(words(60, 60)) + "."
    out = str(highlight(text, parse("النفط", "ar"), "ar", limit=36))
    assert out.startswith("… ") and out.endswith("…")
    assert "<mark>النفط</mark>" in out
    # 36 words: a third of them before the match, the match, the rest after it.
    assert out.count("كلمة") == 35
    assert "كلمة48" in out and "كلمة47" not in out and "كلمة82" in out and "كلمة83" not in out


def test_no_match_keeps_the_first_words_and_a_short_text_is_whole():
    text = " ".join(words(50))
    out = str(highlight(text, parse("النفط", "ar"), "ar", limit=10))
    assert out == " ".join(words(10)) + "…"
    short = "أسعار <النفط> ترتفع"
    assert str(highlight(short, parse("أسعار", "ar"), "ar", limit=10)) == (
        "<mark>أسعار</mark> &lt;النفط&gt; ترتفع"
    )


def test_a_stem_matches_and_every_occurrence_is_marked():
    out = str(highlight("الوزير والوزير وزير آخر", parse("وزير", "ar"), "ar"))
    assert out.count("<mark>") == 3 and "آخر" in out and "<mark>آخر" not in out
