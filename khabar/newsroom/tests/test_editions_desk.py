"""The newsroom across editions: the desk creates and lists stories in all three editions
without a typed URL, shows each story's and each section's edition, writes a story's fields in
its edition's language and direction, speaks the language each person chose, and keeps a
person whose roles apply in some editions out of the others (refused with a sentence that says
why, nothing changed)."""

import re

import pytest
from django import forms
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from khabar.news.models import Article, Edition
from khabar.newsroom import actions
from khabar.newsroom.models import AuditEntry, DeskProfile
from khabar.newsroom.roles import EditionRefused, can, desk_editions, forget_desk_settings
from khabar.testing import story_post


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def select(html, name):
    """The options of the <select name=…> in `html`, as (value, label) pairs."""
    found = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert found, name
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', found.group(1))


def form_data(client, user, **overrides):
    """The admin's change form of `user` as the browser posts it back, with `overrides`."""
    form = client.get(f"/admin/auth/user/{user.pk}/change/").context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if name == "password" or value in (None, False):
            continue
        if isinstance(field, forms.SplitDateTimeField):
            local = timezone.localtime(value)
            data[f"{name}_0"], data[f"{name}_1"] = local.date(), local.time().replace(microsecond=0)
        elif isinstance(field, forms.BooleanField):
            data[name] = "on"
        elif isinstance(field, forms.ModelMultipleChoiceField):
            data[name] = [getattr(v, "pk", v) for v in value]
        else:
            data[name] = value
    return data | overrides


def new_story_href(html):
    """The desk's "New story" link, as a person clicks it."""
    return re.search(r'<a class="nr-button" href="([^"]+)"', html).group(1).replace("&amp;", "&")


def story_in(editions, code, headline, user):
    return actions.do_create(user, edition=editions[code],
                             section=editions["sections"][code][0], headline=headline,
                             body="<p>نص.</p>")  # fmt: skip


def test_the_desk_creates_a_story_in_each_edition_without_a_typed_url(editions, reporter):
    client = logged_in(reporter)
    href = new_story_href(client.get("/desk/").content.decode())
    assert href == "/desk/stories/new"
    page = client.get(href).content.decode()
    # The picker offers the three editions, named in the desk's language (Arabic here).
    assert select(page, "edition") == [("ar", "العربية"), ("en", "الإنجليزية"), ("fa", "الفارسية")]
    headlines = {"ar": "خبر بالعربية", "fa": "خبری به فارسی", "en": "A story in English"}
    for code, headline in headlines.items():
        section = editions["sections"][code][0]
        response = client.post(href, {"edition": code, "section": section.pk,
                                      "headline": headline, "body": "<p>Text.</p>",
                                      "base_revision": 0, "action": "save"})  # fmt: skip
        assert response.status_code == 302, code
        story = Article.objects.get(headline=headline)
        assert (story.edition.code, story.section, story.created_by) == (code, section, reporter)
    # The desk lists all three, each with its edition.
    listing = client.get("/desk/?tab=mine").content.decode()
    rows = re.findall(r"<tr>.*?</tr>", listing.split("<tbody>")[1], re.S)
    editions_shown = {re.search(r'class="nr-edition">([^<]+)<', row).group(1) for row in rows}
    assert editions_shown == {"العربية", "الفارسية", "الإنجليزية"}


def test_the_edition_picked_wins_over_the_address_the_form_was_opened_at(editions, reporter):
    client = logged_in(reporter)
    politics = editions["sections"]["en"][0]
    response = client.post("/desk/stories/new?edition=ar", {
        "edition": "en", "section": politics.pk, "headline": "Picked after opening",
        "body": "<p>Text.</p>", "base_revision": 0, "action": "save",
    })  # fmt: skip
    assert response.status_code == 302
    story = Article.objects.get(headline="Picked after opening")
    assert (story.edition.code, story.section) == ("en", politics)


def test_a_section_of_another_edition_is_refused(editions, reporter):
    client = logged_in(reporter)
    response = client.post("/desk/stories/new", {
        "edition": "en", "section": editions["sections"]["fa"][0].pk, "headline": "Mixed up",
        "body": "<p>Text.</p>", "base_revision": 0, "action": "save"})  # fmt: skip
    assert response.status_code == 200
    assert response.context["form"].errors["section"]
    assert not Article.objects.exists()


def test_the_section_choices_are_the_editions_own(editions, reporter):
    client = logged_in(reporter)
    for code, sections in editions["sections"].items():
        # ?edition= still works, as links made before the picker use it.
        page = client.get(f"/desk/stories/new?edition={code}").content.decode()
        offered = [value for value, _label in select(page, "section") if value]
        assert offered == [str(s.pk) for s in sections], code
        picker = re.search(r'<select name="edition".*?</select>', page, re.S).group(0)
        assert re.findall(r'<option value="(\w+)" selected>', picker) == [code]
    # editor.js changes the choices in place from this map of every edition's sections.
    data = client.get("/desk/stories/new").context["edition_data"]
    assert {code: [pk for pk, _name in d["sections"]] for code, d in data.items()} == {
        code: [s.pk for s in sections] for code, sections in editions["sections"].items()
    }
    assert (data["en"]["lang"], data["en"]["dir"], data["fa"]["dir"]) == ("en", "ltr", "rtl")


def test_changing_the_edition_without_javascript_keeps_the_text(editions, reporter):
    client = logged_in(reporter)
    page = client.post("/desk/stories/new", {
        "edition": "fa", "section": editions["sections"]["ar"][0].pk, "headline": "خبر تازه",
        "lead": "مقدمه", "body": "<p>متن.</p>", "base_revision": 0, "action": "edition",
    })  # fmt: skip
    html = page.content.decode()
    assert page.status_code == 200 and not Article.objects.exists()
    offered = [value for value, _label in select(html, "section") if value]
    assert offered == [str(editions["sections"]["fa"][0].pk)]
    assert 'value="خبر تازه"' in html and '<p class="field-error">' not in html


def test_the_fields_take_the_direction_and_language_of_the_story_edition(editions, editor):
    client = logged_in(editor)
    english = client.get("/desk/stories/new?edition=en").content.decode()
    # The desk itself is Arabic, right to left.
    assert '<html lang="ar" dir="rtl"' in english
    headline = re.search(r'<input type="text" name="headline"[^>]*>', english).group(0)
    assert 'lang="en"' in headline and 'dir="ltr"' in headline
    lead = re.search(r'<textarea name="lead"[^>]*>', english).group(0)
    assert 'lang="en"' in lead and 'dir="ltr"' in lead
    body = re.search(r'<div class="nr-editor[^>]*>', english).group(0)
    assert 'lang="en"' in body and 'dir="ltr"' in body
    persian = story_in(editions, "fa", "خبری به فارسی", editor)
    page = client.get(f"/desk/stories/{persian.pk}/").content.decode()
    headline = re.search(r'<input type="text" name="headline"[^>]*>', page).group(0)
    assert 'lang="fa"' in headline and 'dir="rtl"' in headline
    assert 'class="nr-edition">الفارسية<' in page
    # An existing story's edition is shown, not offered for change.
    assert 'name="edition"' not in page


def test_the_desk_lists_and_filters_by_edition_and_groups_sections(editions, editor):
    for code, headline in {"ar": "خبر عربي", "fa": "خبر فارسی", "en": "English story"}.items():
        story_in(editions, code, headline, editor)
    client = logged_in(editor)
    page = client.get("/desk/?tab=all").content.decode()
    assert all(h in page for h in ("خبر عربي", "خبر فارسی", "English story"))
    only_fa = client.get("/desk/?tab=all&edition=fa").content.decode()
    assert "خبر فارسی" in only_fa and "خبر عربي" not in only_fa and "English story" not in only_fa
    # "New story" from a filtered desk starts in that edition.
    assert new_story_href(only_fa) == "/desk/stories/new?edition=fa"
    # The section filter: every section under its edition's name.
    sections = re.search(r'<select name="section">(.*?)</select>', page, re.S).group(1)
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', sections, re.S)
    assert [(label, re.findall(r">([^<]+)</option>", options)) for label, options in groups] == [
        ("العربية", ["اقتصاد", "سياسة"]), ("الإنجليزية", ["Politics"]), ("الفارسية", ["سیاست"]),
    ]  # fmt: skip
    politics = editions["sections"]["en"][0].pk
    by_section = client.get(f"/desk/?tab=all&section={politics}").content.decode()
    assert "English story" in by_section and "خبر فارسی" not in by_section


def test_each_person_chooses_the_desk_language(editions, editor, reporter, make_article):
    make_article("خبر منشور للقراء")
    client = logged_in(editor)
    response = client.post("/desk/language", {"language": "en", "next": "/desk/?tab=all"})
    assert response.status_code == 302 and response["Location"] == "/desk/?tab=all"
    assert DeskProfile.objects.get(user=editor).language == "en"
    desk = client.get("/desk/?tab=all")
    html = desk.content.decode()
    assert '<html lang="en" dir="ltr"' in html and ">All stories <" in html
    assert desk["Content-Language"] == "en"
    # Stored with the account: another browser, without the cookie, gets it too.
    elsewhere = logged_in(editor).get("/desk/").content.decode()
    assert '<html lang="en" dir="ltr"' in elsewhere
    # Reader pages keep their edition's language.
    assert '<html lang="ar" dir="rtl"' in client.get("/ar/").content.decode()
    # Another person's desk is untouched.
    assert '<html lang="ar" dir="rtl"' in logged_in(reporter).get("/desk/").content.decode()
    client.post("/desk/language", {"language": "fa", "next": "/desk/"})
    html = client.get("/desk/").content.decode()
    assert '<html lang="fa" dir="rtl"' in html and "میز خبر" in html


def test_the_language_menu_goes_back_only_to_the_desk(editor):
    client = logged_in(editor)
    for hostile in ("https://evil.example/desk/", "//evil.example/", "/ar/", ""):
        response = client.post("/desk/language", {"language": "en", "next": hostile})
        assert response["Location"] == "/desk/", hostile
    response = client.post("/desk/language", {"language": "xx", "next": "/desk/"})
    assert DeskProfile.objects.get(user=editor).language == ""
    assert client.get("/desk/language").status_code == 405


def test_a_persian_desk_editor_is_refused_on_an_arabic_story(editions, persian_editor, reporter):
    arabic = story_in(editions, "ar", "خبر عربي ينتظر المراجعة", reporter)
    actions.do_submit(reporter, arabic)
    persian = story_in(editions, "fa", "خبری برای بررسی", reporter)
    actions.do_submit(reporter, persian)
    audit_before = AuditEntry.objects.count()
    client = logged_in(persian_editor)
    for action in ("publish", "save", "schedule", "send_back"):
        response = client.post(f"/desk/stories/{arabic.pk}/",
                               story_post(arabic, action=action, headline="تغيير",
                                          note="ملاحظة", at="2030-01-01T10:00"))  # fmt: skip
        assert response.status_code == 403, action
        html = response.content.decode()
        assert "لا تسري أدوارك إلا في هذه النسخ: الفارسية. والنسخة العربية ليست منها." in html
    arabic.refresh_from_db()
    assert (arabic.status, arabic.headline, arabic.revision, arabic.news_code) == (
        Article.Status.SUBMITTED, "خبر عربي ينتظر المراجعة", 1, None)  # fmt: skip
    assert AuditEntry.objects.count() == audit_before
    # Opening it, or starting a story in the Arabic edition, says the same.
    assert client.get(f"/desk/stories/{arabic.pk}/").status_code == 403
    refused = client.post("/desk/stories/new", {
        "edition": "ar", "section": editions["sections"]["ar"][0].pk, "headline": "خبر",
        "body": "<p>نص.</p>", "base_revision": 0, "action": "save"})  # fmt: skip
    assert refused.status_code == 403 and "الفارسية" in refused.content.decode()
    assert not Article.objects.filter(headline="خبر").exists()
    # Their desk lists the Persian edition only, and offers only it for a new story.
    desk = client.get("/desk/?tab=all").content.decode()
    assert "خبری برای بررسی" in desk and "خبر عربي" not in desk
    assert select(client.get("/desk/stories/new").content.decode(), "edition") == [
        ("fa", "الفارسية")
    ]
    # In the Persian edition they publish as any editor.
    response = client.post(f"/desk/stories/{persian.pk}/", story_post(persian, action="publish"))
    assert response.status_code == 302
    persian.refresh_from_db()
    assert persian.status == Article.Status.PUBLISHED


def test_the_refusal_speaks_the_desk_language(editions, persian_editor, reporter):
    arabic = story_in(editions, "ar", "خبر عربي", reporter)
    DeskProfile.objects.filter(user=persian_editor).update(language="en")
    html = logged_in(persian_editor).get(f"/desk/stories/{arabic.pk}/").content.decode()
    assert ("Your roles apply only in these editions: Persian. The Arabic edition is not "
            "among them.") in html  # fmt: skip


def test_the_permission_functions_hold_the_editions(editions, persian_editor, editor, reporter,
                                                    superuser):  # fmt: skip
    arabic = story_in(editions, "ar", "خبر عربي", reporter)
    persian = story_in(editions, "fa", "خبر فارسی", reporter)
    english = story_in(editions, "en", "English story", reporter)
    for action in ("edit", "publish", "send_back", "correct", "restore"):
        assert not can(persian_editor, action, arabic), action
        assert not can(persian_editor, action, english), action
        assert can(persian_editor, action, persian), action
        # Without limits (no desk settings, as every account before): every edition.
        assert all(can(editor, action, s) for s in (arabic, persian, english)), action
    assert can(persian_editor, "desk")
    assert not can(persian_editor, "create", edition=editions["ar"])
    assert can(persian_editor, "create", edition=editions["fa"])
    # A reporter limited to English may not even read their own draft's edition's colleagues.
    DeskProfile.objects.create(user=reporter).editions.set([editions["en"]])
    forget_desk_settings(reporter)
    assert desk_editions(reporter) == {editions["en"].pk}
    assert not can(reporter, "edit", arabic) and can(reporter, "edit", english)
    # The verbs refuse, whoever calls them, and change nothing.
    with pytest.raises(EditionRefused, match="الفارسية"):
        actions.do_publish_now(persian_editor, arabic)
    with pytest.raises(EditionRefused):
        actions.do_create(persian_editor, edition=editions["en"], headline="No",
                          section=editions["sections"]["en"][0], body="<p>x</p>")  # fmt: skip
    with pytest.raises(PermissionDenied):
        actions.do_save(persian_editor, arabic, base_revision=1, headline="تغيير")
    arabic.refresh_from_db()
    assert (arabic.status, arabic.headline) == (Article.Status.DRAFT, "خبر عربي")
    assert Article.objects.count() == 3
    # A superuser is never limited.
    DeskProfile.objects.create(user=superuser).editions.set([editions["fa"]])
    assert can(superuser, "publish", arabic)


def test_the_admin_sets_a_persons_editions_with_translated_labels(editions, superuser, editor):
    client = logged_in(superuser)
    page = client.get(f"/admin/auth/user/{editor.pk}/change/").content.decode()
    # The admin is Arabic: the fieldset, the fields and each edition in Arabic.
    assert "<h2" in page and "غرفة الأخبار" in page
    assert "لغة مكتب التحرير" in page
    assert "النسخ التي تسري فيها أدوار هذا الشخص" in page
    for label in ("العربية (ar)", "الفارسية (fa)", "الإنجليزية (en)"):
        assert label in page
    data = form_data(client, editor, desk_editions=[editions["fa"].pk], desk_language="en")
    response = client.post(f"/admin/auth/user/{editor.pk}/change/", data)
    assert response.status_code == 302
    profile = DeskProfile.objects.get(user=editor)
    assert list(profile.editions.all()) == [editions["fa"]] and profile.language == "en"
    editor = type(editor).objects.get(pk=editor.pk)
    assert desk_editions(editor) == {editions["fa"].pk}
    # A change of rights: in the audit log, shown in the reader's language.
    entry = AuditEntry.objects.filter(account=editor).latest("id")
    assert {"field": "desk_editions", "before": [], "after": ["fa"]} in entry.changes
    assert "النسخ: — → الفارسية" in entry.describe()
    # Shown again as chosen, and cleared back to every edition.
    page = client.get(f"/admin/auth/user/{editor.pk}/change/").content.decode()
    checked = re.findall(r'<input type="checkbox" name="desk_editions" value="(\d+)"[^>]*checked',
                         page)  # fmt: skip
    assert checked == [str(editions["fa"].pk)]
    data = form_data(client, editor, desk_editions=[])
    client.post(f"/admin/auth/user/{editor.pk}/change/", data)
    assert not DeskProfile.objects.get(user=editor).editions.exists()
    assert Edition.objects.count() == 3
