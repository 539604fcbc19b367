"""SQLite connections for several workers writing at once: short, fair write transactions.

SQLite has one write lock per database. A chat turn writes (its events and the conversation
row), so under load the lock is what two workers queue for, and two things made that queue
slow and unfair (measured in docs/benchmarks.md, chat turn):

- aiosqlite hands every sqlite3 call to the connection's own thread through a queue and
  wakes the event loop with the result. SQLAlchemy's adapter makes four such trips per
  statement (cursor, execute, fetchall, close) and one for every commit and pool rollback,
  21 per turn. A writer held the lock across about a dozen of them while its event loop
  served other requests. Here a statement and its rows are one trip, a commit or rollback
  with no transaction open (a no-op in sqlite3) none, and a statement marked ``DEFERRED``
  (the event log's INSERT, which returns nothing) goes along with the connection's next trip.
- SQLite's busy handler sleeps 1, 2, 5 ... 100 ms between tries, so a waiting writer kept
  missing the short moments the lock was free and waited seconds. Here the writers of one
  engine (one worker) take turns in order, and the one whose turn it is takes the lock with
  ``BEGIN IMMEDIATE``, retried every millisecond or two until the connection's timeout.

Only ``make_engine`` uses this, through SQLAlchemy's ``do_connect`` hook: the URL, the pool
and the dialect stay SQLAlchemy's own.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Sequence
from functools import partial
from typing import Any, NamedTuple

import aiosqlite

# Put after INSERT (``insert(...).prefix_with(DEFERRED, dialect="sqlite")``) by a writer that
# needs nothing back from the statement; an error in it surfaces at the next trip instead.
DEFERRED = "/* deferred */"
_WRITES = ("insert", "update", "delete", "replace")
log = logging.getLogger("kontakt.db")

_Description = tuple[tuple[Any, ...], ...] | None


class _Statement(NamedTuple):
    sql: str
    parameters: Any
    many: bool


class _Result(NamedTuple):
    description: _Description
    rows: list[Any]
    lastrowid: int | None
    rowcount: int


def _writes(sql: str) -> bool:
    # sqlite3's own test for the statements it opens a transaction for.
    return sql.lstrip()[:7].lower().startswith(_WRITES)


def _begin_immediate(conn: sqlite3.Connection, timeout_s: float) -> None:
    """Take the write lock, trying again every 0.25-2 ms rather than SQLite's up to 100 ms."""
    deadline = time.monotonic() + timeout_s
    pause = 0.00025
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                    raise
                if time.monotonic() >= deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.002)
    finally:
        conn.execute(f"PRAGMA busy_timeout = {round(timeout_s * 1000)}")


def _run(
    conn: sqlite3.Connection,
    batch: Sequence[_Statement],
    begin: bool,
    timeout_s: float,
    commit: bool = False,
) -> _Result:
    """On the connection's thread: the statements in order, the last one's rows and counts,
    then the commit if asked for."""
    if begin:
        _begin_immediate(conn, timeout_s)
    result = _Result(None, [], None, -1)
    for statement in batch:
        cursor = conn.cursor()
        try:
            if statement.many:
                cursor.executemany(statement.sql, statement.parameters)
            elif statement.parameters is None:
                cursor.execute(statement.sql)
            else:
                cursor.execute(statement.sql, statement.parameters)
            description = cursor.description
            rows = cursor.fetchall() if description else []
            result = _Result(description, rows, cursor.lastrowid, cursor.rowcount)
        finally:
            cursor.close()
    if commit:
        conn.commit()
    return result


class WriteTurns:
    """One engine's writers, one write transaction at a time, in the order they asked.

    Waiting here costs nothing, while waiting in SQLite means trying the lock again and
    again. A writer that waits longer than the connection's timeout gets the error SQLite
    would give ("database is locked"), as before.
    """

    def __init__(self) -> None:
        self.lock = asyncio.Lock()


class Cursor:
    """The part of ``aiosqlite.Cursor`` that SQLAlchemy's adapter uses, rows fetched eagerly.

    kontakt never streams results (no ``stream()``/``yield_per``), so fetching every row with
    the statement costs no memory that the adapter's own ``fetchall`` would not.
    """

    def __init__(self, connection: FastConnection) -> None:
        self._connection = connection
        self._rows: list[Any] = []
        self.description: _Description = None
        self.lastrowid: int | None = None
        self.rowcount = -1
        self.arraysize = 1

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _call(self, statement: _Statement) -> Cursor:
        if DEFERRED in statement.sql[:40]:
            self._connection.defer(statement)
            self.description, self._rows, self.lastrowid = None, [], None
            self.rowcount = len(statement.parameters) if statement.many else 1
            return self
        result = await self._connection.run(statement)
        self.description, self._rows, self.lastrowid, self.rowcount = result
        return self

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> Cursor:
        return await self._call(_Statement(sql, parameters, False))

    async def executemany(self, sql: str, parameters: Sequence[Sequence[Any]]) -> Cursor:
        return await self._call(_Statement(sql, parameters, True))

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        size = self.arraysize if size is None else size
        rows, self._rows = self._rows[:size], self._rows[size:]
        return rows

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def close(self) -> None:
        self._rows = []


class FastConnection(aiosqlite.Connection):
    def __init__(
        self, connector: Any, *, turns: WriteTurns | None = None, timeout_s: float = 5.0
    ) -> None:
        super().__init__(connector, 64)
        self._turns = turns or WriteTurns()
        self._timeout_s = timeout_s
        self._deferred: list[_Statement] = []
        self._has_turn = False

    def cursor(self) -> Cursor:  # type: ignore[override]
        # aiosqlite makes a sqlite3 cursor on its thread here; ours is made with the statement.
        return Cursor(self)

    def defer(self, statement: _Statement) -> None:
        self._deferred.append(statement)

    def _in_transaction(self) -> bool:
        return self._connection is not None and self._connection.in_transaction

    async def run(self, statement: _Statement | None, *, commit: bool = False) -> _Result:
        batch = [*self._deferred, *([statement] if statement else [])]
        self._deferred = []
        begin = not self._in_transaction() and any(_writes(s.sql) for s in batch)
        if begin and not self._has_turn:
            try:
                await asyncio.wait_for(self._turns.lock.acquire(), self._timeout_s)
            except TimeoutError:
                raise sqlite3.OperationalError("database is locked") from None
            self._has_turn = True
        try:
            conn = self._conn
            result: _Result = await self._execute(  # type: ignore[no-untyped-call]
                _run, conn, batch, begin, self._timeout_s, commit
            )
            return result
        finally:
            if not self._in_transaction():
                self._end_turn()

    def _end_turn(self) -> None:
        if self._has_turn:
            self._has_turn = False
            self._turns.lock.release()

    async def commit(self) -> None:
        try:
            if self._deferred:  # the deferred writes and the commit in one trip
                await self.run(None, commit=True)
            elif self._in_transaction():
                await super().commit()
        finally:
            if not self._in_transaction():
                self._end_turn()

    async def rollback(self) -> None:
        self._deferred = []
        try:
            if self._in_transaction():
                await super().rollback()
        finally:
            if not self._in_transaction():
                self._end_turn()

    async def close(self) -> None:
        self._deferred = []
        try:
            await super().close()
        finally:
            self._end_turn()

    def __del__(self) -> None:
        # aiosqlite warns (ResourceWarning) and stops the thread, which closes the file. A
        # connection dropped unclosed (an engine never disposed) is a bug to see in the log,
        # not a warning to raise at whatever code the garbage collector happens to run in.
        if self._connection is None:
            return
        log.warning("a SQLite connection was dropped without being closed; closing it")
        self.stop()


def connect(database: str, *, turns: WriteTurns, **kwargs: Any) -> FastConnection:
    """What ``aiosqlite.connect`` does, with the connection class above."""
    timeout_s = float(kwargs.pop("timeout", 5.0))

    def connector() -> sqlite3.Connection:
        connection: sqlite3.Connection = sqlite3.connect(database, timeout=timeout_s, **kwargs)
        return connection

    connection = FastConnection(connector, turns=turns, timeout_s=timeout_s)
    # Daemon, as SQLAlchemy makes aiosqlite's own (before aiosqlite 0.22 the connection was
    # the thread itself).
    thread: Any = getattr(connection, "_thread", connection)
    thread.daemon = True
    return connection


def connect_hook(turns: WriteTurns) -> Any:
    """A SQLAlchemy ``do_connect`` listener giving one engine's connections these classes."""

    def do_connect(dialect: Any, _record: Any, cargs: list[Any], cparams: dict[str, Any]) -> Any:
        creator = partial(connect, turns=turns)
        return dialect.loaded_dbapi.connect(*cargs, async_creator_fn=creator, **cparams)

    return do_connect
