import json

from django import template
from django.utils.safestring import mark_safe

from khabar.lib.dates import localize_digits
from khabar.lib.html import body_for_readers
from khabar.news.models import reversed_url
from khabar.reader.pages import absolute_url

register = template.Library()

# The characters that could end a <script> element or start markup inside it.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag
def path(name, **kwargs):
    """{% url name key=value %} remembered (keyword arguments only): the same address, without
    reversing it again on every page."""
    return reversed_url(name, **kwargs)


@register.filter
def edition_datetime(moment, edition):
    """A moment as the edition writes it: ٢٦/٠١/٢٠٢٤، ٩:٢٧ م for the Arabic edition."""
    if not moment:
        return ""
    return edition.format_datetime(moment)


@register.filter
def edition_digits(value, edition):
    """A number in the edition's digits (page numbers, counts)."""
    return localize_digits(str(value), edition.numbering_system)


@register.filter
def ld_json(data):
    """JSON for a <script type="application/ld+json"> element, safe inside HTML."""
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES))


@register.filter
def body_html(article):
    """A story's body as its page shows it, blocks with dir="auto". Cleaned once, when saved:
    only a body without a valid seal of that save (rows written around Article.save, fixtures,
    bulk updates, rules changed since) is cleaned again here."""
    return mark_safe(body_for_readers(article.body, article.body_seal))


@register.simple_tag(takes_context=True)
def short_link(context, article):
    """The story's short link as a whole address: on paper it is the way back to the story,
    so it is printed in full."""
    return absolute_url(context["request"], article.get_short_url())
