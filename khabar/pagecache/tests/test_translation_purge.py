"""A story's cached page names its translations: publishing or unpublishing one purges it (the
page carries its translations' surrogate keys), seen over real HTTP through the embedded cache."""

import pytest

from khabar.news.actions import do_publish
from khabar.news.tests.translated import other_editions
from khabar.news.translations import start_translation
from khabar.newsroom.actions import do_unpublish_with_reason


@pytest.fixture
def original(make_article):
    return make_article("جامعة البصرة تفتتح مختبراً للطاقة الشمسية")


def test_publishing_and_unpublishing_a_translation_purges_the_originals_page(
    cached_site, original, section, editor
):
    persian, _english = other_editions(section)
    draft = start_translation(original, persian, editor)
    url = original.get_absolute_url()
    cached_site.get(url)
    assert cached_site.get(url).headers["x-cache"] == "HIT"
    assert 'hreflang="fa"' not in cached_site.get(url).text

    do_publish(draft)
    answer = cached_site.get(url)
    assert answer.headers["x-cache"] == "MISS"
    assert 'hreflang="fa"' in answer.text and "فارسی" in answer.text
    assert cached_site.get(url).headers["x-cache"] == "HIT"
    # The translation's own page names the original back.
    assert 'hreflang="ar"' in cached_site.get(draft.get_absolute_url()).text

    do_unpublish_with_reason(editor, draft, "ترجمه بازبینی می‌شود.")
    answer = cached_site.get(url)
    assert answer.headers["x-cache"] == "MISS"
    assert 'hreflang="fa"' not in answer.text
