from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class NewsroomConfig(AppConfig):
    name = "khabar.newsroom"
    verbose_name = _("Newsroom")

    def ready(self):
        from django.contrib.auth.models import Group, Permission
        from django.contrib.auth.signals import user_logged_out

        from khabar.newsroom.actions import end_edit_sessions
        from khabar.newsroom.roles import ensure_roles, permission_name, role_name

        post_migrate.connect(ensure_roles, sender=self)
        # Who logs out stops "editing" every story they had open.
        user_logged_out.connect(end_edit_sessions, dispatch_uid="end_edit_sessions")
        # Roles and permissions are shown in the reader's language wherever Django writes one
        # (choice widgets, filters, breadcrumbs, deletion pages, read-only fields, history).
        # Neither model can be swapped for one of ours, and the stored names stay what code and
        # data refer to; only how they read changes.
        Group.__str__ = role_name
        Permission.__str__ = permission_name
