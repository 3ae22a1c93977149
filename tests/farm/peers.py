"""The peers and the floor, each run in a process of its own on the same farm:

    python -m tests.farm.peers reader --info farm.json --feeds N [--workers 16]
    python -m tests.farm.peers naive  --info farm.json --feeds N [--sample 100]
    python -m tests.farm.peers floor  --info farm.json --feeds N [--sample 200]

reader: lemon24's `reader` stores every entry with its own update workers (no analysis).
naive:  what a hobby bot does: feedparser.parse(url) feed after feed, one regex per watched name.
        One regex per name over every entry is slow enough that it runs on `--sample` feeds and
        the cycle is scaled to N (said so in the report).
floor:  HTTP round trips alone (aiohttp, 64 connections: full GETs cold, conditional GETs warm),
        feedparser alone over the bodies, and newsbot's parse_feed alone (fast path for the common
        feed, feedparser behind it): one core, measured on `--sample` feeds, scaled.
Each prints one JSON line: {"cold": Cycle, "warm": Cycle}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import tempfile
import time
from pathlib import Path

import feedparser

from bot.core.feeds import parse_feed

from tests.farm.common import (CHANNELS, Cycle, Meter, advance_farm, feed_url, peak_rss_mb,
                               watched_names)


def run_reader(base: str, feeds: int, workers: int) -> dict:
    from reader import make_reader

    with tempfile.TemporaryDirectory() as tmp:
        reader = make_reader(str(Path(tmp) / "reader.sqlite"))
        for n in range(feeds):
            reader.add_feed(feed_url(base, n))
        cycles = {}
        stored = 0
        for name in ("cold", "warm"):
            changed = feeds
            if name == "warm":
                changed = len(advance_farm(base))
            with Meter() as meter:
                reader.update_feeds(workers=workers, scheduled=False)
            total = reader.get_entry_counts().total
            cycles[name] = Cycle(meter.wall, meter.cpu, peak_rss_mb(), total - stored, changed,
                                 note=f"{workers} workers").as_dict()
            stored = total
        reader.close()
    return cycles


class _NaiveBot:
    """What a hobby bot keeps between polls: each feed's ETag and the entry ids it has seen."""

    def __init__(self, base: str, patterns: list[re.Pattern]) -> None:
        self.base, self.patterns = base, patterns
        self.etags: dict[int, str] = {}
        self.seen: set[str] = set()

    def poll(self, n: int, match: bool = True) -> tuple[int, int]:
        """(new entries, pattern hits) of one poll of feed `n`; `match=False` only remembers them."""
        parsed = feedparser.parse(feed_url(self.base, n), etag=self.etags.get(n))
        if getattr(parsed, "etag", None):
            self.etags[n] = parsed.etag
        entries = hits = 0
        for entry in parsed.entries:
            key = entry.get("id") or entry.get("link")
            if key in self.seen:
                continue
            self.seen.add(key)
            entries += 1
            if match:
                text = f"{entry.get('title', '')} {entry.get('summary', '')}"
                hits += sum(1 for pattern in self.patterns if pattern.search(text))
        return entries, hits


def run_naive(base: str, feeds: int, sample: int) -> dict:
    """Cold: `sample` feeds, scaled to N. Warm: a changed feed costs a parse and the patterns over
    its new entry, an unchanged one a conditional GET; either can dominate, so the warm cycle is
    measured on up to `sample` feeds of each kind and each is scaled to its own count. A warm
    sample of the first feeds alone could hold no changed feed at all and read as nearly free."""
    bot = _NaiveBot(base, [re.compile(r"\b" + re.escape(name) + r"\b")
                           for channel in range(CHANNELS) for name in watched_names(channel)])
    cold = range(min(sample, feeds))
    with Meter() as meter:
        polls = [bot.poll(n) for n in cold]
    scale = feeds / len(cold)
    cycles = {"cold": Cycle(meter.wall * scale, meter.cpu * scale, peak_rss_mb(),
                            round(sum(e for e, _ in polls) * scale), feeds,
                            alerts=round(sum(h for _, h in polls) * scale),
                            note=f"measured on {len(cold)} feeds, scaled to {feeds}").as_dict()}
    # The warm sample comes from feeds the bot has read before, as every feed would have been.
    known = range(min(sample * 20, feeds))
    for n in known[len(cold):]:
        bot.poll(n, match=False)
    changed = set(advance_farm(base))
    wall = cpu = 0.0
    entries = hits = 0.0
    measured = []
    for group in ([n for n in known if n in changed], [n for n in known if n not in changed]):
        picked = group[:sample]
        if not picked:
            continue
        total = len(changed) if group[0] in changed else feeds - len(changed)
        with Meter() as meter:
            polls = [bot.poll(n) for n in picked]
        scale = total / len(picked)
        wall += meter.wall * scale
        cpu += meter.cpu * scale
        entries += sum(e for e, _ in polls) * scale
        hits += sum(h for _, h in polls) * scale
        measured.append(len(picked))
    cycles["warm"] = Cycle(wall, cpu, peak_rss_mb(), round(entries), len(changed), alerts=round(hits),
                           note=f"measured on {' + '.join(map(str, measured))} feeds (changed + unchanged), "
                                f"scaled to {feeds}").as_dict()
    return cycles


async def _fetch_all(base: str, feeds: int, etags: dict[int, str]) -> list[bytes]:
    import aiohttp

    bodies: list[bytes] = []

    async def one(session, n: int) -> None:
        headers = {"If-None-Match": etags[n]} if n in etags else {}
        async with session.get(feed_url(base, n), headers=headers) as response:
            body = await response.read()
            if response.status == 200:
                etags[n] = response.headers.get("ETag", "")
                bodies.append(body)

    connector = aiohttp.TCPConnector(limit=64)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(one(session, n) for n in range(feeds)))
    return bodies


def run_floor(base: str, feeds: int, sample: int) -> dict:
    etags: dict[int, str] = {}
    cycles = {}
    for name in ("cold", "warm"):
        changed = feeds if name == "cold" else len(advance_farm(base))
        with Meter() as http:
            bodies = asyncio.run(_fetch_all(base, feeds, etags))
        picked = bodies[:sample]
        entries = 0
        with Meter() as parse:
            for body in picked:
                entries += len(feedparser.parse(body).entries)
        own_entries = 0
        with Meter() as own_parse:  # newsbot's parse_feed: its fast path, feedparser as fallback
            for body in picked:
                own_entries += len(parse_feed(body, {"content-type": "application/rss+xml"}).entries)
        scale = len(bodies) / len(picked) if picked else 0.0
        cycles[name] = {
            "http": Cycle(http.wall, http.cpu, peak_rss_mb(), 0, changed,
                          note=f"{len(bodies)} bodies, {feeds - len(bodies)} not modified").as_dict(),
            "parse": Cycle(parse.wall * scale, parse.cpu * scale, peak_rss_mb(), round(entries * scale),
                           changed, note=f"one core, measured on {len(picked)} bodies").as_dict(),
            "own_parse": Cycle(own_parse.wall * scale, own_parse.cpu * scale, peak_rss_mb(),
                               round(own_entries * scale), changed,
                               note=f"one core, measured on {len(picked)} bodies").as_dict(),
        }
    return cycles


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("which", choices=("reader", "naive", "floor"))
    parser.add_argument("--info", required=True)
    parser.add_argument("--feeds", type=int, required=True)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--sample", type=int, default=100)
    args = parser.parse_args()
    base = json.loads(Path(args.info).read_text())["base"]
    if args.which == "reader":
        result = run_reader(base, args.feeds, args.workers)
    elif args.which == "naive":
        result = run_naive(base, args.feeds, args.sample)
    else:
        result = run_floor(base, args.feeds, args.sample)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
