"""When to poll a feed next, and what its health is after a poll. Pure: `now` is passed in.

Rules (issue 2):
- success: next poll after the configured interval, floored by RSS <ttl> and Cache-Control
  max-age (a feed that asks to be polled less often is obeyed, up to a day);
- failure: exponential back-off, 5 min x 2^(n-1) capped at 24 h; a Retry-After on 429/503 is
  honoured when it asks for longer; the 10th failure in a row pauses the feed, error kept;
- a refused URL (SSRF rules) is not an outage: it pauses at once, retrying cannot help.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

BACKOFF_BASE = 300
BACKOFF_MAX = 86_400
FLOOR_MAX = 86_400  # a ttl/max-age beyond a day is capped: a news feed left alone longer is dead to us
RETRY_AFTER_MAX = 7 * 86_400
PAUSE_AFTER_FAILURES = 10


@dataclass(frozen=True)
class PollOutcome:
    """What one poll of a feed came to, as far as scheduling cares."""

    ok: bool
    error: str | None = None
    retry_after: float | None = None  # seconds
    max_age: int | None = None
    ttl_seconds: int | None = None
    refused: bool = False


@dataclass(frozen=True)
class FeedHealth:
    failures: int
    paused: bool
    next_poll_at: datetime
    last_error: str | None


def backoff_seconds(failures: int) -> int:
    """Delay after the n-th consecutive failure (n >= 1)."""
    if failures < 1:
        return 0
    return min(BACKOFF_BASE * 2 ** min(failures - 1, 20), BACKOFF_MAX)


def success_delay(interval: int, outcome: PollOutcome) -> float:
    floor = max(outcome.max_age or 0, outcome.ttl_seconds or 0)
    return max(interval, min(floor, FLOOR_MAX))


def next_health(now: datetime, interval: int, failures_before: int, outcome: PollOutcome) -> FeedHealth:
    if outcome.ok:
        return FeedHealth(0, False, now + timedelta(seconds=success_delay(interval, outcome)), None)
    failures = failures_before + 1
    if outcome.refused:
        return FeedHealth(failures, True, now + timedelta(seconds=BACKOFF_MAX), outcome.error)
    delay = max(backoff_seconds(failures), min(outcome.retry_after or 0, RETRY_AFTER_MAX))
    paused = failures >= PAUSE_AFTER_FAILURES
    return FeedHealth(failures, paused, now + timedelta(seconds=delay), outcome.error)
