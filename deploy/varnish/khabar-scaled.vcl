vcl 4.1;
# Varnish in front of TWO Khabar app servers (stateless: the same DATABASE_URL and REDIS_URL,
# the same SECRET_KEY), taken in turn by a round-robin director that skips a sick one. Add a
# backend and an add_backend() line per further server. The rules are khabar-rules.vcl's.

import directors;

# The probe's Host header is the backend's .host: Django answers 400 to a host missing from
# ALLOWED_HOSTS, which would mark every backend sick. List the addresses there, or add
# `.host_header = "news.example";` (the site's name) to each backend.
probe khabar_health {
    .url = "/health";
    .expected_response = 200;
    .interval = 2s;
    .timeout = 1s;
    .window = 5;
    .threshold = 3;
    .initial = 3;
}

backend app1 {
    .host = "10.0.0.11";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
    .probe = khabar_health;
}

backend app2 {
    .host = "10.0.0.12";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
    .probe = khabar_health;
}

sub vcl_init {
    new app = directors.round_robin();
    app.add_backend(app1);
    app.add_backend(app2);
}

include "khabar-rules.vcl";
