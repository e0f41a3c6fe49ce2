from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "khabar.comments"
    verbose_name = _("Comments")

    def ready(self):
        from khabar.comments import checks  # noqa: F401  (registers the start-up checks)
