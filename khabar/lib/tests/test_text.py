from khabar.lib.text import unicode_slug


def test_slug_keeps_arabic_letters_and_drops_marks():
    assert unicode_slug("وزارةُ الزّراعـــة تُعلن: موسمٌ جديد 2025!") == (
        "وزارة-الزراعة-تعلن-موسم-جديد-2025"
    )


def test_slug_keeps_persian_letters():
    assert unicode_slug("کتاب‌های تازه") == "کتابهای-تازه"


def test_long_slug_is_cut_at_a_word():
    slug = unicode_slug("كلمة " * 40, max_length=30)
    assert len(slug) <= 30
    assert slug.split("-") == ["كلمة"] * len(slug.split("-"))
