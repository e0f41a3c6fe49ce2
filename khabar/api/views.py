"""The read API: a partner's key in, ninjs out. Rules live in keys.py, items.py and ninjs.py.

Errors are JSON, {"error": code, "message": sentence}, in English: they are read by partners'
developers and programs, not by readers. Answers are `Cache-Control: private, no-store`: they
depend on the key (embargoed stories), so no shared cache may keep them, and a partner polls
for what changed rather than re-reading a cached copy.
"""

from functools import wraps

from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET

from khabar.api import items, keys, ninjs
from khabar.lib.surrogate import add_keys
from khabar.news import surrogate
from khabar.news.models import Edition

MAX_PAGE = 100


def error(status: int, code: str, message: str, **headers) -> JsonResponse:
    response = JsonResponse({"error": code, "message": message}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def no_store(response):
    response["Cache-Control"] = "private, no-store"
    patch_vary_headers(response, ["Authorization", "Accept"])
    return response


def partner_api(view):
    """Authenticate the key, count it against its rate, and find the edition it may read: 401
    without a live key, 429 over the rate, 404 for an edition that is not the partner's (as for
    one that does not exist: a key learns nothing about editions it may not read)."""

    @wraps(view)
    def wrapper(request, edition, **kwargs):
        record = keys.authenticate(request.headers.get("Authorization", ""))
        if record is None:
            given = bool(request.headers.get("Authorization"))
            challenge = 'Bearer realm="khabar"' + (', error="invalid_token"' if given else "")
            return no_store(error(401, "unauthorized",
                                  "This API needs a partner key: Authorization: Bearer <key>.",
                                  WWW_Authenticate=challenge))  # fmt: skip
        now = timezone.now()
        wait = keys.hit(record, now)
        if wait:
            return no_store(error(429, "rate_limited",
                                  f"Too many requests for this key; try again in {wait} seconds.",
                                  Retry_After=str(wait)))  # fmt: skip
        keys.record_use(record, now)
        found = Edition.objects.filter(code=edition, pk__in=record.partner.editions.all()).first()
        if found is None:
            return no_store(error(404, "not_found", "There is no such edition for this key."))
        request.partner = record.partner
        return no_store(view(request, found, now=now, **kwargs))

    return require_GET(wrapper)


def no_such_endpoint(request):
    return no_store(error(404, "not_found", "No such endpoint: see /api/<edition>/items."))


def ninjs_version(request) -> str | None:
    """2.2 unless asked for 3.1: ?format=ninjs3.1 or Accept: application/ninjs+json;
    version=3.1. None for a version this API does not serve."""
    wanted = request.GET.get("format")
    if wanted:
        wanted = wanted.removeprefix("ninjs")
        return wanted if wanted in ninjs.VERSIONS else None
    for part in request.headers.get("Accept", "").split(","):
        kind, *params = (p.strip() for p in part.split(";"))
        if kind.lower() == "application/ninjs+json":
            for param in params:
                name, _, value = param.partition("=")
                if name.strip().lower() == "version":
                    value = value.strip().strip('"')
                    return value if value in ninjs.VERSIONS else None
    return "2.2"


def _base_url(request) -> str:
    return settings.SITE_URL or request.build_absolute_uri("/")


def _bad_version():
    return error(406, "unknown_version", f"ninjs versions served: {', '.join(ninjs.VERSIONS)}.")


@partner_api
def item_list(request, edition, *, now):
    version = ninjs_version(request)
    if version is None:
        return _bad_version()
    try:
        size = int(request.GET.get("limit", settings.KHABAR_PAGE_SIZE))
    except ValueError:
        size = 0
    if not 1 <= size <= MAX_PAGE:
        return error(400, "bad_limit", f"limit is a whole number from 1 to {MAX_PAGE}.")
    partner = request.partner
    since = request.GET.get("changed_since")
    if since:
        moment = _parse_moment(since)
        if moment is None:
            return error(400, "bad_changed_since",
                         "changed_since is an ISO 8601 time with its offset, "
                         "e.g. 2026-01-31T09:00:00Z.")  # fmt: skip
        # Told of what was taken down too: a partner syncing must remove it.
        stories = items.changed_since(items.visible(partner, edition, now), moment, partner, now)
    else:
        stories = items.usable(partner, edition, now)
    if request.GET.get("section"):
        stories = stories.filter(section__slug=request.GET["section"])
    if request.GET.get("tag"):
        stories = stories.filter(tags__slug=request.GET["tag"])
    try:
        found, cursor = items.page(stories, request.GET.get("cursor"), size)
    except items.BadCursor:
        return error(400, "bad_cursor", "The cursor is not one this API gave.")
    base = _base_url(request)
    body = {"items": [ninjs.item(a, version, base_url=base, now=now) for a in found],
            "cursor": cursor, "next": None}  # fmt: skip
    if cursor:
        query = request.GET.copy()
        query["cursor"] = cursor
        body["next"] = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    # Named like every public answer, though no shared cache keeps it (private, no-store).
    add_keys(response, [surrogate.api_key(edition.code), *surrogate.story_keys(found)])
    return response


@partner_api
def item_detail(request, edition, *, now, code):
    version = ninjs_version(request)
    if version is None:
        return _bad_version()
    # Embargoed for this partner, never published, or another edition's: all "not found".
    article = items.visible(request.partner, edition, now).filter(news_code=code).first()
    if article is None:
        return error(404, "not_found", "There is no such story for this key.")
    data = ninjs.item(article, version, base_url=_base_url(request), now=now)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    add_keys(response, [surrogate.story_key(article.news_code)])
    return response


def _parse_moment(value: str):
    try:
        moment = parse_datetime(value.replace(" ", "+"))  # a "+" sent unencoded reads as " "
    except ValueError:
        return None
    return moment if moment is not None and timezone.is_aware(moment) else None
