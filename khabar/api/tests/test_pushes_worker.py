"""Pushes with the real queue: django-tasks' `manage.py db_worker` in another process, on the
test database, posting to a receiver in the test. Stories are changed by the newsroom's verbs,
so the deliveries are queued after commit as in production."""

import signal
import time

import pytest

from khabar.api import webhooks
from khabar.api.models import Delivery, Partner, Webhook
from khabar.api.tests.receiver import Receiver
from khabar.api.tests.test_ninjs_schema import errors
from khabar.newsroom import actions

pytestmark = pytest.mark.django_db(transaction=True)


def hooked(edition, url, **fields):
    partner = Partner.objects.create(name="شريك", **fields)
    partner.editions.set([edition])
    Webhook.objects.create(partner=partner, url=url, secret=webhooks.new_secret())
    return partner


def draft(make_article, headline):
    return make_article(headline, publish=False)


def test_publish_correct_unpublish_arrive_signed_valid_and_in_order(
    edition, editor, make_article, worker
):
    receiver = Receiver(answers=[500])  # the first push is refused once, then retried
    try:
        partner = hooked(edition, receiver.url)
        worker()
        story = actions.do_publish_now(editor, draft(make_article, "خبر للشركاء"))
        assert receiver.wait_for(2), "the refused push was not retried"
        published = time.monotonic()
        actions.do_correct(editor, story, kind="update", note="أُضيفت تفاصيل.",
                           base_revision=story.revision, lead="تفاصيل جديدة.")  # fmt: skip
        story.refresh_from_db()
        actions.do_unpublish_with_reason(editor, story, "طلب الجهة")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (
            receiver.items() and receiver.items()[-1]["pubstatus"] == "canceled"
        ):
            time.sleep(0.05)
        secret = partner.webhook.secret
        for headers, body, _at in receiver.pushes:
            assert webhooks.verify(secret, body, headers["X-Khabar-Signature"])
        items = receiver.items()
        assert all(errors("2.2", item) == [] for item in items)
        versions = [int(item["version"]) for item in items]
        assert versions == sorted(versions) and versions[0] == 1
        assert items[-1]["pubstatus"] == "canceled" and items[-1]["version"] == "2"
        first = Delivery.objects.filter(partner=partner).order_by("id").first()
        assert first.status == "delivered" and first.attempts == 2
        assert receiver.pushes[-1][2] > published
    finally:
        receiver.close()


def test_nothing_is_lost_when_the_worker_is_killed_mid_delivery(
    edition, editor, make_article, worker
):
    import threading

    hold = threading.Event()
    receiver = Receiver(hold=hold)  # the first POST is left without an answer
    try:
        partner = hooked(edition, receiver.url)
        process = worker()
        actions.do_publish_now(editor, draft(make_article, "خبر لا يضيع"))
        assert receiver.arrived.wait(60), "the worker did not send the push"
        process.send_signal(signal.SIGKILL)  # mid-delivery: sent, no answer read
        process.wait(timeout=10)
        hold.set()
        delivery = Delivery.objects.get(partner=partner)
        assert delivery.status == "pending"
        worker()  # restarted: the retry queued with the attempt sends it again
        assert receiver.wait_for(2)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and delivery.status != "delivered":
            time.sleep(0.1)
            delivery.refresh_from_db()
        assert delivery.status == "delivered" and delivery.attempts == 2
        ids = {headers["X-Khabar-Delivery"] for headers, _body, _at in receiver.pushes}
        assert ids == {str(delivery.uuid)}  # at least once; the receiver drops the repeat
    finally:
        hold.set()
        receiver.close()


def test_a_publication_reaches_the_partner_within_seconds(
    edition, editor, make_article, worker, capsys
):
    """The figure for the report: publish (commit) to the POST received, with the worker as
    bin/run starts it (polling every second)."""
    receiver = Receiver()
    try:
        hooked(edition, receiver.url)
        worker()
        actions.do_publish_now(editor, draft(make_article, "خبر أول"))
        assert receiver.wait_for(1)  # the worker is up
        delays = []
        for n in range(3):
            story = draft(make_article, f"خبر عاجل {n}")
            started = time.monotonic()
            actions.do_publish_now(editor, story)
            assert receiver.wait_for(2 + n)
            delays.append(receiver.pushes[-1][2] - started)
        with capsys.disabled():
            print(f"\npublish -> push: {', '.join(f'{d:.2f}' for d in delays)} s")
    finally:
        receiver.close()
