"""The Discord connection: an `AutoShardedBot` carrying newsbot's slash commands.

`DISCORD_API_BASE` replaces discord.py's REST base (`discord.http.Route.BASE`). Because an
auto-sharded bot asks `GET /gateway/bot` for its gateway URL, that one setting reroutes the
gateway too: an operator's REST proxy and the tests' local stand-in both work this way.
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord.ext import commands

from bot.adapters.discord.commands import register

log = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://discord.com/api/v10"


def bot_intents() -> discord.Intents:
    """Slash commands and channel posts need the guild list only: no members, no presences,
    no message content (a privileged intent the bot would have to justify)."""
    intents = discord.Intents.none()
    intents.guilds = True
    return intents


def apply_api_base(base: str | None) -> None:
    discord.http.Route.BASE = (base or DEFAULT_API_BASE).rstrip("/")


class NewsBot(commands.AutoShardedBot):
    def __init__(self, runtime, *, guild_id: int | None = None, **options) -> None:
        # newsbot never joins voice: the library's start-up warnings about voice packages would
        # only make operators look for a problem that is not there.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        # No prefix commands: without the message content intent they could not be read anyway.
        super().__init__(command_prefix=commands.when_mentioned, intents=bot_intents(), help_command=None,
                         **options)
        self.runtime = runtime
        self.sync_guild_id = guild_id
        self.handlers = register(self.tree, runtime)
        # Set once Discord accepted the token and the commands are synced: `newsbot run` starts
        # polling and posting only then, so a wrong token stops it before it does anything.
        # (Posting needs the REST API only, not the gateway's READY, which discord.py delays
        # until every guild has arrived.)
        self.logged_in = asyncio.Event()

    async def setup_hook(self) -> None:
        # Runs after login, before the gateway: the application id is known, so commands can be
        # synced here. One guild updates at once (for testing a bot); global sync may take a while
        # to show in every server.
        if self.sync_guild_id:
            guild = discord.Object(id=self.sync_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            where = f"guild {self.sync_guild_id}"
        else:
            synced = await self.tree.sync()
            where = "all guilds"
        log.info("discord: synced %d commands to %s: %s", len(synced), where,
                 ", ".join("/" + c.name for c in synced))
        self.logged_in.set()

    async def on_ready(self) -> None:
        guilds = sorted(self.guilds, key=lambda g: g.id)
        log.info("discord: connected as %s, serving %d guild(s)%s", self.user, len(guilds),
                 (": " + ", ".join(f"{g.name} ({g.id})" for g in guilds)) if guilds else "")

    async def on_guild_join(self, guild: discord.Guild) -> None:
        log.info("discord: joined guild %s (%s)", guild.name, guild.id)

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        log.info("discord: left guild %s (%s)", guild.name, guild.id)


def build_bot(runtime, settings, **options) -> NewsBot:
    """`options` go to discord.py's client (tests pass a short `guild_ready_timeout`)."""
    apply_api_base(settings.discord_api_base)
    return NewsBot(runtime, guild_id=settings.discord_guild_id, **options)


def describe_connection_failure(error: BaseException, settings) -> str:
    """One line for the operator in place of a traceback; never the token itself."""
    if isinstance(error, discord.LoginFailure):
        return f"the token was refused (check DISCORD_TOKEN): {error}"
    if isinstance(error, discord.PrivilegedIntentsRequired):
        return str(error)
    if isinstance(error, (OSError, discord.HTTPException, discord.GatewayNotFound, discord.ConnectionClosed)):
        return f"cannot connect to {settings.discord_api_base or DEFAULT_API_BASE}: {error}"
    return f"the connection failed: {error!r}"
