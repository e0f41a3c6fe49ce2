"""Long stories fit the request limit (KHABAR_MAX_REQUEST_MB), and a request over it gets the
site's 400 page in the desk's language, saying that nothing was saved."""

from urllib.parse import urlencode

from django.utils import translation

from khabar.news.models import Article
from khabar.testing import story_post

HEADING = "The request could not be read"
# 475,200 Arabic letters, under the desk's 500,000 characters: 2.9 MB as the form sends it,
# over Django's default 2.5 MB.
LONG_BODY = "<p>" + ("خبر" * 330 + " ") * 480 + "</p>"


def post_as_the_browser(client, draft, **fields):
    # The editor's form has no enctype: the browser percent-encodes it, six bytes an Arabic
    # letter, which is what the limit has to hold.
    body = urlencode(story_post(draft, **fields), doseq=True)
    return client.generic("POST", f"/desk/stories/{draft.pk}/", body.encode(),
                          content_type="application/x-www-form-urlencoded")  # fmt: skip


def test_a_story_of_475000_arabic_letters_is_saved(client, draft, reporter):
    client.force_login(reporter)
    response = post_as_the_browser(client, draft, body=LONG_BODY)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.body.count("خبر") == 480 * 330


def test_over_the_limit_the_page_says_nothing_was_saved(client, draft, reporter, settings):
    settings.KHABAR_MAX_REQUEST_MB = 1
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    client.force_login(reporter)
    response = post_as_the_browser(client, draft, body=LONG_BODY)
    assert response.status_code == 400
    html = response.content.decode()
    with translation.override("ar"):
        assert translation.gettext(HEADING) in html and translation.gettext(HEADING) != HEADING
    assert "1 ميغابايت" in html  # the limit, in the desk's (the site's) language
    assert Article.objects.get(pk=draft.pk).revision == draft.revision
