"""The poll cycle end to end: a real feed server on loopback, the real fetcher and parser, the
real analysis and a real SQLite file; only the clock is ours to move."""

from datetime import timedelta
from html import escape

import pytest

from bot.adapters.http_fetch import Fetcher
from bot.adapters.sqlite import Store
from bot.app import load_catalog
from bot.services.analyzer import Analyzer
from bot.services.delivery import DeliveryWorker
from bot.services.poller import Poller
from bot.services.records import FeedSpec
from bot.settings import Settings
from tests.clock import ManualClock
from tests.feedserver import Reply, feed_server, network_guard  # noqa: F401 (fixtures)

INTERVAL = 300


class CountingAnalyzer(Analyzer):
    def __init__(self, catalog) -> None:
        super().__init__(catalog)
        self.analysed = 0

    def analyze_entry(self, entry):
        self.analysed += 1
        return super().analyze_entry(entry)


class RecordingSender:
    platform = "console"

    def __init__(self) -> None:
        self.posted = []

    async def send(self, external_id, alert, key):
        self.posted.append((external_id, alert))
        return f"m{len(self.posted)}"


def rss(*items: tuple[str, str, str]) -> str:
    body = "".join(
        f"<item><guid>{guid}</guid><title>{escape(title)}</title>"
        f"<link>https://news.example.com/{guid}</link><description>{escape(text)}</description></item>"
        for guid, title, text in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>{body}</channel></rss>'


OLD_META = ("a1", "Meta opens a new data centre in Ohio", "Meta Platforms said the site opens in 2026.")
OLD_OTHER = ("a2", "Quarterly chip sales slow down", "Chip makers report slower sales this quarter.")
NEW_META = ("a3", "Meta to take 49% of Scale AI for $15 billion",
            "Meta is in talks to invest about $15 billion in Scale AI for a 49% stake, sources say.")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(Settings().entities_file)


@pytest.fixture
async def world(tmp_path, catalog, feed_server, network_guard):  # noqa: F811
    clock = ManualClock()
    store = await Store.open(tmp_path / "bot.db")
    fetcher = Fetcher(allow_private=True, total_timeout=2.0, connect_timeout=1.0)
    analyzer = CountingAnalyzer(catalog)
    poller = Poller(store, fetcher, analyzer, interval=INTERVAL, clock=clock)
    channel = await store.ensure_channel("console", "c1", clock())
    await store.watch(channel.id, "meta", "Meta", clock())
    yield store, fetcher, poller, clock, feed_server, tmp_path
    await fetcher.close()
    await store.close()


async def add(store, server, path, clock):
    return await store.add_feed(FeedSpec(server.url(path)), clock())


async def test_first_poll_is_backlog_and_a_later_entry_alerts_once(world):
    store, fetcher, poller, clock, server, _ = world
    server.route("/wire.xml", Reply(body=rss(OLD_META, OLD_OTHER)))
    await add(store, server, "/wire.xml", clock)

    first = await poller.poll_due()
    assert first.new_entries == 2 and first.alerts == 0
    assert await store.pending("console", clock()) == []

    server.route("/wire.xml", Reply(body=rss(NEW_META, OLD_META, OLD_OTHER)))
    clock.advance(INTERVAL)
    second = await poller.poll_due()
    assert second.new_entries == 1 and second.alerts == 1

    sender = RecordingSender()
    assert await DeliveryWorker(store, sender, clock).deliver_pending() == 1
    ((channel, view),) = sender.posted
    assert channel == "c1" and view.entities == ("Meta",)
    assert "Scale AI" in view.title and "49 %" in view.figures
    assert await DeliveryWorker(store, sender, clock).deliver_pending() == 0  # nothing twice


async def test_the_ledger_fills_from_the_backlog(world):
    store, fetcher, poller, clock, server, _ = world
    server.route("/wire.xml", Reply(body=rss(NEW_META)))
    await add(store, server, "/wire.xml", clock)
    await poller.poll_due()
    deals = await store.list_deals(clock() - timedelta(days=30))
    assert [(d.investors, d.target) for d in deals] == [(("Meta",), "Scale AI")]


async def test_304_and_identical_bodies_cost_no_parse(world):
    store, fetcher, poller, clock, server, _ = world
    server.route("/etag.xml", Reply(body=rss(OLD_META), etag='"v1"'))
    server.route("/same.xml", Reply(body=rss(OLD_OTHER)))
    await add(store, server, "/etag.xml", clock)
    await add(store, server, "/same.xml", clock)
    await poller.poll_due()
    analysed = poller.analyzer.analysed
    clock.advance(INTERVAL)
    report = await poller.poll_due()
    assert {f.status for f in report.feeds} == {"unchanged"}
    assert server.requests_to("/etag.xml")[-1].headers.get("If-None-Match") == '"v1"'
    assert poller.analyzer.analysed == analysed


async def test_a_restart_keeps_seen_entries(world, catalog):
    store, fetcher, poller, clock, server, tmp_path = world
    server.route("/wire.xml", Reply(body=rss(OLD_META)))
    await add(store, server, "/wire.xml", clock)
    await poller.poll_due()
    await store.close()

    reopened = await Store.open(tmp_path / "bot.db")
    try:
        # A different body (entry order and an edit) so the body hash does not short-cut.
        edited = (OLD_META[0], OLD_META[1] + " (updated)", OLD_META[2])
        server.route("/wire.xml", Reply(body=rss(OLD_OTHER, edited)))
        again = Poller(reopened, fetcher, CountingAnalyzer(catalog), interval=INTERVAL, clock=clock)
        clock.advance(INTERVAL)
        report = await again.poll_due()
        assert report.new_entries == 1  # only OLD_OTHER; the edited entry is not new
        assert again.analyzer.analysed == 1
        assert report.alerts == 0
    finally:
        await reopened.close()


async def test_failing_and_hanging_feeds_do_not_stop_the_others(world):
    store, fetcher, poller, clock, server, _ = world
    server.route("/broken.xml", Reply(status=500))
    server.route("/hangs.xml", Reply(body=rss(OLD_META), delay=10))
    server.route("/garbage.xml", Reply(body="<html><body>Not a feed</body></html>", content_type="text/html"))
    server.route("/fine.xml", Reply(body=rss(OLD_OTHER)))
    for path in ("/broken.xml", "/hangs.xml", "/garbage.xml", "/fine.xml"):
        await add(store, server, path, clock)

    report = await poller.poll_due()
    by_url = {f.url.rsplit("/", 1)[1]: f for f in report.feeds}
    assert by_url["fine.xml"].new_entries == 1
    assert {by_url[n].status for n in ("broken.xml", "hangs.xml", "garbage.xml")} == {"failed"}
    statuses = {s.url.rsplit("/", 1)[1]: s for s in await store.feed_statuses()}
    assert "500" in statuses["broken.xml"].last_error
    assert statuses["broken.xml"].next_poll_at == clock() + timedelta(minutes=5)
    assert statuses["garbage.xml"].last_error


async def test_the_same_story_from_two_outlets_alerts_once(world):
    store, fetcher, poller, clock, server, _ = world
    server.route("/one.xml", Reply(body=rss(OLD_OTHER)))
    server.route("/two.xml", Reply(body=rss(OLD_OTHER)))
    await add(store, server, "/one.xml", clock)
    await add(store, server, "/two.xml", clock)
    await poller.poll_due()
    other_outlet = ("b9", NEW_META[1] + " - report", NEW_META[2])
    server.route("/one.xml", Reply(body=rss(NEW_META, OLD_OTHER)))
    server.route("/two.xml", Reply(body=rss(other_outlet, OLD_OTHER)))
    clock.advance(INTERVAL)
    report = await poller.poll_due()
    assert report.new_entries == 2
    assert len(await store.pending("console", clock())) == 1


async def test_a_watch_added_after_the_entry_was_seen_is_not_alerted(world):
    store, fetcher, poller, clock, server, _ = world
    server.route("/wire.xml", Reply(body=rss(OLD_OTHER)))
    await add(store, server, "/wire.xml", clock)
    await poller.poll_due()
    server.route("/wire.xml", Reply(body=rss(NEW_META, OLD_OTHER)))
    clock.advance(INTERVAL)
    late = await store.ensure_channel("console", "late", clock() + timedelta(seconds=1))
    await store.watch(late.id, "scale-ai", "Scale AI", clock() + timedelta(seconds=1))
    await poller.poll_due()
    pending = await store.pending("console", clock())
    assert [p.external_id for p in pending] == ["c1"]


async def test_retry_after_is_honoured_and_ten_failures_pause_the_feed(world):
    store, fetcher, poller, clock, server, _ = world
    server.route("/busy.xml", Reply(status=429, headers={"Retry-After": "7200"}))
    await add(store, server, "/busy.xml", clock)
    await poller.poll_due()
    (status,) = await store.feed_statuses()
    assert status.next_poll_at == clock() + timedelta(seconds=7200)
    assert "429" in status.last_error

    server.route("/busy.xml", Reply(status=500))
    for _ in range(9):
        clock.advance(86_400)
        await poller.poll_due()
    (status,) = await store.feed_statuses()
    assert status.paused and status.failures == 10 and "500" in status.last_error
    clock.advance(10 * 86_400)
    assert (await poller.poll_due()).feeds == []  # paused: not polled again


async def test_ttl_sets_a_floor_on_the_next_poll(world):
    store, fetcher, poller, clock, server, _ = world
    body = rss(OLD_OTHER).replace("<title>Wire</title>", "<title>Wire</title><ttl>60</ttl>")
    server.route("/ttl.xml", Reply(body=body, headers={"Cache-Control": "max-age=120"}))
    await add(store, server, "/ttl.xml", clock)
    await poller.poll_due()
    (status,) = await store.feed_statuses()
    assert status.next_poll_at == clock() + timedelta(minutes=60)
