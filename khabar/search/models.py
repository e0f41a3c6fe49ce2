from django.db import models
from django.utils.translation import gettext_lazy as _

from khabar.news.models import Article


class TsVectorField(models.Field):
    """PostgreSQL's tsvector (text elsewhere), written by PostgresBackend as a tsvector literal."""

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else "text"


class SearchDocument(models.Model):
    """A story's terms on PostgreSQL (SQLite keeps them in the FTS5 table search_fts)."""

    article = models.OneToOneField(
        Article,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("article"),
    )
    document = TsVectorField(_("indexed terms"))

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")

    def __str__(self) -> str:
        return str(self.article_id)
