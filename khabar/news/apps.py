from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _forget_go_live(sender, article, **kwargs) -> None:
    from khabar.news.surrogate import forget_go_live

    forget_go_live(article.edition_id)


class NewsConfig(AppConfig):
    name = "khabar.news"
    verbose_name = _("News")

    def ready(self):
        from khabar.news.signals import story_changed

        # A story scheduled, embargoed or published moves the edition's next go-live moment.
        story_changed.connect(_forget_go_live, dispatch_uid="khabar.news.forget_go_live")
