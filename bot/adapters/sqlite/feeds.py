"""Feeds: the list to poll, their HTTP validators and their health."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.core.errors import FeedExists
from bot.core.model import Feed
from bot.core.schedule import FeedHealth
from bot.core.timeutil import from_iso, to_iso
from bot.services.records import FeedSpec


@dataclass(frozen=True)
class FeedStatus:
    """A feed as `/feeds list` shows it."""

    url: str
    name: str | None
    origin: str
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    failures: int
    paused: bool
    next_poll_at: datetime | None


def _feed(row) -> Feed:
    return Feed(
        id=row["id"],
        url=row["url"],
        name=row["name"],
        lang=row["lang"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        body_hash=row["body_hash"],
        first_success_at=from_iso(row["first_success_at"]),
        failures=row["failures"],
        paused=bool(row["paused"]),
    )


_SAVE_SUCCESS = (
    "UPDATE feeds SET last_polled_at = ?1, last_success_at = ?1,"
    " first_success_at = coalesce(first_success_at, ?1),"
    " etag = coalesce(?2, etag), last_modified = coalesce(?3, last_modified),"
    " body_hash = coalesce(?4, body_hash), name = coalesce(name, ?7),"
    " failures = 0, paused = 0, next_poll_at = ?5 WHERE id = ?6"
)
_SAVE_FAILURE = (
    "UPDATE feeds SET last_polled_at = ?1, last_error = ?2, last_error_at = ?1,"
    " failures = ?3, paused = ?4, next_poll_at = ?5 WHERE id = ?6"
)


def write_poll_outcomes(conn: sqlite3.Connection, rows: list[tuple[str, tuple]]) -> None:
    """The writes of `save_poll`, in the database thread, in the order the polls ended."""
    for statement, params in rows:
        conn.execute(statement, params)


class FeedsQueries:
    async def add_feed(self, spec: FeedSpec, now: datetime, origin: str = "config") -> Feed:
        """Add a feed, due at once. Raises FeedExists when its URL is already known."""
        try:
            async with self.transaction() as db:
                await db.execute(
                    "INSERT INTO feeds (url, name, lang, origin, created_at, next_poll_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (spec.url, spec.name, spec.lang, origin, to_iso(now), to_iso(now)),
                )
        except sqlite3.IntegrityError:
            raise FeedExists(f"{spec.url} is already in the feed list") from None
        return await self.feed_by_url(spec.url)

    async def sync_feeds(self, specs: list[FeedSpec], now: datetime) -> int:
        """Make sure every feed of the operator's list is known; returns how many were added.
        Feeds added from chat stay; names and language hints follow the file."""
        async with self.conn.execute("SELECT url FROM feeds") as cur:
            known = {row[0] for row in await cur.fetchall()}
        async with self.transaction() as db:
            for spec in specs:
                await db.execute(
                    "INSERT INTO feeds (url, name, lang, origin, created_at, next_poll_at)"
                    " VALUES (?, ?, ?, 'config', ?, ?)"
                    " ON CONFLICT(url) DO UPDATE SET name = excluded.name, lang = excluded.lang",
                    (spec.url, spec.name, spec.lang, to_iso(now), to_iso(now)),
                )
        return len({spec.url for spec in specs} - known)

    async def remove_feed(self, url: str) -> bool:
        async with self.transaction() as db:
            cur = await db.execute("DELETE FROM feeds WHERE url = ?", (url,))
            return cur.rowcount > 0

    async def feed_by_url(self, url: str) -> Feed | None:
        async with self.conn.execute("SELECT * FROM feeds WHERE url = ?", (url,)) as cur:
            row = await cur.fetchone()
        return _feed(row) if row else None

    async def feeds_due(self, now: datetime, limit: int = 10_000) -> list[Feed]:
        async with self.conn.execute(
            "SELECT * FROM feeds WHERE paused = 0 AND next_poll_at <= ? ORDER BY next_poll_at LIMIT ?",
            (to_iso(now), limit),
        ) as cur:
            return [_feed(row) for row in await cur.fetchall()]

    async def next_due_at(self) -> datetime | None:
        async with self.conn.execute("SELECT min(next_poll_at) FROM feeds WHERE paused = 0") as cur:
            return from_iso((await cur.fetchone())[0])

    async def save_poll(
        self,
        feed_id: int,
        now: datetime,
        health: FeedHealth,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        body_hash: str | None = None,
        title: str | None = None,
    ) -> None:
        """Record a poll's outcome. Validators and body hash are only replaced on success.

        Every poll ends here, most of them with "304, nothing new": written one transaction
        each, 10,000 feeds queue 10,000 round trips to the database thread. Outcomes that
        arrive while a write is under way are written together in the next one; each caller
        still returns only once its own outcome is committed."""
        if health.failures == 0:
            row = (_SAVE_SUCCESS, (to_iso(now), etag, last_modified, body_hash,
                                   to_iso(health.next_poll_at), feed_id, title))
        else:
            row = (_SAVE_FAILURE, (to_iso(now), health.last_error, health.failures,
                                   int(health.paused), to_iso(health.next_poll_at), feed_id))
        await self._poll_outcomes.write(row)

    async def resume_feed(self, url: str, now: datetime) -> bool:
        async with self.transaction() as db:
            cur = await db.execute(
                "UPDATE feeds SET paused = 0, failures = 0, next_poll_at = ? WHERE url = ?",
                (to_iso(now), url),
            )
            return cur.rowcount > 0

    async def feed_statuses(self) -> list[FeedStatus]:
        async with self.conn.execute("SELECT * FROM feeds ORDER BY origin, name, url") as cur:
            rows = await cur.fetchall()
        return [
            FeedStatus(
                url=row["url"],
                name=row["name"],
                origin=row["origin"],
                last_success_at=from_iso(row["last_success_at"]),
                last_error=row["last_error"],
                last_error_at=from_iso(row["last_error_at"]),
                failures=row["failures"],
                paused=bool(row["paused"]),
                next_poll_at=from_iso(row["next_poll_at"]),
            )
            for row in rows
        ]
