"""The newsroom's template helpers: the top bar's links per role, and numbers in the interface
language's digits."""

from django import template
from django.urls import reverse
from django.utils import translation

from khabar.lib.dates import localize_digits
from khabar.newsroom import roles

register = template.Library()

# The digits each interface language writes. CLDR's default for a bare "ar" is Latin, but the
# newsroom works beside the Arabic edition (ar_IQ, Arabic-Indic digits): one page must not mix
# both, so the interface follows the editions' numbering.
INTERFACE_NUMBERING = {"ar": "arab", "fa": "arabext"}


def interface_numbering() -> str:
    language = (translation.get_language() or "").split("-")[0]
    return INTERFACE_NUMBERING.get(language, "latn")


@register.filter
def interface_digits(value):
    """A number (a count, a page, a revision) in the interface language's digits."""
    return localize_digits(str(value), interface_numbering())


@register.simple_tag(takes_context=True)
def desk_links(context):
    """The top bar's links: only pages this person can open (the desk, the moderation queue,
    the admin), so no link leads a role to a refusal."""
    user = context.get("user")
    request = context.get("request")
    path = request.path if request is not None else ""
    queue = reverse("desk_comments")
    links = []
    if roles.can(user, "desk"):
        desk = reverse("newsroom_desk")
        here = path.startswith(desk) and not path.startswith(queue)
        links.append({"url": desk, "label": translation.gettext("Desk"), "current": here})
    if roles.can_moderate(user):
        links.append({"url": queue, "label": translation.gettext("Moderation queue"),
                      "current": path.startswith(queue)})  # fmt: skip
    if roles.can_use_admin(user):
        label = translation.gettext("Administration")
        links.append({"url": reverse("admin:index"), "label": label, "current": False})
    return links


@register.filter
def revision_name(number):
    """A revision as the newsroom names it everywhere (see actions.revision_name)."""
    from khabar.newsroom.actions import revision_name as name

    return name(number, interface_numbering())


@register.filter
def edition_name(edition):
    """An edition as the desk names it, in the interface language (roles.edition_label)."""
    return roles.edition_label(edition)


@register.simple_tag
def desk_languages():
    """The desk's languages for its language menu, each named in itself (العربية, فارسی,
    English), as a person looks for their own language in a list they may not read."""
    from django.conf import settings

    return [
        (code, translation.get_language_info(code)["name_local"], code)
        for code, _name in settings.LANGUAGES
    ]
