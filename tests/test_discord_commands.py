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
