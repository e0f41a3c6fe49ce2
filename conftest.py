"""Shared fixtures: the Arabic edition as the demo sets it up, a story factory, and the
newsroom's personas, each in their role's group. Helpers tests call live in khabar/testing.py."""

import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, User

from khabar.news import actions
from khabar.news.models import Article, Author, Edition, Section, Tag
from khabar.newsroom.roles import ADMINISTRATORS, EDITORS, MODERATORS, REPORTERS

BAGHDAD = ZoneInfo("Asia/Baghdad")


def pytest_configure(config):
    # Tests read the .mo files: build them from the .po files as they are now.
    from asgiref.local import Local
    from django.utils.translation import trans_real

    from khabar.lib.catalogues import compile_catalogues

    compile_catalogues()
    # django.setup() ran before this hook and already read the catalogues (model constraints
    # evaluate a lazy message while the models load): on a fresh checkout there were no .mo
    # files yet, and every Arabic string would stay English for the whole run. Forget what was
    # read, as Django's own test signals do when LOCALE_PATHS changes.
    trans_real._translations = {}
    trans_real._default = None
    trans_real._active = Local()
    # Read them again here, once, in this thread: as before, no test (nor the live server's
    # thread) is the first to read a catalogue.
    from django.conf import settings

    for code, _name in settings.LANGUAGES:
        trans_real.translation(code)


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


# The page cache is off in tests but its own (khabar/pagecache/tests): a page kept by one test
# would be served to the next. Servers that tests start inherit the environment.
os.environ["KHABAR_PAGE_CACHE"] = "off"


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    from khabar.news.surrogate import forget_go_live

    settings.KHABAR_PAGE_CACHE = "off"
    settings.KHABAR_FEED_CACHE_SECONDS = 300  # its default without the embedded page cache
    forget_go_live(None)  # ids are reused after a rollback: no moment from another test


@pytest.fixture(autouse=True)
def _check_fragments(settings):
    # Each memoised part of a page (khabar.reader's edition_fragment) is rendered afresh too and
    # compared: a value its tag forgets to name fails the test that shows it.
    settings.KHABAR_CHECK_FRAGMENTS = True


@pytest.fixture(autouse=True)
def _empty_cache(monkeypatch):
    # The local-memory cache outlives a test; ids are reused after a rollback.
    from django.core.cache import cache

    from khabar.reader import queries

    cache.clear()
    # The edition and its sections, kept by the process from a test's first page on (the cache
    # just emptied makes them read again): a slow machine must not let them expire between
    # two pages whose queries a test counts.
    monkeypatch.setattr(queries, "EDITION_SECONDS_UNSHARED", 3600)
    # Nor repeat an edition-wide purge 2 s later (for other processes' kept navigation): a test
    # that counts hits would see its pages purged at a moment set by the machine's speed.
    from khabar.pagecache import apps as pagecache_apps

    monkeypatch.setattr(pagecache_apps, "EDITION_REPURGE_SECONDS", 0)


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


def person(username, group=None, **fields):
    email = f"{username}@example.org"
    user = User.objects.create_user(username, email, "pass-phrase-123", **fields)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def reporter(db):
    return person("rana", REPORTERS)


@pytest.fixture
def other_reporter(db):
    return person("sami", REPORTERS)


@pytest.fixture
def editor(db):
    return person("omar", EDITORS)


@pytest.fixture
def moderator(db):
    return person("hala", MODERATORS)


@pytest.fixture
def administrator(db):
    return person("adil", ADMINISTRATORS, is_staff=True)


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.org", "pass-phrase-123")


@pytest.fixture
def reader(db):
    """A signed-in account with no role."""
    return person("reader")


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
