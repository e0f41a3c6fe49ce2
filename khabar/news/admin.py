"""The Django admin as the editing desk until the newsroom exists: in Arabic, right to left.

Publishing goes through actions.py, from the "Save and publish" button or the list actions.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from khabar.lib.html import clean_body
from khabar.news import actions
from khabar.news.models import Article, Author, Edition, Section, Tag

admin.site.site_header = _("Khabar newsroom")
admin.site.site_title = _("Khabar")
admin.site.index_title = _("Editing desk")


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "language", "locale", "numbering_system", "is_default"]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "edition", "slug", "position"]
    list_filter = ["edition"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "edition", "slug"]
    list_filter = ["edition"]
    search_fields = ["name"]


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


def _publish_messages(request, errors: list[str]) -> None:
    for error in errors:
        messages.error(request, error)


class ArticleForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = [
            "edition", "section", "headline", "lead", "body", "tags", "authors", "source",
            "published_at", "slug", "comment_mode",
        ]  # fmt: skip
        widgets = {"lead": forms.Textarea(attrs={"rows": 3})}

    def clean_published_at(self):
        published_at = self.cleaned_data["published_at"]
        if published_at is None and self.instance.status == Article.Status.PUBLISHED:
            raise ValidationError(_("A published story keeps its publication time."))
        return published_at

    def clean(self):
        data = super().clean()
        edition = data.get("edition")
        foreign = [t.name for t in data.get("tags") or [] if edition and t.edition_id != edition.pk]
        if foreign:
            self.add_error(
                "tags",
                _("These tags belong to another edition: %(tags)s") % {"tags": "، ".join(foreign)},
            )
        return data

    def clean_body(self):
        body = clean_body(self.cleaned_data["body"])
        if not body:
            raise ValidationError(
                _("The body is empty once unsupported markup is removed. Write the story as text.")
            )
        return body


PUBLICATION_FIELDS = [
    "status", "news_code", "published_at", "slug", "comment_mode", "created_at", "updated_at",
]  # fmt: skip


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleForm
    list_display = ["headline", "section", "status", "news_code", "published_at"]
    list_filter = ["edition", "status", "section"]
    search_fields = ["headline", "=news_code"]
    list_select_related = ["section"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["tags"]
    filter_horizontal = ["authors"]
    readonly_fields = ["status", "news_code", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["edition", "section", "headline", "lead", "body"]}),
        (_("Classification"), {"fields": ["tags", "authors", "source"]}),
        (
            _("Publication"),
            {"fields": PUBLICATION_FIELDS},
        ),
    ]
    actions = ["publish_selected", "unpublish_selected"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if "_publish" in request.POST:
            # Inside the admin's transaction: a failure rolls the whole save back.
            actions.do_publish(form.instance)

    def response_add(self, request, obj, post_url_continue=None):
        if "_publish" in request.POST:
            self.message_user(request, _("The story is published."), messages.SUCCESS)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if "_publish" in request.POST:
            self.message_user(request, _("The story is published."), messages.SUCCESS)
        return super().response_change(request, obj)

    @admin.action(description=_("Publish the selected stories"))
    def publish_selected(self, request, queryset):
        done, errors = 0, []
        for article in queryset:
            try:
                actions.do_publish(article)
                done += 1
            except ValidationError as error:
                errors.extend(f"{article.headline}: {m}" for m in error.messages)
        if done:
            self.message_user(
                request,
                ngettext("%(count)d story published.", "%(count)d stories published.", done)
                % {"count": done},
                messages.SUCCESS,
            )
        _publish_messages(request, errors)

    @admin.action(description=_("Unpublish the selected stories"))
    def unpublish_selected(self, request, queryset):
        count = 0
        for article in queryset:
            actions.do_unpublish(article)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d story unpublished.", "%(count)d stories unpublished.", count)
            % {"count": count},
            messages.SUCCESS,
        )
