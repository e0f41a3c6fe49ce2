"""Store and hash every commenter's address in its one spelling (issue 18): an address with an
invisible character, or an internationalised domain, was another person for bans, limits,
unsubscribes and privacy. The plaintext address kept on each comment is folded and re-hashed;
the fingerprints of commenters and e-mail bans follow their comments' new fingerprints.

The folding is copied here from identity.py as it was written, so that this migration keeps
doing the same thing whatever identity.py becomes.
"""

import hashlib
import hmac
import unicodedata

from django.conf import settings
from django.db import migrations


def _fold(email):
    email = "".join(
        c for c in email or "" if unicodedata.category(c) != "Cf" and not c.isspace()
    )
    email = unicodedata.normalize("NFC", email).lower()
    local, at, domain = email.rpartition("@")
    if not at:
        return email
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return email
    return f"{local}@{domain}"


def _hash(email):
    key = settings.KHABAR_HASH_SALT.encode()
    return hmac.new(key, f"email:{email}".encode(), hashlib.sha256).hexdigest()


def forwards(apps, schema_editor):
    Comment = apps.get_model("comments", "Comment")
    Commenter = apps.get_model("comments", "Commenter")
    Ban = apps.get_model("comments", "Ban")
    renamed = {}  # old fingerprint -> new
    for comment in Comment.objects.exclude(email="").only("id", "email", "email_hash").iterator():
        folded = _fold(comment.email)
        new_hash = _hash(folded)
        if comment.email_hash and comment.email_hash != new_hash:
            renamed[comment.email_hash] = new_hash
        if (folded, new_hash) != (comment.email, comment.email_hash):
            Comment.objects.filter(pk=comment.pk).update(email=folded, email_hash=new_hash)
    for old, new in renamed.items():
        Ban.objects.filter(kind="email", value_hash=old).exclude(
            value_hash__in=Ban.objects.filter(kind="email", value_hash=new).values("value_hash")
        ).update(value_hash=new)
        Ban.objects.filter(kind="email", value_hash=old).delete()  # the new one already exists
        before = Commenter.objects.filter(email_hash=old).first()
        if before is None:
            continue
        after = Commenter.objects.filter(email_hash=new).first()
        if after is None:
            Commenter.objects.filter(pk=before.pk).update(email_hash=new)
            continue
        # Two records of one person: add up what they earned, keep the stricter state.
        Commenter.objects.filter(pk=after.pk).update(
            approved_count=after.approved_count + before.approved_count,
            rejected_count=after.rejected_count + before.rejected_count,
            approved_streak=min(after.approved_streak, before.approved_streak),
            unsubscribed=after.unsubscribed or before.unsubscribed,
        )
        before.delete()


class Migration(migrations.Migration):
    dependencies = [("comments", "0005_commenter_confirmation")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
