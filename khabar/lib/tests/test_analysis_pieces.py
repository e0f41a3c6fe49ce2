"""analyze() works piece by piece (what lies between two spaces) and remembers each piece:
these texts have what could tell a piecewise analysis from a whole one (marks after a space,
spaces that NFKC changes or makes, ZWNJ words whose whole form goes after the text). The
expected terms are what the whole-text analysis gave before the change."""

from khabar.lib.analysis import analyze, tokens


def test_a_no_break_space_separates_words_as_a_space_does():
    assert analyze("الحكومةُ\u00a0الجديدة", "ar") == (["الحكومه", "الجديده"], ["حكوم", "جديد"])


def test_a_ligature_that_nfkc_spells_out_gives_its_words():
    assert analyze("قال \ufdfa في الخطبة", "ar") == (
        ["قال", "صلي", "الله", "عليه", "وسلم", "الخطبه"],
        ["قال", "صل", "له", "عل", "سلم", "خطب"],
    )


def test_a_mark_after_a_space_and_an_ideographic_space_and_tatweel():
    assert analyze("كتاب \u064eقلم\u3000بغـــداد ٢٠٢٤", "ar") == (
        ["كتاب", "قلم", "بغداد", "2024"],
        ["كتاب", "قلم", "بغدد", "2024"],
    )


def test_a_story_puts_the_whole_forms_of_zwnj_words_after_its_text():
    exact, stems = analyze("کتاب\u200cهای خوب و سریع\u200cالسیر", "fa", document=True)
    assert exact == ["كتاب", "خوب", "سريع", "السير", "كتابهاي", "سريعالسير"]
    assert stems == ["كتاب", "خوب", "سريع", "السير", "كتاب", "سريعالسير"]


def test_a_phrase_and_a_query_take_zwnj_words_in_parts_and_whole_respectively():
    assert analyze("کتاب\u200cهای خوب", "fa", phrase=True) == (["كتاب", "خوب"], ["كتاب", "خوب"])
    assert tokens("کتاب\u200cهای خوب", "whole") == ["كتابهاي", "خوب"]


def test_invisible_characters_do_not_split_or_make_words():
    assert analyze("\u200fالنفط\u200b الخام", "ar", document=True) == (
        ["النفط", "الخام"],
        ["نفط", "خام"],
    )


def test_the_same_piece_analysed_again_gives_the_same_terms():
    text = "أسعار النفط، أسعار النفط. أسعار"
    expected = (
        ["اسعار", "النفط", "اسعار", "النفط", "اسعار"],
        ["اسعر", "نفط", "اسعر", "نفط", "اسعر"],
    )
    assert analyze(text, "ar") == expected
    assert analyze(text, "ar") == expected
