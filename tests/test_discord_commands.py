"""Discord slash commands: the pure helpers, the command contract Discord is sent, and every
command driven through the real discord.py against the local Discord stand-in."""

from __future__ import annotations

import discord
import pytest

from bot.adapters.discord.client import bot_intents, build_bot
from bot.adapters.discord.commands import (
    CHOICES_LIMIT,
    MESSAGE_LIMIT,
    can_manage,
    choices,
    fit_message,
    missing_posting,
    safe_text,
)
from bot.settings import Settings, SettingsError, parse_settings

# --- pure helpers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lines, expect_tail",
    [
        (["Deals in the last 30 days:"] + [f"row {i}" for i in range(5)], None),
        (["Deals in the last 30 days:"] + [f"{i:04d} " + "x" * 90 for i in range(60)], "more"),
        (["3 feeds:"] + ["• " + "y" * 1500, "• " + "z" * 1500, "• short"], "… and 2 more"),
    ],
)
def test_fit_message_keeps_whole_lines_and_counts_the_rest(lines, expect_tail):
    text = "\n".join(lines)
    fitted = fit_message(text)
    assert len(fitted) <= MESSAGE_LIMIT
    if expect_tail is None:
        assert fitted == text
        return
    shown, _, tail = fitted.rpartition("\n")
    assert expect_tail in tail
    hidden = int(tail.split()[2])
    assert len(shown.split("\n")) + hidden == len(lines)
    assert all(line in lines for line in shown.split("\n"))


def test_fit_message_cuts_a_single_overlong_line():
    fitted = fit_message("a" * 5000)
    assert len(fitted) == MESSAGE_LIMIT and fitted.endswith("…")


@pytest.mark.parametrize(
    "text, must_not_contain, must_contain",
    [
        ("Watching “@everyone”", "@everyone", "everyone"),
        ("Watching “@here”", "@here", "here"),
        ("Deal by <@123456789012345678>", "<@123456789012345678>", "123456789012345678"),
        ("Added **Loud** _feed_", "**Loud**", "Loud"),
        ("Added [click](https://evil.example.com)", " [click]", "\\[click]"),
        ("# Big heading", "\n# ", "Big heading"),
    ],
)
def test_safe_text_makes_mentions_and_markdown_inert(text, must_not_contain, must_contain):
    escaped = safe_text(text)
    assert must_not_contain not in escaped
    assert must_contain in escaped


def test_safe_text_leaves_links_clickable():
    url = "https://news.example.com/2025/meta_scale_ai*deal"
    assert url in safe_text(f"Removed {url}.")


@pytest.mark.parametrize(
    "permissions, allowed",
    [
        (discord.Permissions(manage_channels=True), True),
        (discord.Permissions(administrator=True), True),
        (discord.Permissions(send_messages=True, manage_messages=True, manage_guild=False), False),
        (discord.Permissions.none(), False),
    ],
)
def test_only_channel_managers_may_change_a_channel(permissions, allowed):
    assert can_manage(permissions) is allowed


@pytest.mark.parametrize(
    "permissions, missing",
    [
        (discord.Permissions(view_channel=True, send_messages=True, embed_links=True), False),
        (discord.Permissions(administrator=True), False),
        (discord.Permissions(view_channel=True, send_messages=True), True),
        (discord.Permissions.none(), True),
    ],
)
def test_watch_warns_when_the_bot_could_not_post_alerts(permissions, missing):
    assert missing_posting(permissions) is missing


def test_autocomplete_choices_stay_within_discords_limits():
    names = [f"Company {i}" for i in range(40)] + ["N" * 150]
    got = choices(names)
    assert len(got) == CHOICES_LIMIT
    assert [c.name for c in got] == names[:CHOICES_LIMIT]
    assert all(c.value == c.name for c in got)
    assert len(choices(["N" * 150])[0].value) == 100


@pytest.mark.parametrize(
    "raw, expected",
    [(None, None), ("", None), ("  ", None), ("123456789012345678", 123456789012345678)],
)
def test_discord_guild_id_setting(raw, expected):
    env = {} if raw is None else {"DISCORD_GUILD_ID": raw}
    assert parse_settings(env).discord_guild_id == expected


@pytest.mark.parametrize("raw", ["my-server", "-5", "12.5", "0", str(2**64)])
def test_a_wrong_discord_guild_id_names_the_setting(raw):
    with pytest.raises(SettingsError, match="DISCORD_GUILD_ID"):
        parse_settings({"DISCORD_GUILD_ID": raw})


# --- what Discord is told about the commands ------------------------------------------------


def test_the_bot_asks_for_the_guilds_intent_only():
    intents = bot_intents()
    assert intents.guilds
    assert intents.value == discord.Intents(guilds=True).value
    assert not intents.message_content and not intents.members and not intents.guild_messages


@pytest.fixture
def command_specs():
    bot = build_bot(runtime=None, settings=Settings())
    return {c.name: c.to_dict(bot.tree) for c in bot.tree.get_commands()}


def _options(spec: dict) -> dict[str, dict]:
    return {o["name"]: o for o in spec.get("options", [])}


def test_command_names_and_options_are_the_contract(command_specs):
    assert set(command_specs) == {"watch", "unwatch", "watchlist", "deals", "feeds", "digest", "language", "help"}
    assert _options(command_specs["watch"])["entity"]["required"] is True
    assert _options(command_specs["watch"])["entity"]["autocomplete"] is True
    assert _options(command_specs["unwatch"])["entity"]["autocomplete"] is True
    deals = _options(command_specs["deals"])
    assert deals["entity"]["required"] is False and deals["days"]["required"] is False
    assert deals["days"]["type"] == discord.AppCommandOptionType.integer.value
    subcommands = _options(command_specs["feeds"])
    assert set(subcommands) == {"add", "remove", "list"}
    assert set(_options(subcommands["add"])) == {"url"}
    assert set(_options(subcommands["remove"])) == {"url"}
    digest = _options(command_specs["digest"])
    assert [c["value"] for c in digest["mode"]["choices"]] == ["instant", "hourly", "daily"]
    assert digest["time"]["required"] is False
    assert [c["value"] for c in _options(command_specs["language"])["lang"]["choices"]] == ["en", "fr"]


def test_mutating_commands_are_hidden_from_non_managers_by_default(command_specs):
    manage_channels = str(discord.Permissions(manage_channels=True).value)
    hinted = {name for name, spec in command_specs.items()
              if str(spec.get("default_member_permissions")) == manage_channels}
    # /feeds mixes open (list) and mutating (add, remove) subcommands, so it carries no hint and
    # relies on the bot's own check alone.
    assert hinted == {"watch", "unwatch", "digest", "language"}


def test_every_command_is_for_server_channels(command_specs):
    assert all(spec.get("contexts") == [0] for spec in command_specs.values())


def test_the_api_base_setting_reroutes_discord_py():
    before = discord.http.Route.BASE
    try:
        build_bot(runtime=None, settings=Settings(discord_api_base="http://127.0.0.1:9/api/v10"))
        assert discord.http.Route("GET", "/gateway/bot").url == "http://127.0.0.1:9/api/v10/gateway/bot"
    finally:
        discord.http.Route.BASE = before


# --- every command through the real discord.py and the local Discord stand-in ----------------

from datetime import timedelta  # noqa: E402

from bot.adapters.discord.commands import REFUSED, SORRY  # noqa: E402
from bot.app import open_runtime  # noqa: E402
from bot.core.model import Deal, Money  # noqa: E402
from bot.services.records import FeedSpec, NewEntry  # noqa: E402
from tests.discord_standin import (  # noqa: E402
    ADMINISTRATOR,
    MEMBER,
    MODERATOR,
    discord_standin,  # noqa: F401 (fixture)
    running_bot,
)
from tests.feedserver import Reply, feed_server  # noqa: E402, F401 (fixture)

GUILD = 1_390_000_000_000_000_001
CHANNEL = 1_390_000_000_000_000_002
OTHER_CHANNEL = 1_390_000_000_000_000_003
USER = 1_390_000_000_000_000_004
RSS = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Loop News</title>'
       "<item><guid>1</guid><title>Hello</title><link>https://e.example.com/1</link></item></channel></rss>")


@pytest.fixture
async def live(tmp_path, discord_standin):  # noqa: F811
    """newsbot's runtime on a fresh database and its bot, connected to the stand-in."""
    standin = discord_standin
    standin.add_guild(GUILD, channels=[CHANNEL, OTHER_CHANNEL], name="Newsroom")
    settings = Settings(db_path=tmp_path / "bot.db", allow_private_urls=True,
                        discord_api_base=standin.api_base, discord_guild_id=GUILD)
    runtime = await open_runtime(settings)
    before = discord.http.Route.BASE
    bot = build_bot(runtime, settings, guild_ready_timeout=0.05)
    try:
        async with running_bot(bot, standin):
            yield standin, runtime
    finally:
        discord.http.Route.BASE = before
        await runtime.close()


async def slash(standin, name, options=None, *, permissions=MODERATOR, channel=CHANNEL):
    handle = await standin.slash(GUILD, channel, USER, name, options or {}, permissions=permissions)
    await handle.message()
    return handle


async def test_commands_are_synced_to_the_configured_guild_at_start(live):
    standin, _ = live
    assert {c["name"] for c in standin.synced[GUILD]} == {
        "watch", "unwatch", "watchlist", "deals", "feeds", "digest", "language", "help"}
    assert None not in standin.synced  # nothing global when a guild is configured
    assert standin.identifies[0]["intents"] == discord.Intents(guilds=True).value


async def test_watch_answers_in_the_channel_and_records_the_channel(live):
    standin, runtime = live
    handle = await slash(standin, "watch", {"entity": "meta platforms"})
    assert not handle.ephemeral
    assert handle.content.startswith("Watching Meta")
    assert (await handle.response())["data"]["allowed_mentions"] == {"parse": []}
    channel = await runtime.store.channel("discord", str(CHANNEL))
    assert channel.name == standin.channel_name(CHANNEL)
    assert [s.entity_id for s in await runtime.store.watchlist(channel.id)] == ["meta"]

    again = await slash(standin, "watch", {"entity": "Meta"})
    assert again.ephemeral and "already" in again.content.lower()

    listing = await slash(standin, "watchlist", permissions=MEMBER)
    assert "• Meta" in listing.content and not listing.ephemeral
    other = await slash(standin, "watchlist", permissions=MEMBER, channel=OTHER_CHANNEL)
    assert other.ephemeral and "watches nothing" in other.content


@pytest.mark.parametrize(
    "name, options",
    [
        ("watch", {"entity": "Meta"}),
        ("unwatch", {"entity": "Meta"}),
        ("digest", {"mode": "hourly"}),
        ("language", {"lang": "fr"}),
        ("feeds add", {"url": "https://news.example.com/feed.xml"}),
        ("feeds remove", {"url": "https://news.example.com/feed.xml"}),
    ],
)
async def test_members_without_manage_channels_cannot_change_the_channel(live, name, options):
    standin, runtime = live
    handle = await slash(standin, name, options, permissions=MEMBER)
    assert handle.ephemeral and handle.content == REFUSED
    channel = await runtime.store.channel("discord", str(CHANNEL))
    assert channel is None or (channel.lang, channel.digest_mode) == ("en", "instant")
    assert channel is None or await runtime.store.watchlist(channel.id) == []
    assert await runtime.store.feed_statuses() == []


async def test_an_administrator_may_change_the_channel(live):
    standin, _ = live
    handle = await slash(standin, "watch", {"entity": "OpenAI"}, permissions=MEMBER | ADMINISTRATOR)
    assert handle.content.startswith("Watching OpenAI")


@pytest.mark.parametrize(
    "name, options, sentence",
    [
        ("watch", {"entity": "   "}, "Say which company"),
        ("watch", {"entity": "!!!"}, "at least one letter"),
        ("watch", {"entity": "x" * 300}, "too long"),
        ("unwatch", {"entity": "Scale AI"}, "does not watch Scale AI"),
        ("deals", {"days": 0}, "days must be between"),
        ("deals", {"days": 99999}, "days must be between"),
        ("digest", {"mode": "hourly", "time": "07:30"}, "only goes with daily"),
        ("digest", {"mode": "daily", "time": "25:99"}, "HH:MM"),
        ("feeds add", {"url": "file:///etc/passwd"}, "refused"),
        ("feeds add", {"url": "two words"}, "single feed address"),
        ("feeds remove", {"url": "https://nowhere.example.com/f.xml"}, "not in the feed list"),
    ],
)
async def test_wrong_arguments_get_one_private_sentence(live, name, options, sentence):
    standin, _ = live
    handle = await slash(standin, name, options)
    assert handle.ephemeral
    assert sentence in handle.content and "\n" not in handle.content


@pytest.mark.parametrize(
    "name, options, sentence",
    [("digest", {"mode": "weekly"}, "instant, hourly or daily"), ("language", {"lang": "de"}, "en or fr")],
)
async def test_a_value_outside_the_choices_is_refused_not_stored(live, name, options, sentence):
    standin, runtime = live
    handle = await slash(standin, name, options)
    assert handle.ephemeral and sentence in handle.content
    assert await runtime.store.channel("discord", str(CHANNEL)) is None


async def test_an_unexpected_failure_is_logged_and_the_user_gets_a_sorry(live, monkeypatch, caplog):
    standin, runtime = live

    async def broken(channel, command):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(runtime.commands, "run", broken)
    handle = await slash(standin, "watchlist", permissions=MEMBER)
    assert handle.ephemeral and handle.content == SORRY
    assert "disk on fire" in caplog.text
    monkeypatch.undo()
    assert "watches nothing" in (await slash(standin, "watchlist")).content  # still serving


async def test_deals_lists_the_ledger_and_fits_one_message(live):
    standin, runtime = live
    now = runtime.clock()
    feed = await runtime.store.add_feed(FeedSpec("https://news.example.com/f.xml"), now)
    entries = []
    for i in range(40):  # more deals than one message can hold
        deal = Deal("investment", (f"Investor Number {i} Capital Partners",), f"Startup {i} Robotics",
                    Money(10_000_000 + i, "USD", False), None, None, "announced")
        entries.append(NewEntry(f"k{i}", f"Startup {i} raises", f"https://e.example.com/{i}",
                                f"https://e.example.com/{i}", "t", "", now - timedelta(hours=i), "en",
                                (), "{}", (deal,)))
    meta = Deal("investment", ("Meta",), "Scale AI", Money(15_000_000_000, "USD", True), 49, None, "rumored")
    entries.append(NewEntry("meta", "Meta takes 49% of Scale AI", "https://e.example.com/meta",
                            "https://e.example.com/meta", "t", "", now, "en", ("meta",), "{}", (meta,)))
    await runtime.store.record_entries(feed.id, entries, now, True)

    everything = await slash(standin, "deals", permissions=MEMBER)
    assert not everything.ephemeral
    assert len(everything.content) <= MESSAGE_LIMIT
    assert everything.content.startswith("Deals in the last 30 days, newest first:")
    assert "more" in everything.content.rsplit("\n", 1)[1]

    filtered = await slash(standin, "deals", {"entity": "Meta", "days": 7}, permissions=MEMBER)
    assert "Meta → Scale AI" in filtered.content and "49 %" in filtered.content
    assert "Startup" not in filtered.content


async def test_feeds_add_defers_then_checks_and_lists_the_feed(live, feed_server):  # noqa: F811
    standin, _ = live
    feed_server.route("/feed.xml", Reply(body=RSS))
    url = feed_server.url("/feed.xml")
    added = await slash(standin, "feeds add", {"url": url})
    assert added.callback_type == 5  # deferred: fetching may take longer than Discord waits
    assert added.ephemeral and "Added Loop News" in added.content

    listing = await slash(standin, "feeds list", permissions=MEMBER)
    assert "Loop News" in listing.content and url in listing.content

    again = await slash(standin, "feeds add", {"url": url})
    assert again.ephemeral and "already in the feed list" in again.content
    removed = await slash(standin, "feeds remove", {"url": url})
    assert "Removed" in removed.content


async def test_digest_language_and_help_follow_the_channel(live):
    standin, runtime = live
    daily = await slash(standin, "digest", {"mode": "daily", "time": "7:30"})
    assert "every day at 07:30 UTC" in daily.content
    assert "Les alertes seront en français" in (await slash(standin, "language", {"lang": "fr"})).content
    channel = await runtime.store.channel("discord", str(CHANNEL))
    assert (channel.digest_mode, channel.digest_time, channel.lang) == ("daily", "07:30", "fr")
    help_fr = await slash(standin, "help", permissions=MEMBER)
    assert help_fr.ephemeral and "surveille" in help_fr.content
    help_en = await slash(standin, "help", permissions=MEMBER, channel=OTHER_CHANNEL)
    assert "/watch" in help_en.content and "watches tech news" in help_en.content


async def test_feed_and_user_text_can_ping_no_one(live):
    standin, _ = live
    handle = await slash(standin, "watch", {"entity": "@everyone <@&123456789012345678> **Widgets**"})
    reply = await handle.response()
    assert reply["data"]["allowed_mentions"] == {"parse": []}
    assert "@everyone" not in handle.content and "<@&123456789012345678>" not in handle.content
    assert "**Widgets**" not in handle.content


async def test_autocomplete_offers_catalog_names_and_the_channels_watches(live):
    standin, _ = live
    suggested = await standin.autocomplete(GUILD, CHANNEL, USER, "watch", {"entity": "sca"}, focused="entity")
    await suggested.response()
    assert "Scale AI" in [c["name"] for c in suggested.choices]
    assert suggested.callback_type == 8

    anything = await standin.autocomplete(GUILD, CHANNEL, USER, "deals", {"entity": ""}, focused="entity")
    await anything.response()
    assert 0 < len(anything.choices) <= CHOICES_LIMIT

    await slash(standin, "watch", {"entity": "Scale AI"})
    await slash(standin, "watch", {"entity": "Quantum Widgets"})
    mine = await standin.autocomplete(GUILD, CHANNEL, USER, "unwatch", {"entity": "q"}, focused="entity")
    await mine.response()
    assert [c["value"] for c in mine.choices] == ["Quantum Widgets"]


async def test_without_a_guild_id_commands_are_synced_globally(tmp_path, discord_standin):  # noqa: F811
    discord_standin.add_guild(GUILD, channels=[CHANNEL])
    settings = Settings(db_path=tmp_path / "bot.db", discord_api_base=discord_standin.api_base)
    runtime = await open_runtime(settings)
    before = discord.http.Route.BASE
    try:
        async with running_bot(build_bot(runtime, settings, guild_ready_timeout=0.05), discord_standin):
            assert len(discord_standin.synced[None]) == 8 and GUILD not in discord_standin.synced
    finally:
        discord.http.Route.BASE = before
        await runtime.close()
