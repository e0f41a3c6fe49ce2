"""Reader-facing comment views.

The article page stays the same bytes for everyone; its script fetches the comments region
(`?partial=1`, public, cacheable, with an ETag that changes when a comment is approved), then a
fresh captcha challenge and CSRF token from `challenge`. Readers without JavaScript follow a
link to the same region as a page of its own, which carries its own CSRF token.
"""

import hashlib
import json
import re
from functools import wraps

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from khabar.comments import actions, captcha, identity, notify, queries, rules
from khabar.comments.forms import CommentForm, PrivacyRequestForm
from khabar.comments.identity import client_address, email_hash, network_hash
from khabar.comments.models import Comment
from khabar.comments.render import comment_item
from khabar.lib.requests import keeps_raw_body, malformed_form
from khabar.lib.surrogate import add_keys
from khabar.news import surrogate
from khabar.news.models import Article, CommentMode, Edition
from khabar.reader.pages import edition_named, in_edition, nav_sections, shared_cache_control

SENT_SALT = "khabar.comments.sent"
# How long the signed value handed to a comment's writer keeps showing them their comment
# while it waits for a moderator: longer than any queue should take.
SENT_MAX_AGE = 30 * 86400
OWN_MAX_TOKENS = 20


def story_view(view):
    """The set-up every comments view of a story shares: the edition named by the URL, in its
    language (reader.pages.in_edition), and its published story `code`; either missing is a 404.
    The view receives the Article. Caching and methods stay each view's own: the region is
    public, the reader's own comments and the form's page are not."""

    @in_edition
    @wraps(view)
    def wrapper(request, edition, code, *args, **kwargs):
        article = get_object_or_404(
            Article.objects.published().filter(edition=edition).select_related("edition"),
            news_code=code,
        )
        return view(request, article, *args, **kwargs)

    return wrapper


def _wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _region_context(
    request, article, *, form=None, full_page=False, reply_to=None, sent=None, error=None,
    confirm_note=False,
):  # fmt: skip
    order = request.GET.get("order", "oldest")
    if order not in queries.ORDERS:
        order = "oldest"
    try:
        page = queries.thread_page(article, order, request.GET.get("after", ""))
    except queries.BadCursor:
        raise Http404("Bad cursor") from None
    form = form or CommentForm(
        initial={
            "parent": reply_to.pk if reply_to else None,
            "started": rules.started_token() if full_page else "",
        },
        numbering_system=article.edition.numbering_system,
    )
    return {
        "edition": article.edition,
        "article": article,
        "page": page,
        "form": form,
        "full_page": full_page,
        "reply_to": reply_to,
        "sent": sent,
        "confirm_note": confirm_note,
        "error": error,
        "mode": article.effective_comment_mode,
        "closed": article.effective_comment_mode == CommentMode.CLOSED,
        "max_length": settings.KHABAR_COMMENT_MAX_LENGTH,
    }


def _region_etag(article: Article, request) -> str:
    changed = article.comments_changed_at.timestamp() if article.comments_changed_at else 0
    key = f"{article.pk}-{article.comment_count}-{changed}-{article.effective_comment_mode}"
    variant = f"{request.GET.get('order', '')}|{request.GET.get('after', '')}"
    digest = hashlib.sha256(variant.encode()).hexdigest()[:12]
    return quote_etag(f"c{key}-{digest}-{translation.get_language()}")


def _cached_region(request, article, etag: str) -> HttpResponse:
    """The region as every reader gets it, kept in the cache under its ETag: the key changes
    whenever what readers see changes, so nothing is ever purged by hand."""
    seconds = settings.KHABAR_COMMENT_REGION_CACHE_SECONDS
    key = f"comments:region:{etag}"
    body = cache.get(key) if seconds else None
    if body is not None:
        return HttpResponse(body)
    response = render(request, "comments/region.html", _region_context(request, article))
    if seconds:
        cache.set(key, response.content, seconds)
    return response


def _region_keys(request, response, article) -> None:
    """The region (and its replies) is purged with the story's comments (comments_changed)."""
    add_keys(response, [surrogate.comments_key(article.news_code)])
    shared_cache_control(request, response, article.edition)


def _full_page(request, article, status=200, **kwargs):
    context = _region_context(request, article, full_page=True, **kwargs)
    context["nav_sections"] = nav_sections(article.edition)
    response = render(request, "comments/page.html", context, status=status)
    # Holds a CSRF token and maybe the reader's own text: never for a shared cache.
    patch_cache_control(response, private=True, no_cache=True)
    return response


@keeps_raw_body  # to tell malformed UTF-8 from a U+FFFD the reader typed
@require_http_methods(["GET", "HEAD", "POST"])
@story_view
def region(request, article):
    if request.method == "POST":
        return _submit(request, article)
    if "partial" in request.GET:
        etag = _region_etag(article, request)
        if etag in request.headers.get("If-None-Match", ""):
            response = HttpResponse(status=304)
        else:
            response = _cached_region(request, article, etag)
        response["ETag"] = etag
        if article.comments_changed_at:
            response["Last-Modified"] = http_date(article.comments_changed_at.timestamp())
        patch_cache_control(response, public=True, max_age=settings.KHABAR_PAGE_MAX_AGE)
        _region_keys(request, response, article)
        return response
    reply_to = None
    if re.fullmatch(r"[0-9]{1,12}", request.GET.get("reply", "")):
        reply_to = (
            Comment.objects.visible().filter(article=article, pk=int(request.GET["reply"])).first()
        )
    sent = None
    # Only shows a note (rules.confirmation_note): nothing is decided by it.
    confirm_note = request.GET.get("confirm") == "1"
    if request.GET.get("sent"):
        try:
            sent_id = signing.loads(request.GET["sent"], salt=SENT_SALT, max_age=SENT_MAX_AGE)
            sent = Comment.objects.filter(pk=sent_id, article=article).first()
        except signing.BadSignature:
            sent = None
    return _full_page(
        request, article, reply_to=reply_to, sent=sent, confirm_note=sent and confirm_note
    )


def _with_parent_name(comment: Comment) -> Comment:
    # comment_item says whom a reply answers when it is given the name.
    answered = comment.in_reply_to or comment.parent
    comment.parent_name = answered.name if answered and not answered.erased else ""
    return comment


def _submit(request, article):
    digits = article.edition.numbering_system
    form = CommentForm(request.POST, numbering_system=digits)
    error = None
    comment = None
    if malformed_form(request):
        # Stored, the bytes would become U+FFFD without anyone knowing: the reader fixes them.
        error = _(
            "Some characters of your comment could not be read. Check the text and send it again."
        )
    elif form.is_valid():
        data = form.cleaned_data
        parent = None
        if data["parent"]:
            parent = Comment.objects.visible().filter(article=article, pk=data["parent"]).first()
            if parent is None:
                error = _("The comment you are replying to is no longer here.")
        if error is None:
            address = client_address(request)
            submission = rules.Submission(
                article=article,
                name=data["name"],
                body=data["body"],
                email=data["email"],
                email_hash=email_hash(data["email"]),
                network_hash=network_hash(address),
                parent=parent,
                honeypot=data["website"],
                started=data["started"],
                notify_on_publish=data["notify_on_publish"],
                notify_on_reply=data["notify_on_reply"],
            )
            submission.confirmed = submission.email_hash in identity.proven_hashes(request)
            try:
                comment = actions.do_submit(submission, captcha_payload=data["altcha"])
            except (rules.Refused, captcha.CaptchaError) as refusal:
                error = str(refusal.args[0])
    else:
        error = _("Your comment was not sent. Please correct what is marked below.")

    if comment is not None:
        message = (
            _("Thank you. Your comment is published.")
            if comment.status == Comment.Status.APPROVED
            else _("Thank you. Your comment is awaiting review by a moderator.")
        )
        note = rules.confirmation_note(submission)
        message = f"{message} {note}" if note else message
        # The writer's proof that this comment is theirs: the page without JavaScript carries it
        # in its address, the script keeps it to show the comment again while it is pending.
        sent = signing.dumps(comment.pk, salt=SENT_SALT)
        if _wants_json(request):
            html = comment_item(_with_parent_name(comment), article.edition, own=True)
            return JsonResponse(
                {"ok": True, "status": comment.status, "message": message, "html": html,
                 "id": comment.pk, "sent": sent},
                status=201,
            )  # fmt: skip
        url = reverse(
            "comments_region", kwargs={"edition": article.edition.code, "code": article.news_code}
        )
        confirm = "&confirm=1" if note else ""
        return HttpResponseRedirect(f"{url}?sent={sent}{confirm}#comment-{comment.pk}", status=303)

    if _wants_json(request):
        errors = {field: [str(e) for e in errs] for field, errs in form.errors.items()}
        return JsonResponse({"ok": False, "message": error, "errors": errors}, status=400)
    form_for_page = CommentForm(request.POST, numbering_system=digits)
    form_for_page.is_valid()
    form_for_page.data = form_for_page.data.copy()
    form_for_page.data["started"] = rules.started_token()
    form_for_page.data["altcha"] = ""
    reply_to = None
    if form.is_valid() and form.cleaned_data["parent"]:
        reply_to = (
            Comment.objects.visible()
            .filter(article=article, pk=form.cleaned_data["parent"])
            .first()
        )
        if reply_to is None:
            # The comment answered is gone: the text stays, as a comment of its own.
            form_for_page.data["parent"] = ""
    return _full_page(
        request, article, status=400, form=form_for_page, error=error, reply_to=reply_to
    )


@never_cache
@require_safe
@in_edition
def challenge(request, edition, code):
    """A fresh captcha challenge for this article, the form's start time, and a CSRF token.
    Whether the story takes comments is read through a short memo (captcha.takes_comments):
    the post checks it again."""
    if not captcha.takes_comments(edition, code):
        raise Http404("No such story, or comments are closed")
    return JsonResponse(
        {
            "challenge": captcha.challenge_for(code),
            "started": rules.started_token(),
            "csrf": get_token(request),
        }
    )


@never_cache
@require_safe
@story_view
def own(request, article):
    """The reader's own comments that still await a moderator, from the signed values the page's
    script kept when they were sent (?sent=…&sent=…). The region is the same bytes for every
    reader and cached; what is only this reader's comes from here, never cached. A comment
    approved since is in the region; one rejected, erased or unknown is simply not returned,
    and the script forgets its value."""
    ids = {}
    for token in request.GET.getlist("sent")[:OWN_MAX_TOKENS]:
        try:
            value = signing.loads(token, salt=SENT_SALT, max_age=SENT_MAX_AGE)
        except signing.BadSignature:
            continue
        if isinstance(value, int):
            ids[token] = value
    waiting = {
        c.pk: c
        for c in Comment.objects.filter(
            article=article, pk__in=ids.values(), status=Comment.Status.PENDING, erased=False
        ).select_related("in_reply_to", "parent")
    }
    items = [
        {
            "sent": token,
            "id": pk,
            "parent": waiting[pk].parent_id,
            "html": comment_item(_with_parent_name(waiting[pk]), article.edition, own=True),
        }
        for token, pk in ids.items()
        if pk in waiting
    ]
    return JsonResponse({"pending": items})


@require_safe
@story_view
def replies(request, article, root_id):
    """More replies of one thread: a fragment for the page's script (?partial=1), or a page of
    its own for readers without JavaScript."""
    root = get_object_or_404(Comment.objects.visible(), article=article, pk=root_id, depth=0)
    after = request.GET.get("after", "")
    if not re.fullmatch(r"[0-9/]{0,80}", after):
        raise Http404("Bad cursor")
    items, has_more = queries.more_replies(root, after)
    template = "comments/replies.html" if "partial" in request.GET else "comments/replies_page.html"
    response = render(
        request,
        template,
        {"replies": items, "has_more": has_more, "root": root, "edition": article.edition,
         "article": article, "next_after": items[-1].path if items else "",
         "nav_sections": nav_sections(article.edition)},
    )  # fmt: skip
    patch_cache_control(response, public=True, max_age=settings.KHABAR_PAGE_MAX_AGE)
    if "partial" in request.GET:
        _region_keys(request, response, article)
    return response


def csrf_failure(request, reason=""):
    """A comment form whose CSRF token expired: say so and give the reader their text back."""
    from django.views.csrf import csrf_failure as default_failure

    match = getattr(request, "resolver_match", None)
    if request.method == "POST" and match and match.url_name == "comments_region":
        try:
            return _expired_form(request, match.kwargs["edition"], match.kwargs["code"])
        except Http404:
            return default_failure(request, reason)
    code = match.kwargs.get("edition") if match else None
    edition = edition_named(code) if code else None
    if edition is not None:
        # Another reader form of an edition (the privacy request, a confirmation, a deletion):
        # the site's own page, in the edition's language, not Django's.
        with translation.override(edition.language):
            context = {"edition": edition, "nav_sections": nav_sections(edition),
                       "expired_form": True}  # fmt: skip
            return render(request, "reader/403.html", context, status=403)
    return default_failure(request, reason)


@story_view
def _expired_form(request, article):
    message = _("The form had expired. Your text is below: please send it again.")
    if _wants_json(request):
        return JsonResponse({"ok": False, "message": message, "errors": {}}, status=403)
    form = CommentForm(request.POST, numbering_system=article.edition.numbering_system)
    form.is_valid()
    form.data = form.data.copy()
    form.data["started"] = rules.started_token()
    return _full_page(request, article, status=403, form=form, error=message)


def _link_edition(code: str | None):
    """The edition whose language a page opened from an e-mail speaks: the one in its address
    (links carry the story's or the request's edition), the default edition for links sent
    before they did. An unknown edition in the address is a 404."""
    if code is None:
        return Edition.objects.filter(is_default=True).first() or Edition.objects.first()
    edition = edition_named(code)
    if edition is None:
        raise Http404("No such edition")
    return edition


def _link_language(edition) -> str:
    return edition.language if edition else settings.LANGUAGE_CODE


@require_http_methods(["GET", "POST"])
@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without a token
def unsubscribe(request, token, edition=None):
    edition = _link_edition(edition)
    try:
        hashed = signing.loads(token, salt=notify.UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise Http404("Bad token") from None
    done = False
    if request.method == "POST":
        actions.do_unsubscribe(hashed)
        done = True
    with translation.override(_link_language(edition)):
        response = render(request, "comments/unsubscribe.html", {"done": done})
    response.headers["Content-Language"] = _link_language(edition)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@in_edition
def confirm(request, edition, token):
    """The link of the confirmation e-mail: a page with one button. Only the POST confirms, as
    mail scanners and link previews open every GET link of a message. The POST also gives this
    browser the proof that makes its comments trusted (identity.add_proof)."""
    error = None
    try:
        hashed = identity.confirmed_hash(token)
    except signing.SignatureExpired:
        error = _("This confirmation link has expired. Send a comment with your address to "
                  "receive a new one.")  # fmt: skip
    except signing.BadSignature:
        error = _("This confirmation link is not valid. Check that it was copied whole.")
    context = {"edition": edition, "nav_sections": nav_sections(edition), "error": error}
    if error:
        return render(request, "comments/confirm.html", context, status=400)
    if request.method == "POST":
        actions.do_confirm_address(hashed)
        response = render(request, "comments/confirm.html", {**context, "done": True})
        identity.add_proof(request, response, hashed, edition.code)
        return response
    return render(request, "comments/confirm.html", context)


PRIVACY_REQUESTS_PER_HOUR = 3


def _privacy_request_allowed(request, email: str) -> bool:
    """At most a few links an hour per address and per network: the form must not become a
    way to flood someone's inbox."""
    allowed = True
    for key in (
        f"privacy:e:{email_hash(email)}",
        f"privacy:n:{network_hash(client_address(request))}",
    ):
        cache.add(key, 0, 3600)
        try:
            allowed &= cache.incr(key) <= PRIVACY_REQUESTS_PER_HOUR
        except ValueError:  # expired between add and incr
            cache.set(key, 1, 3600)
    return allowed


@require_http_methods(["GET", "POST"])
@in_edition
def privacy(request, edition):
    form = PrivacyRequestForm(request.POST or None)
    sent = False
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        known = Comment.objects.filter(email_hash=email_hash(email)).exists()
        if _privacy_request_allowed(request, email) and known:
            transaction.on_commit(lambda: notify.send_privacy_link(email, edition))
        sent = True  # the same answer either way: nobody learns who has commented
    return render(
        request,
        "comments/privacy.html",
        {"form": form, "sent": sent, "edition": edition, "nav_sections": nav_sections(edition)},
    )


@require_http_methods(["GET", "POST"])
def privacy_manage(request, token, edition=None):
    edition = _link_edition(edition)
    try:
        email = signing.loads(token, salt=notify.PRIVACY_SALT, max_age=86400)
    except signing.BadSignature:
        raise Http404("Bad or expired link") from None
    hashed = email_hash(email)
    comments = Comment.objects.filter(email_hash=hashed).select_related("article")
    with translation.override(_link_language(edition)):
        if request.method == "POST" and request.POST.get("confirm") == "delete":
            count = actions.do_erase_commenter(hashed)
            return render(request, "comments/privacy_done.html", {"count": count})
        if request.GET.get("format") == "json":
            data = [
                {
                    "article": c.article.headline,
                    "url": notify.site_url(c.article.get_absolute_url()),
                    "name": c.name,
                    "text": c.body,
                    "status": c.status,
                    "written_at": c.created_at.isoformat(),
                }
                for c in comments
            ]
            response = HttpResponse(
                json.dumps({"email": email, "comments": data}, ensure_ascii=False, indent=2),
                content_type="application/json; charset=utf-8",
            )
            response["Content-Disposition"] = 'attachment; filename="khabar-comments.json"'
            return response
        return render(
            request, "comments/privacy_manage.html", {"email": email, "comments": comments}
        )
