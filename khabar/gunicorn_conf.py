"""Gunicorn's settings for Khabar (bin/serve, deploy/systemd/khabar.service):

    gunicorn -c khabar/gunicorn_conf.py khabar.wsgi

Each value reads an environment variable, with the embedded default (SQLite, one host) in mind.
"""

import os


def envint(name: str, default: int) -> int:
    # Not khabar.settings' helper: importing settings into the master would hand the old
    # settings to the workers a HUP starts.
    value = os.environ.get(name)
    return int(value) if value else default


# One process per core, two threads each. A page is CPU work in Python (the queries take ~1 %
# of an article's time), so processes beyond the cores only queue on them; on SQLite they would
# also queue on its single write lock. The second thread keeps a core busy while the other waits
# on that lock, a slow client or a keep-alive connection: bin/run faces readers with no proxy in
# front, and a sync worker held by one slow client serves no one else. Measured on 2 cores
# (README, "Running in production"): gthread 2×2 against sync 2 and sync 5 (2n+1).
workers = envint("WEB_CONCURRENCY", os.cpu_count() or 1)
worker_class = os.environ.get("KHABAR_WORKER_CLASS", "gthread")
threads = envint("KHABAR_THREADS", 2)

bind = os.environ.get("KHABAR_BIND") or f"127.0.0.1:{os.environ.get('PORT') or 8000}"
# Idle keep-alive connections a thread keeps open: a reader's page, its comments region and
# its static files come over one connection.
keepalive = envint("KHABAR_KEEPALIVE", 5)
timeout = envint("KHABAR_WORKER_TIMEOUT", 30)
# On TERM (Ctrl-C in bin/run, systemd stop) and on HUP (reload), a worker finishes the
# requests it has before it exits, for at most this long.
graceful_timeout = envint("KHABAR_GRACEFUL_TIMEOUT", 20)
# Not preloaded: HUP then starts new workers on the new code (a zero-downtime upgrade), while
# a preloaded app would fork the old code again.
preload_app = False

# The access log is the front server's job; "-" writes it to standard output.
accesslog = os.environ.get("KHABAR_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("KHABAR_LOG_LEVEL", "info")
# The workers' heartbeat files in memory, not on a disk that may stall under a backup.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
proc_name = "khabar"

# X-Forwarded-* are believed only from these addresses (the reverse proxy on this host).
forwarded_allow_ips = os.environ.get("KHABAR_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
