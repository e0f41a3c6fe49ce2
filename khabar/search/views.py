import re
from datetime import date
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef

from khabar.news.models import Article, Section, Tag
from khabar.reader.pages import edition_page, render_page
from khabar.search.backends import BadQuery
from khabar.search.service import bad_query_message, highlight, search, snippet

_SURROGATE = re.compile("[\ud800-\udfff]")  # no UTF-8 for them, so no link either
TAG_CHOICES = 300  # the select lists this many tags; ?tag=<slug> reaches any of them


def _date(value: str):
    """A date typed in the filter (a day in the edition's time zone), or None. Years outside
    1900-2199 are ignored: at the ends of the calendar, a day's bounds overflow."""
    if not re.fullmatch(r"(19|2[01])[0-9]{2}-[0-9]{2}-[0-9]{2}", value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _tags(edition, selected_slug: str):
    """The edition's tags that published stories carry, by name; the one asked for by slug."""
    # Tag by tag, whether one published story carries it (an index lookup that stops at the
    # first), not a pass over every story's tags.
    used = Tag.objects.filter(edition=edition).filter(
        Exists(Article.objects.published().filter(tags=OuterRef("pk")))
    )
    tags = list(used[:TAG_CHOICES])
    selected = next((t for t in tags if t.slug == selected_slug), None)
    if selected is None and re.fullmatch(r"[-\w]{1,100}", selected_slug):
        selected = used.filter(slug=selected_slug).first()
        if selected is not None:
            tags = sorted([*tags, selected], key=lambda t: t.name)
    return tags, selected


@edition_page
def search_page(request, edition):
    text = request.GET.get("q", "")
    sections = list(Section.objects.filter(edition=edition))
    section = next((s for s in sections if str(s.pk) == request.GET.get("section")), None)
    tags, tag = _tags(edition, request.GET.get("tag", ""))
    sort = "date" if request.GET.get("sort") == "date" else "relevance"
    raw_page = request.GET.get("page", "1")
    page = int(raw_page) if re.fullmatch(r"[1-9][0-9]{0,4}", raw_page) else 1
    date_from, date_to = _date(request.GET.get("from", "")), _date(request.GET.get("to", ""))
    # The filters as understood, for the form and the page links; values we could not read
    # are dropped rather than carried from page to page.
    filters = {
        "q": _SURROGATE.sub("", text)[:300],
        "section": section.pk if section else "",
        "tag": tag.slug if tag else "",
        "from": date_from.isoformat() if date_from else "",
        "to": date_to.isoformat() if date_to else "",
        "sort": sort,
    }
    context = {
        "q": filters["q"],
        "sections": sections,
        "section": section,
        "tags": tags,
        "tag": tag,
        "sort": sort,
        "date_from": filters["from"],
        "date_to": filters["to"],
        "filters": urlencode({k: v for k, v in filters.items() if v}),
    }
    if text.strip():
        try:
            results = search(
                edition, text, section=section, tag=tag, date_from=date_from, date_to=date_to,
                sort=sort, page=page,
            )  # fmt: skip
        except BadQuery as error:
            context["message"] = bad_query_message(error)
        else:
            context["results"] = results
            language = edition.language
            context["items"] = [
                (a, highlight(a.headline, results.query, language), snippet(a, results.query))
                for a in results.page.object_list
            ]
    return render_page(request, edition, "search/search.html", context)
