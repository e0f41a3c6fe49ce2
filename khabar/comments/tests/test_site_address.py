"""E-mail to readers carries links to the site: with a real e-mail back-end and no
KHABAR_SITE_URL, nothing is sent (the links would point at 127.0.0.1), and start-up says so."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.mail.backends.base import BaseEmailBackend

from khabar.comments import checks, notify

pytestmark = pytest.mark.django_db

SENT = []
REAL_BACKEND = f"{__name__}.RecordingBackend"


class RecordingBackend(BaseEmailBackend):
    """Stands for SMTP: a back-end that is not one of the local ones, so it counts as real."""

    def send_messages(self, messages):
        SENT.extend(messages)
        return len(messages)


@pytest.fixture(autouse=True)
def _clear():
    SENT.clear()


def test_no_email_without_a_site_address_in_production(settings, edition):
    settings.EMAIL_BACKEND = REAL_BACKEND
    settings.SITE_URL = ""
    notify.send_privacy_link("reader@example.org", edition)
    assert SENT == []


def test_email_with_a_site_address_in_production(settings, edition):
    settings.EMAIL_BACKEND = REAL_BACKEND
    settings.SITE_URL = "https://news.example"
    notify.send_privacy_link("reader@example.org", edition)
    assert len(SENT) == 1
    assert "https://news.example/ar/comments/privacy/" in SENT[0].body
    assert "127.0.0.1" not in SENT[0].body


def test_development_backends_still_send_with_the_local_address(settings, mailoutbox, edition):
    settings.SITE_URL = ""
    notify.send_privacy_link("reader@example.org", edition)
    assert len(mailoutbox) == 1
    assert "http://127.0.0.1:8000/ar/comments/privacy/" in mailoutbox[0].body


def test_check_warns_without_a_site_address(settings):
    settings.EMAIL_BACKEND = REAL_BACKEND
    settings.SITE_URL = ""
    assert [issue.id for issue in checks.check_site_address()] == ["khabar.comments.W001"]
    settings.SITE_URL = "https://news.example"
    assert checks.check_site_address() == []
    settings.SITE_URL = "news.example"  # no scheme: links in e-mail would not work
    assert [issue.id for issue in checks.check_site_address()] == ["khabar.comments.E001"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.SITE_URL = ""
    assert checks.check_site_address() == []


def test_manage_py_check_says_so_at_start_up(tmp_path):
    """The check is registered with Django: `manage.py check` (and runserver) show it."""
    root = Path(__file__).resolve().parents[3]
    env = {k: v for k, v in os.environ.items() if k not in ("KHABAR_SITE_URL", "DATABASE_URL")}
    env.update(
        KHABAR_DATA_DIR=str(tmp_path),
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=root, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert "khabar.comments.W001" in result.stdout + result.stderr
    env["KHABAR_SITE_URL"] = "https://news.example"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=root, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0
    assert "khabar.comments.W001" not in result.stdout + result.stderr
