"""Part 1: every feed the parser's authors could think of.

feedparser's own test corpus (`make stress-corpus` unpacks it into .stress/feedparser-tests/)
is replayed through the whole ingestion path -- the real Poller, parse_feed, identity,
analysis and a real SQLite store -- three times in a row. Only the fetch is replaced: a fake
fetcher hands each document's bytes over as if a server had sent them (with the Content-Type
its `Header:` comment names), so the run measures ingestion, not the network.

What counts:
- failures: a poll that ended in "internal error" or a deadline (an exception escaped the
  parse/analysis/store path), or a poll cycle that raised;
- lost: an entry parse_feed finds in a document that the store still calls unseen afterwards;
- doubled: an outbox row created by the 2nd or 3rd replay (the same bytes must alert nothing
  new), or two outbox rows for one (channel, story).

Before the replays every feed is polled once with an empty document, so the corpus entries
are not backlog and do alert: the channel watches many entities and a few common words.
The short form (inside `make test`) replays tests/data/feeds/ instead of the corpus.

`PollWorld` (a store, a poller and a clock moved by hand) is reused by parts 2 and 3.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from bot.adapters.http_fetch import FetchResult
from bot.adapters.sqlite import Store
from bot.app import load_catalog
from bot.core.entities import phrase_id
from bot.core.feeds import parse_feed
from bot.services.analyzer import Analyzer
from bot.services.poller import CycleReport, Poller
from bot.services.records import FeedSpec
from bot.settings import Settings
from tests.clock import ManualClock
from tests.stress.summary import Summary

ROOT = Path(__file__).resolve().parents[2]
CORPUS_DIR = ROOT / ".stress" / "feedparser-tests"
SHORT_DIR = ROOT / "tests" / "data" / "feeds"
INTERVAL = 300
REPLAYS = 3
EMPTY_RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
# Words common in the corpus's test entries, watched as free phrases so that many of its
# entries do alert (the catalog's companies almost never appear there).
COMMON_PHRASES = ("example", "entry", "title", "test", "feed", "content", "link", "author")
WATCHED_CATALOG_ENTITIES = 40


_catalog = None


def catalog():
    global _catalog
    if _catalog is None:
        _catalog = load_catalog(Settings().entities_file)
    return _catalog


@dataclass
class PollWorld:
    """A real store in a temporary folder, a poller over `fetcher`, a clock moved by hand."""

    store: Store
    poller: Poller
    clock: ManualClock
    folder: tempfile.TemporaryDirectory

    @classmethod
    async def open(cls, fetcher, **poller_options) -> PollWorld:
        folder = tempfile.TemporaryDirectory(prefix="newsbot-stress-")
        store = await Store.open(Path(folder.name) / "bot.db")
        clock = ManualClock()
        poller = Poller(store, fetcher, Analyzer(catalog()), interval=INTERVAL, clock=clock,
                        **poller_options)
        return cls(store, poller, clock, folder)

    async def close(self) -> None:
        await self.store.close()
        self.folder.cleanup()

    async def channel_watching(self, external_id: str, entity_ids: list[str],
                               phrases: tuple[str, ...] = ()) -> int:
        channel = await self.store.ensure_channel("console", external_id, self.clock())
        for entity_id in entity_ids:
            await self.store.watch(channel.id, entity_id, entity_id, self.clock())
        for phrase in phrases:
            await self.store.watch(channel.id, phrase_id(phrase), phrase, self.clock())
        return channel.id

    async def poll(self, after: float = INTERVAL) -> CycleReport:
        self.clock.advance(after)
        return await self.poller.poll_due()

    async def scalar(self, sql: str, params: tuple = ()) -> int:
        async with self.store.conn.execute(sql, params) as cur:
            return (await cur.fetchone())[0]

    async def forget_body_hashes(self) -> None:
        """Make the next poll parse again even when the bytes did not change."""
        async with self.store.transaction() as db:
            await db.execute("UPDATE feeds SET body_hash = NULL, etag = NULL, last_modified = NULL")

    async def outbox_rows(self) -> int:
        return await self.scalar("SELECT count(*) FROM outbox")

    async def doubled_alerts(self) -> int:
        """Alerts beyond the first for one (channel, story): the schema forbids them; count anyway."""
        return await self.scalar(
            "SELECT coalesce(sum(n - 1), 0) FROM"
            " (SELECT count(*) AS n FROM outbox GROUP BY channel_id, article_id)"
        )


def escaped_failure(report) -> bool:
    """A poll whose error is an exception or a deadline, not a verdict on the document."""
    error = report.error or ""
    return error.startswith("internal error") or error.startswith("gave up")


# -- the documents -------------------------------------------------------------------------

_HEADER_LINE = re.compile(rb"^Header:\s*([A-Za-z-]+):\s*(.+?)\s*$", re.MULTILINE)
_GIVEN_CONTENT_TYPE = re.compile(rb'header\.Content-Type="([^"]+)"')


def document_headers(body: bytes) -> dict[str, str]:
    """The HTTP headers a corpus document says it was served with (feedparser's `Header:`
    lines; our fixtures' `Given: header.Content-Type=`), lower-case keys like the fetcher's."""
    headers: dict[str, str] = {}
    head = body[:4096]
    for name, value in _HEADER_LINE.findall(head):
        headers[name.decode("latin-1").lower()] = value.decode("latin-1")
    given = _GIVEN_CONTENT_TYPE.search(head)
    if given:
        headers["content-type"] = given.group(1).decode("latin-1")
    return headers


def corpus_documents(full: bool) -> list[Path]:
    folder = CORPUS_DIR if full else SHORT_DIR
    return sorted(
        p for p in folder.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".md") and not p.name.startswith(".")
    )


class ReplayFetcher:
    """Answers every URL with the bytes of the document it names; empty feed before the replay."""

    def __init__(self, documents: Mapping[str, Path]) -> None:
        self.documents = documents
        self.replaying = False

    async def fetch(self, url: str, etag: str | None = None,
                    last_modified: str | None = None) -> FetchResult:
        if self.replaying:
            body = self.documents[url].read_bytes()
            headers = document_headers(body)
        else:
            body, headers = EMPTY_RSS, {"content-type": "application/rss+xml"}
        return FetchResult(url=url, status=200, body=body, etag=None, last_modified=None,
                           headers=MappingProxyType(headers), retry_after=None, max_age=None,
                           error=None)

    async def close(self) -> None:
        return None


def document_url(path: Path) -> str:
    return "http://corpus.test/" + path.as_posix().lstrip("/")


async def count_lost(world: PollWorld, documents: Mapping[str, Path]) -> int:
    """Entries parse_feed finds in a document that its feed never stored."""
    lost = 0
    for url, path in documents.items():
        body = path.read_bytes()
        try:
            parsed = parse_feed(body, document_headers(body), base_url=url)
        except Exception:
            continue  # an escape is counted as a failure by the replay itself
        feed = await world.store.feed_by_url(url)
        lost += len(await world.store.unseen_keys(feed.id, [e.key for e in parsed.entries]))
    return lost


async def run(full: bool) -> Summary:
    summary = Summary("part1 corpus replay")
    paths = corpus_documents(full)
    if not paths:
        summary.failures = 1
        summary.notes.append(f"no documents in {CORPUS_DIR if full else SHORT_DIR}: run make stress-corpus")
        return summary
    documents = {document_url(p): p for p in paths}
    fetcher = ReplayFetcher(documents)
    world = await PollWorld.open(fetcher)
    started = time.perf_counter()
    try:
        entity_ids = sorted(e.id for e in catalog())[:WATCHED_CATALOG_ENTITIES]
        await world.channel_watching("corpus", entity_ids, COMMON_PHRASES)
        await world.channel_watching("corpus-2", entity_ids[::2], COMMON_PHRASES[:3])
        for url in documents:
            await world.store.add_feed(FeedSpec(url), world.clock())
        await world.poll()  # the empty first poll: what follows is news, not backlog

        fetcher.replaying = True
        alerts_after: list[int] = []
        round_seconds: list[float] = []
        entries = 0
        for _ in range(REPLAYS):
            await world.forget_body_hashes()
            round_started = time.perf_counter()
            try:
                # Two days later: past any back-off a failed document earned last round.
                report = await world.poll(after=2 * 86_400)
            except Exception as exc:  # the cycle itself must never raise
                summary.failures += 1
                summary.notes.append(f"poll cycle raised {type(exc).__name__}: {exc}")
                continue
            round_seconds.append(time.perf_counter() - round_started)
            summary.failures += sum(escaped_failure(f) for f in report.feeds)
            summary.notes.extend(
                f"{f.url.removeprefix('http://corpus.test/')}: {f.error}"
                for f in report.feeds if escaped_failure(f)
            )
            entries = max(entries, sum(f.entries for f in report.feeds))
            alerts_after.append(await world.outbox_rows())
        summary.cases = len(documents)
        summary.doubled = (alerts_after[-1] - alerts_after[0] if alerts_after else 0)
        summary.doubled += await world.doubled_alerts()
        summary.lost = await count_lost(world, documents)
        failed_docs = await world.scalar("SELECT count(*) FROM feeds WHERE failures > 0")
        summary.notes.insert(0, (
            f"{REPLAYS} replays, {entries} entries, {alerts_after[0] if alerts_after else 0} alerts,"
            f" {failed_docs} documents refused as not a feed, per replay "
            + "/".join(f"{s:.1f}" for s in round_seconds) + " s"
        ))
    finally:
        await world.close()
    summary.seconds = time.perf_counter() - started
    return summary
