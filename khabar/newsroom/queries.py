"""The desk's reads: which stories a person sees and in which lists, who else has a story open,
and one story fetched for a person and what they want to do with it.

Nothing here writes (writes are khabar.newsroom.actions); the views call these and render.
"""

import re
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from khabar.lib.dates import localize_digits
from khabar.news.models import Article, Edition, Section
from khabar.newsroom import actions
from khabar.newsroom.models import EditSession
from khabar.newsroom.roles import EditionRefused, can, covers, desk_editions, refusal
from khabar.search.backends import BadQuery
from khabar.search.service import bad_query_message, desk_matches

DESK_PAGE_SIZE = 25


def may_read(user, article) -> bool:
    """Who may open a story in the newsroom: those who may edit it, its own reporter, and the
    editors of its edition. Everyone else gets a bare refusal, without a word of the story."""
    return (
        can(user, "edit", article)
        or article.created_by_id == user.pk
        or can(user, "send_back", article)
    )


def _refused(user, action: str, article) -> Exception:
    """The refusal to open `article`: one that names the person's editions when their role
    would allow it in another edition, otherwise a bare one."""
    if action == "read":
        if not covers(user, article.edition_id) and can(user, "send_back"):
            return refusal(user, "send_back", article)
        return PermissionDenied()
    error = refusal(user, action, article)
    return error if isinstance(error, EditionRefused) else PermissionDenied()


def story_for(user, pk, action: str | None, stories=None) -> Article:
    """The story `pk` for `user` about to do `action`: Http404 when there is none,
    PermissionDenied when they may not. `action` is "read" (may_read: reporters may read a
    story of theirs they can no longer change), any action of roles.can, or None for the views
    whose verb checks the person itself and answers in its own way (autosave's JSON)."""
    if stories is None:
        stories = Article.objects.select_related("edition", "section")
    article = get_object_or_404(stories, pk=pk)
    if action == "read":
        allowed = may_read(user, article)
    else:
        allowed = action is None or can(user, action, article)
    if not allowed:
        raise _refused(user, action, article)
    return article


def default_tab(user) -> str:
    """Editors open the desk on what waits for them; reporters on their own drafts."""
    return "review" if can(user, "send_back") else "mine"


def tab_filters(user, now) -> dict[str, Q]:
    """Which stories each desk list holds, as conditions (the lists and their counts share
    them)."""
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        "mine": Q(created_by=user, status=Article.Status.DRAFT),
        "review": Q(status=Article.Status.SUBMITTED),
        "upcoming": Q(status=Article.Status.PUBLISHED)
        & (Q(published_at__gt=now) | Q(embargo_until__gt=now)),
        "today": Q(pk__in=Article.objects.published(now).filter(published_at__gte=start)),
        "all": Q(),
    }


def visible_stories(user):
    stories = Article.objects.all()
    editions = desk_editions(user)
    if editions is not None:
        # The desk of a person whose roles apply in some editions lists those editions only.
        stories = stories.filter(edition_id__in=editions)
    if not can(user, "send_back"):
        # Reporters see their own stories and what is public, not colleagues' drafts or
        # embargoed work.
        stories = stories.filter(Q(created_by=user) | Q(pk__in=Article.objects.published()))
    return stories


def tab_counts(user) -> dict[str, int]:
    """How many stories each desk list holds, in one query."""
    filters = tab_filters(user, timezone.now())
    return visible_stories(user).aggregate(
        **{tab: Count("pk", filter=condition or None) for tab, condition in filters.items()}
    )


def desk_queryset(user, tab: str, params):
    stories = visible_stories(user).select_related("section", "edition", "created_by")
    stories = stories.filter(tab_filters(user, timezone.now())[tab])
    if params.get("edition"):
        stories = stories.filter(edition__code=params["edition"][:10])
    if re.fullmatch(r"[0-9]{1,12}", params.get("section", "")):
        stories = stories.filter(section_id=int(params["section"]))
    if re.fullmatch(r"[0-9]{1,12}", params.get("author", "")):
        stories = stories.filter(created_by_id=int(params["author"]))
    if params.get("status") in Article.Status.values:
        stories = stories.filter(status=params["status"])
    order = ["published_at", "id"] if tab == "upcoming" else ["-updated_at", "-id"]
    return stories.order_by(*order)


def desk_page(user, tab: str, params):
    """One page of a desk list, searched with `q` through the site's search (the same analyzer
    and index as the reader page), and the message about a query that cannot be searched.

    With a search the list is in order of relevance, unless `order=time` asks for the list's
    own order."""
    stories = desk_queryset(user, tab, params)
    text = params.get("q", "")
    number = params.get("page")
    if not text.strip():
        return Paginator(stories, DESK_PAGE_SIZE).get_page(number), ""
    try:
        ids = desk_matches(stories, text)
    except BadQuery as error:
        return Paginator([], DESK_PAGE_SIZE).get_page(1), bad_query_message(error)
    if params.get("order") == "time":
        return Paginator(stories.filter(pk__in=ids), DESK_PAGE_SIZE).get_page(number), ""
    page = Paginator(ids, DESK_PAGE_SIZE).get_page(number)
    found = stories.in_bulk(page.object_list)
    page.object_list = [found[i] for i in page.object_list if i in found]
    return page, ""


def desk_edition_list(user):
    """The editions the person works in, for the desk's filter and the new story's picker."""
    editions = desk_editions(user)
    found = Edition.objects.all()
    return found if editions is None else found.filter(pk__in=editions)


def desk_sections(user):
    """The sections of the person's editions, each with its edition, grouped by edition (the
    same name, "Politics", is a section of each edition)."""
    sections = Section.objects.select_related("edition").order_by(
        "-edition__is_default", "edition__code", "position", "name"
    )
    editions = desk_editions(user)
    return sections if editions is None else sections.filter(edition_id__in=editions)


def story_authors():
    """The people who created a story: the desk's author filter."""
    return get_user_model().objects.filter(
        pk__in=Article.objects.exclude(created_by=None).values("created_by")
    )


def edition_time(moment, edition, pattern: str) -> str:
    """A moment as the edition writes times: its time zone and its digits."""
    local = moment.astimezone(ZoneInfo(edition.time_zone))
    return localize_digits(local.strftime(pattern), edition.numbering_system)


def editors_now(article, user):
    """Who else has the story open, each with the time they started, written as the edition
    writes times (its time zone and digits)."""
    since = timezone.now() - actions.EDITING_WINDOW
    sessions = list(
        EditSession.objects.filter(article=article, last_seen__gte=since)
        .exclude(user=user)
        .select_related("user")
        .order_by("started_at")
    )
    for session in sessions:
        session.name = session.user.get_full_name() or session.user.get_username()
        session.since = edition_time(session.started_at, article.edition, "%H:%M")
    return sessions


def revisions(article) -> list:
    """The story's revisions, newest first, each with its author."""
    return list(article.revisions.select_related("author"))


def audit_entries(article, limit: int = 50):
    """The latest entries of the story's audit log, each with who acted."""
    return article.audit_entries.select_related("actor")[:limit]
