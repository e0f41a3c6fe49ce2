"""The desk lists and the history in real Chromium: no sideways scrolling on phones, for a
reporter and an editor, on every desk tab; axe finds nothing to report."""

from datetime import timedelta

import pytest
from django.utils import timezone

from khabar.news.models import Section
from khabar.newsroom import actions
from khabar.testing import PHONE_WIDTHS, axe_violations, open_page, overflow, session_cookie

pytestmark = [pytest.mark.django_db(transaction=True)]

TABS = ("mine", "review", "upcoming", "today", "all")
LONG = "وزارة الموارد المائية تعلن خطة طارئة لمواجهة شح المياه في محافظات الجنوب والفرات الأوسط"


@pytest.fixture
def newsroom(edition, section, reporter, editor):
    """A desk with something in every list, long headlines and names, and a story whose
    history holds saves, a correction, a restore and their notes."""
    reporter.first_name, reporter.last_name = "رنا عبد الرحمن", "الموسوي البغدادي"
    reporter.save()
    long_section = Section.objects.create(edition=edition, name="الشؤون الاقتصادية والمالية",
                                          slug="اقتصاد-ومال", position=3)  # fmt: skip

    def story(headline, who=reporter, where=section):
        body = "<p>جملة أولى. جملة ثانية.</p>"
        return actions.do_create(who, edition=edition, section=where, headline=headline,
                                 lead="مقدمة قصيرة للخبر.", body=body)  # fmt: skip

    story(LONG)
    story("مسودة المحرر عن الطرق", who=editor, where=long_section)
    actions.do_submit(reporter, story(LONG + " للمراجعة"))
    actions.do_schedule(editor, story(LONG + " مجدول"), timezone.now() + timedelta(hours=3))
    actions.do_embargo(editor, story(LONG + " محظور"), timezone.now() + timedelta(hours=5))
    published = actions.do_publish_now(editor, story(LONG + " منشور", where=long_section))
    published = actions.do_save(editor, published, base_revision=1, headline=LONG + " محدث")
    published = actions.do_correct(
        editor, published, kind="correction", base_revision=2,
        note="صُحّح اسم المحافظة الواردة في الفقرة الأولى بعد مراجعة المصدر.",
        body="<p>جملة أولى مصححة. جملة ثانية.</p>",
    )  # fmt: skip
    published = actions.do_save(editor, published, base_revision=3, headline=LONG)
    published = actions.do_restore(editor, published, 3, base_revision=4)
    return published


def open_as(context, live_server, user):
    context.add_cookies([session_cookie(user, live_server)])
    return open_page(context)


@pytest.mark.parametrize("role", ["reporter", "editor"])
def test_desk_and_history_fit_phone_widths(context, live_server, request, newsroom, role,
                                           screenshot_dir):  # fmt: skip
    page = open_as(context, live_server, request.getfixturevalue(role))
    urls = [f"/desk/?tab={tab}" for tab in TABS]
    urls.append(f"/desk/stories/{newsroom.pk}/history?revision=3")
    for width in PHONE_WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        for url in urls:
            page.goto(live_server.url + url)
            assert page.locator(".nr-bar .nr-logout button").is_visible()
            fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            assert fits, f"{role} {url} at {width}px is {overflow(page)}px too wide"
    page.screenshot(path=screenshot_dir / f"newsroom-history-{role}-412.png", full_page=True)
    page.goto(live_server.url + "/desk/?tab=all")
    page.screenshot(path=screenshot_dir / f"newsroom-desk-{role}-412.png", full_page=True)
    assert context.problems == []


@pytest.mark.parametrize("role", ["reporter", "editor"])
def test_axe_finds_nothing_on_the_desk_and_the_history(context, live_server, request, newsroom,
                                                      role, screenshot_dir):  # fmt: skip
    page = open_as(context, live_server, request.getfixturevalue(role))
    urls = ["/desk/?tab=all", f"/desk/stories/{newsroom.pk}/history?revision=3"]
    if role == "editor":
        # The confirmation of a restore that is refused, and of one published as an update.
        urls += [f"/desk/stories/{newsroom.pk}/restore/{n}" for n in (2, 4)]
    for width in (1200, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for url in urls:
            page.goto(live_server.url + url)
            assert axe_violations(page) == [], f"{url} at {width}px"
    page.screenshot(path=screenshot_dir / f"newsroom-restore-{role}-390.png", full_page=True)
    assert context.problems == []


def test_login_page_fits_phones_passes_axe_and_lands_a_moderator_on_the_queue(
    context, live_server, moderator
):
    page = context.new_page()
    page.on("pageerror", lambda error: context.problems.append(str(error)))
    page.goto(live_server.url + "/desk/login/")
    assert axe_violations(page) == []
    for width in PHONE_WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        assert overflow(page) <= 0, width
    page.fill("#id_username", moderator.username)
    page.fill("#id_password", "pass-phrase-123")
    page.click("button[type=submit]")
    page.wait_for_url("**/desk/comments/")
    assert context.problems == []
