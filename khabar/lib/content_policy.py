"""The Content-Security-Policy header: django-csp's middleware, plus the hosts allowed for story
images, read from the settings at each response.

The policy itself is in settings.py (CONTENT_SECURITY_POLICY). The image hosts are read here
rather than written into it because they belong to another setting (KHABAR_IMAGE_HOSTS, which
may be absent): reading it when a response is built keeps settings.py free of an ordering
between the two blocks and lets tests change it with override_settings.
"""

import re
from dataclasses import asdict

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings

# A CSP host source: a host, optionally with a scheme, a port, a path or a leading "*.".
# Anything else (a space, a ";", a quote) would end the directive and start another.
_HOST_SOURCE = re.compile(r"^(?:https?://)?(?:\*\.)?[A-Za-z0-9.-]+(?::\d+)?(?:/[^\s;,'\"]*)?$")


def image_hosts() -> list[str]:
    """The story image hosts as CSP sources; an entry that is not a plain host is left out
    rather than allowed to change the policy."""
    return [
        host
        for host in (str(h).strip() for h in getattr(settings, "KHABAR_IMAGE_HOSTS", []))
        if _HOST_SOURCE.match(host)
    ]


class _ImageHostsPolicy(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        hosts = image_hosts()
        if hosts:
            update = dict(parts.update or {})
            update["img-src"] = [*update.get("img-src", ()), *hosts]
            parts.update = update
        return parts


# What a view may set on its response to change the policy (django-csp's decorators).
_PER_RESPONSE = (
    "_csp_config", "_csp_update", "_csp_replace", "_csp_exempt",
    "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro", "_csp_exempt_ro",
)  # fmt: skip

# The two headers of a response whose policy comes from the settings alone, built once per
# (policy settings, image hosts): building them from the settings' directives took more time
# than any other middleware on a reader page. Keyed by the settings' objects themselves (kept in
# the value, so that their identities cannot be reused by others), so override_settings and a
# changed KHABAR_IMAGE_HOSTS build anew.
_fixed_headers: dict[tuple, tuple] = {}


class ContentSecurityPolicyMiddleware(_ImageHostsPolicy):
    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            hasattr(response, name) for name in _PER_RESPONSE
        ):
            return super().process_response(request, response)
        if response.status_code in (500, 404) and settings.DEBUG:
            return response  # the debug pages, as django-csp leaves them
        for header, value, policy in self._fixed_headers(request, response):
            prefixes = tuple((policy or {}).get("EXCLUDE_URL_PREFIXES", None) or ())
            if value and header not in response and not request.path_info.startswith(prefixes):
                response[header] = value
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    def _fixed_headers(self, request, response) -> tuple:
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        policy_ro = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        hosts = tuple(image_hosts())
        key = (id(policy), id(policy_ro), hosts)
        kept = _fixed_headers.get(key)
        if kept is None or kept[0] is not policy or kept[1] is not policy_ro:
            parts = self.get_policy_parts(request, response)
            parts_ro = self.get_policy_parts(request, response, report_only=True)
            headers = (
                (HEADER, build_policy(**asdict(parts)), policy),
                (HEADER_REPORT_ONLY, build_policy(**asdict(parts_ro), report_only=True), policy_ro),
            )
            if len(_fixed_headers) > 64:  # settings changed by tests, over and over
                _fixed_headers.clear()
            kept = _fixed_headers[key] = (policy, policy_ro, headers)
        return kept[2]
