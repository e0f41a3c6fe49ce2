"""PostgreSQL: the filters inside the search index. Each document carries its story's section
and day of publication, and one GIN index holds the terms, the section and the day (the integer
columns through btree_gin, a contrib extension of every PostgreSQL): a search narrowed by
section or by dates, or after the newest matches, intersects them in the index instead of
reading every story that holds the words. Existing documents take their story's values here.

SQLite gets the two columns unused (its index is the FTS5 table)."""

from django.db import migrations, models

FILL = """
UPDATE search_searchdocument d SET section_id = a.section_id,
    day = floor(extract(epoch FROM a.published_at) / 86400)::int
FROM news_article a WHERE a.id = d.article_id
"""


def index_filters(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    # The old index goes first: with it, every row the fill rewrites would be entered into it
    # again, term by term (hours on a million stories instead of a minute).
    schema_editor.execute("DROP INDEX IF EXISTS search_document_gin")
    schema_editor.execute(FILL)
    # A GIN build sorts every term of every story: on a large archive it wants more memory
    # than the default 64 MB (for this transaction only).
    schema_editor.execute("SET LOCAL maintenance_work_mem = '512MB'")
    schema_editor.execute(
        "CREATE INDEX search_document_gin ON search_searchdocument "
        "USING gin (document, section_id, day)"
    )


def terms_only(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS search_document_gin")
    schema_editor.execute(
        "CREATE INDEX search_document_gin ON search_searchdocument USING gin (document)"
    )


class Migration(migrations.Migration):
    dependencies = [("search", "0003_verbose_names")]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="section_id",
            field=models.IntegerField(null=True, verbose_name="section"),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="day",
            field=models.IntegerField(null=True, verbose_name="published at"),
        ),
        migrations.RunPython(index_filters, terms_only),
    ]
