"""Pushes to partners' webhooks, one attempt at a time (webhooks.attempt is the task's body),
against a real HTTP receiver in the test. The worker itself runs in test_pushes_worker.py."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from khabar.api import webhooks
from khabar.api.models import Delivery, Partner, Webhook
from khabar.api.tests.receiver import Receiver
from khabar.api.tests.test_ninjs_schema import errors
from khabar.newsroom import actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


def hooked(edition, url, name="شريك الدفع", **fields):
    version = fields.pop("ninjs_version", "2.2")
    partner = Partner.objects.create(name=name, **fields)
    partner.editions.set([edition])
    Webhook.objects.create(partner=partner, url=url, secret=webhooks.new_secret(),
                           ninjs_version=version)  # fmt: skip
    return partner


@pytest.fixture
def partner(edition, receiver):
    return hooked(edition, receiver.url)


def at(monkeypatch, moment):
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)


def run(partner):
    """Attempt each of the partner's deliveries once, oldest first: their outcomes."""
    deliveries = Delivery.objects.filter(partner=partner).order_by("id")
    return [webhooks.attempt(d.pk) for d in deliveries]


def test_a_publication_is_pushed_signed_as_valid_ninjs(partner, receiver, make_article):
    story = make_article()
    assert run(partner) == ["delivered"]
    [(headers, body, _at)] = receiver.pushes
    delivery = Delivery.objects.get(partner=partner)
    assert headers["X-Khabar-Delivery"] == str(delivery.uuid)
    assert headers["X-Khabar-Event"] == "published"
    assert webhooks.verify(partner.webhook.secret, body, headers["X-Khabar-Signature"])
    item = json.loads(body)
    assert errors("2.2", item) == []
    assert item["altids"] == [{"role": "newscode", "value": str(story.news_code)}]
    assert item["pubstatus"] == "usable" and item["version"] == "1"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_http_status) == ("delivered", 1, 200)
    assert delivery.sent_version == 1 and delivery.finished_at


def test_a_partner_may_take_ninjs_3_1(edition, receiver, make_article):
    partner = hooked(edition, receiver.url, ninjs_version="3.1")
    make_article()
    assert run(partner) == ["delivered"]
    item = receiver.items()[0]
    assert errors("3.1", item) == [] and item["pubStatus"] == "usable"


def test_the_signature_refuses_a_changed_body_another_secret_and_a_replay():
    secret, body, now = webhooks.new_secret(), b'{"uri": "urn:x"}', 1_800_000_000
    header = webhooks.sign(secret, body, now)
    assert webhooks.verify(secret, body, header, now=now + 299)
    assert not webhooks.verify(secret, body + b" ", header, now=now)
    assert not webhooks.verify(webhooks.new_secret(), body, header, now=now)
    assert not webhooks.verify(secret, body, header, now=now + 301)  # replayed later
    assert not webhooks.verify(secret, body, "v1=abc", now=now)


def test_only_https_or_this_computer(partner):
    hook = partner.webhook
    for good in ("https://partner.example/hook", "http://localhost:8080/x", "http://127.0.0.1/x"):
        hook.url = good
        hook.full_clean()
    hook.url = "http://partner.example/hook"
    with pytest.raises(ValidationError):
        hook.full_clean()


def test_a_500_is_retried_with_backoff_then_delivered(edition, make_article):
    receiver = Receiver(answers=[500])
    partner = hooked(edition, receiver.url)
    try:
        make_article()
        delivery = Delivery.objects.get(partner=partner)
        assert webhooks.attempt(delivery.pk) == "retrying"
        delivery.refresh_from_db()
        assert delivery.status == "pending" and delivery.attempts == 1
        assert delivery.last_http_status == 500
        assert webhooks.attempt(delivery.pk) == "delivered"
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.last_error) == ("delivered", 2, "")
        assert len(receiver.pushes) == 2
        ids = {headers["X-Khabar-Delivery"] for headers, _body, _at in receiver.pushes}
        assert ids == {str(delivery.uuid)}  # the same id: a receiver drops a repeat
    finally:
        receiver.close()


def test_the_retries_double_and_stop_after_a_day(edition, make_article, monkeypatch, settings):
    assert [webhooks.retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    partner = hooked(edition, "http://127.0.0.1:9/nothing-listens")  # connection refused
    make_article()
    delivery = Delivery.objects.get(partner=partner)
    assert webhooks.attempt(delivery.pk) == "retrying"
    delivery.refresh_from_db()
    assert delivery.last_http_status is None and delivery.last_error
    at(monkeypatch, delivery.not_before + timedelta(hours=23, minutes=59))
    assert webhooks.attempt(delivery.pk) == "failed"  # no retry would fall within the day
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == 2


def test_embargo_cleared_partners_at_once_others_at_the_second_it_lifts(
    edition, editor, receiver, make_article, monkeypatch
):
    other = Receiver()
    try:
        cleared = hooked(edition, receiver.url, receives_embargoed=True)
        waiting = hooked(edition, other.url, name="شريك آخر")
        story = make_article("خبر تحت الحظر", publish=False)
        until = (timezone.now() + timedelta(hours=2)).replace(microsecond=0)
        actions.do_embargo(editor, story, until)
        assert run(cleared) == ["delivered"]
        assert receiver.items()[0]["embargoed"] == until.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert Delivery.objects.get(partner=waiting).not_before == until
        assert run(waiting) == ["not yet"]
        at(monkeypatch, until - timedelta(microseconds=1))
        assert run(waiting) == ["not yet"] and other.pushes == []
        at(monkeypatch, until)
        assert run(waiting) == ["delivered"]
        assert "embargoed" not in other.items()[0] and other.items()[0]["pubstatus"] == "usable"
    finally:
        other.close()


def test_versions_arrive_in_order_and_unpublication_is_canceled(
    partner, receiver, editor, make_article
):
    story = make_article()
    assert run(partner)[-1] == "delivered"
    actions.do_correct(editor, story, kind="correction", note="صُحّح الرقم.",
                       base_revision=story.revision, headline="عنوان مصحح")  # fmt: skip
    actions.do_unpublish_with_reason(editor, story, "طلب قانوني")
    _first, second, third = Delivery.objects.filter(partner=partner).order_by("id")
    assert (second.event, third.event) == ("changed", "unpublished")
    # The later one waits for the earlier; the earlier, finding a later one due, gives way:
    # the partner is sent the story as it is now, never an older version after a newer one.
    assert webhooks.attempt(third.pk) == "waiting"
    assert webhooks.attempt(second.pk) == "superseded"
    assert webhooks.attempt(third.pk) == "delivered"
    versions = [(item["version"], item["pubstatus"]) for item in receiver.items()]
    assert versions == [("1", "usable"), ("2", "canceled")]
    assert "bodies" not in receiver.items()[-1]


def test_a_story_taken_down_before_its_embargo_lifts_is_never_pushed(
    edition, editor, receiver, make_article, monkeypatch
):
    partner = hooked(edition, receiver.url, name="شريك ثالث")
    story = make_article("خبر محظور", publish=False)
    until = (timezone.now() + timedelta(hours=1)).replace(microsecond=0)
    actions.do_embargo(editor, story, until)
    actions.do_unpublish_with_reason(editor, story, "أُلغي")
    at(monkeypatch, until)
    assert run(partner) == ["superseded", "skipped"]
    assert receiver.pushes == []


def test_a_push_due_while_the_worker_was_stopped_for_days_is_still_tried(
    partner, receiver, make_article, monkeypatch
):
    make_article()
    delivery = Delivery.objects.get(partner=partner)
    at(monkeypatch, delivery.not_before + timedelta(days=3))
    assert webhooks.attempt(delivery.pk) == "delivered"
