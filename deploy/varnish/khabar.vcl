vcl 4.1;
# Varnish in front of ONE Khabar app server (gunicorn, bin/run). The rules are in
# khabar-rules.vcl, shared with khabar-scaled.vcl (two app servers); install both files in
# /etc/varnish (or pass -p vcl_path=DIR) and start varnishd with -f /etc/varnish/khabar.vcl.

import directors;

backend app1 {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
    # The probe's Host header is this backend's .host: Django answers 400 to a host missing
    # from ALLOWED_HOSTS, which would mark every backend sick. List the address there, or
    # add `.host_header = "news.example";` (the site's name) to the backend.
    # /health answers 200 while the database, cache and task worker answer; a sick backend is
    # left out of the director, and with none left Varnish serves what it has within grace.
    .probe = {
        .url = "/health";
        .expected_response = 200;
        .interval = 2s;
        .timeout = 1s;
        .window = 5;
        .threshold = 3;
        .initial = 3;
    }
}

sub vcl_init {
    new app = directors.round_robin();
    app.add_backend(app1);
}

include "khabar-rules.vcl";
