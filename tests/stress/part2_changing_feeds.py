"""Part 2: feeds that change under you.

Each scenario is a feed on the loopback feed server whose document goes through versions; the
real poller reads each version with the clock moved on, and we count the alerts the channel
(watching Meta) got for that scenario against what a person reading the feed expects. The
first version of every feed is an unrelated old item, so what follows is news, not backlog.

Each scenario's articles have their own words, so stories never merge across scenarios; the
alerts of a scenario are the outbox rows of articles first seen in its feed. The full form
polls every version several more times (unchanged documents must stay silent).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from html import escape

from bot.adapters.http_fetch import Fetcher
from bot.services.records import FeedSpec
from tests.feedserver import FeedServer, Reply
from tests.stress.part1_corpus import PollWorld
from tests.stress.summary import Summary

SITE = "news.example.com"


@dataclass(frozen=True)
class Item:
    title: str
    text: str = ""
    guid: str | None = None
    link: str | None = None
    pub_date: str | None = None


@dataclass(frozen=True)
class Scenario:
    name: str
    versions: tuple[tuple[Item, ...], ...]  # the document's items, version after version
    expected_alerts: int
    build_dates: tuple[str, ...] = ()  # lastBuildDate per version, when it should change


def rss(items: tuple[Item, ...], build_date: str | None = None) -> str:
    parts = []
    for item in items:
        fields = [f"<title>{escape(item.title)}</title>"]
        if item.guid is not None:
            fields.append(f"<guid>{escape(item.guid)}</guid>")
        if item.link is not None:
            fields.append(f"<link>{escape(item.link)}</link>")
        if item.text:
            fields.append(f"<description>{escape(item.text)}</description>")
        if item.pub_date:
            fields.append(f"<pubDate>{item.pub_date}</pubDate>")
        parts.append("<item>" + "".join(fields) + "</item>")
    build = f"<lastBuildDate>{build_date}</lastBuildDate>" if build_date else ""
    return ('<?xml version="1.0"?><rss version="2.0"><channel><title>Changing</title>'
            f"{build}{''.join(parts)}</channel></rss>")


def old_item(name: str) -> Item:
    return Item(f"Archive note {name} about weather in Lisbon", "Nothing to see here.",
                guid=f"https://{SITE}/archive/{name}", link=f"https://{SITE}/archive/{name}")


def story(topic: str, words: str) -> tuple[str, str]:
    """A title and text about Meta no other scenario uses."""
    return (f"Meta {words} {topic}", f"Meta Platforms said on Tuesday that it {words} {topic}.")


def scenarios() -> list[Scenario]:
    found: list[Scenario] = []

    def add(name: str, expected: int, *versions: tuple[Item, ...], build_dates=()) -> None:
        found.append(Scenario(name, (( old_item(name),),) + versions, expected, build_dates))

    t, d = story("a solar farm in Nevada", "funds")
    add("guid changes scheme", 1,
        (Item(t, d, guid=f"http://{SITE}/a/solar", link=f"http://{SITE}/a/solar"),),
        (Item(t, d, guid=f"https://{SITE}/a/solar", link=f"https://{SITE}/a/solar"),))
    t, d = story("a chip design team in Haifa", "hires")
    add("guid changes host", 1,
        (Item(t, d, guid=f"https://{SITE}/a/haifa", link=f"https://{SITE}/a/haifa"),),
        (Item(t, d, guid=f"https://cdn.example.net/a/haifa", link=f"https://{SITE}/a/haifa"),))
    t, d = story("a subsea cable to Angola", "lays")
    add("guid changes path", 1,
        (Item(t, d, guid=f"https://{SITE}/2025/06/13/angola", link=f"https://{SITE}/2025/06/13/angola"),),
        (Item(t, d, guid=f"https://{SITE}/tech/angola", link=f"https://{SITE}/2025/06/13/angola"),))
    t, d = story("its headset prices in Europe", "cuts")
    t2 = t + " by a fifth"
    add("title slug in the guid, headline edited", 1,
        (Item(t, d, guid=f"https://{SITE}/a/meta-cuts-headset-prices",
              link=f"https://{SITE}/a/meta-cuts-headset-prices"),),
        (Item(t2, d, guid=f"https://{SITE}/a/meta-cuts-headset-prices-by-a-fifth",
              link=f"https://{SITE}/a/meta-cuts-headset-prices-by-a-fifth"),))
    t_a, d_a = story("a robotics lab in Zurich", "opens")
    t_b, d_b = story("its smart glasses in India", "launches")
    same = f"https://{SITE}/feed"
    add("same guid on every item", 2,
        (Item(t_a, d_a, guid=same, link=f"https://{SITE}/a/zurich"),),
        (Item(t_b, d_b, guid=same, link=f"https://{SITE}/a/india"),
         Item(t_a, d_a, guid=same, link=f"https://{SITE}/a/zurich")))
    t, d = story("a new office in Warsaw", "rents")
    item = Item(t, d, guid=f"https://{SITE}/a/warsaw", link=f"https://{SITE}/a/warsaw",
                pub_date="Fri, 13 Jun 2025 08:00:00 GMT")
    add("only lastBuildDate and pubDate change", 1,
        (item,), (Item(t, d, item.guid, item.link, "Fri, 13 Jun 2025 08:07:00 GMT"),),
        (Item(t, d, item.guid, item.link, "Fri, 13 Jun 2025 08:12:00 GMT"),),
        build_dates=("Fri, 13 Jun 2025 07:00:00 GMT", "Fri, 13 Jun 2025 08:00:00 GMT",
                     "Fri, 13 Jun 2025 08:07:00 GMT", "Fri, 13 Jun 2025 08:12:00 GMT"))
    t, d = story("a weather model for farmers", "releases")
    add("content embeds the current time", 1,
        *[(Item(t, f"{d} Page generated at 08:{m:02d}:00 UTC.", guid=f"https://{SITE}/a/weather",
                link=f"https://{SITE}/a/weather"),) for m in (0, 5, 10)])
    t, d = story("a fibre network in Kenya", "builds")
    add("no guid and no link", 1, (Item(t, d),), (Item(t, d),))
    t, d = story("an undated fusion research grant", "announces")
    add("no guid, no link, pubDate changes", 1,
        (Item(t, d, pub_date="Fri, 13 Jun 2025 08:00:00 GMT"),),
        (Item(t, d, pub_date="Fri, 13 Jun 2025 09:00:00 GMT"),))
    t, d = story("a language model for Breton", "trains")
    kept = Item(t, d, guid=f"https://{SITE}/a/breton", link=f"https://{SITE}/a/breton")
    add("entry removed and re-added", 1, (kept,), (), (kept,))
    t, d = story("a data centre in Ohio", "doubles")
    add("tracking parameters and www. appear", 1,
        (Item(t, d, guid=f"https://{SITE}/a/ohio", link=f"https://{SITE}/a/ohio"),),
        (Item(t, d, guid=f"https://www.{SITE}/a/ohio/?utm_source=rss",
              link=f"https://www.{SITE}/a/ohio/?utm_source=rss&fbclid=x"),))
    t_a, d_a = story("an undersea data centre off Norway", "tests")
    t_b, d_b = story("a crypto wallet for teenagers", "drops")
    add("two different articles (control: both alert)", 2,
        (Item(t_a, d_a, guid=f"https://{SITE}/a/norway", link=f"https://{SITE}/a/norway"),),
        (Item(t_b, d_b, guid=f"https://{SITE}/a/wallet", link=f"https://{SITE}/a/wallet"),
         Item(t_a, d_a, guid=f"https://{SITE}/a/norway", link=f"https://{SITE}/a/norway")))
    return found


async def alerts_for_feed(world: PollWorld, url: str) -> int:
    return await world.scalar(
        "SELECT count(*) FROM outbox o JOIN articles a ON a.id = o.article_id"
        " JOIN feeds f ON f.id = a.feed_id WHERE f.url = ?", (url,))


async def run(full: bool) -> Summary:
    summary = Summary("part2 changing feeds")
    started = time.perf_counter()
    repeats = 4 if full else 1  # extra polls of each version, unchanged
    server = await FeedServer().start()
    fetcher = Fetcher(allow_private=True, total_timeout=5.0, connect_timeout=1.0)
    world = await PollWorld.open(fetcher)
    try:
        await world.channel_watching("changes", ["meta"])
        cases = scenarios()
        urls = {}
        for number, case in enumerate(cases):
            path = f"/s{number}.xml"
            urls[case.name] = server.url(path)
            await world.store.add_feed(FeedSpec(urls[case.name]), world.clock())
        longest = max(len(c.versions) for c in cases)
        for version in range(longest):
            for number, case in enumerate(cases):
                step = min(version, len(case.versions) - 1)
                build = case.build_dates[step] if case.build_dates else None
                server.route(f"/s{number}.xml", Reply(body=rss(case.versions[step], build)))
            for _ in range(1 + repeats):
                report = await world.poll()
                for failed in report.failed:
                    summary.failures += 1
                    summary.notes.append(f"poll failed: {failed.url}: {failed.error}")
        for case in cases:
            summary.cases += 1
            got = await alerts_for_feed(world, urls[case.name])
            if got != case.expected_alerts:
                summary.failures += 1
                summary.notes.append(f"{case.name}: {got} alerts, expected {case.expected_alerts}")
            summary.doubled += max(0, got - case.expected_alerts)
            summary.lost += max(0, case.expected_alerts - got)
        summary.doubled += await world.doubled_alerts()
    finally:
        await world.close()
        await fetcher.close()
        await server.stop()
    summary.seconds = time.perf_counter() - started
    return summary
