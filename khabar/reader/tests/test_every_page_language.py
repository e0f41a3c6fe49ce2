"""Every reader-facing page of a Persian and an English edition, through the test client: in
the edition's language and direction, with its own strings translated, whatever language the
reader's browser asks for."""

import pytest
from django.utils import translation

from khabar.reader.tests.editions import build

pytestmark = pytest.mark.django_db

LANGUAGES = {"fa": ("fa", "rtl"), "en": ("en", "ltr")}

# A string of each page's own template; a section page has none of its own but the footer's.
PAGE_STRINGS = {
    "front": "Latest news",
    "section": "Updates and corrections",
    "tag": "Search within this tag",
    "article": "News code",
    "author": "Author",
    "search": "Search",
    "comments": "Your comment",
    "corrections": "Updates and corrections",
    "404": "Page not found",
    "feeds": "All the news",
    "privacy": "Your comments and your data",
    "replies": "Your comment",
}


def tr(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


@pytest.fixture
def pages(edition):
    result = {}
    for code in LANGUAGES:
        built = build(code)
        paths = built.pages()
        paths["feeds"] = f"/{code}/feeds/"
        paths["privacy"] = f"/{code}/comments/privacy/"
        root = built.article.comments.order_by("id").first()
        paths["replies"] = f"/{code}/comments/{built.article.news_code}/replies/{root.pk}"
        result[code] = paths
    return result


@pytest.mark.parametrize("code", list(LANGUAGES))
@pytest.mark.parametrize("page", list(PAGE_STRINGS))
def test_every_reader_page_speaks_its_editions_language(client, pages, code, page):
    language, direction = LANGUAGES[code]
    for asked in ("ar", "fa-IR", "en-US"):  # the browser's language changes nothing
        response = client.get(pages[code][page], headers={"Accept-Language": asked})
        assert response.status_code == (404 if page == "404" else 200), (page, asked)
        html = response.content.decode()
        assert f'<html lang="{language}" dir="{direction}">' in html
        message = PAGE_STRINGS[page]
        translated = tr(language, message)
        if language != "en":
            assert translated != message
        assert translated in html, (page, message)


@pytest.mark.parametrize("code", list(LANGUAGES))
def test_search_messages_speak_the_editions_language(client, edition, code):
    build(code)
    language = LANGUAGES[code][0]
    messages = {
        "!!!": "Type one or more words to search for.",
        "كلمة " * 200: "The search is too long: use a few words.",
    }
    for query, message in messages.items():
        html = client.get(f"/{code}/search/", {"q": query}).content.decode()
        translated = tr(language, message)
        assert language == "en" or translated != message
        assert f'<p class="search-message" role="status">{translated}</p>' in html
