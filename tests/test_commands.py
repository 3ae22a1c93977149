"""The command use-cases every front end shares, on a real store and a loopback feed server."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.http_fetch import Fetcher
from bot.adapters.sqlite import Store
from bot.app import load_catalog
from bot.core.commands import parse_command
from bot.core.errors import AlreadyWatching, BadArgument, FeedExists, NotWatching, UnsafeURL
from bot.core.model import Deal, Money
from bot.services.analyzer import Analyzer
from bot.services.commands import ChannelCommands, needs_manager
from bot.services.records import FeedSpec, NewEntry
from bot.settings import Settings
from tests.feedserver import Reply, connection_recorder, feed_server, network_guard  # noqa: F401

NOW = datetime(2025, 6, 13, 8, 0, tzinfo=UTC)
RSS = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Loop News</title>'
       "<item><guid>1</guid><title>Hello</title><link>https://e.example.com/1</link></item></channel></rss>")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(Settings().entities_file)


@pytest.fixture
async def bot(tmp_path, catalog, network_guard):  # noqa: F811
    store = await Store.open(tmp_path / "bot.db")
    fetcher = Fetcher(allow_private=False)
    commands = ChannelCommands(store, Analyzer(catalog), fetcher, lambda: NOW)
    channel = await store.ensure_channel("console", "c1", NOW)
    yield commands, channel, store
    await fetcher.close()
    await store.close()


async def run(commands, channel, line):
    return (await commands.run(channel, parse_command(line))).text


async def test_watch_resolves_catalog_names_and_aliases(bot):
    commands, channel, store = bot
    assert "Meta" in await run(commands, channel, "/watch meta platforms")
    with pytest.raises(AlreadyWatching):
        await run(commands, channel, "/watch Meta")
    assert [s.entity_id for s in await store.watchlist(channel.id)] == ["meta"]


async def test_watch_again_resumes_a_paused_channel(bot):
    commands, channel, store = bot
    await run(commands, channel, "/watch Meta")
    await run(commands, channel, "/watch OpenAI")
    await store.pause_channel(channel.id, "403 Forbidden: missing access")
    assert "(paused)" in await run(commands, channel, "/watchlist")
    assert "resumed" in await run(commands, channel, "/watch Meta")
    assert "(paused)" not in await run(commands, channel, "/watchlist")
    with pytest.raises(AlreadyWatching):
        await run(commands, channel, "/watch Meta")


async def test_an_unknown_name_is_watched_as_a_phrase_and_matched(bot):
    commands, channel, store = bot
    reply = await run(commands, channel, "/watch Quantum Widgets Ltd")
    assert "whole phrase" in reply
    analysis = commands.analyzer.matcher.find("Quantum Widgets Ltd raises $5m")
    assert [m.name for m in analysis] == ["Quantum Widgets Ltd"]
    assert "Quantum Widgets Ltd" in await run(commands, channel, "/watchlist")


async def test_unwatch_and_its_error(bot):
    commands, channel, _ = bot
    await run(commands, channel, "/watch Scale AI")
    assert "No longer watching Scale AI" in await run(commands, channel, "/unwatch scale ai")
    with pytest.raises(NotWatching, match="does not watch Scale AI"):
        await run(commands, channel, "/unwatch Scale AI")


async def test_deals_lists_the_ledger_newest_first_and_filters(bot):
    commands, channel, store = bot
    feed = await store.add_feed(FeedSpec("https://a/f"), NOW)
    deal = Deal("investment", ("Meta",), "Scale AI", Money(15_000_000_000, "USD", True), 49, None, "rumored")
    entry = NewEntry("k", "Meta takes 49% of Scale AI", "https://a/1", "https://a/1", "t", "", NOW, "en",
                     ("meta",), "{}", (deal,))
    await store.record_entries(feed.id, [entry], NOW - timedelta(days=2), True)
    text = await run(commands, channel, "/deals")
    assert "Meta → Scale AI" in text and "≈ $15B" in text and "49 %" in text and "rumored" in text
    assert "Meta → Scale AI" in await run(commands, channel, "/deals Meta Platforms 7")
    assert "No deals involving OpenAI" in await run(commands, channel, "/deals OpenAI")
    assert "No deals in the last day." in await run(commands, channel, "/deals 1")


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:{port}/f", "http://2130706433:{port}/f", "http://[::1]:{port}/f",
     "http://localhost:{port}/f", "file:///etc/passwd", "gopher://127.0.0.1:{port}/"],
)
async def test_feeds_add_refuses_private_and_local_addresses_without_connecting(
    bot, connection_recorder, url  # noqa: F811
):
    commands, channel, store = bot
    with pytest.raises(UnsafeURL, match="refused"):
        await run(commands, channel, "/feeds add " + url.format(port=connection_recorder.port))
    assert connection_recorder.accepted == 0
    assert await store.feed_statuses() == []


async def test_feeds_add_checks_the_feed_and_lists_its_health(tmp_path, catalog, feed_server):  # noqa: F811
    store = await Store.open(tmp_path / "bot.db")
    fetcher = Fetcher(allow_private=True)
    try:
        commands = ChannelCommands(store, Analyzer(catalog), fetcher, lambda: NOW, allow_private_urls=True)
        channel = await store.ensure_channel("console", "c1", NOW)
        feed_server.route("/feed.xml", Reply(body=RSS))
        feed_server.route("/page.html", Reply(body="<html><body>hi</body></html>", content_type="text/html"))
        assert "Added Loop News" in await run(commands, channel, f"/feeds add {feed_server.url('/feed.xml')}")
        with pytest.raises(FeedExists):
            await run(commands, channel, f"/feeds add {feed_server.url('/feed.xml')}")
        with pytest.raises(BadArgument, match="not a news feed"):
            await run(commands, channel, f"/feeds add {feed_server.url('/page.html')}")
        with pytest.raises(BadArgument, match="Could not read"):
            await run(commands, channel, f"/feeds add {feed_server.url('/missing.xml')}")
        listing = await run(commands, channel, "/feeds list")
        assert "Loop News" in listing and "not read yet" in listing
        assert "Removed" in await run(commands, channel, f"/feeds remove {feed_server.url('/feed.xml')}")
        assert "No feeds yet" in await run(commands, channel, "/feeds list")
    finally:
        await fetcher.close()
        await store.close()


async def test_digest_and_language_are_stored_per_channel(bot):
    commands, channel, store = bot
    assert "every day at 07:30 UTC" in await run(commands, channel, "/digest daily 07:30")
    assert "en français" in await run(commands, channel, "/language fr")
    updated = await store.channel("console", "c1")
    assert (updated.digest_mode, updated.digest_time, updated.lang) == ("daily", "07:30", "fr")
    assert "surveille" in await run(commands, updated, "/help")


def test_only_commands_that_change_a_channel_need_a_manager():
    assert needs_manager(parse_command("/watch Meta"))
    assert needs_manager(parse_command("/feeds add https://e.com/f"))
    assert not needs_manager(parse_command("/feeds list"))
    assert not needs_manager(parse_command("/deals"))
    assert not needs_manager(parse_command("/watchlist"))

