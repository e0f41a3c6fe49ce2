"""Khabar's one settings module.

Every setting that differs between a laptop and production is an environment variable with a
working default: with nothing set, Khabar runs on SQLite (WAL) under ./var with the local-memory
cache and a secret key generated once and kept in the data directory.
"""

import hashlib
import os
import secrets
from datetime import timedelta
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


def envrate(name: str, default: str) -> tuple[int, int]:
    """A rate "count/seconds" as (count, seconds), read once at start-up: a mistyped rate stops
    the server with its name, not the first comment of the day with a 500."""
    value = os.environ.get(name) or default
    try:
        count, seconds = (int(part) for part in value.split("/"))
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} is 'count/seconds' (e.g. 5/600), not {value!r}"
        ) from None
    if count < 1 or seconds < 1:
        raise ImproperlyConfigured(f"{name} needs a count and seconds of at least 1, not {value!r}")
    return count, seconds


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
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto: secure cookies and https links.
if envbool("KHABAR_HTTPS", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    # HSTS: browsers that saw the site over HTTPS refuse plain HTTP to it for a year. Including
    # subdomains and asking for the browsers' preload list bind hosts beyond this one, for
    # months: each is a decision of whoever runs the domain, off until they set it.
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
    # Usually the proxy redirects plain HTTP itself; this makes Django do it where it does not.
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

# The public address of the site, used for canonical links and OpenGraph URLs so that a page's
# bytes do not depend on the Host header a reader happened to send. Empty: taken from the request.
SITE_URL = os.environ.get("KHABAR_SITE_URL", "").rstrip("/")

INSTALLED_APPS = [
    "khabar.news",
    "khabar.reader",
    "khabar.comments",
    "khabar.newsroom",
    "khabar.search",
    "khabar.syndication",
    "khabar.api",
    "khabar.pagecache",
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
    "khabar.lib.content_policy.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Brotli or gzip by Accept-Encoding (issue 20). Below WhiteNoise, whose static files are
    # compressed at collectstatic time; above every middleware that reads the body (the ETag is
    # taken from the plain page). Safe against BREACH: reader pages hold no secret, CSRF tokens
    # are masked anew in each response, and session pages answering a query string go out plain
    # (the reasons in khabar/lib/compression_middleware.py).
    "khabar.lib.compression_middleware.CompressionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "khabar.newsroom.middleware.AdminLanguageMiddleware",
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
    # Persistent connections: opening a PostgreSQL connection costs more than a page's queries,
    # and a SQLite one, with its PRAGMAs, 1.5 ms (+28 % on the article page). Django keeps a
    # connection per thread, so gthread workers do not share one. Health checks replace a
    # connection the server has dropped.
    conn_max_age = envint("DB_CONN_MAX_AGE", 60)
    if not url:
        db = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "khabar.sqlite3"),
            "CONN_MAX_AGE": conn_max_age,
            "CONN_HEALTH_CHECKS": True,
        }
    else:
        db = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
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
# "own": a translation takes a fresh code like any story; "shared": it takes its original's code,
# one code naming the news in every edition (khabar/news/translations.py). Agencies do both.
KHABAR_TRANSLATION_NEWS_CODE = os.environ.get("KHABAR_TRANSLATION_NEWS_CODE", "own")
if KHABAR_TRANSLATION_NEWS_CODE not in ("own", "shared"):
    raise ImproperlyConfigured('KHABAR_TRANSLATION_NEWS_CODE must be "own" or "shared"')
# Page size of section and tag lists.
KHABAR_PAGE_SIZE = envint("KHABAR_PAGE_SIZE", 20)
if KHABAR_PAGE_SIZE < 1:
    raise ImproperlyConfigured("KHABAR_PAGE_SIZE must be at least 1")
# How long a browser may keep a reader page, in seconds.
KHABAR_PAGE_MAX_AGE = envint("KHABAR_PAGE_MAX_AGE", 60)
# How long a shared cache that Khabar purges (the page cache, Varnish, a CDN) may keep one
# (s-maxage), never past the edition's next scheduled or embargoed story going live.
KHABAR_SHARED_MAX_AGE = envint("KHABAR_SHARED_MAX_AGE", 3600)

# The page cache (khabar/pagecache): "embedded" keeps public pages as files under
# DATA_DIR/pages, shared by every worker process and purged by surrogate key on publish; "off"
# keeps none (the default with DEBUG, where templates change under the developer's hands).
KHABAR_PAGE_CACHE = os.environ.get("KHABAR_PAGE_CACHE") or ("off" if DEBUG else "embedded")
if KHABAR_PAGE_CACHE not in {"embedded", "off"}:
    raise ImproperlyConfigured(
        f"KHABAR_PAGE_CACHE is 'embedded' or 'off', not {KHABAR_PAGE_CACHE!r}"
    )
KHABAR_PAGE_CACHE_DIR = DATA_DIR / "pages"
# Varnish servers to purge by xkey on publish ("http://127.0.0.1:6081,http://10.0.0.2:6081").
KHABAR_VARNISH_URLS = envlist("KHABAR_VARNISH_URLS", "")
# A URL that receives the keys of every purge as JSON ({"keys": [...]}) after commit: the hook
# for a CDN's purge-by-key API (a small relay holding the CDN's token), or anything else.
KHABAR_PURGE_WEBHOOK = os.environ.get("KHABAR_PURGE_WEBHOOK", "")
KHABAR_PURGE_TIMEOUT = envint("KHABAR_PURGE_TIMEOUT", 5)

# Feeds (khabar/syndication): a rendered feed stays in the cache until a story of its edition
# changes, and at most this long, which bounds what another process's local-memory cache
# keeps after a change it did not see (set REDIS_URL to share one cache between processes).
# With the embedded page cache and no shared cache (REDIS_URL), 0: the page cache keeps the
# rendered feed for every process and purges it exactly, where a local-memory copy in each
# worker would outlive a change made in another for up to this long.
KHABAR_FEED_CACHE_SECONDS = envint(
    "KHABAR_FEED_CACHE_SECONDS",
    0 if KHABAR_PAGE_CACHE == "embedded" and not os.environ.get("REDIS_URL") else 300,
)

# Story bodies (khabar/lib/html.py). Longer or deeper bodies are refused before they are
# sanitised, which keeps every save under a second. Images in bodies come from MEDIA_URL or from
# these hosts ("cdn.example", "*.cdn.example"); the Content-Security-Policy's img-src reads them.
KHABAR_BODY_MAX_CHARS = envint("KHABAR_BODY_MAX_CHARS", 500_000)
KHABAR_BODY_MAX_DEPTH = envint("KHABAR_BODY_MAX_DEPTH", 40)
KHABAR_IMAGE_HOSTS = envlist("KHABAR_IMAGE_HOSTS", "")

# Content-Security-Policy on every response (django-csp; khabar/lib/content_policy.py adds the
# story image hosts of KHABAR_IMAGE_HOSTS to img-src). Scripts and styles come only from our
# static files: no inline script or style attribute, no eval. Reader pages are cached and the
# same bytes for every reader, so the policy has no per-request nonce. Django's admin needs
# none either (its one inline <style>, in admin/change_list.html, is for lists that show their
# actions neither on top nor at the bottom, which none of ours does). The comment captcha is
# solved by comments.js itself (crypto.subtle, no Web Worker, no blob:): nothing more to allow.
# KHABAR_CSP_REPORT_ONLY=1 sends the policy as Content-Security-Policy-Report-Only instead, to
# try a change on a live site; KHABAR_CSP_REPORT_URI is where browsers post what it blocked.
_CSP = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if os.environ.get("KHABAR_CSP_REPORT_URI"):
    _CSP["DIRECTIVES"]["report-uri"] = [os.environ["KHABAR_CSP_REPORT_URI"]]
if envbool("KHABAR_CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_REPORT_ONLY = None, _CSP
else:
    CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP, None

CSRF_FAILURE_VIEW = "khabar.comments.views.csrf_failure"
LOGIN_URL = "/desk/login/"
LOGIN_REDIRECT_URL = "/desk/"
LOGOUT_REDIRECT_URL = "/desk/login/"

# Comments. Rates are "count/seconds" in the environment, (count, seconds) here.
KHABAR_HASH_SALT = (
    os.environ.get("KHABAR_HASH_SALT")
    or hashlib.sha256(f"khabar-hash-salt:{SECRET_KEY}".encode()).hexdigest()
)
KHABAR_TRUSTED_PROXIES = envint("KHABAR_TRUSTED_PROXIES", 0)  # proxies in front adding XFF
KHABAR_CAPTCHA_MAX_NUMBER = envint("KHABAR_CAPTCHA_MAX_NUMBER", 100_000)  # proof-of-work size
KHABAR_CAPTCHA_MINUTES = envint("KHABAR_CAPTCHA_MINUTES", 10)
KHABAR_COMMENT_MAX_LENGTH = envint("KHABAR_COMMENT_MAX_LENGTH", 2000)
KHABAR_COMMENT_TRUST_AFTER = envint("KHABAR_COMMENT_TRUST_AFTER", 3)
KHABAR_COMMENT_MAX_LINKS = envint("KHABAR_COMMENT_MAX_LINKS", 2)
KHABAR_COMMENT_MIN_SECONDS = envint("KHABAR_COMMENT_MIN_SECONDS", 3)
KHABAR_COMMENT_RATE_NETWORK = envrate("KHABAR_COMMENT_RATE_NETWORK", "5/600")
KHABAR_COMMENT_RATE_EMAIL = envrate("KHABAR_COMMENT_RATE_EMAIL", "3/600")
KHABAR_COMMENT_PAGE_SIZE = envint("KHABAR_COMMENT_PAGE_SIZE", 20)
KHABAR_COMMENT_REPLIES_SHOWN = envint("KHABAR_COMMENT_REPLIES_SHOWN", 3)
KHABAR_NETWORK_HASH_DAYS = envint("KHABAR_NETWORK_HASH_DAYS", 30)
# Seconds a rendered comments region stays in the cache (0: render every time).
KHABAR_COMMENT_REGION_CACHE_SECONDS = envint("KHABAR_COMMENT_REGION_CACHE_SECONDS", 300)

# Request limits. A form sends Arabic text percent-encoded, six bytes a letter: Django's 2.5 MB
# refused a story of 400,000 letters. 10 MB holds the longest story body the desk accepts;
# over it, the site's own 400 page (handler400) says what happened, in the reader's language.
KHABAR_MAX_REQUEST_MB = envint("KHABAR_MAX_REQUEST_MB", 10)
DATA_UPLOAD_MAX_MEMORY_SIZE = KHABAR_MAX_REQUEST_MB * 1024 * 1024
# Before the CSRF check reads the form: views marked keeps_raw_body (the comment form) still
# have the bytes that were sent, to refuse malformed UTF-8 rather than store U+FFFD.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.csrf.CsrfViewMiddleware"),
    "khabar.lib.requests.RawBodyMiddleware",
)

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Khabar <noreply@localhost>")

# Login throttling (issue 18): django-axes counts failed log-ins on /desk/login/ and /admin/login/
# in the database (shared by every process), by account name and by network separately, and
# answers 429 on the login page itself, the same whether or not the account exists
# (khabar/newsroom/throttle.py, views.login_locked_out). Unlock early: manage.py axes_reset,
# axes_reset_username NAME or axes_reset_ip ADDRESS (the network's first address).
INSTALLED_APPS += ["axes"]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]  # last: it turns a lockout into the answer
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out log-in
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "khabar.newsroom.throttle.LoginThrottle"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own, not the pair
AXES_FAILURE_LIMIT = envint("KHABAR_LOGIN_FAILURE_LIMIT", 5)  # per account name
KHABAR_LOGIN_NETWORK_FAILURE_LIMIT = envint("KHABAR_LOGIN_NETWORK_FAILURE_LIMIT", 20)
_cooloff_minutes = envint("KHABAR_LOGIN_COOLOFF_MINUTES", 15)
if min(AXES_FAILURE_LIMIT, KHABAR_LOGIN_NETWORK_FAILURE_LIMIT, _cooloff_minutes) < 1:
    raise ImproperlyConfigured("KHABAR_LOGIN_* limits and the cool-off must be at least 1")
AXES_COOLOFF_TIME = timedelta(minutes=_cooloff_minutes)
# The cool-off runs from the lockout: more tries while locked out do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "khabar.newsroom.throttle.client_network"
AXES_LOCKOUT_CALLABLE = "khabar.newsroom.views.login_locked_out"
AXES_DISABLE_ACCESS_LOG = True  # successful log-ins are not a record this site keeps
AXES_ENABLE_ADMIN = False  # axes' admin pages are English-only; use the commands above

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# The partner API (khabar/api, issue 19). Requests per key: "count/seconds". The count is kept
# in the shared cache when there is one (REDIS_URL), else in the database: a local-memory cache
# belongs to one process and would let each process count on its own.
KHABAR_API_RATE = envrate("KHABAR_API_RATE", "600/60")
KHABAR_API_RATE_IN_CACHE = bool(os.environ.get("REDIS_URL"))
# ninjs: each story's `uri` is this prefix and its news code, for the story's whole life. Give
# each installation its own (e.g. urn:newsml:agency.example:) so partners of two never collide.
KHABAR_NINJS_URI_PREFIX = os.environ.get("KHABAR_NINJS_URI_PREFIX", "urn:khabar:news:")
# Empty: the edition's name, and a translated standard sentence in the edition's language.
KHABAR_COPYRIGHT_HOLDER = os.environ.get("KHABAR_COPYRIGHT_HOLDER", "")
KHABAR_USAGE_TERMS = os.environ.get("KHABAR_USAGE_TERMS", "")

# Pushes to partners' webhooks (khabar/api/webhooks.py, issue 19) run on django-tasks. By default
# its database backend (django-tasks-db): the queue is a table, so the embedded default needs no
# other service; `manage.py db_worker` runs it (bin/run starts one beside the server). Another
# backend: set TASKS["default"]["BACKEND"] (e.g. a Celery or RQ backend for django-tasks) and run
# that backend's worker instead.
INSTALLED_APPS += ["django_tasks", "django_tasks_db"]
TASKS = {"default": {"BACKEND": os.environ.get("KHABAR_TASKS_BACKEND",
                                               "django_tasks_db.DatabaseBackend")}}  # fmt: skip
# Seconds: the wait before the first retry, doubled at each retry, and how long a push is
# retried before it is marked failed.
KHABAR_WEBHOOK_FIRST_RETRY = envint("KHABAR_WEBHOOK_FIRST_RETRY", 30)
KHABAR_WEBHOOK_GIVE_UP = envint("KHABAR_WEBHOOK_GIVE_UP", 24 * 3600)
KHABAR_WEBHOOK_TIMEOUT = envint("KHABAR_WEBHOOK_TIMEOUT", 10)

# Health (khabar/health, GET /health for load balancers). A connection to PostgreSQL that
# cannot be made fails after KHABAR_DB_CONNECT_TIMEOUT seconds instead of hanging the request
# (libpq waits forever by default); the health check's SELECT 1 has KHABAR_HEALTH_TIMEOUT_MS.
# The queue is "degraded" when a due task has waited longer than KHABAR_HEALTH_QUEUE_LAG_SECONDS.
INSTALLED_APPS += ["khabar.health"]
KHABAR_DB_CONNECT_TIMEOUT = envint("KHABAR_DB_CONNECT_TIMEOUT", 5)
KHABAR_HEALTH_TIMEOUT_MS = envint("KHABAR_HEALTH_TIMEOUT_MS", 2000)
KHABAR_HEALTH_QUEUE_LAG_SECONDS = envint("KHABAR_HEALTH_QUEUE_LAG_SECONDS", 120)

# Read replicas (khabar/lib/replicas.py, docs/scaling.md): DATABASE_REPLICA_URLS, comma-separated
# PostgreSQL streaming replicas of DATABASE_URL, become the aliases replica1, replica2, …; reader
# pages read from them while they are at most KHABAR_REPLICA_LAG_SECONDS behind. Paths that always
# read from the primary: KHABAR_PRIMARY_PATHS.
KHABAR_REPLICAS: list[str] = []
KHABAR_REPLICA_LAG_SECONDS = envint("KHABAR_REPLICA_LAG_SECONDS", 5)
KHABAR_PRIMARY_PATHS = envlist("KHABAR_PRIMARY_PATHS", "/desk/,/admin/,/api/,/i18n/,/health")
for _number, _url in enumerate(envlist("DATABASE_REPLICA_URLS", ""), start=1):
    _replica = dj_database_url.parse(
        _url, conn_max_age=envint("DB_CONN_MAX_AGE", 60), conn_health_checks=True
    )
    if _replica["ENGINE"] != DATABASES["default"]["ENGINE"] or "sqlite" in _replica["ENGINE"]:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URLS are replicas of a PostgreSQL DATABASE_URL"
        )
    # Tests read the replica alias from the test database itself.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica{_number}"] = _replica
    KHABAR_REPLICAS.append(f"replica{_number}")
for _db in DATABASES.values():
    if _db["ENGINE"] == "django.db.backends.postgresql":
        _db.setdefault("OPTIONS", {}).setdefault("connect_timeout", KHABAR_DB_CONNECT_TIMEOUT)
if KHABAR_REPLICAS:
    DATABASE_ROUTERS = ["khabar.lib.replicas.ReplicaRouter"]
    # Before anything that reads the database (sessions and users are read lazily, later).
    MIDDLEWARE.insert(1, "khabar.lib.replicas.ReplicaMiddleware")
