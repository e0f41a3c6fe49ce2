"""Restore a backup made by `manage.py backup` (see khabar/lib/backup.py)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.db.migrations.loader import MigrationLoader

from khabar.lib import backup
from khabar.newsroom.management.commands.backup import secret_key_file


class Command(BaseCommand):
    help = (
        "Restore the database and media files from an archive made by `manage.py backup`. "
        "Stop the site first; data already there is replaced only with --force (or after you "
        "confirm), and kept aside."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the archive to restore")
        parser.add_argument(
            "--force", action="store_true", help="replace the data this site has, without asking"
        )
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive",
            help="never ask: refuse when the site has data and --force is not given",
        )  # fmt: skip
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args, path, force, interactive, database, **options):
        connection = connections[database]
        media_root = Path(settings.MEDIA_ROOT)
        # The migrations this code has, read from disk: an archive with others is from a newer
        # Khabar and is refused.
        known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
        try:
            manifest = backup.read_manifest(Path(path))
            backup.check_restorable(
                manifest, engine=backup.engine_of(connection.settings_dict), known_migrations=known
            )
            present = backup.existing_data(
                database=connection.settings_dict, media_root=media_root, connection=connection
            )
            if present and not force:
                if not (interactive and self.stdin_is_a_terminal()):
                    raise backup.BackupError(
                        "This site already has data (" + "; ".join(present) + "). Stop the "
                        "site, then restore with --force to replace it; the present data are "
                        "kept aside."
                    )
                answer = input(
                    "This replaces " + "; ".join(present) + f" with the backup of "
                    f"{manifest['created']}. Is the site stopped, and shall it go on? "
                    "Type 'yes': "
                )
                if answer.strip().lower() != "yes":
                    raise CommandError("Restore cancelled; nothing changed.")
            result = backup.restore_backup(
                Path(path), database=connection.settings_dict, media_root=media_root,
                known_migrations=known, force=True, secret_key_file=secret_key_file(),
                connection=connection,
            )  # fmt: skip
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored the backup of {manifest['created']} (Khabar {manifest['khabar_version']}): "
            f"the database and {manifest['media']['files']} media files.",
            self.style.SUCCESS,
        )
        if manifest["secret_key"] and secret_key_file() is None:
            self.stdout.write(
                "The archive's secret key was not restored: SECRET_KEY is set. Set it to the value "
                "the backed-up site used, or hashed e-mail addresses and sessions no longer match."
            )
        for path in result.kept_aside:
            self.stdout.write(f"The previous data are kept at {path}: delete it once all is well.")
        self.stdout.write(
            "Next: run `manage.py migrate` (this code may have newer migrations than the backup), "
            "then start or restart the site (every app process)."
        )

    @staticmethod
    def stdin_is_a_terminal() -> bool:
        import sys

        return sys.stdin.isatty()
