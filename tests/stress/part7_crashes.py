"""Part 7: crashes.

`newsbot run` runs as a subprocess against the Discord stand-in (in this process, so its
records outlive every bot process) and two feeds on loopback that keep gaining stories. One
channel watches Meta, another Nvidia; some stories name both. The bot is killed with SIGKILL at
seeded random moments (during start-up, polls, deliveries; sometimes while Discord holds an
alert's POST unanswered) and started again, over and over (full: 24 kills; short: 3). Then one
last run is left to catch up and is stopped with SIGTERM.

Afterwards each channel must show every story it should have been alerted to exactly once
(compared by headline), nothing may be left in the outbox, and the database must pass
`PRAGMA integrity_check`.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import sqlite3
import tempfile
import time
from collections import Counter
from pathlib import Path

from tests.discord_standin import MODERATOR, DiscordStandIn
from tests.feedserver import FeedServer
from tests.stress.crash_world import BotProcess, Newsroom, Story, bot_env
from tests.stress.summary import Summary

SEED = 20250613
GUILD = 7_000_000_000_000_001
META_CHANNEL = 7_000_000_000_000_002
NVIDIA_CHANNEL = 7_000_000_000_000_003
USER = 7_000_000_000_000_004
CHANNEL_OF = {"Meta": META_CHANNEL, "Nvidia": NVIDIA_CHANNEL}
PUBLISH_EVERY = 0.4  # seconds between two new stories
KILL_AFTER = (0.3, 4.0)  # seconds after a start, drawn uniformly: start-up, polls and deliveries
HOLD_EVERY = 3  # every third kill is armed to land while Discord holds a POST unanswered
HOLD_WAIT = 4.0  # extra seconds an armed kill waits for a POST to hold
CATCH_UP = 40.0  # seconds the last run gets to deliver what the dead ones left


def kill_count(full: bool) -> int:
    return 24 if full else 3


async def until(condition, what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what}")
        await asyncio.sleep(0.05)


def disarm(standin: DiscordStandIn) -> None:
    """Drop a held-POST fault the killed process never reached, so it cannot stall a later run
    (the stand-in has no public way to cancel a fault)."""
    for fault in standin._faults:
        fault.remaining = 0


def swallowed(standin: DiscordStandIn) -> int:
    """POSTs Discord stored but never answered (the stand-in logs them with status 0)."""
    return sum(1 for request in standin.requests if request.status == 0)


def shown_titles(standin: DiscordStandIn, channel: int) -> Counter:
    return Counter((embed.get("title") or "") for message in standin.messages_in(channel)
                   for embed in (message.get("embeds") or [])[:1])


def expected(stories: list[Story]) -> dict[int, set[str]]:
    wanted: dict[int, set[str]] = {channel: set() for channel in CHANNEL_OF.values()}
    for story in stories:
        for entity in story.entities:
            wanted[CHANNEL_OF[entity]].add(story.title)
    return wanted


def all_shown(standin: DiscordStandIn, wanted: dict[int, set[str]]) -> bool:
    return all(titles <= set(shown_titles(standin, channel)) for channel, titles in wanted.items())


async def publish_forever(newsroom: Newsroom, rng: random.Random) -> None:
    topics = [("wire", ("Meta",)), ("chips", ("Nvidia",)), ("wire", ("Meta", "Nvidia"))]
    while True:
        feed, entities = rng.choices(topics, weights=(4, 4, 2))[0]
        newsroom.publish(feed, entities)
        await asyncio.sleep(PUBLISH_EVERY)


def database_report(db: Path) -> tuple[str, Counter]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        states = Counter(dict(conn.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall()))
    return integrity, states


async def set_up_watches(standin: DiscordStandIn, bot: BotProcess, newsroom: Newsroom) -> None:
    await until(lambda: GUILD in standin.synced, "the commands to be synced", 30)
    # Two polls of each feed: the first (the backlog, never alerted) is stored by then.
    await until(lambda: all(newsroom.polls(name) >= 2 for name in newsroom.feeds), "the backlog polls", 20)
    for entity, channel in CHANNEL_OF.items():
        handle = await standin.slash(GUILD, channel, USER, "watch", {"entity": entity}, permissions=MODERATOR)
        reply = (await handle.message(timeout=10))["content"]
        if not reply.startswith("Watching"):
            raise AssertionError(f"/watch {entity} answered {reply!r}")


async def run(full: bool) -> Summary:
    summary = Summary("part 7 crashes")
    started = time.perf_counter()
    rng = random.Random(SEED)
    kills = held = leftovers = 0
    with tempfile.TemporaryDirectory(prefix="newsbot-stress7-") as tmp:
        workdir = Path(tmp)
        async with DiscordStandIn() as standin, FeedServer() as server:
            standin.add_guild(GUILD, channels=list(CHANNEL_OF.values()), name="Crash Desk")
            newsroom = Newsroom(server)
            feeds_file = workdir / "feeds.toml"
            feeds_file.write_text("".join(
                f'[[feed]]\nurl = "{newsroom.add_feed(name, Story(f"{name}-old", title, ()))}"\nname = "{name}"\n'
                for name, title in (("wire", "Quiet week for chip sales"), ("chips", "Memory prices hold steady"))))
            bot = BotProcess(bot_env(workdir / "run.db", feeds_file, DISCORD_TOKEN=standin.token,
                                     DISCORD_API_BASE=standin.api_base, DISCORD_GUILD_ID=str(GUILD)))
            publisher: asyncio.Task | None = None
            try:
                await bot.start()
                await set_up_watches(standin, bot, newsroom)
                publisher = asyncio.create_task(publish_forever(newsroom, rng))
                for index in range(kill_count(full)):
                    wait = rng.uniform(*KILL_AFTER)
                    if index % HOLD_EVERY == 1:
                        # Armed: kill the moment Discord holds a POST (or give up after a while).
                        before = swallowed(standin)
                        standin.swallow("POST /channels/*/messages", count=1)
                        held += 1
                        with contextlib.suppress(TimeoutError):
                            await until(lambda before=before: swallowed(standin) > before, "a held POST", wait + HOLD_WAIT)
                    else:
                        await asyncio.sleep(wait)
                    leftovers += not await bot.kill()
                    kills += 1
                    disarm(standin)
                    await bot.start()
                publisher.cancel()
                wanted = expected(newsroom.published())
                caught_up = True
                try:
                    await until(lambda: all_shown(standin, wanted), "every expected alert", CATCH_UP)
                except TimeoutError:
                    caught_up = False
                # A few more polls of every feed, so an alert posted twice has time to show.
                polls = {name: newsroom.polls(name) for name in newsroom.feeds}
                await until(lambda: all(newsroom.polls(n) >= polls[n] + 2 for n in polls), "two more polls", 15)
                await asyncio.sleep(0.5)
            finally:
                if publisher is not None:
                    publisher.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await publisher
                code = await bot.stop()
        integrity, states = database_report(workdir / "run.db")

    for channel, titles in wanted.items():
        shown = shown_titles(standin, channel)
        summary.cases += len(titles)
        summary.lost += len(titles - set(shown))
        summary.doubled += sum(1 for title, times in shown.items() if times > 1)
        summary.failures += len(set(shown) - titles)  # alerts nobody should have had
    stuck = sum(n for state, n in states.items() if state != "sent")
    # A kill that left processes behind (a worker pool outliving the bot) leaks them at every crash.
    summary.failures += (integrity != "ok") + (code != 0) + (stuck > 0) + (not caught_up) + leftovers
    caught_held = swallowed(standin)
    tail = "".join(bot.log[-3:]).strip().replace("\n", " | ")
    summary.notes.append(
        f"{kills} kills ({held} armed to land while Discord held a POST, {caught_held} did), {bot.starts} starts, "
        f"{len(newsroom.published())} stories published, integrity_check {integrity}, "
        f"outbox {dict(states)}, last exit code {code}, {leftovers} kills left processes behind" + ("" if caught_up else f", did not catch up: {tail}"))
    summary.seconds = time.perf_counter() - started
    return summary
