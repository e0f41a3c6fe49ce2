"""Role changes are made by administrators in the admin; each one goes to the audit log."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from khabar.newsroom.models import AuditEntry

admin.site.unregister(User)


@admin.register(User)
class AuditedUserAdmin(UserAdmin):
    def get_readonly_fields(self, request, obj=None):
        """Administrators give roles (groups); only a superuser makes superusers or grants
        single permissions, and nobody changes their own roles."""
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser", "user_permissions"]
        if obj is not None and obj.pk == request.user.pk:
            fields += ["groups", "is_staff", "is_superuser"]
        return fields

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
