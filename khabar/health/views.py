import json

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from khabar.health import checks


@csrf_exempt  # a load balancer holds no CSRF token; GET and HEAD change nothing anyway
@require_safe
def health(request):
    """The checks as JSON: 200 while this app server can serve readers ("ok" or "degraded"),
    503 when it cannot ("fail"). Built by hand, no template, no session, no user: a load
    balancer calls it every few seconds on every app server."""
    report = checks.run()
    response = HttpResponse(
        json.dumps(report, separators=(",", ":")),
        content_type="application/json",
        status=503 if report["status"] == checks.FAIL else 200,
    )
    # Never from a cache: each answer is this app server's state now. no-store also keeps
    # ConditionalGetMiddleware from adding an ETag and any page cache from keeping it.
    response["Cache-Control"] = "no-store"
    return response
