"""The desk's search is the site's search: the same analyzer over the same index for published
stories, the same analyzer in Python for the stories still in the newsroom; a news code finds
its story; reporters still see only what they may; absurd queries get the reader page's
message."""

import re

import pytest
from django.utils import translation

from khabar.news import actions
from khabar.news.models import Article
from khabar.newsroom import actions as desk_actions
from khabar.search.backends import BadQuery
from khabar.search.service import bad_query_message

pytestmark = pytest.mark.django_db


def listed(client, **params) -> list[Article]:
    html = client.get("/desk/", {"tab": "all", **params}).content.decode()
    ids = [int(i) for i in re.findall(r'href="/desk/stories/([0-9]+)/"', html)]
    stories = Article.objects.in_bulk(ids)
    return [stories[i] for i in ids]


def said(kind: str, language: str) -> str:
    with translation.override(language):
        return bad_query_message(BadQuery(kind))


@pytest.fixture
def government(make_article):
    return make_article("اجتماع في بغداد", body="<p>قدّم الوزير تقريراً والحكومة تدرس الخطة.</p>")


@pytest.mark.parametrize(
    "form",
    [
        "والحكومة",
        "بالحكومة",
        "للحكومة",
        "وللحكومة",
    ],
)
def test_a_prefixed_form_in_a_published_body_is_found(client, editor, make_article, form):
    story = make_article("اجتماع في بغداد", body=f"<p>قدّم الوزير تقريراً {form} تدرس الخطة.</p>")
    make_article("خبر عن الرياضة", body="<p>فاز الفريق بالمباراة.</p>")
    client.force_login(editor)
    assert listed(client, q="الحكومة") == [story]
    assert listed(client, q="حكومه") == [story]


def test_a_draft_is_found_through_the_same_analyzer(client, editor, reporter, draft):
    # The draft's headline holds "المياه"; "مياه" and "بالمياه" are the same word.
    client.force_login(editor)
    assert draft in listed(client, q="مياه")
    assert draft in listed(client, q="بالمياه")
    assert draft in listed(client, q='"مسودة خبر"')
    assert draft not in listed(client, q='"خبر مسودة"')
    assert draft not in listed(client, q="المياه الكهرباء")  # every word, as a filter
    client.force_login(reporter)
    assert listed(client, tab="mine", q="مياه") == [draft]


def test_published_and_unpublished_stories_are_ranked_together(client, editor, draft,
                                                               make_article):  # fmt: skip
    in_body = make_article("خبر عن الطقس", body="<p>انقطعت المياه ساعة.</p>")
    in_headline = make_article("المياه تعود إلى الأحياء", body="<p>نص.</p>")
    client.force_login(editor)
    found = listed(client, q="المياه")
    assert set(found) == {draft, in_body, in_headline}
    assert found.index(in_headline) < found.index(in_body)
    by_time = listed(client, q="المياه", order="time")
    assert by_time == sorted(found, key=lambda a: (a.updated_at, a.pk), reverse=True)


@pytest.mark.parametrize("typed", ["{code}", "{arabic}", " {persian} "])
def test_a_news_code_finds_its_story(client, editor, government, make_article, typed):
    make_article("خبر آخر", body=f"<p>العدد {government.news_code} في النص.</p>")
    code = str(government.news_code)
    arabic = code.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    persian = code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    client.force_login(editor)
    found = listed(client, q=typed.format(code=code, arabic=arabic, persian=persian))
    assert found[0] == government


def test_reporters_do_not_find_colleagues_drafts(client, editor, reporter, other_reporter,
                                                draft, make_article):  # fmt: skip
    published = make_article("المياه في الأسواق", body="<p>نص.</p>")
    client.force_login(other_reporter)
    assert listed(client, q="المياه") == [published]
    desk_actions.do_submit(reporter, draft)
    assert draft not in listed(client, q="المياه", tab="review")
    client.force_login(reporter)
    assert set(listed(client, q="المياه")) == {published, draft}


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("x" * 10_000, "too-long"),
        ('" OR 1=1 --', None),
        ("NEAR(a b)", None),
        ("a & !b <->", None),
        ("!!! ؟؟؟ ... ***", "empty"),
        ("\x00", "empty"),
    ],
)
def test_absurd_queries_get_the_message_on_both_pages(client, editor, government, draft, query,
                                                      kind):  # fmt: skip
    client.force_login(editor)
    desk = client.get("/desk/", {"tab": "all", "q": query})
    reader = client.get("/ar/search/", {"q": query})
    assert desk.status_code == reader.status_code == 200
    if kind:
        # The newsroom speaks the site's language (Arabic), the reader page its edition's.
        assert said(kind, "ar") in desk.content.decode()
        assert said(kind, "ar") in reader.content.decode()
    else:
        assert "search-message" not in desk.content.decode()


def test_a_lone_surrogate_in_the_url(client, editor, government):
    client.force_login(editor)
    desk = client.get("/desk/?tab=all&q=%ED%A0%80")
    reader = client.get("/ar/search/?q=%ED%A0%80")
    assert desk.status_code == reader.status_code == 200
    assert said("empty", "ar") in desk.content.decode()
    assert said("empty", "ar") in reader.content.decode()


def test_desk_search_pages_keep_the_query(client, editor, make_article):
    for i in range(30):
        make_article(f"خبر عن الانتخابات رقم {i}")
    client.force_login(editor)
    html = client.get("/desk/", {"tab": "all", "q": "الانتخابات"}).content.decode()
    assert len(re.findall(r'href="/desk/stories/([0-9]+)/"', html)) == 25
    assert "page=2" in html and "q=%D8%A7%D9%84%D8%A7%D9%86" in html
    second = listed(client, q="الانتخابات", page="2")
    assert len(second) == 5


def test_every_edition_is_searched_in_its_own_language(client, editor, edition, make_article):
    from khabar.news.models import Edition, Section

    persian = Edition.objects.create(code="fa", name="خبر", language="fa", locale="fa_IR")
    section = Section.objects.create(edition=persian, name="فرهنگ", slug="فرهنگ")
    books = Article.objects.create(edition=persian, section=section, headline="نمایشگاه کتاب",
                                   body="<p>کتابهای تازه در نمایشگاه.</p>")  # fmt: skip
    actions.do_publish(books)
    killed = make_article("كتاب عن تاريخ البصرة", body="<p>نص.</p>")
    actions.do_unpublish(killed)
    client.force_login(editor)
    # The Persian stemmer takes "های" off "کتابهای"; the killed Arabic story is out of the
    # index and found by the analyzer in Python.
    assert set(listed(client, q="کتاب")) == {books, killed}


def test_a_desk_search_takes_a_few_queries(client, editor, draft, make_article,
                                           django_assert_max_num_queries):  # fmt: skip
    for i in range(30):
        make_article(f"المياه في التقرير رقم {i}")
    client.force_login(editor)
    # A fixed number whatever the number of stories: session, user and permissions, the desk's
    # lists, and the search's few statements (a few more on PostgreSQL, which asks its GIN
    # index for the matches of the newest candidates' days, then the candidates among them).
    with django_assert_max_num_queries(17):
        client.get("/desk/", {"tab": "all", "q": "المياه"})
    with django_assert_max_num_queries(17):
        client.get("/desk/", {"tab": "all", "q": "المياه", "order": "time", "page": "2"})
