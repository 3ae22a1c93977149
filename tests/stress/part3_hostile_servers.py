"""Part 3: hostile servers.

One poller, a production-like fetcher (private addresses refused; only the test name
feeds.test is allowed to reach loopback) and a loopback feed server whose routes misbehave:
500s, a hang, a byte a second, 50 MiB, a gzip bomb, an endless redirect loop, a redirect to
169.254.169.254, wrong charsets, HTML instead of XML, a one-line entity bomb, 32 KB author
fields. Beside them, well-behaved feeds each publish one new article about Meta.

What counts as a failure:
- a good feed that did not deliver its alert (counted as lost), or delivered it twice;
- a hostile feed that was taken for a working feed when it cannot be one (500, hang, loop...);
- a poll that ended in an exception or hit the poller's per-feed deadline (the fetcher's own
  limits should have ended it first), or a cycle slower than its bound;
- the event loop's worst tick beyond MAX_LOOP_LAG while all this runs (a ticker task records
  how late it wakes up), or a traced memory peak beyond MAX_PEAK_BYTES;
- any attempt to leave loopback (NetworkGuard).
The full form makes the gzip bomb bigger and polls every feed more times.
"""

from __future__ import annotations

import asyncio
import logging
import time
import tracemalloc
import zlib
from pathlib import Path

from bot.adapters.http_fetch import Fetcher
from bot.services.records import FeedSpec
from tests.feedserver import FeedServer, NetworkGuard, Reply, StaticResolver
from tests.stress.part1_corpus import PollWorld
from tests.stress.summary import Summary

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "feeds"
HOST = "feeds.test"
MIB = 1024 * 1024
MAX_LOOP_LAG = 0.25  # seconds: the worst tick a person would notice in a chat reply
MAX_PEAK_BYTES = 160 * MIB  # traced Python allocations, the whole process (server included)
FETCH_TIMEOUT = 3.0
FEED_DEADLINE = 30.0  # the poller's bound; the fetcher's timeout must end a hang before it
CITIES = ("Oslo", "Lima", "Pune", "Kyiv")
GOOD_FEEDS = len(CITIES)


def rss_items(*items: tuple[str, str], channel_extra: str = "", item_extra: str = "") -> str:
    body = "".join(
        f"<item><guid>https://good.example/{guid}</guid><title>{title}</title>"
        f"<link>https://good.example/{guid}</link>{item_extra}</item>"
        for guid, title in items
    )
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed</title>'
            f"{channel_extra}{body}</channel></rss>")


def gzip_bomb(inflated_bytes: int) -> bytes:
    """A gzip stream of `inflated_bytes` zero bytes (about 1000:1)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(MIB)
    parts = [packer.compress(block) for _ in range(inflated_bytes // MIB)]
    return b"".join(parts) + packer.flush()


def long_author_feed(element: str, text: str) -> str:
    item = f"<item><guid>la-{element}</guid><title>Long author</title><{element}>{text}</{element}></item>"
    return ('<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<channel><title>Authors</title><managingEditor>{text}</managingEditor>{item}"
            "</channel></rss>")


def hostile_routes(server: FeedServer, full: bool) -> dict[str, tuple[Reply, bool]]:
    """path -> (reply, must fail): feeds that cannot possibly be read as working feeds."""
    plain = rss_items(("h1", "A plain entry"))
    many = 5_000 if full else 500  # tiny entries: parse and analysis time (slow under tracemalloc)
    latin1 = rss_items(("c1", "Café société à Genève")).encode("latin-1", "replace")
    big_entry = "<item><title>filler</title><description>" + "x" * 60_000 + "</description></item>"
    endless = Reply(body=b"<rss>" + b"<x>" * (50 * MIB // 3), chunked=True, chunk_size=64 * 1024)
    routes = {
        "/status-500.xml": (Reply(status=500, body=b"boom", content_type="text/plain"), True),
        "/status-503-retry.xml": (Reply(status=503, headers={"Retry-After": "120"}), True),
        "/hangs.xml": (Reply(body=plain, gate=asyncio.Event()), True),
        "/byte-a-second.xml": (Reply(body=plain, trickle=1.0, chunk_size=1), True),
        "/fifty-mib.xml": (endless, True),
        "/fifty-mib-of-entries.xml": (Reply(body=("<rss version='2.0'><channel>" + big_entry * 900
                                                  + "</channel></rss>").encode(), chunked=True,
                                            chunk_size=256 * 1024), True),
        "/gzip-bomb.xml": (Reply(body=gzip_bomb((1024 if full else 128) * MIB),
                                 headers={"Content-Encoding": "gzip"}), True),
        "/redirect-loop.xml": (Reply(redirect="/redirect-loop.xml"), True),
        "/redirect-ping-pong.xml": (Reply(redirect="/redirect-pong.xml"), True),
        "/redirect-pong.xml": (Reply(redirect="/redirect-ping-pong.xml"), True),
        "/redirect-metadata.xml": (Reply(redirect="http://169.254.169.254/latest/meta-data/"), True),
        "/html.xml": (Reply(body=(FIXTURES / "html_page.html").read_bytes(), content_type="text/html"), True),
        "/garbage.xml": (Reply(body=(FIXTURES / "garbage.txt").read_bytes()), True),
        "/empty-200.xml": (Reply(body=b""), True),
        "/dropped.xml": (Reply(drop=True), True),
        # may be read or refused; they must just not hurt anyone
        "/nine-mib-of-entries.xml": (Reply(body=("<rss version='2.0'><channel>" + big_entry * 150
                                                 + "</channel></rss>").encode()), False),
        "/many-small-entries.xml": (Reply(body=rss_items(*[(f"m{n}", f"Entry number {n} of many")
                                                           for n in range(many)]).encode()), False),
        "/charset-says-utf8-is-latin1.xml": (Reply(body=latin1, content_type="text/xml; charset=utf-8"), False),
        "/charset-says-utf16.xml": (Reply(body=plain, content_type="text/xml; charset=utf-16"), False),
        "/charset-bogus.xml": (Reply(body=plain, content_type="text/xml; charset=x-no-such-thing"), False),
        "/entity-bomb.xml": (Reply(body=(FIXTURES / "entity_bomb_one_line.xml").read_bytes()), False),
        "/long-author-fixture.xml": (Reply(body=(FIXTURES / "long_author.xml").read_bytes()), False),
    }
    for element, text in (("author", "a" * 32_768), ("dc:creator", "a." * 16_384),
                          ("author", "a" * 16_384 + " " + "b" * 16_384), ("dc:publisher", "a" * 32_768)):
        path = f"/long-{element.replace(':', '-')}-{len(routes)}.xml"
        routes[path] = (Reply(body=long_author_feed(element, text)), False)
    if not full:  # parse-heavy documents cost seconds under tracemalloc: `make stress` only
        del routes["/nine-mib-of-entries.xml"], routes["/many-small-entries.xml"]
    for path, (reply, _) in routes.items():
        server.route(path, reply)
    return routes


class LoopLagMeter:
    """A task that sleeps `tick` seconds again and again and records its worst lateness:
    how long the event loop could not run anything else."""

    def __init__(self, tick: float = 0.005) -> None:
        self.tick = tick
        self.worst = 0.0
        self._task: asyncio.Task | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(self.tick)
            self.worst = max(self.worst, loop.time() - before - self.tick)

    def __enter__(self) -> LoopLagMeter:
        self._task = asyncio.create_task(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


async def alerts_per_feed(world: PollWorld) -> dict[str, int]:
    async with world.store.conn.execute(
        "SELECT f.url, count(o.id) FROM feeds f LEFT JOIN articles a ON a.feed_id = f.id"
        " LEFT JOIN outbox o ON o.article_id = a.id GROUP BY f.url"
    ) as cur:
        return {url: n for url, n in await cur.fetchall()}


async def run(full: bool) -> Summary:
    summary = Summary("part3 hostile servers")
    started = time.perf_counter()
    guard = NetworkGuard(asyncio.get_running_loop())
    guard.install()
    # The feed server's own complaints (writing to a client that hung up on it) are expected.
    server_log = logging.getLogger("aiohttp.server")
    server_log_level = server_log.level
    server_log.setLevel(logging.CRITICAL)
    server = await FeedServer().start()
    routes = hostile_routes(server, full)
    fetcher = Fetcher(private_hosts=frozenset({HOST}), resolver=StaticResolver({HOST: "127.0.0.1"}),
                      total_timeout=FETCH_TIMEOUT, connect_timeout=1.0, max_redirects=5)
    world = await PollWorld.open(fetcher, feed_deadline=FEED_DEADLINE)
    tracemalloc.start()
    try:
        await world.channel_watching("hostile", ["meta"])
        good = [f"/good-{n}.xml" for n in range(GOOD_FEEDS)]
        for path in good:
            server.route(path, Reply(body=rss_items((f"{path}-old", f"Rainfall statistics {path}"))))
        for path in [*good, *routes]:
            await world.store.add_feed(FeedSpec(server.url(path, host=HOST)), world.clock())

        cycles = 6 if full else 2
        slowest_cycle = 0.0
        with LoopLagMeter() as meter:
            for cycle in range(cycles):
                cycle_started = time.perf_counter()
                # Past any back-off: every feed, hostile or not, is polled every cycle.
                report = await world.poll(after=2 * 86_400)
                slowest_cycle = max(slowest_cycle, time.perf_counter() - cycle_started)
                for feed in report.feeds:
                    path = "/" + feed.url.rsplit("/", 1)[1]
                    summary.cases += 1
                    problem = None
                    if (feed.error or "").startswith(("internal error", "gave up")):
                        problem = f"escaped the fetcher's limits: {feed.error}"
                    elif path in good and feed.status == "failed":
                        problem = f"a good feed failed: {feed.error}"
                    elif path in routes and routes[path][1] and feed.status != "failed":
                        problem = f"read as a working feed ({feed.status})"
                    if problem:
                        summary.failures += 1
                        summary.notes.append(f"cycle {cycle + 1} {path}: {problem}")
                if cycle == 0:  # the good feeds' first poll was backlog; now their news is out
                    for n, path in enumerate(good):
                        news = (f"{path}-new", f"Meta opens research lab number {n} in {CITIES[n]}")
                        old = (f"{path}-old", f"Rainfall statistics {path}")
                        server.route(path, Reply(body=rss_items(news, old)))
        _, peak = tracemalloc.get_traced_memory()
        per_feed = await alerts_per_feed(world)
        for path in good:
            got = per_feed.get(server.url(path, host=HOST), 0)
            summary.lost += max(0, 1 - got)
            summary.doubled += max(0, got - 1)
        if meter.worst > MAX_LOOP_LAG:
            summary.failures += 1
            summary.notes.append(f"event loop blocked {meter.worst:.2f} s (bound {MAX_LOOP_LAG} s)")
        if peak > MAX_PEAK_BYTES:
            summary.failures += 1
            summary.notes.append(f"memory peak {peak / MIB:.0f} MiB (bound {MAX_PEAK_BYTES / MIB:.0f})")
        if slowest_cycle > FEED_DEADLINE + 2:
            summary.failures += 1
            summary.notes.append(f"a cycle took {slowest_cycle:.1f} s")
        if guard.violations:
            summary.failures += len(guard.violations)
            summary.notes.append(f"left loopback: {guard.violations}")
        summary.notes.insert(0, (
            f"{len(routes)} hostile + {GOOD_FEEDS} good feeds x {cycles} cycles, worst loop tick"
            f" {meter.worst * 1000:.0f} ms, memory peak {peak / MIB:.0f} MiB, slowest cycle"
            f" {slowest_cycle:.1f} s"
        ))
    finally:
        tracemalloc.stop()
        await world.close()
        await fetcher.close()
        await server.stop()
        guard.uninstall()
        server_log.setLevel(server_log_level)
    summary.seconds = time.perf_counter() - started
    return summary
