"""Alerts reaching Slack: the real slack_sdk client posting to a loopback stand-in, fed by the
real poller, store and delivery worker. Figures end to end, one message per second per
channel, 429s, a channel the bot was removed from, and a restart that neither loses nor
doubles an alert."""

import logging
from dataclasses import replace
from datetime import timedelta
from html import escape as xml_escape

import pytest

from bot.adapters.http_fetch import Fetcher
from bot.adapters.slack.app import start_slack, web_client
from bot.adapters.slack.sender import EVENT_TYPE, SlackSender
from bot.adapters.sqlite import Store
from bot.app import load_catalog, open_runtime
from bot.services.analyzer import Analyzer
from bot.services.delivery import DeliveryWorker, build_view, delivery_key
from bot.services.poller import Poller
from bot.services.ports import DeliveryFailed
from bot.services.records import FeedSpec
from bot.settings import Settings
from tests.clock import ManualClock
from tests.feedserver import Reply, feed_server, network_guard  # noqa: F401 (fixtures)
from tests.slack_standin import slack_standin  # noqa: F401 (fixture)
from tests.test_slack_commands import CREATOR, SlackWorld, slack_settings, until

BACKLOG = ("b1", "Chip sales slow down this quarter", "Chip makers report slower sales.")
# The reference story, in our own words: Meta taking 49 % of Scale AI for about 15 milliards.
META_SCALE = ("m1", "Meta s'offre 49 % de Scale AI",
              "Meta va débourser environ 15 milliards de dollars pour prendre 49 % de Scale AI, "
              "la start-up qui étiquette les données des modèles d'IA.")


def rss(*items: tuple[str, str, str]) -> str:
    body = "".join(
        f"<item><guid>{guid}</guid><title>{xml_escape(title)}</title>"
        f"<link>https://news.example.com/{guid}</link><description>{xml_escape(text)}</description></item>"
        for guid, title, text in items)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Loop Wire</title>'
            f"<language>fr</language>{body}</channel></rss>")


PLACES = ["Ohio", "Paris", "Lagos", "Osaka", "Lima", "Oslo", "Perth", "Quebec", "Accra", "Hanoi"]
PRODUCTS = ["headset", "data centre", "AI lab", "chip team", "glasses line", "satellite link",
            "robot arm", "video model", "ad network", "payment app"]


def meta_story(i: int) -> tuple[str, str, str]:
    """A distinct story about Meta for each i below 100 (distinct enough not to merge as one story)."""
    place, product = PLACES[i % 10], PRODUCTS[i // 10 % 10]
    return (f"s{i}", f"Meta opens its {product} in {place}, plan {i}",
            f"Meta Platforms said its {product} in {place} opens next year.")


def all_text(post) -> str:
    parts = [post.payload["text"]]
    for block in post.payload["blocks"]:
        if "text" in block:
            parts.append(block["text"]["text"])
        parts += [element["text"] for element in block.get("elements", [])]
    return "\n".join(parts)


class FakeTime:
    """Monotonic time and sleep for the sender: waits are recorded, not slept."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(Settings().entities_file)


@pytest.fixture
async def pipeline(tmp_path, catalog, feed_server, slack_standin, network_guard):  # noqa: F811
    """Store, poller and a Slack client on loopback; channels C1 and C2 watch Meta."""
    clock = ManualClock()
    store = await Store.open(tmp_path / "bot.db")
    fetcher = Fetcher(allow_private=True, total_timeout=2.0, connect_timeout=1.0)
    poller = Poller(store, fetcher, Analyzer(catalog), interval=300, clock=clock)
    client = web_client(Settings(slack_bot_token="xoxb-loop", slack_api_url=slack_standin.api_url))
    try:
        for external_id in ("C1", "C2"):
            channel = await store.ensure_channel("slack", external_id, clock())
            await store.watch(channel.id, "meta", "Meta", clock())
        feed_server.route("/wire.xml", Reply(body=rss(BACKLOG)))
        await store.add_feed(FeedSpec(feed_server.url("/wire.xml")), clock())
        await poller.poll_due()  # the backlog: no alerts
        yield Pipeline(store, poller, clock, client, feed_server, slack_standin)
    finally:
        await fetcher.close()
        await store.close()


async def _view(pipeline, item):
    return await build_view(pipeline.store, item)


class Pipeline:
    def __init__(self, store, poller, clock, client, server, standin) -> None:
        self.store, self.poller, self.clock, self.client = store, poller, clock, client
        self.server, self.standin = server, standin

    async def publish(self, *items) -> int:
        """The feed gains `items`; poll; returns how many alerts were queued."""
        self.server.route("/wire.xml", Reply(body=rss(*items, BACKLOG)))
        self.clock.now += timedelta(seconds=300)
        return (await self.poller.poll_due()).alerts

    def sender(self, time: FakeTime | None = None) -> SlackSender:
        time = time or FakeTime()
        return SlackSender(self.client, sleep=time.sleep, monotonic=time.monotonic)

    def worker(self, sender: SlackSender) -> DeliveryWorker:
        return DeliveryWorker(self.store, sender, self.clock)


async def test_the_reference_article_reaches_a_watching_channel_with_its_figures(tmp_path, feed_server, slack_standin, network_guard):  # noqa: F811
    slack_standin.add_user(CREATOR)
    slack_standin.add_channel("C1", creator=CREATOR)
    feed_server.route("/wire.xml", Reply(body=rss(BACKLOG)))
    settings = slack_settings(tmp_path, slack_standin)
    clock = ManualClock()
    runtime = await open_runtime(settings, clock=clock)
    front = world = None
    try:
        await runtime.store.add_feed(FeedSpec(feed_server.url("/wire.xml")), runtime.clock())
        await runtime.poller.poll_due()
        front = await start_slack(runtime, settings, host="127.0.0.1")
        world = SlackWorld(front, runtime, slack_standin)
        await world.slash("/watch", "Meta")
        await world.slash("/language", "fr")

        feed_server.route("/wire.xml", Reply(body=rss(META_SCALE, BACKLOG)))
        clock.now += timedelta(seconds=settings.poll_interval)
        assert (await runtime.poller.poll_due()).alerts == 1
        await until(lambda: slack_standin.posts)  # the worker was woken by the poll
        (post,) = slack_standin.posts
    finally:
        if world is not None:
            await world.http.close()
        if front is not None:
            await front.stop()
        await runtime.close()
    assert post.channel == "C1"
    assert post.payload["unfurl_links"] is False and post.payload["unfurl_media"] is False
    assert post.payload["metadata"]["event_type"] == EVENT_TYPE
    text = all_text(post)
    assert "*<https://news.example.com/m1|Meta s'offre 49 % de Scale AI>*" in text
    assert "Meta: ≈ 15 Md$ pour 49 % de Scale AI" in text
    assert "Loop Wire" in text and "🔔 Meta" in text
    assert "> *Meta* va débourser" in text


async def test_at_most_one_message_per_second_per_channel(pipeline):
    assert await pipeline.publish(meta_story(1), meta_story(2), meta_story(3)) == 6  # 3 stories, 2 channels
    time = FakeTime()
    posted_at: dict[str, list[float]] = {"C1": [], "C2": []}
    record = pipeline.standin._m_chat_postMessage

    def stamped(args):
        posted_at[args["channel"]].append(time.now)
        return record(args)
    pipeline.standin._m_chat_postMessage = stamped
    assert await pipeline.worker(pipeline.sender(time)).deliver_pending() == 6
    for stamps in posted_at.values():
        assert len(stamps) == 3
        assert all(later - earlier >= 1.0 for earlier, later in zip(stamps, stamps[1:]))
    # One channel's pace does not hold the other back: both got their first alert at once.
    assert posted_at["C1"][0] == posted_at["C2"][0]
    assert sorted(p.key for p in pipeline.standin.posts) == sorted(delivery_key(i) for i in range(1, 7))


async def test_a_short_retry_after_is_waited_out_and_posts_once(pipeline):
    await pipeline.publish(meta_story(1))
    pipeline.standin.rate_limit("chat.postMessage", times=2, retry_after=2)
    time = FakeTime()
    assert await pipeline.worker(pipeline.sender(time)).deliver_pending() == 2
    assert len(pipeline.standin.posts) == 2  # one per channel, nothing doubled
    assert time.slept.count(2.0) == 2
    assert len(pipeline.standin.called("chat.postMessage")) == 4


async def test_a_long_retry_after_goes_back_to_the_outbox_and_is_sent_later(pipeline):
    await pipeline.publish(meta_story(1))
    pipeline.standin.rate_limit("chat.postMessage", times=1, retry_after=120)
    sender = pipeline.sender()
    worker = pipeline.worker(sender)
    assert await worker.deliver_pending() == 1  # C2 went; C1 waits for Slack
    assert [p.channel for p in pipeline.standin.posts] == ["C2"]
    pipeline.clock.now += timedelta(seconds=60)
    assert await worker.deliver_pending() == 0  # not before Retry-After has passed
    pipeline.clock.now += timedelta(seconds=61)
    assert await worker.deliver_pending() == 1
    assert sorted(p.channel for p in pipeline.standin.posts) == ["C1", "C2"]


async def test_the_sender_reports_a_long_retry_after_to_the_worker(pipeline):
    pipeline.standin.rate_limit("chat.postMessage", times=1, retry_after=300)
    await pipeline.publish(meta_story(1))
    item = (await pipeline.store.pending("slack", pipeline.clock()))[0]
    view = await _view(pipeline, item)
    with pytest.raises(DeliveryFailed) as failure:
        await pipeline.sender().send("C1", view, "newsbot-1")
    assert failure.value.permanent is False and failure.value.retry_after == 300


@pytest.mark.parametrize("error", ["not_in_channel", "channel_not_found", "is_archived"])
async def test_a_channel_that_refuses_the_bot_pauses_its_watches(pipeline, caplog, error):
    pipeline.standin.refuse("C1", error)
    await pipeline.publish(meta_story(1))
    with caplog.at_level(logging.WARNING):
        assert await pipeline.worker(pipeline.sender()).deliver_pending() == 1  # C2 still gets it
    c1 = await pipeline.store.channel("slack", "C1")
    c2 = await pipeline.store.channel("slack", "C2")
    assert [s.paused for s in await pipeline.store.watchlist(c1.id)] == [True]
    assert [s.paused for s in await pipeline.store.watchlist(c2.id)] == [False]
    assert any(error in record.getMessage() and "C1" in record.getMessage() for record in caplog.records)
    assert [p.channel for p in pipeline.standin.posts] == ["C2"]
    assert await pipeline.publish(meta_story(2)) == 1  # a paused channel gets no new alerts


async def test_a_restart_after_posting_but_before_recording_neither_loses_nor_doubles(pipeline):
    await pipeline.publish(meta_story(1), meta_story(2))
    pending = await pipeline.store.pending("slack", pipeline.clock())
    assert len(pending) == 4
    # The bot posts the first alert, then dies before the outbox row is marked sent.
    first = pending[0]
    view = await _view(pipeline, first)
    await pipeline.sender().send(first.external_id, view, delivery_key(first.id))
    assert len(pipeline.standin.posts) == 1
    # After the restart: a new sender with no memory, the same outbox.
    history_reads = len(pipeline.standin.called("conversations.history"))
    restarted = pipeline.worker(pipeline.sender())
    assert await restarted.deliver_pending() == 4
    keys = [p.key for p in pipeline.standin.posts]
    assert sorted(keys) == sorted(delivery_key(item.id) for item in pending)  # each exactly once
    assert await restarted.deliver_pending() == 0
    # History is read once per channel after a start, not before every post.
    assert len(pipeline.standin.called("conversations.history")) == history_reads + 2


async def test_without_history_access_it_posts_rather_than_loses(pipeline, caplog):
    await pipeline.publish(meta_story(1))
    pipeline.standin._m_conversations_history = lambda args: {"ok": False, "error": "missing_scope"}
    with caplog.at_level(logging.WARNING):
        assert await pipeline.worker(pipeline.sender()).deliver_pending() == 2
    assert len(pipeline.standin.posts) == 2
    assert sum("channels:history" in r.getMessage() for r in caplog.records) == 1  # said once


async def test_an_unanswered_post_makes_the_sender_check_history_before_retrying(pipeline):
    await pipeline.publish(meta_story(1))
    pending = await pipeline.store.pending("slack", pipeline.clock())
    sender = pipeline.sender()
    await sender.send("C1", await _view(pipeline, pending[0]), "newsbot-9")  # history read for C1
    before = len(pipeline.standin.called("conversations.history"))
    original = pipeline.standin._m_chat_postMessage

    def post_then_fail(args):
        original(args)  # Slack posted it, but the answer is a 500
        raise RuntimeError("lost answer")
    pipeline.standin._m_chat_postMessage = post_then_fail
    with pytest.raises(DeliveryFailed):
        await sender.send("C1", await _view(pipeline, pending[0]), "newsbot-10")
    pipeline.standin._m_chat_postMessage = original
    assert await sender.send("C1", await _view(pipeline, pending[0]), "newsbot-10") is not None
    assert [p.key for p in pipeline.standin.posts] == ["newsbot-9", "newsbot-10"]
    assert len(pipeline.standin.called("conversations.history")) == before + 1


async def test_a_digest_is_posted_in_parts_and_not_repeated_after_a_restart(pipeline):
    c1 = await pipeline.store.channel("slack", "C1")
    await pipeline.store.set_channel_preferences(c1.id, digest_mode="hourly")
    stories = [meta_story(i) for i in range(100)]
    await pipeline.publish(*stories)
    items = await pipeline.store.pending_for_channel(c1.id)
    # Long headlines, so the digest needs more than one message.
    views = [replace(await _view(pipeline, item), title=f"{i} " + "long headline " * 12) for i, item in enumerate(items)]
    groups = [("Meta", views)]
    sender = pipeline.sender()
    key = delivery_key(items[0].id)  # the key the worker gives this digest
    first_ts = await sender.send_digest("C1", groups, "en", key)
    parts = pipeline.standin.posts_to("C1")
    assert len(parts) >= 2 and first_ts == parts[0].ts
    assert [p.key for p in parts] == [key] + [f"{key}/{i}" for i in range(2, len(parts) + 1)]
    assert all(len(p.payload["blocks"]) <= 50 for p in parts)
    # A restart before the digest was recorded: the same digest again posts nothing new.
    assert await pipeline.sender().send_digest("C1", groups, "en", key) == first_ts
    assert len(pipeline.standin.posts_to("C1")) == len(parts)
    # And the worker's digest path sends it through the same sender.
    assert await pipeline.worker(pipeline.sender()).deliver_digests() == 1
    assert len(pipeline.standin.posts_to("C1")) == len(parts)  # already there: recorded, not re-sent
    assert await pipeline.store.pending_for_channel(c1.id) == []


async def test_hostile_feed_text_reaches_slack_escaped(pipeline):
    hostile = ("h1", "<!channel> Meta <@U123> news <https://evil.example|read this>",
               "Meta <!here> says <#C42> & more")
    assert await pipeline.publish(hostile) == 2
    await pipeline.worker(pipeline.sender()).deliver_pending()
    for post in pipeline.standin.posts:
        text = all_text(post)
        assert "<!" not in text and "<@" not in text and "<#" not in text and "<https://evil" not in text
        assert "&lt;!channel&gt;" in text and "&lt;@U123&gt;" in text
