"""HTML of comments, written in Python rather than with template includes: a page of a big
thread holds about eighty comments, and the template engine (and even format_html) spent most
of the request on them. Everything a reader wrote goes through escape() or the comment text
renderer, which escapes before it links."""

from functools import lru_cache
from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from khabar.comments.text import render as render_text
from khabar.lib.dates import localize_digits


@lru_cache(maxsize=8192)
def _body_html(text: str) -> str:
    # The same comment is shown to many readers: its text is rendered once per process.
    return render_text(text)


def comment_item(comment, edition, *, own: bool = False, closed: bool = False) -> SafeString:
    pk = comment.pk
    if comment.erased:
        gone = escape(_("This comment was deleted by its writer."))
        return mark_safe(
            f'<li class="comment depth-{comment.depth} is-erased" id="comment-{pk}">'
            f'<p class="comment-erased">{gone}</p></li>\n'
        )
    name = escape(comment.name)
    head = f'<span class="comment-author" id="comment-{pk}-author" dir="auto">{name}</span>'
    parent_name = getattr(comment, "parent_name", "")
    if comment.depth and parent_name:
        label = _("replying to <bdi>%(name)s</bdi>") % {"name": escape(parent_name)}
        head += f' <span class="comment-reply-to">{label}</span>'
    when = escape(edition.format_datetime(comment.created_at))
    head += f' <time class="comment-time" datetime="{comment.created_at.isoformat()}">{when}</time>'
    # Translations are looked up outside the f-strings: message extraction cannot see into them.
    if comment.featured:
        featured = escape(_("Featured"))
        head += f' <span class="comment-badge">{featured}</span>'
    if own and comment.status == "pending":
        pending = escape(_("Awaiting review"))
        head += f' <span class="comment-badge is-pending">{pending}</span>'
    html = (
        f'<li class="comment depth-{comment.depth}{" is-featured" if comment.featured else ""}" '
        f'id="comment-{pk}"><article aria-labelledby="comment-{pk}-author">'
        f'<header class="comment-head">{head}</header>'
        f'<div class="comment-body" dir="auto">{_body_html(comment.body)}</div>'
    )
    if comment.edit_note:
        note = escape(_("Edited by a moderator: %(note)s") % {"note": comment.edit_note})
        html += f'<p class="comment-edited">{note}</p>'
    if not closed and not own:
        reply = escape(_("Reply"))
        html += (
            f'<a class="comment-reply" href="?reply={pk}#comment-form" data-reply-to="{pk}" '
            f'data-reply-name="{name}">{reply}</a>'
        )
    return mark_safe(html + "</article></li>\n")


def thread_items(thread, edition, article, *, closed: bool = False) -> SafeString:
    """A top-level comment, then its first replies in thread order, then a link to the rest."""
    html = comment_item(thread.root, edition, closed=closed)
    if thread.replies:
        root = thread.root.pk
        replies = "".join(comment_item(r, edition, closed=closed) for r in thread.replies)
        more = ""
        if thread.more_replies > 0:
            url = reverse(
                "comments_replies",
                kwargs={"edition": edition.code, "code": article.news_code, "root_id": root},
            )
            shown = localize_digits(str(thread.more_replies), edition.numbering_system)
            label = ngettext(
                "Show %(shown)s more reply", "Show %(shown)s more replies", thread.more_replies
            ) % {"shown": shown}
            more = (
                f'<a class="more-replies" data-more-replies="replies-{root}" '
                f'href="{escape(url)}?after={escape(thread.replies_cursor)}">{escape(label)}</a>'
            )
        html += (
            f'<li class="replies-of-{root}"><ol class="comment-replies" id="replies-{root}">'
            f"{replies}</ol>{more}</li>\n"
        )
    return mark_safe(html)
