"""newsbot's own pipeline on the farm, end to end, in a process of its own:

    python -m tests.farm.pipeline --info farm.json --feeds N

Store (SQLite file), Fetcher, Analyzer, Poller, DeliveryWorker and DiscordSender are the ones
`newsbot run` wires; the real discord.py posts to the stand-in in the farm process. Two cycles:
cold (every feed new; first-run entries are backlog and alert nobody) and warm (10 % of the
feeds gained one entry). Prints one JSON line: both cycles with their stage breakdown.

Parsing and analysis run on the pool of worker processes `newsbot run` starts (one per core),
started and given the watched phrases before the cold cycle, as a running bot has them. CPU
and peak memory of a cycle count the bot's process and its workers.

Stage times are measured by wrapping the pipeline's own calls: workers' CPU from /proc, and
fetch, parse, analysis and store as the summed wait of the polls (polls overlap, so waits add
up to more than the wall time; they say where polls spend their time).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import discord
from discord.ext import commands

from bot.adapters.discord.sender import DiscordSender
from bot.adapters.files import SourceFetcher
from bot.adapters.http_fetch import Fetcher
from bot.adapters.sqlite import Store
from bot.adapters.workers import ProcessWork, default_workers
from bot.app import load_catalog, project_file
from bot.services.analyzer import Analyzer
from bot.services.delivery import DeliveryWorker
from bot.services.poller import Poller
from bot.services.records import FeedSpec
from tests.discord_standin import running_bot
from tests.farm.common import (CHANNELS, Cycle, Meter, advance_farm, farm_posts, feed_url,
                               peak_rss_mb, percentile, process_cpu_seconds, process_peak_mb,
                               watched_names)
from tests.farm.content import feed_of_link

INTERVAL = 600
CONCURRENCY = 32


class Stages:
    """Accumulates time per stage; see the module docstring for what each figure means."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.body_seen_at: dict[str, float] = {}  # feed URL -> monotonic time its new body arrived

    def reset(self) -> None:
        self.seconds.clear()
        self.body_seen_at.clear()

    def wrap_wait(self, name: str, func):
        async def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return await func(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - start
        return timed

    def wrap_fetch(self, func):
        async def timed(url, *args, **kwargs):
            start = time.perf_counter()
            result = await func(url, *args, **kwargs)
            self.seconds["fetch (summed wait)"] += time.perf_counter() - start
            if result.body is not None:
                self.body_seen_at[url] = time.monotonic()
            return result
        return timed


async def setup_world(store: Store, analyzer: Analyzer, base: str, feeds: int, first_channel: int,
                      now: datetime) -> None:
    await store.sync_feeds([FeedSpec(feed_url(base, n)) for n in range(feeds)], now)
    for channel in range(CHANNELS):
        row = await store.ensure_channel("discord", str(first_channel + channel), now)
        for name in watched_names(channel):
            entity_id, display = analyzer.resolve(name)
            await store.watch(row.id, entity_id, display, now)


async def wait_delivered(store: Store, timeout: float = 600.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        counts = await store.outbox_counts()
        if not counts.get("pending"):
            return
        await asyncio.sleep(0.05)


async def run_cycle(poller: Poller, store: Store, stages: Stages, base: str, changed: int,
                    workers: list[int]) -> Cycle:
    stages.reset()
    posts_before = len(farm_posts(base))
    started = time.monotonic()
    workers_cpu = sum(map(process_cpu_seconds, workers))
    with Meter() as meter:
        await poller.start_due()
        while poller.in_flight:
            await asyncio.gather(*list(poller._in_flight.values()), return_exceptions=True)
        stages.seconds["polling wall (all feeds done)"] = time.monotonic() - started
        await wait_delivered(store)
    posts = farm_posts(base)[posts_before:]
    latencies = []
    for post in posts:
        feed = feed_of_link(post["url"] or "")
        seen = stages.body_seen_at.get(feed_url(base, feed)) if feed is not None else None
        if seen is not None:
            latencies.append(post["at"] - seen)
    if posts:
        stages.seconds["delivery wall (last alert posted)"] = max(p["at"] for p in posts) - started
    workers_cpu = sum(map(process_cpu_seconds, workers)) - workers_cpu
    stages.seconds[f"workers' CPU ({len(workers)} processes)"] = workers_cpu
    entries = await store.conn.execute_fetchall("SELECT count(*) FROM entries")
    peak = peak_rss_mb() + sum(map(process_peak_mb, workers))
    return Cycle(wall=meter.wall, cpu=meter.cpu + workers_cpu, peak_mb=peak, entries=entries[0][0],
                 feeds_changed=changed, alerts=len(posts), latency_p50=percentile(latencies, 0.5),
                 latency_p95=percentile(latencies, 0.95), stages=dict(stages.seconds))


async def main_async(info: dict, feeds: int) -> dict:
    base = info["base"]
    clock_now = [datetime.now(UTC)]
    clock = lambda: clock_now[0]  # noqa: E731 - moved by hand between cycles
    stages = Stages()
    with tempfile.TemporaryDirectory() as tmp:
        store = await Store.open(Path(tmp) / "farm.db")
        for name, label in (("unseen_keys", "store: dedup"), ("record_entries", "store: record"),
                            ("enqueue", "store: enqueue"), ("save_poll", "store: save poll"),
                            ("subscriptions_for", "store: subscriptions"), ("feeds_due", "store: due")):
            setattr(store, name, stages.wrap_wait(label, getattr(store, name)))
        analyzer = Analyzer(load_catalog(project_file(Path("config/entities.toml"))))
        await setup_world(store, analyzer, base, feeds, info["first_channel"], clock())
        # Every feed is on the farm's one host; in the wild they are spread over many, so the
        # per-host politeness limit is lifted to the poller's concurrency here.
        fetcher = SourceFetcher(Fetcher(allow_private=True, per_host=CONCURRENCY))
        fetcher.fetch = stages.wrap_fetch(fetcher.fetch)
        work = ProcessWork(project_file(Path("config/entities.toml")), default_workers(),
                           await store.watched_phrases())
        workers = await work.worker_pids()  # the bot's start, before any cycle
        work.parse = stages.wrap_wait("parse (summed wait)", work.parse)
        work.new_entries = stages.wrap_wait("analysis (summed wait)", work.new_entries)
        work.parse_and_analyse = stages.wrap_wait("first poll: parse + analysis (summed wait)",
                                                  work.parse_and_analyse)
        poller = Poller(store, fetcher, analyzer, interval=INTERVAL, clock=clock,
                        concurrency=CONCURRENCY, work=work)
        client = commands.AutoShardedBot(command_prefix="!", intents=discord.Intents.default(),
                                         guild_ready_timeout=0.05)
        standin = SimpleNamespace(api_base=info["discord_api"], token=info["token"])
        async with running_bot(client, standin):
            worker = DeliveryWorker(store, DiscordSender(client), clock)
            poller.on_alerts = worker.wake.set
            delivery = asyncio.create_task(worker.run_forever())
            cold = await run_cycle(poller, store, stages, base, feeds, workers)
            changed = advance_farm(base)
            clock_now[0] += timedelta(seconds=INTERVAL * 2)
            entries_before = cold.entries
            warm = await run_cycle(poller, store, stages, base, len(changed), workers)
            warm.entries -= entries_before
            delivery.cancel()
            await asyncio.gather(delivery, return_exceptions=True)
        await fetcher.close()
        work.close()
        await store.close()
    return {"cold": cold.as_dict(), "warm": warm.as_dict()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--info", required=True)
    parser.add_argument("--feeds", type=int, required=True)
    args = parser.parse_args()
    info = json.loads(Path(args.info).read_text())
    print(json.dumps(asyncio.run(main_async(info, args.feeds))), flush=True)


if __name__ == "__main__":
    main()
