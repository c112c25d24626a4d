from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models

from dateline.news.models import Section, Story

CONFIG = "english"


class SearchDocument(models.Model):
    """The words of one published story, as PostgreSQL searches them.

    Only PostgreSQL has this table; SQLite keeps its index in FTS5 tables
    (backends/sqlite.py). The vector is computed by the database from the text
    columns, so the two can never disagree.
    """

    # The database deletes a story's document with the story (a constraint added by
    # migration 0001 on PostgreSQL). Django must not try: on SQLite this table
    # does not exist, and Django's deletion collector would query it.
    story = models.OneToOneField(
        Story, primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    # Copies of the story's section and time, so filtering matches needs no join.
    section = models.ForeignKey(
        Section, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    published_at = models.DateTimeField()
    headline = models.TextField()
    standfirst = models.TextField(blank=True)
    tags = models.TextField(blank=True)
    authors = models.TextField(blank=True)
    section_name = models.TextField(blank=True)
    body = models.TextField(blank=True)
    vector = models.GeneratedField(
        expression=(
            SearchVector("headline", weight="A", config=CONFIG)
            + SearchVector("standfirst", "tags", "authors", weight="B", config=CONFIG)
            + SearchVector("body", weight="C", config=CONFIG)
            + SearchVector("section_name", weight="D", config=CONFIG)
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        required_db_vendor = "postgresql"
        indexes = [
            GinIndex(fields=["vector"], name="search_document_vector"),
            models.Index(fields=["published_at", "story"], name="search_document_timeline"),
            models.Index(fields=["section", "published_at", "story"], name="search_document_section"),
        ]

    def __str__(self):
        return self.headline
