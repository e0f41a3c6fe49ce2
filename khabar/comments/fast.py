"""The captcha challenge answered in front of Django's middleware.

Every comment form fetches `/<edition>/comments/<code>/challenge` when its reader starts
writing: per reader, never cached, and in a breaking-news spike it queues behind the page
cache's hits in the same worker threads. Through the whole stack (eleven middleware, the view)
it costs ~5 ms of CPU; here ~0.16 ms, with no I/O while the story is remembered as open
(captcha.remembered_open). The answer is the view's, byte for byte in its contract: a
challenge bound to the story, the form's start time, and a CSRF token masked from the reader's
CSRF cookie (set or renewed as CsrfViewMiddleware does). The headers the middleware adds to
every answer (security headers, CSP, Vary) are learnt from a challenge each process answers
through Django as it starts (ChallengeFirst.warm), or else from the first a reader asks for;
anything unusual (another method, a host not allowed, a missing edition or story, comments
closed, a cookie not in Django's format) goes to Django as before.
"""

import io
import logging
import os
import re
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connections
from django.http import JsonResponse, parse_cookie
from django.http.request import split_domain_port, validate_host
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    CSRF_SECRET_LENGTH,
    CSRF_TOKEN_LENGTH,
    InvalidTokenFormat,
    _check_token_format,
    _unmask_cipher_token,
)
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from khabar.comments import captcha, rules

logger = logging.getLogger(__name__)
_PATH = re.compile(r"/([a-z]{2,8})/comments/([1-9][0-9]{0,11})/challenge")
# Set on each answer by the view's decorators or by this module: not learnt.
_OWN = frozenset(
    {"content-type", "content-length", "expires", "cache-control", "set-cookie", "x-cache",
     "content-encoding", "date", "server"}
)  # fmt: skip


# bench/spike.py sets it to learn where a slow challenge spent its time: X-Khabar-Timing
# carries the process, the thread, the wall-clock moments the answer began and ended here, and
# whether it went through Django. Off in production (no clock readings handed to readers).
TIMING = os.environ.get("KHABAR_CHALLENGE_TIMING") == "1"


class ChallengeFirst:
    """WSGI middleware: `ChallengeFirst(application)`, outermost."""

    def __init__(self, application):
        self.application = application
        self.learnt: list[tuple[str, str]] | None = None

    def __call__(self, environ, start_response):
        match = None
        if environ.get("REQUEST_METHOD") == "GET":
            match = _PATH.fullmatch(environ.get("PATH_INFO", ""))
        if match is None:
            return self.application(environ, start_response)
        began = time.time() if TIMING else 0.0
        if self.learnt is None:
            return self.application(environ, self._learning(start_response, began))
        answer = challenge_answer(environ, match.group(1), int(match.group(2)))
        if answer is None:
            return self.application(environ, _timed(start_response, began, "django"))
        headers = [*answer[0], *((k, v) for k, v in self.learnt if k.lower() != "vary")]
        _timed(start_response, began, "fast")("200 OK", headers)
        return [answer[1]]

    def warm(self) -> bool:
        """Answer one challenge through Django now, before any reader asks: the process learns
        the middleware's headers and loads what Django loads on its first request (URLs, views,
        catalogues) while no one waits. Left to the first reader, that answer took ~280 ms in
        a spike, and every challenge arriving meanwhile went through Django too. True once
        learnt; False where there is nothing to ask about yet (no database, no open story):
        the first reader's challenge teaches it then, as before."""
        try:
            path, host = _open_story_path(), _allowed_host()
        except Exception:  # no tables yet (a server started before migrate): learn later
            logger.warning("challenge warm-up skipped: the database could not be read")
            return False
        if path is None or host is None:
            return False
        # Behind a TLS proxy (KHABAR_HTTPS) readers' requests are secure, and the middleware's
        # headers for them (HSTS) are the ones to learn.
        secure = bool(settings.SECURE_PROXY_SSL_HEADER) or settings.SECURE_SSL_REDIRECT
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "",
                   "SCRIPT_NAME": "", "HTTP_HOST": host, "SERVER_NAME": host,
                   "SERVER_PORT": "443" if secure else "80", "SERVER_PROTOCOL": "HTTP/1.1",
                   "REMOTE_ADDR": "127.0.0.1", "wsgi.input": io.BytesIO(),
                   "wsgi.errors": io.StringIO(), "wsgi.url_scheme": "https" if secure else "http",
                   "wsgi.version": (1, 0), "wsgi.multithread": True,
                   "wsgi.multiprocess": True, "wsgi.run_once": False}  # fmt: skip
        if secure and settings.SECURE_PROXY_SSL_HEADER:
            header, value = settings.SECURE_PROXY_SSL_HEADER
            environ[header] = value
        body = self.application(environ, self._learning(lambda *args: None, 0.0))
        try:
            for _ in body:
                pass
        finally:
            if hasattr(body, "close"):
                body.close()  # request_finished: Django's end of a request
            # Opened in the thread that loads the application, which serves no request.
            connections.close_all()
        return self.learnt is not None

    def _learning(self, start_response, began):
        timed = _timed(start_response, began, "first")

        def learn(status, headers, exc_info=None):
            if status.startswith("200") and settings.CSRF_USE_SESSIONS is False:
                self.learnt = [(k, v) for k, v in headers if k.lower() not in _OWN]
            return timed(status, headers, exc_info)

        return learn


def _timed(start_response, began: float, way: str):
    if not TIMING:
        return start_response

    def timed(status, headers, exc_info=None):
        moments = f"{os.getpid()} {threading.get_ident()} {began:.6f} {time.time():.6f} {way}"
        return start_response(status, [*headers, ("X-Khabar-Timing", moments)], exc_info)

    return timed


def _open_story_path() -> str | None:
    """The challenge path of a published story that takes comments, if there is one."""
    from khabar.news.models import Article, CommentMode

    for article in Article.objects.published().select_related("edition")[:20]:
        if article.effective_comment_mode != CommentMode.CLOSED:
            return f"/{article.edition.code}/comments/{article.news_code}/challenge"
    return None


def _allowed_host() -> str | None:
    """A host name ALLOWED_HOSTS lets through, for a request made from inside the process."""
    for pattern in settings.ALLOWED_HOSTS:
        host = "localhost" if pattern == "*" else pattern.lstrip(".")
        if host and validate_host(host, settings.ALLOWED_HOSTS):
            return host
    return None


def challenge_answer(environ, edition_code: str, code: int):
    """(headers, body) of the challenge view's answer, or None where Django must answer."""
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return None
    secret = _reader_secret(environ.get("HTTP_COOKIE", ""))
    open_ = captcha.remembered_open(edition_code, code)
    if open_ is None:
        from khabar.reader.queries import edition_and_sections

        close_old_connections()  # as Django does around a request: a dead one is replaced
        try:
            edition = edition_and_sections(edition_code)[0]
            open_ = edition is not None and captcha.takes_comments(edition, code)
        finally:
            close_old_connections()
    if not open_:
        return None
    data = {
        "challenge": captcha.challenge_for(code),
        "started": rules.started_token(),
        "csrf": _masked(secret),
    }
    response = JsonResponse(data)
    add_never_cache_headers(response)
    # As CsrfViewMiddleware after get_token(): the cookie set, or sent again to renew it.
    response.set_cookie(
        settings.CSRF_COOKIE_NAME, secret, max_age=settings.CSRF_COOKIE_AGE,
        domain=settings.CSRF_COOKIE_DOMAIN, path=settings.CSRF_COOKIE_PATH,
        secure=settings.CSRF_COOKIE_SECURE, httponly=settings.CSRF_COOKIE_HTTPONLY,
        samesite=settings.CSRF_COOKIE_SAMESITE,
    )  # fmt: skip
    patch_vary_headers(response, ("Cookie",))
    headers = [*response.items(), ("Content-Length", str(len(response.content)))]
    headers += [("Set-Cookie", c.output(header="")) for c in response.cookies.values()]
    return headers, response.content


def _reader_secret(cookie_header: str) -> str:
    """The reader's CSRF secret from their cookie, or a new one (CsrfViewMiddleware._get_secret:
    a cookie in the wrong format is replaced, a pre-4.0 masked one unmasked)."""
    secret = parse_cookie(cookie_header).get(settings.CSRF_COOKIE_NAME)
    if secret is None:
        return _random_string(CSRF_SECRET_LENGTH)
    try:
        _check_token_format(secret)
    except InvalidTokenFormat:
        return _random_string(CSRF_SECRET_LENGTH)
    return _unmask_cipher_token(secret) if len(secret) == CSRF_TOKEN_LENGTH else secret


# Bytes below this map evenly onto the 62 characters (248 = 4 × 62): the rest are drawn again.
_EVEN = 256 - 256 % len(CSRF_ALLOWED_CHARS)


def _random_string(length: int) -> str:
    """As django.utils.crypto.get_random_string(length, CSRF_ALLOWED_CHARS), as uniform and from
    the same source, but from one read of the system's randomness instead of one per character.
    Each read gives up the GIL (getrandom), and with the server's other threads answering cached
    pages, taking it back can mean waiting behind them: Django's way made 35 reads per challenge
    (68 with a new cookie), and the challenge's time in the server's Python had a p99 near
    100 ms for ~0.16 ms of CPU."""
    chars, drawn = CSRF_ALLOWED_CHARS, []
    while len(drawn) < length:
        drawn += [chars[b % len(chars)] for b in os.urandom(2 * length) if b < _EVEN]
    return "".join(drawn[:length])


def _masked(secret: str) -> str:
    """The CSRF token for the form: django.middleware.csrf._mask_cipher_secret with the mask
    drawn by _random_string."""
    chars = CSRF_ALLOWED_CHARS
    mask = _random_string(CSRF_SECRET_LENGTH)
    pairs = zip((chars.index(x) for x in secret), (chars.index(x) for x in mask), strict=True)
    return mask + "".join(chars[(x + y) % len(chars)] for x, y in pairs)
