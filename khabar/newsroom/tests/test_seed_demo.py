import re
from html import escape
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from khabar.news.demo import load_edition_stories, load_stories
from khabar.news.models import Article, Author, Edition, Section, Tag
from khabar.newsroom.management.commands.seed_demo import EDITIONS
from khabar.reader.queries import FRONT_PAGE_LATEST

pytestmark = pytest.mark.django_db

CODES = [config["code"] for config, _sections, _authors in EDITIONS]
COUNTS = {code: len(load_edition_stories(code)) for code in CODES}
TOTAL = sum(COUNTS.values())
ARABIC_LETTERS_NOT_PERSIAN = re.compile("[\u064a\u0643\u0629]")  # ي ك ة: Persian writes ی ک
ARABIC_SCRIPT = re.compile("[\u0600-\u06ff]")


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def story_text(story: dict) -> str:
    return " ".join([story["headline"], story["lead"], *story["body"], *story["tags"]])


def test_demo_files_are_well_formed():
    stories = load_stories()
    assert len(stories) >= 60
    assert len({s["headline"] for s in stories}) == len(stories)
    for story in stories:
        assert story["body"] and story["headline"] and story["tags"]


@pytest.mark.parametrize("code", ["fa", "en"])
def test_persian_and_english_stories_are_written_for_their_edition(code):
    arabic = {story["key"]: story for story in load_stories()}
    stories = load_edition_stories(code)
    _config, sections, authors = next(e for e in EDITIONS if e[0]["code"] == code)
    translations = [s for s in stories if "translation_of" in s]
    assert len(stories) >= 22 and len(translations) >= 10 and len(stories) - len(translations) >= 10
    assert len({s["key"] for s in stories}) == len({s["headline"] for s in stories}) == len(stories)
    # One story per edition in a translation group: no Arabic story translated twice.
    originals = [s["translation_of"] for s in translations]
    assert len(set(originals)) == len(originals)
    assert set(originals) <= set(arabic)
    assert not set(s["key"] for s in stories) & set(arabic)
    section_keys = {key for key, _name, _description in sections}
    assert {s["section"] for s in stories} == section_keys  # every section has stories
    for story in stories:
        assert story["author"] in {key for key, _name in authors}
        assert 3 <= len(story["body"]) <= 6, story["key"]
        assert story["tags"] and story["source"] and story["lead"]
        if "translation_of" in story:
            assert story["section"] == arabic[story["translation_of"]]["section"]
            assert story["after_minutes"] > 0 and "days_ago" not in story
        else:
            assert story["days_ago"] >= 0 and re.fullmatch(r"\d\d:\d\d", story["time"])
        text = story_text(story)
        if code == "fa":
            assert not ARABIC_LETTERS_NOT_PERSIAN.search(text), story["key"]
            assert "\u200c" in text, story["key"]  # half-spaces: می‌شود, سرمایه‌گذاری
            # The dateline: a city, then the agency.
            assert re.match(r"^[\u0600-\u06ff ]+ - خبر: ", story["body"][0]), story["key"]
        else:
            assert not ARABIC_SCRIPT.search(text), story["key"]
            assert re.match(r"^[A-Z ]+ \(Khabar\) — ", story["body"][0]), story["key"]


def test_seed_creates_the_three_editions_with_sections_and_stories():
    output = seed()
    assert f"created {TOTAL} stories" in output
    assert f"ar {COUNTS['ar']}, fa {COUNTS['fa']}, en {COUNTS['en']}" in output
    assert COUNTS["ar"] == 64 and COUNTS["fa"] >= 22 and COUNTS["en"] >= 22
    arabic, persian, english = (Edition.objects.get(code=code) for code in CODES)
    assert arabic.is_default and arabic.direction == "rtl" and arabic.end_marker == "/انتهى/"
    assert (persian.language, persian.locale, persian.numbering_system, persian.direction) == (
        "fa", "fa_IR", "arabext", "rtl"
    )  # fmt: skip
    assert persian.time_zone == "Asia/Tehran" and persian.end_marker == "/پایان/"
    assert persian.calendar == "persian"
    assert (english.language, english.numbering_system, english.direction) == ("en", "latn", "ltr")
    assert Edition.objects.filter(is_default=True).get() == arabic
    articles = Article.objects.published()
    assert articles.count() == TOTAL
    assert articles.filter(news_code__isnull=True).count() == 0
    for edition in (arabic, persian, english):
        mine = articles.filter(edition=edition)
        assert mine.count() == COUNTS[edition.code]
        per_section = dict(mine.values_list("section__slug").annotate(n=Count("id")))
        assert len(per_section) == Section.objects.filter(edition=edition).count() == 6
        assert min(per_section.values()) >= (8 if edition == arabic else 3)
        # Each edition's stories carry that edition's tags, sections and authors only.
        assert not mine.exclude(section__edition=edition).exists()
        assert not Tag.objects.filter(articles__in=mine).exclude(edition=edition).exists()
    # Tags are shared between stories, so tag pages list several.
    assert Tag.objects.annotate(n=Count("articles")).filter(n__gte=3).count() >= 10
    for edition in (persian, english):
        assert Tag.objects.filter(edition=edition).annotate(n=Count("articles")).filter(
            n__gte=3
        ).count() >= 3  # fmt: skip
    assert Author.objects.get(slug="fa-desk").name == "سرویس فارسی خبر"
    assert Author.objects.filter(slug="hannah-clarke", articles__edition=english).exists()


def test_news_codes_rise_with_publication_time():
    seed()
    codes = list(Article.objects.order_by("published_at", "id").values_list("news_code", flat=True))
    assert codes == sorted(codes)


def demo_pairs() -> list[tuple[Article, Article]]:
    """(Arabic original, translation) as the files pair them, found by headline."""
    arabic = {story["key"]: story["headline"] for story in load_stories()}
    pairs = []
    for code in ("fa", "en"):
        for story in load_edition_stories(code):
            if "translation_of" in story:
                original = Article.objects.get(
                    edition__code="ar", headline=arabic[story["translation_of"]]
                )
                translation = Article.objects.get(edition__code=code, headline=story["headline"])
                pairs.append((original, translation))
    return pairs


def test_translations_go_out_after_their_originals_in_the_same_section():
    # Sections sit in the same order in every edition: the same position is the same section.
    seed()
    pairs = demo_pairs()
    assert len(pairs) >= 20
    for original, translation in pairs:
        assert original.published_at <= translation.published_at
        assert list(Section.objects.filter(pk=original.section_id).values_list("position")) == list(
            Section.objects.filter(pk=translation.section_id).values_list("position")
        )


def test_seed_links_each_translation_to_its_arabic_original():
    from khabar.news.translations import translations_of

    seed()
    for original, translation in demo_pairs():
        assert translation in list(translations_of(original))
        assert original in list(translations_of(translation))


def test_seed_hands_each_new_translation_with_its_original_to_the_linker(monkeypatch):
    from khabar.newsroom.management.commands import seed_demo

    handed = []
    monkeypatch.setattr(seed_demo, "link_demo_translations", lambda pairs: handed.append(pairs))
    seed()
    expected = {(original.pk, translation.pk) for original, translation in demo_pairs()}
    assert {(o.pk, t.pk) for o, t in handed[0]} == expected
    # Once linked, a pair is not handed again; a translation made anew is, with the original
    # found in the database.
    original, translation = demo_pairs()[-1]
    translation.delete()
    seed()
    again = Article.objects.get(edition=translation.edition, headline=translation.headline)
    assert [(o.pk, t.pk) for o, t in handed[1]] == [(original.pk, again.pk)]


def test_seed_reports_the_translations_it_linked():
    output = seed()
    linked = int(re.search(r"translations linked: (\d+)", output).group(1))
    assert linked == len(demo_pairs())
    assert "translations linked: 0" in seed()


def test_seed_is_idempotent():
    seed()
    before = dict(Article.objects.values_list("headline", "news_code"))
    times = dict(Article.objects.values_list("headline", "published_at"))
    assert "created 0 stories" in seed()
    assert dict(Article.objects.values_list("headline", "news_code")) == before
    assert dict(Article.objects.values_list("headline", "published_at")) == times
    assert Edition.objects.count() == 3
    assert Section.objects.count() == 18


def test_a_second_run_adds_only_what_is_missing():
    seed()
    original, translation = demo_pairs()[0]
    own = Article.objects.filter(edition__code="en").exclude(pk=translation.pk).first()
    before = dict(
        Article.objects.exclude(pk__in=[translation.pk, own.pk]).values_list("pk", "news_code")
    )
    kept = Article.objects.filter(pk__in=before)
    Article.objects.filter(pk__in=[translation.pk, own.pk]).delete()
    output = seed()
    assert "created 2 stories" in output
    assert dict(kept.values_list("pk", "news_code")) == before
    again = Article.objects.get(edition=translation.edition, headline=translation.headline)
    assert again.published_at >= original.published_at
    assert Article.objects.filter(edition__code="en", headline=own.headline).exists()


def test_dry_run_changes_nothing():
    assert f"would create {TOTAL} stories" in seed("--dry-run")
    assert Article.objects.count() == 0
    assert Edition.objects.count() == 0


def test_demo_site_pages_answer(client):
    seed()
    assert client.get("/ar/").status_code == 200
    for section in Section.objects.all():
        assert client.get(section.get_absolute_url()).status_code == 200
    for code in CODES:
        for article in Article.objects.filter(edition__code=code).select_related("edition")[:5]:
            assert client.get(article.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("code", ["fa", "en"])
def test_each_edition_front_page_shows_its_own_stories(client, code):
    seed()
    response = client.get(f"/{code}/")
    assert response.status_code == 200
    page = response.content.decode()
    edition = Edition.objects.get(code=code)
    assert f'lang="{edition.language}"' in page and f'dir="{edition.direction}"' in page
    newest = Article.objects.published().filter(edition=edition).order_by("-published_at")
    for article in newest[:FRONT_PAGE_LATEST]:
        assert escape(article.headline) in page
    for section in Section.objects.filter(edition=edition):
        assert escape(section.name) in page
    arabic_headlines = Article.objects.filter(edition__code="ar").values_list("headline", flat=True)
    assert not any(escape(headline) in page for headline in arabic_headlines)
    story = newest.first()
    article_page = client.get(story.get_absolute_url()).content.decode()
    assert edition.end_marker in article_page
    assert escape(story.lead) in article_page


def log_in(client, username, password) -> bool:
    """Through the login page, as a person would (django-axes checks every log-in there)."""
    client.logout()
    response = client.post("/desk/login/", {"username": username, "password": password})
    return response.status_code == 302


def test_demo_comments_and_accounts(client):
    output = seed("--demo-users")
    assert f"created {TOTAL} stories and 20 comments" in output
    # The Arabic threads are on Arabic stories.
    from khabar.comments.models import Comment

    assert set(Comment.objects.values_list("article__edition__code", flat=True)) == {"ar"}
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
