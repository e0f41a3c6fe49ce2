from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The partner API: stories as IPTC ninjs, for partners holding a key."""

    name = "khabar.api"
    verbose_name = _("Partner API")
