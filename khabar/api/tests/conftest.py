"""A partner of the Arabic edition with a key, and a reader of the API (personas and stories
are in the root conftest)."""

import pytest
from django.test import Client

from khabar.api import keys
from khabar.api.models import Partner


@pytest.fixture
def partner(edition):
    partner = Partner.objects.create(name="صحيفة الشريك")
    partner.editions.set([edition])
    return partner


@pytest.fixture
def key(partner):
    return keys.make_key(partner, "production")[1]


@pytest.fixture
def api(key):
    """api(path, key=..., **headers) -> response, GET with the partner's key."""
    client = Client()

    def get(path, *, key=key, **headers):
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return client.get(path, headers=headers)

    return get
