"""Polling: one cycle reads every due feed and turns its new entries into stored stories,
ledger deals and queued alerts.

    store.feeds_due(now)
    | fetcher.fetch(url, etag, last_modified)   # concurrent; per-host limits live in the fetcher;
    |                                           #   304, or the same body bytes as last time -> done
    | work.parse(body, headers)                 # bytes in, entries out; off the event loop
    |                                           #   (threads, or a pool of worker processes)
    | store.unseen_keys(feed, keys)             # dedup point: (feed, entry key) is unique
    | work.new_entries(fresh)                   # entities, figures, deals -- new entries only
    | store.record_entries(..., subscriptions)  # one transaction, idempotent: stories, ledger,
    |                                           #   and the alerts decide_alerts() calls for
    |                                           #   (first-run and subscription-time rules),
    |                                           #   durable in the outbox before anything is sent
    then `on_alerts()` wakes the delivery workers.

A feed's failure (network, HTTP, refusal, garbage) is recorded on that feed and never stops
the others; `feed_deadline` bounds a feed's whole poll so a hung server cannot hold up a cycle.

Two ways in: `poll_due()` polls what is due and waits for all of it (the demo, tests);
`start_due()` starts polls in the background and returns at once (the ticker), so a slow feed
never delays the next tick. Either way a feed already being polled is not polled twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.core.model import Feed
from bot.core.schedule import PollOutcome, next_health
from bot.services.analyzer import Analyzer
from bot.services.ports import Clock, EntryWork, Fetcher
from bot.services.work import InProcessWork

log = logging.getLogger(__name__)

FEED_DEADLINE = 120.0  # seconds for one feed's whole poll, fetch + parse + store
PARSE_DEADLINE = 60.0


@dataclass
class FeedReport:
    url: str
    status: str  # new | unchanged | failed
    entries: int = 0
    new_entries: int = 0
    alerts: int = 0
    error: str | None = None


@dataclass
class CycleReport:
    feeds: list[FeedReport] = field(default_factory=list)

    @property
    def alerts(self) -> int:
        return sum(f.alerts for f in self.feeds)

    @property
    def new_entries(self) -> int:
        return sum(f.new_entries for f in self.feeds)

    @property
    def failed(self) -> list[FeedReport]:
        return [f for f in self.feeds if f.status == "failed"]


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


class Poller:
    def __init__(
        self,
        store,
        fetcher: Fetcher,
        analyzer: Analyzer,
        *,
        interval: int,
        clock: Clock,
        concurrency: int = 32,
        feed_deadline: float = FEED_DEADLINE,
        on_alerts: Callable[[], None] = lambda: None,
        work: EntryWork | None = None,
    ) -> None:
        self.store = store
        self.fetcher = fetcher
        self.analyzer = analyzer
        # Parsing and analysis; threads of this process unless the app hands a process pool.
        self.work = work or InProcessWork(analyzer)
        self.interval = interval
        self.clock = clock
        self.on_alerts = on_alerts
        self.feed_deadline = feed_deadline
        self._slots = asyncio.Semaphore(concurrency)
        self._in_flight: dict[int, asyncio.Task] = {}

    async def _claim_due(self) -> list[Feed]:
        feeds = [f for f in await self.store.feeds_due(self.clock()) if f.id not in self._in_flight]
        self.work.set_phrases(await self.store.watched_phrases())
        return feeds

    def _launch(self, feed: Feed) -> asyncio.Task:
        task = asyncio.create_task(self._poll_guarded(feed), name=f"poll:{feed.url}")
        self._in_flight[feed.id] = task
        task.add_done_callback(lambda _t, feed_id=feed.id: self._in_flight.pop(feed_id, None))
        return task

    async def poll_due(self) -> CycleReport:
        tasks = [self._launch(feed) for feed in await self._claim_due()]
        report = CycleReport(list(await asyncio.gather(*tasks)))
        if report.alerts:
            self.on_alerts()
        return report

    async def start_due(self) -> int:
        """Start polling every due feed not already in flight; returns how many started."""
        feeds = await self._claim_due()
        for feed in feeds:
            self._launch(feed).add_done_callback(self._after_background_poll)
        return len(feeds)

    def _after_background_poll(self, task: asyncio.Task) -> None:
        if task.cancelled():
            return
        report = task.result()
        if report.alerts:
            self.on_alerts()
        if report.new_entries or report.status == "failed":
            log.info("feed %s: %s, %d new entries, %d alerts%s", report.url, report.status,
                     report.new_entries, report.alerts, f" ({report.error})" if report.error else "")

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    async def stop(self) -> None:
        """Cancel background polls (shutdown). A poll cut short rolls its transaction back,
        and its feed is simply polled again after the next start."""
        tasks = list(self._in_flight.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _poll_guarded(self, feed: Feed) -> FeedReport:
        async with self._slots:
            try:
                # asyncio.timeout, not wait_for: no extra task per poll (10,000 of them a cycle).
                async with asyncio.timeout(self.feed_deadline):
                    return await self.poll_feed(feed)
            except TimeoutError:
                reason = f"gave up after {self.feed_deadline:g} s"
                log.warning("feed %s: %s", feed.url, reason)
            except Exception as exc:  # one feed's bug must not cost the others their poll
                reason = f"internal error: {type(exc).__name__}: {exc}"
                log.exception("feed %s failed", feed.url)
            await self._save_failure(feed, PollOutcome(ok=False, error=reason))
            return FeedReport(feed.url, "failed", error=reason)

    async def poll_feed(self, feed: Feed) -> FeedReport:
        result = await self.fetcher.fetch(feed.url, feed.etag, feed.last_modified)
        if result.error:
            outcome = PollOutcome(
                ok=False, error=result.error, retry_after=result.retry_after, refused=result.refused
            )
            health = await self._save_failure(feed, outcome)
            log.info("feed %s failed (%d in a row): %s", feed.url, health.failures, result.error)
            return FeedReport(feed.url, "failed", error=result.error)

        if result.not_modified or result.body is None:
            await self._save_success(feed, PollOutcome(ok=True, max_age=result.max_age))
            return FeedReport(feed.url, "unchanged")
        digest = body_hash(result.body)
        if digest == feed.body_hash:
            await self._save_success(feed, PollOutcome(ok=True, max_age=result.max_age),
                                     etag=result.etag, last_modified=result.last_modified)
            return FeedReport(feed.url, "unchanged")

        backlog = feed.first_success_at is None
        headers = dict(result.headers)
        if backlog:
            # A first poll: every entry is new, so parse and analyse in one trip to a worker.
            async with asyncio.timeout(PARSE_DEADLINE):
                parsed, analysed = await self.work.parse_and_analyse(
                    result.body, headers, result.url, feed.lang)
            entry_count = len(analysed)
        else:
            async with asyncio.timeout(PARSE_DEADLINE):
                parsed = await self.work.parse(result.body, headers, result.url, feed.lang)
            entry_count = len(parsed.entries)
        if not entry_count and parsed.problem:
            await self._save_failure(feed, PollOutcome(ok=False, error=parsed.problem))
            return FeedReport(feed.url, "failed", error=parsed.problem)

        now = self.clock()
        if backlog:
            # Still asked: a first poll cut short after its write has stored some of them.
            unseen = await self.store.unseen_keys(feed.id, [e.key for e in analysed])
            new_entries = [e for e in analysed if e.key in unseen]
        else:
            unseen = await self.store.unseen_keys(feed.id, [e.key for e in parsed.entries])
            fresh = [e for e in parsed.entries if e.key in unseen]
            new_entries = await self.work.new_entries(fresh) if fresh else []
        subscriptions = [] if backlog else await self.store.subscriptions_for(
            {entity for entry in new_entries for entity in entry.entity_ids}
        )
        recorded = await self.store.record_entries(feed.id, new_entries, now, backlog, subscriptions)
        alerts = sum(r.alerts_queued for r in recorded)
        outcome = PollOutcome(ok=True, max_age=result.max_age, ttl_seconds=parsed.ttl_seconds)
        await self._save_success(feed, outcome, etag=result.etag,
                                 last_modified=result.last_modified, body_hash=digest,
                                 title=parsed.title)
        return FeedReport(feed.url, "new" if recorded else "unchanged", entry_count,
                          len(recorded), alerts)

    async def _save_success(self, feed: Feed, outcome: PollOutcome, **validators) -> None:
        now = self.clock()
        health = next_health(now, self.interval, feed.failures, outcome)
        await self.store.save_poll(feed.id, now, health, **validators)

    async def _save_failure(self, feed: Feed, outcome: PollOutcome):
        now = self.clock()
        health = next_health(now, self.interval, feed.failures, outcome)
        await self.store.save_poll(feed.id, now, health)
        if health.paused:
            log.warning("feed %s paused after %d failures: %s", feed.url, health.failures,
                        health.last_error)
        return health
