from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class NewsroomConfig(AppConfig):
    name = "khabar.newsroom"
    verbose_name = _("Newsroom")

    def ready(self):
        from khabar.newsroom.roles import ensure_roles

        post_migrate.connect(ensure_roles, sender=self)
