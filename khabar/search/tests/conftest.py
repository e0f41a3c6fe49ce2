import pytest
from django.contrib.auth.models import Group, User


@pytest.fixture
def editor_user(db):
    user = User.objects.create_user("omar", "omar@example.org", "x")
    user.groups.add(Group.objects.get(name="Editors"))
    return user
