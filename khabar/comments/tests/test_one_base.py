"""Every public page extends the reader's one base; the pages a reader reaches from an e-mail
(no edition) keep their look: the interface language, no masthead, kept out of search engines."""

import re

import pytest
from django.core import signing

from khabar.comments import notify

pytestmark = pytest.mark.django_db


def _templates(response):
    return [t.name for t in response.templates]


def test_pages_from_an_email_extend_the_reader_base(client, settings):
    token = signing.dumps("some-hash", salt=notify.UNSUBSCRIBE_SALT)
    response = client.get(f"/comments/unsubscribe/{token}")
    assert response.status_code == 200
    assert "reader/base.html" in _templates(response)
    html = response.content.decode()
    assert f'<html lang="{settings.LANGUAGE_CODE}" dir="rtl">' in html
    assert '<meta name="robots" content="noindex">' in html
    assert "comments/comments.css" in html
    assert '<main id="main" class="wrap narrow-page">' in html
    # No edition here: neither its masthead, skip link nor footer.
    assert "masthead" not in html and "skip-link" not in html and "site-footer" not in html
    assert len(re.findall(r"<h1>", html)) == 1


def test_story_pages_extend_the_reader_base(client, article):
    code = article.edition.code
    for url in (f"/{code}/comments/{article.news_code}", f"/{code}/comments/privacy/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "reader/base.html" in _templates(response)
        html = response.content.decode()
        assert '<main id="main" class="wrap">' in html and "masthead" in html
