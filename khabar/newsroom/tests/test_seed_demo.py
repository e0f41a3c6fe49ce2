from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from khabar.news.demo import load_stories
from khabar.news.models import Article, Edition, Section, Tag

pytestmark = pytest.mark.django_db


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_demo_files_are_well_formed():
    stories = load_stories()
    assert len(stories) >= 60
    assert len({s["headline"] for s in stories}) == len(stories)
    for story in stories:
        assert story["body"] and story["headline"] and story["tags"]


def test_seed_creates_the_arabic_edition_with_sections_and_stories():
    assert "created 64 stories" in seed()
    edition = Edition.objects.get(code="ar")
    assert edition.is_default and edition.direction == "rtl" and edition.end_marker == "/انتهى/"
    assert Section.objects.filter(edition=edition).count() >= 5
    articles = Article.objects.published()
    assert articles.count() >= 60
    assert articles.filter(news_code__isnull=True).count() == 0
    per_section = dict(articles.values_list("section__slug").annotate(n=Count("id")))
    assert len(per_section) == Section.objects.count()
    assert min(per_section.values()) >= 8
    # Tags are shared between stories, so tag pages list several.
    assert Tag.objects.annotate(n=Count("articles")).filter(n__gte=3).count() >= 10


def test_news_codes_rise_with_publication_time():
    seed()
    codes = list(Article.objects.order_by("published_at", "id").values_list("news_code", flat=True))
    assert codes == sorted(codes)


def test_seed_is_idempotent():
    seed()
    before = dict(Article.objects.values_list("headline", "news_code"))
    times = dict(Article.objects.values_list("headline", "published_at"))
    assert "created 0 stories" in seed()
    assert dict(Article.objects.values_list("headline", "news_code")) == before
    assert dict(Article.objects.values_list("headline", "published_at")) == times
    assert Edition.objects.count() == 1


def test_dry_run_changes_nothing():
    assert "would create 64 stories" in seed("--dry-run")
    assert Article.objects.count() == 0
    assert Edition.objects.count() == 0


def test_demo_site_pages_answer(client):
    seed()
    assert client.get("/ar/").status_code == 200
    for section in Section.objects.all():
        assert client.get(section.get_absolute_url()).status_code == 200
    for article in Article.objects.select_related("edition")[:10]:
        assert client.get(article.get_absolute_url()).status_code == 200


def log_in(client, username, password) -> bool:
    """Through the login page, as a person would (django-axes checks every log-in there)."""
    client.logout()
    response = client.post("/desk/login/", {"username": username, "password": password})
    return response.status_code == 302


def test_demo_comments_and_accounts(client):
    output = seed("--demo-users")
    assert "created 64 stories and 20 comments" in output
    passwords = dict(
        line.removeprefix("Demo account: ").split(" / ")
        for line in output.splitlines()
        if line.startswith("Demo account: ")
    )
    assert set(passwords) == {"reporter", "editor", "moderator"}
    assert log_in(client, "moderator", passwords["moderator"])
    queue = client.get("/desk/comments/").content.decode()
    assert "أرجو نشر رابط الوثيقة الرسمية" in queue
    assert client.get("/desk/").url == "/desk/comments/"  # comments only: sent to the queue
    assert log_in(client, "editor", passwords["editor"])
    assert client.get("/desk/").status_code == 200
    assert client.get("/desk/comments/").status_code == 200
    assert log_in(client, "reporter", passwords["reporter"])
    assert client.get("/desk/stories/new").status_code == 200
    assert client.get("/desk/comments/").status_code == 403
    again = seed("--demo-users")
    assert "and 0 comments" in again
    assert (
        dict(
            line.removeprefix("Demo account: ").split(" / ")
            for line in again.splitlines()
            if line.startswith("Demo account: ")
        )["moderator"]
        != passwords["moderator"]
    )  # a fresh password every run
