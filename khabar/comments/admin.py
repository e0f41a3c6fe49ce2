"""Comment records in the admin: the held-word list is kept here; bans and the moderation log
can be reviewed. Day-to-day moderation happens in the queue at /desk/comments/."""

from django.contrib import admin

from khabar.comments.models import Ban, Comment, HeldWord, ModerationLog
from khabar.news.admin import TranslatedHistory, boolean_field


@admin.register(HeldWord)
class HeldWordAdmin(TranslatedHistory, admin.ModelAdmin):
    list_display = ["phrase", "normalized", "created_at"]
    search_fields = ["phrase", "normalized"]
    readonly_fields = ["normalized"]


@admin.register(Ban)
class BanAdmin(TranslatedHistory, admin.ModelAdmin):
    list_display = ["kind", "reason", "created_by", "created_at"]
    list_filter = ["kind"]
    readonly_fields = ["kind", "value_hash", "created_by", "created_at"]

    def has_add_permission(self, request):
        return False  # bans are made from a comment in the queue, where the hash is known


@admin.register(ModerationLog)
class ModerationLogAdmin(TranslatedHistory, admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "comment", "note"]
    list_filter = ["action"]
    list_select_related = ["actor", "comment"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Comment)
class CommentAdmin(TranslatedHistory, admin.ModelAdmin):
    list_display = ["name", "article", "status", boolean_field("featured", Comment), "created_at"]
    list_filter = ["status", "featured"]
    search_fields = ["name", "body"]
    list_select_related = ["article"]
    # Shown read-only, as yes/no icons in the reader's language, never as checkboxes.
    exclude = ["featured", "solved_captcha", "notify_on_publish", "notify_on_reply"]
    readonly_fields = [
        "article", "parent", "root", "depth", "path", "email", "email_hash", "network_hash",
        "status", "held_reason", boolean_field("featured", Comment),
        boolean_field("solved_captcha", Comment), "created_at", "approved_at", "edited_at",
        "edit_note", "body", "name", boolean_field("notify_on_publish", Comment),
        boolean_field("notify_on_reply", Comment),
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False  # comments come from readers; their states change in the queue

    def has_delete_permission(self, request, obj=None):
        return False  # a deletion here would bypass the counts and the audit log
