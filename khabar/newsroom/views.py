"""The newsroom's pages: the desk lists, the story editor with its workflow buttons, history,
restore and preview.

Views translate HTTP into calls and back: the reads are khabar.newsroom.queries (story_for
fetches a story and refuses who may not open it), every write is a verb of
khabar.newsroom.actions, which checks the person itself (through khabar.newsroom.roles.can), so
a forged POST meets the same rules as a button.
"""

import re
from contextlib import suppress
from zoneinfo import ZoneInfo

from babel.dates import get_timezone_location
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from khabar.lib.dates import localize_digits
from khabar.news.models import Article, Edition, Section, Tag
from khabar.newsroom import actions, diff, queries
from khabar.newsroom.forms import CorrectionForm, StoryForm, TimeForm
from khabar.newsroom.middleware import interface_language
from khabar.newsroom.models import Autosave, DeskProfile, Revision
from khabar.newsroom.queries import story_for
from khabar.newsroom.roles import EditionRefused, can, landing_url
from khabar.newsroom.templatetags.newsroom import interface_numbering
from khabar.reader import meta
from khabar.reader import queries as reader_queries
from khabar.reader.pages import absolute_url, nav_sections


def _desk_user(view):
    @login_required
    def wrapper(request, *args, **kwargs):
        if not can(request.user, "desk"):
            raise PermissionDenied
        try:
            return view(request, *args, **kwargs)
        except EditionRefused as refused:
            # The role allows it in another edition: say so on a desk page, in the desk's
            # language, rather than the readers' bare refusal.
            return render(request, "newsroom/refused.html", {"message": str(refused)},
                          status=403)  # fmt: skip

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


class Login(auth_views.LoginView):
    """The newsroom's log-in. Without a safe `next`, each role lands where it works
    (roles.landing_url): moderators on the queue, not on a desk they may not open. It speaks
    the language the person chose in the admin, as its lockout answer does."""

    template_name = "newsroom/login.html"

    def dispatch(self, request, *args, **kwargs):
        with translation.override(interface_language(request)):
            response = super().dispatch(request, *args, **kwargs)
            return response.render() if hasattr(response, "render") else response

    def get_default_redirect_url(self):
        return landing_url(self.request.user)


def login_locked_out(request, original_response=None, credentials=None):
    """The answer to a log-in once its account name or its network has failed too often
    (AXES_LOCKOUT_CALLABLE, khabar/newsroom/throttle.py): the login page it was sent from, desk
    or admin, with an empty form and one message, whether or not the account exists, even when
    the password is right. 429, in the person's language."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    with translation.override(interface_language(request)):
        context = dict(getattr(original_response, "context_data", None) or {})
        form_class = type(context.get("form")) if context.get("form") else AuthenticationForm
        context.update(
            form=form_class(request),
            locked_out=_(
                "Too many failed attempts to log in with this name or from this network. "
                "Try again once the wait is over (minutes: %(minutes)s)."
            )
            % {"minutes": minutes},
        )
        templates = getattr(original_response, "template_name", None) or "newsroom/login.html"
        return TemplateResponse(request, templates, context, status=429).render()


# Lazy: the labels are read per request, in the language of that request.
TABS = [
    ("mine", gettext_lazy("My drafts")),
    ("review", gettext_lazy("Awaiting review")),
    ("upcoming", gettext_lazy("Scheduled and embargoed")),
    ("today", gettext_lazy("Published today")),
    ("all", gettext_lazy("All stories")),
]


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
        tab = queries.default_tab(user)
    page, message = queries.desk_page(user, tab, request.GET)
    counts = queries.tab_counts(user)
    query = request.GET.copy()
    query.pop("page", None)
    query["tab"] = tab
    tabs = [(key, label, counts[key]) for key, label in TABS]
    sections = list(queries.desk_sections(user))
    return render(
        request,
        "newsroom/desk.html",
        {
            "tabs": tabs, "tab": tab, "page": page, "sections": sections,
            # The editions of the sections, in their order: one query for both filters.
            "editions": list(dict.fromkeys(section.edition for section in sections)),
            "authors": queries.story_authors(), "statuses": Article.Status.choices,
            "params": request.GET, "query": query.urlencode(), "can_create": can(user, "create"),
            "message": message,
        },
    )  # fmt: skip


def _param(value: str, limit: int = 200) -> str:
    """A text parameter as the database can take it (PostgreSQL refuses NUL)."""
    return value.replace("\x00", "").strip()[:limit]


def _edition(request, editions=None) -> Edition:
    """The edition named by `edition` (a code, in the query string or the form), else the first
    of `editions` (the person's, for a new story), else the default edition."""
    # The form's choice first: it posts back to the address it was opened at, ?edition= and all.
    code = _param(request.POST.get("edition") or request.GET.get("edition") or "", 10)
    found = code and Edition.objects.filter(code=code).first()
    return found or (editions if editions is not None else Edition.objects.all()).first()


# What a new story's form keeps when the edition is changed without JavaScript.
KEPT_ON_EDITION_CHANGE = ("headline", "lead", "body", "tags", "new_author", "source")


@_desk_user
@require_http_methods(["GET", "POST"])
def new_story(request):
    """A new story, in the edition picked on the form (or named by ?edition=, which links may
    still use). Without JavaScript, "Change the edition" posts the form back with the sections
    of the edition picked; with it, editor.js changes them in place."""
    editions = queries.desk_edition_list(request.user)
    edition = _edition(request, editions)
    # Refused, naming the person's editions, when theirs do not include this one.
    actions.check(request.user, "create", edition=edition)
    changing = request.method == "POST" and request.POST.get("action") == "edition"
    form = StoryForm(
        None if changing else (request.POST or None),
        edition=edition,
        editions=editions,
        can_create_tags=can(request.user, "create_tag"),
        initial={"base_revision": 0, "edition": edition.code}
        | ({k: request.POST.get(k, "") for k in KEPT_ON_EDITION_CHANGE} if changing else {}),
    )
    if request.method == "POST" and not changing and form.is_valid():
        try:
            # story_fields() makes new tags (actions.tags_named): in the same transaction.
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
    if "edition" in form.fields:
        context["edition_data"] = _edition_data(form.fields["edition"].queryset)
    if article is not None:
        context["editors_now"] = queries.editors_now(article, user)
        # Autosaves are kept only when they differ from the story (see do_autosave): offer it,
        # with the revision it was based on, so that saving it meets the conflict check.
        autosave = Autosave.objects.filter(article=article, user=user).first()
        if autosave:
            context["autosave"] = autosave
            context["autosave_time"] = queries.edition_time(autosave.saved_at, edition, "%H:%M")
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
    # Reporters may read a story of theirs they can no longer change (submitted, published).
    article = story_for(request.user, pk, "read")
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
    except PermissionDenied as refused:
        messages.error(request, str(refused) or _("You are not allowed to do this."))
        status = 403
    article.refresh_from_db()
    extra = {}
    if conflict is not None and form.is_valid():
        mine = type("Draft", (), form.cleaned_data)
        extra["conflict_rows"] = diff.compare(conflict, mine)
    context = _editor_context(request, article, form, edition=edition, conflict=conflict,
                              extra=extra)  # fmt: skip
    return render(request, "newsroom/edit.html", context, status=status)


def _edition_data(editions) -> dict:
    """What editor.js changes when another edition is picked for a new story: the section
    choices, the text fields' language and direction, its digits, and where tag suggestions
    come from."""
    data = {
        edition.code: {"lang": edition.language, "dir": edition.direction, "sections": [],
                       "tags": f"{reverse('newsroom_tags')}?edition={edition.code}",
                       "digits": localize_digits("0123456789", edition.numbering_system)}
        for edition in editions
    }  # fmt: skip
    for section in Section.objects.filter(edition__in=editions).select_related("edition"):
        data[section.edition.code]["sections"].append([section.pk, section.name])
    return data


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


# The workflow buttons after the text is saved: each runs its verb with the person, the story,
# the POST (for the note or reason typed with it) and the time typed (`at`, for schedule and
# embargo), then tells the editor what happened. "save" and "correct" are handled in _act.
BUTTONS = {
    "submit": (
        lambda user, article, post, at: actions.do_submit(user, article),
        gettext_lazy("The story is submitted for review."),
    ),
    "publish": (
        lambda user, article, post, at: actions.do_publish_now(user, article),
        gettext_lazy("The story is published."),
    ),
    "schedule": (
        lambda user, article, post, at: actions.do_schedule(user, article, at),
        gettext_lazy("The story is scheduled."),
    ),
    "embargo": (
        lambda user, article, post, at: actions.do_embargo(user, article, at),
        gettext_lazy("The story is embargoed."),
    ),
    "send_back": (
        lambda user, article, post, at: actions.do_send_back(user, article, post.get("note", "")),
        gettext_lazy("The story is sent back to its reporter."),
    ),
    "unpublish": (
        lambda user, article, post, at: actions.do_unpublish_with_reason(
            user, article, post.get("reason", "")
        ),
        gettext_lazy("The story is unpublished."),
    ),
}


def _run(action, user, article, post, time_form) -> str:
    if action == "save":
        if article.is_public:
            # The editor warned before the save; the message says it happened.
            return _("The story is saved and the changes are live on the site.")
        return _("The story is saved.")
    if action not in BUTTONS:
        raise ValidationError(_("Unknown action."))
    verb, message = BUTTONS[action]
    at = time_form.cleaned_data.get("at") if time_form.is_valid() else None
    verb(user, article, post, at)
    return str(message)


@_desk_user
@require_POST
def autosave(request, pk):
    """Keep the unsaved text, or, when no text is posted (nothing changed in the editor), only
    note that the person is still there. Either way, answer who else is editing."""
    # do_autosave and check refuse who may not edit, answered below as JSON, not as a page.
    article = story_for(request.user, pk, None)
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
            saved_at = queries.edition_time(saved.saved_at, article.edition, "%H:%M:%S")
    except PermissionDenied:
        return JsonResponse({"ok": False}, status=403)
    sessions = queries.editors_now(article, request.user)
    others = [{"name": s.name, "since": s.since} for s in sessions]
    return JsonResponse(
        {"ok": True, "saved_at": saved_at, "stale": base != article.revision, "editors": others}
    )


@_desk_user
def history(request, pk):
    article = story_for(request.user, pk, "read")
    revisions = queries.revisions(article)
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
         "audit": queries.audit_entries(article)},
    )  # fmt: skip


_EMPTY = type("Empty", (), {"headline": "", "lead": "", "body": ""})


@_desk_user
@require_http_methods(["GET", "POST"])
def restore(request, pk, number):
    """Restoring asks first: the GET shows what the story's text would become (and, on a live
    story, the update note readers would see, or why it is refused); only the POST sent from
    that page, with `confirm`, restores."""
    article = story_for(request.user, pk, "restore")
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
    stories = reader_queries.article_page_all().select_related()
    article = story_for(request.user, pk, "read", stories)
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


@login_required
@require_POST
def desk_language(request):
    """The person's choice of the desk's language, kept with their account (so it follows them
    to any machine) and in the language cookie (so the log-in page and the admin speak it
    too). Back to the page the choice was made on."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = ""
    DeskProfile.objects.update_or_create(user=request.user, defaults={"language": language})
    back = request.POST.get("next", "")
    if not (
        url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
        and back.startswith("/desk/")
    ):
        back = landing_url(request.user)
    response = redirect(back)
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH, samesite="Lax", secure=request.is_secure(),
        )  # fmt: skip
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, path=settings.LANGUAGE_COOKIE_PATH)
    return response


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
    # Whoever may not edit keeps nothing (below) but still ends their session.
    article = story_for(request.user, pk, None)
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
