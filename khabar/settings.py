"""Khabar's one settings module.

Every setting that differs between a laptop and production is an environment variable with a
working default: with nothing set, Khabar runs on SQLite (WAL) under ./var with the local-memory
cache and a secret key generated once and kept in the data directory.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("KHABAR_DATA_DIR") or BASE_DIR / "var").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The SECRET_KEY variable, else a key generated once and kept in the data directory.

    A generated key must survive restarts (sessions and signed tokens depend on it) and must
    never be a constant in the repository.
    """
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = DATA_DIR / "secret_key"
    if not path.exists():
        # Written aside, then linked into place: link() fails if another process got there
        # first, so every process ends up reading the same complete key.
        tmp = path.with_name(f"secret_key.{os.getpid()}")
        tmp.write_text(secrets.token_urlsafe(50))
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


SECRET_KEY = _secret_key()

DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

# The public address of the site, used for canonical links and OpenGraph URLs so that a page's
# bytes do not depend on the Host header a reader happened to send. Empty: taken from the request.
SITE_URL = os.environ.get("KHABAR_SITE_URL", "").rstrip("/")

INSTALLED_APPS = [
    "khabar.news",
    "khabar.reader",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "khabar.urls"
WSGI_APPLICATION = "khabar.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _databases() -> dict:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / "khabar.sqlite3")}
    else:
        db = dj_database_url.parse(url, conn_max_age=envint("DB_CONN_MAX_AGE", 0))
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db["OPTIONS"] = {
            # IMMEDIATE: a writing transaction takes the write lock when it begins, so two
            # publishers queue on the busy timeout instead of failing to upgrade a read lock.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
        # Tests use a real file (WAL and several connections), not a shared in-memory database.
        db["TEST"] = {"NAME": str(DATA_DIR / "test_khabar.sqlite3")}
    return {"default": db}


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "khabar",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Arabic first: the admin and every page without an edition of its own speak Arabic.
LANGUAGE_CODE = os.environ.get("KHABAR_LANGUAGE", "ar")
LANGUAGES = [("ar", _("Arabic")), ("fa", _("Persian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "khabar" / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("KHABAR_TIME_ZONE", "Asia/Baghdad")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "khabar.lib.storage.StaticStorage"},
}
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"

# The first news code handed out; codes then rise by one. An agency moving from another system
# sets this above its last code so old and new codes never collide.
KHABAR_FIRST_NEWS_CODE = envint("KHABAR_FIRST_NEWS_CODE", 100001)
# Page size of section and tag lists.
KHABAR_PAGE_SIZE = envint("KHABAR_PAGE_SIZE", 20)
# How long a front cache may keep a reader page, in seconds.
KHABAR_PAGE_MAX_AGE = envint("KHABAR_PAGE_MAX_AGE", 60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
