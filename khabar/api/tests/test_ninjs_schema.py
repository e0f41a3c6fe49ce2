"""Every demo story, published, corrected, taken down, embargoed and with a picture, is a valid
ninjs 2.2 and 3.1 item under IPTC's own JSON Schemas (../shared/schemas/ninjs), with its
formats (uri, date-time) checked too."""

import json
import re
from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker

from khabar.api import ninjs
from khabar.api.items import ITEM_QUERY
from khabar.news import actions as news_actions
from khabar.news.demo import count_all_stories
from khabar.news.models import Article
from khabar.newsroom import actions

pytestmark = pytest.mark.django_db

# Beside the repository in CI; a worktree sits one level deeper (/work/wt/<name>).
SCHEMAS = next(
    (found for found in (base / "shared" / "schemas" / "ninjs" for base in
                         (settings.BASE_DIR.parent, settings.BASE_DIR.parent.parent))
     if found.exists()),
    settings.BASE_DIR.parent / "shared" / "schemas" / "ninjs",
)  # fmt: skip

# jsonschema checks "uri" and "date-time" only with optional packages installed; these are
# the RFC 3986 and RFC 3339 shapes, strict enough to refuse a relative or an Arabic address.
formats = FormatChecker([])


@formats.checks("uri")
def is_uri(value):
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[!#$%&'()*+,/:;=?@\[\]\w.~-]+", value,
                             re.ASCII))  # fmt: skip


@formats.checks("date-time")
def is_date_time(value):
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value):
        return False
    return datetime.fromisoformat(value) is not None


def validator(version):
    schema = json.loads((SCHEMAS / f"ninjs-schema_{version}.json").read_text())
    return Draft202012Validator(schema, format_checker=formats)


def errors(version, data):
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator(version).iter_errors(data)]  # fmt: skip


def test_the_format_checks_refuse_what_they_should():
    assert not is_uri("/media/a.jpg") and not is_uri("http://x/صورة") and is_uri("urn:a:b:1")
    assert not is_date_time("2026-01-31 09:00") and is_date_time("2026-01-31T09:00:00Z")
    assert errors("2.2", {"uri": "/relative"}) and errors("3.1", {"uri": "urn:x", "pubstatus": 1})


@pytest.fixture
def demo(editor):
    call_command("seed_demo", stdout=StringIO())
    stories = list(Article.objects.order_by("news_code"))
    assert len(stories) == count_all_stories()
    corrected, unpublished, embargoed, pictured = stories[:4]
    headline = corrected.headline + " (مصحح)"
    actions.do_correct(editor, corrected, kind="correction", note="صُحّح اسم الوزارة.",
                       base_revision=corrected.revision, headline=headline)  # fmt: skip
    actions.do_unpublish_with_reason(editor, unpublished, "طلب قانوني")
    news_actions.do_publish(embargoed, at=timezone.now() + timedelta(hours=2),
                            embargo_until=timezone.now() + timedelta(hours=2))  # fmt: skip
    pictured.body += '<figure><img src="/media/photos/سد.jpg" alt="سد الموصل"></figure>'
    pictured.save()
    return {"corrected": corrected.pk, "unpublished": unpublished.pk, "embargoed": embargoed.pk,
            "pictured": pictured.pk}  # fmt: skip


@pytest.mark.parametrize("version", ["2.2", "3.1"])
def test_every_demo_story_is_valid_ninjs(demo, version):
    found = {}
    for article in ITEM_QUERY.all():
        data = ninjs.item(article, version, base_url="https://khabar.example/")
        assert errors(version, data) == [], article.headline
        found[article.pk] = data
    assert len(found) == count_all_stories()
    camel = version == "3.1"
    corrected = found[demo["corrected"]]
    assert corrected["version"] == "2"
    assert corrected["edNote" if camel else "ednote"].endswith("صُحّح اسم الوزارة.")
    assert corrected["headlines"][0]["value"].endswith("(مصحح)")
    assert found[demo["unpublished"]]["pubStatus" if camel else "pubstatus"] == "canceled"
    assert "bodies" not in found[demo["unpublished"]]
    assert ("embargoedUntil" if camel else "embargoed") in found[demo["embargoed"]]
    picture = found[demo["pictured"]]["associations"][0]
    href = "https://khabar.example/media/photos/%D8%B3%D8%AF.jpg"
    assert picture["uri"] == href and picture["type"] == "picture"
    assert picture["renditions"][0]["contentType" if camel else "contenttype"] == "image/jpeg"
    assert f'src="{href}"' in found[demo["pictured"]]["bodies"][0]["value"]


def test_a_story_in_ninjs_2_2(reference_article, editor):
    data = ninjs.item(ITEM_QUERY.get(pk=reference_article.pk))
    assert data["uri"] == f"urn:khabar:news:{reference_article.news_code}"
    assert data["version"] == "1" and data["pubstatus"] == "usable" and data["language"] == "ar"
    assert data["firstcreated"] == data["versioncreated"] == "2024-01-26T18:27:00Z"
    assert data["headlines"] == [{"role": "main", "value": reference_article.headline}]
    assert data["by"] == "ليلى حسن" and data["people"][0]["name"] == "ليلى حسن"
    assert [s["name"] for s in data["subjects"]] == ["اقتصاد", "البصرة", "المياه"]
    assert data["copyrightholder"] == "خبر"
    assert data["usageterms"] and "embargoed" not in data and "/انتهى/" not in str(data)
    assert data["bodies"][0]["contenttype"] == "text/html"
    assert data["descriptions"][0]["value"] == reference_article.lead


def test_the_sites_own_links_and_images_are_made_absolute(make_article):
    article = make_article(body='<p>انظر <a href="/ar/news/5">الخبر</a> و'
                                '<a href="https://other.example/x">هذا</a>.</p>'
                                '<figure><img src="/media/a.png" alt="صورة"></figure>')  # fmt: skip
    data = ninjs.item(ITEM_QUERY.get(pk=article.pk), base_url="https://khabar.example")
    body = data["bodies"][0]["value"]
    assert 'href="https://khabar.example/ar/news/5"' in body
    assert 'href="https://other.example/x"' in body
    assert 'src="https://khabar.example/media/a.png"' in body
    assert data["associations"][0]["renditions"][0]["contenttype"] == "image/png"


def test_the_place_is_read_from_the_dateline(make_article):
    article = make_article(body="<p>البصرة - خبر: افتتح اليوم ميناء جديد.</p>")
    assert ninjs.item(ITEM_QUERY.get(pk=article.pk))["located"] == "البصرة"
    plain = make_article("خبر بلا مكان", body="<p>افتتح اليوم ميناء جديد: في الجنوب.</p>")
    assert "located" not in ninjs.item(ITEM_QUERY.get(pk=plain.pk))


def test_usage_terms_and_copyright_come_from_settings(reference_article, settings):
    settings.KHABAR_USAGE_TERMS = "Licensed partners only."
    settings.KHABAR_COPYRIGHT_HOLDER = "Khabar Agency"
    settings.KHABAR_NINJS_URI_PREFIX = "urn:newsml:khabar.example:"
    data = ninjs.item(ITEM_QUERY.get(pk=reference_article.pk), "3.1")
    assert data["usageTerms"] == "Licensed partners only."
    assert data["copyrightHolder"] == "Khabar Agency"
    assert data["uri"] == f"urn:newsml:khabar.example:{reference_article.news_code}"
