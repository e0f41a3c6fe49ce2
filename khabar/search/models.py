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
    # Copies of the story's filter columns, kept with its terms so that PostgreSQL's GIN index
    # (document, section_id, day) narrows a search by section and by date without reading the
    # story table; searches still check the story itself, so a stale copy can only hide a
    # story until it is indexed again, never show one that does not belong.
    section_id = models.IntegerField(_("section"), null=True)
    day = models.IntegerField(_("published at"), null=True)  # UTC days since 1970-01-01

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")

    def __str__(self) -> str:
        return str(self.article_id)
