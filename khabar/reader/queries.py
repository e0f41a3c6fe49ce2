"""The queries behind reader pages, each a fixed number of SQL statements however much content
there is (tests hold the counts)."""

from django.db.models import F, Prefetch, Window
from django.db.models.functions import RowNumber

from khabar.news.models import Article, Author, Correction, Edition, Section, Tag

FRONT_PAGE_LATEST = 6
FRONT_PAGE_PER_SECTION = 4

# What a list item shows: no body, which is the bulk of a row.
_LIST_FIELDS = [
    "id", "headline", "slug", "lead", "news_code", "published_at",
    "edition__code", "section__name", "section__slug", "section__position",
    "section__edition__code",
]  # fmt: skip


def list_articles(edition: Edition):
    return (
        Article.objects.published()
        .filter(edition=edition)
        .select_related("edition", "section__edition")
        .only(*_LIST_FIELDS)
        .order_by("-published_at", "-id")
    )


def author_articles(edition: Edition, author: Author):
    return list_articles(edition).filter(authors=author)


def front_page(edition: Edition) -> tuple[list[Article], list[tuple[Section, list[Article]]]]:
    """The latest stories, then each section with its latest few, in two queries."""
    latest = list(list_articles(edition)[:FRONT_PAGE_LATEST])
    ranked = list_articles(edition).annotate(
        rank=Window(
            RowNumber(), partition_by=F("section_id"), order_by=[F("published_at").desc(), "-id"]
        )
    )
    grouped: dict[int, list[Article]] = {}
    sections: dict[int, Section] = {}
    for article in ranked.filter(rank__lte=FRONT_PAGE_PER_SECTION):
        grouped.setdefault(article.section_id, []).append(article)
        sections[article.section_id] = article.section
    order = sorted(sections.values(), key=lambda s: (s.position, s.name))
    return latest, [(s, grouped[s.id]) for s in order]


def article_page_all():
    """Everything the article page shows, whatever the story's state (the newsroom's preview)."""
    return Article.objects.select_related("edition", "section__edition").prefetch_related(
        Prefetch("tags", queryset=Tag.objects.select_related("edition").order_by("name")),
        Prefetch("authors", queryset=Author.objects.order_by("name")),
        Prefetch("corrections", queryset=Correction.objects.order_by("created_at")),
    )


def article_page(edition: Edition):
    return article_page_all().published().filter(edition=edition)
