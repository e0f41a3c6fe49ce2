# Khabar's caching rules, included by khabar.vcl (one app server) and khabar-scaled.vcl (two).
# Those files define the backends and the director `app`; this one decides what is cached.
#
# What Khabar promises (khabar/reader/pages.py, khabar/pagecache): a public page is the same
# bytes for every reader, says so with Cache-Control public and s-maxage (capped at the next
# scheduled go-live), and names what it shows in an `xkey` header. On a story change Khabar
# sends PURGE with those keys (khabar/pagecache/varnish.py) and Varnish drops exactly the pages
# that showed the story. Anything else - the desk, the admin, the API, a comment post, an
# answer that is private or sets a cookie - goes to the app every time.

import std;
import xkey;

# Who may purge: the app servers. Add their addresses when Varnish runs on another machine.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    set req.backend_hint = app.backend();

    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "No xkey-purge header"));
        }
        # A hard purge: a soft one would let grace serve the corrected story's old copy.
        set req.http.purged = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.purged));
    }

    # One copy of a page per coding the app sends (brotli, gzip, plain), each fetched in that
    # coding and sent as kept: a hit does no work on the body. With a single gzip copy (Varnish's
    # default) every hit for a client without gzip was gunzipped again (0.18x the requests per
    # CPU-second of nginx sending the file, bench/cache_hits.py), and brotli clients got gzip.
    # Varnish itself then rewrites Accept-Encoding to gzip or nothing (http_gzip_support), so
    # the coding travels in its own header, read by vcl_hash and vcl_backend_fetch. Accept-
    # Encoding is reduced to it too, so that the app's Vary: Accept-Encoding makes no more copies.
    if (req.http.Accept-Encoding ~ "(?i)\bbr\b") {
        set req.http.X-Khabar-Coding = "br";
    } elsif (req.http.Accept-Encoding ~ "(?i)\bgzip\b") {
        set req.http.X-Khabar-Coding = "gzip";
    } else {
        unset req.http.X-Khabar-Coding;
    }
    set req.http.Accept-Encoding = req.http.X-Khabar-Coding;

    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # The desk, the admin, the partner API and the language menu are per person.
    if (req.url ~ "^/(desk|admin|api|i18n)(/|$)" || req.http.Authorization) {
        return (pass);
    }
    # The site's root redirects each reader to the edition of their Accept-Language: kept per
    # raw header it would be thousands of copies, and a request would queue behind another
    # reader's fetch of "the same" object. The app answers it in microseconds.
    if (req.url ~ "^/(\?|$)") {
        return (pass);
    }
    # Under comments/, only the region as every reader sees it (?partial) is shared; the rest
    # reads the reader's own cookies (the CSRF token, the proof of a confirmed address).
    if (req.url ~ "^/([^/]+/)?comments/" && req.url !~ "[?&]partial(=|&|$)") {
        return (pass);
    }
    # Tracking parameters (newsletters, social networks, campaigns) are read by no page: left
    # out, so that a shared link is served from the page's own copy rather than fetched for
    # every reader who follows it (khabar/pagecache/store.py leaves out the same). Not before
    # the root's pass above: its redirect carries them on to the edition's page.
    if (req.url ~ "[?&](utm_[a-z_]*|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid)=") {
        set req.url = regsuball(req.url,
            "(?<=[?&])(utm_[a-z_]*|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid)=[^&]*(&|$)", "");
        set req.url = regsub(req.url, "[?&]+$", "");
    }
    # Reader pages never read a cookie: dropping them keeps one copy per page, not one per
    # reader's cookie jar.
    unset req.http.Cookie;

    # Stale copies are served for a few seconds while the page is fetched again; for longer
    # only when no app server answers its health probe (beresp.grace below keeps them).
    if (std.healthy(req.backend_hint)) {
        set req.grace = 10s;
    }
    return (hash);
}

sub vcl_hash {
    hash_data(req.http.X-Khabar-Coding);
    # No return: the built-in vcl_hash adds the URL and the host.
}

sub vcl_backend_fetch {
    # The copy's own coding, not the gzip Varnish asks for by default.
    if (bereq.http.X-Khabar-Coding) {
        set bereq.http.Accept-Encoding = bereq.http.X-Khabar-Coding;
    } else {
        unset bereq.http.Accept-Encoding;
    }
    unset bereq.http.X-Khabar-Coding;
}

sub vcl_backend_response {
    # Only what the app marks shareable is kept: public, with an age, and no cookie.
    if (beresp.http.Set-Cookie
        || beresp.http.Cache-Control ~ "(?i)private|no-store|no-cache"
        || beresp.http.Cache-Control !~ "(?i)(s-maxage|max-age)=[1-9]") {
        # Hit-for-miss: later requests for this URL go straight to the app, not queued
        # behind one another as if a cacheable answer were coming.
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # A refresh in the background that fails keeps the stale copy rather than an error page.
    if (beresp.status >= 500 && bereq.is_bgfetch) {
        return (abandon);
    }
    # beresp.ttl already honours s-maxage (before max-age). The hour of grace is used only
    # while the app servers are down (see vcl_recv).
    set beresp.grace = 1h;
    # An answer the app did not compress (too small, or a type it leaves alone) is gzipped here
    # for the gzip copy only: the plain copy stays plain and the brotli one is the app's.
    if (!beresp.http.Content-Encoding && bereq.http.Accept-Encoding == "gzip"
        && beresp.http.Content-Type ~ "^(text/|application/(json|xml|rss\+xml|atom\+xml|javascript))") {
        set beresp.do_gzip = true;
    }
    return (deliver);
}

sub vcl_backend_error {
    # An app server that went down answers nothing until its probe marks it sick (a few
    # seconds): a read is tried once more, on the director's next server. A write is not, as
    # the first server may have done it before failing.
    if (bereq.retries < 1 && (bereq.method == "GET" || bereq.method == "HEAD")) {
        return (retry);
    }
}

sub vcl_deliver {
    # For people and tests looking at the answers: HIT, MISS, or PASS (never cached).
    if (obj.uncacheable) {
        set resp.http.X-Cache = "PASS";
    } elsif (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    # The keys are Varnish's business; Surrogate-Key stays for a CDN in front of Varnish.
    unset resp.http.xkey;
}
