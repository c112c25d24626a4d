"""Search backends, one module per database engine; the default database's engine chooses."""

from django.db import connection
from django.utils.module_loading import import_string

BACKENDS = {
    "sqlite": "dateline.search.backends.sqlite.SQLiteBackend",
    "postgresql": "dateline.search.backends.postgres.PostgresBackend",
}


def get_backend():
    try:
        path = BACKENDS[connection.vendor]
    except KeyError:
        raise NotImplementedError(f"search has no backend for {connection.vendor}") from None
    return import_string(path)(connection)
