"""The captcha challenge answered in front of Django's middleware.

Every comment form fetches `/<edition>/comments/<code>/challenge` when its reader starts
writing: per reader, never cached, and in a breaking-news spike it queues behind the page
cache's hits in the same worker threads. Through the whole stack (eleven middleware, the view)
it costs ~5 ms of CPU; here ~0.3 ms. The answer is the view's, byte for byte in its contract: a
challenge bound to the story, the form's start time, and a CSRF token masked from the reader's
CSRF cookie (set or renewed as CsrfViewMiddleware does). The headers the middleware adds to
every answer (security headers, CSP, Vary) are learnt from the first challenge each process
answers through Django; anything unusual (another method, a host not allowed, a missing edition
or story, comments closed, a cookie not in Django's format) goes to Django as before.
"""

import re

from django.conf import settings
from django.db import close_old_connections
from django.http import JsonResponse, parse_cookie
from django.http.request import split_domain_port, validate_host
from django.middleware.csrf import (
    CSRF_TOKEN_LENGTH,
    InvalidTokenFormat,
    _check_token_format,
    _get_new_csrf_string,
    _mask_cipher_secret,
    _unmask_cipher_token,
)
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from khabar.comments import captcha, rules

_PATH = re.compile(r"/([a-z]{2,8})/comments/([1-9][0-9]{0,11})/challenge")
# Set on each answer by the view's decorators or by this module: not learnt.
_OWN = frozenset(
    {"content-type", "content-length", "expires", "cache-control", "set-cookie", "x-cache",
     "content-encoding", "date", "server"}
)  # fmt: skip


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
        if self.learnt is None:
            return self.application(environ, self._learning(start_response))
        answer = challenge_answer(environ, match.group(1), int(match.group(2)))
        if answer is None:
            return self.application(environ, start_response)
        headers = [*answer[0], *((k, v) for k, v in self.learnt if k.lower() != "vary")]
        start_response("200 OK", headers)
        return [answer[1]]

    def _learning(self, start_response):
        def learn(status, headers, exc_info=None):
            if status.startswith("200") and settings.CSRF_USE_SESSIONS is False:
                self.learnt = [(k, v) for k, v in headers if k.lower() not in _OWN]
            return start_response(status, headers, exc_info)

        return learn


def challenge_answer(environ, edition_code: str, code: int):
    """(headers, body) of the challenge view's answer, or None where Django must answer."""
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return None
    secret = _reader_secret(environ.get("HTTP_COOKIE", ""))
    from khabar.reader.queries import edition_and_sections

    close_old_connections()  # as Django does around a request: a dead connection is replaced
    try:
        edition = edition_and_sections(edition_code)[0]
        if edition is None or not captcha.takes_comments(edition, code):
            return None
        data = {
            "challenge": captcha.challenge_for(code),
            "started": rules.started_token(),
            "csrf": _mask_cipher_secret(secret),
        }
    finally:
        close_old_connections()
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
        return _get_new_csrf_string()
    try:
        _check_token_format(secret)
    except InvalidTokenFormat:
        return _get_new_csrf_string()
    return _unmask_cipher_token(secret) if len(secret) == CSRF_TOKEN_LENGTH else secret
