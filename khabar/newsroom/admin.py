"""Users and roles in the admin. Role changes are made by administrators here; each one goes
to the audit log. Roles and permissions are shown in the administrator's language (see
roles.role_name and roles.permission_name)."""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
from django.contrib.auth.models import Group, User
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from khabar.news.admin import TranslatedHistory, boolean_field, yes_no
from khabar.newsroom.models import AuditEntry
from khabar.newsroom.roles import ROLE_NAMES, role_name


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


admin.site.unregister(Group)


@admin.register(Group)
class RoleAdmin(TranslatedHistory, RolesOnlyDeletion, GroupAdmin):
    """Roles. The four built-in roles keep their stored names, which the code refers to: the
    form shows their name in the reader's language, read-only; their permissions can change."""

    def get_fields(self, request, obj=None):
        if obj is not None and obj.name in ROLE_NAMES:
            return ["role", "permissions"]
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.name in ROLE_NAMES:
            fields.append("role")
        return fields

    @admin.display(description=_("name"))
    def role(self, group):
        return role_name(group)


admin.site.unregister(User)


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
            # A permission's name is made from its content type's model (as GroupAdmin does).
            kwargs["queryset"] = db_field.remote_field.model.objects.select_related("content_type")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # A flag someone may only read is shown as a yes/no icon in the reader's language (Django's
    # read-only booleans write "True" and "False"), in the field's place on the page.
    SHOWN_FLAGS = {"is_staff": "is_staff_shown", "is_superuser": "is_superuser_shown"}
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
        # The flag keeps its own name here too, so that the form never holds it.
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

    def save_related(self, request, form, formsets, change):
        before = set(form.instance.groups.values_list("name", flat=True)) if change else set()
        was_superuser = form.initial.get("is_superuser", False)
        super().save_related(request, form, formsets, change)
        after = set(form.instance.groups.values_list("name", flat=True))
        notes = []
        if before != after:
            notes.append(f"{', '.join(sorted(before)) or '-'} → {', '.join(sorted(after)) or '-'}")
        if bool(was_superuser) != form.instance.is_superuser:
            notes.append(f"superuser: {form.instance.is_superuser}")
        if notes:
            AuditEntry.objects.create(
                actor=request.user,
                action=AuditEntry.Action.ROLE,
                note=f"{form.instance.get_username()}: {'; '.join(notes)}",
            )
