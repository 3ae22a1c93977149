"""What a Slack reader sees: alerts and digests in Block Kit, within Slack's limits, with feed
text that can never become a mention or a disguised link."""

import re
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.adapters.slack.blocks import (
    MAX_BLOCKS, MAX_SECTION_CHARS, alert_message, digest_messages, escape, safe_url,
)
from bot.core.render import AlertView, Segment, alert_view

PUBLISHED = datetime(2025, 6, 13, 8, 0, tzinfo=UTC)
REFERENCE_ANALYSIS = {
    "entities": ["Meta", "Scale AI"],
    "deals": [{"kind": "investment", "investors": ["Meta"], "target": "Scale AI",
               "amount": {"value": 15_000_000_000, "currency": "USD", "approx": True},
               "stake_percent": 49, "valuation": None, "status": "rumored"}],
    "key_figures": [{"role": "revenue", "value": 2_000_000_000, "currency": "USD", "approx": True,
                     "year": 2025}],
}


def view(title="Meta takes 49 % of Scale AI", link="https://news.example.com/meta-scale",
         source="Loop Wire", summary="Meta would pay close to 15 milliards de dollars for Scale AI.",
         names=("Meta",), lang="en", analysis=REFERENCE_ANALYSIS) -> AlertView:
    return alert_view(title=title, link=link, source=source, published=PUBLISHED, summary=summary,
                      analysis=analysis, watched_names=list(names), lang=lang)


def texts(message: dict) -> list[str]:
    """Every string of a message that Slack would parse as mrkdwn."""
    found = [message["text"]]
    for block in message["blocks"]:
        if "text" in block:
            found.append(block["text"]["text"])
        found += [element["text"] for element in block.get("elements", [])]
    return found


def live_markup(text: str) -> list[str]:
    """The `<…>` spans Slack would turn into links or mentions."""
    return re.findall(r"<([^<>]*)>", text)


def test_an_alert_links_its_headline_and_shows_source_time_names_figures_and_excerpt():
    message = alert_message(view())
    head, about, figures, excerpt = (texts(message))[1:]
    assert head == "*<https://news.example.com/meta-scale|Meta takes 49 % of Scale AI>*"
    assert about == "Loop Wire · 2025-06-13 08:00 UTC · 🔔 Meta"
    assert figures.startswith("💰 Meta: ≈ $15B for 49 % of Scale AI (rumored)")
    assert "revenue ≈ $2B in 2025" in figures
    assert excerpt.startswith("> *Meta* would pay")
    assert message["text"] == "🔔 [Meta] Meta takes 49 % of Scale AI"


def test_the_figures_line_follows_the_channel_language():
    figures = texts(alert_message(view(lang="fr")))[3]
    assert "≈ 15 Md$ pour 49 % de Scale AI (rumeur)" in figures


def test_an_alert_without_figures_or_summary_has_just_headline_and_context():
    message = alert_message(view(summary="", analysis={"entities": ["Meta"]}))
    assert [block["type"] for block in message["blocks"]] == ["section", "context"]


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://e.example.com/a?x=1&y=2", "https://e.example.com/a?x=1&amp;y=2"),
        ("http://e.example.com/p", "http://e.example.com/p"),
        ("https://evil.example|disguised", "https://evil.example%7Cdisguised"),
        ("https://e.example.com/<!channel>", "https://e.example.com/%3C!channel%3E"),
        ("https://e.example.com/café", "https://e.example.com/caf%C3%A9"),
        ("javascript:alert(1)", None),
        ("slack://channel?id=C1", None),
        ("mailto:a@example.com", None),
        ("https://", None),
        ("https://e.example.com/a b", None),
        ("", None),
        (None, None),
    ],
)
def test_only_plain_http_addresses_become_links(url, expected):
    assert safe_url(url) == expected


@pytest.mark.parametrize(
    "title",
    ["<!channel> Meta is buying", "<!here|here> now", "<@U123> look", "<#C42|general>",
     "<https://evil.example|Official statement>", "Q&A: <b>Meta</b>", "<!subteam^S1>"],
)
def test_hostile_titles_are_shown_as_typed(title):
    message = alert_message(view(title=title))
    head = texts(message)[1]
    assert live_markup(head) == [f"https://news.example.com/meta-scale|{escape(title)}"]
    assert live_markup(message["text"]) == []


@settings(max_examples=300, deadline=None)
@given(
    title=st.text(min_size=1, max_size=200),
    summary=st.text(max_size=400),
    source=st.text(max_size=60),
    name=st.text(min_size=1, max_size=30),
    link=st.one_of(st.none(), st.text(max_size=60), st.from_regex(r"https?://[a-z]{1,8}\.example/[ -~]{0,30}", fullmatch=True)),
)
def test_no_feed_text_ever_becomes_a_live_mention_or_link(title, summary, source, name, link):
    alert = view(title=title, summary=summary, source=source, names=(name,), link=link)
    message = alert_message(alert)
    digest = digest_messages([(name, [alert, alert])], "en")
    expected = safe_url(link)
    for text in texts(message) + [t for part in digest for t in texts(part)]:
        for span in live_markup(text):
            # The only markup is our headline link, to the article's own (escaped) address.
            assert expected is not None and span.startswith(expected + "|")
            assert not span.startswith(("!", "@", "#"))
        assert "<" not in re.sub(r"<[^<>]*>", "", text)


def story(i: int, entity: str) -> AlertView:
    return AlertView(title=f"Story {i:03d} about {entity} " + "x" * 150, link=f"https://e.example.com/{i}",
                     source="Wire", published=PUBLISHED, entities=(entity,),
                     figures=f"💰 {entity}: $1{i}M", excerpt=(Segment("text"),))


def test_a_big_digest_is_split_within_slacks_limits_and_lists_every_story_once():
    groups = [(name, [story(i, name) for i in range(n * 100, n * 100 + 40)])
              for n, name in enumerate(["Meta", "Scale AI", "OpenAI"])]
    messages = digest_messages(groups, "en")
    assert len(messages) > 1
    all_text = ""
    for index, message in enumerate(messages, start=1):
        assert len(message["blocks"]) <= MAX_BLOCKS
        assert all(len(text) <= MAX_SECTION_CHARS for text in texts(message))
        assert message["text"] == f"📰 Digest — 120 stories (part {index} of {len(messages)})"
        all_text += "\n".join(texts(message)[1:])
    for n in (0, 100, 200):
        for i in range(n, n + 40):
            assert all_text.count(f"Story {i:03d} ") == 1
    assert all_text.index("*Meta*") < all_text.index("*Scale AI*") < all_text.index("*OpenAI*")


def test_a_small_digest_is_one_message_grouped_by_entity_in_the_channel_language():
    groups = [("Meta", [story(1, "Meta")]), ("Scale AI", [story(2, "Scale AI"), story(3, "Scale AI")])]
    (message,) = digest_messages(groups, "fr")
    assert message["text"] == "📰 Résumé — 3 articles"
    body = texts(message)[1:]
    assert body[0] == "*📰 Résumé — 3 articles*"
    assert body[1] == "*Meta*" and body[3] == "*Scale AI*"
    assert "<https://e.example.com/2|Story 002" in body[4] and "<https://e.example.com/3|" in body[4]
    assert "💰 Scale AI: $12M" in body[4]


def test_a_story_with_more_text_than_a_block_holds_is_cut_not_dropped():
    huge = AlertView(title="T" * 10_000, link=None, source="S" * 5000, published=None, entities=("Meta",),
                     figures="", excerpt=())
    (message,) = digest_messages([("Meta", [huge])], "en")
    assert all(len(text) <= MAX_SECTION_CHARS for text in texts(message))
    assert texts(message)[3].startswith("• TTT")
