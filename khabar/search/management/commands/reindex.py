import sys

from django.core.management.base import BaseCommand
from django.db import transaction

from khabar.news.models import Article
from khabar.search.backends import backend


class Command(BaseCommand):
    help = "Rebuild the search index from the stories, in batches, while the site keeps serving."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args, batch, **options):
        engine = backend()
        ids = list(
            Article.objects.filter(status=Article.Status.PUBLISHED).values_list("id", flat=True)
        )
        total = len(ids)
        with transaction.atomic():
            engine.clear()
        for start in range(0, total, batch):
            # One short transaction per batch: readers are never blocked for long.
            with transaction.atomic():
                chunk = Article.objects.filter(pk__in=ids[start : start + batch])
                for article in chunk.select_related("edition"):
                    engine.index(article)
            done = min(start + batch, total)
            width = 30
            bar = "#" * (width * done // max(total, 1))
            sys.stdout.write(f"\r[{bar:<{width}}] {done}/{total}")
            sys.stdout.flush()
        self.stdout.write(f"\nIndexed {total} stories.")
