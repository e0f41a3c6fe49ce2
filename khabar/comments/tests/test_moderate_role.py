"""Who may moderate is answered by the newsroom's roles, like every other action of the desk."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group, User

from khabar.newsroom.roles import can

pytestmark = pytest.mark.django_db


def _user(name, *groups, **flags):
    user = User.objects.create_user(name, f"{name}@example.org", "x", **flags)
    for group in groups:
        user.groups.add(Group.objects.get(name=group))
    return User.objects.get(pk=user.pk)  # fresh, without a cached set of permissions


@pytest.mark.parametrize(
    ("groups", "flags", "allowed"),
    [
        (("Moderators",), {}, True),
        (("Editors",), {}, True),
        ((), {"is_superuser": True}, True),
        (("Reporters",), {}, False),
        (("Administrators",), {"is_staff": True}, False),
        ((), {}, False),
        (("Moderators",), {"is_active": False}, False),
    ],
)
def test_can_moderate(groups, flags, allowed):
    assert can(_user("someone", *groups, **flags), "moderate") is allowed


def test_anonymous_cannot_moderate():
    assert can(AnonymousUser(), "moderate") is False


@pytest.mark.parametrize("url", ["/desk/comments/", "/desk/comments/1/edit"])
def test_desk_answers_as_before(client, url):
    """Not logged in: to the login page; logged in without the right: 403; with it: in."""
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(_user("reporter", "Reporters"))
    assert client.get(url).status_code == 403
    client.force_login(_user("moderator", "Moderators"))
    # The queue opens; the edit page of a comment that does not exist is a 404, past the check.
    assert client.get(url).status_code == (200 if url == "/desk/comments/" else 404)
