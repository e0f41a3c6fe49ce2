"""Backups of a site's data, the database and the media files, as one .tar.gz archive.

The archive holds, in this order:
- manifest.json: format, Khabar version, time, database engine, the migrations applied in the
  archived database, a checksum of the database file and a count of media files;
- database/khabar.sqlite3 (SQLite, made with SQLite's online backup API) or
  database/khabar.pgdump (PostgreSQL, `pg_dump --format=custom`);
- media/...: the files under MEDIA_ROOT;
- secret_key: the key generated in the data directory, when the site uses it (sessions, signed
  links and the salt of e-mail and network hashes depend on it: without it a restored site no
  longer recognises banned addresses).

An archive holds password hashes, e-mail addresses and perhaps the secret key: it is written
readable by its owner only.

Restoring writes everything aside first (next to its final place, so a rename moves it in) and
only then swaps it in, keeping the previous data beside it under a `.before-restore-<time>` name:
a damaged or foreign archive is refused before anything the site uses is touched. On PostgreSQL
the whole restore runs in one transaction instead.

These functions take the database's Django settings and the media directory as arguments, so that
tests and the management commands (newsroom/management/commands/backup.py, restore.py) share them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path, PurePosixPath

FORMAT = "khabar-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SECRET_KEY_FILE = "secret_key"
DATABASE_FILES = {"sqlite": "database/khabar.sqlite3", "postgresql": "database/khabar.pgdump"}
ENGINES = {
    "django.db.backends.sqlite3": "sqlite",
    "django.db.backends.postgresql": "postgresql",
}
DOCS = "README, section Backups"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator."""


@dataclass
class Result:
    archive: Path
    manifest: dict
    archive_bytes: int = 0
    # Paths where the data replaced by a restore were kept.
    kept_aside: list[Path] = field(default_factory=list)


def khabar_version() -> str:
    try:
        return metadata.version("khabar")
    except metadata.PackageNotFoundError:
        return "unknown"


def engine_of(database: dict) -> str:
    try:
        return ENGINES[database["ENGINE"]]
    except KeyError:
        raise BackupError(
            f"Backups support SQLite and PostgreSQL, not {database['ENGINE']}."
        ) from None


def default_archive_path(data_dir: Path, now: datetime | None = None) -> Path:
    now = (now or datetime.now(UTC)).astimezone(UTC)
    return Path(data_dir) / "backups" / f"khabar-{now:%Y%m%d-%H%M%S}Z.tar.gz"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    # A rename is durable only once its directory is synced.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# -- Taking a backup ---------------------------------------------------------------------------


def _copy_sqlite(database: dict, destination: Path) -> list[list[str]]:
    """Copy a live SQLite database with the online backup API; return its applied migrations.

    One backup step (pages=-1) reads the whole database inside one read transaction: in WAL mode
    that is a consistent snapshot holding every transaction committed before it began, and the
    site's writers go on meanwhile (a WAL reader blocks no writer). The migrations are read from
    the copy, so the manifest describes exactly the data archived.
    """
    source_path = Path(database["NAME"])
    if not source_path.exists():
        raise BackupError(f"There is no database at {source_path}.")
    source = sqlite3.connect(source_path, timeout=database.get("OPTIONS", {}).get("timeout", 20))
    copy = sqlite3.connect(destination)
    try:
        source.backup(copy, pages=-1)
        # The copy is one self-contained file: no -wal beside it when it is archived.
        copy.execute("PRAGMA journal_mode=DELETE")
        problems = [row[0] for row in copy.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise BackupError("The database copy fails its integrity check: " + "; ".join(problems))
        return _sqlite_migrations(copy)
    finally:
        copy.close()
        source.close()


def _sqlite_migrations(db: sqlite3.Connection) -> list[list[str]]:
    try:
        rows = db.execute("SELECT app, name FROM django_migrations ORDER BY app, name").fetchall()
    except sqlite3.DatabaseError:
        return []
    return [list(row) for row in rows]


def _pg_environment(database: dict) -> tuple[list[str], dict]:
    """Connection arguments and environment for pg_dump, pg_restore and psql: the password goes
    in the environment, never on a command line other users can read."""
    args = []
    if database.get("HOST"):
        args += ["--host", str(database["HOST"])]
    if database.get("PORT"):
        args += ["--port", str(database["PORT"])]
    if database.get("USER"):
        args += ["--username", str(database["USER"])]
    env = {**os.environ}
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    if database.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = database["OPTIONS"]["sslmode"]
    return args, env


def _pg_tool(name: str) -> str:
    tool = shutil.which(name)
    if not tool:
        raise BackupError(
            f"{name} is not on PATH: install the PostgreSQL client tools of the server's major "
            f"version, or back up by hand with pg_dump/pg_restore ({DOCS})."
        )
    return tool


def _run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()}")


def _dump_postgresql(database: dict, destination: Path, connection) -> list[list[str]]:
    # The applied migrations are read just before the dump: a migration running during a backup
    # is not a case worth a second snapshot.
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [list(row) for row in cursor.fetchall()]
    args, env = _pg_environment(database)
    _run(
        [_pg_tool("pg_dump"), "--format=custom", "--file", str(destination), *args,
         "--dbname", database["NAME"]],
        env,
    )  # fmt: skip
    return migrations


def _media_files(media_root: Path) -> list[tuple[Path, str, int]]:
    """Regular files under the media directory, with their names in the archive. Links are left
    out: they point outside what the archive can restore."""
    media_root = Path(media_root)
    if not media_root.is_dir():
        return []
    found = []
    for directory, dirnames, filenames in os.walk(media_root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(directory) / name
            with contextlib.suppress(FileNotFoundError):
                if path.is_file() and not path.is_symlink():
                    name_in_archive = "media/" + path.relative_to(media_root).as_posix()
                    found.append((path, name_in_archive, path.stat().st_size))
    return found


def create_backup(
    archive: Path,
    *,
    database: dict,
    media_root: Path,
    secret_key_file: Path | None = None,
    connection=None,
) -> Result:
    """Write an archive of the database and media files to `archive` (written aside, then renamed
    into place, so a half-written archive never carries the final name)."""
    engine = engine_of(database)
    archive = Path(archive)
    archive.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with_key = secret_key_file is not None and Path(secret_key_file).is_file()
    with tempfile.TemporaryDirectory(dir=archive.parent, prefix=".backup-") as staging:
        db_copy = Path(staging) / PurePosixPath(DATABASE_FILES[engine]).name
        if engine == "sqlite":
            migrations = _copy_sqlite(database, db_copy)
        else:
            migrations = _dump_postgresql(database, db_copy, connection)
        media = _media_files(media_root)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "khabar_version": khabar_version(),
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": {
                "engine": engine,
                "file": DATABASE_FILES[engine],
                "bytes": db_copy.stat().st_size,
                "sha256": _sha256(db_copy),
            },
            "migrations": migrations,
            "media": {"files": len(media), "bytes": sum(size for _p, _n, size in media)},
            "secret_key": with_key,
        }
        manifest_at = Path(staging) / MANIFEST
        manifest_at.write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
        partial = Path(staging) / "archive.tar.gz"
        partial.touch(mode=0o600)
        # Level 6: nearly the size of 9 at half the time; images and PDFs do not shrink anyway.
        with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
            # The manifest goes first: a restore reads it without unpacking the rest.
            tar.add(manifest_at, MANIFEST)
            tar.add(db_copy, DATABASE_FILES[engine])
            if with_key:
                tar.add(secret_key_file, SECRET_KEY_FILE)
            for path, name, _size in media:
                # The site may delete a file meanwhile (a story's image replaced): the archive
                # then holds one file fewer than its manifest counts, which a restore accepts.
                with contextlib.suppress(FileNotFoundError):
                    tar.add(path, name)
        with open(partial, "rb") as f:
            os.fsync(f.fileno())
        os.replace(partial, archive)
        _fsync_dir(archive.parent)
    return Result(archive=archive, manifest=manifest, archive_bytes=archive.stat().st_size)


# -- Checking an archive -----------------------------------------------------------------------

READ_ERRORS = (tarfile.TarError, EOFError, zlib.error, OSError, UnicodeDecodeError, ValueError)


def read_manifest(archive: Path) -> dict:
    """The archive's manifest, or BackupError saying why this is not a Khabar backup."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"There is no file at {archive}.")
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.next()
            if member is None or member.name != MANIFEST or not member.isfile():
                raise BackupError(
                    f"{archive} is not a Khabar backup: it does not start with {MANIFEST}."
                )
            manifest = json.loads(tar.extractfile(member).read().decode())
    except BackupError:
        raise
    except READ_ERRORS as error:
        raise BackupError(
            f"{archive} is not a Khabar backup, or it is damaged ({error})."
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} is not a Khabar backup: its manifest is someone else's.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{archive} is a backup in format {manifest.get('format_version')}; this Khabar "
            f"reads format {FORMAT_VERSION}. Restore it with the Khabar version that made it "
            f"({manifest.get('khabar_version')})."
        )
    # The rest is checked too: the names in it decide where files are written.
    database = manifest.get("database")
    engine = database.get("engine") if isinstance(database, dict) else None
    if (
        engine not in DATABASE_FILES
        or database.get("file") != DATABASE_FILES[engine]
        or not isinstance(database.get("sha256"), str)
        or not isinstance(manifest.get("migrations"), list)
        or not all(isinstance(m, list) and len(m) == 2 for m in manifest["migrations"])
        or not isinstance(manifest.get("media"), dict)
    ):
        raise BackupError(f"{archive} is damaged: its manifest is incomplete.")
    return manifest


def check_restorable(manifest: dict, *, engine: str, known_migrations: set[tuple[str, str]]):
    """Refuse an archive of another database engine, or one whose database has migrations this
    code does not have (it was taken by a newer Khabar; migrations cannot be undone by hand)."""
    archived = manifest["database"]["engine"]
    if archived != engine:
        raise BackupError(
            f"This archive holds a {archived} database and this site runs on {engine}: restore "
            f"it onto a {archived} site (see {DOCS} for moving data between them)."
        )
    archived_migrations = {(app, name) for app, name in manifest["migrations"]}
    unknown = sorted(f"{app}.{name}" for app, name in archived_migrations - known_migrations)
    if unknown:
        raise BackupError(
            f"This archive was taken by a newer Khabar ({manifest.get('khabar_version')}): its "
            f"database has migrations this code does not know: {', '.join(unknown)}. Install "
            f"that version first, then restore."
        )


def existing_data(*, database: dict, media_root: Path, connection=None) -> list[str]:
    """What a restore would replace, described for the operator; empty on a fresh site."""
    found = []
    if engine_of(database) == "sqlite":
        path = Path(database["NAME"])
        if path.exists() and path.stat().st_size > 0:
            # SQLite removes the -wal file when the last connection closes cleanly.
            open_now = path.with_name(path.name + "-wal").exists()
            found.append(
                f"the database {path}"
                + (" (its -wal file exists: a process may have it open)" if open_now else "")
            )
    else:
        if connection.introspection.table_names():
            found.append(f"the tables of the PostgreSQL database {database['NAME']}")
    if Path(media_root).is_dir() and any(Path(media_root).iterdir()):
        found.append(f"the media files in {media_root}")
    return found


# -- Restoring ---------------------------------------------------------------------------------


def _unpack(archive: Path, manifest: dict, staging: Path) -> tuple[Path, Path]:
    """Unpack into `staging`, refusing anything but the database file and plain media files
    (no links, no paths leaving the directory), and check the database against the manifest."""
    db_name = manifest["database"]["file"]
    db_path = None
    (staging / "media").mkdir()
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                path = PurePosixPath(member.name)
                in_media = (
                    len(path.parts) > 1 and path.parts[0] == "media" and ".." not in path.parts
                )
                if member.name == MANIFEST:
                    continue
                elif member.isfile() and member.name == SECRET_KEY_FILE:
                    tar.extract(member, staging, filter="data")
                elif member.isfile() and member.name == db_name:
                    db_path = staging / path.name
                    with open(db_path, "wb") as out:
                        shutil.copyfileobj(tar.extractfile(member), out)
                elif in_media and (member.isfile() or member.isdir()):
                    # The data filter also refuses odd modes and names leaving the directory.
                    tar.extract(member, staging, filter="data")
                else:
                    raise BackupError(
                        f"{archive} is not a Khabar backup: it holds {member.name!r}, which a "
                        f"backup never holds."
                    )
    except BackupError:
        raise
    except (*READ_ERRORS, tarfile.FilterError) as error:
        raise BackupError(f"{archive} is damaged and cannot be restored ({error}).") from None
    if db_path is None:
        raise BackupError(f"{archive} is damaged: it holds no database file.")
    if _sha256(db_path) != manifest["database"]["sha256"]:
        raise BackupError(f"{archive} is damaged: its database file does not match its checksum.")
    return db_path, staging / "media"


def _aside(path: Path, stamp: str) -> Path:
    return path.with_name(f"{path.name}.before-restore-{stamp}")


def _swap_sqlite(staged: Path, target: Path, stamp: str) -> list[Path]:
    """Move the staged database into place. The old -wal and -shm files go aside with the old
    database: left beside the new file, SQLite would replay the old log into it."""
    check = sqlite3.connect(staged)
    try:
        problems = [row[0] for row in check.execute("PRAGMA integrity_check")]
    finally:
        check.close()
    if problems != ["ok"]:
        raise BackupError("The archived database fails its integrity check: " + "; ".join(problems))
    kept = [_aside(target, stamp)] if target.exists() else []
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        old = target.with_name(target.name + suffix)
        if old.exists():
            os.replace(old, _aside(target, stamp).with_name(_aside(target, stamp).name + suffix))
    os.replace(staged, target)
    _fsync_dir(target.parent)
    return kept


def _restore_postgresql(staged: Path, database: dict, connection, staging: Path) -> None:
    """Replace the database's tables with the archive's in one transaction: psql runs the drop of
    the present tables and the archive's script (made by pg_restore) under --single-transaction,
    so a failure leaves the database as it was."""
    args, env = _pg_environment(database)
    script = staging / "restore.sql"
    _run(
        [_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
         "--file", str(script), str(staged)],
        env,
    )  # fmt: skip
    # Tables the archive does not know (a newer migration's) would survive --clean and make the
    # next migrate fail: they go too.
    quote = connection.ops.quote_name
    tables = connection.introspection.table_names()
    drop = staging / "drop.sql"
    drop.write_text(
        f"DROP TABLE IF EXISTS {', '.join(quote(t) for t in tables)} CASCADE;\n" if tables else ""
    )
    connection.close()
    _run(
        [_pg_tool("psql"), "--no-psqlrc", "--quiet", "--single-transaction",
         "--set", "ON_ERROR_STOP=1", *args, "--dbname", database["NAME"],
         "--file", str(drop), "--file", str(script)],
        env,
    )  # fmt: skip


def restore_backup(
    archive: Path,
    *,
    database: dict,
    media_root: Path,
    known_migrations: set[tuple[str, str]],
    force: bool = False,
    secret_key_file: Path | None = None,
    connection=None,
) -> Result:
    """Restore `archive` over the site's database and media directory.

    Refuses (BackupError) a foreign or damaged archive, an archive of another engine or of a
    newer migration state, and, without `force`, a site that has data: the site must be stopped
    first, since its processes would go on writing to the files moved aside.
    """
    archive = Path(archive)
    engine = engine_of(database)
    manifest = read_manifest(archive)
    check_restorable(manifest, engine=engine, known_migrations=known_migrations)
    present = existing_data(database=database, media_root=media_root, connection=connection)
    if present and not force:
        raise BackupError(
            "This site already has data (" + "; ".join(present) + "). Stop the site, then "
            "restore with --force to replace it; the present data are kept aside."
        )
    media_root = Path(media_root)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    result = Result(archive=archive, manifest=manifest, archive_bytes=archive.stat().st_size)
    # Staged next to the media directory, so that moving it into place is a rename.
    with tempfile.TemporaryDirectory(dir=media_root.parent, prefix=".restore-") as staging:
        staging = Path(staging)
        staged_db, staged_media = _unpack(archive, manifest, staging)
        if engine == "sqlite":
            target = Path(database["NAME"])
            if target.parent != media_root.parent:
                # Another filesystem perhaps: copy next to the target first, then rename.
                near = target.parent / f".{target.name}.restore-{stamp}"
                shutil.copyfile(staged_db, near)
                staged_db = near
            try:
                result.kept_aside += _swap_sqlite(staged_db, target, stamp)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    if staged_db.parent != staging:
                        staged_db.unlink()
        else:
            _restore_postgresql(staged_db, database, connection, staging)
        if media_root.exists():
            result.kept_aside.append(_aside(media_root, stamp))
            os.replace(media_root, _aside(media_root, stamp))
        os.replace(staged_media, media_root)
        _fsync_dir(media_root.parent)
        staged_key = staging / SECRET_KEY_FILE
        if secret_key_file is not None and staged_key.is_file():
            key = Path(secret_key_file)
            if not key.exists() or key.read_bytes() != staged_key.read_bytes():
                near = key.with_name(f".{key.name}.restore-{stamp}")
                shutil.copyfile(staged_key, near)
                near.chmod(0o600)
                if key.exists():
                    result.kept_aside.append(_aside(key, stamp))
                    os.replace(key, _aside(key, stamp))
                os.replace(near, key)
    return result
