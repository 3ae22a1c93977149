"""Alerts from the outbox to Discord, through the real discord.py talking to the loopback stand-in
(tests/discord_standin.py), with a real SQLite store. Only the outbox clock is ours to move."""

import asyncio
import re
from datetime import timedelta

import discord
import pytest
from discord.ext import commands

from bot.adapters.discord.embeds import alert_embed
from bot.adapters.discord.sender import DiscordSender, TokenBucket, message_nonce
from bot.adapters.sqlite import Store
from bot.core.alerts import Alert
from bot.core.render import AlertView
from bot.services.delivery import DeliveryWorker, build_view, delivery_key
from bot.services.records import FeedSpec, NewEntry
from tests.clock import START, ManualClock
from tests.discord_standin import DiscordStandIn, discord_standin, running_bot  # noqa: F401 (fixture)

GUILD = 700
OPEN_A, OPEN_B, CLOSED = 701, 702, 703
MESSAGES = "/channels/*/messages"
LIVE_MENTION = re.compile(r"@(everyone|here)|<(@[!&]?|#|/|t:|a?:)")


def new_bot() -> commands.AutoShardedBot:
    # guild_ready_timeout: discord.py waits that long after the last GUILD_CREATE before `ready`.
    return commands.AutoShardedBot(command_prefix="!", intents=discord.Intents(guilds=True), guild_ready_timeout=0.05)


@pytest.fixture
async def client(discord_standin):  # noqa: F811
    discord_standin.add_guild(GUILD, channels=[OPEN_A, OPEN_B, CLOSED] + list(range(800, 820)))
    async with running_bot(new_bot(), discord_standin) as bot:
        yield bot


@pytest.fixture
async def store(tmp_path):
    store = await Store.open(tmp_path / "bot.db")
    yield store
    await store.close()


class Outbox:
    """Stories and the alerts queued for them, written through the store's real API."""

    def __init__(self, store: Store, clock: ManualClock) -> None:
        self.store, self.clock = store, clock
        self.channels: dict[int, int] = {}
        self.feed_id: int | None = None
        self.count = 0

    async def channel(self, discord_id: int) -> int:
        if discord_id not in self.channels:
            row = await self.store.ensure_channel("discord", str(discord_id), self.clock())
            await self.store.watch(row.id, "meta", "Meta", self.clock())
            self.channels[discord_id] = row.id
        return self.channels[discord_id]

    async def queue(self, discord_id: int, title: str | None = None) -> int:
        """One new story about Meta alerted to one channel; returns the outbox row id."""
        if self.feed_id is None:
            self.feed_id = (await self.store.add_feed(FeedSpec("https://wire.example.com/rss"), self.clock())).id
        self.count += 1
        n = self.count
        entry = NewEntry(
            key=f"e{n}", title=title or f"Meta story number {n}", link=f"https://wire.example.com/{n}",
            canonical_link=f"https://wire.example.com/{n}", title_fingerprint=None,
            summary=f"Meta said something new, item {n}.", published_at=self.clock(), lang="en",
            entity_ids=("meta",), analysis_json='{"entities": ["Meta"]}', deals=(),
        )
        (recorded,) = await self.store.record_entries(self.feed_id, [entry], self.clock(), backlog=False)
        channel_id = await self.channel(discord_id)
        await self.store.enqueue([Alert(channel_id, recorded.article_id, ("meta",))], self.clock())
        async with self.store.conn.execute("SELECT max(id) FROM outbox") as cur:
            return (await cur.fetchone())[0]


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def outbox(store, clock):
    return Outbox(store, clock)


def posted(standin: DiscordStandIn, channel: int) -> list[dict]:
    return standin.messages_in(channel)


def nonces(standin: DiscordStandIn, channel: int) -> list[str]:
    return [m["nonce"] for m in posted(standin, channel)]


async def test_an_alert_is_one_embed_that_pings_nobody(client, discord_standin, store, outbox, clock):  # noqa: F811
    hostile = "@everyone Meta <@&123> buys [free](http://evil.example) <#1> @here"
    row = await outbox.queue(OPEN_A, title=hostile)
    (item,) = await store.pending("discord", clock())
    view = await build_view(store, item)
    worker = DeliveryWorker(store, DiscordSender(client), clock)

    assert await worker.deliver_pending() == 1

    (request,) = discord_standin.requests_to("POST", MESSAGES)
    body = request.json
    assert body["allowed_mentions"] == {"parse": []}  # no users, roles or everyone may be pinged
    assert body["nonce"] == delivery_key(row) and body["enforce_nonce"] is True
    assert "content" not in body or not body["content"]
    (embed,) = body["embeds"]
    assert embed == alert_embed(view).to_dict()
    assert not LIVE_MENTION.search(embed["title"]) and "\\[free\\]" in embed["title"]
    (message,) = posted(discord_standin, OPEN_A)
    assert (await store.outbox_counts()) == {"sent": 1}
    assert await _message_ref(store, row) == message["id"]


@pytest.mark.parametrize("burst, first_pass", [
    (3, 8),  # discord.py waits out each 429 (Via header present) and retries
    (6, 7),  # five 429s in a row on one post exhaust discord.py's tries: the outbox retries it later
])
async def test_a_429_burst_delays_but_every_alert_arrives_exactly_once(
    client, discord_standin, store, outbox, clock, burst, first_pass  # noqa: F811
):
    rows = [await outbox.queue(channel) for channel in (OPEN_A, OPEN_B) * 4]
    discord_standin.rate_limit("POST " + MESSAGES, count=burst, retry_after=0.05)
    worker = DeliveryWorker(store, DiscordSender(client), clock)

    assert await worker.deliver_pending() == first_pass
    clock.advance(60)
    assert await worker.deliver_pending() == 8 - first_pass

    statuses = [r.status for r in discord_standin.requests_to("POST", MESSAGES)]
    assert statuses.count(429) == burst and statuses.count(200) == 8
    keys = [delivery_key(row) for row in rows]
    assert sorted(nonces(discord_standin, OPEN_A) + nonces(discord_standin, OPEN_B)) == sorted(keys)
    assert await store.outbox_counts() == {"sent": 8}


async def test_a_global_429_is_waited_out_too(client, discord_standin, store, outbox, clock):  # noqa: F811
    await outbox.queue(OPEN_A)
    discord_standin.global_rate_limit(count=2)
    assert await DeliveryWorker(store, DiscordSender(client), clock).deliver_pending() == 1
    assert len(posted(discord_standin, OPEN_A)) == 1


@pytest.mark.parametrize("status", [403, 404])
async def test_a_forbidden_or_gone_channel_is_paused_and_others_still_delivered(
    client, discord_standin, store, outbox, clock, status  # noqa: F811
):
    discord_standin.forbid_channel(CLOSED, status)
    for channel in (CLOSED, OPEN_A, CLOSED, OPEN_B):
        await outbox.queue(channel)
    worker = DeliveryWorker(store, DiscordSender(client), clock)

    assert await worker.deliver_pending() == 2
    assert len(posted(discord_standin, OPEN_A)) == len(posted(discord_standin, OPEN_B)) == 1
    closed_id = outbox.channels[CLOSED]
    reasons = await _paused_reasons(store, closed_id)
    assert reasons and all(str(status) in reason for reason in reasons)
    assert not any(s.paused for s in await store.watchlist(outbox.channels[OPEN_A]))
    assert await store.outbox_counts() == {"sent": 2, "dead": 2}

    clock.advance(3600)  # nothing is retried against the closed channel
    assert await worker.deliver_pending() == 0
    # Its second alert is given up with it, unsent: each try would be one more invalid request
    # counted towards Discord's ban threshold.
    assert len(discord_standin.requests_to("POST", f"/channels/{CLOSED}/messages")) == 1


async def test_a_server_error_is_retried_later_not_paused(client, discord_standin, store, outbox, clock):  # noqa: F811
    await outbox.queue(OPEN_A)
    discord_standin.fail(f"POST /channels/{OPEN_A}/messages", status=503)
    worker = DeliveryWorker(store, DiscordSender(client), clock)

    assert await worker.deliver_pending() == 0
    assert await store.outbox_counts() == {"pending": 1}
    assert await _paused_reasons(store, outbox.channels[OPEN_A]) == []

    clock.advance(60)
    assert await worker.deliver_pending() == 1
    assert len(posted(discord_standin, OPEN_A)) == 1


async def test_a_429_without_via_is_not_retried_by_discord_py_but_by_the_outbox(
    client, discord_standin, store, outbox, clock  # noqa: F811
):
    await outbox.queue(OPEN_A)
    discord_standin.rate_limit("POST " + MESSAGES, count=1, retry_after=30, via=False)
    worker = DeliveryWorker(store, DiscordSender(client), clock)
    assert await worker.deliver_pending() == 0
    (item,) = await store.pending("discord", clock() + timedelta(seconds=31))
    assert await store.pending("discord", clock() + timedelta(seconds=29)) == []  # Retry-After kept
    clock.advance(31)
    assert await worker.deliver_pending() == 1


async def test_killed_after_the_post_reached_discord_a_restart_posts_nothing_twice(
    discord_standin, tmp_path, clock  # noqa: F811
):
    discord_standin.add_guild(GUILD, channels=[OPEN_A])
    store = await Store.open(tmp_path / "bot.db")
    outbox = Outbox(store, clock)
    rows = [await outbox.queue(OPEN_A) for _ in range(3)]
    # Discord receives and posts the first alert, but its answer never comes back...
    discord_standin.swallow("POST " + MESSAGES, count=1)
    async with running_bot(new_bot(), discord_standin) as bot:
        run = asyncio.create_task(DeliveryWorker(store, DiscordSender(bot), clock).deliver_pending())
        await _until(lambda: len(posted(discord_standin, OPEN_A)) == 1)
        run.cancel()  # ...because the process dies here, before mark_sent.
        with pytest.raises(asyncio.CancelledError):
            await run
    await store.close()
    assert len(posted(discord_standin, OPEN_A)) == 1

    store = await Store.open(tmp_path / "bot.db")  # the restart: new process, same database
    try:
        assert len(await store.pending("discord", clock())) == 3
        async with running_bot(new_bot(), discord_standin) as bot:
            assert await DeliveryWorker(store, DiscordSender(bot), clock).deliver_pending() == 3
        assert nonces(discord_standin, OPEN_A) == [delivery_key(row) for row in rows]
        assert len(discord_standin.requests_to("POST", MESSAGES)) == 4  # the retry was answered, not posted
        assert await store.outbox_counts() == {"sent": 3}
        first = posted(discord_standin, OPEN_A)[0]
        assert await _message_ref(store, rows[0]) == first["id"]
    finally:
        await store.close()


async def test_two_hundred_alerts_stay_under_the_global_limit(client, discord_standin, store, outbox, clock):  # noqa: F811
    channels = list(range(800, 820))
    for i in range(200):
        await outbox.queue(channels[i % len(channels)])

    assert await DeliveryWorker(store, DiscordSender(client), clock, batch=50).deliver_pending() == 200

    assert len(discord_standin.requests_to("POST", MESSAGES)) == 200
    assert discord_standin.peak_per_second("/channels/*") <= 50
    assert sum(len(posted(discord_standin, c)) for c in channels) == 200


# -- the token bucket on a fake clock ---------------------------------------------------------

class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.mark.parametrize("rate, burst, requests", [(44, 4, 300), (10, 1, 50), (50, 50, 200), (5, 2, 20)])
async def test_token_bucket_never_lets_more_than_burst_plus_rate_into_a_second(rate, burst, requests):
    fake = FakeTime()
    bucket = TokenBucket(rate, burst, clock=fake.clock, sleep=fake.sleep)
    times = []
    for _ in range(requests):
        await bucket.acquire()
        times.append(fake.now)
    for i, start in enumerate(times):
        in_window = sum(1 for t in times[i:] if t < start + 1.0 - 1e-9)
        assert in_window <= burst + rate
    # And it does not throttle more than it must: the last request goes when the tokens allow.
    assert times[-1] == pytest.approx((requests - burst) / rate, abs=1e-6)


# -- helpers ----------------------------------------------------------------------------------

async def test_an_unanswered_post_times_out_and_its_retry_shows_one_message(
    client, discord_standin, store, outbox, clock  # noqa: F811
):
    """Discord stores the alert but never answers: the post gives up after its timeout instead
    of holding every channel's delivery for aiohttp's 5 minutes, and the retry (same nonce)
    shows the message already there, not a second one."""
    first = await outbox.queue(OPEN_A)
    second = await outbox.queue(OPEN_B)
    discord_standin.swallow("POST " + MESSAGES, count=1)
    worker = DeliveryWorker(store, DiscordSender(client, send_timeout=0.5), clock)

    assert await worker.deliver_pending() == 1  # the second alert is not held up behind the first
    assert nonces(discord_standin, OPEN_B) == [delivery_key(second)]
    assert await store.outbox_counts() == {"pending": 1, "sent": 1}

    clock.advance(60)
    assert await worker.deliver_pending() == 1
    assert nonces(discord_standin, OPEN_A) == [delivery_key(first)]
    assert await store.outbox_counts() == {"sent": 2}


async def _until(condition, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


async def _paused_reasons(store: Store, channel_id: int) -> list[str]:
    async with store.conn.execute(
        "SELECT paused_reason FROM subscriptions WHERE channel_id = ? AND paused_reason IS NOT NULL",
        (channel_id,),
    ) as cur:
        return [row[0] for row in await cur.fetchall()]


async def _message_ref(store: Store, row: int) -> str | None:
    async with store.conn.execute("SELECT message_ref FROM outbox WHERE id = ?", (row,)) as cur:
        return (await cur.fetchone())[0]



async def test_a_digest_spans_messages_and_a_retried_digest_posts_nothing_new(client, discord_standin):  # noqa: F811
    story = AlertView("@everyone Meta news", "https://wire.example.com/1", "Wire", START, ("Meta",), "", ())
    groups = [(f"Entity {i}", [story]) for i in range(23)]
    sender = DiscordSender(client)

    first = await sender.send_digest(str(OPEN_A), groups, "en", "digest-42")
    again = await sender.send_digest(str(OPEN_A), groups, "en", "digest-42")

    assert first == again and len(first) == 3
    messages = posted(discord_standin, OPEN_A)
    assert [len(m["embeds"]) for m in messages] == [10, 10, 3]
    assert [m["nonce"] for m in messages] == ["digest-42.0", "digest-42.1", "digest-42.2"]
    assert all(m["allowed_mentions"] == {"parse": []} for m in messages)
    assert not any(LIVE_MENTION.search(e["description"]) for m in messages for e in m["embeds"])


@pytest.mark.parametrize("key, index, expected", [
    ("newsbot-7", 0, "newsbot-7.0"),
    ("k" * 25, 3, "k" * 23 + ".3"),
    ("k" * 25, 12, "k" * 22 + ".12"),
])
def test_message_nonces_stay_within_discords_25_characters(key, index, expected):
    assert message_nonce(key, index) == expected


async def test_an_alert_queued_during_a_delivery_pass_goes_out_without_waiting_for_the_idle_timer(
        client, discord_standin, store, outbox, clock):  # noqa: F811
    """A poll that queues alerts while the worker is posting others wakes it; that wake-up must
    not be lost when the pass ends (the feed farm saw alerts wait out the idle timer: p95 6 s)."""
    sender = DiscordSender(client)
    worker = DeliveryWorker(store, sender, clock)
    real_send = sender.send
    queued_meanwhile = []

    async def send_while_a_poll_queues_more(external_id, view, key):
        if not queued_meanwhile:
            queued_meanwhile.append(await outbox.queue(OPEN_A, "Meta story queued mid-pass"))
            worker.wake.set()
        return await real_send(external_id, view, key)

    sender.send = send_while_a_poll_queues_more
    await outbox.queue(OPEN_A)
    runner = asyncio.create_task(worker.run_forever(idle=600))
    try:
        async def both_posted():
            while len(posted(discord_standin, OPEN_A)) < 2:
                await asyncio.sleep(0.02)
        await asyncio.wait_for(both_posted(), 20)
    finally:
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
    titles = [m["embeds"][0]["title"] for m in posted(discord_standin, OPEN_A)]
    assert titles[1] == "Meta story queued mid-pass"
