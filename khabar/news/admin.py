"""The Django admin, in Arabic and right to left, for the administrators' part of the work:
editions, sections, tags, authors and users. Stories live in the newsroom."""

from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import transaction
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from khabar.news.models import Article, Author, Edition, Section, Tag

admin.site.site_header = _("Khabar newsroom")
admin.site.site_title = _("Khabar")
admin.site.index_title = _("Administration")
admin.site.site_url = "/desk/"


def yes_no(value) -> str:
    """Django's yes/no icon with its text alternative in the reader's language: the admin's own
    boolean columns write "True" and "False" whatever the language."""
    icon = static("admin/img/icon-yes.svg" if value else "admin/img/icon-no.svg")
    return format_html('<img src="{}" alt="{}">', icon, _("Yes") if value else _("No"))


def boolean_field(name: str, model):
    """A read-only column or field showing model field `name` as yes_no, under its label."""

    @admin.display(description=model._meta.get_field(name).verbose_name, ordering=name)
    def show(obj):
        return yes_no(getattr(obj, name))

    show.__name__ = f"{name}_shown"
    return show


class TranslatedHistory:
    """Keeps an object's history readable in every language. Django records which fields a
    change touched by their form labels in English, capitalised ("Description"), and translates
    them when the history is shown; our catalogues, like Django's own, hold a field's name as
    the model writes it ("description"). So the model's names are recorded instead."""

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        with translation.override(None):
            names = [_field_name(form, name) for name in form.changed_data]
        for entry in message:
            if "changed" in entry and "name" not in entry["changed"]:
                entry["changed"]["fields"] = names
        return message


def _field_name(form, name: str) -> str:
    try:
        return str(form._meta.model._meta.get_field(name).verbose_name)
    except (AttributeError, FieldDoesNotExist):
        return str(form.fields[name].label or name)


@admin.register(Edition)
class EditionAdmin(TranslatedHistory, admin.ModelAdmin):
    list_display = [
        "name", "code", "language", "locale", "numbering_system", "calendar",
        boolean_field("is_default", Edition),
        boolean_field("moderate_first_comments", Edition),
    ]  # fmt: skip


@admin.register(Section)
class SectionAdmin(TranslatedHistory, admin.ModelAdmin):
    list_display = ["name", "edition", "slug", "position"]
    list_filter = ["edition"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(TranslatedHistory, admin.ModelAdmin):
    list_display = ["name", "edition", "slug", "linked"]
    list_filter = ["edition"]
    search_fields = ["name"]
    # Linked with the list's actions, which check one tag per edition: a select of every group
    # in the form would be long and unreadable.
    exclude = ["translation_group"]
    actions = ["link_selected", "unlink_selected"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("edition")
            .prefetch_related("translation_group__tags__edition")
        )

    @admin.display(description=_("linked tags"))
    def linked(self, tag):
        if tag.translation_group is None:
            return ""
        others = [t for t in tag.translation_group.tags.all() if t.pk != tag.pk]
        return ", ".join(f"{t.name} ({t.edition.name})" for t in others)

    @admin.action(
        description=_("Link the selected tags: one tag in several editions"),
        permissions=["change"],
    )
    def link_selected(self, request, queryset):
        from khabar.news.translations import link_tags

        tags = list(queryset.order_by("-edition__is_default", "edition__code"))
        try:
            with transaction.atomic():
                for other in tags[1:]:
                    link_tags(tags[0], other)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            self.message_user(request, _("The tags are linked."), messages.SUCCESS)

    @admin.action(description=_("Unlink the selected tags"), permissions=["change"])
    def unlink_selected(self, request, queryset):
        queryset.update(translation_group=None)
        self.message_user(request, _("The tags are no longer linked."), messages.SUCCESS)


@admin.register(Author)
class AuthorAdmin(TranslatedHistory, admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Article)
class ArticleAdmin(TranslatedHistory, admin.ModelAdmin):
    """Stories are written, published and corrected in the newsroom (/desk/), where roles,
    revisions and conflicts are handled; here they can only be looked up."""

    list_display = ["headline", "section", "status", "news_code", "published_at", "desk_link"]
    list_filter = ["edition", "status", "section"]
    search_fields = ["headline", "=news_code"]
    list_select_related = ["section"]
    date_hierarchy = "published_at"

    @admin.display(description=_("Newsroom"))
    def desk_link(self, article):
        return format_html('<a href="{}">{}</a>', reverse("newsroom_edit", args=[article.pk]),
                           _("Open in the newsroom"))  # fmt: skip

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
