from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from khabar.comments import actions, captcha


class Command(BaseCommand):
    help = (
        "Erase the network fingerprints of comments older than KHABAR_NETWORK_HASH_DAYS "
        "(or --days), and forget expired captcha challenges. Run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.KHABAR_NETWORK_HASH_DAYS)
        parser.add_argument("--dry-run", action="store_true", help="count, change nothing")

    def handle(self, *args, days, dry_run, **options):
        with transaction.atomic():
            erased = actions.purge_network_hashes(days)
            challenges = captcha.purge_redeemed()
            if dry_run:
                transaction.set_rollback(True)
        verb = "would erase" if dry_run else "erased"
        self.stdout.write(
            f"{verb} {erased} network fingerprints older than {days} days; "
            f"{challenges} expired challenges"
        )
