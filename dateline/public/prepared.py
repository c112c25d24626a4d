"""Querysets built and compiled once, then run again and again with other values.

Building a queryset (``filter()``, ``select_related()``, ...) and compiling it
to SQL costs Django about a millisecond of Python for a teaser query, ten
times what SQLite takes to answer it. A reader page asks the same dozen
questions for every story, differing only in values (this story's id, its
section, the time now), so each question is built once per database
connection, with a stand-in for each value, and compiled; a request then sends
the kept SQL with its own values and turns the rows into model instances the
way Django's own iterator does.

    latest = Prepared(
        lambda p, limit: Story.objects.published(p.now).filter(section_id=p.section)[:limit],
        now=datetime, section=int,
    )
    latest.all(now=timezone.now(), section=3, limit=4)   # [Story, ...]

Only plain values can be parameters (int, str, datetime), each compared with
``=``, ``<``, ``<=``, ... as itself, and lists of ints for ``IN`` (kind ``list``;
each length is compiled once, an empty list finds nothing); anything that changes the SQL
(a limit, an optional ``exclude()``) is a *shape* argument, and each shape is
compiled once; a value the shape does not use is ignored. Stand-ins are values
no real row has, so a query whose stand-in the ORM changed on its way to the
SQL finds nothing, which every test of the page shows at once.

``PreparedUnion`` sends several such queries as one ``UNION ALL`` (one round trip
to the database instead of one each). On PostgreSQL every prepared query also
goes as a server-side prepared statement, planned once per connection
(``DATELINE_PG_PREPARED=0`` turns that off).
"""

from datetime import datetime, timedelta, timezone as dt_timezone
from itertools import count

from django.conf import settings
from django.db import connections
from django.db.models.query import get_related_populators

_SERIAL = count(1)
_CACHE_ATTR = "_dateline_prepared"


def _stand_in(kind, n):
    if kind is int:
        return -7_340_000_000_000 - n
    if kind is str:
        return f"\x01prepared-{n}\x01"
    if kind is datetime:
        return datetime(1901, 2, 3, 4, 0, 0, tzinfo=dt_timezone.utc) + timedelta(seconds=n % 10_000_000,
                                                                                 microseconds=123457)
    raise TypeError(f"a prepared query takes int, str or datetime values, not {kind!r}")


def _stand_ins(kinds, base, lengths):
    values = {}
    for i, (name, kind) in enumerate(kinds.items()):
        n = base + i * 1000
        values[name] = [_stand_in(int, n + j) for j in range(lengths[name])] if kind is list else _stand_in(kind, n)
    return values


class _StandIns:
    def __init__(self, values):
        self.__dict__.update(values)


class _Compiled:
    """One shape of a prepared query on one connection: its SQL, where each value goes,
    and what turns rows into results."""

    def __init__(self, queryset, stand_ins, kinds, connection, with_col_aliases=False):
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql(with_col_aliases=with_col_aliases)
        self.sql, self.params = sql, list(params)
        self.compiler, self.db = compiler, queryset.db
        self.slots = {}
        adapt = connection.ops.adapt_datetimefield_value
        for name, value in stand_ins.items():
            if kinds[name] is list:
                where = [self._where(f"{name}[{j}]", {item}) for j, item in enumerate(value)]
            else:
                where = self._where(name, {value, adapt(value)} if kinds[name] is datetime else {value})
            self.slots[name] = where
        self.kinds = kinds
        fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
        if compiler.has_composite_fields(fields):
            raise ValueError("prepared query: composite primary keys are not supported")
        self.converters = compiler.get_converters(fields)
        self.values_mode = queryset._fields is not None
        if not self.values_mode:
            select, klass_info = compiler.select, compiler.klass_info
            self.model = klass_info["model"]
            fields = klass_info["select_fields"]
            self.model_slice = slice(fields[0], fields[-1] + 1)
            self.init_list = [f[0].target.attname for f in select[self.model_slice]]
            self.populators = get_related_populators(klass_info, select, self.db)
            self.annotations = compiler.annotation_col_map

    def _where(self, name, wanted):
        # A value this shape does not use (the story an optional exclude() leaves out) has no place.
        return [i for i, param in enumerate(self.params) if _same(param, wanted)]

    def fill(self, connection, values) -> list:
        """The kept parameters with this call's values in their places."""
        params = list(self.params)
        for name, where in self.slots.items():
            value = values[name]
            kind = self.kinds[name]
            if kind is list:
                for item, positions in zip(value, where):
                    for i in positions:
                        params[i] = item
                continue
            if kind is datetime:
                value = connection.ops.adapt_datetimefield_value(value)
            for i in where:
                params[i] = value
        return params

    def run(self, connection, values):
        return self.results(fetch_rows(connection, self.sql, self.fill(connection, values)))

    def results(self, rows) -> list:
        """Rows as the queryset would give them: model instances, or tuples for values_list()."""
        if not rows:
            return []
        # What compiler.results_iter() does, with the converters found once.
        converted = self.compiler.apply_converters(rows, self.converters) if self.converters else rows
        if self.values_mode:
            return [tuple(row) for row in converted]
        found = []
        for row in converted:
            obj = self.model.from_db(self.db, self.init_list, row[self.model_slice])
            for populator in self.populators:
                populator.populate(row, obj)
            for attr, position in self.annotations.items():
                setattr(obj, attr, row[position])
            found.append(obj)
        return found


def fetch_rows(connection, sql, params) -> list:
    """Run ``sql`` and return its rows; on PostgreSQL as a prepared statement (see below)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and settings.DATELINE.get("PG_PREPARED", True):
            _server_prepared(connection, cursor)
        cursor.execute(sql, params)
        return cursor.fetchall()


_preparing_cursor = None


def _server_prepared(connection, wrapper):
    """Put a cursor that sends server-side prepared statements inside Django's cursor wrapper.

    Django talks to PostgreSQL with client-side binding: every query is sent as
    text, parsed and planned again, and planning a reader query costs PostgreSQL
    more than running it (0.4 to 1.5 ms against 0.1 to 0.4 on the 100,000-story
    benchmark). Our queries are the same few texts over and over, so they go as
    prepared statements: parsed and planned once per connection (psycopg keeps up
    to ``prepared_max`` of them), then only executed. Django's wrapper stays
    around the cursor, so errors, query logging and execute wrappers work as for
    any query; every other query of the application is sent as Django sends it.
    """
    global _preparing_cursor
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    if not is_psycopg3:
        return  # psycopg2: client-side binding only
    from django.db.backends.postgresql.base import TIMESTAMPTZ_OID, ServerBindingCursor
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.pq import Format

    if _preparing_cursor is None:
        class PreparingCursor(ServerBindingCursor):
            def execute(self, query, params=None, *, prepare=None, binary=None):
                return super().execute(query, params, prepare=True if prepare is None else prepare, binary=binary)

            def _convert_query(self, query, params=None):
                # psycopg records the query sent (what Django's query log shows) only for
                # statements it does not prepare; record it for these too.
                self._query = found = super()._convert_query(query, params)
                return found

        _preparing_cursor = PreparingCursor
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Django turns psycopg's prepared statements off (prepare_threshold=None) so
        # that poolers in transaction mode keep working; that switch also refuses
        # prepare=True. A threshold no query reaches turns them on for prepare=True
        # alone: Django's own cursors bind on the client and never prepare.
        raw.prepare_threshold = 2**31 - 1
    cursor = _preparing_cursor(raw)
    # What Django's create_cursor() does: its time zone, when the connection's differs.
    if connection.timezone != raw.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT).timezone:
        register_tzloader(connection.timezone, cursor)
    wrapper.cursor.close()
    wrapper.cursor = cursor


def _same(param, wanted):
    try:
        return param in wanted
    except TypeError:  # an unhashable parameter (a list, JSON) is never a stand-in
        return False


class Prepared:
    """A query built by ``build(p, **shape)``, where ``p.<name>`` stands in for each value
    named in ``kinds`` (name=int|str|datetime)."""

    def __init__(self, build, **kinds):
        self.build, self.kinds = build, kinds
        self.key = next(_SERIAL)

    def _compiled(self, connection, shape, lengths):
        kept = connection.__dict__.setdefault(_CACHE_ATTR, {})
        key = (self.key, tuple(sorted(shape.items())), tuple(sorted(lengths.items())))
        compiled = kept.get(key)
        if compiled is None:
            stand_ins = _stand_ins(self.kinds, self.key * 100_000, lengths)
            compiled = kept[key] = _Compiled(self.build(_StandIns(stand_ins), **shape), stand_ins, self.kinds,
                                             connection)
        return compiled

    def all(self, using="default", shape=None, **values) -> list:
        """Every row: model instances, or tuples for a ``values_list()`` query."""
        missing = self.kinds.keys() - values.keys()
        if missing:
            raise TypeError(f"prepared query: no value for {', '.join(sorted(missing))}")
        lengths = {name: len(values[name]) for name, kind in self.kinds.items() if kind is list}
        if not all(lengths.values()):
            return []  # IN () matches nothing
        connection = connections[using]
        return self._compiled(connection, shape or {}, lengths).run(connection, values)

    def first(self, using="default", shape=None, **values):
        found = self.all(using=using, shape=shape, **values)
        return found[0] if found else None


class _CompiledUnion:
    """One shape of a prepared union on one connection: each part compiled, then joined."""

    def __init__(self, querysets, stand_ins, kinds, connection, sorted_by):
        self.names = list(querysets)
        self.parts = [_Compiled(qs, stand_ins, kinds, connection, with_col_aliases=True)
                      for qs in querysets.values()]
        # Each part stays whole inside its own derived table (its ORDER BY and LIMIT
        # apply to it alone), and says which part it is in a leading column.
        self.sql = " UNION ALL ".join(
            f"SELECT {n} AS part, p{n}.* FROM ({part.sql}) p{n}" for n, part in enumerate(self.parts)
        )
        if sorted_by:
            self.sql += " ORDER BY " + ", ".join(str(i) for i in range(1, sorted_by + 2))

    def run(self, connection, values) -> dict:
        params = []
        for part in self.parts:
            params += part.fill(connection, values)
        rows = fetch_rows(connection, self.sql, params)
        split = [[] for _ in self.parts]
        for row in rows:
            split[row[0]].append(row[1:])
        return {name: part.results(found) for name, part, found in zip(self.names, self.parts, split)}


class PreparedUnion(Prepared):
    """Several prepared queries sent as one ``UNION ALL``: one round trip instead of one each.

    ``build(p, **shape)`` returns ``{name: queryset}``, every queryset a ``values_list()``
    of columns of the same types in the same order. ``all()`` returns ``{name: rows}``.
    A union keeps no order: each part's rows come back in whatever order the database
    sends them, unless ``sorted_by=N`` sorts the whole union by its first N columns
    (ascending, in the database's collation); otherwise select what the order needs
    and sort the rows again.
    """

    def __init__(self, build, sorted_by=0, **kinds):
        if list in kinds.values():
            raise TypeError("a prepared union takes int, str or datetime values, not lists")
        super().__init__(build, **kinds)
        self.sorted_by = sorted_by

    def _compiled(self, connection, shape, lengths):
        kept = connection.__dict__.setdefault(_CACHE_ATTR, {})
        key = (self.key, tuple(sorted(shape.items())), ())
        compiled = kept.get(key)
        if compiled is None:
            stand_ins = _stand_ins(self.kinds, self.key * 100_000, lengths)
            querysets = self.build(_StandIns(stand_ins), **shape)
            for name, qs in querysets.items():
                if qs._fields is None:
                    raise TypeError(f"prepared union: part {name!r} is not a values_list() query")
            compiled = kept[key] = _CompiledUnion(querysets, stand_ins, self.kinds, connection, self.sorted_by)
        return compiled

    def all(self, using="default", shape=None, **values) -> dict:
        """``{name: rows}`` for every part."""
        return super().all(using=using, shape=shape, **values)

    def first(self, *args, **kwargs):
        raise TypeError("a prepared union has no first row; use all()")
