"""Digests: when a channel's digest is due, and how its stories are grouped. Pure.

Hourly: once per clock hour that has pending stories. Daily: once a day at the channel's
HH:MM (UTC); a bot that was down at that minute sends it as soon as it is back.
A story about several watched entities is listed once, under the first of them in the
channel's order, so a digest never repeats itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, time, timedelta

DIGEST_MAX_STORIES = 100  # per digest; more wait for the next one


def digest_due(mode: str, digest_time: str | None, last_sent: datetime | None, now: datetime) -> bool:
    if mode == "hourly":
        this_hour = now.replace(minute=0, second=0, microsecond=0)
        return last_sent is None or last_sent < this_hour
    if mode == "daily":
        hour, minute = (int(part) for part in (digest_time or "08:00").split(":"))
        slot = datetime.combine(now.date(), time(hour, minute), tzinfo=now.tzinfo)
        if now < slot:
            slot -= timedelta(days=1)
        return last_sent is None or last_sent < slot
    return False


def group_by_entity(
    stories: Iterable[tuple[Sequence[str], object]], order: Sequence[str] = ()
) -> list[tuple[str, list]]:
    """[(entity names, story)] -> [(entity, [stories])], entities in `order` first, then as met."""
    rank = {name: i for i, name in enumerate(order)}
    groups: dict[str, list] = {}
    for names, story in stories:
        if not names:
            continue
        first = min(names, key=lambda n: (rank.get(n, len(rank)), list(names).index(n)))
        groups.setdefault(first, []).append(story)
    return sorted(groups.items(), key=lambda item: rank.get(item[0], len(rank)))
