"""Channels and what they watch."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.core.alerts import Subscription
from bot.core.errors import AlreadyWatching
from bot.core.timeutil import from_iso, to_iso


@dataclass(frozen=True)
class Channel:
    id: int
    platform: str
    external_id: str
    name: str | None
    lang: str
    digest_mode: str
    digest_time: str | None


def _channel(row) -> Channel:
    return Channel(
        row["id"], row["platform"], row["external_id"], row["name"],
        row["lang"], row["digest_mode"], row["digest_time"],
    )


class ChannelsQueries:
    async def ensure_channel(
        self, platform: str, external_id: str, now: datetime, name: str | None = None
    ) -> Channel:
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO channels (platform, external_id, name, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(platform, external_id) DO UPDATE SET name = coalesce(excluded.name, name)",
                (platform, external_id, name, to_iso(now)),
            )
        return await self.channel(platform, external_id)

    async def channel(self, platform: str, external_id: str) -> Channel | None:
        async with self.conn.execute(
            "SELECT * FROM channels WHERE platform = ? AND external_id = ?", (platform, external_id)
        ) as cur:
            row = await cur.fetchone()
        return _channel(row) if row else None

    async def channel_by_id(self, channel_id: int) -> Channel | None:
        async with self.conn.execute("SELECT * FROM channels WHERE id = ?", (channel_id,)) as cur:
            row = await cur.fetchone()
        return _channel(row) if row else None

    async def set_channel_preferences(
        self, channel_id: int, *, lang: str | None = None,
        digest_mode: str | None = None, digest_time: str | None = None,
    ) -> None:
        async with self.transaction() as db:
            await db.execute(
                "UPDATE channels SET lang = coalesce(?, lang), digest_mode = coalesce(?, digest_mode),"
                " digest_time = CASE WHEN ? IS NULL THEN digest_time ELSE ? END WHERE id = ?",
                (lang, digest_mode, digest_mode, digest_time, channel_id),
            )

    async def watch(self, channel_id: int, entity_id: str, display_name: str, now: datetime) -> None:
        try:
            async with self.transaction() as db:
                await db.execute(
                    "INSERT INTO subscriptions (channel_id, entity_id, display_name, created_at)"
                    " VALUES (?, ?, ?, ?)",
                    (channel_id, entity_id, display_name, to_iso(now)),
                )
        except sqlite3.IntegrityError:
            raise AlreadyWatching(f"This channel already watches {display_name}.") from None

    async def unwatch(self, channel_id: int, entity_id: str) -> bool:
        async with self.transaction() as db:
            cur = await db.execute(
                "DELETE FROM subscriptions WHERE channel_id = ? AND entity_id = ?",
                (channel_id, entity_id),
            )
            return cur.rowcount > 0

    async def watchlist(self, channel_id: int) -> list[Subscription]:
        async with self.conn.execute(
            "SELECT * FROM subscriptions WHERE channel_id = ? ORDER BY display_name COLLATE NOCASE",
            (channel_id,),
        ) as cur:
            return [self._subscription(row) for row in await cur.fetchall()]

    async def subscriptions_for(self, entity_ids: Iterable[str]) -> list[Subscription]:
        ids = sorted(set(entity_ids))
        if not ids:
            return []
        found = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            async with self.conn.execute(
                f"SELECT * FROM subscriptions WHERE entity_id IN ({','.join('?' * len(chunk))})",
                chunk,
            ) as cur:
                found += [self._subscription(row) for row in await cur.fetchall()]
        return found

    async def watched_phrases(self) -> list[str]:
        """Free phrases some channel watches (entity ids 'phrase:...'), for the matcher."""
        async with self.conn.execute(
            "SELECT DISTINCT display_name FROM subscriptions WHERE entity_id LIKE 'phrase:%'"
        ) as cur:
            return [row[0] for row in await cur.fetchall()]

    async def pause_channel(self, channel_id: int, reason: str) -> None:
        async with self.transaction() as db:
            await db.execute(
                "UPDATE subscriptions SET paused_reason = ? WHERE channel_id = ?", (reason, channel_id)
            )

    async def resume_channel(self, channel_id: int) -> int:
        """Lift a pause (the bot is back in the channel); returns how many watches resumed."""
        async with self.transaction() as db:
            cur = await db.execute(
                "UPDATE subscriptions SET paused_reason = NULL"
                " WHERE channel_id = ? AND paused_reason IS NOT NULL",
                (channel_id,),
            )
            return cur.rowcount

    @staticmethod
    def _subscription(row) -> Subscription:
        return Subscription(
            channel_id=row["channel_id"],
            entity_id=row["entity_id"],
            display_name=row["display_name"],
            created_at=from_iso(row["created_at"]),
            paused=row["paused_reason"] is not None,
        )
