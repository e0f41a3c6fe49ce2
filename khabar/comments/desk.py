"""The moderation queue: moderators and editors approve, reject and mark spam, in bulk and by
keyboard, with each comment's story and thread in view."""

import re
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from khabar.comments import actions
from khabar.comments.forms import EditCommentForm
from khabar.comments.models import Ban, Comment, ModerationLog
from khabar.lib.dates import localize_digits
from khabar.newsroom.roles import can, desk_editions


def moderator_required(view):
    """Logged-in moderators and editors; others are sent to log in, or refused (403). The
    newsroom's roles answer who they are, as for every other action of the desk."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can(request.user, "moderate"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def moderated_by(user):
    """The comments `user` may moderate: those on stories of the editions their roles cover (a
    Persian-desk moderator sees and acts on Persian comments only; no limit = every edition)."""
    editions = desk_editions(user)
    if editions is None:
        return Comment.objects.all()
    return Comment.objects.filter(article__edition_id__in=editions)


STATES = [s.value for s in Comment.Status]
# The digits of the desk's interface language, for the queue's counts and times: the
# moderator's own language, whatever the edition of the story.
LANGUAGE_DIGITS = {"ar": "arab", "fa": "arabext"}


def interface_digits(value) -> str:
    language = (get_language() or "").split("-")[0]
    return localize_digits(str(value), LANGUAGE_DIGITS.get(language, "latn"))


QUEUE_PAGE_SIZE = 50


@moderator_required
@require_http_methods(["GET", "POST"])
def queue(request):
    state = request.GET.get("state", Comment.Status.PENDING)
    if state not in STATES:
        state = Comment.Status.PENDING
    if request.method == "POST":
        return _bulk(request, state)
    counts = _counts(request.user)
    comments = (
        moderated_by(request.user)
        .filter(status=state)
        .select_related("article__edition", "parent")
        .order_by("created_at" if state == Comment.Status.PENDING else "-created_at", "id")
    )
    page = Paginator(comments, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    tabs = [(s, Comment.Status(s).label, counts.get(s, 0)) for s in STATES]
    return render(
        request,
        "comments/desk/queue.html",
        {"page": page, "state": state, "tabs": tabs, "log": ModerationLog.objects.filter(
            comment__in=moderated_by(request.user)).select_related("actor", "comment")[:15]},
    )  # fmt: skip


def _counts(user) -> dict[str, int]:
    return dict(moderated_by(user).values_list("status").annotate(n=Count("id")))


def _bulk(request, state):
    action = request.POST.get("action", "")
    ids = [int(i) for i in request.POST.getlist("ids") if re.fullmatch(r"[0-9]{1,12}", i)]
    if request.POST.get("one") and re.fullmatch(r"[0-9]{1,12}", request.GET.get("only", "")):
        # A button on one comment (without JavaScript): that comment alone.
        action, ids = request.POST["one"], [int(request.GET["only"])]
    comments = list(moderated_by(request.user).filter(pk__in=ids))
    ok, message = _apply(action, comments, request.user)
    if request.headers.get("X-Requested-With") == "fetch":
        # The queue's script updates the page in place, so the moderator's place in the list
        # (and the keyboard focus) is kept: each comment's new state, the tabs' counts.
        statuses = dict(moderated_by(request.user).filter(pk__in=ids).values_list("pk", "status"))
        counts = _counts(request.user)
        return JsonResponse(
            {"ok": ok, "message": message, "statuses": statuses,
             "counts": {s: interface_digits(counts.get(s, 0)) for s in STATES}},
            status=200 if ok else 400,
        )  # fmt: skip
    (messages.success if ok else messages.error)(request, message)
    return redirect(f"{request.path}?state={state}")


def _apply(action: str, comments: list, user) -> tuple[bool, str]:
    """Do a moderation action on comments; whether it was one, and what to tell the moderator."""
    if action in actions.MODERATION_ACTIONS:
        changed = sum(actions.MODERATION_ACTIONS[action](c, user) for c in comments)
        return True, ngettext(
            "%(count)s comment changed.", "%(count)s comments changed.", changed
        ) % {"count": interface_digits(changed)}
    if action in ("feature", "unfeature"):
        for comment in comments:
            actions.do_feature(comment, user, action == "feature")
        return True, _("Done.")
    if action in ("ban-email", "ban-network"):
        kind = Ban.Kind.EMAIL if action == "ban-email" else Ban.Kind.NETWORK
        banned = [c for c in comments if actions.do_ban(c, user, kind)]
        return True, ngettext(
            "%(count)s ban recorded.", "%(count)s bans recorded.", len(banned)
        ) % {"count": interface_digits(len(banned))}
    return False, _("Choose an action.")


@moderator_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    comment = get_object_or_404(
        moderated_by(request.user).select_related("article__edition"), pk=pk
    )
    form = EditCommentForm(
        request.POST or None, initial={"body": comment.body, "note": comment.edit_note}
    )
    if request.method == "POST" and form.is_valid():
        actions.do_edit(comment, request.user, form.cleaned_data["body"], form.cleaned_data["note"])
        messages.success(request, _("The comment is saved."))
        return redirect(f"/desk/comments/?state={comment.status}")
    thread = []
    if comment.root_id:
        thread = Comment.objects.filter(root_id=comment.root_id).order_by("path")[:50]
    return render(
        request, "comments/desk/edit.html", {"comment": comment, "form": form, "thread": thread}
    )
