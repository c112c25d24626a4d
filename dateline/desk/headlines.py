"""Finding stories by a piece of their headline, in any state, among millions.

The desk's headline search means "the headline contains these characters",
as ``icontains`` does, but through an index:

- PostgreSQL: a pg_trgm GIN index on ``UPPER(headline)``, the very expression
  Django's ``icontains`` compares (migration news 0004).
- SQLite: an FTS5 table with the trigram tokenizer over ``news_story.headline``
  (external content, no second copy of the text), kept in step by triggers, so
  every write path (actions, bulk inserts, raw SQL) updates it.

Trigrams need three characters; shorter searches are refused with a message.
The public search (dateline.search) indexes published stories only, by
words; the desk has to find drafts too, by any part of a word.
"""

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

MIN_LENGTH = 3
MAX_LENGTH = 200

FTS = "news_story_headline_fts"
# SQLite: created by migration news 0004; ``ensure`` puts back triggers that a
# table rebuild (SQLite's way of altering a column) dropped with the old table.
SQLITE_TABLE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5("
    "headline, content='news_story', content_rowid='id', tokenize='trigram')"
)
SQLITE_TRIGGERS = {
    f"{FTS}_insert": (
        f"CREATE TRIGGER IF NOT EXISTS {FTS}_insert AFTER INSERT ON news_story BEGIN "
        f"INSERT INTO {FTS} (rowid, headline) VALUES (new.id, new.headline); END"
    ),
    f"{FTS}_delete": (
        f"CREATE TRIGGER IF NOT EXISTS {FTS}_delete AFTER DELETE ON news_story BEGIN "
        f"INSERT INTO {FTS} ({FTS}, rowid, headline) VALUES ('delete', old.id, old.headline); END"
    ),
    f"{FTS}_update": (
        f"CREATE TRIGGER IF NOT EXISTS {FTS}_update AFTER UPDATE OF headline ON news_story BEGIN "
        f"INSERT INTO {FTS} ({FTS}, rowid, headline) VALUES ('delete', old.id, old.headline); "
        f"INSERT INTO {FTS} (rowid, headline) VALUES (new.id, new.headline); END"
    ),
}
SQLITE_REBUILD = f"INSERT INTO {FTS} ({FTS}) VALUES ('rebuild')"

POSTGRES_INDEX = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS news_story_headline_trgm ON news_story USING gin (UPPER(headline::text) gin_trgm_ops)",
]
POSTGRES_DROP = ["DROP INDEX IF EXISTS news_story_headline_trgm"]


def install(schema_editor):
    """Create the index for the database at hand (called by the migration)."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_TABLE)
        for statement in SQLITE_TRIGGERS.values():
            schema_editor.execute(statement)
        schema_editor.execute(SQLITE_REBUILD)
    elif vendor == "postgresql":
        for statement in POSTGRES_INDEX:
            schema_editor.execute(statement)
    # Statistics for the new indexes (PostgreSQL keeps them for the UPPER(headline) expression
    # only after ANALYZE); without them the planners guess, and guess wrong at a million rows.
    if vendor == "sqlite":
        schema_editor.execute("PRAGMA analysis_limit=2000")
    if vendor in ("sqlite", "postgresql"):
        schema_editor.execute("ANALYZE news_story")


def uninstall(schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS}")
    elif vendor == "postgresql":
        for statement in POSTGRES_DROP:
            schema_editor.execute(statement)


def ensure(using="default", **kwargs):
    """After every migrate on SQLite: if a trigger went missing, put it back and rebuild."""
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "sqlite":
        return
    with conn.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = %s", [FTS])
        if cursor.fetchone() is None:
            return  # not migrated that far (or migrated back)
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [f"{FTS}_%"])
        present = {row[0] for row in cursor.fetchall()}
        if present >= set(SQLITE_TRIGGERS):
            return
        for statement in SQLITE_TRIGGERS.values():
            cursor.execute(statement)
        cursor.execute(SQLITE_REBUILD)


def clean(text) -> str:
    """The search text as matched: single-spaced, at most MAX_LENGTH characters."""
    return " ".join(str(text or "").split())[:MAX_LENGTH]


def too_short(text) -> bool:
    return 0 < len(clean(text)) < MIN_LENGTH


def condition(text, walk=False):
    """Stories whose headline contains ``text`` (case-insensitive), answered by the index.

    ``walk``: for a list read along another index (the desk's newest-first one)
    with many matches. On SQLite the unary ``+`` keeps the match list from
    driving the query: it is read once, and each story along the walk is looked
    up in it, instead of sorting every match. PostgreSQL needs no hint: with the
    statistics it keeps for the indexed expression it walks for common words and
    uses the trigram index for rare ones.
    """
    text = clean(text)
    if connection.vendor == "sqlite" and len(text) >= MIN_LENGTH:
        phrase = '"' + text.replace('"', '""') + '"'  # one FTS5 string: a substring for trigrams
        matches = f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s"
        if walk:
            table = connection.ops.quote_name("news_story")
            return RawSQL(f'+{table}."id" IN ({matches})', [phrase], output_field=BooleanField())
        return Q(pk__in=RawSQL(matches, [phrase]))
    return Q(headline__icontains=text)
