"""Part 6's bookkeeping: a queue of N alerts written through the real store, and the tally of
what the platform stand-in shows for each outbox key (lost, doubled) once delivery is done."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from bot.adapters.sqlite import Store
from bot.core.alerts import Alert
from bot.services.delivery import delivery_key
from bot.services.records import FeedSpec, NewEntry
from tests.clock import ManualClock

# Stories per feed (and per store transaction) while filling the outbox: the store compares a
# new entry with up to 200 recent articles of its feed (headline edits), so small feeds keep
# queueing 10,000 alerts linear instead of 200 comparisons each.
STORIES_PER_FEED = 100


@dataclass
class Queued:
    """Outbox row id -> the channel (platform id) it is meant for."""

    channel_of: dict[int, str] = field(default_factory=dict)

    def keys(self) -> dict[str, str]:
        return {delivery_key(row): channel for row, channel in self.channel_of.items()}


async def queue_alerts(store: Store, clock: ManualClock, platform: str, channels: list[str], count: int) -> Queued:
    """`count` distinct stories about Meta, one alert each, dealt round-robin over `channels`."""
    internal: dict[str, int] = {}
    for external in channels:
        row = await store.ensure_channel(platform, external, clock())
        await store.watch(row.id, "meta", "Meta", clock())
        internal[external] = row.id
    queued = Queued()
    for start in range(0, count, STORIES_PER_FEED):
        feed = await store.add_feed(FeedSpec(f"https://{platform}-wire.example.com/rss/{start}"), clock())
        numbers = range(start, min(start + STORIES_PER_FEED, count))
        entries = [_story(n, clock()) for n in numbers]
        recorded = await store.record_entries(feed.id, entries, clock(), backlog=False)
        targets = [channels[n % len(channels)] for n in numbers]
        await store.enqueue([Alert(internal[t], r.article_id, ("meta",)) for t, r in zip(targets, recorded, strict=True)],
                            clock())
        async with store.conn.execute(
            "SELECT o.id, c.external_id FROM outbox o JOIN channels c ON c.id = o.channel_id"
            " WHERE o.id > ? ORDER BY o.id", (max(queued.channel_of, default=0),),
        ) as cur:
            queued.channel_of.update({row[0]: row[1] for row in await cur.fetchall()})
    return queued


def _story(n: int, now: datetime) -> NewEntry:
    link = f"https://wire.example.com/story/{n}"
    return NewEntry(
        key=f"story-{n}", title=f"Meta story number {n}", link=link, canonical_link=link,
        title_fingerprint=None, summary=f"Meta said something new, item {n}.", published_at=now,
        lang="en", entity_ids=("meta",), analysis_json='{"entities": ["Meta"]}', deals=(),
    )


async def outbox_states(store: Store) -> dict[int, str]:
    async with store.conn.execute("SELECT id, state FROM outbox") as cur:
        return {row[0]: row[1] for row in await cur.fetchall()}


@dataclass
class Tally:
    cases: int = 0
    lost: int = 0
    doubled: int = 0
    failures: int = 0
    notes: list[str] = field(default_factory=list)


def tally(queued: Queued, states: dict[int, str], shown: Counter, gone: set[str]) -> Tally:
    """Compare the outbox with what the platform shows, key by key.

    `shown` counts messages per outbox key in the stand-in; `gone` are channels deleted or
    closed to the bot during the run. An alert is lost when it is not shown and its channel was
    not gone (or it is still pending: nothing may stay stuck); doubled when shown more than once;
    a failure when the outbox and the platform disagree (marked dead but shown, sent but not shown)."""
    result = Tally(cases=len(queued.channel_of))
    for row, channel in queued.channel_of.items():
        times = shown.get(delivery_key(row), 0)
        state = states.get(row)
        if times > 1:
            result.doubled += 1
        if times == 0 and (channel not in gone or state == "pending"):
            result.lost += 1
        elif state == "sent" and times == 0 or state == "dead" and times > 0 and channel not in gone:
            result.failures += 1
    stray = set(shown) - set(queued.keys())
    if stray:
        result.failures += len(stray)
        result.notes.append(f"{len(stray)} messages with unknown keys")
    return result
