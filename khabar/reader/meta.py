"""Machine-readable descriptions of pages: JSON-LD and OpenGraph values."""

from khabar.news.models import Article, Edition


def og_locale(edition: Edition) -> str:
    """OpenGraph wants language_TERRITORY (ar_IQ); a bare language is all some editions have."""
    return edition.locale if "_" in edition.locale else edition.language


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
    authors = [{"@type": "Person", "name": author.name} for author in article.authors.all()]
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
