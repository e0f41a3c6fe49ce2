"""Reading threads: a page of top-level comments with the first few replies of each, in a
fixed number of queries however long the thread is."""

import base64
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber

from khabar.comments.models import Comment

ORDERS = ("oldest", "newest")
_FIELDS = ["id", "article_id", "parent_id", "in_reply_to_id", "root_id", "depth", "path", "name",
           "body", "featured", "erased", "created_at", "edited_at", "edit_note"]  # fmt: skip


class BadCursor(ValueError):
    pass


def encode_cursor(comment: Comment) -> str:
    raw = f"{comment.created_at.isoformat()}|{comment.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, pk = raw.split("|")
        parsed = datetime.fromisoformat(moment)
        parsed.astimezone(UTC)  # a moment the database can hold
        if parsed.tzinfo is None or not 0 < int(pk) < 2**62:
            raise ValueError(cursor)
        return parsed, int(pk)
    except (ValueError, UnicodeDecodeError, OverflowError):
        raise BadCursor(cursor) from None


@dataclass
class Thread:
    root: Comment
    replies: list[Comment] = field(default_factory=list)
    reply_count: int = 0

    @property
    def more_replies(self) -> int:
        return self.reply_count - len(self.replies)

    @property
    def replies_cursor(self) -> str:
        return self.replies[-1].path if self.replies else ""


@dataclass
class ThreadPage:
    threads: list[Thread]
    next_cursor: str
    order: str


def thread_page(article, order: str = "oldest", after: str = "") -> ThreadPage:
    size = settings.KHABAR_COMMENT_PAGE_SIZE
    newest = order == "newest"
    tops = Comment.objects.visible().filter(article=article, depth=0).only(*_FIELDS)
    if after:
        moment, pk = decode_cursor(after)
        # A range on created_at that the thread index serves, minus the ties already shown
        # (an OR of the two conditions would make PostgreSQL scan the whole thread).
        if newest:
            tops = tops.filter(created_at__lte=moment).exclude(created_at=moment, id__gte=pk)
        else:
            tops = tops.filter(created_at__gte=moment).exclude(created_at=moment, id__lte=pk)
    ordering = ["-created_at", "-id"] if newest else ["created_at", "id"]
    roots = list(tops.order_by(*ordering)[: size + 1])
    next_cursor = encode_cursor(roots[size - 1]) if len(roots) > size else ""
    roots = roots[:size]
    threads = {root.pk: Thread(root) for root in roots}
    if threads:
        shown = settings.KHABAR_COMMENT_REPLIES_SHOWN
        replies = (
            Comment.objects.visible()
            .filter(root_id__in=threads, depth__gt=0)
            .only(*_FIELDS)
            .annotate(rank=Window(RowNumber(), partition_by=F("root_id"), order_by=F("path").asc()))
        )
        for reply in replies.filter(rank__lte=shown).order_by("root_id", "path"):
            threads[reply.root_id].replies.append(reply)
        counts = (
            Comment.objects.visible()
            .filter(root_id__in=threads, depth__gt=0)
            .values_list("root_id")
            .annotate(n=Count("id"))
        )
        for root_id, n in counts:
            threads[root_id].reply_count = n
        _attach_parent_names([r for t in threads.values() for r in [t.root, *t.replies]])
    return ThreadPage(list(threads.values()), next_cursor, "newest" if newest else "oldest")


def more_replies(root: Comment, after_path: str, limit: int = 50) -> tuple[list[Comment], bool]:
    replies = list(
        Comment.objects.visible()
        .filter(root=root, depth__gt=0, path__gt=after_path)
        .only(*_FIELDS)
        .order_by("path")[: limit + 1]
    )
    _attach_parent_names(replies, extra=[root])
    return replies[:limit], len(replies) > limit


def _attach_parent_names(comments: list[Comment], extra=()) -> None:
    """Each reply says whom it answers. Those comments are usually on the page already; the few
    that are not come in one query."""
    by_id = {c.pk: c for c in [*comments, *extra]}

    def answered(c):
        return c.in_reply_to_id or c.parent_id

    missing = {answered(c) for c in comments if answered(c) and answered(c) not in by_id}
    if missing:
        for pk, name in Comment.objects.filter(pk__in=missing).values_list("id", "name"):
            by_id[pk] = Comment(pk=pk, name=name)
    for comment in comments:
        target = by_id.get(answered(comment))
        comment.parent_name = target.name if target else ""
