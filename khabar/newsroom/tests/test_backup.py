"""Backups: `manage.py backup` taken while another process writes holds every write acknowledged
before it began, and `manage.py restore` brings it back into a fresh site that passes its
integrity and migration checks; media files and the secret key round-trip; damaged, foreign and
newer archives are refused, and so is a restore over a site's data without --force."""

import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import time
import urllib.parse
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from khabar.lib import backup
from khabar.news.models import Article

ROOT = Path(__file__).resolve().parents[3]
KNOWN = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def database_url(name: str | None = None) -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{name or db['NAME']}"
    user = db.get("USER") or "postgres"
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{name or db['NAME']}"


def manage(*args: str, data_dir: Path, url: str = "") -> subprocess.CompletedProcess:
    """manage.py in another process, on its own data directory (DATABASE_URL empty: SQLite)."""
    env = {**os.environ, "KHABAR_DATA_DIR": str(data_dir), "DATABASE_URL": url}
    env.pop("SECRET_KEY", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def acknowledged(path: Path) -> list[str]:
    # Only whole lines: the last one may be half written when read.
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    return text.split("\n")[:-1]


def wait_for(condition, process, what: str) -> None:
    deadline = time.monotonic() + 120
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the writer stopped: {process.stderr.read()}")
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def fresh_database():
    """The URL of an empty database to restore into: a file in a fresh data directory on SQLite,
    a new database beside the test database on PostgreSQL."""
    if connection.vendor == "sqlite":
        yield ""
        return
    name = f"{connection.settings_dict['NAME']}_restored"
    maintenance = urllib.parse.urlsplit(database_url())._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield database_url(name)
    with psycopg.connect(maintenance, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def restored_headlines(data_dir: Path, url: str) -> set[str]:
    if not url:
        with sqlite3.connect(data_dir / "khabar.sqlite3") as db:
            assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            return {row[0] for row in db.execute("SELECT headline FROM news_article")}
    with psycopg.connect(url) as db:
        return {row[0] for row in db.execute("SELECT headline FROM news_article")}


@pytest.mark.django_db(transaction=True)
def test_a_backup_taken_during_writes_holds_every_acknowledged_write(
    edition, section, tmp_path, settings, fresh_database
):
    settings.MEDIA_ROOT = tmp_path / "site" / "media"
    (settings.MEDIA_ROOT / "2026").mkdir(parents=True)
    (settings.MEDIA_ROOT / "2026" / "صورة.jpg").write_bytes(b"\xff\xd8 not quite a jpeg")
    acks, stop, archive = tmp_path / "acks", tmp_path / "stop", tmp_path / "site.tar.gz"
    writer = subprocess.Popen(
        [sys.executable, "-m", "khabar.newsroom.tests.backup_writer",
         str(edition.pk), str(section.pk), str(acks), str(stop)],
        cwd=ROOT, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "DATABASE_URL": database_url(), "SECRET_KEY": settings.SECRET_KEY,
             "KHABAR_DATA_DIR": str(tmp_path / "writer")},
    )  # fmt: skip
    try:
        wait_for(lambda: len(acknowledged(acks)) >= 30, writer, "the first writes")
        before = acknowledged(acks)
        out = io.StringIO()
        call_command("backup", str(archive), stdout=out)
        # The writer was never held up by the backup: it goes on writing after it.
        wait_for(lambda: len(acknowledged(acks)) >= len(before) + 30, writer, "more writes")
    finally:
        stop.touch()
        writer.wait(timeout=60)
    assert writer.returncode == 0, writer.stderr.read()
    assert f"Wrote {archive}" in out.getvalue()

    fresh = tmp_path / "fresh"
    done = manage("restore", str(archive), data_dir=fresh, url=fresh_database)
    assert done.returncode == 0, done.stderr
    assert "Next: run `manage.py migrate`" in done.stdout
    headlines = restored_headlines(fresh, fresh_database)
    missing = set(before) - headlines
    assert not missing, f"{len(missing)} of {len(before)} acknowledged writes lost"
    check = manage("migrate", "--check", data_dir=fresh, url=fresh_database)
    assert check.returncode == 0, check.stdout + check.stderr
    assert (fresh / "media" / "2026" / "صورة.jpg").read_bytes() == b"\xff\xd8 not quite a jpeg"


@pytest.mark.django_db
def test_restore_over_a_sites_data_refuses_without_force(make_article, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    archive = tmp_path / "site.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    make_article("خبر كتب بعد النسخة")
    with pytest.raises(CommandError, match=r"already has data.*--force"):
        call_command("restore", str(archive), "--noinput", stdout=io.StringIO())
    assert Article.objects.filter(headline="خبر كتب بعد النسخة").exists()


# The tests below work on SQLite files of their own, outside the site's database.


def sqlite_site(root: Path, headlines=("أ",), migrations=(("news", "0001_initial"),)) -> dict:
    """A site's data in `root`: an SQLite database with a few rows and applied migrations."""
    root.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(root / "khabar.sqlite3") as db:
        db.execute("CREATE TABLE django_migrations (id INTEGER PRIMARY KEY, app, name, applied)")
        db.executemany("INSERT INTO django_migrations (app, name) VALUES (?, ?)", migrations)
        db.execute("CREATE TABLE story (headline TEXT)")
        db.executemany("INSERT INTO story VALUES (?)", [(h,) for h in headlines])
    db.close()
    return {
        "database": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(root / "khabar.sqlite3")},
        "media_root": root / "media",
    }


def stories(site: dict) -> list[str]:
    db = sqlite3.connect(site["database"]["NAME"])
    try:
        return [row[0] for row in db.execute("SELECT headline FROM story ORDER BY rowid")]
    finally:
        db.close()


def test_media_files_and_the_secret_key_round_trip(tmp_path):
    site = sqlite_site(tmp_path / "site")
    files = {
        "2026/12/صورة الغلاف.jpg": os.urandom(300_000),
        "documents/تقرير.pdf": b"%PDF-1.7 ...",
        "top.txt": "نص".encode(),
    }
    for name, data in files.items():
        (site["media_root"] / name).parent.mkdir(parents=True, exist_ok=True)
        (site["media_root"] / name).write_bytes(data)
    (tmp_path / "site" / "secret_key").write_text("the-old-sites-key")
    archive = tmp_path / "backups" / "site.tar.gz"
    made = backup.create_backup(archive, **site, secret_key_file=tmp_path / "site" / "secret_key")
    assert made.manifest["media"] == {"files": 3, "bytes": sum(map(len, files.values()))}
    assert archive.stat().st_mode & 0o077 == 0  # password hashes and the key inside

    fresh = tmp_path / "fresh"
    target = {"database": {**site["database"], "NAME": str(fresh / "khabar.sqlite3")},
              "media_root": fresh / "media"}  # fmt: skip
    (fresh).mkdir()
    (fresh / "secret_key").write_text("a key generated by the fresh site")
    backup.restore_backup(
        archive, **target, known_migrations=KNOWN, force=True, secret_key_file=fresh / "secret_key"
    )
    restored = {
        p.relative_to(fresh / "media").as_posix(): p.read_bytes()
        for p in (fresh / "media").rglob("*")
        if p.is_file()
    }
    assert restored == files
    assert stories(target) == ["أ"]
    assert (fresh / "secret_key").read_text() == "the-old-sites-key"
    assert (fresh / "secret_key").stat().st_mode & 0o077 == 0


def test_force_replaces_a_database_whose_log_is_not_yet_checkpointed(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: a PostgreSQL site has no -wal file beside its database")
    archive = tmp_path / "old.tar.gz"
    backup.create_backup(archive, **sqlite_site(tmp_path / "old", headlines=["من النسخة"]))
    site = sqlite_site(tmp_path / "site", headlines=["قديم"])
    # A connection left open with writes still in the -wal file: were that file left beside the
    # restored database, SQLite would replay it into the restored data.
    live = sqlite3.connect(site["database"]["NAME"])
    live.execute("PRAGMA journal_mode=WAL")
    live.execute("PRAGMA wal_autocheckpoint=0")
    with live:
        live.executemany("INSERT INTO story VALUES (?)", [(f"في السجل {i}",) for i in range(500)])
    assert Path(site["database"]["NAME"] + "-wal").stat().st_size > 0
    try:
        result = backup.restore_backup(archive, **site, known_migrations=KNOWN, force=True)
    finally:
        live.close()
    assert stories(site) == ["من النسخة"]
    aside = result.kept_aside[0]
    assert aside.name.startswith("khabar.sqlite3.before-restore-")
    kept = sqlite3.connect(aside)
    assert kept.execute("SELECT count(*) FROM story").fetchone() == (501,)
    kept.close()


def test_an_archive_from_a_newer_khabar_is_refused_naming_its_migrations(tmp_path):
    newer = sqlite_site(
        tmp_path / "newer",
        migrations=[("news", "0001_initial"), ("news", "0999_from_a_newer_khabar")],
    )
    archive = tmp_path / "newer.tar.gz"
    backup.create_backup(archive, **newer)
    fresh = sqlite_site(tmp_path / "fresh")
    with pytest.raises(backup.BackupError, match=r"newer Khabar.*news\.0999_from_a_newer_khabar"):
        backup.restore_backup(archive, **fresh, known_migrations=KNOWN, force=True)
    assert stories(fresh) == ["أ"]


def rewritten(archive: Path, out: Path, extra: tarfile.TarInfo, data: bytes = b"") -> Path:
    """`archive` with one more member after its own."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(out, "w:gz") as tar:
        for member in source:
            tar.addfile(member, source.extractfile(member) if member.isfile() else None)
        tar.addfile(extra, io.BytesIO(data) if extra.isfile() else None)
    return out


def only_a_manifest(out: Path, manifest: dict) -> Path:
    with tarfile.open(out, "w:gz") as tar:
        info = tarfile.TarInfo("manifest.json")
        body = json.dumps(manifest).encode()
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
    return out


def test_damaged_and_foreign_archives_are_refused_and_change_nothing(tmp_path):
    good = tmp_path / "good.tar.gz"
    backup.create_backup(good, **sqlite_site(tmp_path / "old", headlines=["ب"] * 2000))
    site = sqlite_site(tmp_path / "site", headlines=["يبقى كما هو"])
    (site["media_root"]).mkdir()
    (site["media_root"] / "keep.txt").write_text("باق")

    damaged = tmp_path / "damaged.tar.gz"
    data = bytearray(good.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(b ^ 0x5A for b in data[middle : middle + 64])
    damaged.write_bytes(bytes(data))

    plain = tmp_path / "notes.txt"
    plain.write_text("not an archive")
    foreign = tmp_path / "foreign.tar.gz"
    with tarfile.open(foreign, "w:gz") as tar:
        tar.add(plain, "notes.txt")
    other_manifest = only_a_manifest(tmp_path / "other.tar.gz", {"format": "something-else"})
    odd_manifest = only_a_manifest(
        tmp_path / "odd.tar.gz",
        {"format": "khabar-backup", "format_version": 1,
         "database": {"engine": "sqlite", "file": "../../etc/x"}},
    )  # fmt: skip
    link = tarfile.TarInfo("media/escape")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    with_link = rewritten(good, tmp_path / "link.tar.gz", link)
    outside = tarfile.TarInfo("media/../../outside.txt")
    outside.size = 3
    escaping = rewritten(good, tmp_path / "escape.tar.gz", outside, b"bad")

    cases = {
        damaged: "damaged",
        plain: "not a Khabar backup",
        foreign: "not a Khabar backup: it does not start with manifest.json",
        other_manifest: "not a Khabar backup: its manifest is someone else's",
        odd_manifest: "is damaged: its manifest is incomplete",
        with_link: "not a Khabar backup: it holds 'media/escape'",
        escaping: "not a Khabar backup: it holds 'media/../../outside.txt'",
    }
    for archive, message in cases.items():
        with pytest.raises(backup.BackupError) as refused:
            backup.restore_backup(archive, **site, known_migrations=KNOWN, force=True)
        assert message in str(refused.value), archive.name
        assert stories(site) == ["يبقى كما هو"]
        assert (site["media_root"] / "keep.txt").read_text() == "باق"
    assert not (tmp_path / "outside.txt").exists()
    left = sorted(p.name for p in tmp_path.joinpath("site").iterdir())
    assert left == ["khabar.sqlite3", "media"]  # nothing staged is left behind


def test_the_command_explains_a_foreign_archive(tmp_path):
    plain = tmp_path / "notes.txt"
    plain.write_text("not an archive")
    with pytest.raises(CommandError, match="is not a Khabar backup"):
        call_command("restore", str(plain), "--force", stdout=io.StringIO())


def test_the_default_archive_is_under_the_data_directory_with_the_time_in_its_name():
    from datetime import UTC, datetime

    at = datetime(2026, 12, 3, 17, 4, 5, tzinfo=UTC)
    path = backup.default_archive_path(Path("/srv/khabar"), at)
    assert path == Path("/srv/khabar/backups/khabar-20261203-170405Z.tar.gz")


@pytest.mark.django_db(transaction=True)
def test_force_on_postgresql_replaces_every_table_in_one_transaction(
    make_article, tmp_path, settings, fresh_database
):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite's replacement is a rename, tested above")
    settings.MEDIA_ROOT = tmp_path / "media"
    make_article("خبر في النسخة")
    archive = tmp_path / "site.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    site = tmp_path / "site"
    assert manage("restore", str(archive), data_dir=site, url=fresh_database).returncode == 0
    # The site moves on: a table a newer migration added, a story written after the backup.
    with psycopg.connect(fresh_database, autocommit=True) as db:
        db.execute("CREATE TABLE news_from_a_later_migration (id int)")
        db.execute("UPDATE news_article SET headline = 'تغير بعد النسخة'")
    refused = manage("restore", str(archive), "--noinput", data_dir=site, url=fresh_database)
    assert refused.returncode == 1 and "already has data" in refused.stderr
    done = manage("restore", str(archive), "--force", data_dir=site, url=fresh_database)
    assert done.returncode == 0, done.stderr
    assert restored_headlines(site, fresh_database) == {"خبر في النسخة"}
    with psycopg.connect(fresh_database) as db:
        assert db.execute("SELECT to_regclass('news_from_a_later_migration')").fetchone() == (None,)
    check = manage("migrate", "--check", data_dir=site, url=fresh_database)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.django_db
def test_an_operator_who_does_not_confirm_changes_nothing(make_article, tmp_path, settings,
                                                           monkeypatch):  # fmt: skip
    from khabar.newsroom.management.commands import restore

    settings.MEDIA_ROOT = tmp_path / "media"
    archive = tmp_path / "site.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    make_article("خبر كتب بعد النسخة")
    asked = []
    monkeypatch.setattr(restore.Command, "stdin_is_a_terminal", staticmethod(lambda: True))
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or "no")
    with pytest.raises(CommandError, match="cancelled; nothing changed"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert "Is the site stopped" in asked[0]
    assert Article.objects.filter(headline="خبر كتب بعد النسخة").exists()
