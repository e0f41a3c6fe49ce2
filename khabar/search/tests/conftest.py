import pytest


@pytest.fixture
def editor_user(editor):
    # The root conftest's editor, under the name these tests use.
    return editor
