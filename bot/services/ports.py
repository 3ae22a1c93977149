"""What the services need from the outside world, as Protocols. Adapters implement them;
tests may use fakes of these (our own ports), never of vendor objects."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from bot.core.model import Entry, ParsedFeed
from bot.core.render import AlertView
from bot.services.records import NewEntry


class FetchResultLike(Protocol):
    url: str
    status: int | None
    body: bytes | None
    etag: str | None
    last_modified: str | None
    headers: Mapping[str, str]
    retry_after: float | None
    max_age: int | None
    error: str | None
    not_modified: bool
    refused: bool


class Fetcher(Protocol):
    async def fetch(
        self, url: str, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResultLike: ...


class EntryWork(Protocol):
    """The CPU-heavy steps of a poll: parsing a feed document and analysing its new entries.
    `bot.services.work.InProcessWork` runs them on threads of the bot's own process;
    `bot.adapters.workers.ProcessWork` on a pool of worker processes, one per core."""

    def set_phrases(self, phrases: Iterable[str]) -> None:
        """The free phrases channels watch, matched besides the catalog from now on."""
        ...

    async def parse(self, body: bytes, headers: Mapping[str, str], base_url: str,
                    lang_hint: str | None) -> ParsedFeed: ...

    async def new_entries(self, entries: Sequence[Entry]) -> list[NewEntry]: ...

    async def parse_and_analyse(self, body: bytes, headers: Mapping[str, str], base_url: str,
                                lang_hint: str | None) -> tuple[ParsedFeed, list[NewEntry]]:
        """Both steps in one trip, for a feed's first poll, where every entry is new: the
        parsed feed (its `entries` left empty, they come back analysed) and every entry."""
        ...

    def close(self) -> None:
        """Stop whatever runs the work (worker processes); nothing to do for threads."""
        ...


class Clock(Protocol):
    def __call__(self) -> datetime: ...


class Sender(Protocol):
    """Posts one rendered alert to one channel of a platform; returns a message reference.

    Raises `DeliveryFailed(permanent=True)` when the channel is gone or forbids the bot,
    `DeliveryFailed(permanent=False, retry_after=...)` for outages worth retrying."""

    platform: str

    async def send(self, external_id: str, alert: AlertView, key: str) -> str | None:
        """`key` is stable for one outbox row across retries and restarts (at most 25
        characters), so a platform that deduplicates by it (Discord's message nonce with
        enforce_nonce) never shows a retried alert twice."""
        ...

    async def send_digest(
        self, external_id: str, groups: list[tuple[str, list[AlertView]]], lang: str, key: str
    ) -> str | None:
        """Post one digest: stories grouped by watched entity, split over messages as the
        platform's limits require. Returns a reference to the (first) message."""
        ...


class DeliveryFailed(Exception):
    def __init__(self, reason: str, *, permanent: bool, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after
