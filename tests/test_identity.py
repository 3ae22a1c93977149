"""Entry keys, canonical links and story fingerprints: what makes two entries the same."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.core.feeds import parse_feed
from bot.core.identity import (
    MAX_KEY_LENGTH,
    canonical_link,
    entry_key,
    story_keys,
    title_fingerprint,
    titles_similar,
)
from bot.core.model import Entry

JUNE_12 = datetime(2025, 6, 12, 10, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "url, expected",
    [
        ("HTTP://Example.COM:80/a/b/", "https://example.com/a/b"),
        ("https://www.example.com/a?utm_source=rss&id=3&utm_medium=feed#comments",
         "https://example.com/a?id=3"),
        ("https://example.com/a?fbclid=x&gclid=y&mc_cid=1&mc_eid=2&ref=rss",
         "https://example.com/a"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/", "https://example.com/"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("//example.com/a", "https://example.com/a"),
        ("https://user:secret@example.com/a", "https://example.com/a"),
        ("https://example.com./a", "https://example.com/a"),
        ("https://news.example/story/amp/", "https://news.example/story"),
        ("https://news.example/story?amp=1", "https://news.example/story"),
        ("https://news.example/story?outputType=amp&page=2", "https://news.example/story?page=2"),
        ("https://example.com/a?q=caf%C3%A9+noir&b=1",  # kept as written
         "https://example.com/a?q=caf%C3%A9+noir&b=1"),
        ("https://example.com/#!/post/42", "https://example.com/#!/post/42"),
        ("https://[2001:DB8::1]:443/x", "https://[2001:db8::1]/x"),
        ("  https://example.com/a \n", "https://example.com/a"),
        ("tag:example.com,2025:post-1", "tag:example.com,2025:post-1"),
        ("/relative/path", "/relative/path"),
        ("http://example.com:99999/a", "http://example.com:99999/a"),  # bad port: left alone
        ("", ""),
    ],
)
def test_canonical_link(url, expected):
    assert canonical_link(url) == expected


@pytest.mark.parametrize(
    "first, second",
    [
        ("http://site.example/2025/06/meta", "https://site.example/2025/06/meta"),  # scheme
        ("https://www.site.example/2025/06/meta", "https://site.example/2025/06/meta"),  # www.
        ("https://site.example/2025/06/meta/", "https://Site.Example/2025/06/meta"),
        ("https://site.example/p?id=7&utm_campaign=x", "https://site.example/p?id=7"),
    ],
)
def test_url_guid_that_changes_form_keeps_its_key(first, second):
    assert entry_key(first, None, "Title", None) == entry_key(second, None, "Other", JUNE_12)


@pytest.mark.parametrize(
    "guid, link, expected",
    [
        ("wire-123", "https://x.example/a", "wire-123"),  # guid wins over link
        ("  Wire-123  ", None, "Wire-123"),  # stripped, case kept: guids are opaque
        (None, "https://x.example/a?utm_source=tw", "https://x.example/a"),
        ("", "https://x.example/a", "https://x.example/a"),  # empty guid = no guid
        ("tag:x.example,2025:1", None, "tag:x.example,2025:1"),
    ],
)
def test_entry_key_prefers_guid_then_link(guid, link, expected):
    assert entry_key(guid, link, "A title", JUNE_12) == expected


def test_guid_equal_to_link_and_link_alone_give_one_key():
    # A feed that stops sending <guid> (which was its permalink) does not renew its entries.
    url = "https://x.example/2025/06/story"
    assert entry_key(url, url, "t", None) == entry_key(None, url, "t", None)


def test_title_key_is_deterministic_and_tolerates_spacing_and_case():
    a = entry_key(None, None, "Daily  market note", JUNE_12)
    b = entry_key(None, None, "daily market note", JUNE_12.astimezone(timezone(timedelta(hours=2))))
    assert a == b and a.startswith("title:")


@pytest.mark.parametrize(
    "title, published",
    [("Daily market note", JUNE_12 + timedelta(days=1)), ("Weekly market note", JUNE_12),
     ("Daily market note", None)],
)
def test_title_key_changes_with_title_or_date(title, published):
    assert entry_key(None, None, title, published) != entry_key(
        None, None, "Daily market note", JUNE_12)


@pytest.mark.parametrize("guid", ["g" * 500, "https://x.example/" + "p/" * 300])
def test_long_keys_are_hashed_short(guid):
    key = entry_key(guid, None, "t", None)
    assert len(key) <= MAX_KEY_LENGTH and key.startswith("sha1:")
    assert key == entry_key(guid, None, "t", None)


# --- across polls of one feed -----------------------------------------------------------------

ITEM = ("<item><title>{title}</title><link>{link}</link>{guid}"
        "<description>{text}</description></item>")


def _feed(*items: dict) -> bytes:
    body = "".join(
        ITEM.format(title=i.get("title", "T"), link=i["link"], text=i.get("text", ""),
                    guid=f"<guid>{i['guid']}</guid>" if "guid" in i else "")
        for i in items
    )
    return f'<rss version="2.0"><channel><title>F</title>{body}</channel></rss>'.encode()


def _keys(body: bytes) -> list[str]:
    return [e.key for e in parse_feed(body).entries]


def test_edited_title_and_text_keep_the_key():
    before = _feed({"guid": "id-1", "link": "https://x.example/1", "title": "Meta in talks",
                    "text": "Early report."})
    after = _feed({"guid": "id-1", "link": "https://x.example/1?utm_source=rss",
                   "title": "Meta takes 49% of Scale AI (updated)", "text": "Full story now."})
    assert _keys(before) == _keys(after) == ["id-1"]


def test_feed_moving_to_https_and_www_keeps_keys():
    before = _feed({"guid": "http://x.example/a", "link": "http://x.example/a"},
                   {"guid": "http://x.example/b", "link": "http://x.example/b"})
    after = _feed({"guid": "https://www.x.example/a", "link": "https://www.x.example/a"},
                  {"guid": "https://www.x.example/b", "link": "https://www.x.example/b"})
    assert _keys(before) == _keys(after)


def test_same_guid_on_every_item_keys_by_link_from_poll_to_poll():
    # The guid identifies nothing, so links do. When a new item arrives on top, the old items
    # keep their keys: nothing is lost, nothing looks new twice.
    a = {"guid": "https://x.example/feed", "link": "https://x.example/a"}
    b = {"guid": "https://x.example/feed", "link": "https://x.example/b"}
    c = {"guid": "https://x.example/feed", "link": "https://x.example/c"}
    first, second = _keys(_feed(a, b)), _keys(_feed(c, a, b))
    assert first == ["https://x.example/a", "https://x.example/b"]
    assert second == ["https://x.example/c", *first]


def test_repeated_guid_with_the_same_link_is_one_entry_first_wins():
    body = _feed({"guid": "id-1", "link": "https://x.example/1", "title": "First"},
                 {"guid": "id-1", "link": "https://x.example/1", "title": "Copy"})
    assert [(e.key, e.title) for e in parse_feed(body).entries] == [("id-1", "First")]


# --- same story, several outlets --------------------------------------------------------------

@pytest.mark.parametrize(
    "a, b",
    [
        ("Meta takes 49% of Scale AI", "Meta takes 49 % of Scale AI -- report"),
        ("Meta takes 49% of Scale AI", "META TAKES 49% OF SCALE-AI | The Wire"),
        ("Méta prend 49 % de Scale AI", "Meta prend 49% de Scale AI"),
        ("Meta takes 49% of Scale AI", "Meta takes 49% in Scale AI"),  # stop words
        ("OpenAI raises $40 billion", "OpenAI raises $40 billion."),
    ],
)
def test_same_story_titles_share_a_fingerprint(a, b):
    assert title_fingerprint(a) == title_fingerprint(b) != ""


@pytest.mark.parametrize(
    "a, b",
    [
        ("Meta takes 49% of Scale AI", "Meta takes 39% of Scale AI"),
        ("Amazon invests $8 billion in Anthropic", "Google invests $3 billion in Anthropic"),
        # a short head keeps its tail: here the tail is the story, not an outlet's name
        ("Apple Vision Pro - the review", "Apple Vision Pro - the rumours"),
    ],
)
def test_different_stories_differ(a, b):
    assert title_fingerprint(a) != title_fingerprint(b)


@pytest.mark.parametrize("title", ["Podcast", "Live updates", "", "The AI"])
def test_short_titles_have_no_fingerprint(title):
    assert title_fingerprint(title) == ""


@pytest.mark.parametrize(
    "a, b, similar",
    [
        ("Meta takes 49% of Scale AI", "Meta takes 49 % of Scale AI -- report", True),
        ("Meta takes a 49% stake in Scale AI", "Meta takes 49% stake in Scale AI, sources say",
         False),  # two extra words: Jaccard 6/8 = 0.75, below the 0.8 threshold
        ("Nvidia shares jump after record quarter", "Nvidia shares jump after a record quarter",
         True),
        ("Nvidia shares jump after record quarter", "Nvidia shares fall after weak quarter", False),
        ("", "", False),
        ("Meta", "Meta", True),
    ],
)
def test_titles_similar(a, b, similar):
    assert titles_similar(a, b) is similar
    assert titles_similar(b, a) is similar


def _entry(**fields) -> Entry:
    base = {"key": "k", "title": "Meta takes 49% of Scale AI", "link": None, "summary": ""}
    return Entry(**{**base, **fields})


def test_story_keys_from_link_guid_and_title():
    entry = _entry(link="https://www.news.example/meta?utm_source=x",
                   guid="http://origin.example/meta-scale")
    assert story_keys(entry) == (
        "link:https://news.example/meta",
        "link:https://origin.example/meta-scale",
        "title:" + title_fingerprint("Meta takes 49% of Scale AI"),
    )


def test_two_outlets_share_a_story_key():
    ours = _entry(link="https://a.example/1", title="Meta takes 49% of Scale AI")
    theirs = _entry(link="https://b.example/9", title="Meta takes 49 % of Scale AI -- report")
    assert set(story_keys(ours)) & set(story_keys(theirs))


def test_story_keys_skip_non_url_guids_and_short_titles():
    assert story_keys(_entry(guid="tag:x,2025:1", title="Podcast")) == ()
