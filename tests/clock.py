"""The clock tests pass to code that takes `now` from a callable: it stands still until the
test moves it, so schedules, back-offs and digests are tested without sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

START = datetime(2025, 6, 13, 8, 0, tzinfo=UTC)


class ManualClock:
    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
