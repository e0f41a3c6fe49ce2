"""A correction made at the desk reaches every channel as a new version: the Atom feed's entry
moves its `updated` and carries the note, the API item's version rises, and the partner's webhook
receives the new version, with the worker running as bin/run starts it."""

import time

import feedparser
import pytest
from django.test import Client

from khabar.api import keys
from khabar.api.tests.receiver import Receiver
from khabar.api.tests.test_pushes_worker import hooked
from khabar.newsroom import actions

pytestmark = pytest.mark.django_db(transaction=True)

NOTE = "صُحّح عدد المحطات من ثلاث إلى أربع."


def test_a_correction_is_a_new_version_in_the_feed_the_api_and_a_push(
    edition,
    editor,
    make_article,
    worker,
    capsys,
):
    receiver = Receiver()
    try:
        partner = hooked(edition, receiver.url)
        bearer = {"HTTP_AUTHORIZATION": f"Bearer {keys.make_key(partner, 'test')[1]}"}
        worker()
        story = actions.do_publish_now(
            editor, make_article("افتتاح ثلاث محطات لتحلية المياه", publish=False)
        )
        assert receiver.wait_for(1)
        reader, partner_client = Client(), Client()
        feed = feedparser.parse(reader.get(f"/{edition.code}/feeds/atom.xml").content)
        updated_before = feed.entries[0].updated_parsed
        api_path = f"/api/{edition.code}/items/{story.news_code}"
        assert partner_client.get(api_path, **bearer).json()["version"] == "1"

        time.sleep(1)  # Atom times are to the second: the correction is a later second
        started = time.monotonic()
        actions.do_correct(editor, story, kind="correction", note=NOTE,
                           base_revision=story.revision, lead="افتتاح أربع محطات.")  # fmt: skip

        feed = feedparser.parse(reader.get(f"/{edition.code}/feeds/atom.xml").content)
        entry = feed.entries[0]
        assert feed.bozo == 0
        assert entry.updated_parsed > updated_before and NOTE in entry.summary
        item = partner_client.get(api_path, **bearer).json()
        assert item["version"] == "2" and NOTE in item["ednote"]
        assert receiver.wait_for(2, seconds=60)
        pushed = receiver.items()[-1]
        assert pushed["version"] == "2" and NOTE in pushed["ednote"]
        with capsys.disabled():
            print(f"\ncorrection -> push: {receiver.pushes[-1][2] - started:.2f} s")
    finally:
        receiver.close()
