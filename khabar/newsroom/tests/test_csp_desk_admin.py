"""The newsroom and Django's admin under the Content-Security-Policy, in real Chromium: the desk
login, the desk, the editor with every toolbar control used, history, restore and preview; the
admin's login, lists, change, add, delete and password pages with their widgets (two-list
selectors, date and time shortcuts, a related object's popup, the slug filled from the name).
No page logs a CSP violation or a script error; each carries the
policy."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group

from khabar.news.models import Article, Tag
from khabar.newsroom import actions
from khabar.newsroom.tests.test_editor_browser import select_text
from khabar.reader.tests.csp import csp_context, policy_problems, visit
from khabar.testing import session_cookie

pytestmark = [pytest.mark.django_db(transaction=True)]

ICON = '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8"/></svg>'


@pytest.fixture
def context(browser):
    context = csp_context(browser, locale="ar-IQ", viewport={"width": 1200, "height": 900})
    yield context
    context.close()


def submit(page, selector):
    """Click a submit button and check the page it leads to."""
    with page.expect_navigation() as navigation:
        page.click(selector)
    assert policy_problems(navigation.value) == []


def test_desk_and_editor_break_no_policy(
    context, live_server, draft, reporter, editor, reader, settings
):
    # The figure's image comes from an allowed image host (lib/html.py), and so from a host in
    # the policy's img-src too; the browser is answered here, without the network.
    settings.KHABAR_IMAGE_HOSTS = ["img.example.org"]
    context.route(
        "https://img.example.org/**",
        lambda route: route.fulfill(body=ICON, content_type="image/svg+xml"),
    )
    page = context.new_page()
    visit(page, live_server.url + "/desk/login/")
    page.fill("#id_username", reporter.username)
    page.fill("#id_password", "pass-phrase-123")
    submit(page, "button[type=submit]")
    for tab in ("", "?tab=review", "?tab=published"):
        visit(page, live_server.url + "/desk/" + tab)

    # Every control of the toolbar, then a save.
    visit(page, f"{live_server.url}/desk/stories/{draft.pk}/")
    page.wait_for_selector("[data-editor]:not([hidden])")
    for button in ("[data-command=bold]", "[data-command=italic]", "[data-block=h2]",
                   "[data-block=blockquote]", "[data-command=insertUnorderedList]",
                   "[data-block=p]"):  # fmt: skip
        select_text(page, "الأولى")
        page.click(button)
    select_text(page, "الأولى")
    page.click("[data-open=link]")
    page.fill("#link-url", "https://example.org/report")
    page.keyboard.press("Enter")
    select_text(page, "الثانية")
    page.click("[data-open=figure]")
    page.fill("#figure-src", "https://img.example.org/icon.svg")
    page.fill("#figure-alt", "علامة")
    page.fill("#figure-caption", "تعليق على الصورة")
    page.click("#panel-figure [data-apply]")
    select_text(page, "الثانية")
    page.click("[data-open=direction]")
    page.select_option("#direction-dir", "ltr")
    page.fill("#direction-lang", "en")
    page.click("#panel-direction [data-apply]")
    page.fill("#id_tags", "المياه، ال")
    submit(page, "button[value=save]")
    assert "<figure>" in Article.objects.get(pk=draft.pk).body

    visit(page, f"{live_server.url}/desk/stories/new")
    visit(page, f"{live_server.url}/desk/stories/{draft.pk}/history")
    visit(page, f"{live_server.url}/desk/stories/{draft.pk}/history?revision=1")
    visit(page, f"{live_server.url}/desk/stories/{draft.pk}/restore/1")
    visit(page, f"{live_server.url}/desk/stories/{draft.pk}/preview")

    # The editor publishes; a signed-in account without a role sees the no-role page.
    context.clear_cookies()
    context.add_cookies([session_cookie(editor, live_server)])
    actions.do_submit(reporter, Article.objects.get(pk=draft.pk))
    visit(page, f"{live_server.url}/desk/stories/{draft.pk}/")
    submit(page, "button[value=publish]")
    context.clear_cookies()
    context.add_cookies([session_cookie(reader, live_server)])
    page.goto(live_server.url + "/desk/")
    assert policy_problems(page.reload()) == []
    assert context.problems == []


def test_admin_pages_and_widgets_break_no_policy(context, live_server, superuser, reporter,
                                                 edition, section):  # fmt: skip
    Tag.objects.create(edition=edition, name="المياه")
    page = context.new_page()
    admin_url = live_server.url + "/admin/"
    visit(page, admin_url + "login/")
    page.fill("#id_username", superuser.username)
    page.fill("#id_password", "pass-phrase-123")
    submit(page, "input[type=submit]")
    visit(page, admin_url)

    # A person's page: two-list selectors, date and time shortcuts; then saved.
    visit(page, f"{admin_url}auth/user/{reporter.pk}/change/")
    page.fill("#id_groups_input", "")
    page.click("#id_groups_add_all")
    page.click("#id_groups_remove_all")
    page.select_option("#id_user_permissions_from", index=0)
    page.click("#id_user_permissions_add")
    page.locator(".datetimeshortcuts a", has_text="").first.click()  # "Today"
    page.click("#calendarlink0")
    page.locator("#calendarbox0 .calendarnav-next").click()
    page.locator("#calendarbox0 td a").first.click()
    page.click("#clocklink0")
    page.locator("#clockbox0 a").first.click()
    submit(page, "input[name=_continue]")

    # The lists, with search and filters.
    for model in ("auth/user", "auth/group", "news/section", "news/tag", "news/article",
                  "comments/comment", "comments/heldword"):  # fmt: skip
        visit(page, f"{admin_url}{model}/?q=a")
    visit(page, f"{admin_url}news/article/?status__exact=published")

    # Add pages: a role with its two-list selector, a person, a section (slug from its name).
    visit(page, f"{admin_url}auth/group/{Group.objects.first().pk}/change/")
    page.click("#id_permissions_add_all")
    visit(page, f"{admin_url}auth/user/add/")
    visit(page, f"{admin_url}news/section/add/")
    page.fill("#id_name", "ثقافة")
    page.select_option("#id_edition", str(edition.pk))

    # The edition's change popup, saved: its response page hands the result back and closes.
    with page.expect_popup() as popup_info:
        page.click("#change_id_edition")
    popup = popup_info.value
    popup.wait_for_load_state()
    with popup.expect_event("close"):
        popup.click("input[name=_save]")
    submit(page, "input[name=_save]")
    assert section.edition.sections.filter(name="ثقافة").exists()

    # Delete and password pages.
    tag = Tag.objects.get()
    visit(page, f"{admin_url}news/tag/{tag.pk}/delete/")
    submit(page, "input[type=submit]")
    # The password page, not sent: saving a password there fails today (a 500 from the change
    # message of TranslatedHistory), which is the admin hardening of issue 18 item 1.
    visit(page, f"{admin_url}auth/user/{reporter.pk}/password/")
    page.fill("#id_password1", "another-pass-phrase-456")
    page.fill("#id_password2", "another-pass-phrase-456")
    visit(page, f"{admin_url}auth/user/{reporter.pk}/history/")

    # The admin's language menu posts and comes back.
    page.select_option("#admin-language", "en")
    submit(page, ".admin-language button")
    assert context.problems == []


def test_no_admin_list_has_django_s_inline_style():
    # admin/change_list.html writes an inline <style> when a list shows its actions neither
    # on top nor at the bottom: the policy would refuse it (and no hash allows it).
    inline_style = [
        type(model_admin).__name__
        for model_admin in admin.site._registry.values()
        if not model_admin.actions_on_top and not model_admin.actions_on_bottom
    ]
    assert inline_style == []
