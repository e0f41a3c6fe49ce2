from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _plan_pushes(sender, article, **kwargs) -> None:
    # Only rows in the story's transaction here; the POSTs run from the queue after commit.
    from khabar.api import webhooks

    webhooks.plan(article)


class ApiConfig(AppConfig):
    """The partner API: stories as IPTC ninjs, for partners holding a key."""

    name = "khabar.api"
    verbose_name = _("Partner API")

    def ready(self):
        from khabar.news.signals import story_changed

        story_changed.connect(_plan_pushes, dispatch_uid="khabar.api.plan_pushes")
