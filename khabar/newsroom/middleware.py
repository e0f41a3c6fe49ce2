"""The admin speaks its user's language."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers


def interface_language(request) -> str:
    """The language the person chose from the admin's language menu (Django's language cookie,
    set by the set_language view), else the site's: Arabic unless KHABAR_LANGUAGE says
    otherwise. The browser's Accept-Language is not asked: an Arabic newsroom's machines are
    often set up in English, and the admin has always been Arabic by default."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen in dict(settings.LANGUAGES):
        return chosen
    return settings.LANGUAGE_CODE


class AdminLanguageMiddleware:
    """Activates interface_language() for the admin's pages only. Reader pages keep their
    edition's language, and the same bytes for every reader whatever cookie they carry."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(reverse("admin:index")):
            return self.get_response(request)
        language = interface_language(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ["Cookie"])
        return response
