"""Purging Varnish by surrogate key (deploy/varnish/khabar-rules.vcl, vmod xkey).

Every public page names what it shows in its `xkey` header; when a story changes, the page
cache calls purge() with the story's keys for each address in KHABAR_VARNISH_URLS, and Varnish
drops every page carrying any of them, whatever its URL. The VCL's convention: `PURGE /` with
the keys, space-separated, in an `xkey-purge` header, from an address of its `purgers` ACL.
"""

import re
import urllib.error
import urllib.request
from collections.abc import Iterable

TIMEOUT = 2  # seconds: a publish waits on this, so a hung Varnish must not hold it for long
# A key is one token of a space-separated header: whitespace or a control character would cut
# it in two or end the header.
_KEY = re.compile(r"^[^\s\x00-\x1f\x7f]+$")


class PurgeError(Exception):
    """Varnish refused the purge or did not answer; the message says which and where."""


def purge(base_url: str, keys: Iterable[str]) -> None:
    """Drop every page tagged with any of `keys` from the Varnish at `base_url`, in one request.

    Raises PurgeError when Varnish answers other than 2xx (403: this host is not in the VCL's
    purgers ACL) or does not answer within TIMEOUT, and ValueError for a key that a header
    cannot carry. No keys: no request.
    """
    keys = list(dict.fromkeys(keys))  # once each, in order
    bad = [key for key in keys if not _KEY.match(key)]
    if bad:
        raise ValueError(f"surrogate keys must be non-empty and without spaces: {bad!r}")
    if not keys:
        return
    url = base_url.rstrip("/") + "/"
    request = urllib.request.Request(url, method="PURGE", headers={"xkey-purge": " ".join(keys)})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            response.read()
    except urllib.error.HTTPError as error:
        # urlopen raises on 4xx/5xx; a 3xx it would follow is not a purge either (below).
        raise PurgeError(f"{url} answered {error.code} {error.reason} to PURGE") from None
    except (urllib.error.URLError, OSError) as error:
        raise PurgeError(f"{url} did not answer PURGE: {error}") from None
    if not 200 <= response.status < 300:
        raise PurgeError(f"{url} answered {response.status} {response.reason} to PURGE")
