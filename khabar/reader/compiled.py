"""A hot queryset's SQL compiled once per database and run again with fresh parameters.

Django compiles a queryset's SQL anew each time it runs: for the article page, four small
queries by primary or unique keys, compiling was a quarter of the whole request. A CompiledQuery
is written as an ordinary queryset built from named values (so the rules it uses, such as
Article.objects.published(), stay defined once); it is compiled the first time it runs on a
database, the positions of each named value among the SQL parameters found by compiling it again
with another sample of that value, and later runs put the new values at those positions, prepared
for the database as the field would prepare them. Rows become model instances through Django's
own iterator, so select_related, converters (SQLite's dates) and from_db work as usual.

Only for querysets whose SQL does not change shape with its values (no lists of varying length,
no None that would become IS NULL): tests compare its parameters with a fresh compilation.
"""

import copy
import threading
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import Field, QuerySet


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
        base, _sql, _params, _positions, compiler = self._compiled[using]
        run_compiler = copy.copy(compiler)
        run_compiler.connection = connections[using]
        run_compiler.as_sql = lambda *args, **kwargs: (sql, params)
        query = base.query.chain()
        query.get_compiler = lambda *args, **kwargs: run_compiler
        queryset = base._chain()
        queryset.query = query
        queryset._db = using
        queryset._fetch_all()
        return queryset
