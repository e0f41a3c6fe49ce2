import pytest

from khabar.lib.analysis import analyze, stem_arabic, stem_persian


@pytest.mark.parametrize(
    ("word", "stem"),
    [("والكتاب", "كتاب"), ("بالمدرسه", "مدرس"), ("للطلاب", "طلاب"), ("المعلمون", "معلم"),
     ("سيارات", "سيار"), ("كتابها", "كتاب")],
)  # fmt: skip
def test_arabic_light_stemmer(word, stem):
    assert stem_arabic(word) == stem


def test_short_words_keep_two_letters():
    assert len(stem_arabic("وله")) >= 2
    assert stem_arabic("ال") == "ال"


def test_persian_plural_suffixes():
    assert stem_persian("كتابها") == "كتاب"
    assert stem_persian("دانشجويان") == "دانشجوي"


def test_exact_and_stemmed_terms_with_stop_words_removed():
    exact, stems = analyze("وزارةُ الكهرباء في بغداد تعلن عن خطة 2025", "ar")
    # The lone hamza is dropped by the normaliser, on the text and on the query alike.
    assert exact == ["وزاره", "الكهربا", "بغداد", "تعلن", "خطه", "2025"]
    assert stems[1] == "كهربا" and stems[-1] == "2025"


def test_english_uses_snowball():
    exact, stems = analyze("Elections and stations", "en")
    assert exact == ["elections", "stations"] and stems == ["elect", "station"]


def test_digits_in_any_script_are_the_same_term():
    assert analyze("٢٠٢٥ ۲۰۲۵ 2025", "ar")[0] == ["2025", "2025", "2025"]
