"""Start-up checks (runserver and `manage.py check` show them): e-mail to readers carries links
to the site, so a server that really sends e-mail must know the site's public address."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

# Back-ends that deliver nothing to anyone: development and tests. With any other one, a link
# to http://127.0.0.1:8000 would reach real readers.
LOCAL_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}


def sends_real_email() -> bool:
    return settings.EMAIL_BACKEND not in LOCAL_EMAIL_BACKENDS


def site_address_missing() -> bool:
    """True when e-mail would go to real mailboxes with links to a made-up address."""
    return sends_real_email() and not settings.SITE_URL


@checks.register(checks.Tags.compatibility)
def check_site_address(app_configs=None, **kwargs):
    errors = []
    if settings.SITE_URL:
        parts = urlsplit(settings.SITE_URL)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            errors.append(
                checks.Error(
                    f"KHABAR_SITE_URL is {settings.SITE_URL!r}, not an address such as "
                    "https://news.example.",
                    hint="Set KHABAR_SITE_URL to the site's public address, with its scheme.",
                    id="khabar.comments.E001",
                )
            )
    elif site_address_missing():
        errors.append(
            checks.Warning(
                f"E-mail is sent with {settings.EMAIL_BACKEND} but KHABAR_SITE_URL is not set: "
                "no e-mail to readers (notifications, confirmation and privacy links) will be "
                "sent, as their links would not lead to the site.",
                hint="Set KHABAR_SITE_URL to the site's public address, e.g. https://news.example.",
                id="khabar.comments.W001",
            )
        )
    return errors
