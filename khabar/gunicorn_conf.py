"""Gunicorn's settings for Khabar (deploy/systemd/khabar.service, and bin/serve with
KHABAR_SERVER=gunicorn):

    gunicorn -c khabar/gunicorn_conf.py khabar.wsgi

Each value reads an environment variable, with the embedded default (SQLite, one host) in mind.
bin/serve runs granian by default, with the same variables (WEB_CONCURRENCY, KHABAR_THREADS,
KHABAR_BIND, KHABAR_ACCESS_LOG, KHABAR_GRACEFUL_TIMEOUT): a page cache hit is a stat and a
dictionary lookup in Python, and gunicorn's own HTTP handling in Python was five sixths of its
cost (bench/spike.py, the same sitting: ~300 us of CPU per hit against ~55 with granian).
"""

import os


def envint(name: str, default: int) -> int:
    # Not khabar.settings' helper: importing settings into the master would hand the old
    # settings to the workers a HUP starts.
    value = os.environ.get(name)
    return int(value) if value else default


# One process per core, each with 8 threads. A rendered page is CPU work in Python (the queries
# take ~1 % of an article's time), so processes beyond the cores only queue on them; on SQLite
# they would also queue on its single write lock. Threads are for the rest: a page cache hit
# is a file read, and a thread waits on SQLite's write lock, a slow client or a keep-alive
# connection without holding the core. bin/run faces readers with no proxy in front, where a
# sync worker held by one slow client serves no one else. Measured on 2 busy cores with the
# embedded page cache, wrk, 200 connections at the front page (req/s, three runs, noisy):
# gthread 2x8 965-1045, 2x4 452-638, 2x2 336-669, sync 2 535-601, sync 4 415.
workers = envint("WEB_CONCURRENCY", os.cpu_count() or 1)
worker_class = os.environ.get("KHABAR_WORKER_CLASS", "gthread")
threads = envint("KHABAR_THREADS", 8)

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
# For upgrades by USR2 (docs/deploy.md): gunicorn renames it to .oldbin for the old master.
pidfile = os.environ.get("KHABAR_PIDFILE") or None

# X-Forwarded-* are believed only from these addresses (the reverse proxy on this host).
forwarded_allow_ips = os.environ.get("KHABAR_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
