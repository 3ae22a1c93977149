"""An entry edited after publication is the same story for its feed (found by stress part 2):
sites that put the headline's slug in the guid and link give an edited headline a new key."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.sqlite import Store
from bot.services.records import FeedSpec, NewEntry

NOW = datetime(2025, 6, 13, 8, 0, tzinfo=UTC)
BODY = "Meta Platforms said on Tuesday that it cuts its headset prices in Europe from July."


def entry(key: str, title: str, summary: str = BODY) -> NewEntry:
    return NewEntry(key=key, title=title, link=f"https://news.example.com/a/{key}",
                    canonical_link=f"https://news.example.com/a/{key}", title_fingerprint=None,
                    summary=summary, published_at=None, lang="en", entity_ids=("meta",),
                    analysis_json="{}", deals=())


@pytest.fixture
async def store(tmp_path):
    store = await Store.open(tmp_path / "bot.db")
    yield store
    await store.close()


async def story_of(store, feed_url: str, first: NewEntry, later: NewEntry, after=timedelta(hours=1)):
    feed = await store.add_feed(FeedSpec(feed_url), NOW)
    (a,) = await store.record_entries(feed.id, [first], NOW, backlog=False)
    (b,) = await store.record_entries(feed.id, [later], NOW + after, backlog=False)
    return a.article_id, b.article_id


@pytest.mark.parametrize("later", [
    entry("meta-cuts-headset-prices-by-a-fifth", "Meta cuts its headset prices in Europe by a fifth"),
    entry("meta-headset-europe", "Headsets get cheaper: Meta trims European prices"),  # same body
])
async def test_an_edited_headline_in_the_same_feed_is_the_same_story(store, later):
    first = entry("meta-cuts-headset-prices", "Meta cuts its headset prices in Europe")
    a, b = await story_of(store, "https://news.example.com/feed", first, later)
    assert a == b


@pytest.mark.parametrize("later, after", [
    (entry("wallet", "Meta drops a crypto wallet for teenagers",
           "Meta said it drops its plan for a crypto wallet aimed at teenagers in Brazil."),
     timedelta(hours=1)),
    (entry("meta-cuts-headset-prices-again", "Meta cuts its headset prices in Europe"),
     timedelta(days=2)),  # a recurring headline days later is news again
    (entry("short", "A different story about Meta and glasses", "Read more"),
     timedelta(hours=1)),
])
async def test_other_entries_of_the_feed_stay_their_own_story(store, later, after):
    first = entry("meta-cuts-headset-prices", "Meta cuts its headset prices in Europe",
                  summary="Read more")
    a, b = await story_of(store, "https://news.example.com/feed", first, later, after)
    assert a != b


async def test_an_edit_arriving_in_the_same_poll_as_its_original_is_one_story(store):
    feed = await store.add_feed(FeedSpec("https://news.example.com/feed"), NOW)
    first = entry("meta-cuts-headset-prices", "Meta cuts its headset prices in Europe")
    edited = entry("meta-cuts-headset-prices-by-a-fifth", "Meta cuts its headset prices in Europe by a fifth")
    other = entry("wallet", "Meta drops a crypto wallet for teenagers",
                  "Meta said it drops its plan for a crypto wallet aimed at teenagers in Brazil.")
    a, b, c = await store.record_entries(feed.id, [first, edited, other], NOW, backlog=False)
    assert a.article_id == b.article_id != c.article_id
    assert [a.new_story, b.new_story, c.new_story] == [True, False, True]


async def test_an_article_stored_before_the_match_keys_existed_is_still_recognised(tmp_path):
    """Articles written before migration 006 have no stored headline words or body key; the
    edit check reads them from the title and summary."""
    path = tmp_path / "bot.db"
    store = await Store.open(path)
    try:
        feed = await store.add_feed(FeedSpec("https://news.example.com/feed"), NOW)
        (a,) = await store.record_entries(
            feed.id, [entry("meta-cuts-headset-prices", "Meta cuts its headset prices in Europe")],
            NOW, backlog=False)
        await store.conn.execute("UPDATE articles SET title_words = NULL, body_key = NULL")
        await store.conn.commit()
        edited = entry("meta-cuts-headset-prices-by-a-fifth", "Meta cuts its headset prices in Europe by a fifth",
                       summary="Completely rewritten body text that shares nothing with the first version.")
        same_body = entry("headsets", "Headsets get cheaper: Meta trims European prices")
        b, c = await store.record_entries(feed.id, [edited, same_body], NOW + timedelta(hours=1),
                                          backlog=False)
        assert b.article_id == a.article_id == c.article_id
    finally:
        await store.close()


@pytest.mark.parametrize("words_first, words_later, same", [
    (15, 12, True),   # 12 of 15 words kept: Jaccard exactly 0.8, the threshold
    (15, 11, False),  # 11 / 15 < 0.8
    (12, 15, True),   # three words added to a 12-word headline
    (5, 4, True),
    (5, 7, False),
])
async def test_the_edit_check_keeps_the_similarity_threshold_at_its_edges(store, words_first, words_later, same):
    vocabulary = [f"word{n}" for n in range(20)]
    first = entry("a", " ".join(vocabulary[:words_first]), summary="Read more")
    later = entry("b", " ".join(vocabulary[:words_later]), summary="Read more")
    a, b = await story_of(store, "https://news.example.com/feed", first, later)
    assert (a == b) is same
