"""Starting a translation at the desk: from a published story, a draft in another edition
(khabar.news.translations.start_translation), recorded as the story's first revision and in the
audit log like any story created at the desk."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from khabar.news.models import Article, Edition
from khabar.news.translations import editions_to_translate_into, start_translation, translations_of
from khabar.newsroom import actions
from khabar.newsroom.queries import may_read, story_for
from khabar.newsroom.roles import can


def may_translate(user, article: Article, edition: Edition) -> bool:
    """Whether `user` may start a translation of `article` into `edition`: the story is live (a
    translation of a draft would copy text still changing), they may read it, and they may
    create stories in that edition (asked with a new story of the edition, so that roles
    limited to editions answer for it)."""
    if article.status != Article.Status.PUBLISHED or not may_read(user, article):
        return False
    return can(user, "create", Article(edition=edition, created_by=user))


def do_translate(user, article: Article, edition: Edition) -> Article:
    """The new draft, with its first revision and an audit entry; nothing made if refused."""
    if not may_translate(user, article, edition):
        raise PermissionDenied(_("You are not allowed to do this."))
    with transaction.atomic():
        draft = start_translation(article, edition, user)
        actions._record_revision(draft, user)
        actions._audit(user, "create", draft, note=_("Translation of %(code)s") % {
            "code": article.news_code})  # fmt: skip
    return draft


def panel(user, article: Article | None) -> dict:
    """What the editor's translations panel shows: the story's translations (any state, for the
    desk) and the editions it may be translated into by this person."""
    if article is None or article.pk is None:
        return {}
    targets = []
    if article.status == Article.Status.PUBLISHED:
        targets = [e for e in editions_to_translate_into(article)
                   if may_translate(user, article, e)]  # fmt: skip
    return {"translations": translations_of(article, published=False), "targets": targets}


@login_required
@require_POST
def translate(request, pk):
    if not can(request.user, "desk"):
        raise PermissionDenied
    article = story_for(request.user, pk, "read")
    edition = get_object_or_404(Edition, code=str(request.POST.get("edition", ""))[:10])
    try:
        draft = do_translate(request.user, article, edition)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("newsroom_edit", pk=article.pk)
    messages.success(
        request,
        _("A draft in %(edition)s is ready: translate its text.") % {"edition": edition.name},
    )
    return redirect("newsroom_edit", pk=draft.pk)
