"""Stories open to comments still apply the rules: links, held words and repeats hold or refuse
a comment as on a pre-moderated story, and an edition can make first-time commenters wait.

The samples are spam as it reaches a news site, written for this test. Each is posted the way a
spam program posts: the captcha solved (proof of work is cheap for a program), from its own
network and address, so that only the rules about the text can stop it.
"""

import pytest

from khabar.comments.models import Comment, HeldWord
from khabar.news.models import CommentMode
from khabar.testing import comment_data, confirm_address

pytestmark = pytest.mark.django_db

SPAM = [
    # links
    "مقالة رائعة، زوروا https://cheap-pills.example/buy و https://casino.example/win و https://loans.example",
    "Great article! Visit http://best-deals.example/offer http://deals2.example/now http://deals3.example",
    # link shorteners: one link, but where it goes is hidden
    "خبر مهم جداً، التفاصيل هنا bit.ly/3xYzAbC",
    "Read the full truth here: https://tinyurl.com/y7k2abcd",
    "الرابط الكامل: https://t.co/Ab12Cd34Ef",
    # held words, plain and disguised
    "أفضل كازينو على الإنترنت بانتظارك",
    "أفضل كـــازيـــنو على الإنترنت بانتظارك اليوم",
    "Play at the best c.a.s.i.n.o online tonight",
    "Win big at C A S I N O royal, no deposit needed",
    "اربح الآن في الكازينو واحصل على مكافأة فورية",
    # repeated text
    "اشترك الآن " * 25,
    "ربح ربح ربح ربح ربح ربح ربح ربح ربح ربح ربح ربح ربح ربح ربح ربح ربح ربح ربح ربح",
    "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
    # shouting
    "BUY CHEAP FOLLOWERS NOW!!! BEST PRICE GUARANTEED, CONTACT US TODAY",
    "FREE MONEY FOR EVERYONE WHO CLICKS, LIMITED OFFER, ACT NOW",
    # mixed Arabic/Latin, with addresses written so that they are not links
    "اربح 1000 دولار يومياً من البيت، سجل في win-money dot com الآن",
    "للتواصل واتساب ‎+964 770 123 4567‎ قروض سريعة بدون ضمانات",
    "Earn $500 daily اربح من البيت www . easy-cash . example",
    "متابعين انستغرام حقيقيين بأرخص الأسعار، راسلنا تيليجرام @cheapfollowers_iq",
    # the same spam on a second story, from another network
    "DUPLICATE",
    # look-alike letters: Cyrillic а and о in a Latin word
    "Best cаsinо bonus of the year, sign up and claim it",
]

LEGITIMATE = [
    "تعليق مفيد على الخبر، شكراً للكاتب.",
    "أتفق مع ما جاء في الفقرة الثانية، لكن الأرقام تحتاج إلى مصدر.",
    "نشرت الوزارة البيان كاملاً على موقعها: https://www.example.gov.iq/news/123",
    "The figures match the ministry's report from last year.",
    "این خبر بسیار مهم است و باید بیشتر درباره آن نوشت.",
    "متى يبدأ المشروع في البصرة؟ لم يذكر الخبر موعداً.",
    "UN and WHO figures say otherwise, see the annual report.",
    "شكراً",
]


def _post(client, article, body, n):
    url = f"/{article.edition.code}/comments/{article.news_code}"
    data = comment_data(article, body=body, email=f"writer{n}@example.net", name=f"كاتب {n}")
    return client.post(url, data, HTTP_X_REQUESTED_WITH="fetch", REMOTE_ADDR=f"10.{n}.0.1")


def _went_live(client, article, body, n):
    response = _post(client, article, body, n)
    if response.status_code != 201:
        return False  # refused
    return Comment.objects.get(pk=response.json()["id"]).status == Comment.Status.APPROVED


@pytest.fixture
def open_story(make_article):
    article = make_article("خبر مفتوح للتعليق", comment_mode=CommentMode.OPEN)
    # Held words as a desk sets them.
    for phrase in ["كازينو", "casino", "قروض سريعة"]:
        HeldWord.objects.create(phrase=phrase)
    return article


def _live_spam(client, open_story, make_article):
    other = make_article("خبر آخر", comment_mode=CommentMode.OPEN)
    duplicate = "Cheap flights to anywhere, book with our agency today and save half."
    _post(client, other, duplicate, 200)  # the first copy, on another story
    live = []
    for n, body in enumerate(SPAM, start=1):
        body = duplicate if body == "DUPLICATE" else body
        if _went_live(client, open_story, body, n):
            live.append(body)
    return live


def test_at_least_21_spam_samples():
    assert len(SPAM) >= 21


def test_spam_on_an_open_story_is_held_or_refused(client, open_story, make_article):
    live = _live_spam(client, open_story, make_article)
    # Before: 15 of 21 went live at once. Each sample above has a rule that stops it.
    assert live == []


def test_ordinary_comments_on_an_open_story_go_live(client, open_story):
    held = [
        body
        for n, body in enumerate(LEGITIMATE, start=100)
        if not _went_live(client, open_story, body, n)
    ]
    assert held == []


def test_open_story_holds_what_a_premoderated_story_holds(client, open_story):
    """The link and held-word rules give the same reasons in both modes."""
    text = "أفضل كازينو: https://a.example https://b.example https://c.example"
    response = _post(client, open_story, text, 1)
    comment = Comment.objects.get(pk=response.json()["id"])
    assert comment.status == Comment.Status.PENDING
    assert set(comment.held_reason.split(",")) >= {"held-word", "links"}
    # The same text again on the same story, from another network: refused, as before.
    assert _post(client, open_story, text, 2).status_code == 400


def test_edition_can_moderate_first_time_commenters(client, open_story, moderator):
    from khabar.comments import actions

    edition = open_story.edition
    edition.moderate_first_comments = True
    edition.save(update_fields=["moderate_first_comments"])
    response = _post(client, open_story, "تعليق أول من قارئ جديد.", 1)
    first = Comment.objects.get(pk=response.json()["id"])
    assert first.status == Comment.Status.PENDING
    assert first.held_reason == "first-time"
    assert "moderator" in response.json()["message"] or response.json()["status"] == "pending"
    # Once a comment is approved the next one from the same confirmed identity goes live;
    # without a confirmed identity (test_confirm_identity), knowing the address is not enough.
    actions.do_approve(first, moderator)
    response = _post(client, open_story, "تعليق ثان من القارئ نفسه.", 1)
    assert Comment.objects.get(pk=response.json()["id"]).status == Comment.Status.PENDING
    # From the browser that confirmed the address: known, published at once.
    confirm_address(client, "writer1@example.net")
    response = _post(client, open_story, "تعليق ثالث من القارئ نفسه.", 1)
    assert Comment.objects.get(pk=response.json()["id"]).status == Comment.Status.APPROVED


def test_first_time_setting_is_off_by_default(client, open_story):
    assert open_story.edition.moderate_first_comments is False
    response = _post(client, open_story, "تعليق أول من قارئ جديد.", 1)
    assert Comment.objects.get(pk=response.json()["id"]).status == Comment.Status.APPROVED


def test_the_setting_is_in_the_edition_admin(client, superuser, edition):
    from django.utils import translation

    client.force_login(superuser)
    url = f"/admin/news/edition/{edition.pk}/change/"
    html = client.get(url).content.decode()
    assert 'name="moderate_first_comments"' in html
    with translation.override("ar"):
        label = translation.gettext("moderate first-time commenters")
    assert label != "moderate first-time commenters"
    assert label.capitalize() in html or label in html
