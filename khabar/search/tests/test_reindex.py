"""`reindex` rebuilds the index in place: published stories in, the rest out, nothing cleared
first, so readers keep finding stories while it runs."""

import io

import pytest
from django.core.management import call_command

from khabar.search.backends import backend
from khabar.search.service import search

pytestmark = pytest.mark.django_db


def found(edition, text):
    return {a.pk for a in search(edition, text).page.object_list}


def test_reindex_puts_back_what_is_published_and_removes_the_rest(edition, make_article):
    kept = make_article("محطة المياه الجديدة في البصرة")
    gone = make_article("محطة المياه القديمة تغلق")
    engine = backend()
    engine.remove(kept.pk)  # an index that lost an entry
    gone.status = gone.Status.UNPUBLISHED  # and one that kept a story no longer public
    gone.save(update_fields=["status"])
    assert set(engine.indexed_ids()) == {gone.pk} and found(edition, "المياه") == set()
    out = io.StringIO()
    call_command("reindex", batch=1, stdout=out)
    assert set(engine.indexed_ids()) == {kept.pk} and found(edition, "المياه") == {kept.pk}
    assert "Indexed 1 stories; removed 1 stale entries." in out.getvalue()


def test_reindex_uses_the_current_text(edition, make_article):
    story = make_article("افتتاح جسر")
    type(story).objects.filter(pk=story.pk).update(headline="افتتاح نفق")  # behind the index
    assert found(edition, "نفق") == set()
    call_command("reindex", stdout=io.StringIO())
    assert found(edition, "نفق") == {story.pk} and found(edition, "جسر") == set()
