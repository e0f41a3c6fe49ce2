"""The Content-Security-Policy header: django-csp's middleware, plus the hosts allowed for story
images, read from the settings at each response.

The policy itself is in settings.py (CONTENT_SECURITY_POLICY). The image hosts are read here
rather than written into it because they belong to another setting (KHABAR_IMAGE_HOSTS, which
may be absent): reading it when a response is built keeps settings.py free of an ordering
between the two blocks and lets tests change it with override_settings.
"""

import re

from csp.middleware import CSPMiddleware
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


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        hosts = image_hosts()
        if hosts:
            update = dict(parts.update or {})
            update["img-src"] = [*update.get("img-src", ()), *hosts]
            parts.update = update
        return parts
