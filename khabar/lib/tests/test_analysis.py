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
    assert stems[1] == "كهرب" and stems[-1] == "2025"


def test_english_uses_snowball():
    exact, stems = analyze("Elections and stations", "en")
    assert exact == ["elections", "stations"] and stems == ["elect", "station"]


def test_digits_in_any_script_are_the_same_term():
    assert analyze("٢٠٢٥ ۲۰۲۵ 2025", "ar")[0] == ["2025", "2025", "2025"]


@pytest.mark.parametrize(
    ("one", "other"),
    [("ماموجرام", "الماموغرام"), ("سينوجرافيا", "سينوغرافيا"), ("كارلوس", "كارلس"),
     ("مسئولي", "المسؤولون")],
)  # fmt: skip
def test_long_stems_meet_whatever_the_transliteration_or_hamza_seat(one, other):
    assert analyze(one, "ar")[1] == analyze(other, "ar")[1]
    # The exact forms stay apart, so the spelling the reader typed ranks first.
    assert analyze(one, "ar")[0] != analyze(other, "ar")[0]


def test_veh_is_feh():
    assert analyze("ڤيتامين", "ar") == analyze("فيتامين", "ar")


def test_short_stems_keep_their_long_vowels():
    # كاتب (writer) and كتب (books) are different words; a skeleton would merge them.
    assert stem_arabic("الكاتب") != stem_arabic("الكتب")


def test_zwnj_words_in_stories_queries_and_phrases():
    # A story: the parts in a row (a quoted phrase runs through them), the whole form after.
    story = analyze("قطار سریع\u200cالسیر امروز", "fa", document=True)[0]
    assert story == ["قطار", "سريع", "السير", "امروز", "سريعالسير"]
    # A query: the whole form, which a story has with or without the ZWNJ.
    assert analyze("قطار سریع\u200cالسیر", "fa")[0] == ["قطار", "سريعالسير"]
    assert analyze("سریعالسیر", "fa", document=True)[0] == ["سريعالسير"]
    # A quoted phrase: the parts.
    assert analyze("قطار سریع\u200cالسیر", "fa", phrase=True)[0] == ["قطار", "سريع", "السير"]
    # Suffixes set apart by a ZWNJ are not words of their own in Persian.
    assert analyze("کتاب\u200cهای کودکان", "fa", document=True)[0] == [
        "كتاب", "كودكان", "كتابهاي"
    ]  # fmt: skip


def test_persian_suffixes_are_words_in_arabic():
    # ام (from أم) and شان (from شأن) are Persian endings but Arabic words.
    assert analyze("ميناء أم قصر", "ar")[0] == ["مينا", "ام", "قصر"]
    assert analyze("في هذا الشأن", "ar")[0] == ["الشان"]
    assert analyze("ام", "fa")[0] == []


def test_q_and_k_meet_in_transliterated_names():
    assert analyze("Qasim", "en")[1] == analyze("Kasim", "en")[1]


def test_overlong_words_are_left_out():
    assert analyze("خبر " + "ب" * 2000 + " عاجل", "ar", document=True)[0] == ["خبر", "عاجل"]
