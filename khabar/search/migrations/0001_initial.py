"""The search index: an FTS5 table on SQLite; a tsvector column with a GIN index on PostgreSQL.
Both hold the analyzer's terms (khabar.lib.analysis), never the raw text."""

import django.db.models.deletion
from django.db import migrations, models

import khabar.search.models

SQLITE = """
CREATE VIRTUAL TABLE search_fts USING fts5(
    exact_headline, exact_lead, exact_body, stem_headline, stem_lead, stem_body,
    tokenize = 'unicode61 remove_diacritics 0'
)
"""


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE)
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX search_document_gin ON search_searchdocument USING gin (document)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS search_fts")


class Migration(migrations.Migration):
    initial = True
    dependencies = [("news", "0004_newsroom_workflow")]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="news.article",
                    ),
                ),
                ("document", khabar.search.models.TsVectorField()),
            ],
        ),
        migrations.RunPython(create, drop),
    ]
