from django.db import connection


def refresh_statistics() -> None:
    """Give the query planner fresh statistics after bulk changes or at start.

    Without them SQLite guesses, and at 100,000 stories it picked plans that
    read every story for a four-row pick list. PostgreSQL's autovacuum does
    this by itself; ANALYZE there only speeds up the first minutes.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=2000")  # sample, so it stays fast on big tables
            cursor.execute("ANALYZE")
        elif connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
