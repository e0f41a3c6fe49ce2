from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "khabar.comments"
    verbose_name = _("Comments")

    def ready(self):
        from django.db.models.signals import post_save

        from khabar.comments import checks  # noqa: F401  (registers the start-up checks)
        from khabar.comments.captcha import forget_open
        from khabar.news.models import Article, Edition
        from khabar.news.signals import story_changed

        story_changed.connect(forget_open, dispatch_uid="khabar.comments.forget_open")
        for model in (Article, Edition):
            post_save.connect(
                forget_open, sender=model, dispatch_uid=f"khabar.comments.forget_open.{model}"
            )
