"""The admin in real Chromium speaks the administrator's language from end to end: every screen
of users, roles (groups), editions, sections, tags, authors, stories, comments and held words
shows no Latin-script word outside the data the test wrote, addresses and codes, in Arabic and
in Persian."""

import re
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client

from khabar.comments.models import Ban, Comment, HeldWord, ModerationLog
from khabar.newsroom.roles import ADMINISTRATORS, EDITORS
from khabar.testing import session_cookie

pytestmark = [pytest.mark.django_db(transaction=True)]

# Everything a person reads on the page: the visible text, the title, what assistive technology
# and tooltips say, option labels (closed <select>s and the filter widget's lists) and buttons.
VISIBLE_TEXT = """() => {
  // Text marked as another language is meant to be read in it: the language menu names each
  // language in itself. It is left out here; anything else counts.
  const own = document.documentElement.lang;
  for (const el of document.querySelectorAll("body [lang]")) {
    if (el.lang !== own) el.remove();
  }
  const parts = [document.title, document.body.innerText];
  for (const el of document.querySelectorAll("[title], [placeholder], [aria-label], [alt]")) {
    for (const name of ["title", "placeholder", "aria-label", "alt"]) {
      if (el.hasAttribute(name)) parts.push(el.getAttribute(name));
    }
  }
  for (const el of document.querySelectorAll("option, optgroup")) {
    parts.push(el.label || el.textContent);
  }
  for (const el of document.querySelectorAll("input[type=submit], input[type=button]")) {
    parts.push(el.value);
  }
  return parts.join("\\n");
}"""

URL = re.compile(r"https?://\S+|(?<![^\s(])/\S*")  # a link, or a path standing alone
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
MASKED = re.compile(r"\S*\*{4,}")  # a password's salt and hash, shown masked
# Codes an edition's help texts give as examples: a CLDR locale (fa_IR) and a CLDR date-time
# pattern (y/MM/dd HH:mm, h:mm a): pattern letters joined by "/" or ":", and the day period.
LOCALE_CODE = re.compile(r"\b[a-z]{2,3}_[A-Z]{2}\b")
DATE_PATTERN = re.compile(r"\b[yMdHhms]+(?:[/:][yMdHhms]+)+(?:\s+a\b)?")
LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f][A-Za-z0-9_\u00c0-\u024f]*")
# True codes, not words: shown as they are in every language.
CODES = {
    "CLDR",  # the Unicode locale data standard, named in the edition's locale field
    "HTML",  # the markup a story's body may hold
    "ninjs",  # IPTC's news format, a partner's webhook's choice of version (api)
    "pbkdf2_sha256",  # the password hasher's identifier
    "md5",  # the same, under the tests' fast hasher (root conftest)
}


def latin_words(text, data=()):
    """The Latin-script words in `text` once the test's own data, addresses and codes are
    taken out."""
    for value in sorted(data, key=len, reverse=True):
        text = re.sub(rf"(?<![\w/]){re.escape(value)}(?![\w/])", " ", text)
    text = MASKED.sub(" ", text)  # first: a salt may hold a "/"
    text = EMAIL.sub(" ", text)
    text = URL.sub(" ", text)
    text = LOCALE_CODE.sub(" ", text)
    text = DATE_PATTERN.sub(" ", text)
    text = re.sub(r"</?[a-z]+>", " ", text)  # a story's markup, shown as stored
    return sorted({w for w in LATIN_WORD.findall(text) if w not in CODES})


def test_latin_words_leave_out_data_addresses_and_codes():
    text = (
        "أضف مستخدم admin@example.org /admin/ ar_IQ Asia/Baghdad CLDR Can add user Search "
        "salt: QvhLKC****** hash: Vnq/Q+********** <p>نص</p> pbkdf2_sha256 "
        "مثل fa_IR و y/MM/dd HH:mm و dd/MM/y، h:mm a. has a word/Latin"
    )
    assert latin_words(text, data=["ar_IQ", "Asia/Baghdad", "ar"]) == [
        "Can", "Latin", "Search", "a", "add", "has", "hash", "salt", "user", "word",
    ]  # fmt: skip


@pytest.fixture
def content(edition, section, make_article, author):
    """A little of everything the admin shows, written in Arabic by the test."""
    superuser = User.objects.create_superuser("مدير", "modir@example.org", "pass-phrase-123")
    reporter = User.objects.create_user(
        "رنا", "rana@example.org", "pass-phrase-123", first_name="رنا", last_name="علي"
    )
    reporter.groups.add(Group.objects.get(name=EDITORS))
    article = make_article(tags=["المياه"])
    article.authors.set([author])
    comment = Comment.objects.create(
        article=article, name="سلمى", email="salma@example.org", body="تعليق على الخبر.",
        path="0001",
    )  # fmt: skip
    held = HeldWord.objects.create(phrase="كلمة محجوزة")
    ban = Ban.objects.create(kind=Ban.Kind.NETWORK, value_hash="0" * 64, reason="إزعاج متكرر",
                             created_by=superuser)  # fmt: skip
    entry = ModerationLog.objects.create(comment=comment, actor=superuser,
                                         action=ModerationLog.Action.APPROVE)  # fmt: skip
    tag = article.tags.get()
    editors = Group.objects.get(name=EDITORS)
    # A change through the admin, for the history pages and the index's recent actions.
    client = Client()
    client.force_login(superuser)
    response = client.post(f"/admin/news/section/{section.pk}/change/", {
        "edition": edition.pk, "name": section.name, "slug": section.slug,
        "description": "أخبار المال والأعمال", "position": 1,
    })  # fmt: skip
    assert response.status_code == 302
    # A change to an account, for the audit log's pages.
    response = client.post(f"/admin/auth/user/{reporter.pk}/password/", {
        "password1": "another-pass-phrase-987", "password2": "another-pass-phrase-987",
        "usable_password": "true",
    })  # fmt: skip
    assert response.status_code == 302
    from khabar.api import keys
    from khabar.api.models import Partner
    from khabar.newsroom import accounts
    from khabar.newsroom.models import AuditEntry

    partner = Partner.objects.create(name="صحيفة الشريك", receives_embargoed=True)
    partner.editions.set([edition])
    api_key = keys.make_key(partner, "خادم الشريك")[0]
    keys.record_use(api_key)
    audit = accounts.record(superuser, AuditEntry.Action.ACCOUNT_CHANGE, reporter, [
        {"field": "is_staff", "before": False, "after": True},
        {"field": "groups", "before": [EDITORS], "after": [EDITORS, ADMINISTRATORS]},
    ])  # fmt: skip
    return {
        "superuser": superuser,
        "screens": [
            "/admin/",
            "/admin/auth/",
            "/admin/news/",
            "/admin/comments/",
            "/admin/auth/user/",
            f"/admin/auth/user/?groups__id__exact={editors.pk}",
            "/admin/auth/user/add/",
            f"/admin/auth/user/{reporter.pk}/change/",
            f"/admin/auth/user/{reporter.pk}/password/",
            f"/admin/auth/user/{reporter.pk}/delete/",
            "/admin/password_change/",
            "/admin/auth/group/",
            "/admin/auth/group/add/",
            f"/admin/auth/group/{editors.pk}/change/",
            f"/admin/auth/group/{editors.pk}/history/",
            f"/admin/auth/group/{editors.pk}/delete/",
            "/admin/news/edition/",
            "/admin/news/edition/add/",
            f"/admin/news/edition/{edition.pk}/change/",
            "/admin/news/section/",
            "/admin/news/section/add/",
            f"/admin/news/section/{section.pk}/change/",
            f"/admin/news/section/{section.pk}/history/",
            "/admin/news/tag/",
            "/admin/news/tag/add/",
            f"/admin/news/tag/{tag.pk}/change/",
            "/admin/news/author/",
            "/admin/news/author/add/",
            f"/admin/news/author/{author.pk}/change/",
            "/admin/news/article/",
            f"/admin/news/article/{article.pk}/change/",
            "/admin/comments/comment/",
            f"/admin/comments/comment/{comment.pk}/change/",
            "/admin/comments/heldword/",
            "/admin/comments/heldword/add/",
            f"/admin/comments/heldword/{held.pk}/change/",
            "/admin/comments/ban/",
            f"/admin/comments/ban/{ban.pk}/change/",
            "/admin/comments/moderationlog/",
            f"/admin/comments/moderationlog/{entry.pk}/change/",
            "/admin/newsroom/auditentry/",
            f"/admin/newsroom/auditentry/{audit.pk}/change/",
            "/admin/news/article/?q=" + quote("الزراعة"),
            "/admin/api/",
            "/admin/api/partner/",
            "/admin/api/partner/add/",
            f"/admin/api/partner/{partner.pk}/change/",
            "/admin/api/apikey/",
            "/admin/api/apikey/add/",
            f"/admin/api/apikey/{api_key.pk}/change/",
        ],
        # Values the test wrote that are codes by nature (an edition's locale, time zone and
        # date-time pattern, a story's slug-free news code is digits anyway).
        "data": [
            edition.locale,
            edition.time_zone,
            edition.datetime_pattern,
            edition.code,
            author.slug,
            api_key.prefix,  # the start of a partner's key, shown to tell keys apart
        ],
    }


def open_admin(browser, live_server, user):
    """A browser page logged in as `user`, with the script errors it meets collected."""
    context = browser.new_context(locale="ar-IQ", viewport={"width": 1200, "height": 900})
    context.add_cookies([session_cookie(user, live_server)])
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    return page


def latin_words_on_screens(page, live_server, paths, data):
    """{path: Latin-script words} for each screen that shows any."""
    found = {}
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        words = latin_words(page.evaluate(VISIBLE_TEXT), data)
        if words:
            found[path] = words
    return found


def test_admin_screens_are_all_arabic(browser, live_server, content):
    page = open_admin(browser, live_server, content["superuser"])
    try:
        found = latin_words_on_screens(page, live_server, content["screens"], content["data"])
        assert page.evaluate("document.documentElement.lang") == "ar"
        assert found == {}
        assert page.problems == []
    finally:
        page.context.close()


def test_admin_speaks_persian_once_chosen_from_its_language_menu(browser, live_server, content):
    page = open_admin(browser, live_server, content["superuser"])
    try:
        page.goto(live_server.url + "/admin/auth/user/")
        assert page.locator("#admin-language option[value=fa]").inner_text() == "فارسی"
        page.select_option("#admin-language", "fa")
        with page.expect_navigation():
            page.click(".admin-language button")
        assert page.url == live_server.url + "/admin/auth/user/"  # back where it was
        assert page.evaluate("document.documentElement.lang") == "fa"
        assert page.locator("h1").inner_text() == "کاربر را برای تغییر انتخاب کنید"
        assert "ویراستاران" in page.locator("#result_list").inner_text()  # the user's role
        found = latin_words_on_screens(page, live_server, content["screens"], content["data"])
        assert found == {}
        assert page.evaluate("document.documentElement.lang") == "fa"
        # Reader pages keep their edition's language whatever the admin speaks.
        page.goto(live_server.url + "/ar/")
        assert page.evaluate("document.documentElement.lang") == "ar"
        assert page.problems == []
    finally:
        page.context.close()


ARROWS = """() => [".selector-chooseall", ".selector-clearall"].map(selector => {
  const button = document.querySelector(selector);
  const style = getComputedStyle(button);
  const box = button.getBoundingClientRect();
  const label = document.createRange();
  label.selectNodeContents(button);
  const text = label.getBoundingClientRect();
  // The icon is the background: at the box's left edge for 0, at its right edge for 100%.
  const iconAtLeft = parseFloat(style.backgroundPositionX) === 0;
  return {
    iconCentre: iconAtLeft ? box.left + 8 : box.right - 8,
    textCentre: (text.left + text.right) / 2,
    // Django's sprite: the arrow pointing left is at 128-144 px down, pointing right at 160-176.
    pointsLeft: -parseFloat(style.backgroundPositionY) < 150,
  };
})"""


def test_filter_widget_arrows_point_where_they_move_right_to_left(browser, live_server, content):
    """Right to left, the chosen list is on the left: "choose all" points left and stands on
    the left of its label, "remove all" points right and stands on its right. Django's rtl.css
    turned the arrows round but left them pointing back across their own labels."""
    page = open_admin(browser, live_server, content["superuser"])
    try:
        page.goto(live_server.url + "/admin/auth/group/add/")
        available = page.locator(".selector-available").bounding_box()
        chosen = page.locator(".selector-chosen").bounding_box()
        assert chosen["x"] < available["x"]  # the chosen list is on the left
        choose_all, remove_all = page.evaluate(ARROWS)
        assert choose_all["pointsLeft"] and choose_all["iconCentre"] < choose_all["textCentre"]
        assert not remove_all["pointsLeft"]
        assert remove_all["iconCentre"] > remove_all["textCentre"]
        # The widget's own words come from the JavaScript catalogue, in Arabic.
        assert "اختر كل الصلاحيات" in page.locator(".selector-chooseall").inner_text()
        assert page.problems == []
    finally:
        page.context.close()


def test_an_administrator_sees_the_admin_in_arabic_too(browser, live_server, content):
    """Not a superuser: what an Administrators-role account can open, with the fields it may
    only read (its own roles, others' single permissions) shown in Arabic as well."""
    administrator = User.objects.create_user("عادل", "adil@example.org", "pass-phrase-123",
                                             is_staff=True)  # fmt: skip
    administrator.groups.add(Group.objects.get(name=ADMINISTRATORS))
    reporter = User.objects.get(username="رنا")
    reporter.user_permissions.add(Permission.objects.get(codename="view_tag"))
    editors = Group.objects.get(name=EDITORS)
    screens = [
        "/admin/",
        "/admin/auth/user/",
        f"/admin/auth/user/{administrator.pk}/change/",
        # A superuser's account, which an administrator may only read.
        f"/admin/auth/user/{content['superuser'].pk}/change/",
        f"/admin/auth/user/{reporter.pk}/change/",
        "/admin/auth/group/",
        f"/admin/auth/group/{editors.pk}/change/",
        "/admin/news/section/",
        "/admin/comments/heldword/",
        "/admin/api/partner/",
        "/admin/api/apikey/add/",
    ]
    page = open_admin(browser, live_server, administrator)
    try:
        assert latin_words_on_screens(page, live_server, screens, content["data"]) == {}
        page.goto(live_server.url + f"/admin/auth/user/{reporter.pk}/change/")
        assert "الأخبار | يمكنه عرض سمة" in page.locator(".field-user_permissions").inner_text()
        assert page.problems == []
    finally:
        page.context.close()
