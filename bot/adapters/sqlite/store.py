"""The store: one aiosqlite connection, WAL mode, migrated at open.

Queries live in mixins by subject (feeds, articles and deals, channels, outbox); this module
owns the connection and the write lock. One connection is shared by every coroutine, so every
write happens inside `self.transaction()`, which serialises writers and wraps them in
BEGIN IMMEDIATE ... COMMIT. A write made of many statements (recording a feed's new entries)
instead runs as one plain function in the connection's thread: `self.write_in_db_thread(fn)`.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar

import aiosqlite

from bot.adapters.sqlite.articles import ArticlesQueries
from bot.adapters.sqlite.channels import ChannelsQueries
from bot.adapters.sqlite.feeds import FeedsQueries, write_poll_outcomes
from bot.adapters.sqlite.migrate import migrate
from bot.adapters.sqlite.outbox import OutboxQueries

T = TypeVar("T")


def _in_immediate_transaction(conn: sqlite3.Connection, write: Callable[..., T], *args) -> T:
    """Run `write(conn, *args)` between BEGIN IMMEDIATE and COMMIT, rolled back if it raises."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = write(conn, *args)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result


def _migrate_file(path: str) -> tuple[int, int]:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        return migrate(conn)
    finally:
        conn.close()


class BatchedWrites:
    """Small writes of the same kind that arrive while one is under way are committed
    together in the next transaction: one hop to the database thread for many of them.
    `write(row)` returns once that row is committed, or raises what the write raised."""

    def __init__(self, store: Store, write_rows: Callable[[sqlite3.Connection, list], None]) -> None:
        self.store = store
        self.write_rows = write_rows
        self._pending: list[tuple[object, asyncio.Future]] = []
        self._flusher: asyncio.Task | None = None

    async def write(self, row: object) -> None:
        done = asyncio.get_running_loop().create_future()
        self._pending.append((row, done))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name="batched-writes")
        await done

    async def drain(self) -> None:
        if self._flusher is not None:
            await asyncio.gather(self._flusher, return_exceptions=True)

    async def _flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                await self.store.write_in_db_thread(self.write_rows, [row for row, _ in batch])
            except asyncio.CancelledError:  # the loop is shutting down: nobody waits in vain
                for _, done in batch + self._pending:
                    done.cancel()
                self._pending = []
                raise
            except Exception as exc:
                for _, done in batch:
                    if not done.done():  # a caller cancelled meanwhile has its future cancelled
                        done.set_exception(exc)
            else:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)


class Store(FeedsQueries, ArticlesQueries, ChannelsQueries, OutboxQueries):
    def __init__(self, conn: aiosqlite.Connection, path: Path, migrated_from: int) -> None:
        self.conn = conn
        self.path = path
        self.migrated_from = migrated_from
        self._write_lock = asyncio.Lock()
        self._poll_outcomes = BatchedWrites(self, write_poll_outcomes)

    @classmethod
    async def open(cls, path: str | Path) -> Store:
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        before, _ = await asyncio.to_thread(_migrate_file, str(path))
        conn = await aiosqlite.connect(str(path), isolation_level=None)
        conn.row_factory = aiosqlite.Row
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=NORMAL",  # WAL + NORMAL: durable across app crashes
            "PRAGMA foreign_keys=ON",
            "PRAGMA busy_timeout=5000",
            # A cold cycle writes tens of thousands of articles with their indexes. The default
            # checkpoint every 1,000 WAL pages (4 MB) copied and synced the same index pages
            # over and over; every 8,000 pages (32 MB of WAL) halved the write time per entry,
            # and an 8 MB page cache (2 MB by default) keeps the hot index pages in memory.
            "PRAGMA wal_autocheckpoint=8000",
            "PRAGMA cache_size=-8000",
        ):
            await conn.execute(pragma)
        return cls(conn, path, before)

    async def close(self) -> None:
        await self._poll_outcomes.drain()
        await self.conn.close()

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._write_lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            else:
                await self.conn.execute("COMMIT")

    async def write_in_db_thread(self, write: Callable[..., T], *args) -> T:
        """Run the synchronous `write(conn, *args)` on the plain sqlite3 connection, in one
        transaction and in one hop to aiosqlite's thread, under the write lock.

        Each `await conn.execute(...)` is a round trip through aiosqlite's worker thread; a write
        of hundreds of statements spent most of its time in those hops (issue 7). `write` must
        not touch the event loop: it runs in the database thread."""
        async with self._write_lock:
            return await self._call_in_db_thread(_in_immediate_transaction, write, *args)

    async def _call_in_db_thread(self, fn: Callable[..., T], *args) -> T:
        # aiosqlite (0.20-0.22) has no public "run this function in the connection's thread"
        # call; `_execute` is the private one its own methods use, so the dependency on it is
        # kept to this one line. The function still runs in the queue order of every other
        # call on this connection, so it cannot interleave with them.
        return await self.conn._execute(lambda: fn(self.conn._conn, *args))

    async def schema_version(self) -> int:
        async with self.conn.execute("PRAGMA user_version") as cur:
            return (await cur.fetchone())[0]

    async def integrity_ok(self) -> bool:
        async with self.conn.execute("PRAGMA integrity_check") as cur:
            return (await cur.fetchone())[0] == "ok"
