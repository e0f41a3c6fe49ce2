"""The desk's tabs: labels in the interface language of each request, counts in its digits, and
each role opening the desk on what waits for it."""

import re

import pytest
from django.utils import translation

from khabar.newsroom import actions
from khabar.newsroom.queries import tab_counts

LABELS = {
    "ar": ["مسوداتي", "بانتظار المراجعة", "مجدول ومحظور النشر حتى موعده", "نُشر اليوم",
           "كل الأخبار"],
    "fa": ["پیش‌نویس‌های من", "در انتظار بررسی", "زمان‌بندی‌شده و تحت ممنوعیت انتشار",
           "منتشرشده امروز", "همهٔ خبرها"],
    "en": ["My drafts", "Awaiting review", "Scheduled and embargoed", "Published today",
           "All stories"],
}  # fmt: skip


def in_language(client, settings, language, url):
    """The page as the newsroom serves it with `language` as its interface language."""
    settings.LANGUAGE_CODE = language
    translation.deactivate()  # no language left active in this thread: the setting decides
    return client.get(url).content.decode()


def tabs(html):
    """(label, count) of each desk tab."""
    nav = html.split('class="nr-tabs"')[1].split("</nav>")[0]
    return re.findall(r'<a href="\?tab=\w+"[^>]*>(.*?) <span class="nr-count">(.*?)</span>', nav)


@pytest.fixture
def stories(edition, section, reporter, other_reporter, editor, make_article):
    """One draft of the reporter's, two stories awaiting review, three published today."""
    actions.do_create(reporter, edition=edition, section=section, headline="مسودة أولى",
                      body="<p>نص.</p>")  # fmt: skip
    for headline in ("خبر للمراجعة", "خبر آخر للمراجعة"):
        story = actions.do_create(other_reporter, edition=edition, section=section,
                                  headline=headline, body="<p>نص.</p>")  # fmt: skip
        actions.do_submit(other_reporter, story)
    for i in range(3):
        make_article(f"خبر منشور {i}")


@pytest.mark.parametrize("first, second", [("ar", "en"), ("en", "fa")])
def test_tab_labels_follow_the_interface_language_of_each_request(
    client, settings, editor, stories, first, second
):
    client.force_login(editor)
    for language in (first, second, first):
        html = in_language(client, settings, language, "/desk/?tab=all")
        assert [label for label, _ in tabs(html)] == LABELS[language], language


def test_counts_are_written_in_the_interface_languages_digits(client, settings, editor, stories):
    client.force_login(editor)
    for language, counts in [("ar", "٠٢٠٣٦"), ("fa", "۰۲۰۳۶"), ("en", "02036")]:
        html = in_language(client, settings, language, "/desk/")
        assert "".join(count for _, count in tabs(html)) == counts, language


def test_counts_are_what_each_list_holds_for_the_role(reporter, editor, stories):
    # A reporter counts their own draft and what is public, not colleagues' submitted stories.
    assert tab_counts(reporter) == {"mine": 1, "review": 0, "upcoming": 0, "today": 3, "all": 4}
    assert tab_counts(editor) == {"mine": 0, "review": 2, "upcoming": 0, "today": 3, "all": 6}


def test_editors_open_the_desk_on_what_awaits_review(client, editor, reporter, stories):
    client.force_login(editor)
    page = client.get("/desk/")
    assert page.context["tab"] == "review"
    html = page.content.decode()
    assert 'href="?tab=review" aria-current="page"' in html
    assert "خبر للمراجعة" in html and "خبر آخر للمراجعة" in html
    client.force_login(reporter)
    page = client.get("/desk/")
    assert page.context["tab"] == "mine" and "مسودة أولى" in page.content.decode()


def test_page_numbers_and_news_codes_are_in_arabic_digits(client, editor, make_article):
    for i in range(30):
        make_article(f"خبر منشور {i}")
    client.force_login(editor)
    html = client.get("/desk/?tab=all").content.decode()
    assert "<span>١ / ٢</span>" in html
    codes = re.findall(r'<span class="nr-code">(.*?)</span>', html)
    assert codes and all(re.fullmatch("[٠-٩]+", code) for code in codes)
    table = html.split('<table class="nr-table')[1].split("</table>")[0]
    shown = re.sub(r"<a [^>]*>.*?</a>", "", table)  # the headlines are the test's own text
    assert not re.search(r">[^<]*[0-9][^<]*<", shown)  # no Latin digit in codes, times, pages
