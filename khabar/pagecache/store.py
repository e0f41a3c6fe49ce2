"""The embedded page cache: public pages kept as files under DATA_DIR/pages, purged by key.

A page without a query string is kept where a front server can send it as a file (nginx
`rewrite ^ /pages$uri/index.html break`): /ar/news/100062/slug is
`pages/ar/news/100062/slug/index.html`, beside `index.html.gz` and `index.html.br` (nginx's
gzip_static and brotli_static read them) and `index.html.json`, the sidecar with what Python
needs to answer with it (headers, keys, ETag, expiry). A page with a query string (?page=2, the
comments region's ?partial&order=newest) is kept in the same directory as
`q-<normalised query>.html` when the query is short and plain (nginx finds it too), else under
a hash of it, for Python to serve only.

`index.sqlite3` (WAL) maps each surrogate key to the pages that carry it and records when each
key was last purged. Stores and purges take its write lock (BEGIN IMMEDIATE), so a page
rendered from rows read before a purge is never stored after it: a store is refused when one
of its keys was purged at or after the moment the page's request started.

Files are shared by every worker process and every app server on the same disk; nothing needs
installing. The index is the authority on what to purge; the sidecar is the authority on what
to serve (a page without one is not served).
"""

import hashlib
import json
import os
import re
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from khabar.lib.compression import MIN_SIZE, choose_encoding, compress, is_compressible

# Query parameters the public pages read: a query with any other (a campaign's utm_source, a
# cache-busting random value) is not kept, or anyone could fill the disk with one page.
QUERY_PARAMS = frozenset({"page", "p", "partial", "order", "after"})
# Added to links by newsletters, social networks and ad campaigns, read by no page: left out of
# where a page is kept, so that a shared link (?utm_source=…&fbclid=…) is answered from the same
# kept page as the plain address, not rendered for every reader who follows it.
TRACKING_PREFIXES = ("utm_",)
TRACKING_PARAMS = frozenset({"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid"})
# Never kept, whatever their headers say: the desk, the admin, the API, files served by
# WhiteNoise or the front server, the language switch.
EXCLUDED_PREFIXES = ("/desk/", "/admin/", "/api/", "/static/", "/media/", "/i18n/")
# The site's root redirects each reader by Accept-Language (reader.arrival): never kept, and
# not made to wait behind another reader's render of "the same page" (the render lock).
UNCACHED_PATHS = frozenset({"/"})
MAX_PATH_BYTES = 1024
MAX_SEGMENT_BYTES = 200  # under every filesystem's 255, leaving room for ".html.json.tmp…"
# A normalised query kept under its own name: name=value pairs of these characters only (no
# "/", so the name never leaves its directory; no "+" or "~", which browsers and Python encode
# differently), as deploy/nginx/khabar.conf's $khabar_query_file accepts them. Keep in step.
QUERY_FILE = re.compile(r"[a-z]+=[A-Za-z0-9_.%-]*(&[a-z]+=[A-Za-z0-9_.%-]*)*")
SUFFIXES = {"": "", "gzip": ".gz", "br": ".br"}
# Headers that belong to one answer, not to the page: never kept, or rewritten on each hit.
_NOT_KEPT = frozenset(
    {"date", "content-length", "content-encoding", "vary", "set-cookie", "age", "x-cache",
     "connection", "keep-alive", "transfer-encoding", "server"}
)  # fmt: skip
# A row in `purge` is only compared with requests still running: an hour is far past any.
PURGE_MEMORY_SECONDS = 3600
PRUNE_BATCH = 20


@dataclass(frozen=True)
class Location:
    """Where a request's page lives: its directory under the root and its file name."""

    path: str  # the decoded request path, "/ar/news/100062/slug"
    query: str  # the normalised query string, "" for none
    directory: str  # "ar/news/100062/slug"
    name: str  # "index.html"; "q-<query>.html" or "h-<hash>.html" for a query

    @property
    def file(self) -> str:
        return f"{self.directory}/{self.name}" if self.directory else self.name


@dataclass
class Page:
    """A kept page, as its sidecar describes it."""

    location: Location
    status: int
    headers: list[tuple[str, str]]
    keys: list[str]
    etag: str
    stored: float
    expires: float
    encodings: list[str] = field(default_factory=list)  # "" always; "gzip", "br" when kept
    bodies: dict[str, bytes] = field(default_factory=dict)  # set on a store, read on a hit
    # The sidecar read, as (inode, mtime in ns, size): a store replaces it by a rename (a new
    # inode) and a purge removes it, so while a stat gives the same, the page is this one.
    identity: tuple[int, int, int] | None = None


def _safe_segment(segment: str) -> bool:
    return (
        segment not in {"", ".", ".."}
        and not segment.startswith(".")
        and "\\" not in segment
        and not any(ord(ch) < 32 or ord(ch) == 127 for ch in segment)
        and len(segment.encode()) <= MAX_SEGMENT_BYTES
    )


def _tracking(name: str) -> bool:
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def locate(path_info: str, query_string: str = "") -> Location | None:
    """Where the page of this request is kept, or None if it may not be (a path that is not
    plain UTF-8 segments, an excluded area, a query the pages do not read). Tracking
    parameters are left out: /ar/?utm_source=x is kept where /ar/ is.

    `path_info` is as WSGI gives it: the request's bytes decoded as ISO-8859-1."""
    try:
        path = path_info.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None
    if not path.startswith("/") or len(path.encode()) > MAX_PATH_BYTES or "\x00" in path:
        return None
    if path.startswith(EXCLUDED_PREFIXES) or path in UNCACHED_PATHS:
        return None
    segments = path.strip("/").split("/") if path.strip("/") else []
    if not all(_safe_segment(s) for s in segments) or "//" in path:
        return None
    query = ""
    if query_string:
        try:
            pairs = parse_qsl(query_string, keep_blank_values=True, strict_parsing=True)
        except ValueError:
            return None
        if not pairs:
            return None
        pairs = [(name, value) for name, value in pairs if not _tracking(name)]
        if any(name not in QUERY_PARAMS for name, _value in pairs):
            return None
        query = urlencode(sorted(pairs))
    if query and len(query) <= MAX_SEGMENT_BYTES - 10 and QUERY_FILE.fullmatch(query):
        name = f"q-{query}.html"
    elif query:
        name = "h-" + hashlib.sha256(query.encode()).hexdigest()[:24] + ".html"
    else:
        name = "index.html"
    return Location(path=path, query=query, directory="/".join(segments), name=name)


def parse_cache_control(value: str) -> dict[str, str]:
    directives = {}
    for part in value.split(","):
        name, _, argument = part.strip().partition("=")
        if name:
            directives[name.strip().lower()] = argument.strip().strip('"')
    return directives


def shared_lifetime(headers) -> int:
    """Seconds a shared cache may keep the answer by its Cache-Control: s-maxage of a public
    answer; 0 for private, no-store, no-cache or no s-maxage (only pages that name their
    surrogate keys get one, and only those can be purged)."""
    directives = parse_cache_control(
        ", ".join(v for k, v in headers if k.lower() == "cache-control")
    )
    if "public" not in directives or {"private", "no-store", "no-cache"} & directives.keys():
        return 0
    try:
        return max(0, int(directives.get("s-maxage", "0")))
    except ValueError:
        return 0


def weak_etag(etag: str) -> str:
    return etag if etag.startswith("W/") else f"W/{etag}"


def etag_matches(if_none_match: str, etag: str) -> bool:
    """If-None-Match's weak comparison (RFC 9110 §13.1.2): W/ is ignored on both sides."""
    if not if_none_match or not etag:
        return False
    if if_none_match.strip() == "*":
        return True
    own = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == own for tag in if_none_match.split(","))


# Touched by every purge: its time tells a miss in any process that a purge just happened.
PURGE_MARK = ".purged"


class PageStore:
    """The file tree and its index. One per process; a connection per thread."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._root = str(self.root)
        self._local = threading.local()

    # The index ---------------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            self.root.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.root / "index.sqlite3", timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(
                """
                CREATE TABLE IF NOT EXISTS page (file TEXT PRIMARY KEY, expires REAL NOT NULL);
                CREATE INDEX IF NOT EXISTS page_expires ON page (expires);
                CREATE TABLE IF NOT EXISTS page_key (
                    key TEXT NOT NULL, file TEXT NOT NULL, PRIMARY KEY (key, file)
                ) WITHOUT ROWID;
                CREATE INDEX IF NOT EXISTS page_key_file ON page_key (file);
                CREATE TABLE IF NOT EXISTS purge (key TEXT PRIMARY KEY, at REAL NOT NULL)
                    WITHOUT ROWID;
                CREATE INDEX IF NOT EXISTS purge_at ON purge (at);
                """
            )
            self._local.db = db
        return db

    def _write(self):
        """The index's write lock, for a store or a purge: taken at BEGIN, so the check of the
        purge times and the files written under it are one step for every other process."""
        return _Immediate(self._db())

    # Reading ---------------------------------------------------------------------------

    def _path(self, location: Location, suffix: str = "") -> Path:
        return self.root / location.directory / (location.name + suffix)

    def sidecar(self, location: Location) -> str:
        return os.path.join(self._root, location.directory, location.name + ".json")

    def lookup(self, location: Location, now: float | None = None) -> Page | None:
        """The kept page for this location if it is there and fresh (its sidecar says so)."""
        try:
            with open(self.sidecar(location), "rb") as file:
                stat = os.fstat(file.fileno())
                meta = json.loads(file.read())
        except (OSError, ValueError):
            return None
        now = time.time() if now is None else now
        if meta["path"] != location.path or meta["query"] != location.query:
            return None  # /x and /x/ share a directory; a 200 at both is not expected
        if meta["expires"] <= now:
            return None
        return Page(
            location=location,
            status=meta["status"],
            headers=[tuple(h) for h in meta["headers"]],
            keys=meta["keys"],
            etag=meta["etag"],
            stored=meta["stored"],
            expires=meta["expires"],
            encodings=meta["encodings"],
            identity=(stat.st_ino, stat.st_mtime_ns, stat.st_size),
        )

    def unchanged(self, page: Page) -> bool:
        """Whether the sidecar `page` was read from is still the one in place: one stat, so
        that a process can keep a page's bytes in memory and still see a purge at once."""
        try:
            stat = os.stat(self.sidecar(page.location))
        except OSError:
            return False
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size) == page.identity

    def body(self, page: Page, encoding: str) -> bytes | None:
        """The page's bytes in this coding; None if a purge removed them meanwhile."""
        if encoding in page.bodies:
            return page.bodies[encoding]
        try:
            return self._path(page.location, SUFFIXES[encoding]).read_bytes()
        except OSError:
            return None

    # Writing ---------------------------------------------------------------------------

    def store(self, location, status, headers, body, keys, since, lifetime) -> Page | None:
        """Keep a rendered page for `lifetime` seconds under its keys, compressed beside it,
        unless one of its keys was purged at or after `since` (time.time() when the request
        started, or earlier): its rows may have been read before that purge. The page, or None
        if it was refused."""
        keys = list(dict.fromkeys(keys))
        if not keys or lifetime <= 0:
            return None
        kept = [(k, v) for k, v in headers if k.lower() not in _NOT_KEPT]
        etag = next((v for k, v in kept if k.lower() == "etag"), "")
        if not etag:
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            kept.append(("ETag", etag))
        content_type = next((v for k, v in kept if k.lower() == "content-type"), "")
        bodies = {"": body}
        if is_compressible(content_type) and len(body) >= MIN_SIZE:
            # Outside the lock: compressing is the only slow part of a store.
            bodies.update({coding: compress(body, coding) for coding in ("gzip", "br")})
        stored = time.time()
        page = Page(location, status, kept, keys, etag, stored, stored + lifetime,
                    sorted(bodies), bodies)  # fmt: skip
        meta = json.dumps(
            {"path": location.path, "query": location.query, "status": status,
             "headers": kept, "keys": keys, "etag": etag, "stored": stored,
             "expires": page.expires, "encodings": page.encodings},
            ensure_ascii=False,
        ).encode()  # fmt: skip
        marks = ",".join("?" * len(keys))
        with self._write() as db:
            purged = db.execute(
                f"SELECT 1 FROM purge WHERE at >= ? AND key IN ({marks}) LIMIT 1", [since, *keys]
            ).fetchone()
            if purged:
                return None
            directory = self.root / location.directory
            directory.mkdir(parents=True, exist_ok=True)
            for coding, data in bodies.items():
                _replace(self._path(location, SUFFIXES[coding]), data)
            for coding in set(SUFFIXES) - set(bodies):  # an older page's variants
                self._path(location, SUFFIXES[coding]).unlink(missing_ok=True)
            _replace(self._path(location, ".json"), meta)  # last: it makes the page servable
            db.execute("DELETE FROM page_key WHERE file = ?", [location.file])
            db.execute("INSERT OR REPLACE INTO page VALUES (?, ?)", [location.file, page.expires])
            db.executemany(
                "INSERT OR IGNORE INTO page_key VALUES (?, ?)", [(k, location.file) for k in keys]
            )
            self._prune(db, stored)
        return page

    def purge(self, keys) -> int:
        """Remove every page that carries one of `keys` and remember when, so that a page
        rendered before now is not stored after. The number of pages removed."""
        keys = list(dict.fromkeys(keys))
        if not keys:
            return 0
        marks = ",".join("?" * len(keys))
        with self._write() as db:
            now = time.time()  # under the lock: every store after this sees it
            db.executemany("INSERT OR REPLACE INTO purge VALUES (?, ?)", [(k, now) for k in keys])
            files = [
                row[0]
                for row in db.execute(
                    f"SELECT DISTINCT file FROM page_key WHERE key IN ({marks})", keys
                )
            ]
            self._remove(db, files)
            db.execute("DELETE FROM purge WHERE at < ?", [now - PURGE_MEMORY_SECONDS])
            self._mark_purge()
        return len(files)

    def _mark_purge(self) -> None:
        (self.root / PURGE_MARK).touch()

    def last_purge(self) -> float:
        """When any page was last purged, by any process (0 if never): a stat, for misses."""
        try:
            return (self.root / PURGE_MARK).stat().st_mtime
        except FileNotFoundError:
            return 0.0

    def count(self) -> int:
        return self._db().execute("SELECT count(*) FROM page").fetchone()[0]

    def clear(self) -> int:
        """Remove every kept page (after a deployment that changes templates)."""
        with self._write() as db:
            files = [row[0] for row in db.execute("SELECT file FROM page")]
            self._remove(db, files)
            db.execute("INSERT OR REPLACE INTO purge SELECT key, ? FROM page_key", [time.time()])
            self._mark_purge()
        return len(files)

    def _prune(self, db, now: float) -> None:
        # Expired pages leave the tree a few at a time with each store, so that a front server
        # sending the files directly does not keep sending them for long.
        files = [
            row[0]
            for row in db.execute(
                "SELECT file FROM page WHERE expires <= ? LIMIT ?", [now, PRUNE_BATCH]
            )
        ]
        self._remove(db, files)

    def _remove(self, db, files) -> None:
        for file in files:
            base = self.root / file
            # The sidecar first: without it the page is no longer served.
            for suffix in (".json", *SUFFIXES.values()):
                base.with_name(base.name + suffix).unlink(missing_ok=True)
        db.executemany("DELETE FROM page_key WHERE file = ?", [(f,) for f in files])
        db.executemany("DELETE FROM page WHERE file = ?", [(f,) for f in files])


class _Immediate:
    def __init__(self, db):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb):
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
        return False


def _replace(path: Path, data: bytes) -> None:
    """Write aside, then rename into place: a reader sees the old file or the new, whole."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def pick_encoding(accept_encoding: str | None, available) -> str:
    """The coding to send of those kept: the client's preference, else the plain bytes."""
    chosen = choose_encoding(accept_encoding)
    if chosen in available:
        return chosen
    if chosen == "br" and "gzip" in available and choose_encoding(f"{accept_encoding}, br;q=0"):
        return "gzip"
    return ""
