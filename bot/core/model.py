"""Plain data shared by every layer: what a feed entry is, and what the analysis found in it.

Frozen dataclasses only; no behaviour beyond small derived views. Offsets (`start`, `end`) are
character offsets into the analysed text (see `Entry.text`), end exclusive, so alerts can
highlight what was matched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Entry:
    """One normalised feed entry."""

    key: str  # stable identity inside its feed: guid, else canonical link, else hash of title+date
    title: str  # plain text, HTML stripped, whitespace collapsed
    link: str | None
    summary: str  # plain text of summary/content, HTML stripped
    published: datetime | None = None  # timezone-aware UTC when the feed gives a date
    lang: str | None = None  # two-letter code when known (entry, feed, or feed list hint)
    guid: str | None = None
    author: str | None = None

    @property
    def text(self) -> str:
        """The text the analysis reads: title, a newline, summary."""
        return f"{self.title}\n{self.summary}" if self.summary else self.title


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    link: str | None
    lang: str | None
    ttl_seconds: int | None  # RSS <ttl>, converted from minutes
    entries: tuple[Entry, ...]
    problem: str | None = None  # why the document was not (fully) a feed, if it was not


@dataclass(frozen=True)
class Money:
    value: int | float  # in currency units: 15 billion -> 15_000_000_000; cents kept as float
    currency: str  # ISO 4217
    approx: bool = False
    value_max: int | None = None  # upper end of a range


@dataclass(frozen=True)
class Amount:
    """A money amount stated in the text."""

    value: int | float  # float only when the text gives cents ("$142.50")
    currency: str
    text: str  # exact substring: number and currency marker, without qualifiers like "about"
    start: int
    end: int
    approx: bool = False
    value_max: int | None = None

    @property
    def money(self) -> Money:
        return Money(self.value, self.currency, self.approx, self.value_max)


@dataclass(frozen=True)
class Percent:
    value: float
    text: str
    start: int
    end: int
    approx: bool = False


@dataclass(frozen=True)
class EntityMatch:
    entity_id: str  # catalog id, or "phrase:<normalised text>" for a free phrase
    name: str  # canonical name ("Meta"), or the phrase as watched
    text: str  # the surface string that matched ("Meta Platforms")
    start: int
    end: int


@dataclass(frozen=True)
class Deal:
    kind: str  # investment | acquisition | funding_round | ipo
    investors: tuple[str, ...]
    target: str
    amount: Money | None = None
    stake_percent: float | None = None
    valuation: Money | None = None
    status: str = "announced"  # rumored | announced | completed
    lead_investors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Analysis:
    entities: tuple[EntityMatch, ...] = ()  # every match, in text order
    amounts: tuple[Amount, ...] = ()
    percents: tuple[Percent, ...] = ()
    deals: tuple[Deal, ...] = ()

    @property
    def entity_names(self) -> tuple[str, ...]:
        """Canonical names, first appearance order, no duplicates."""
        seen: dict[str, None] = {}
        for m in self.entities:
            seen.setdefault(m.name, None)
        return tuple(seen)

    @property
    def entity_ids(self) -> frozenset[str]:
        return frozenset(m.entity_id for m in self.entities)


EMPTY_ANALYSIS = Analysis()


@dataclass(frozen=True)
class Feed:
    """A feed as the poller knows it (a row of the store)."""

    id: int
    url: str
    name: str | None = None
    lang: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    first_success_at: datetime | None = None
    failures: int = 0
    paused: bool = False
