"""SQLite only: an index on the stories that holds every column search filters on, led by
the id. Search reads the index's matches newest first and looks each story up by its id to
apply the reader's filters (published, edition, section, dates): from this index that lookup
reads a few small pages instead of the story's row, which is mostly its body. Measured on
100,000 stories, a section filter over a common word: 12.5 ms of CPU to 4.0 ms for that step.
PostgreSQL plans these filters differently (its GIN index and the article indexes)."""

from django.db import migrations

INDEX = "search_article_filter"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON news_article "
            "(id, edition_id, section_id, status, published_at, embargo_until)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0011_translations"),
        ("search", "0004_pg_filters"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
