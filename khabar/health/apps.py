from django.apps import AppConfig


class HealthConfig(AppConfig):
    """GET /health for load balancers: can this app server answer readers? No models, nothing
    shown to people (hence no translated name)."""

    name = "khabar.health"
