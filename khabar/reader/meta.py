"""Machine-readable descriptions of pages: JSON-LD and OpenGraph values."""

from urllib.parse import urljoin

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
        person["url"] = urljoin(page_url, path)
    return person


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
        "keywords": [tag.name for tag in article.tags.all()],
        "publisher": {"@type": "NewsMediaOrganization", "name": article.edition.name},
    }
    authors = [_person(author, article.edition, url) for author in article.authors.all()]
    if authors:
        data["author"] = authors
    if article.source:
        data["sourceOrganization"] = {"@type": "Organization", "name": article.source}
    corrections = list(article.corrections.all())
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
