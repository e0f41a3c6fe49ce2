"""What the admin calls things, in the administrator's language: roles, permissions, fields,
Django's own strings that its Arabic and Persian lack, and how the language is chosen."""

import json
from pathlib import Path

import django
import pytest
from babel.messages.pofile import read_po
from django.apps import apps
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory
from django.utils import translation

from khabar.lib.catalogues import extract_messages
from khabar.newsroom import django_messages
from khabar.newsroom.middleware import interface_language
from khabar.newsroom.roles import ADMINISTRATORS, EDITORS, MODERATORS, REPORTERS, role_name

DJANGO = Path(django.__file__).parent
LOCALE = Path(__file__).resolve().parents[2] / "locale"


def msgids(path):
    with path.open("rb") as fh:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}


@pytest.mark.django_db
def test_roles_are_named_in_the_language_and_stored_as_before():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        REPORTERS, EDITORS, MODERATORS, ADMINISTRATORS,
    }  # fmt: skip
    editors = Group.objects.get(name=EDITORS)
    with translation.override("ar"):
        assert str(editors) == role_name(EDITORS) == "المحررون"
        assert [role_name(n) for n in (REPORTERS, MODERATORS, ADMINISTRATORS)] == [
            "المراسلون", "المشرفون", "المديرون",
        ]  # fmt: skip
    with translation.override("fa"):
        assert str(editors) == "ویراستاران"
    with translation.override("en"):
        assert str(editors) == "Editors"
    # A role an administrator adds keeps the name they gave it, in every language.
    desk_chiefs = Group.objects.create(name="رؤساء الأقسام")
    with translation.override("fa"):
        assert str(desk_chiefs) == "رؤساء الأقسام"


@pytest.mark.django_db
def test_permissions_are_named_in_the_language_from_the_models_names():
    add_article = Permission.objects.get(codename="add_article")
    moderate = Permission.objects.get(codename="moderate_comment")
    view_user = Permission.objects.get(codename="view_user")
    assert add_article.name == "Can add article"  # stored as Django made it
    with translation.override("ar"):
        assert str(add_article) == "الأخبار | يمكنه إضافة خبر"
        assert str(moderate) == "التعليقات | يستطيع الإشراف على التعليقات"
        assert str(view_user) == "المصادقة والتفويض | يمكنه عرض المستخدم"
    with translation.override("fa"):
        assert str(add_article) == "خبرها | می‌تواند خبر بیفزاید"
    # A permission left behind by a model that is gone keeps its stored name.
    gone = ContentType.objects.create(app_label="archive", model="telex")
    old = Permission.objects.create(content_type=gone, codename="add_telex", name="Can add telex")
    with translation.override("ar"):
        assert str(old) == "archive | Can add telex"


def test_every_field_and_model_has_a_translated_name():
    with translation.override("ar"):
        untranslated = []
        for app in ("news", "newsroom", "comments", "search"):
            for model in apps.get_app_config(app).get_models():
                opts = model._meta
                names = [opts.verbose_name, opts.verbose_name_plural]
                names += [f.verbose_name for f in opts.get_fields() if hasattr(f, "verbose_name")
                          and not f.auto_created]  # fmt: skip
                untranslated += [f"{opts.label}: {n}" for n in names if str(n).isascii()]
    assert untranslated == []


def test_the_admin_language_is_the_one_chosen_else_arabic(settings):
    factory = RequestFactory()
    chosen = factory.get("/admin/")
    chosen.COOKIES[settings.LANGUAGE_COOKIE_NAME] = "fa"
    assert interface_language(chosen) == "fa"
    unknown = factory.get("/admin/")
    unknown.COOKIES[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert interface_language(unknown) == "ar"
    # The browser's language is not asked: the admin stays Arabic until someone chooses.
    assert interface_language(factory.get("/admin/", HTTP_ACCEPT_LANGUAGE="en-US,en")) == "ar"


@pytest.mark.django_db
def test_the_admin_is_persian_for_a_persian_choice_and_reader_pages_are_not(client, edition):
    client.force_login(User.objects.create_superuser("مدير", "modir@example.org", "x"))
    response = client.post("/i18n/setlang/", {"language": "fa", "next": "/admin/"})
    assert response.status_code == 302 and response.url == "/admin/"
    admin_page = client.get("/admin/")
    assert 'lang="fa" dir="rtl"' in admin_page.content.decode()
    assert admin_page["Content-Language"] == "fa"
    assert "Cookie" in admin_page["Vary"]
    assert 'lang="ar"' in client.get("/ar/").content.decode()  # the edition's language


@pytest.mark.django_db
def test_the_filter_widgets_javascript_strings_are_served_translated(client):
    client.force_login(User.objects.create_superuser("مدير", "modir@example.org", "x"))
    catalogue = client.get("/admin/jsi18n/").content.decode()
    # Django's Arabic lacks these; ours is read before it.
    for arabic in ("اختر كل %s", "أزل كل %s", "اختر %s بتحديدها ثم الضغط على سهم «اختيار».",
                   "الجمعة"):  # fmt: skip
        assert json.dumps(arabic)[1:-1] in catalogue
    client.cookies["django_language"] = "fa"
    catalogue = client.get("/admin/jsi18n/").content.decode()
    assert json.dumps("انتخاب همهٔ %s")[1:-1] in catalogue


def test_djangos_strings_we_translate_are_djangos_own_msgids():
    """Our translation of a Django string is used only if the msgid is Django's exactly: a
    Django upgrade that rewords one shows up here."""
    django_ids = set()
    for path in [DJANGO / "contrib/admin/locale/en/LC_MESSAGES/django.po",
                 DJANGO / "contrib/auth/locale/en/LC_MESSAGES/django.po",
                 DJANGO / "conf/locale/en/LC_MESSAGES/django.po"]:  # fmt: skip
        django_ids |= msgids(path)
    ours = [
        m.id if isinstance(m.id, str) else m.id[0]
        for m in extract_messages()
        if any(path.endswith("django_messages.py") for path, _line in m.locations)
    ]
    assert len(ours) == len(django_messages.MESSAGES) + len(django_messages.PLURAL_MESSAGES)
    assert [m for m in ours if m not in django_ids] == []
    js_ids = msgids(DJANGO / "contrib/admin/locale/en/LC_MESSAGES/djangojs.po")
    for locale in ("ar", "fa"):
        ours_js = msgids(LOCALE / locale / "LC_MESSAGES" / "djangojs.po")
        assert ours_js and ours_js <= js_ids


def test_djangojs_catalogues_are_complete():
    for locale in ("ar", "fa"):
        with (LOCALE / locale / "LC_MESSAGES" / "djangojs.po").open("rb") as fh:
            catalogue = read_po(fh, locale=locale)
        for message in catalogue:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            assert message.id == "" or (all(strings) and not message.fuzzy), message.id


@pytest.mark.django_db
def test_a_built_in_roles_name_cannot_be_changed_but_its_permissions_can(client):
    client.force_login(User.objects.create_superuser("مدير", "modir@example.org", "x"))
    editors = Group.objects.get(name=EDITORS)
    page = client.get(f"/admin/auth/group/{editors.pk}/change/").content.decode()
    assert 'name="name"' not in page and "المحررون" in page
    moderate = Permission.objects.get(codename="moderate_comment")
    response = client.post(
        f"/admin/auth/group/{editors.pk}/change/",
        {"name": "Desk", "permissions": [moderate.pk]},
    )
    assert response.status_code == 302
    editors.refresh_from_db()
    assert editors.name == EDITORS
    assert list(editors.permissions.all()) == [moderate]
    # A role an administrator added is theirs to rename.
    chiefs = Group.objects.create(name="رؤساء الأقسام")
    client.post(f"/admin/auth/group/{chiefs.pk}/change/", {"name": "رؤساء التحرير"})
    chiefs.refresh_from_db()
    assert chiefs.name == "رؤساء التحرير"


@pytest.mark.django_db
def test_an_objects_history_names_the_changed_fields_in_the_language(client, section):
    client.force_login(User.objects.create_superuser("مدير", "modir@example.org", "x"))
    response = client.post(f"/admin/news/section/{section.pk}/change/", {
        "edition": section.edition_id, "name": section.name, "slug": section.slug,
        "description": "أخبار المال والأعمال", "position": 7,
    })  # fmt: skip
    assert response.status_code == 302
    history = client.get(f"/admin/news/section/{section.pk}/history/").content.decode()
    assert "تم تغيير الوصف و الترتيب." in history  # Django wrote "Description" and "Position"
    client.cookies["django_language"] = "fa"
    history = client.get(f"/admin/news/section/{section.pk}/history/").content.decode()
    assert "توضیح" in history and "ترتیب" in history


@pytest.mark.django_db
def test_deleting_a_role_lists_the_role_not_the_rows_that_tie_it(client):
    client.force_login(User.objects.create_superuser("مدير", "modir@example.org", "x"))
    editors = Group.objects.get(name=EDITORS)
    User.objects.create_user("رنا").groups.add(editors)
    page = client.get(f"/admin/auth/group/{editors.pk}/delete/").content.decode()
    assert "المحررون" in page
    assert "Group_permissions" not in page and "User_groups" not in page


@pytest.mark.django_db
def test_flags_an_administrator_may_only_read_show_in_arabic_and_stay_unchanged(client):
    administrator = User.objects.create_user("عادل", "adil@example.org", "x", is_staff=True)
    administrator.groups.add(Group.objects.get(name=ADMINISTRATORS))
    client.force_login(administrator)
    url = f"/admin/auth/user/{administrator.pk}/change/"
    page = client.get(url).content.decode()
    assert 'alt="False"' not in page and 'alt="True"' not in page
    assert 'alt="لا"' in page and 'alt="نعم"' in page  # superuser: no; staff: yes
    assert 'name="is_superuser"' not in page and 'name="is_staff"' not in page
    data = {"username": "عادل", "email": "adil@example.org", "is_active": "on",
            "is_superuser": "on", "is_staff": "", "first_name": "", "last_name": ""}  # fmt: skip
    client.post(url, data)
    administrator.refresh_from_db()
    assert administrator.is_staff and not administrator.is_superuser


def test_password_page_help_follows_the_admins_language_not_start_up():
    # Django builds this text when its forms module is imported, in whatever language is active
    # then; ours is built when the page is shown.
    from khabar.newsroom.admin import AuditedUserAdmin

    help_text = AuditedUserAdmin.change_password_form.usable_password_help_text
    with translation.override("ar"):
        arabic = str(help_text)
    with translation.override("fa"):
        persian = str(help_text)
    assert "كلمة المرور الحالية" in arabic and "LDAP" not in arabic
    assert "گذرواژهٔ کنونی" in persian and persian != arabic
