"""Part 6: platforms that push back.

N alerts sit in the outbox (full: 10,000 per platform; short: a few hundred), spread over many
channels. The real delivery worker drains them through the real sender and client library
(discord.py, slack_sdk) into the loopback stand-ins, while waves of faults hit as delivery
progresses: 429 bursts (per route, global, long enough to exhaust the library's own retries),
5xx before and after the platform stored the message, answers that never come (timeouts),
dropped connections, and channels deleted or closed to the bot mid-run.

Afterwards every outbox key is counted in what the stand-in shows: each alert for a channel
that still exists appears exactly once; nothing stays pending; and the request rate stayed
under the platform's limit (Discord: 50 requests in any one-second window; Slack: one
chat.postMessage per second per channel).
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import discord
from discord.ext import commands

from bot.adapters.discord.sender import DiscordSender
from bot.adapters.slack.app import web_client
from bot.adapters.slack.sender import SlackSender, key_of
from bot.adapters.sqlite import Store
from bot.services.delivery import DeliveryWorker
from bot.settings import Settings
from tests.clock import ManualClock
from tests.discord_standin import DiscordStandIn, running_bot
from tests.stress.platform_outbox import (
    Tally,
    outbox_states,
    queue_alerts,
    tally,
)
from tests.stress.platform_slack import PushyStandIn
from tests.stress.summary import Summary

GUILD = 6_000_000_000_000_001
DISCORD_LIMIT = 50  # requests in any one-second window, the bot's global limit
SLACK_GAP = 0.95  # seconds; Slack allows one message per second per channel (a little clock slack)
MESSAGES = "POST /channels/*/messages"
PASS_LIMIT = 200  # delivery passes before the driver gives up on stuck rows
# Fault timings, kept short so the shortened form stays fast; production waits longer.
SEND_TIMEOUT = 2.0  # seconds before an unanswered Discord POST counts as failed
SLACK_CLIENT_TIMEOUT = 1  # slack_sdk's per-request timeout (whole seconds)


def sizes(full: bool) -> tuple[int, int]:
    """(alerts, channels) per platform."""
    return (10_000, 100) if full else (250, 40)


def wave_points(full: bool, count: int) -> list[int]:
    """After how many delivered messages each wave of faults starts."""
    fractions = [i / 20 for i in range(1, 19)] if full else [0.1, 0.5]
    return [max(1, int(count * f)) for f in fractions]


async def drain(worker: DeliveryWorker, store: Store, clock: ManualClock, platform: str) -> int:
    """Deliver until nothing is pending; the clock jumps an hour between passes so every
    rescheduled retry comes due. Returns the number of passes."""
    for passes in range(1, PASS_LIMIT + 1):
        await worker.deliver_pending()
        clock.advance(3600)
        if not await store.pending(platform, clock() + timedelta(days=3650), 1):
            return passes
    return PASS_LIMIT


async def at_waves(points: list[int], delivered: Callable[[], int], wave: Callable[[int], None]) -> None:
    """Call `wave(i)` once the platform shows `points[i]` messages."""
    for index, point in enumerate(points):
        while delivered() < point:
            await asyncio.sleep(0.01)
        wave(index)


async def drain_under_waves(worker: DeliveryWorker, store: Store, clock: ManualClock, platform: str,
                            points: list[int], delivered: Callable[[], int],
                            wave: Callable[[int], None]) -> tuple[int, float]:
    """`drain` while waves of faults hit the platform as it delivers; (passes, seconds)."""
    waves = asyncio.create_task(at_waves(points, delivered, wave))
    started = time.monotonic()
    passes = await drain(worker, store, clock, platform)
    elapsed = time.monotonic() - started
    waves.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await waves
    return passes, elapsed


# -- Discord --------------------------------------------------------------------------------
def discord_wave(standin: DiscordStandIn, channels: list[int], gone: set[str], index: int) -> None:
    one = channels[(index * 7 + 3) % len(channels)]
    standin.rate_limit(f"POST /channels/{one}/messages", count=3, retry_after=0.3)  # discord.py waits
    standin.rate_limit(MESSAGES, count=6, retry_after=0.1)  # more than discord.py's 5 tries
    standin.global_rate_limit(count=3, retry_after=0.2)
    standin.fail(MESSAGES, status=503, count=3)
    standin.fail(MESSAGES, status=502, count=1)  # discord.py sleeps and retries this one itself
    standin.swallow(MESSAGES, count=1)  # stored, never answered: a timeout
    if index % 3 == 1:  # a channel deleted mid-run, then one the bot was shut out of
        deleted = channels[-1 - len(gone)]
        standin.forbid_channel(deleted, 404 if len(gone) % 2 == 0 else 403)
        gone.add(str(deleted))


async def discord_run(full: bool, workdir: Path) -> Tally:
    count, width = sizes(full)
    channels = [GUILD + 1 + i for i in range(width)]
    standin = DiscordStandIn()
    standin.add_guild(GUILD, channels=channels)
    clock = ManualClock()
    gone: set[str] = set()
    async with standin:
        store = await Store.open(workdir / "discord.db")
        try:
            queued = await queue_alerts(store, clock, "discord", [str(c) for c in channels], count)
            bot = commands.AutoShardedBot(command_prefix="!", intents=discord.Intents(guilds=True),
                                          guild_ready_timeout=0.05)
            async with running_bot(bot, standin):
                worker = DeliveryWorker(store, DiscordSender(bot, send_timeout=SEND_TIMEOUT), clock)
                passes, elapsed = await drain_under_waves(
                    worker, store, clock, "discord", wave_points(full, count),
                    lambda: len(standin.messages), lambda i: discord_wave(standin, channels, gone, i))
            shown = Counter(m["nonce"] for m in standin.messages if not m.get("webhook_id"))
            result = tally(queued, await outbox_states(store), shown, gone)
            integrity = await store.integrity_ok()
        finally:
            await store.close()
    peak = standin.peak_per_second()
    statuses = Counter(r.status for r in standin.requests_to("POST", "/channels/*/messages"))
    if peak > DISCORD_LIMIT:
        result.failures += 1
    result.failures += not integrity
    result.notes.append(
        f"discord {count} alerts/{width} channels in {elapsed:.0f} s, {passes} passes, peak {peak} req/s "
        f"(limit {DISCORD_LIMIT}), answers {dict(sorted(statuses.items()))}, {len(gone)} channels gone")
    return result


# -- Slack ----------------------------------------------------------------------------------
def slack_wave(standin: PushyStandIn, channels: list[str], gone: set[str], index: int) -> None:
    standin.rate_limit("chat.postMessage", times=2, retry_after=1)  # waited out by the sender
    standin.rate_limit("chat.postMessage", times=1, retry_after=40)  # handed back to the outbox
    standin.rate_limit("conversations.history", times=1, retry_after=1)
    standin.post_fault("fail_before", value=503)
    standin.post_fault("fail_after", value=500)
    standin.post_fault("drop_after")
    standin.post_fault("hang_after", value=SLACK_CLIENT_TIMEOUT + 1.0)
    if index % 3 == 1:  # a channel deleted mid-run, then one archived
        closed = channels[-1 - len(gone)]
        standin.refuse(closed, "channel_not_found" if len(gone) % 2 == 0 else "is_archived")
        gone.add(closed)


async def slack_run(full: bool, workdir: Path) -> Tally:
    count, width = sizes(full)
    count = count if full else 200
    channels = [f"C{i:05d}" for i in range(width)]
    standin = PushyStandIn()
    await standin.start()
    clock = ManualClock()
    gone: set[str] = set()
    store = await Store.open(workdir / "slack.db")
    try:
        queued = await queue_alerts(store, clock, "slack", channels, count)
        client = web_client(Settings(slack_bot_token="xoxb-stress", slack_api_url=standin.api_url))
        client.timeout = SLACK_CLIENT_TIMEOUT
        worker = DeliveryWorker(store, SlackSender(client), clock)
        passes, elapsed = await drain_under_waves(
            worker, store, clock, "slack", wave_points(full, count),
            lambda: len(standin.posts), lambda i: slack_wave(standin, channels, gone, i))
        shown = Counter(key_of(post.payload) for post in standin.posts)
        shown.pop(None, None)
        result = tally(queued, await outbox_states(store), shown, gone)
        integrity = await store.integrity_ok()
    finally:
        await store.close()
        await standin.stop()
    gap = standin.tightest_gap()
    if gap < SLACK_GAP:
        result.failures += 1
    result.failures += not integrity
    calls = Counter(call.method for call in standin.calls)
    result.notes.append(
        f"slack {count} alerts/{width} channels in {elapsed:.0f} s, {passes} passes, tightest gap "
        f"{gap:.2f} s per channel (limit 1/s), {calls['chat.postMessage']} posts and "
        f"{calls['conversations.history']} history reads, {len(gone)} channels gone")
    return result


async def run(full: bool) -> Summary:
    summary = Summary("part 6 platforms")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="newsbot-stress6-") as tmp:
        # The two platforms are independent (own stand-in, own database): run them side by side.
        discord_result, slack_result = await asyncio.gather(
            discord_run(full, Path(tmp)), slack_run(full, Path(tmp)))
    for result in (discord_result, slack_result):
        summary.cases += result.cases
        summary.failures += result.failures
        summary.lost += result.lost
        summary.doubled += result.doubled
        summary.notes += result.notes
    summary.seconds = time.perf_counter() - started
    return summary
