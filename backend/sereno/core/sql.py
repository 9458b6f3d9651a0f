"""Run SQLAlchemy Core statements (GeoAlchemy2 included) on Piccolo's asyncpg pool.

A statement is compiled once, at import, for the asyncpg dialect; parameters are bound by name at call time.
Only plain values are bound (strings, numbers, datetimes): geometry goes in as EWKT text wrapped in a SQL
function, so no SQLAlchemy bind processing is needed and nothing private of SQLAlchemy is touched.
"""

from __future__ import annotations

from typing import Any

import asyncpg
from sqlalchemy.dialects.postgresql import asyncpg as _pg_asyncpg
from sqlalchemy.sql import ClauseElement

__all__ = ["CompiledQuery"]

_DIALECT = _pg_asyncpg.dialect(paramstyle="numeric_dollar")


class CompiledQuery:
    __slots__ = ("sql", "_names", "_defaults")

    def __init__(self, statement: ClauseElement) -> None:
        compiled = statement.compile(dialect=_DIALECT)
        self.sql = str(compiled)
        self._names = tuple(compiled.positiontup or ())
        # Literals in the expression (SRIDs, limits) are bound parameters too; they keep their values.
        self._defaults = {name: value for name, value in compiled.params.items() if value is not None}

    def args(self, params: dict[str, Any]) -> list[Any]:
        merged = {**self._defaults, **params}
        return [merged[name] for name in self._names]

    async def fetch(self, conn: asyncpg.Connection, **params: Any) -> list[asyncpg.Record]:
        return await conn.fetch(self.sql, *self.args(params))

    async def fetchrow(self, conn: asyncpg.Connection, **params: Any) -> asyncpg.Record | None:
        return await conn.fetchrow(self.sql, *self.args(params))
