import contextlib
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
        # Nothing is cleared first: each published story's entry is replaced in place, batch by
        # batch, and entries of stories no longer published go at the end. Readers keep finding
        # stories throughout, in their old or their new form.
        engine = backend()
        # No ORDER BY: the model's default one would have SQLite walk the whole date index
        # for every batch instead of looking the ids up.
        published = Article.objects.filter(status=Article.Status.PUBLISHED).order_by()
        ids = list(published.order_by("pk").values_list("id", flat=True))
        total = len(ids)
        # A backend may work differently while the whole index is rebuilt (SQLite: see
        # SQLiteBackend.rebuilding).
        rebuilding = getattr(engine, "rebuilding", contextlib.nullcontext)
        with rebuilding():
            self._index(engine, published, ids, batch)
            stale = self._remove_stale(engine, published, batch)
            engine.optimize()
        self.stdout.write(f"\nIndexed {total} stories; removed {stale} stale entries.")

    def _index(self, engine, published, ids, batch):
        total = len(ids)
        for start in range(0, total, batch):
            # One short transaction per batch: readers are never blocked for long. The rows are
            # read again inside it and locked (PostgreSQL; SQLite's writes are serial anyway),
            # so a story unpublished or corrected meanwhile is not put back in its old form.
            with transaction.atomic():
                chunk = published.filter(pk__in=ids[start : start + batch])
                # Only the columns the analyzer reads: a story row is mostly its body, and the
                # model's other fields would be converted for nothing.
                stories = chunk.select_related("edition").only(
                    "headline", "lead", "body", "edition__language"
                )
                engine.index_many(stories.select_for_update(of=("self",)))
            done = min(start + batch, total)
            width = 30
            bar = "#" * (width * done // max(total, 1))
            sys.stdout.write(f"\r[{bar:<{width}}] {done}/{total}")
            sys.stdout.flush()

    def _remove_stale(self, engine, published, batch) -> int:
        # Entries whose story was unpublished or deleted since it was indexed. A story
        # unpublished from here on is taken out by its own transaction (backends.sync).
        stale = sorted(set(engine.indexed_ids()) - set(published.values_list("id", flat=True)))
        for start in range(0, len(stale), batch):
            with transaction.atomic():
                chunk = stale[start : start + batch]
                rows = Article.objects.filter(pk__in=chunk).order_by().select_for_update()
                back = {i for i, status in rows.values_list("id", "status")
                        if status == Article.Status.PUBLISHED}  # fmt: skip
                for article_id in chunk:
                    if article_id not in back:  # unless published again meanwhile
                        engine.remove(article_id)
        return len(stale)
