"""Alert and digest embeds: what a reader sees, what hostile feed text cannot do, Discord's limits.

The dict checked here is `embed.to_dict()`, exactly what discord.py posts; test_discord_delivery
checks the same against a real post."""

import re
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.adapters.discord.embeds import (
    CHARS_PER_MESSAGE,
    DESCRIPTION_MAX,
    EMBEDS_PER_MESSAGE,
    TITLE_MAX,
    alert_embed,
    clip,
    digest_messages,
    safe,
    safe_url,
)
from bot.core.render import AlertView, Segment

PUBLISHED = datetime(2025, 6, 13, 8, 30, tzinfo=UTC)

# What Discord would turn into a ping, a mention pill, an emoji, a timestamp or a command link.
LIVE_MENTION = re.compile(r"@(everyone|here)|<(@[!&]?|#|/|t:|a?:|id:)")
ZERO_WIDTH = "\u200b"


def view(title="Meta to take 49% of Scale AI", *, link="https://news.example.com/a3", source="Wire",
         figures="💰 Meta: ≈ $15B for 49 % of Scale AI", excerpt=None, entities=("Meta",)):
    if excerpt is None:
        excerpt = (Segment("Talks: "), Segment("Meta", True), Segment(" would invest in Scale AI."))
    return AlertView(title=title, link=link, source=source, published=PUBLISHED,
                     entities=tuple(entities), figures=figures, excerpt=tuple(excerpt))


def unescaped(text: str, chars: str) -> list[int]:
    """Positions of `chars` not escaped by an odd run of backslashes."""
    found, run = [], 0
    for index, char in enumerate(text):
        if char in chars and run % 2 == 0:
            found.append(index)
        run = run + 1 if char == "\\" else 0
    return found


def displayed(markdown: str) -> str:
    """Roughly what Discord shows for escaped text: escapes resolved, zero-width spaces invisible."""
    return re.sub(r"\\(.)", r"\1", markdown).replace(ZERO_WIDTH, "")


def all_text(embed: dict) -> list[str]:
    return [embed.get("title", ""), embed.get("description", ""),
            embed.get("footer", {}).get("text", ""), embed.get("author", {}).get("name", ""),
            *(f["value"] for f in embed.get("fields", []))]


# -- the alert a reader sees ----------------------------------------------------------------------

def test_alert_embed_shows_headline_link_outlet_time_entities_figures_and_bold_names():
    embed = alert_embed(view(entities=("Meta", "Scale AI"))).to_dict()
    assert embed["title"] == "Meta to take 49% of Scale AI"
    assert embed["url"] == "https://news.example.com/a3"
    assert embed["footer"]["text"] == "Wire"
    assert embed["timestamp"] == PUBLISHED.isoformat()
    assert "Meta" in embed["author"]["name"] and "Scale AI" in embed["author"]["name"]
    first_line, _, rest = embed["description"].partition("\n")
    assert first_line == "💰 Meta: ≈ $15B for 49 % of Scale AI"
    assert "> Talks: **Meta** would invest in Scale AI." in rest


def test_alert_without_figures_or_excerpt_has_no_empty_lines():
    embed = alert_embed(view(figures="", excerpt=())).to_dict()
    assert "description" not in embed


def test_naive_publication_time_is_read_as_utc():
    naive = AlertView("t", None, None, datetime(2025, 6, 13, 8, 30), (), "", ())
    assert alert_embed(naive).to_dict()["timestamp"] == PUBLISHED.isoformat()


@pytest.mark.parametrize("link, expected", [
    ("https://news.example.com/a3", "https://news.example.com/a3"),
    ("https://news.example.com/a (b)", "https://news.example.com/a%20%28b%29"),
    ("javascript:alert(1)", None),
    ("ftp://files.example.com/x", None),
    ("https://", None),
    ("https://news.example.com/" + "x" * 600, None),
    (None, None),
])
def test_only_http_links_reach_the_embed(link, expected):
    assert safe_url(link) == expected


# -- hostile feed text ----------------------------------------------------------------------------

@pytest.mark.parametrize("title", [
    "Big news @everyone",
    "@here read this",
    "Ping <@&123456789012345678> and <@&123>",
    "User <@123456789012345678> or <@!123456789012345678>",
    "Go to <#1> or <#123456789012345678>",
    "Run </watch:123456789012345678> now",
    "Deadline <t:1718000000:R>",
    "@\u200beveryone and @\u2060here and <\u200b@&123>",
    "\u202eenoyreve@",
])
def test_no_mention_survives_in_any_embed_text(title):
    embed = alert_embed(view(title, source=title, entities=(title,), figures=title,
                             excerpt=(Segment(title), Segment(title, True)))).to_dict()
    for text in all_text(embed):
        assert not LIVE_MENTION.search(text), text


@pytest.mark.parametrize("title", [
    "[click me](http://evil.example)",
    "[click me](<http://evil.example>)",
    "nested [a [b](http://evil.example)](http://evil.example)",
    "half ](http://evil.example) and [",
    "escaped \\[x](http://evil.example)",
])
def test_masked_links_from_feeds_do_not_render(title):
    embed = alert_embed(view(title, excerpt=(Segment(title),), figures=title)).to_dict()
    for text in (embed["title"], embed["description"]):
        assert unescaped(text, "[]") == []


@pytest.mark.parametrize("title", [
    "Meta's *huge* deal_v2 ~~maybe~~ ||spoiler|| `code`",
    "# not a heading",
    "> not a quote",
    "- not a list",
    "back\\slash \\*stays\\*",
    "[rumor] Meta [updated]",
])
def test_markup_in_titles_is_shown_as_typed(title):
    shown = alert_embed(view(title)).to_dict()["title"]
    assert unescaped(shown, "*_~|`[]") == []
    assert displayed(shown) == title


def test_invisible_characters_are_dropped_and_lines_cannot_break():
    shown = alert_embed(view("Meta\u200b \u202ebuys\nScale\u2066 AI")).to_dict()["title"]
    assert displayed(shown) == "Meta buys Scale AI"


HOSTILE_PIECES = ["@everyone", "@here", "@", "everyone", "<@&123>", "<@123456789012345678>",
                  "<#1>", "</cmd:1>", "<t:1:R>", "<", ">", "[x](http://evil.example)", "[", "]",
                  "(", ")", "](", "\\", "*", "_", "`", "|", "~", "#", "-", " ", "\n", "\u200b",
                  "\u2060", "\u202e", "\ufeff", "https://x.example/a_b*c", "Meta", "é", "🚀"]
hostile_text = st.lists(st.sampled_from(HOSTILE_PIECES) | st.text(max_size=3), max_size=60).map("".join)


@settings(max_examples=300, deadline=None)
@given(title=hostile_text, source=hostile_text, excerpt=hostile_text)
def test_property_hostile_text_never_pings_links_or_overflows(title, source, excerpt):
    embed = alert_embed(view(title, source=source, figures=excerpt, entities=(source,),
                             excerpt=(Segment(excerpt), Segment(title, True)))).to_dict()
    for text in all_text(embed):
        assert not LIVE_MENTION.search(text)
    assert unescaped(embed["title"], "[]") == []
    assert unescaped(embed.get("description", ""), "[]") == []
    assert 0 < len(embed["title"]) <= TITLE_MAX
    assert len(embed.get("description", "")) <= DESCRIPTION_MAX


@pytest.mark.parametrize("text, limit, expected", [
    ("short", 10, "short"),
    ("abcdefghij", 5, "abcd…"),
    ("abc\\*def", 5, "abc…"),  # never end on the backslash that escaped the cut character
    ("ab\\\\cdef", 5, "ab\\\\…"),  # an escaped backslash is a pair and stays whole
])
def test_clip(text, limit, expected):
    assert clip(text, limit) == expected
    assert len(clip(text, limit)) <= limit


def test_long_titles_are_cut_within_the_limit():
    embed = alert_embed(view("Meta " * 200)).to_dict()
    assert len(embed["title"]) == TITLE_MAX and embed["title"].endswith("…")


# -- digests --------------------------------------------------------------------------------------

def story(n: int, title_len: int = 40, figures: str = "💰 $1B") -> AlertView:
    title = f"S{n:03d} " + "x" * max(title_len - 5, 0)
    return view(title, link=f"https://news.example.com/s{n}", figures=figures)


def message_size(embeds) -> int:
    return sum(len(e) for e in embeds)


def links_in_order(messages) -> list[str]:
    text = "\n".join(e.description for m in messages for e in m)
    return re.findall(r"\]\((https://news\.example\.com/s\d+)\)", text)


def test_a_short_digest_is_one_message_with_one_embed_per_entity():
    messages = digest_messages([("Meta", [story(1), story(2)]), ("OpenAI", [story(3)])], "en")
    assert len(messages) == 1
    assert [e.title for e in messages[0]] == ["Meta — 2 stories", "OpenAI — 1 story"]
    meta = messages[0][0].description
    assert "**[S001 " in meta and "](https://news.example.com/s1)** · *Wire*\n💰 $1B" in meta


def test_digest_headings_follow_the_channel_language():
    messages = digest_messages([("Meta", [story(1), story(2)])], "fr")
    assert messages[0][0].title == "Meta — 2 articles"


def test_more_than_ten_entities_split_over_messages():
    groups = [(f"Entity {i}", [story(i)]) for i in range(23)]
    messages = digest_messages(groups, "en")
    assert [len(m) for m in messages] == [10, 10, 3]
    assert links_in_order(messages) == [f"https://news.example.com/s{i}" for i in range(23)]


def test_a_long_group_continues_in_more_embeds_and_messages_within_limits():
    stories = [story(i, title_len=200, figures="💰 " + "y" * 300) for i in range(60)]
    messages = digest_messages([("Meta", stories)], "en")
    embeds = [e for m in messages for e in m]
    assert len(embeds) > 1 and embeds[1].title == "Meta (cont.)"
    assert len(messages) > 1
    for message in messages:
        assert len(message) <= EMBEDS_PER_MESSAGE and message_size(message) <= CHARS_PER_MESSAGE
    assert all(len(e.description) <= DESCRIPTION_MAX for e in embeds)
    assert links_in_order(messages) == [f"https://news.example.com/s{i}" for i in range(60)]


def test_hostile_titles_in_a_digest_keep_only_our_links():
    hostile = view("[free](http://evil.example) @everyone <@&1>", link="https://news.example.com/s1")
    (message,) = digest_messages([("@here <#1>", [hostile])], "en")
    embed = message[0].to_dict()
    assert not LIVE_MENTION.search(embed["title"]) and not LIVE_MENTION.search(embed["description"])
    assert re.findall(r"\]\((\S+?)\)", embed["description"].replace("\\]", "")) == ["https://news.example.com/s1"]
    assert len(unescaped(embed["description"], "[]")) == 2  # our own masked link, nothing else


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(1, 400), st.integers(0, 500)), min_size=1, max_size=30))
def test_property_digests_respect_every_limit_and_keep_every_story_once(shape):
    groups, n = [], 0
    for count, title_len, figures_len in shape:
        stories = [story(n + i, title_len, "f" * figures_len) for i in range(count)]
        n += count
        groups.append((f"E{len(groups)}", stories))
    messages = digest_messages(groups, "en")
    for message in messages:
        assert 1 <= len(message) <= EMBEDS_PER_MESSAGE
        assert message_size(message) <= CHARS_PER_MESSAGE
        for embed in message:
            assert len(embed.title) <= TITLE_MAX and len(embed.description) <= DESCRIPTION_MAX
    assert links_in_order(messages) == [f"https://news.example.com/s{i}" for i in range(n)]


@pytest.mark.parametrize("text", ["@everyone", "<@&1>", "[a](http://b.example)", "a\u200b@here"])
def test_safe_is_idempotent_on_what_matters(text):
    assert not LIVE_MENTION.search(safe(text))
    assert unescaped(safe(text), "[]") == []
