"""Purging by surrogate key in every configured cache, after the change is committed.

The embedded page cache (KHABAR_PAGE_CACHE=embedded), each Varnish of KHABAR_VARNISH_URLS (by
xkey), and KHABAR_PURGE_WEBHOOK (the keys as JSON, for a CDN's purge-by-key API). A cache that
fails is logged and the others are still purged: an editor's save never fails for a cache.
"""

import json
import logging
import urllib.request
from functools import cache

from django.conf import settings

from khabar.pagecache.store import PageStore

logger = logging.getLogger(__name__)


@cache
def embedded_store(root) -> PageStore:
    return PageStore(root)


def purge(keys) -> None:
    keys = list(dict.fromkeys(k for k in keys if k))
    if not keys:
        return
    if settings.KHABAR_PAGE_CACHE == "embedded":
        try:
            embedded_store(settings.KHABAR_PAGE_CACHE_DIR).purge(keys)
        except Exception:
            logger.exception("purging the page cache of %s failed", keys)
    if settings.KHABAR_VARNISH_URLS:
        try:
            from khabar.pagecache import varnish
        except ImportError:
            logger.error("KHABAR_VARNISH_URLS is set but khabar.pagecache.varnish is missing")
        else:
            for base_url in settings.KHABAR_VARNISH_URLS:
                try:
                    varnish.purge(base_url, keys)
                except Exception:
                    logger.exception("purging %s of %s failed", base_url, keys)
    if settings.KHABAR_PURGE_WEBHOOK:
        try:
            notify_webhook(settings.KHABAR_PURGE_WEBHOOK, keys)
        except Exception:
            logger.exception("the purge webhook failed for %s", keys)


def notify_webhook(url: str, keys: list[str]) -> None:
    """POST {"keys": [...]} to the hook; any 2xx is success."""
    request = urllib.request.Request(
        url,
        data=json.dumps({"keys": keys}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=settings.KHABAR_PURGE_TIMEOUT) as response:
        response.read()
