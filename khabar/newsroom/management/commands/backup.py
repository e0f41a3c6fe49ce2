"""Back up the site's database and media files into one archive (see khabar/lib/backup.py)."""

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from khabar.lib import backup


def size(count: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1024
    raise AssertionError


def secret_key_file() -> Path | None:
    """The key file settings.py generated, when it is the key in use (not SECRET_KEY's)."""
    return None if os.environ.get("SECRET_KEY") else Path(settings.DATA_DIR) / "secret_key"


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite's online backup, or pg_dump on PostgreSQL) and the media "
        "files into one .tar.gz archive, safely while the site runs. Default: "
        "DATA_DIR/backups/khabar-<UTC time>.tar.gz."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="where to write the archive")
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args, path, database, **options):
        connection = connections[database]
        archive = Path(path) if path else backup.default_archive_path(settings.DATA_DIR)
        if archive.exists():
            raise CommandError(f"{archive} exists already: name another file.")
        try:
            result = backup.create_backup(
                archive,
                database=connection.settings_dict,
                media_root=Path(settings.MEDIA_ROOT),
                secret_key_file=secret_key_file(),
                connection=connection,
            )
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        manifest = result.manifest
        self.stdout.write(
            f"Wrote {result.archive} ({size(result.archive_bytes)}).", self.style.SUCCESS
        )
        self.stdout.write(
            f"  database ({manifest['database']['engine']}): "
            f"{size(manifest['database']['bytes'])}, {len(manifest['migrations'])} migrations"
        )
        self.stdout.write(
            f"  media: {manifest['media']['files']} files, {size(manifest['media']['bytes'])}"
        )
        if manifest["secret_key"]:
            self.stdout.write("  the secret key of the data directory (keep the archive private)")
        else:
            self.stdout.write(
                "  not the secret key: it comes from SECRET_KEY; keep it with the backup (sessions "
                "and the hashes of e-mail addresses and networks depend on it)."
            )
