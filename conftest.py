"""Shared fixtures: the Arabic edition as the demo sets it up, and a story factory."""

import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from khabar.news import actions
from khabar.news.models import Article, Author, Edition, Section, Tag

BAGHDAD = ZoneInfo("Asia/Baghdad")


def pytest_configure(config):
    # Tests read the .mo files: build them from the .po files as they are now.
    from khabar.lib.catalogues import compile_catalogues

    compile_catalogues()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # PBKDF2 costs about 0.37 s per user created and most tests create two to four personas;
    # tests check who may do what, not how passwords are stored. Production keeps its hashers.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    # The hashed-name storage needs collectstatic; tests render {% static %} without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    # The local-memory cache outlives a test; ids are reused after a rollback.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def edition(db):
    return Edition.objects.create(
        code="ar",
        name="خبر",
        tagline="وكالة أنباء",
        language="ar",
        locale="ar_IQ",
        numbering_system="arab",
        direction="rtl",
        end_marker="/انتهى/",
        time_zone="Asia/Baghdad",
        datetime_pattern="dd/MM/y، h:mm a",
        is_default=True,
    )


@pytest.fixture
def section(edition):
    return Section.objects.create(edition=edition, name="اقتصاد", slug="اقتصاد", position=1)


@pytest.fixture
def other_section(edition):
    return Section.objects.create(edition=edition, name="رياضة", slug="رياضة", position=2)


@pytest.fixture
def author(db):
    return Author.objects.create(name="ليلى حسن", slug="layla")


@pytest.fixture
def make_article(edition, section):
    """make_article(headline=..., publish=True, at=datetime, tags=[...]) -> Article."""

    def make(headline="وزارة الزراعة تعلن موسماً جديداً", *, publish=True, at=None, tags=(),
             body="<p>الفقرة الأولى من الخبر.</p><p>الفقرة الثانية.</p>", **fields):  # fmt: skip
        fields.setdefault("section", section)
        article = Article.objects.create(edition=edition, headline=headline, body=body, **fields)
        if tags:
            article.tags.set(
                [Tag.objects.get_or_create(edition=edition, name=name)[0] for name in tags]
            )
        if publish:
            actions.do_publish(article, at=at)
        return article

    return make


@pytest.fixture
def reference_article(make_article, author):
    """The reference page's story: published 26 January 2024 at 21:27 Baghdad time."""
    article = make_article(
        "مجلس المحافظة يقر خطة لتأهيل شبكات المياه",
        at=datetime(2024, 1, 26, 21, 27, tzinfo=BAGHDAD),
        tags=["المياه", "البصرة"],
        lead="أقر مجلس المحافظة خطة من ثلاث مراحل لتأهيل شبكات المياه في الأحياء القديمة.",
        source="وكالة خبر",
    )
    article.authors.set([author])
    return article


CHROMIUM = os.environ.get("KHABAR_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright. Skipped where Chromium is not installed, unless
    KHABAR_REQUIRE_BROWSER=1 (CI), where its absence is a failure."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("KHABAR_REQUIRE_BROWSER") == "1":
            pytest.fail(
                f"Chromium is required (KHABAR_REQUIRE_BROWSER=1) but {CHROMIUM} is missing"
            )
        pytest.skip(f"no Chromium at {CHROMIUM}")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself are still synchronous and safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        yield browser
        browser.close()


@pytest.fixture
def screenshot_dir():
    path = Path(__file__).resolve().parent / "test-output" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def axe_violations(page):
    """axe-core's violations on the page as it is now, at every impact: a list of
    "rule-id (impact): target, target" strings, empty when the page passes."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): " + ", ".join(str(n["target"]) for n in v["nodes"][:5])
        for v in results.response["violations"]
    ]


def overflow(page):
    """How many CSS pixels the document is wider than the viewport (0 when it fits): a page
    that scrolls sideways on a phone makes taps land on the wrong element."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


PHONE_WIDTHS = (320, 390, 412)
