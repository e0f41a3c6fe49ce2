import json

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.utils import translation
from django.utils.safestring import mark_safe

from khabar.lib.dates import localize_digits
from khabar.lib.html import body_for_readers
from khabar.news.models import reversed_url
from khabar.reader.pages import absolute_url

register = template.Library()

# The characters that could end a <script> element or start markup inside it, replaced one after
# the other: str.translate with a table runs a dictionary lookup per character, a tenth of the
# article page's template time for its JSON-LD.
_SCRIPT_ESCAPES = (("<", "\\u003C"), (">", "\\u003E"), ("&", "\\u0026"))


@register.simple_tag
def path(name, **kwargs):
    """{% url name key=value %} remembered (keyword arguments only): the same address, without
    reversing it again on every page."""
    return reversed_url(name, **kwargs)


# {% asset %}'s addresses: what {% static %} answers, by path. The hashed names are read from the
# manifest when the storage starts, and collectstatic writes them before the server does, so
# they hold for the process; a test that changes the static settings empties this.
_assets: dict[str, str] = {}


@register.simple_tag
def asset(path):
    """{% static path %} remembered: the same address, without asking the storage for it on
    every page (three lookups were a twentieth of the article page)."""
    url = _assets.get(path)
    if url is None:
        url = _assets[path] = static(path)
    return url


@receiver(setting_changed)
def _static_settings_changed(setting, **kwargs):
    if setting in {"STATIC_URL", "STATIC_ROOT", "STORAGES", "DEBUG", "STATICFILES_DIRS"}:
        _assets.clear()


@register.filter(expects_localtime=True)
def iso(moment):
    """A moment in ISO 8601 for machines (<time datetime>, meta tags): what |date:'c' writes,
    without Django's general date formatter."""
    return moment.isoformat() if moment else ""


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
    text = json.dumps(data, ensure_ascii=False)
    for character, escaped in _SCRIPT_ESCAPES:
        text = text.replace(character, escaped)
    return mark_safe(text)


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


class EditionFragmentNode(template.Node):
    """{% edition_fragment "name" value … %}…{% end_edition_fragment %}: the enclosed part,
    rendered once per edition, language and given values, then reused.

    Made for what every page of an edition repeats (the masthead with the sections' navigation,
    the footer): their nodes were a third of the article page's template time. The memo hangs
    on the Edition object, which reader.queries keeps per process and replaces whenever an
    edition or a section changes, so a rename shows as soon as the navigation does. The values
    named in the tag are everything else the part reads (compared by identity and kept alive
    with the memo, so that a freed object's identity cannot be taken by another); a part that
    reads anything not named there must not be wrapped. With KHABAR_CHECK_FRAGMENTS on (the
    test suite sets it) each use renders afresh and fails if the memo differs, so a value
    forgotten in the tag fails the first test that renders two pages differing in it."""

    MAX_KEPT = 32  # per edition object: the variants of a few pages (current section, …)

    def __init__(self, name, values, nodelist):
        self.name, self.values, self.nodelist = name, values, nodelist

    def render(self, context):
        edition = context.get("edition")
        if edition is None:
            return self.nodelist.render(context)
        values = tuple(value.resolve(context) for value in self.values)
        key = (self.name, translation.get_language(), *map(_identity, values))
        memo = edition.__dict__.setdefault("_reader_fragments", {})
        kept = memo.get(key)
        if kept is None or not all(map(_same, kept[0], values)):
            if len(memo) >= self.MAX_KEPT:
                memo.clear()
            kept = memo[key] = (values, self.nodelist.render(context))
        elif getattr(settings, "KHABAR_CHECK_FRAGMENTS", False):
            fresh = self.nodelist.render(context)
            if fresh != kept[1]:
                raise AssertionError(
                    f"edition_fragment {self.name!r} reads something its tag does not name"
                )
        return kept[1]


def _same(kept, value) -> bool:
    return kept == value if _by_value(value) else kept is value


def _by_value(value) -> bool:
    return value is None or isinstance(value, int | str)


def _identity(value):
    # Numbers, strings and None compare by value; anything else (a list of sections) by identity.
    return value if _by_value(value) else ("id", id(value))


@register.tag
def edition_fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("edition_fragment needs a name")
    nodelist = parser.parse(("end_edition_fragment",))
    parser.delete_first_token()
    return EditionFragmentNode(
        bits[1].strip("\"'"), [parser.compile_filter(bit) for bit in bits[2:]], nodelist
    )
