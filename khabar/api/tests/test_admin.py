"""Partners and keys in the admin: a key is made there and shown once, in the message after
saving, and only its hash is kept; keys are revoked, not deleted; administrators and superusers
manage partners, editors do not."""

import re

import pytest
from django.test import Client

from khabar.api import keys
from khabar.api.models import ApiKey, Partner

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_key_made_in_the_admin_is_shown_once_and_stored_hashed(administrator, partner):
    client = signed_in(administrator)
    response = client.post("/admin/api/apikey/add/", {"partner": partner.pk, "label": "موقعنا"},
                           follow=True)  # fmt: skip
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    key = re.search(r"khabar_[\w-]{43}", " ".join(shown)).group(0)
    record = ApiKey.objects.get()
    assert record.key_hash == keys.digest(key) and record.prefix == key[:13]
    assert keys.authenticate(f"Bearer {key}") == record
    # Never again: not on the key's page, not in the list.
    for path in (f"/admin/api/apikey/{record.pk}/change/", "/admin/api/apikey/",
                 f"/admin/api/partner/{partner.pk}/change/"):  # fmt: skip
        page = client.get(path).content.decode()
        assert key not in page and record.key_hash not in page and record.prefix in page


def test_keys_are_revoked_not_deleted(administrator, partner, api, key):
    client = signed_in(administrator)
    record = ApiKey.objects.get()
    chosen = {"action": "revoke_keys", "_selected_action": [record.pk]}
    response = client.post("/admin/api/apikey/", chosen, follow=True)
    assert response.status_code == 200
    assert ApiKey.objects.get().revoked_at is not None
    assert api("/api/ar/items").status_code == 401
    assert client.get(f"/admin/api/apikey/{record.pk}/delete/").status_code == 403


def test_editing_a_key_changes_only_its_label(administrator, partner, key):
    record = ApiKey.objects.get()
    keys.revoke(ApiKey.objects.all())
    client = signed_in(administrator)
    response = client.post(f"/admin/api/apikey/{record.pk}/change/", {"label": "جديد"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.label == "جديد" and record.revoked_at is not None


def test_only_administrators_and_superusers_manage_partners(administrator, superuser, editor):
    assert signed_in(administrator).get("/admin/api/partner/add/").status_code == 200
    assert signed_in(superuser).get("/admin/api/partner/").status_code == 200
    editor.is_staff = True
    editor.save()
    assert signed_in(editor).get("/admin/api/partner/").status_code == 403
    assert signed_in(editor).get("/admin/api/apikey/add/").status_code == 403


def test_a_partner_is_made_with_its_editions(administrator, edition):
    response = signed_in(administrator).post("/admin/api/partner/add/", {
        "name": "إذاعة الشريك", "editions": [edition.pk], "receives_embargoed": "on",
        "is_active": "on", "keys-TOTAL_FORMS": 0, "keys-INITIAL_FORMS": 0,
        "webhook-TOTAL_FORMS": 0, "webhook-INITIAL_FORMS": 0,
    })  # fmt: skip
    assert response.status_code == 302
    partner = Partner.objects.get(name="إذاعة الشريك")
    assert partner.receives_embargoed and list(partner.editions.all()) == [edition]
