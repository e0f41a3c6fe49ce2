"""The newsroom: desk lists, the story editor with its workflow buttons, history and preview.

Views only translate HTTP into calls of khabar.newsroom.actions; who may do what is decided there
(through khabar.newsroom.roles.can), so a forged POST meets the same rules as a button.
"""

import re
from contextlib import suppress
from zoneinfo import ZoneInfo

from babel.dates import get_timezone_location
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from khabar.lib.dates import localize_digits
from khabar.news.models import Article, Edition, Section, Tag
from khabar.newsroom import actions, diff
from khabar.newsroom.forms import CorrectionForm, StoryForm, TimeForm
from khabar.newsroom.models import Autosave, EditSession, Revision
from khabar.newsroom.roles import can, landing_url
from khabar.newsroom.templatetags.newsroom import interface_numbering
from khabar.reader import meta, queries
from khabar.reader.pages import absolute_url, nav_sections
from khabar.search.backends import BadQuery
from khabar.search.service import bad_query_message, desk_matches

DESK_PAGE_SIZE = 25


def _desk_user(view):
    @login_required
    def wrapper(request, *args, **kwargs):
        if not can(request.user, "desk"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


class Login(auth_views.LoginView):
    """The newsroom's log-in. Without a safe `next`, each role lands where it works
    (roles.landing_url): moderators on the queue, not on a desk they may not open."""

    template_name = "newsroom/login.html"

    def get_default_redirect_url(self):
        return landing_url(self.request.user)


# Lazy: the labels are read per request, in the language of that request.
TABS = [
    ("mine", gettext_lazy("My drafts")),
    ("review", gettext_lazy("Awaiting review")),
    ("upcoming", gettext_lazy("Scheduled and embargoed")),
    ("today", gettext_lazy("Published today")),
    ("all", gettext_lazy("All stories")),
]


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


@login_required
def desk(request):
    user = request.user
    if not can(user, "desk"):
        # Moderators and administrators are sent where they work; someone with no role is
        # told so here, with the top bar to log out, rather than on a page linking back here.
        landing = landing_url(user)
        if landing != request.path:
            return redirect(landing)
        return render(request, "newsroom/no_role.html", status=403)
    tab = request.GET.get("tab", "")
    if tab not in dict(TABS):
        tab = default_tab(user)
    page, message = desk_page(user, tab, request.GET)
    counts = tab_counts(user)
    from django.contrib.auth import get_user_model

    authors = get_user_model().objects.filter(
        pk__in=Article.objects.exclude(created_by=None).values("created_by")
    )
    query = request.GET.copy()
    query.pop("page", None)
    query["tab"] = tab
    tabs = [(key, label, counts[key]) for key, label in TABS]
    return render(
        request,
        "newsroom/desk.html",
        {
            "tabs": tabs, "tab": tab, "page": page, "sections": Section.objects.all(),
            "authors": authors, "statuses": Article.Status.choices, "params": request.GET,
            "query": query.urlencode(), "can_create": can(user, "create"),
            "message": message,
        },
    )  # fmt: skip


def may_read(user, article) -> bool:
    """Who may open a story in the newsroom: those who may edit it, its own reporter, and the
    editors. Everyone else gets a bare refusal, without a word of the story."""
    return (
        can(user, "edit", article)
        or article.created_by_id == user.pk
        or can(user, "send_back", article)
    )


def _param(value: str, limit: int = 200) -> str:
    """A text parameter as the database can take it (PostgreSQL refuses NUL)."""
    return value.replace("\x00", "").strip()[:limit]


def _edition(request) -> Edition:
    code = _param(request.GET.get("edition") or request.POST.get("edition") or "", 10)
    editions = Edition.objects.all()
    return (code and editions.filter(code=code).first()) or editions.first()


@_desk_user
@require_http_methods(["GET", "POST"])
def new_story(request):
    if not can(request.user, "create"):
        raise PermissionDenied
    edition = _edition(request)
    form = StoryForm(
        request.POST or None,
        edition=edition,
        can_create_tags=can(request.user, "create_tag"),
        initial={"base_revision": 0},
    )
    if request.method == "POST" and form.is_valid():
        try:
            # New tags are made by story_fields(): in the same transaction as the story.
            with transaction.atomic():
                article = actions.do_create(request.user, edition=edition,
                                            **form.story_fields())  # fmt: skip
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The story is saved."))
            return redirect("newsroom_edit", pk=article.pk)
    return render(
        request, "newsroom/edit.html", _editor_context(request, None, form, edition=edition)
    )


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _editors_now(article, user):
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
        session.since = _edition_time(session.started_at, article.edition, "%H:%M")
    return sessions


def _edition_time(moment, edition, pattern: str) -> str:
    local = moment.astimezone(ZoneInfo(edition.time_zone))
    return localize_digits(local.strftime(pattern), edition.numbering_system)


def _editor_context(request, article, form, *, edition, conflict=None, extra=None):
    user = request.user
    context = {
        "article": article,
        "form": form,
        "edition": edition,
        "time_form": TimeForm(request.POST or None),
        "correction_form": CorrectionForm(request.POST or None),
        "conflict": conflict,
        "tag_names": Tag.objects.filter(edition=edition).values_list("name", flat=True)[:500],
        # editor.js writes counts and times in the edition's digits.
        "digits": localize_digits("0123456789", edition.numbering_system),
        # The schedule field's zone, named in the interface language (CLDR: «توقيت العراق»).
        "zone_name": get_timezone_location(edition.time_zone, locale=translation.get_language()),
        # Saving a live story changes what readers see at once: the editor says so.
        "saving_publishes": article is not None and article.desk_state == "published",
        "can": {
            action: can(user, action, article)
            for action in ("edit", "submit", "send_back", "publish", "correct", "restore")
        },
    }
    if article is not None:
        context["editors_now"] = _editors_now(article, user)
        # Autosaves are kept only when they differ from the story (see do_autosave): offer it,
        # with the revision it was based on, so that saving it meets the conflict check.
        autosave = Autosave.objects.filter(article=article, user=user).first()
        if autosave:
            context["autosave"] = autosave
            context["autosave_time"] = _edition_time(autosave.saved_at, edition, "%H:%M")
            context["autosave_data"] = {
                "headline": autosave.headline, "lead": autosave.lead, "body": autosave.body,
                "base_revision": autosave.base_revision,
            }  # fmt: skip
        context["corrections"] = article.corrections.all()[:20]
        context["revision_count"] = article.revisions.count()
    context.update(extra or {})
    return context


@_desk_user
@require_http_methods(["GET", "POST"])
def edit_story(request, pk):
    article = get_object_or_404(Article.objects.select_related("edition", "section"), pk=pk)
    # Reporters may read a story of theirs they can no longer change (submitted, published).
    if not may_read(request.user, article):
        raise PermissionDenied
    edition = article.edition
    if request.method == "GET":
        form = StoryForm(
            initial=StoryForm.initial_for(article),
            edition=edition,
            can_create_tags=can(request.user, "create_tag"),
        )
        if can(request.user, "edit", article):
            actions.touch_edit_session(article, request.user)
        return render(request, "newsroom/edit.html", _editor_context(request, article, form,
                                                                    edition=edition))  # fmt: skip
    return _act(request, article)


def _act(request, article):
    """Run the button that was pressed. Text changes are saved first, in the same transaction,
    so "save and publish" either does both or neither."""
    action = request.POST.get("action", "save")
    user = request.user
    edition = article.edition
    form = StoryForm(request.POST, edition=edition, can_create_tags=can(user, "create_tag"))
    with timezone.override(ZoneInfo(edition.time_zone)):
        # A time typed in the newsroom is the edition's local time.
        time_form = TimeForm(request.POST)
        time_form.is_valid()
    correction_form = CorrectionForm(request.POST)
    status = 400
    conflict = None
    text_actions = {"save", "submit", "publish", "schedule", "embargo", "correct"}
    try:
        if action in text_actions and not form.is_valid():
            raise ValidationError(_("The story was not saved. Please correct what is marked."))
        correction_form.is_valid()
        with transaction.atomic():
            if action == "correct":
                data = correction_form.cleaned_data
                article = actions.do_correct(
                    user, article, kind=data.get("kind", ""), note=data.get("note", ""),
                    base_revision=form.cleaned_data["base_revision"], **form.story_fields(),
                )  # fmt: skip
                message = _("The correction is published.")
            else:
                if action in text_actions:
                    base = form.cleaned_data["base_revision"]
                    if base != article.revision or _changed(article, form):
                        # do_save refuses, with PermissionDenied, whoever may not edit.
                        article = actions.do_save(user, article, base_revision=base,
                                                  **form.story_fields())  # fmt: skip
                    elif action == "save":
                        actions.check(user, "edit", article)  # nothing changed: no revision
                message = _run(action, user, article, request.POST, time_form)
        messages.success(request, message)
        return redirect("newsroom_edit", pk=article.pk)
    except actions.Conflict as stale:
        conflict = stale.current
        status = 409
        # Having seen the differences, the next save is made knowingly over this revision.
        form.data = form.data.copy()
        form.data["base_revision"] = conflict.revision
        messages.error(
            request,
            _("Someone saved this story after you opened it. Your text is below, nothing was "
              "overwritten: compare, then save again."),
        )  # fmt: skip
    except ValidationError as error:
        if form.is_valid():  # the refusal came from an action, not from the form itself
            _form_errors(form, error)
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        messages.error(request, _("You are not allowed to do this."))
        status = 403
    article.refresh_from_db()
    extra = {}
    if conflict is not None and form.is_valid():
        mine = type("Draft", (), form.cleaned_data)
        extra["conflict_rows"] = diff.compare(conflict, mine)
    context = _editor_context(request, article, form, edition=edition, conflict=conflict,
                              extra=extra)  # fmt: skip
    return render(request, "newsroom/edit.html", context, status=status)


def _changed(article, form) -> bool:
    data = form.cleaned_data
    return (
        data["headline"] != article.headline
        or data["lead"] != article.lead
        or data["body"] != article.body
        or data["section"].pk != article.section_id
        or data["source"] != article.source
        or data["comment_mode"] != article.comment_mode
        or {t.pk if isinstance(t, Tag) else t for t in data["tags"]}
        != set(article.tags.values_list("pk", flat=True))
        or bool(data["new_author"])
        or {a.pk for a in data["authors"]} != set(article.authors.values_list("pk", flat=True))
    )


def _run(action, user, article, post, time_form) -> str:
    at = time_form.cleaned_data.get("at") if time_form.is_valid() else None
    if action == "save":
        if article.is_public:
            # The editor warned before the save; the message says it happened.
            return _("The story is saved and the changes are live on the site.")
        return _("The story is saved.")
    if action == "submit":
        actions.do_submit(user, article)
        return _("The story is submitted for review.")
    if action == "publish":
        actions.do_publish_now(user, article)
        return _("The story is published.")
    if action == "schedule":
        actions.do_schedule(user, article, at)
        return _("The story is scheduled.")
    if action == "embargo":
        actions.do_embargo(user, article, at)
        return _("The story is embargoed.")
    if action == "send_back":
        actions.do_send_back(user, article, post.get("note", ""))
        return _("The story is sent back to its reporter.")
    if action == "unpublish":
        actions.do_unpublish_with_reason(user, article, post.get("reason", ""))
        return _("The story is unpublished.")
    raise ValidationError(_("Unknown action."))


@_desk_user
@require_POST
def autosave(request, pk):
    """Keep the unsaved text, or, when no text is posted (nothing changed in the editor), only
    note that the person is still there. Either way, answer who else is editing."""
    article = get_object_or_404(Article.objects.select_related("edition"), pk=pk)
    raw = request.POST.get("base_revision", "")
    if not re.fullmatch(r"[0-9]{1,9}", raw):
        return JsonResponse({"ok": False}, status=400)
    base = int(raw)
    saved_at = None
    try:
        saved = _keep_unsaved(request, article, base)
        if saved is None:
            actions.check(request.user, "edit", article)
            actions.touch_edit_session(article, request.user)
        else:
            saved_at = _edition_time(saved.saved_at, article.edition, "%H:%M:%S")
    except PermissionDenied:
        return JsonResponse({"ok": False}, status=403)
    others = [{"name": s.name, "since": s.since} for s in _editors_now(article, request.user)]
    return JsonResponse(
        {"ok": True, "saved_at": saved_at, "stale": base != article.revision, "editors": others}
    )


@_desk_user
def history(request, pk):
    article = get_object_or_404(Article.objects.select_related("edition"), pk=pk)
    if not may_read(request.user, article):
        raise PermissionDenied
    revisions = list(article.revisions.select_related("author"))
    number = request.GET.get("revision", "")
    selected = next((r for r in revisions if str(r.number) == number), None)
    rows = None
    if selected is not None:
        previous = next((r for r in revisions if r.number < selected.number), None)
        rows = diff.compare(previous or _EMPTY, selected)
    return render(
        request,
        "newsroom/history.html",
        {"article": article, "revisions": revisions, "selected": selected, "rows": rows,
         "can_restore": can(request.user, "restore", article),
         "audit": article.audit_entries.select_related("actor")[:50]},
    )  # fmt: skip


_EMPTY = type("Empty", (), {"headline": "", "lead": "", "body": ""})


@_desk_user
@require_http_methods(["GET", "POST"])
def restore(request, pk, number):
    """Restoring asks first: the GET shows what the story's text would become (and, on a live
    story, the update note readers would see, or why it is refused); only the POST sent from
    that page, with `confirm`, restores."""
    article = get_object_or_404(Article.objects.select_related("edition"), pk=pk)
    if not can(request.user, "restore", article):
        raise PermissionDenied
    revision = get_object_or_404(
        Revision.objects.select_related("author"), article=article, number=number
    )
    numbering = interface_numbering()
    if request.method == "POST" and request.POST.get("confirm") == "1":
        try:
            base = request.POST.get("base_revision", "")
            if not re.fullmatch(r"[0-9]{1,9}", base):
                raise actions.Conflict(article)
            article = actions.do_restore(request.user, article, number, base_revision=int(base),
                                         numbering_system=numbering)  # fmt: skip
        except actions.Conflict:
            messages.error(request, _("The story changed meanwhile; look at it again first."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The revision is restored as a new revision."))
            return redirect("newsroom_edit", pk=article.pk)
        return redirect(f"{reverse('newsroom_history', args=[article.pk])}?revision={number}")
    try:
        actions.check_restore(article, revision)
        refusal = ""
    except ValidationError as error:
        refusal = " ".join(error.messages)
    public_note = actions.restore_notes(article, revision, numbering)[1]
    return render(
        request,
        "newsroom/restore.html",
        {"article": article, "revision": revision, "refusal": refusal,
         "rows": diff.compare(article, revision),
         "public_note": public_note if article.is_public else ""},
    )  # fmt: skip


@_desk_user
@require_http_methods(["GET", "POST"])
def preview(request, pk):
    """The story exactly as readers will see it: the reader template, with the editor's
    unsaved text when it is posted here."""
    article = get_object_or_404(queries.article_page_all().select_related(), pk=pk)
    if not may_read(request.user, article):
        raise PermissionDenied
    if request.method == "POST":
        form = StoryForm(request.POST, edition=article.edition, can_create_tags=True)
        if form.is_valid():
            data = form.cleaned_data
            article.headline, article.lead, article.body = (
                data["headline"], data["lead"], data["body"],
            )  # fmt: skip
            article.section = data["section"]
    if article.published_at is None:
        article.published_at = timezone.now()
    canonical = absolute_url(request, "/")
    with translation.override(article.edition.language):
        return render(
            request,
            "reader/article.html",
            {"article": article, "edition": article.edition, "canonical": canonical,
             "json_ld": meta.article_json_ld(article, canonical), "preview": True,
             "og_locale": meta.og_locale(article.edition),
             "nav_sections": nav_sections(article.edition)},
        )  # fmt: skip


@_desk_user
def tag_suggestions(request):
    edition = _edition(request)
    q = _param(request.GET.get("q", ""), 100)
    names = Tag.objects.filter(edition=edition, name__icontains=q).values_list("name", flat=True)
    return JsonResponse({"tags": list(names.order_by("name")[:20])})


@_desk_user
@require_POST
def leave_story(request, pk):
    """The editor's page is closing (sent with navigator.sendBeacon on pagehide): keep the
    text not saved yet, if any, then end the person's editing session, so that the others'
    "is editing" notice ends with it."""
    article = get_object_or_404(Article, pk=pk)
    raw = request.POST.get("base_revision", "")
    if re.fullmatch(r"[0-9]{1,9}", raw):
        # Nothing is kept for who may not edit; their session ends all the same.
        with suppress(PermissionDenied):
            _keep_unsaved(request, article, int(raw))
    actions.end_edit_sessions(request.user, article_id=article.pk)
    return HttpResponse(status=204)


def _keep_unsaved(request, article, base: int):
    """The autosave of the text posted by editor.js, or None when it posted no text."""
    if "body" not in request.POST:
        return None
    return actions.do_autosave(
        request.user, article, base_revision=base,
        headline=_param(request.POST.get("headline", ""), 300),
        lead=_param(request.POST.get("lead", ""), 5000),
        body=request.POST.get("body", "").replace("\x00", ""),
    )  # fmt: skip
