from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _sync_story(sender, article, **kwargs) -> None:
    # Looked up at each call, so the index is reached through its one public entry point.
    from khabar.search import backends

    backends.sync(article)


class SearchConfig(AppConfig):
    name = "khabar.search"
    verbose_name = _("Search")

    def ready(self):
        from khabar.news.signals import story_changed

        # The index changes with the story, in its transaction (see story_changed).
        story_changed.connect(_sync_story, dispatch_uid="khabar.search.sync_story")
