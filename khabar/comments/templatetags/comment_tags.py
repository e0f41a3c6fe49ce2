from django import template
from django.utils.safestring import mark_safe

from khabar.comments.text import render

register = template.Library()


@register.filter
def comment_html(text):
    """A comment's plain text as safe HTML: escaped, paragraphs, nofollow ugc links."""
    return mark_safe(render(text or ""))
