"""The ticker on a real APScheduler in the running loop: a hung feed never holds up the others."""

import asyncio

from bot.adapters.http_fetch import Fetcher
from bot.adapters.scheduler import start_ticker, tick_seconds
from bot.adapters.sqlite import Store
from bot.app import load_catalog, utc_now
from bot.services.analyzer import Analyzer
from bot.services.poller import Poller
from bot.services.records import FeedSpec
from bot.settings import Settings
from tests.feedserver import Reply, feed_server, network_guard  # noqa: F401 (fixtures)

RSS = ('<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
       "<item><guid>1</guid><title>Hello</title><link>https://e.example.com/1</link></item></channel></rss>")


def test_tick_is_frequent_enough_but_never_zero():
    assert tick_seconds(300) == 15
    assert tick_seconds(5) == 5
    assert tick_seconds(1) == 1


async def test_a_hung_feed_does_not_block_later_ticks(tmp_path, feed_server, network_guard):  # noqa: F811
    release = asyncio.Event()
    feed_server.route("/hung.xml", Reply(body=RSS, gate=release))
    feed_server.route("/live.xml", Reply(body=RSS))
    store = await Store.open(tmp_path / "bot.db")
    fetcher = Fetcher(allow_private=True, total_timeout=60)
    poller = Poller(store, fetcher, Analyzer(load_catalog(Settings().entities_file)),
                    interval=1, clock=utc_now, feed_deadline=60)
    for path in ("/hung.xml", "/live.xml"):
        await store.add_feed(FeedSpec(feed_server.url(path)), utc_now())
    scheduler = start_ticker(poller, 1)
    try:
        for _ in range(100):  # up to 10 s
            if len(feed_server.requests_to("/live.xml")) >= 3:
                break
            await asyncio.sleep(0.1)
        assert len(feed_server.requests_to("/live.xml")) >= 3
        # The hung feed is still in its first poll, and was never started twice.
        assert len(feed_server.requests_to("/hung.xml")) == 1
        assert poller.in_flight >= 1
    finally:
        scheduler.shutdown(wait=False)
        release.set()
        await poller.stop()
        await fetcher.close()
        await store.close()
