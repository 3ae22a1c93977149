"""What the services need from the outside world, as Protocols. Adapters implement them;
tests may use fakes of these (our own ports), never of vendor objects."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from bot.core.render import AlertView


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
