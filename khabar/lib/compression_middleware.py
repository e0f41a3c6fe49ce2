"""Compresses responses (brotli or gzip, as the client accepts) on their way out.

Why this is safe against BREACH (a compressed response's length leaks how well a secret in it
compresses against text an attacker chose, request after request):

- Reader pages, feeds, sitemaps and the comments region carry no secret: they are the same
  bytes for every reader, with no session and no CSRF token.
- The desk's and the comment form's CSRF tokens are masked by Django with a fresh random mask
  in every response, so the secret never repeats in the compressed text and lengths tell
  nothing about it; the session cookie is a header, never compressed.
- What the masking does not cover is other secret text: the desk lists show unpublished and
  embargoed headlines, and their search (`/desk/?q=…`, the admin's `?q=`) writes the query
  back into the same page. A top-level navigation from another site carries the editor's
  session (SameSite=Lax), so an attacker who also watches the editor's encrypted traffic could
  guess an embargoed headline a letter at a time. Such responses (they vary on Cookie and the
  request has a query string) are therefore sent uncompressed; they are a few editors' pages,
  so nothing is lost. Every other page depending on a session reflects nothing an attacker
  sets (a cross-site POST fails the CSRF check before any view runs).
"""

from django.utils.cache import cc_delim_re, patch_vary_headers

from khabar.lib.compression import MIN_SIZE, choose_encoding, compress, is_compressible


def reflects_input_beside_secrets(request, response) -> bool:
    """A session-bound page answering a query string: it may write attacker-chosen text next to
    what only that person may read (see the module's docstring)."""
    vary = {value.strip().lower() for value in cc_delim_re.split(response.get("Vary", ""))}
    return bool(request.META.get("QUERY_STRING")) and ("cookie" in vary or "*" in vary)


def should_compress(request, response) -> bool:
    if response.streaming or response.has_header("Content-Encoding"):
        return False
    if len(response.content) < MIN_SIZE:
        return False
    if not is_compressible(response.get("Content-Type", "")):
        return False
    cache_control = {
        part.strip().lower() for part in cc_delim_re.split(response.get("Cache-Control", ""))
    }
    if "no-transform" in cache_control:
        return False
    return not reflects_input_beside_secrets(request, response)


class CompressionMiddleware:
    """Placed above every middleware that reads or writes the body (ConditionalGetMiddleware
    computes its ETag from the plain bytes below it), below WhiteNoise, whose static files are
    compressed once at collectstatic time."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not should_compress(request, response):
            return response
        # Every compressible answer varies on Accept-Encoding, even one sent plain: a shared
        # cache must not give a plain copy's bytes to the next client, or a brotli copy's.
        patch_vary_headers(response, ("Accept-Encoding",))
        encoding = choose_encoding(request.META.get("HTTP_ACCEPT_ENCODING"))
        if not encoding:
            return response
        body = compress(response.content, encoding)
        if len(body) >= len(response.content):
            return response
        response.content = body
        response.headers["Content-Length"] = str(len(body))
        response.headers["Content-Encoding"] = encoding
        # Other bytes, so a strong ETag becomes weak (RFC 9110 8.8.1), as Django's GZipMiddleware
        # does: If-None-Match compares weakly, so a revalidation still matches the plain page's tag.
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        return response
