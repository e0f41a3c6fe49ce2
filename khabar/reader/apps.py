from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReaderConfig(AppConfig):
    name = "khabar.reader"
    verbose_name = _("Reader pages")

    def ready(self):
        # Connects the signals that tell every process an edition or a section changed, in
        # every process that may save one (servers, workers, management commands).
        from khabar.reader import queries  # noqa: F401
