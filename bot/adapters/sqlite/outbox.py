"""The outbox: alerts are written here, durably, before anything is sent."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.core.alerts import Alert
from bot.core.timeutil import from_iso, to_iso


@dataclass(frozen=True)
class OutboxItem:
    id: int
    channel_id: int
    platform: str
    external_id: str
    channel_lang: str
    article_id: int
    entity_ids: tuple[str, ...]
    attempts: int
    created_at: datetime


@dataclass(frozen=True)
class DigestChannel:
    id: int
    external_id: str
    lang: str
    digest_mode: str
    digest_time: str | None
    last_digest_at: datetime | None


def insert_alerts(conn: sqlite3.Connection, alerts: Iterable[Alert], now: datetime) -> int:
    """Queue alerts on a plain connection, inside the caller's transaction; returns how many
    were new (an alert for a (channel, story) pair already queued is ignored)."""
    added = 0
    for alert in alerts:
        cur = conn.execute(
            "INSERT OR IGNORE INTO outbox (channel_id, article_id, entity_ids, created_at,"
            " next_attempt_at) VALUES (?, ?, ?, ?, ?)",
            (alert.channel_id, alert.article_id, json.dumps(alert.entity_ids),
             to_iso(now), to_iso(now)),
        )
        added += cur.rowcount
    return added


class OutboxQueries:
    async def enqueue(self, alerts: Iterable[Alert], now: datetime) -> int:
        """Queue alerts; an alert for a (channel, story) pair already queued is ignored."""
        # Materialised here: a generator must not be run from the database thread.
        return await self.write_in_db_thread(insert_alerts, list(alerts), now)

    async def pending(self, platform: str, now: datetime, limit: int = 100) -> list[OutboxItem]:
        """Alerts due now for the platform's channels that take them as they come."""
        return await self._items(
            "o.state = 'pending' AND c.platform = ? AND c.digest_mode = 'instant'"
            " AND o.next_attempt_at <= ?",
            (platform, to_iso(now)), limit,
        )

    async def pending_for_channel(self, channel_id: int, limit: int = 100) -> list[OutboxItem]:
        return await self._items("o.state = 'pending' AND o.channel_id = ?", (channel_id,), limit)

    async def _items(self, where: str, params: tuple, limit: int) -> list[OutboxItem]:
        async with self.conn.execute(
            "SELECT o.*, c.platform, c.external_id, c.lang AS channel_lang FROM outbox o"
            f" JOIN channels c ON c.id = o.channel_id WHERE {where} ORDER BY o.id LIMIT ?",
            (*params, limit),
        ) as cur:
            rows = await cur.fetchall()
        return [
            OutboxItem(
                id=row["id"], channel_id=row["channel_id"], platform=row["platform"],
                external_id=row["external_id"], channel_lang=row["channel_lang"],
                article_id=row["article_id"], entity_ids=tuple(json.loads(row["entity_ids"])),
                attempts=row["attempts"], created_at=from_iso(row["created_at"]),
            )
            for row in rows
        ]

    async def digest_channels(self, platform: str) -> list[DigestChannel]:
        """Digest channels of the platform that have stories waiting."""
        async with self.conn.execute(
            "SELECT c.id, c.external_id, c.lang, c.digest_mode, c.digest_time, c.last_digest_at"
            " FROM channels c WHERE c.platform = ? AND c.digest_mode != 'instant'"
            " AND EXISTS (SELECT 1 FROM outbox o WHERE o.channel_id = c.id AND o.state = 'pending')",
            (platform,),
        ) as cur:
            rows = await cur.fetchall()
        return [
            DigestChannel(row["id"], row["external_id"], row["lang"], row["digest_mode"],
                          row["digest_time"], from_iso(row["last_digest_at"]))
            for row in rows
        ]

    async def mark_digest_sent(
        self, channel_id: int, item_ids: list[int], now: datetime, message_ref: str | None
    ) -> None:
        async with self.transaction() as db:
            for item_id in item_ids:
                await db.execute(
                    "UPDATE outbox SET state = 'sent', sent_at = ?, message_ref = ?,"
                    " attempts = attempts + 1 WHERE id = ?",
                    (to_iso(now), message_ref, item_id),
                )
            await db.execute(
                "UPDATE channels SET last_digest_at = ? WHERE id = ?", (to_iso(now), channel_id)
            )

    async def mark_sent(self, item_id: int, now: datetime, message_ref: str | None = None) -> None:
        async with self.transaction() as db:
            await db.execute(
                "UPDATE outbox SET state = 'sent', sent_at = ?, message_ref = ?, attempts = attempts + 1"
                " WHERE id = ?",
                (to_iso(now), message_ref, item_id),
            )

    async def mark_retry(self, item_id: int, error: str, next_attempt_at: datetime) -> None:
        async with self.transaction() as db:
            await db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?"
                " WHERE id = ?",
                (error, to_iso(next_attempt_at), item_id),
            )

    async def mark_dead(self, item_id: int, error: str) -> None:
        async with self.transaction() as db:
            await db.execute(
                "UPDATE outbox SET state = 'dead', last_error = ?, attempts = attempts + 1 WHERE id = ?",
                (error, item_id),
            )

    async def outbox_counts(self) -> dict[str, int]:
        async with self.conn.execute("SELECT state, count(*) FROM outbox GROUP BY state") as cur:
            return {row[0]: row[1] for row in await cur.fetchall()}
