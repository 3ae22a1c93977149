"""The ticker: one APScheduler 3.x job that polls whatever feeds are due.

One job for all feeds (never a job per feed): each tick asks the store which feeds are due.
`max_instances=1` and `coalesce=True` mean a slow tick delays the next instead of piling up;
the poller bounds each feed's poll (FEED_DEADLINE), so a hung server cannot stall ticks.
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
        report = await poller.poll_due()
        if report.feeds:
            log.info(
                "polled %d feeds: %d new entries, %d alerts queued, %d failed",
                len(report.feeds), report.new_entries, report.alerts, len(report.failed),
            )

    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        tick, "interval", seconds=tick_seconds(poll_interval), id="poll-due-feeds",
        max_instances=1, coalesce=True, misfire_grace_time=None,
        next_run_time=datetime.now(UTC),  # first tick at once, not one interval after start
    )
    scheduler.start()
    return scheduler
