"""One mailbox is one person: an address with invisible characters, spaces, another case or an
internationalised domain is folded to one spelling before it is hashed, compared and stored,
for bans, rate limits, unsubscribes, privacy requests and trust."""

import hashlib
import hmac
import importlib

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation

from khabar.comments import actions, notify
from khabar.comments.forms import CommentForm, PrivacyRequestForm
from khabar.comments.identity import email_hash, normalise_email
from khabar.comments.models import Ban, Comment, Commenter
from khabar.testing import comment_data

pytestmark = pytest.mark.django_db

PLAIN = "user@example.com"
VARIANTS = [
    "user@example.com\u200b",
    "\ufeffuser@example.com",
    "us\u200ber@example.com",
    "user@exa\u200emple.com",
    " USER@Example.COM ",
    "user @example.com",
]


def post_from(client, article, network, **fields):
    url = f"/{article.edition.code}/comments/{article.news_code}"
    data = comment_data(article, **fields)
    return client.post(url, data, HTTP_X_REQUESTED_WITH="fetch", REMOTE_ADDR=network)


def old_hash(email):
    """The fingerprint as it was computed before addresses were folded."""
    key = settings.KHABAR_HASH_SALT.encode()
    value = f"email:{email.strip().lower()}".encode()
    return hmac.new(key, value, hashlib.sha256).hexdigest()


@pytest.mark.parametrize("variant", VARIANTS)
def test_invisible_characters_spaces_and_case_are_one_address(variant):
    assert normalise_email(variant) == PLAIN
    assert email_hash(variant) == email_hash(PLAIN)


def test_international_domain_is_hashed_in_its_ascii_form():
    assert normalise_email("Reader@Bücher.example") == "reader@xn--bcher-kva.example"
    assert email_hash("reader@bücher.example") == email_hash("reader@xn--bcher-kva.example")
    # NFC: a decomposed ü is the same letter.
    assert email_hash("reader@bu\u0308cher.example") == email_hash("reader@bücher.example")


@pytest.mark.parametrize("bad", ["\u200b@example.com", "user@\u200b", "user\u200bexample.com"])
def test_an_address_that_is_not_one_once_folded_is_refused(bad, article):
    form = CommentForm({"name": "قارئ", "body": "نص", "email": bad})
    assert not form.is_valid()
    assert form.errors["email"] == [
        translation.gettext(
            "This is not a valid e-mail address, even without spaces and invisible "
            "characters. Please check it."
        )
    ]
    privacy = PrivacyRequestForm({"email": bad})
    assert not privacy.is_valid()


def test_the_folded_address_is_stored(post_comment, article):
    post_comment(article, email="us\u200ber@Example.COM")
    comment = Comment.objects.latest("id")
    assert comment.email == PLAIN
    assert comment.email_hash == email_hash(PLAIN)


def test_a_ban_holds_for_every_spelling(client, post_comment, article, moderator):
    post_comment(article, email=PLAIN, body="أول")
    actions.do_ban(Comment.objects.latest("id"), moderator, Ban.Kind.EMAIL)
    response = post_from(client, article, "10.9.9.9", email="user\u200b@example.com", body="ثان")
    assert response.status_code == 400
    assert Comment.objects.count() == 1


def test_a_rate_limit_holds_for_every_spelling(client, post_comment, article, settings):
    settings.KHABAR_COMMENT_RATE_EMAIL = (2, 600)
    answers = [
        post_from(client, article, f"10.{n}.0.1", email=address, body=f"تعليق رقم {n}")
        for n, address in enumerate([PLAIN, "user\u200b@example.com", "USER@example.com\ufeff"])
    ]
    assert [a.status_code for a in answers] == [201, 201, 400]


def test_unsubscribing_holds_for_every_spelling(client, post_comment, article):
    post_comment(article, email="\u200buser@example.com", notify_on_reply="on")
    token = notify.unsubscribe_token(email_hash(" User@Example.com"))
    assert client.post(f"/comments/unsubscribe/{token}").status_code == 200
    assert not Comment.objects.get().notify_on_reply
    assert Commenter.objects.get(email_hash=email_hash(PLAIN)).unsubscribed


def test_privacy_deletion_finds_every_spelling(client, post_comment, article,
                                               django_capture_on_commit_callbacks):  # fmt: skip
    post_comment(article, email="user\u200b@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/ar/comments/privacy/", {"email": "USER@example.com\u200e"})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [PLAIN]
    link = next(line for line in mail.outbox[0].body.splitlines() if "/comments/privacy/" in line)
    path = link.split("127.0.0.1:8000")[-1].strip()
    client.post(path, {"confirm": "delete"})
    assert Comment.objects.count() == 0


def test_trust_is_earned_by_the_address_in_any_spelling(post_comment, article, moderator):
    for n, address in enumerate([PLAIN, "user\u200b@example.com", " USER@example.com"]):
        post_comment(article, email=address, body=f"تعليق رقم {n}")
        actions.do_approve(Comment.objects.latest("id"), moderator)
    assert Commenter.objects.get(email_hash=email_hash(PLAIN)).approved_streak == 3
    assert Commenter.objects.count() == 1


def test_migration_refolds_stored_addresses(article, moderator):
    migration = importlib.import_module("khabar.comments.migrations.0006_normalise_addresses")
    raw = "user\u200b@Example.com"
    # Stored as before: the address as typed, the old fingerprint.
    old = Comment.objects.create(
        article=article, name="قارئ", body="قديم", email=raw, email_hash=old_hash(raw)
    )
    Commenter.objects.create(email_hash=old_hash(raw), approved_count=2, approved_streak=2)
    Commenter.objects.create(email_hash=email_hash(PLAIN), approved_count=1, approved_streak=1)
    Ban.objects.create(kind=Ban.Kind.EMAIL, value_hash=old_hash(raw))
    untouched = Comment.objects.create(
        article=article, name="قارئ", body="آخر", email="b@example.org",
        email_hash=old_hash("b@example.org"),
    )  # fmt: skip
    assert old_hash(raw) != email_hash(PLAIN)

    from django.apps import apps

    migration.forwards(apps, None)

    old.refresh_from_db()
    assert (old.email, old.email_hash) == (PLAIN, email_hash(PLAIN))
    untouched.refresh_from_db()
    assert untouched.email_hash == email_hash("b@example.org")  # already folded: the same
    commenter = Commenter.objects.get()
    assert (commenter.email_hash, commenter.approved_count) == (email_hash(PLAIN), 3)
    assert commenter.approved_streak == 1
    assert Ban.objects.get().value_hash == email_hash(PLAIN)
