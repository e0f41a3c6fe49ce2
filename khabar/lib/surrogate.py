"""Surrogate keys on responses: the names of what a response shows, for caches to purge by.

Both headers carry the same space-separated keys: Varnish's xkey vmod reads `xkey`, Fastly
and other CDNs read `Surrogate-Key`. The names themselves are the content's (khabar.news
.surrogate); this module only writes and reads them.
"""

HEADERS = ("Surrogate-Key", "xkey")


def add_keys(response, keys) -> None:
    """Add `keys` to the response's surrogate keys (keeping those it has, without repeats)."""
    merged = dict.fromkeys(response_keys(response))
    merged.update(dict.fromkeys(k for k in keys if k))
    if not merged:
        return
    value = " ".join(merged)
    for header in HEADERS:
        response.headers[header] = value


def response_keys(response) -> list[str]:
    return parse_keys(response.headers.get(HEADERS[0], ""))


def parse_keys(value: str) -> list[str]:
    return list(dict.fromkeys(value.split()))
