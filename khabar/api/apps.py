from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The partner API: stories as IPTC ninjs, for partners holding a key."""

    name = "khabar.api"
    verbose_name = "partner API"
