"""A hot queryset's SQL compiled once per database and run again with fresh parameters.

Django compiles a queryset's SQL anew each time it runs: for the article page, four small
queries by primary or unique keys, compiling was a quarter of the whole request. A CompiledQuery
is written as an ordinary queryset built from named values (so the rules it uses, such as
Article.objects.published(), stay defined once); it is compiled the first time it runs on a
database, the positions of each named value among the SQL parameters found by compiling it again
with another sample of that value, and later runs put the new values at those positions, prepared
for the database as the field would prepare them. Rows become model instances as Django's own
iterator makes them (the fields' converters, such as SQLite's dates, from_db, select_related's
populators), with what it works out before its first row (a tenth of the article page when
done on every run) kept per database connection.

Only for querysets whose SQL does not change shape with its values (no lists of varying length,
no None that would become IS NULL): tests compare its parameters with a fresh compilation.
"""

import copy
import threading
import weakref
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import Field, QuerySet
from django.db.models.query import ModelIterable, get_related_populators


class CompiledQuery:
    def __init__(
        self,
        build: Callable[..., QuerySet],
        samples: dict[str, tuple],
        fields: dict[str, Field],
    ):
        """build(**values) gives the queryset; samples holds two different values for each name
        (to find where it lands among the parameters); fields the model field whose lookup takes
        it, which prepares it for the database."""
        self.build = build
        self.samples = samples
        self.fields = fields
        self._compiled: dict[str, tuple] = {}
        self._readers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def _read_alias(self) -> str:
        model = getattr(self, "_model", None)
        if model is None:
            first = {name: pair[0] for name, pair in self.samples.items()}
            model = self._model = self.build(**first).model
        return router.db_for_read(model) or DEFAULT_DB_ALIAS

    def _params_of(self, queryset: QuerySet, using: str) -> tuple[str, list, object]:
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        return sql, list(params), compiler

    def _compile(self, using: str) -> tuple:
        first = {name: pair[0] for name, pair in self.samples.items()}
        base = self.build(**first)
        sql, params, compiler = self._params_of(base, using)
        positions: dict[str, list[int]] = {}
        for name, pair in self.samples.items():
            other_sql, other, _ = self._params_of(self.build(**{**first, name: pair[1]}), using)
            if other_sql != sql or len(other) != len(params):
                raise ValueError(f"{name!r} changes the shape of the SQL")
            pairs = enumerate(zip(params, other, strict=True))
            positions[name] = [i for i, (a, b) in pairs if a != b]
            if not positions[name]:
                raise ValueError(f"{name!r} is not among the parameters")
        # The compiler keeps what turning rows into objects needs (the selected columns, the
        # select_related tree); each run works on a copy with its own connection and values.
        return base, sql, params, positions, compiler

    def sql_with_params(self, using: str = DEFAULT_DB_ALIAS, **values) -> tuple[str, list]:
        compiled = self._compiled.get(using)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.setdefault(using, self._compile(using))
        _base, sql, params, positions, _compiler = compiled
        params = list(params)
        connection = connections[using]
        for name, value in values.items():
            prepared = self.fields[name].get_db_prep_value(value, connection, prepared=False)
            for i in positions[name]:
                params[i] = prepared
        return sql, params

    def run(self, using: str | None = None, **values) -> QuerySet:
        """The queryset for these values, already evaluated (iterate it, or read its rows as a
        related manager's prefetched cache). On the database the routers choose for reading
        the model, as the ORM would (a read replica for reader pages)."""
        if using is None:
            using = self._read_alias()
        sql, params = self.sql_with_params(using, **values)
        rows = self._rows(using, sql, params)
        base = self._compiled[using][0]
        # The compiled queryset's own Query, shared: an evaluated queryset never changes it, and
        # anything built on it (filter(), …) works on a clone, as Django's chaining does.
        queryset = type(base)(model=base.model, query=base.query, using=using)
        queryset._result_cache = rows
        queryset._prefetch_done = True
        return queryset

    def _rows(self, using: str, sql: str, params: list) -> list:
        """The model instances of the rows, made as Django's ModelIterable makes them, from the
        parts it would compute again for every run (the converters, the select_related
        populators), here computed once per database connection."""
        connection = connections[using]
        reader = self._readers.get(connection)
        if reader is None:
            reader = self._readers[connection] = _RowReader(self._compiled[using], connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return reader.instances(cursor.fetchall())


class _RowReader:
    """Rows of one compiled query into model instances, on one database connection: what
    QuerySet iteration (ModelIterable, SQLCompiler.results_iter) works out before its first row,
    kept. Connections are per thread and live as long as the process (the wrapper stays when
    Django reconnects), so this is made a few times per process."""

    def __init__(self, compiled: tuple, connection):
        base, _sql, _params, _positions, compiler = compiled
        if base._prefetch_related_lookups or base._known_related_objects:
            raise ValueError("a compiled query cannot prefetch or carry known related objects")
        if base._iterable_class is not ModelIterable or compiler.klass_info is None:
            raise ValueError("a compiled query yields model instances")
        select, klass_info = compiler.select, compiler.klass_info
        self.db = connection.alias
        self.col_count = compiler.col_count if compiler.has_extra_select else None
        run_compiler = copy.copy(compiler)
        run_compiler.connection = connection
        fields = [column[0] for column in select[: compiler.col_count]]
        if run_compiler.has_composite_fields(fields):
            raise ValueError("a compiled query cannot select composite fields")
        self.converters = list(run_compiler.get_converters(fields).items())
        self.connection = connection
        self.model = klass_info["model"]
        select_fields = klass_info["select_fields"]
        self.start, self.end = select_fields[0], select_fields[-1] + 1
        self.init_list = [column[0].target.attname for column in select[self.start : self.end]]
        self.populators = get_related_populators(klass_info, select, self.db)
        self.annotations = list((compiler.annotation_col_map or {}).items())

    def instances(self, rows) -> list:
        connection, converters, objects = self.connection, self.converters, []
        for row in rows:
            if self.col_count is not None:
                row = row[: self.col_count]
            if converters:
                row = list(row)
                for position, (functions, expression) in converters:
                    value = row[position]
                    for convert in functions:
                        value = convert(value, expression, connection)
                    row[position] = value
            obj = self.model.from_db(self.db, self.init_list, row[self.start : self.end])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, position in self.annotations:
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects
