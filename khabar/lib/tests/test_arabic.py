import pytest

from khabar.lib.arabic import normalize, words


@pytest.mark.parametrize(
    "variant",
    [
        "كلمة",
        "كـلـمـة",  # tatweel
        "كَلِمَةٌ",  # harakat
        "كلمه",  # taa marbuta typed as heh
        "کلمه",  # Persian kaf
        "ك\u200bلمة",  # zero-width space inside
        "ك\u200cلمة",  # zero-width non-joiner inside
        "\u202eكلمة",  # right-to-left override
        "ﻛﻠﻤﺔ",  # presentation forms
    ],
)
def test_spelling_variants_fold_together(variant):
    assert normalize(variant) == normalize("كلمة")


def test_alef_hamza_yeh_and_maqsura():
    assert normalize("إسلام أحمد آمال") == normalize("اسلام احمد امال")
    assert normalize("مصطفى") == normalize("مصطفي")
    assert normalize("یک") == normalize("يك")  # Persian yeh and kaf
    assert normalize("مسئول") == normalize("مسيول")


def test_digits_fold_to_ascii():
    assert normalize("٢٠٢٤ ۲۰۲۴ 2024") == "2024 2024 2024"


def test_persian_half_space():
    assert normalize("می‌خواهم") == normalize("میخواهم")


def test_shadda_and_superscript_alef():
    assert normalize("السكّر") == normalize("السكر")
    assert normalize("هٰذا") == normalize("هذا")


def test_latin_is_case_folded_and_spaces_collapsed():
    assert normalize("  Hello\n  WORLD ") == "hello world"


def test_words():
    assert words("قالَ الوزيرُ: «الخطةُ جاهزة»") == ["قال", "الوزير", "الخطه", "جاهزه"]
