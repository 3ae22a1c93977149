"""The ticker: one APScheduler 3.x job that polls whatever feeds are due.

One job for all feeds (never a job per feed): each tick asks the store which feeds are due and
starts their polls in the background, so a tick lasts as long as one store query. A hung
server holds only its own poll (bounded by the poller's feed deadline), never later ticks.
`max_instances=1` and `coalesce=True` keep ticks from piling up if the store is slow.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger(__name__)


def tick_seconds(poll_interval: int) -> int:
    """Check for due feeds often enough that a feed is at most a few seconds late."""
    return max(1, min(poll_interval, 15))


def start_ticker(poller, poll_interval: int) -> AsyncIOScheduler:
    """Start the scheduler inside the running event loop and return it (call .shutdown())."""

    async def tick() -> None:
        try:
            started = await poller.start_due()
        except Exception:  # a store hiccup costs one tick, not the ticker
            log.exception("tick failed")
            return
        if started:
            log.debug("tick: %d feeds started, %d in flight", started, poller.in_flight)

    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        tick, "interval", seconds=tick_seconds(poll_interval), id="poll-due-feeds",
        max_instances=1, coalesce=True, misfire_grace_time=None,
        next_run_time=datetime.now(UTC),  # first tick at once, not one interval after start
    )
    scheduler.start()
    return scheduler
