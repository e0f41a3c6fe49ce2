"""The editor's translations panel (newsroom/includes/translations.html) reads its data here,
so that the editor's view and its context stay as they are."""

from django import template

from khabar.newsroom import translate

register = template.Library()


@register.simple_tag(takes_context=True)
def translation_panel(context, article):
    return translate.panel(context["request"].user, article)
