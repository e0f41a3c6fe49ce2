import re
from datetime import date

from django.utils.translation import gettext as _

from khabar.news.models import Section
from khabar.reader.views import _render, edition_page
from khabar.search.backends import BadQuery
from khabar.search.service import highlight, search, snippet


def _date(value: str):
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@edition_page
def search_page(request, edition):
    text = request.GET.get("q", "")
    sections = list(Section.objects.filter(edition=edition))
    section = next((s for s in sections if str(s.pk) == request.GET.get("section")), None)
    sort = "date" if request.GET.get("sort") == "date" else "relevance"
    raw_page = request.GET.get("page", "1")
    page = int(raw_page) if re.fullmatch(r"[1-9][0-9]{0,4}", raw_page) else 1
    context = {
        "q": text[:300],
        "sections": sections,
        "section": section,
        "sort": sort,
        "date_from": request.GET.get("from", "")[:10],
        "date_to": request.GET.get("to", "")[:10],
    }
    if text.strip():
        try:
            results = search(
                edition, text, section=section, date_from=_date(context["date_from"]),
                date_to=_date(context["date_to"]), sort=sort, page=page,
            )  # fmt: skip
        except BadQuery as error:
            context["message"] = (
                _("The search is too long: use a few words.")
                if error.args[0] == "too-long"
                else _("Type one or more words to search for.")
            )
        else:
            context["results"] = results
            language = edition.language
            context["items"] = [
                (a, highlight(a.headline, results.query, language), snippet(a, results.query))
                for a in results.page.object_list
            ]
    return _render(request, edition, "search/search.html", context)
