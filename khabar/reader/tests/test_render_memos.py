"""What reader pages keep between requests to render faster (the masthead and footer per
edition, the Content-Security-Policy header per policy) follows every change that shows in them,
and a part whose tag forgets a value it reads is caught."""

import pytest
from django.template import Context, Template
from django.test import override_settings

from khabar.news.models import Edition
from khabar.reader import queries

pytestmark = pytest.mark.django_db


def test_renamed_edition_and_section_show_in_the_masthead_and_footer(
    client, make_article, edition, section
):
    make_article("خبر أول")
    html = client.get("/ar/").content.decode()
    assert f">{section.name}</a></li>" in html
    assert edition.name in html[html.index('<footer class="site-footer">') :]

    section.name = "مال وأعمال"
    section.save(update_fields=["name"])
    edition.name = "وكالة الخبر الجديدة"
    edition.save(update_fields=["name"])
    html = client.get("/ar/").content.decode()
    assert '<a href="/ar/section/اقتصاد/">مال وأعمال</a>' in html
    masthead = html[html.index('<header class="masthead">') : html.index("</header>")]
    footer = html[html.index('<footer class="site-footer">') :]
    assert "وكالة الخبر الجديدة" in masthead
    assert "وكالة الخبر الجديدة" in footer


def test_current_section_marked_only_on_its_own_page(client, make_article, other_section):
    make_article("خبر اقتصادي")
    make_article("خبر رياضي", section=other_section)
    economy = client.get("/ar/section/اقتصاد/").content.decode()
    sport = client.get("/ar/section/رياضة/").content.decode()
    front = client.get("/ar/").content.decode()
    assert '<a href="/ar/section/اقتصاد/" aria-current="page">' in economy
    assert '<a href="/ar/section/رياضة/" aria-current="page">' in sport
    assert 'aria-current="page"' not in sport.replace(
        '<a href="/ar/section/رياضة/" aria-current="page">', ""
    )
    assert 'aria-current="page"' not in front


def test_the_same_edition_object_reuses_its_parts(edition, section):
    kept, sections = queries.edition_and_sections("ar")
    template = Template(
        '{% load reader %}{% edition_fragment "part" nav_sections %}'
        "{% for s in nav_sections %}{{ s.name }}{% endfor %}{% end_edition_fragment %}"
    )
    context = {"edition": kept, "nav_sections": sections}
    with override_settings(KHABAR_CHECK_FRAGMENTS=False):
        first = template.render(Context(context))
        section.name = "تغيير لم يُحفظ"  # another object: the kept one is not touched
        assert template.render(Context(context)) == first
    assert first == sections[0].name
    assert kept._reader_fragments  # the memo hangs on the edition kept by this process


def test_a_value_the_tag_does_not_name_fails_in_tests(edition):
    kept = Edition.objects.get(code="ar")
    template = Template(
        '{% load reader %}{% edition_fragment "part" %}{{ headline }}{% end_edition_fragment %}'
    )
    template.render(Context({"edition": kept, "headline": "الأول"}))
    with pytest.raises(AssertionError, match="reads something its tag does not name"):
        template.render(Context({"edition": kept, "headline": "الثاني"}))


def test_a_named_value_renders_each_variant(edition):
    kept = Edition.objects.get(code="ar")
    template = Template(
        '{% load reader %}{% edition_fragment "part" headline %}{{ headline }}'
        "{% end_edition_fragment %}"
    )
    for _round in range(2):
        for headline in ["الأول", "الثاني", 1000, 1000]:
            assert template.render(Context({"edition": kept, "headline": headline})) == str(
                headline
            )


def test_csp_header_follows_the_settings(client, make_article, settings):
    make_article("خبر")
    first = client.get("/ar/")["Content-Security-Policy"]
    assert "default-src 'self'" in first
    assert client.get("/ar/")["Content-Security-Policy"] == first
    settings.KHABAR_IMAGE_HOSTS = ["images.example.org"]
    with_hosts = client.get("/ar/")["Content-Security-Policy"]
    assert "images.example.org" in with_hosts
    policy = {**settings.CONTENT_SECURITY_POLICY}
    policy["DIRECTIVES"] = {**policy["DIRECTIVES"], "media-src": ["media.example.org"]}
    settings.CONTENT_SECURITY_POLICY = policy
    changed = client.get("/ar/")["Content-Security-Policy"]
    assert "media-src media.example.org" in changed
    assert "images.example.org" in changed


def test_front_page_rows_take_the_kept_edition_and_sections(
    make_article, other_section, monkeypatch, django_assert_num_queries
):
    edition, sections = queries.edition_and_sections("ar")
    make_article("خبر اقتصادي")
    make_article("خبر رياضي", section=other_section)
    # A section another process created a moment ago, not yet among those this one keeps.
    known = [s for s in sections if s.pk != other_section.pk]
    monkeypatch.setattr(queries, "edition_and_sections", lambda code: (edition, known))
    with django_assert_num_queries(3):  # the two compiled queries, and the unknown section
        latest, by_section = queries.front_page(edition)
    assert [a.headline for a in latest] == ["خبر رياضي", "خبر اقتصادي"]
    assert all(a.edition is edition for a in latest)
    assert latest[1].section is known[0]
    assert (latest[0].section.name, latest[0].section.edition.code) == ("رياضة", "ar")
    assert [(s.name, [a.headline for a in stories]) for s, stories in by_section] == [
        ("اقتصاد", ["خبر اقتصادي"]),
        ("رياضة", ["خبر رياضي"]),
    ]
