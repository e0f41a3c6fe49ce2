"""What the Content-Security-Policy browser tests share: a browser context that records every
CSP violation and script error of its pages, and the check that a response carries the policy.

A violation is recorded twice over, on purpose: the page's `securitypolicyviolation` event
(which an init script, run before any of the page's own, passes to the test through a binding)
and Chromium's console error ("Refused to ..."). Playwright's init scripts and bindings are not
subject to the page's policy, so the recorder works on the pages it watches.
"""

RECORD_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolation([event.effectiveDirective, event.blockedURI, event.sourceFile,
                         event.lineNumber, (event.sample || "").slice(0, 60)].join(" | "));
});
"""

# The directives every HTML response must carry, as the brief of issue 18 lists them.
REQUIRED = {
    "default-src": "'self'",
    "script-src": "'self'",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def csp_context(browser, **options):
    """A new context whose pages' CSP violations and script errors land in context.problems,
    each prefixed with the page's address. Dialogs are dismissed and recorded too."""
    context = browser.new_context(**options)
    context.problems = []

    def on_violation(source, text):
        context.problems.append(f"CSP {source['page'].url}: {text}")

    context.expose_binding("__cspViolation", on_violation)
    context.add_init_script(RECORD_VIOLATIONS)

    def on_console(page, message):
        # An error page's own status (404, 500) is logged as a failed load: that is the page
        # the test asked for, not a problem of it. So is the /favicon.ico Chromium asks for
        # on Django's admin pages, which name no icon.
        failed_load = message.text.startswith("Failed to load resource: the server responded")
        url = message.location.get("url", "")
        if message.type != "error" or (
            failed_load and (url == page.url or url.endswith("/favicon.ico"))
        ):
            return
        context.problems.append(f"console {page.url}: {message.text}")

    def watch(page):
        page.on("console", lambda message: on_console(page, message))
        page.on("pageerror", lambda e: context.problems.append(f"error {page.url}: {e}"))
        page.on("dialog", lambda d: (context.problems.append(f"dialog {page.url}"), d.dismiss()))

    context.on("page", watch)
    return context


def directives(header: str) -> dict[str, str]:
    parts = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def policy_problems(response) -> list[str]:
    """What is wrong with a page response's policy header: [] when it is strict."""
    if response is None:
        return ["no response"]
    header = response.headers.get("content-security-policy")
    if not header:
        return [f"{response.url}: no Content-Security-Policy header"]
    policy = directives(header)
    problems = [
        f"{response.url}: {name} is {policy.get(name)!r}, not {value!r}"
        for name, value in REQUIRED.items()
        if policy.get(name) != value
    ]
    for name in ("script-src", "style-src", "default-src"):
        if "unsafe" in policy.get(name, "") or "nonce-" in policy.get(name, ""):
            problems.append(f"{response.url}: {name} allows {policy[name]!r}")
    if not policy.get("style-src", "").startswith("'self'"):
        problems.append(f"{response.url}: style-src is {policy.get('style-src')!r}")
    if not policy.get("img-src", "").startswith("'self' data:"):
        problems.append(f"{response.url}: img-src is {policy.get('img-src')!r}")
    return problems


def visit(page, url, status=None):
    """Open `url` in `page` and check its policy header (and its status, when given)."""
    response = page.goto(url)
    if status is not None:
        assert response.status == status
    assert policy_problems(response) == []
    return response
