"""Partners and their keys in the admin. Administrators and superusers manage them (the
Administrators role holds the api permissions, newsroom/roles.py); a key is made here and shown
once, in the message after saving."""

from django.apps import apps
from django.contrib import admin, messages
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from khabar.api import keys, webhooks
from khabar.api.models import ApiKey, Delivery, Partner, Webhook
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


class PartOfThePartner:
    """The webhook and its log are part of the partner: whoever may change a partner may set its
    webhook, and whoever may see partners may read their deliveries (the roles hold the
    partner's permissions, newsroom/roles.py)."""

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("api.view_partner")

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm("api.change_partner")

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("api.change_partner")

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("api.change_partner")


class WebhookInline(PartOfThePartner, admin.StackedInline):
    model = Webhook
    fields = ["url", "ninjs_version", "is_active", "delivery_log"]
    readonly_fields = ["delivery_log"]
    max_num = 1
    extra = 0
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description=_("delivery log"))
    def delivery_log(self, obj):
        if not obj.pk:
            return "—"
        url = reverse("admin:api_delivery_changelist") + f"?partner__id__exact={obj.partner_id}"
        return format_html('<a href="{}">{}</a>', url, _("Deliveries to this webhook"))


@admin.register(Partner)
class PartnerAdmin(TranslatedHistory, admin.ModelAdmin):
    list_display = ["name", boolean_field("receives_embargoed", Partner),
                    boolean_field("is_active", Partner), "created_at"]  # fmt: skip
    list_filter = ["is_active", "receives_embargoed"]
    search_fields = ["name"]
    filter_horizontal = ["editions"]
    inlines = [WebhookInline, ApiKeyInline]
    actions = ["make_webhook_secrets"]

    def save_formset(self, request, form, formset, change):
        if formset.model is not Webhook:
            return super().save_formset(request, form, formset, change)
        for hook in formset.save(commit=False):
            if not hook.secret:
                hook.secret = webhooks.new_secret()
                self._show_secret(request, form.instance, hook.secret)
            hook.save()
        for hook in formset.deleted_objects:
            hook.delete()

    def _show_secret(self, request, partner, secret):
        shown_once = _(
            "The webhook secret of %(partner)s is %(secret)s — copy it now and give it to the "
            "partner to check the signatures: it will not be shown again."
        )
        self.message_user(request, shown_once % {"partner": partner, "secret": secret},
                          messages.WARNING)  # fmt: skip

    @admin.action(description=_("Make new webhook secrets"), permissions=["change"])
    def make_webhook_secrets(self, request, queryset):
        for hook in Webhook.objects.filter(partner__in=queryset).select_related("partner"):
            hook.secret = webhooks.new_secret()
            hook.save(update_fields=["secret"])
            self._show_secret(request, hook.partner, hook.secret)


@admin.register(Delivery)
class DeliveryAdmin(PartOfThePartner, admin.ModelAdmin):
    """The log of pushes, read-only: what was sent, how often, and how it ended."""

    list_display = ["uuid", "partner", "article", "event", "status", "attempts",
                    "last_http_status", "created_at", "last_attempt_at", "finished_at"]  # fmt: skip
    list_filter = ["status", "event", "partner"]
    list_select_related = ["partner", "article"]
    search_fields = ["uuid", "article__headline", "partner__name"]
    fields = ["uuid", "partner", "article", "event", "status", "not_before", "attempts",
              "last_attempt_at", "last_http_status", "last_error", "sent_version",
              "created_at", "finished_at"]  # fmt: skip
    readonly_fields = fields
    date_hierarchy = "created_at"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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


if apps.is_installed("django_tasks_db"):
    # The queue's own admin is English only and shows task internals; the delivery log above
    # is what an administrator reads. Imported first so that it is registered, then taken off.
    from django_tasks_db import admin as _queue_admin  # noqa: F401
    from django_tasks_db.models import DBTaskResult

    if admin.site.is_registered(DBTaskResult):
        admin.site.unregister(DBTaskResult)
