"""The admin and the desk speak their user's language; reader pages keep their edition's."""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

from khabar.news.models import reversed_url


def interface_language(request) -> str:
    """The language the person chose from the admin's language menu or the desk's (Django's
    language cookie, set by either), else the desk language stored for them, else the site's:
    Arabic unless KHABAR_LANGUAGE says otherwise. The browser's Accept-Language is not asked:
    an Arabic newsroom's machines are often set up in English, and the admin has always been
    Arabic by default."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen in dict(settings.LANGUAGES):
        return chosen
    return stored_language(getattr(request, "user", None)) or settings.LANGUAGE_CODE


def stored_language(user) -> str:
    """The desk language the person chose (DeskProfile.language), "" when they chose none."""
    if user is None or not user.is_authenticated:
        return ""
    if not hasattr(user, "_desk_language"):
        from khabar.newsroom.roles import load_desk_settings

        load_desk_settings(user)
    return user._desk_language if user._desk_language in dict(settings.LANGUAGES) else ""


def desk_language(request) -> str:
    """The desk's language: the one stored for the person, wherever they log in from, else
    the cookie's or the site's as in the admin. It is independent of the stories' editions: an
    English story is edited in an Arabic desk, and the other way round."""
    return stored_language(getattr(request, "user", None)) or interface_language(request)


class AdminLanguageMiddleware:
    """Activates the person's language for the admin's pages (interface_language) and the
    desk's (desk_language: the newsroom, the moderation queue). Reader pages keep their
    edition's language, and the same bytes for every reader whatever cookie they carry."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        # Remembered addresses: two reverse() calls on every request were a fiftieth of a
        # reader page, which this middleware leaves alone.
        if path.startswith(reversed_url("admin:index")):
            language = interface_language(request)
        elif path.startswith(reversed_url("newsroom_desk")):
            language = desk_language(request)
        else:
            return self.get_response(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ["Cookie"])
        return response
