"""Records that cross from the services into the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.model import Deal


@dataclass(frozen=True)
class NewEntry:
    """An entry the poller has not stored before, with what the analysis found."""

    key: str
    title: str
    link: str | None
    canonical_link: str | None
    title_fingerprint: str | None
    summary: str
    published_at: datetime | None
    lang: str | None
    entity_ids: tuple[str, ...]
    # The analysis as stored: JSON of the scan contract's fields, key figures and the words
    # that matched, encoded where the analysis ran (a worker process), so neither the trip
    # back to the bot nor the database thread pays for the nested structure again.
    analysis_json: str
    deals: tuple[Deal, ...]
    headline_deal: str | None = None  # key of the deal the title is about, for cross-language dedup
    # What the edit check compares (`identity.title_words`, `identity.body_key`), computed
    # with the analysis, off the database thread; None: the store computes them.
    title_words: str | None = None
    body_key: str | None = None


@dataclass(frozen=True)
class RecordedEntry:
    key: str
    article_id: int
    entity_ids: tuple[str, ...]
    first_seen_at: datetime
    backlog: bool
    new_story: bool
    alerts_queued: int = 0


@dataclass(frozen=True)
class FeedSpec:
    """A feed as an operator or user asks for it."""

    url: str
    name: str | None = None
    lang: str | None = None
