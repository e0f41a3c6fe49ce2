"""Users and roles in the admin. Role changes are made by administrators here; every change to
an account goes to the audit log. Roles and permissions are shown in the administrator's language
(see roles.role_name and roles.permission_name).

Who may change whom is decided in khabar.newsroom.accounts: someone who is not a superuser sees
a superuser's account (or one with rights beyond their reach) read-only and cannot change its
password or delete it, gives only roles within their reach, and never changes what a role
allows."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    SetUnusablePasswordMixin,
    UserChangeForm,
)
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import ValidationError
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from khabar.news.admin import TranslatedHistory, boolean_field, yes_no
from khabar.news.models import Edition
from khabar.newsroom import accounts
from khabar.newsroom.models import AuditEntry, DeskProfile
from khabar.newsroom.roles import ROLE_NAMES, edition_label, role_name


class RolesOnlyDeletion:
    """What a deletion takes with it, without the rows that tie people, roles and permissions
    together: Django lists each as "Group_permissions object (178)", in English, where the
    person or role itself is what matters."""

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        links = [Group.permissions.through, User.groups.through, User.user_permissions.through]
        names = {str(m._meta.verbose_name_plural) for m in links}
        prefixes = tuple(f"{capfirst(m._meta.verbose_name)}: " for m in links)
        counts = {name: count for name, count in counts.items() if name not in names}
        return _without(deleted, prefixes), counts, perms_needed, protected


def _without(items, prefixes):
    kept = []
    for item in items:
        if isinstance(item, list):
            nested = _without(item, prefixes)
            if nested:
                kept.append(nested)
        elif not str(item).startswith(prefixes):
            kept.append(item)
    return kept


def grantable_permissions():
    """The permissions a role or a person can be given. A permission's name is made from its
    content type's model. django-axes' and the task queue's own are left out: their admin pages
    are off (settings, AXES_ENABLE_ADMIN; api/admin.py), so they would give nothing, and only in
    English."""
    hidden = ["axes", "django_tasks_database"]  # the latter is django-tasks-db's app label
    return Permission.objects.exclude(content_type__app_label__in=hidden).select_related(
        "content_type"
    )


admin.site.unregister(Group)


@admin.register(Group)
class RoleAdmin(TranslatedHistory, RolesOnlyDeletion, GroupAdmin):
    """Roles. The four built-in roles keep their stored names, which the code refers to: the
    form shows their name in the reader's language, read-only; their permissions can change."""

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name == "permissions":
            kwargs["queryset"] = grantable_permissions()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is not None and obj.name in ROLE_NAMES:
            return ["role", "permissions"]
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.name in ROLE_NAMES:
            fields.append("role")
        if not accounts.may_change_role_permissions(request.user):
            fields.append("permissions")
        return fields

    @admin.display(description=_("name"))
    def role(self, group):
        return role_name(group)

    def save_related(self, request, form, formsets, change):
        before = sorted(accounts.role_permissions(form.instance)) if change else []
        super().save_related(request, form, formsets, change)
        after = sorted(accounts.role_permissions(form.instance))
        if before != after:
            AuditEntry.objects.create(
                actor=request.user,
                action=AuditEntry.Action.ROLE,
                note=form.instance.name[:500],
                changes=[{"field": "permissions", "before": before, "after": after}],
            )


admin.site.unregister(User)


class EditionsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, edition):
        return f"{edition_label(edition)} ({edition.code})"


class DeskUserChangeForm(UserChangeForm):
    """The account's form with the person's desk settings: the editions their roles apply in
    (none chosen: all, as for every account before editions could be limited) and their desk
    language (which they also change themselves, in the desk)."""

    desk_editions = EditionsField(
        queryset=Edition.objects.all(),
        required=False,
        label=_("editions"),
        help_text=_(
            "The editions in which this person's roles apply; none chosen means all editions."
        ),
        widget=forms.CheckboxSelectMultiple,
    )
    desk_language = forms.ChoiceField(
        label=_("desk language"),
        required=False,
        choices=[("", "—"), *settings.LANGUAGES],
        help_text=_("The language of the newsroom's pages for this person; empty for the site's."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        profile = DeskProfile.objects.filter(user_id=self.instance.pk).first()
        if profile is not None:
            self.fields["desk_editions"].initial = list(profile.editions.all())
            self.fields["desk_language"].initial = profile.language

    def save_desk_profile(self) -> None:
        editions = self.cleaned_data.get("desk_editions") or []
        language = self.cleaned_data.get("desk_language") or ""
        profile = DeskProfile.objects.filter(user=self.instance).first()
        if profile is None and not editions and not language:
            return  # nothing to keep: the account works as every account did
        profile = profile or DeskProfile.objects.create(user=self.instance)
        profile.language = language
        profile.save(update_fields=["language"])
        profile.editions.set(editions)


class PasswordChangeForm(AdminPasswordChangeForm):
    # Django joins this help text to its warning when its forms module is imported, which fixes
    # the text in the language active at start-up (and leaves the warning in English): built
    # lazily here, every admin reads it in their own language.
    usable_password_help_text = format_lazy(
        "{}{}",
        SetUnusablePasswordMixin.usable_password_help_text,
        format_lazy(
            '<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
            _("If disabled, the current password for this user will be lost."),
        ),
    )


@admin.register(User)
class AuditedUserAdmin(TranslatedHistory, RolesOnlyDeletion, UserAdmin):
    change_password_form = PasswordChangeForm
    form = DeskUserChangeForm
    fieldsets = [
        *UserAdmin.fieldsets,
        (_("Newsroom"), {"fields": ["desk_editions", "desk_language"]}),
    ]
    list_display = ["username", "email", "first_name", "last_name", "staff", "roles"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("staff status"), ordering="is_staff")
    def staff(self, user):
        return yes_no(user.is_staff)

    @admin.display(description=_("roles"))
    def roles(self, user):
        names = sorted(role_name(group) for group in user.groups.all())
        return pgettext("list separator", ", ").join(names)

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name == "user_permissions":
            kwargs["queryset"] = grantable_permissions()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # A flag someone may only read is shown as a yes/no icon in the reader's language (Django's
    # read-only booleans write "True" and "False"), in the field's place on the page.
    SHOWN_FLAGS = {
        "is_active": "is_active_shown",
        "is_staff": "is_staff_shown",
        "is_superuser": "is_superuser_shown",
    }
    is_active_shown = staticmethod(boolean_field("is_active", User))
    is_staff_shown = staticmethod(boolean_field("is_staff", User))
    is_superuser_shown = staticmethod(boolean_field("is_superuser", User))

    def get_readonly_fields(self, request, obj=None):
        """Administrators give roles (groups); only a superuser makes superusers or grants
        single permissions, and nobody changes their own roles."""
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser", "user_permissions"]
        if obj is not None and obj.pk == request.user.pk:
            fields += ["groups", "is_staff", "is_superuser"]
        if obj is not None and not accounts.may_manage(request.user, obj):
            # Shown read-only (has_change_permission): the flags too, as yes/no in the language.
            fields += ["is_active", "is_staff", "is_superuser"]
        # The flag keeps its own name here too, so that the form never holds it.
        fields = list(dict.fromkeys(fields))
        return fields + [self.SHOWN_FLAGS[name] for name in fields if name in self.SHOWN_FLAGS]

    def get_fieldsets(self, request, obj=None):
        readonly = set(self.get_readonly_fields(request, obj))
        fieldsets = []
        for title, options in super().get_fieldsets(request, obj):
            fields = [
                self.SHOWN_FLAGS[name] if self.SHOWN_FLAGS.get(name) in readonly else name
                for name in options["fields"]
            ]
            fieldsets.append((title, {**options, "fields": fields}))
        return fieldsets

    # Who may change which account (accounts.may_manage). Without the right to change it, Django
    # shows the account read-only and refuses its password page; without the right to delete it,
    # its deletion page.
    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or accounts.may_manage(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or accounts.may_manage(request.user, obj))

    def get_deleted_objects(self, objs, request):
        """The bulk deletion asks no per-object permission: an account that is not the deleter's
        to manage is named among what they may not delete, and Django refuses the deletion."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        beyond = [user for user in objs if not accounts.may_manage(request.user, user)]
        if beyond:
            perms_needed = {*perms_needed, *(user.get_username() for user in beyond)}
        return deleted, counts, perms_needed, protected

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "groups" not in form.base_fields or request.user.is_superuser:
            return form
        actor = request.user

        class RolesWithinReach(form):
            def clean_groups(self):
                groups = self.cleaned_data["groups"]
                held = set(self.instance.groups.all()) if self.instance.pk else set()
                given = [group for group in groups if group not in held]
                beyond = [group for group in given if not accounts.may_give_role(actor, group)]
                if beyond:
                    raise ValidationError(
                        _("You may not give a role with rights you do not hold: %(roles)s"),
                        params={
                            "roles": pgettext("list separator", ", ").join(
                                role_name(g) for g in beyond
                            )
                        },
                    )
                return groups

        return RolesWithinReach

    # The audit log: the account as it was is read before the save, compared after its roles
    # and permissions are saved too.
    def save_model(self, request, obj, form, change):
        if change:
            form.audit_before = accounts.snapshot(type(obj).objects.get(pk=obj.pk))
        super().save_model(request, obj, form, change)

    # Shown in these places when the account is read-only to the person looking at it.
    @admin.display(description=_("editions"))
    def desk_editions(self, user):
        profile = DeskProfile.objects.filter(user=user).first()
        chosen = list(profile.editions.all()) if profile else []
        if not chosen:
            return _("All editions")
        return pgettext("list separator", ", ").join(edition_label(e) for e in chosen)

    @admin.display(description=_("desk language"))
    def desk_language(self, user):
        profile = DeskProfile.objects.filter(user=user).first()
        return profile.get_language_display() if profile and profile.language else "—"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if hasattr(form, "save_desk_profile") and "desk_editions" in form.fields:
            form.save_desk_profile()
        after = accounts.snapshot(form.instance)
        if change:
            action = AuditEntry.Action.ACCOUNT_CHANGE
            changed = accounts.changes(form.audit_before, after)
        else:
            action = AuditEntry.Action.ACCOUNT_CREATE
            changed = accounts.changes({}, after)
        accounts.record(request.user, action, form.instance, changed)

    def delete_model(self, request, obj):
        accounts.record(request.user, AuditEntry.Action.ACCOUNT_DELETE, obj, [])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            accounts.record(request.user, AuditEntry.Action.ACCOUNT_DELETE, user, [])
        super().delete_queryset(request, queryset)

    def construct_change_message(self, request, form, formsets, add=False):
        if not hasattr(form, "_meta"):
            # The password form is not a model's form (TranslatedHistory expects one): Django
            # records it as a change of "password", translated when shown.
            return admin.ModelAdmin.construct_change_message(self, request, form, formsets, add)
        return super().construct_change_message(request, form, formsets, add)

    def user_change_password(self, request, id, form_url=""):
        before = self.get_object(request, id)
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and before is not None:
            after = type(before).objects.get(pk=before.pk)
            if after.password != before.password:
                accounts.record(
                    request.user, AuditEntry.Action.ACCOUNT_CHANGE, after, [{"field": "password"}]
                )
        return response


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit log, read-only: entries are written by the actions and the admin, never by
    hand."""

    list_display = ["created_at", "actor", "action", "subject", "description"]
    list_filter = ["action"]
    list_select_related = ["actor", "article"]
    fields = ["created_at", "actor", "action", "subject", "description"]
    readonly_fields = fields

    @admin.display(description=_("about"))
    def subject(self, entry):
        return entry.article.headline if entry.article else entry.note

    @admin.display(description=_("changes"))
    def description(self, entry):
        return entry.describe() if entry.changes else (entry.note if entry.article else "")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _audited_own_password_change(view):
    """The admin's "change my password" page is the site's, not the user admin's: the change a
    person makes to their own password goes to the audit log too."""

    def password_change(request, extra_context=None):
        before = request.user.password if request.user.is_authenticated else None
        response = view(request, extra_context)
        if request.method == "POST" and before is not None:
            account = User.objects.get(pk=request.user.pk)
            if account.password != before:
                accounts.record(
                    account, AuditEntry.Action.ACCOUNT_CHANGE, account, [{"field": "password"}]
                )
        return response

    return password_change


# Read by admin.site.get_urls() when the URLconf is first loaded, after the admin modules.
admin.site.password_change = _audited_own_password_change(admin.site.password_change)
