"""Who gets an alert for a story. Pure.

An entry seen at its feed's first successful poll is backlog: it fills the ledger but alerts
no one (otherwise adding a feed would flood every channel with its archive). Otherwise a
channel is alerted when it watches an entity the story matched, and its subscription existed
when the entry was first seen. One alert per (channel, story): several watched entities in one
story make one alert that names them all; the store's unique (channel, article) keeps it once
even when five outlets carry the story.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Subscription:
    channel_id: int
    entity_id: str
    display_name: str
    created_at: datetime
    paused: bool = False


@dataclass(frozen=True)
class Alert:
    channel_id: int
    article_id: int
    entity_ids: tuple[str, ...]


def decide_alerts(
    article_id: int,
    matched_entity_ids: Iterable[str],
    first_seen_at: datetime,
    backlog: bool,
    subscriptions: Iterable[Subscription],
) -> list[Alert]:
    if backlog:
        return []
    matched = set(matched_entity_ids)
    by_channel: dict[int, list[str]] = {}
    for sub in subscriptions:
        if sub.paused or sub.entity_id not in matched or sub.created_at > first_seen_at:
            continue
        ids = by_channel.setdefault(sub.channel_id, [])
        if sub.entity_id not in ids:
            ids.append(sub.entity_id)
    return [Alert(channel, article_id, tuple(ids)) for channel, ids in sorted(by_channel.items())]
