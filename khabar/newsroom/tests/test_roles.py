"""The role matrix: each role can do exactly what it should, enforced on the server."""

import pytest

from khabar.newsroom import actions
from khabar.newsroom.roles import can

pytestmark = pytest.mark.django_db

ACTIONS = ["desk", "create", "edit", "submit", "send_back", "publish", "correct", "restore",
           "create_tag"]  # fmt: skip

# Who may do what to a draft written by the reporter `rana`.
ON_OWN_DRAFT = {
    "reporter": {"desk", "create", "edit", "submit", "restore", "create_tag"},
    "other_reporter": {"desk", "create", "create_tag"},
    "editor": {"desk", "create", "edit", "submit", "send_back", "publish", "correct",
               "restore", "create_tag"},
    "moderator": set(),
    "administrator": {"create_tag"},
    "reader": set(),
}  # fmt: skip

# …and to the same story once it is published.
ON_PUBLISHED = {
    "reporter": {"desk", "create", "create_tag"},
    "other_reporter": {"desk", "create", "create_tag"},
    "editor": {"desk", "create", "edit", "send_back", "publish", "correct", "restore",
               "create_tag"},
    "moderator": set(),
    "administrator": {"create_tag"},
    "reader": set(),
}  # fmt: skip


@pytest.mark.parametrize("role", list(ON_OWN_DRAFT))
def test_matrix_on_a_draft(request, draft, role):
    user = request.getfixturevalue(role)
    allowed = {a for a in ACTIONS if can(user, a, draft)}
    assert allowed == ON_OWN_DRAFT[role]


@pytest.mark.parametrize("role", list(ON_PUBLISHED))
def test_matrix_on_a_published_story(request, draft, editor, role):
    actions.do_publish_now(editor, draft)
    draft.refresh_from_db()
    user = request.getfixturevalue(role)
    allowed = {a for a in ACTIONS if can(user, a, draft)}
    assert allowed == ON_PUBLISHED[role]


def test_anonymous_can_do_nothing(draft):
    from django.contrib.auth.models import AnonymousUser

    assert not any(can(AnonymousUser(), a, draft) for a in ACTIONS)


def test_inactive_user_can_do_nothing(draft, editor):
    editor.is_active = False
    editor.save()
    assert not any(can(editor, a, draft) for a in ACTIONS)


@pytest.mark.parametrize(
    ("role", "status"),
    [("reporter", 403), ("moderator", 403), ("reader", 403), ("other_reporter", 403)],
)
def test_forged_publish_is_refused_over_http(client, request, draft, role, status):
    from khabar.testing import story_post

    client.force_login(request.getfixturevalue(role))
    response = client.post(f"/desk/stories/{draft.pk}/", story_post(draft, action="publish"))
    assert response.status_code == status
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.news_code is None


def test_reporter_cannot_edit_someone_elses_draft_over_http(client, draft, other_reporter):
    from khabar.testing import story_post

    client.force_login(other_reporter)
    response = client.post(f"/desk/stories/{draft.pk}/", story_post(draft, headline="سرقة"))
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.headline == "مسودة خبر عن المياه"


def test_desk_pages_by_role(client, draft, reporter, editor, moderator, reader, administrator):
    client.logout()
    assert client.get("/desk/").status_code == 302  # to the login page
    for user, code in [(reporter, 200), (editor, 200), (reader, 403)]:
        client.force_login(user)
        assert client.get("/desk/").status_code == code, user
    # Those without the desk are sent where they work (test_login_landing.py).
    for user, url in [(moderator, "/desk/comments/"), (administrator, "/admin/")]:
        client.force_login(user)
        assert client.get("/desk/").url == url, user


def test_administrators_manage_structure_in_the_admin(client, administrator, edition):
    client.force_login(administrator)
    assert client.get("/admin/news/section/add/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 200
    assert client.get("/admin/news/article/add/").status_code == 403


def test_refusal_page_is_arabic(client, moderator):
    client.force_login(moderator)
    response = client.get("/desk/stories/new")
    assert response.status_code == 403
    assert "غير مسموح" in response.content.decode()


def test_role_changes_are_audited(client, reporter):
    from django.contrib.auth.models import Group, User
    from django.utils import translation

    from khabar.newsroom.models import AuditEntry

    admin = User.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)
    page = client.get(f"/admin/auth/user/{reporter.pk}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update({
        "username": reporter.username, "email": reporter.email, "is_active": "on",
        "groups": [Group.objects.get(name="Editors").pk],
        "date_joined_0": "2026-01-01", "date_joined_1": "10:00:00",
        "last_login_0": "", "last_login_1": "",
    })  # fmt: skip
    data.pop("user_permissions", None)
    data.pop("is_staff", None)
    data.pop("is_superuser", None)
    response = client.post(f"/admin/auth/user/{reporter.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="account_change")
    assert entry.actor == admin and entry.note == reporter.username
    with translation.override("en"):
        assert "groups: Reporters → Editors" in entry.describe()


def test_history_and_preview_are_closed_to_colleagues(client, draft, other_reporter):
    client.force_login(other_reporter)
    for url in (f"/desk/stories/{draft.pk}/history", f"/desk/stories/{draft.pk}/preview"):
        response = client.get(url)
        assert response.status_code == 403
        assert draft.headline not in response.content.decode()
    response = client.post(f"/desk/stories/{draft.pk}/", {"action": "send_back"})
    assert response.status_code == 403
    assert draft.headline not in response.content.decode()


def test_reporters_desk_shows_no_colleagues_drafts(client, draft, other_reporter, editor):
    client.force_login(other_reporter)
    for tab in ("all", "upcoming", "review", "mine"):
        assert draft.headline not in client.get(f"/desk/?tab={tab}").content.decode()
    client.force_login(editor)
    assert draft.headline in client.get("/desk/?tab=all").content.decode()


def test_administrators_cannot_raise_themselves(client, administrator):
    client.force_login(administrator)
    page = client.get(f"/admin/auth/user/{administrator.pk}/change/")
    readonly = page.context["adminform"].readonly_fields
    assert {"is_superuser", "groups", "user_permissions"} <= set(readonly)


@pytest.mark.parametrize("value", ["-1", "99999999999999999999", "x", ""])
def test_autosave_with_an_odd_revision_is_refused(client, draft, reporter, value):
    client.force_login(reporter)
    response = client.post(
        f"/desk/stories/{draft.pk}/autosave",
        {"base_revision": value, "headline": "x", "lead": "", "body": ""},
    )
    assert response.status_code == 400


def test_nul_in_desk_parameters(client, draft, editor):
    client.force_login(editor)
    assert client.get("/desk/?tab=all&q=%00abc").status_code == 200
    assert client.get("/desk/tags?q=%00&edition=%00").status_code == 200
    assert client.get("/desk/stories/new?edition=%00").status_code == 200
