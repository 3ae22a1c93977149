"""Discord slash commands: thin wrappers over the shared use-cases.

Each command turns its options into a `Command` with the shared parsers of `bot.core.commands`
and hands it to `ChannelCommands.run`; nothing here decides what a command does. What is
Discord's own lives here:

- the permission check: a command that changes the channel needs Manage Channels, checked on
  the interaction itself (`default_permissions` only hides commands in Discord's menu, and a
  server admin can change that in the server settings);
- every refusal and every `NewsbotError` is one ephemeral sentence, anything else is logged and
  the user gets a generic ephemeral sorry — no option value can crash a handler;
- replies are escaped (names, feed titles and URLs come from users and feeds), never mention
  anyone, and fit Discord's 2,000-character message limit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Literal

import discord
from discord import app_commands

from bot.core.commands import Command, clean_entity, parse_days, parse_digest, parse_language, parse_url_arg
from bot.core.errors import NewsbotError
from bot.services.commands import needs_manager

log = logging.getLogger(__name__)

PLATFORM = "discord"
MESSAGE_LIMIT = 2000  # characters in one Discord message
CHOICES_LIMIT = 25  # autocomplete answers Discord accepts
CHOICE_NAME_LIMIT = 100
NO_MENTIONS = discord.AllowedMentions.none()
# What the bot needs in a channel to post alerts there (the invite asks for exactly these).
POSTING = discord.Permissions(view_channel=True, send_messages=True, embed_links=True)

REFUSED = "Only members with the Manage Channels permission can change this channel's alerts."
GUILD_ONLY = "newsbot works in server channels; use its commands there."
SORRY = "Sorry, something went wrong on our side. It has been logged; please try again later."
CANNOT_POST = ("Note: I cannot post alerts here yet. Give me View Channel, Send Messages and "
               "Embed Links in this channel.")


def safe_text(text: str) -> str:
    """User- and feed-supplied text made inert: no markdown, no mention syntax. Links stay
    clickable (escaping inside a URL would break it)."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def fit_message(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """Keep whole lines while they fit and say how many were left out.

    Replies are a header line then one line per item (deals, feeds), so cutting between lines
    keeps every line shown readable."""
    if len(text) <= limit:
        return text
    lines = text.split("\n")
    kept: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        rest = len(lines) - index
        tail = f"\n… and {rest} more"
        if used + len(line) + 1 + len(tail) > limit:
            if not kept:  # one line longer than a message: cut inside it
                return line[: limit - 1] + "…"
            return "\n".join(kept) + tail
        kept.append(line)
        used += len(line) + 1
    return "\n".join(kept)  # unreachable: the text was longer than the limit


def can_manage(permissions: discord.Permissions) -> bool:
    return permissions.manage_channels or permissions.administrator


def missing_posting(app_permissions: discord.Permissions) -> bool:
    return not app_permissions.is_superset(POSTING) and not app_permissions.administrator


def choices(names: Iterable[str]) -> list[app_commands.Choice[str]]:
    """Autocomplete answers within Discord's limits (25 choices, 100 characters each)."""
    out = []
    for name in names:
        name = name[:CHOICE_NAME_LIMIT]
        out.append(app_commands.Choice(name=name, value=name))
        if len(out) == CHOICES_LIMIT:
            break
    return out


class DiscordCommands:
    """Runs the shared use-cases for Discord interactions."""

    def __init__(self, runtime) -> None:
        self.runtime = runtime

    async def channel_of(self, interaction: discord.Interaction):
        """The store's row for the interaction's channel, created on first use."""
        name = getattr(interaction.channel, "name", None)
        return await self.runtime.store.ensure_channel(
            PLATFORM, str(interaction.channel_id), self.runtime.clock(), name=name
        )

    async def answer(
        self, interaction: discord.Interaction, build: Callable[[], Command], *, slow: bool = False
    ) -> None:
        """Parse, check, run and reply. `slow` commands defer first: Discord drops an
        interaction not answered within 3 seconds, and fetching a feed can take longer."""
        try:
            if interaction.guild_id is None:
                await reply(interaction, GUILD_ONLY, ephemeral=True)
                return
            command = build()
            if needs_manager(command) and not can_manage(interaction.permissions):
                await reply(interaction, REFUSED, ephemeral=True)
                return
            if slow:
                # Ephemeral, because the first follow-up of a deferred interaction inherits its
                # visibility and an error must not be shown to the whole channel.
                await interaction.response.defer(ephemeral=True, thinking=True)
            channel = await self.channel_of(interaction)
            result = await self.runtime.commands.run(channel, command)
            text = safe_text(result.text)
            if command.name == "watch" and missing_posting(interaction.app_permissions):
                text += "\n" + CANNOT_POST
            await reply(interaction, text, ephemeral=result.ephemeral)
        except NewsbotError as error:
            await reply(interaction, safe_text(str(error)), ephemeral=True)
        except Exception:
            log.exception("/%s failed in channel %s", _command_name(interaction), interaction.channel_id)
            await reply_quietly(interaction, SORRY)

    async def entity_names(self, current: str) -> list[app_commands.Choice[str]]:
        try:
            return choices(self.runtime.analyzer.catalog.suggest(current or "", CHOICES_LIMIT))
        except Exception:  # an autocomplete failure must not surface as an error
            log.exception("autocomplete failed for %r", current[:100])
            return []

    async def watched_names(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        """For /unwatch: the channel's own watches, those starting with what was typed first."""
        try:
            channel = await self.runtime.store.channel(PLATFORM, str(interaction.channel_id))
            if channel is None:
                return []
            names = [s.display_name for s in await self.runtime.store.watchlist(channel.id)]
            typed = (current or "").casefold()
            starting = [n for n in names if n.casefold().startswith(typed)]
            inside = [n for n in names if typed in n.casefold() and n not in starting]
            return choices(starting + inside)
        except Exception:
            log.exception("autocomplete failed for %r", current[:100])
            return []


async def reply(interaction: discord.Interaction, text: str, *, ephemeral: bool) -> None:
    text = fit_message(text)
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS)
    else:
        await interaction.response.send_message(text, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS)


async def reply_quietly(interaction: discord.Interaction, text: str) -> None:
    """Last-resort reply: if even this fails (the interaction expired), log and move on."""
    try:
        await reply(interaction, text, ephemeral=True)
    except Exception:
        log.warning("could not tell the user about a failure in channel %s", interaction.channel_id,
                    exc_info=True)


def _command_name(interaction: discord.Interaction) -> str:
    command = interaction.command
    return command.qualified_name if command else "?"


def register(tree: app_commands.CommandTree, runtime) -> DiscordCommands:
    """Add every newsbot command to `tree`; returns the handler object (for tests)."""
    handlers = DiscordCommands(runtime)
    manage = app_commands.default_permissions(manage_channels=True)

    @tree.command(name="watch", description="Watch a company or topic in this channel")
    @app_commands.describe(entity="A company, person or topic: Meta, Scale AI, AGI, or any phrase")
    @app_commands.guild_only()
    @manage
    async def watch(interaction: discord.Interaction, entity: str) -> None:
        await handlers.answer(interaction, lambda: Command("watch", {"entity": clean_entity(entity)}))

    @watch.autocomplete("entity")
    async def watch_entity(interaction: discord.Interaction, current: str):
        return await handlers.entity_names(current)

    @tree.command(name="unwatch", description="Stop watching a company or topic in this channel")
    @app_commands.describe(entity="One of this channel's watches (see /watchlist)")
    @app_commands.guild_only()
    @manage
    async def unwatch(interaction: discord.Interaction, entity: str) -> None:
        await handlers.answer(interaction, lambda: Command("unwatch", {"entity": clean_entity(entity)}))

    @unwatch.autocomplete("entity")
    async def unwatch_entity(interaction: discord.Interaction, current: str):
        return await handlers.watched_names(interaction, current)

    @tree.command(name="watchlist", description="What this channel watches")
    @app_commands.guild_only()
    async def watchlist(interaction: discord.Interaction) -> None:
        await handlers.answer(interaction, lambda: Command("watchlist"))

    @tree.command(name="deals", description="Who invested in whom lately, newest first")
    @app_commands.describe(entity="Only deals involving this company", days="How many days back (default 30)")
    @app_commands.guild_only()
    async def deals(interaction: discord.Interaction, entity: str | None = None, days: int = 30) -> None:
        def build() -> Command:
            return Command("deals", {"entity": clean_entity(entity) if entity else None,
                                     "days": parse_days(days)})
        await handlers.answer(interaction, build)

    @deals.autocomplete("entity")
    async def deals_entity(interaction: discord.Interaction, current: str):
        return await handlers.entity_names(current)

    feeds = app_commands.Group(
        name="feeds", description="The news feeds newsbot reads",
        allowed_contexts=app_commands.AppCommandContext(guild=True),
    )

    @feeds.command(name="add", description="Add a news feed (it is fetched once to check it)")
    @app_commands.describe(url="The feed's address (RSS or Atom)")
    async def feeds_add(interaction: discord.Interaction, url: str) -> None:
        await handlers.answer(
            interaction, lambda: Command("feeds", {"action": "add", "url": parse_url_arg(url)}), slow=True
        )

    @feeds.command(name="remove", description="Stop reading a news feed")
    @app_commands.describe(url="The feed's address, as /feeds list shows it")
    async def feeds_remove(interaction: discord.Interaction, url: str) -> None:
        await handlers.answer(interaction, lambda: Command("feeds", {"action": "remove", "url": parse_url_arg(url)}))

    @feeds.command(name="list", description="The feeds read, with their health")
    async def feeds_list(interaction: discord.Interaction) -> None:
        await handlers.answer(interaction, lambda: Command("feeds", {"action": "list"}))

    tree.add_command(feeds)

    @tree.command(name="digest", description="How this channel receives alerts")
    @app_commands.describe(mode="instant: as they come; hourly or daily: gathered", time="For daily: HH:MM, UTC")
    @app_commands.guild_only()
    @manage
    async def digest(
        interaction: discord.Interaction, mode: Literal["instant", "hourly", "daily"], time: str | None = None
    ) -> None:
        def build() -> Command:
            parsed_mode, parsed_time = parse_digest(mode, time)
            return Command("digest", {"mode": parsed_mode, "time": parsed_time})
        await handlers.answer(interaction, build)

    @tree.command(name="language", description="The language of this channel's alerts")
    @app_commands.describe(lang="en: English, fr: français")
    @app_commands.guild_only()
    @manage
    async def language(interaction: discord.Interaction, lang: Literal["en", "fr"]) -> None:
        def build() -> Command:
            # discord.py passes an option value outside the declared choices through unchecked.
            return Command("language", {"lang": parse_language(lang)})
        await handlers.answer(interaction, build)

    @tree.command(name="help", description="What newsbot does and its commands")
    @app_commands.guild_only()
    async def help_(interaction: discord.Interaction) -> None:
        await handlers.answer(interaction, lambda: Command("help"))

    @tree.error
    async def on_tree_error(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        # Errors raised before our handler runs: an option value discord.py cannot convert
        # (Literal choices, integers), or an unknown command after a resync.
        if isinstance(error, app_commands.TransformerError):
            await reply_quietly(interaction, f"That value does not fit: {safe_text(str(error.value))[:100]}.")
            return
        if isinstance(error, app_commands.CommandNotFound):
            await reply_quietly(interaction, "That command is gone; try /help.")
            return
        log.error("/%s failed in channel %s", _command_name(interaction), interaction.channel_id,
                  exc_info=error)
        await reply_quietly(interaction, SORRY)

    return handlers
