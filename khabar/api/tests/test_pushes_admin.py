"""Webhooks in the admin: set on the partner's page, the secret shown once, a new one on demand;
the delivery log is read-only, for those who may see partners."""

import re

import pytest
from django.test import Client
from django.utils import translation

from khabar.api import webhooks
from khabar.api.models import Delivery, Partner, Webhook

pytestmark = pytest.mark.django_db

SECRET = re.compile(r"whsec_[\w-]{43}")


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def partner_form(partner, edition, **webhook):
    data = {
        "name": partner.name, "editions": [edition.pk], "is_active": "on",
        "keys-TOTAL_FORMS": 0, "keys-INITIAL_FORMS": 0,
        "webhook-TOTAL_FORMS": 1, "webhook-INITIAL_FORMS": 0,
        "webhook-0-url": "https://partner.example/khabar", "webhook-0-ninjs_version": "3.1",
        "webhook-0-is_active": "on", "webhook-0-partner": partner.pk,
    }  # fmt: skip
    data.update({f"webhook-0-{name}": value for name, value in webhook.items()})
    return data


def messages_of(response):
    return " ".join(str(m) for m in response.context["messages"])


def test_a_webhook_gets_a_secret_shown_once(administrator, partner, edition):
    client = signed_in(administrator)
    path = f"/admin/api/partner/{partner.pk}/change/"
    response = client.post(path, partner_form(partner, edition), follow=True)
    assert response.status_code == 200
    secret = SECRET.search(messages_of(response)).group(0)
    hook = Webhook.objects.get(partner=partner)
    assert hook.secret == secret and hook.ninjs_version == "3.1"
    page = client.get(path).content.decode()
    assert "https://partner.example/khabar" in page and secret not in page
    # A new secret on demand, shown once too; the old one no longer signs.
    chosen = {"action": "make_webhook_secrets", "_selected_action": [partner.pk]}
    renewed = SECRET.search(messages_of(client.post("/admin/api/partner/", chosen,
                                                    follow=True))).group(0)  # fmt: skip
    hook.refresh_from_db()
    assert hook.secret == renewed != secret


def test_plain_http_is_refused_but_for_this_computer(administrator, partner, edition):
    client = signed_in(administrator)
    path = f"/admin/api/partner/{partner.pk}/change/"
    refused = client.post(path, partner_form(partner, edition, url="http://partner.example/k"))
    assert refused.status_code == 200 and not Webhook.objects.exists()
    assert client.post(path, partner_form(partner, edition, url="http://localhost:9000/k"))
    assert Webhook.objects.get().url == "http://localhost:9000/k"


def test_the_delivery_log_is_read_only_and_translated(administrator, editor, partner, edition,
                                                      make_article):  # fmt: skip
    Webhook.objects.create(partner=partner, url="https://partner.example/k",
                           secret=webhooks.new_secret())  # fmt: skip
    make_article()
    delivery = Delivery.objects.get()
    client = signed_in(administrator)
    listed = client.get("/admin/api/delivery/", headers={"Accept-Language": "ar"})
    assert listed.status_code == 200
    with translation.override("ar"):
        assert str(Delivery.Status.PENDING.label) in listed.content.decode()
        assert str(Delivery.Status.PENDING.label) != "pending"
    with translation.override("fa"):
        assert str(Delivery._meta.verbose_name_plural) != "deliveries"
    page = client.get(f"/admin/api/delivery/{delivery.pk}/change/").content.decode()
    assert str(delivery.uuid) in page and 'name="_save"' not in page
    assert client.post(f"/admin/api/delivery/{delivery.pk}/change/", {}).status_code == 403
    assert client.get("/admin/api/delivery/add/").status_code == 403
    assert client.get(f"/admin/api/delivery/{delivery.pk}/delete/").status_code == 403
    editor.is_staff = True
    editor.save()
    assert signed_in(editor).get("/admin/api/delivery/").status_code == 403
    assert Partner.objects.count() == 1
