from django import template
from django.utils.safestring import mark_safe

from khabar.comments import render
from khabar.comments.text import render as render_text

register = template.Library()


@register.filter
def comment_html(text):
    """A comment's plain text as safe HTML: escaped, paragraphs, nofollow ugc links."""
    return mark_safe(render_text(text or ""))


@register.simple_tag
def comment_item(comment, edition, own=False, closed=False):
    return render.comment_item(comment, edition, own=own, closed=closed)


@register.simple_tag
def comment_threads(page, edition, article, closed=False):
    return mark_safe(
        "".join(render.thread_items(t, edition, article, closed=closed) for t in page.threads)
    )


@register.filter
def hold_reasons(codes):
    from khabar.comments.rules import describe_hold

    return describe_hold(codes or "")


@register.filter
def ui_digits(value):
    from khabar.comments.desk import interface_digits

    return interface_digits(value)
