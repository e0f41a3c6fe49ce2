"""Machine-readable descriptions of pages: JSON-LD and OpenGraph values."""

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from babel import Locale, UnknownLocaleError

from khabar.news.models import Article, Author, Edition, reversed_url


def og_locale(edition: Edition) -> str:
    """OpenGraph wants language_TERRITORY (ar_IQ); a bare language is all some editions have."""
    return edition.locale if "_" in edition.locale else edition.language


def _person(author: Author, edition: Edition, page_url: str) -> dict:
    """schema.org Person for a byline, with the address of the author's page in the edition
    (on the same site as the page it describes)."""
    person = {"@type": "Person", "name": author.name}
    if author.slug:  # an author saved without a slug has no page to point at
        path = reversed_url("reader:author", edition=edition.code, slug=author.slug)
        person["url"] = _on_site_of(page_url, path)
    return person


def _on_site_of(page_url: str, path: str) -> str:
    """urljoin(page_url, path) for an absolute path with no dot segments (a reversed address),
    without urljoin's general resolution: the page's scheme and host, then the path."""
    if not path.startswith("/") or path.startswith("//") or "/." in path:
        return urljoin(page_url, path)
    parts = urlsplit(page_url)
    return f"{parts.scheme}://{parts.netloc}{path}"


def article_json_ld(article: Article, url: str) -> dict:
    """schema.org NewsArticle for search engines and link previews."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.headline,
        "description": article.summary,
        "url": url,
        "mainEntityOfPage": url,
        "identifier": str(article.news_code or ""),
        "inLanguage": article.edition.language,
        "datePublished": article.published_at.isoformat() if article.published_at else None,
        "dateModified": article.updated_at.isoformat(),
        "articleSection": article.section.name,
        "keywords": [tag.name for tag in article.tag_list],
        "publisher": {"@type": "NewsMediaOrganization", "name": article.edition.name},
    }
    authors = [_person(author, article.edition, url) for author in article.author_list]
    if authors:
        data["author"] = authors
    if article.source:
        data["sourceOrganization"] = {"@type": "Organization", "name": article.source}
    corrections = article.correction_list
    if corrections:
        data["version"] = article.version
        data["dateModified"] = max(c.created_at for c in corrections).isoformat()
        data["correction"] = [
            {
                "@type": "CorrectionComment",
                "text": c.note,
                "datePublished": c.created_at.isoformat(),
            }
            for c in corrections
            if c.kind == "correction"
        ]
    return data


@lru_cache(maxsize=64)
def language_name(language: str) -> str:
    """A language named in itself, as CLDR writes it (فارسی, English, العربية): a reader who
    cannot read this page's language still finds theirs."""
    try:
        name = Locale.parse(language).get_display_name(language) or language
    except (UnknownLocaleError, ValueError):
        return language
    return name[:1].upper() + name[1:] if name[:1].islower() else name


@dataclass(frozen=True)
class Alternate:
    """One version of a story, for the hreflang links, the switcher and JSON-LD."""

    article: Article
    url: str  # absolute
    hreflang: str
    language_name: str
    direction: str
    is_self: bool


def alternates(article: Article, members: list[Article], absolute) -> list[Alternate]:
    """The story and each published translation (members: translations.group_members), with
    absolute addresses made by `absolute(path)`. Empty when the story has no published
    translation: a page with no other version names none, not even itself."""
    if len(members) < 2:
        return []
    return [
        Alternate(
            article=m,
            url=absolute(m.get_absolute_url()),
            hreflang=m.edition.language,
            language_name=language_name(m.edition.language),
            direction=m.edition.direction,
            is_self=m.pk == article.pk,
        )
        for m in members
    ]


def x_default(versions: list[Alternate]) -> Alternate | None:
    """The version for readers whose language none of them is: the default edition's, else the
    original's, else the first. Chosen from the group alone, so every page of the group names
    the same one (hreflang wants the set to agree)."""
    if not versions:
        return None
    for version in versions:
        if version.article.edition.is_default:
            return version
    original_id = _original_id(versions)
    return next((v for v in versions if v.article.pk == original_id), versions[0])


def _original_id(versions: list[Alternate]) -> int | None:
    # The members were read with their group (translations.group_members): no query here.
    group = versions[0].article.translation_group
    return group.original_id if group else None


def _work(version: Alternate) -> dict:
    return {
        "@type": "NewsArticle",
        "@id": version.url,
        "url": version.url,
        "headline": version.article.headline,
        "inLanguage": version.hreflang,
    }


def translation_json_ld(article: Article, versions: list[Alternate]) -> dict:
    """schema.org links between a story and its translations: the original lists its
    translations (workTranslation), a translation names its original (translationOfWork) when
    that is published."""
    if not versions:
        return {}
    original_id = _original_id(versions)
    others = [v for v in versions if not v.is_self]
    if original_id is None or article.pk == original_id:
        return {"workTranslation": [_work(v) for v in others]}
    data = {}
    original = next((v for v in others if v.article.pk == original_id), None)
    if original is not None:
        data["translationOfWork"] = _work(original)
    return data
