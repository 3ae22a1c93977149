"""The SQLite store on real files: migrations, the ingestion dedup point, the ledger, the outbox."""

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.sqlite import Store
from bot.adapters.sqlite.migrate import LATEST_VERSION, migrate
from bot.core.alerts import Alert
from bot.core.errors import AlreadyWatching, FeedExists
from bot.core.model import Deal, Money
from bot.core.schedule import FeedHealth
from bot.services.records import FeedSpec, NewEntry

NOW = datetime(2025, 6, 13, 8, 0, tzinfo=UTC)


def new_entry(key, title="Meta takes 49% of Scale AI", link=None, deals=(), entities=("meta",),
              headline_deal=None):
    return NewEntry(
        key=key, title=title, link=link, canonical_link=link, title_fingerprint=title.lower(),
        summary="", published_at=None, lang="en", entity_ids=entities, analysis_json="{}", deals=deals,
        headline_deal=headline_deal,
    )


META_DEAL = Deal("investment", ("Meta",), "Scale AI", Money(15_000_000_000, "USD", True), 49, None, "rumored")


@pytest.fixture
async def store(tmp_path):
    s = await Store.open(tmp_path / "sub" / "newsbot.db")
    yield s
    await s.close()


async def test_open_creates_the_folder_and_the_latest_schema_in_wal_mode(tmp_path, store):
    assert (tmp_path / "sub" / "newsbot.db").exists()
    assert await store.schema_version() == LATEST_VERSION >= 2
    async with store.conn.execute("PRAGMA journal_mode") as cur:
        assert (await cur.fetchone())[0] == "wal"


async def test_a_first_schema_database_is_migrated_with_its_data(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, upto=1)
    conn.execute(
        "INSERT INTO feeds (url, name, created_at, next_poll_at) VALUES ('https://e.com/f', 'E', ?, ?)",
        (NOW.isoformat(), NOW.isoformat()),
    )
    conn.execute("INSERT INTO channels (platform, external_id, created_at) VALUES ('discord', '42', ?)",
                 (NOW.isoformat(),))
    conn.close()

    store = await Store.open(path)
    try:
        assert store.migrated_from == 1
        assert await store.schema_version() == LATEST_VERSION
        channel = await store.channel("discord", "42")
        assert channel.lang == "en" and channel.digest_mode == "instant"  # columns added by v2
        assert (await store.feed_by_url("https://e.com/f")).name == "E"
    finally:
        await store.close()


async def test_a_database_newer_than_the_code_is_refused(tmp_path):
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.close()
    with pytest.raises(RuntimeError, match="newer"):
        await Store.open(path)


async def test_feeds_sync_add_and_refuse_duplicates(store):
    assert await store.sync_feeds([FeedSpec("https://a/f", "A"), FeedSpec("https://b/f")], NOW) == 2
    assert await store.sync_feeds([FeedSpec("https://a/f", "A2")], NOW) == 0
    assert (await store.feed_by_url("https://a/f")).name == "A2"
    with pytest.raises(FeedExists):
        await store.add_feed(FeedSpec("https://a/f"), NOW, origin="chat")
    assert [f.url for f in await store.feeds_due(NOW)] == ["https://a/f", "https://b/f"]


async def test_poll_health_is_kept_for_the_feed_list(store):
    feed = await store.add_feed(FeedSpec("https://a/f"), NOW)
    await store.save_poll(feed.id, NOW, FeedHealth(10, True, NOW + timedelta(days=1), "HTTP 500"))
    (status,) = await store.feed_statuses()
    assert status.paused and status.failures == 10 and status.last_error == "HTTP 500"
    assert await store.feeds_due(NOW + timedelta(days=2)) == []  # paused feeds are not polled


async def test_outcomes_of_many_polls_ending_together_are_each_saved(store):
    """Poll outcomes that end together are written in shared transactions; each feed still
    gets its own outcome, a failure next to successes stays a failure, and a poll cancelled
    while its outcome waits does not lose the others'."""
    import asyncio

    feeds = [await store.add_feed(FeedSpec(f"https://n{n}.example.com/f"), NOW) for n in range(120)]
    later = NOW + timedelta(minutes=5)

    def outcome(n: int):
        if n % 3 == 0:
            return store.save_poll(feeds[n].id, NOW, FeedHealth(2, False, later, f"HTTP 50{n % 10}"))
        return store.save_poll(feeds[n].id, NOW, FeedHealth(0, False, later, None), etag=f'"e{n}"')

    tasks = [asyncio.create_task(outcome(n)) for n in range(120)]
    await asyncio.sleep(0)  # every poll has handed in its outcome and waits for the commit
    tasks[7].cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    statuses = {s.url: s for s in await store.feed_statuses()}
    for n, feed in enumerate(feeds):
        status = statuses[feed.url]
        if n % 3 == 0:
            assert status.failures == 2 and status.last_error == f"HTTP 50{n % 10}"
        else:
            assert status.failures == 0 and (await store.feed_by_url(feed.url)).etag == f'"e{n}"'
    assert await store.feeds_due(NOW) == []  # every feed, the cancelled one's too, moved on


async def test_an_entry_is_recorded_once_per_feed(store):
    feed = await store.add_feed(FeedSpec("https://a/f"), NOW)
    first = await store.record_entries(feed.id, [new_entry("k1"), new_entry("k1")], NOW, backlog=False)
    assert len(first) == 1
    again = await store.record_entries(feed.id, [new_entry("k1")], NOW, backlog=False)
    assert again == []
    assert await store.unseen_keys(feed.id, ["k1", "k2"]) == {"k2"}


async def test_the_same_story_from_two_feeds_is_one_article(store):
    a = await store.add_feed(FeedSpec("https://a/f"), NOW)
    b = await store.add_feed(FeedSpec("https://b/f"), NOW)
    (one,) = await store.record_entries(a.id, [new_entry("x", link="https://news/1")], NOW, False)
    (two,) = await store.record_entries(b.id, [new_entry("y", link="https://other/2")], NOW, False)
    assert one.new_story and not two.new_story and one.article_id == two.article_id
    later = NOW + timedelta(days=3)  # same title days later is a new story
    (three,) = await store.record_entries(b.id, [new_entry("z", link="https://other/3")], later, False)
    assert three.new_story


async def test_one_deal_headlined_in_two_languages_is_one_story(store):
    a = await store.add_feed(FeedSpec("https://a/f"), NOW)
    b = await store.add_feed(FeedSpec("https://b/f"), NOW)
    key = "investment|Meta|Scale AI"
    (en,) = await store.record_entries(
        a.id, [new_entry("x", "Meta takes 49% of Scale AI", "https://a/1", headline_deal=key)], NOW, False)
    (fr,) = await store.record_entries(
        b.id, [new_entry("y", "Meta prend 49 % de Scale AI", "https://b/2", headline_deal=key)], NOW, False)
    assert fr.article_id == en.article_id and not fr.new_story
    (other,) = await store.record_entries(
        b.id, [new_entry("z", "OpenAI raises again", "https://b/3", headline_deal="funding_round||OpenAI")],
        NOW, False)
    assert other.new_story


async def test_a_deal_reported_twice_is_one_ledger_row_with_two_sources(store):
    a = await store.add_feed(FeedSpec("https://a/f"), NOW)
    b = await store.add_feed(FeedSpec("https://b/f"), NOW)
    confirmed = Deal("investment", ("Meta",), "Scale AI", None, 49, Money(29_000_000_000, "USD"), "announced")
    await store.record_entries(a.id, [new_entry("x", title="one", deals=(META_DEAL,))], NOW, True)
    await store.record_entries(b.id, [new_entry("y", title="two", deals=(confirmed,))], NOW, True)
    (row,) = await store.list_deals(NOW - timedelta(days=30))
    assert row.sources == 2
    assert row.status == "announced"  # moved forward from rumored
    assert row.amount == Money(15_000_000_000, "USD", True)  # kept from the first report
    assert row.valuation == Money(29_000_000_000, "USD")  # filled in by the second
    assert await store.list_deals(NOW - timedelta(days=30), party="scale ai")
    assert await store.list_deals(NOW - timedelta(days=30), party="meta")
    assert await store.list_deals(NOW - timedelta(days=30), party="OpenAI") == []


async def test_a_new_tranche_between_the_same_parties_is_a_new_deal(store):
    feed = await store.add_feed(FeedSpec("https://a/f"), NOW)
    other = await store.add_feed(FeedSpec("https://b/f"), NOW)
    first = Deal("investment", ("Google",), "Anthropic", Money(1_000_000_000, "USD"), status="completed")
    restated = Deal("investment", ("Google",), "Anthropic", Money(1_100_000_000, "USD", True), status="completed")
    bigger = Deal("investment", ("Google",), "Anthropic", Money(3_000_000_000, "USD"), status="completed")
    await store.record_entries(feed.id, [new_entry("a", "one", deals=(first,))], NOW, True)
    await store.record_entries(other.id, [new_entry("b", "two", deals=(restated,))], NOW, True)
    await store.record_entries(feed.id, [new_entry("c", "three", deals=(bigger,))], NOW, True)
    rows = await store.list_deals(NOW - timedelta(days=1))
    assert sorted((r.amount.value, r.sources) for r in rows) == [(1_000_000_000, 2), (3_000_000_000, 1)]


async def test_alerts_are_queued_in_the_same_transaction_as_their_entry(store):
    from bot.core.alerts import Subscription

    feed = await store.add_feed(FeedSpec("https://a/f"), NOW)
    channel = await store.ensure_channel("console", "c1", NOW)
    subs = [Subscription(channel.id, "meta", "Meta", NOW - timedelta(hours=1))]
    (rec,) = await store.record_entries(feed.id, [new_entry("k")], NOW, False, subs)
    assert rec.alerts_queued == 1 and len(await store.pending("console", NOW)) == 1
    assert await store.record_entries(feed.id, [new_entry("k")], NOW, False, subs) == []


async def test_watch_twice_is_a_friendly_error(store):
    channel = await store.ensure_channel("console", "c1", NOW)
    await store.watch(channel.id, "meta", "Meta", NOW)
    with pytest.raises(AlreadyWatching, match="already watches Meta"):
        await store.watch(channel.id, "meta", "Meta", NOW)
    assert [s.display_name for s in await store.watchlist(channel.id)] == ["Meta"]
    assert await store.unwatch(channel.id, "meta")
    assert not await store.unwatch(channel.id, "meta")


async def test_outbox_keeps_one_alert_per_channel_and_story(store):
    feed = await store.add_feed(FeedSpec("https://a/f"), NOW)
    channel = await store.ensure_channel("console", "c1", NOW)
    (rec,) = await store.record_entries(feed.id, [new_entry("x")], NOW, False)
    assert await store.enqueue([Alert(channel.id, rec.article_id, ("meta",))], NOW) == 1
    assert await store.enqueue([Alert(channel.id, rec.article_id, ("meta",))], NOW) == 0
    (item,) = await store.pending("console", NOW)
    await store.mark_sent(item.id, NOW, "m1")
    assert await store.pending("console", NOW) == []
    assert await store.outbox_counts() == {"sent": 1}
    assert await store.integrity_ok()


async def test_a_feed_that_fails_midway_records_none_of_its_entries_and_the_store_goes_on(store):
    feed = await store.add_feed(FeedSpec("https://a/f"), NOW)
    unstorable = NewEntry(
        key="bad", title="Other story", link=None, canonical_link=None, title_fingerprint="other story",
        summary="", published_at=None, lang="en", entity_ids=({1, 2},), analysis_json="{}", deals=(),
    )
    with pytest.raises(TypeError):
        await store.record_entries(feed.id, [new_entry("good", deals=(META_DEAL,)), unstorable], NOW, True)
    assert await store.unseen_keys(feed.id, ["good", "bad"]) == {"good", "bad"}
    assert await store.list_deals(NOW - timedelta(days=1)) == []
    # The transaction was closed and the write lock released: the retried poll records.
    assert len(await store.record_entries(feed.id, [new_entry("good")], NOW, True)) == 1


async def test_a_concurrent_reader_never_sees_half_of_a_feeds_entries(store):
    import asyncio

    feed = await store.add_feed(FeedSpec("https://a/f"), NOW)
    entries = [new_entry(f"k{i}", title=f"story {i}", deals=(META_DEAL,)) for i in range(40)]
    counts: set[int] = set()
    done = asyncio.Event()

    async def read_until_done():
        while not done.is_set():
            async with store.conn.execute("SELECT count(*) FROM entries") as cur:
                counts.add((await cur.fetchone())[0])

    async def write():
        try:
            await store.record_entries(feed.id, entries, NOW, True)
        finally:
            done.set()

    await asyncio.gather(read_until_done(), write())
    assert counts <= {0, 40}


async def test_concurrent_feeds_are_all_recorded_once(store):
    import asyncio

    feeds = [await store.add_feed(FeedSpec(f"https://{n}/f"), NOW) for n in range(5)]
    batches = await asyncio.gather(*(
        store.record_entries(f.id, [new_entry(f"{f.id}-{i}", title=f"{f.id} story {i}") for i in range(10)],
                             NOW, True)
        for f in feeds
    ))
    assert [len(b) for b in batches] == [10] * 5
    assert len({r.article_id for b in batches for r in b}) == 50


async def test_enqueue_takes_a_generator_of_alerts(store):
    feed = await store.add_feed(FeedSpec("https://a/f"), NOW)
    channel = await store.ensure_channel("console", "c1", NOW)
    (rec,) = await store.record_entries(feed.id, [new_entry("x")], NOW, False)
    alerts = (Alert(channel.id, rec.article_id, (e,)) for e in ("meta",))
    assert await store.enqueue(alerts, NOW) == 1
    assert len(await store.pending("console", NOW)) == 1
