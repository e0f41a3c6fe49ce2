"""Accounts in the admin: an administrator cannot take over a superuser (nor an account with
rights beyond their own), nobody raises their own rights, and every change to an account is in
the audit log, shown in the reader's language. Each route is tried over HTTP as `administrator`,
and as `superuser`, who still may."""

import pytest
from django import forms
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.utils import timezone, translation

from khabar.newsroom import accounts
from khabar.newsroom.models import AuditEntry
from khabar.newsroom.roles import ADMINISTRATORS, EDITORS

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-pass-phrase-987"


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def change_data(superuser, user, **overrides):
    """The user's change form as a superuser's browser would post it back, with `overrides`
    (False leaves a checkbox unticked)."""
    page = logged_in(superuser).get(f"/admin/auth/user/{user.pk}/change/")
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if name == "password":
            continue
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
        elif isinstance(field, forms.SplitDateTimeField):
            local = timezone.localtime(value) if value else None
            data[f"{name}_0"] = local.date().isoformat() if local else ""
            data[f"{name}_1"] = local.time().isoformat(timespec="seconds") if local else ""
        elif isinstance(field, forms.ModelMultipleChoiceField):
            data[name] = [getattr(v, "pk", v) for v in value or []]
        else:
            data[name] = "" if value is None else value
    for name, value in overrides.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def password_data():
    return {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}


def grant(user, *codes):
    for code in codes:
        app_label, codename = code.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def state(user):
    user = User.objects.get(pk=user.pk)
    return accounts.snapshot(user)


# --- A superuser's account is a superuser's alone -------------------------------------------


def test_an_administrator_cannot_change_a_superusers_password(administrator, superuser):
    before = state(superuser)
    client = logged_in(administrator)
    url = f"/admin/auth/user/{superuser.pk}/password/"
    assert client.get(url).status_code == 403
    assert client.post(url, password_data()).status_code == 403
    assert state(superuser) == before
    assert not AuditEntry.objects.exists()


def test_a_superuser_still_changes_a_superusers_password_and_it_is_audited(superuser):
    other = User.objects.create_superuser("root2", "root2@example.org", "pass-phrase-123")
    response = logged_in(superuser).post(f"/admin/auth/user/{other.pk}/password/", password_data())
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.check_password(NEW_PASSWORD)
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.account, entry.note) == (
        superuser, "account_change", other, "root2",
    )  # fmt: skip
    assert entry.changes == [{"field": "password"}]
    assert other.password not in str(entry.changes) + entry.note


@pytest.mark.parametrize(
    "overrides",
    [
        {"is_active": False},
        {"is_staff": False},
        {"is_superuser": False},
        {"username": "taken-over"},
        {"email": "attacker@example.org"},
        {"first_name": "مهاجم", "last_name": "مجهول"},
        {"groups": "EDITORS"},
    ],
    ids=["active", "staff", "superuser", "username", "email", "names", "groups"],
)
def test_an_administrator_cannot_change_a_superusers_account(administrator, superuser, overrides):
    if overrides.get("groups") == "EDITORS":
        overrides = {"groups": [Group.objects.get(name=EDITORS).pk]}
    data = change_data(superuser, superuser, **overrides)
    before = state(superuser)
    client = logged_in(administrator)
    page = client.get(f"/admin/auth/user/{superuser.pk}/change/")
    # Shown, read-only: no field to fill, no button to save.
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert 'name="username"' not in page.content.decode()
    response = client.post(f"/admin/auth/user/{superuser.pk}/change/", data)
    assert response.status_code == 403
    assert state(superuser) == before
    assert not AuditEntry.objects.exists()


def test_a_superuser_changes_another_superusers_flags_and_names(superuser):
    other = User.objects.create_superuser("root2", "root2@example.org", "pass-phrase-123")
    data = change_data(
        superuser, other, is_active=False, username="root-old", email="o@example.org"
    )
    response = logged_in(superuser).post(f"/admin/auth/user/{other.pk}/change/", data)
    assert response.status_code == 302
    other.refresh_from_db()
    assert (other.is_active, other.username, other.email) == (False, "root-old", "o@example.org")
    entry = AuditEntry.objects.get()
    assert entry.action == "account_change" and entry.account == other
    assert {c["field"]: (c["before"], c["after"]) for c in entry.changes} == {
        "username": ("root2", "root-old"),
        "email": ("root2@example.org", "o@example.org"),
        "is_active": (True, False),
    }


def test_an_administrator_cannot_delete_a_superuser_alone_or_in_bulk(
    administrator, superuser, reporter
):
    # Even given the right to delete accounts, which the Administrators role lacks.
    grant(administrator, "auth.delete_user")
    client = logged_in(administrator)
    url = f"/admin/auth/user/{superuser.pk}/delete/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [superuser.pk, reporter.pk],
            "post": "yes"}  # fmt: skip
    assert client.post("/admin/auth/user/", bulk).status_code == 403
    # Asked to confirm, the page names the account they may not delete.
    response = client.post("/admin/auth/user/", {**bulk, "post": ""})
    assert "root" in response.context["perms_lacking"]
    assert User.objects.filter(pk__in=[superuser.pk, reporter.pk]).count() == 2
    assert not AuditEntry.objects.exists()
    # Without the superuser, the same deletion goes through, in the audit log.
    bulk["_selected_action"] = [reporter.pk]
    assert client.post("/admin/auth/user/", bulk).status_code == 302
    assert not User.objects.filter(pk=reporter.pk).exists()
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.note) == (administrator, "account_delete", "rana")


def test_a_superuser_deletes_a_superuser_and_it_is_audited(superuser):
    other = User.objects.create_superuser("root2", "root2@example.org", "pass-phrase-123")
    response = logged_in(superuser).post(f"/admin/auth/user/{other.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=other.pk).exists()
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.account, entry.note) == (
        superuser, "account_delete", None, "root2",
    )  # fmt: skip


def test_an_account_with_rights_beyond_the_administrators_is_theirs_to_read_only(
    administrator, reporter
):
    grant(reporter, "auth.delete_user")
    client = logged_in(administrator)
    assert client.get(f"/admin/auth/user/{reporter.pk}/password/").status_code == 403
    response = client.post(f"/admin/auth/user/{reporter.pk}/password/", password_data())
    assert response.status_code == 403
    reporter.refresh_from_db()
    assert reporter.check_password("pass-phrase-123")


# --- Nobody raises their own rights -----------------------------------------------------------


def test_an_administrator_cannot_raise_their_own_flags_roles_or_permissions(
    administrator, superuser
):
    editors = Group.objects.get(name=EDITORS)
    delete_user = Permission.objects.get(codename="delete_user")
    data = change_data(superuser, administrator, is_superuser="on",
                       groups=[editors.pk, Group.objects.get(name=ADMINISTRATORS).pk],
                       user_permissions=[delete_user.pk])  # fmt: skip
    before = state(administrator)
    response = logged_in(administrator).post(f"/admin/auth/user/{administrator.pk}/change/", data)
    assert response.status_code == 302  # the fields they may change were saved; nothing else
    assert state(administrator) == before


def test_only_a_superuser_changes_what_a_role_allows(administrator, superuser):
    # An administrator given the right to change roles still cannot add to them: adding to a
    # role they hold (or any role, then taking it) would raise them.
    grant(administrator, "auth.change_group")
    role = Group.objects.get(name=ADMINISTRATORS)
    before = set(role.permissions.values_list("pk", flat=True))
    extra = Permission.objects.get(codename="delete_user")
    data = {"permissions": [*before, extra.pk]}
    response = logged_in(administrator).post(f"/admin/auth/group/{role.pk}/change/", data)
    assert response.status_code == 302
    assert set(role.permissions.values_list("pk", flat=True)) == before
    assert not AuditEntry.objects.exists()
    # A new role made by them allows nothing either.
    grant(administrator, "auth.add_group")
    logged_in(administrator).post("/admin/auth/group/add/", {"name": "مدققون",
                                                            "permissions": [extra.pk]})  # fmt: skip
    assert not Group.objects.get(name="مدققون").permissions.exists()
    # A superuser may, and it is in the audit log.
    response = logged_in(superuser).post(f"/admin/auth/group/{role.pk}/change/", data)
    assert response.status_code == 302
    assert extra in role.permissions.all()
    entry = AuditEntry.objects.get(action="role")
    assert entry.actor == superuser and entry.changes[0]["after"] == sorted(
        accounts.role_permissions(role)
    )


def test_an_administrator_gives_desk_roles_but_not_roles_beyond_their_rights(
    administrator, superuser, reporter
):
    editors = Group.objects.get(name=EDITORS)
    auditors = Group.objects.create(name="مدققون")
    auditors.permissions.add(Permission.objects.get(codename="delete_user"))
    client = logged_in(administrator)
    data = change_data(superuser, reporter, groups=[auditors.pk])
    response = client.post(f"/admin/auth/user/{reporter.pk}/change/", data)
    assert response.status_code == 200  # the form again, with the refusal
    assert "مدققون" in str(response.context["adminform"].form.errors["groups"])
    assert list(reporter.groups.values_list("name", flat=True)) == ["Reporters"]
    assert not AuditEntry.objects.exists()
    data = change_data(superuser, reporter, groups=[editors.pk])
    assert client.post(f"/admin/auth/user/{reporter.pk}/change/", data).status_code == 302
    assert list(reporter.groups.values_list("name", flat=True)) == [EDITORS]
    entry = AuditEntry.objects.get()
    assert entry.changes == [{"field": "groups", "before": ["Reporters"], "after": ["Editors"]}]
    with translation.override("ar"):
        assert entry.describe() == "المجموعات: المراسلون → المحررون"


# --- Every change in the audit log ------------------------------------------------------------


def test_creating_an_account_is_audited_without_its_password(administrator):
    client = logged_in(administrator)
    response = client.post("/admin/auth/user/add/", {
        "username": "noor", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
        "usable_password": "true",
    })  # fmt: skip
    assert response.status_code == 302
    noor = User.objects.get(username="noor")
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.account) == (administrator, "account_create", noor)
    fields = [c["field"] for c in entry.changes]
    assert {"username", "is_active", "password"} <= set(fields)
    assert noor.password not in str(entry.changes)


def test_a_change_of_flags_names_and_roles_is_one_entry_in_the_readers_language(
    administrator, superuser, reporter
):
    data = change_data(superuser, reporter, is_staff="on", first_name="رنا",
                       groups=[Group.objects.get(name=EDITORS).pk])  # fmt: skip
    response = logged_in(administrator).post(f"/admin/auth/user/{reporter.pk}/change/", data)
    assert response.status_code == 302
    entry = AuditEntry.objects.get()
    assert [c["field"] for c in entry.changes] == ["first_name", "is_staff", "groups"]
    with translation.override("en"):
        assert entry.describe() == (
            "first name: — → رنا · staff status: No → Yes · groups: Reporters → Editors"
        )
    with translation.override("fa"):
        assert "ویراستاران" in entry.describe() and "staff" not in entry.describe()
    # The audit log in the admin shows it in the admin's language (Arabic by default).
    page = logged_in(superuser).get("/admin/newsroom/auditentry/").content.decode()
    with translation.override("ar"):
        assert entry.describe() in page
        assert str(AuditEntry.Action.ACCOUNT_CHANGE.label) in page


def test_changing_ones_own_password_is_audited(administrator):
    client = logged_in(administrator)
    response = client.post("/admin/password_change/", {
        "old_password": "pass-phrase-123", "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD,
    })  # fmt: skip
    assert response.status_code == 302
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.account, entry.changes) == (
        administrator, administrator, [{"field": "password"}],
    )  # fmt: skip
    # A refused attempt (wrong old password) changes nothing and records nothing.
    client.post("/admin/password_change/", {
        "old_password": "wrong", "new_password1": "x-" + NEW_PASSWORD,
        "new_password2": "x-" + NEW_PASSWORD,
    })  # fmt: skip
    assert AuditEntry.objects.count() == 1


def test_a_superuser_giving_a_single_permission_is_audited_with_its_name(superuser, reporter):
    view_ban = Permission.objects.get(codename="view_ban")
    data = change_data(superuser, reporter, user_permissions=[view_ban.pk])
    response = logged_in(superuser).post(f"/admin/auth/user/{reporter.pk}/change/", data)
    assert response.status_code == 302
    entry = AuditEntry.objects.get()
    assert entry.changes == [
        {"field": "user_permissions", "before": [], "after": ["comments.view_ban"]}
    ]
    with translation.override("ar"):
        assert entry.describe() == "صلاحيات المستخدم: — → التعليقات | يمكنه عرض حظر"
