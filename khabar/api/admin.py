"""Partners and their keys in the admin. Administrators and superusers manage them (the
Administrators role holds the api permissions, newsroom/roles.py); a key is made here and shown
once, in the message after saving."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from khabar.api import keys
from khabar.api.models import ApiKey, Partner
from khabar.news.admin import TranslatedHistory, boolean_field


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    fields = ["prefix", "label", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False  # keys are made on their own page, where the new key is shown


@admin.register(Partner)
class PartnerAdmin(TranslatedHistory, admin.ModelAdmin):
    list_display = ["name", boolean_field("receives_embargoed", Partner),
                    boolean_field("is_active", Partner), "created_at"]  # fmt: skip
    list_filter = ["is_active", "receives_embargoed"]
    search_fields = ["name"]
    filter_horizontal = ["editions"]
    inlines = [ApiKeyInline]


@admin.register(ApiKey)
class ApiKeyAdmin(TranslatedHistory, admin.ModelAdmin):
    list_display = ["prefix", "partner", "label", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["partner"]
    list_select_related = ["partner"]
    search_fields = ["prefix", "label", "partner__name"]
    actions = ["revoke_keys"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["partner", "label"]
        return ["partner", "label", "prefix", "created_at", "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["partner", "prefix", "created_at", "last_used_at", "revoked_at"]

    def save_model(self, request, obj, form, change):
        if change:
            # Only the label: a stale form must not put back a use or a revocation.
            obj.save(update_fields=["label"])
            return
        key = keys.fill_new_key(obj)
        obj.save()
        shown_once = _(
            "The new key is %(key)s — copy it now: it is stored only as a hash and will not be "
            "shown again."
        )
        self.message_user(request, shown_once % {"key": key}, messages.WARNING)

    @admin.action(description=_("Revoke the selected keys"), permissions=["change"])
    def revoke_keys(self, request, queryset):
        count = keys.revoke(queryset, timezone.now())
        self.message_user(
            request,
            ngettext("%(count)s key revoked.", "%(count)s keys revoked.", count) % {"count": count},
            messages.SUCCESS,
        )

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, never deleted: the record of who held a key stays
