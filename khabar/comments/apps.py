from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

# Groups that may moderate comments. The newsroom's roles will build on these.
MODERATING_GROUPS = ["Moderators", "Editors"]


def ensure_moderator_groups(sender, using="default", **kwargs):
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    # Our receiver may run before auth's own: make sure the permission exists first.
    create_permissions(sender, verbosity=0, using=using)
    try:
        permission = Permission.objects.get(
            codename="moderate_comment", content_type__app_label="comments"
        )
    except Permission.DoesNotExist:
        return
    for name in MODERATING_GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(permission)


class CommentsConfig(AppConfig):
    name = "khabar.comments"
    verbose_name = _("Comments")

    def ready(self):
        post_migrate.connect(ensure_moderator_groups, sender=self)
