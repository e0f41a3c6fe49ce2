"""Empty the embedded page cache: after a deployment that changes templates or static files,
whose pages no story change would purge (bin/run may call it before serving)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from khabar.pagecache.purge import embedded_store


class Command(BaseCommand):
    help = "Remove every page kept by the embedded page cache (KHABAR_PAGE_CACHE=embedded)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count the pages only.")

    def handle(self, *args, dry_run=False, **options):
        root = settings.KHABAR_PAGE_CACHE_DIR
        if not (root / "index.sqlite3").exists():
            self.stdout.write("No page cache to clear.")
            return
        store = embedded_store(root)
        if dry_run:
            self.stdout.write(f"{store.count()} pages kept in {root}.")
            return
        self.stdout.write(f"{store.clear()} pages removed from {root}.")
