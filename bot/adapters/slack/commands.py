"""Slack slash commands: thin wrappers over the shared use-cases.

Slack sends a command's arguments as one line of text, so `/watch` with text "Scale AI" is
parsed exactly as the console parses `/watch Scale AI` (`bot.core.commands.parse_command`)
and run by `ChannelCommands.run`; nothing here decides what a command does. What is Slack's
own lives here:

- `ack()` first: Slack shows the user an error if a command is not acknowledged within three
  seconds, and fetching a feed for `/feeds add` can take longer. The answer follows through
  `respond` (the command's response_url).
- the permission idea shared with Discord: commands that change a channel are for workspace
  admins and owners and for the channel's creator (users.info, conversations.info); anyone may
  read. Slack has no per-channel "manage" right to check instead.
- every refusal and every `NewsbotError` is one ephemeral sentence, anything else is logged and
  the user gets a generic ephemeral sorry; replies are escaped, so a name or URL typed by a user
  cannot turn into a mention.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from slack_sdk.errors import SlackApiError

from bot.adapters.slack.blocks import reply_text
from bot.adapters.slack.sender import error_code
from bot.core.commands import parse_command
from bot.core.errors import NewsbotError
from bot.services.commands import needs_manager

log = logging.getLogger(__name__)

PLATFORM = "slack"
# `/newsbot watch Meta` does what `/watch Meta` does, for workspaces where another app
# already owns one of the short names.
UMBRELLA = "/newsbot"
SLASH_COMMANDS = ("/watch", "/unwatch", "/watchlist", "/deals", "/feeds", "/digest", "/language",
                  "/help", UMBRELLA)

REFUSED = ("Only workspace admins and owners, and the person who created this channel, can "
           "change what it watches. Anyone can use /watchlist, /deals and /feeds list.")
SORRY = "Sorry, something went wrong on our side. It has been logged; please try again later."
INVITE = "Note: I am not a member of this channel yet, so alerts cannot arrive. Invite me with /invite."

Respond = Callable[..., Awaitable[object]]


def unescape(text: str) -> str:
    """Slack sends `&`, `<` and `>` typed in a command as `&amp;`, `&lt;`, `&gt;`; we want what
    was typed (`/watch AT&T`), and escape again when replying."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def command_line(command: str, text: str | None) -> str:
    """The console form of a Slack command: ("/deals", "Meta 7") -> "/deals Meta 7"."""
    text = unescape(text or "").strip()
    if command == UMBRELLA:
        return "/" + text if text else "/help"
    return f"{command} {text}".strip()


def may_change(user_id: str, user: dict | None, channel: dict | None) -> bool:
    """Workspace admins and owners, the channel's creator, or the one person in a direct message."""
    user = user or {}
    if user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"):
        return True
    if not channel:
        return False
    if channel.get("is_im"):
        return channel.get("user") == user_id  # the person talking with the bot
    return bool(channel.get("creator")) and channel.get("creator") == user_id


def bot_missing(channel: dict | None) -> bool:
    """Whether conversations.info says the bot is not in the channel (DMs have no is_member)."""
    return bool(channel) and not channel.get("is_im") and channel.get("is_member") is False


class SlackCommands:
    """Runs the shared use-cases for Slack slash commands."""

    def __init__(self, runtime) -> None:
        self.runtime = runtime

    async def answer(self, payload: dict, respond: Respond, client) -> None:
        """Parse, check, run and reply to one slash command payload (already acknowledged)."""
        channel_id = str(payload.get("channel_id") or "")
        try:
            command = parse_command(command_line(str(payload.get("command") or ""), payload.get("text")))
            info = None
            if needs_manager(command):
                user, info = await self._who_and_where(client, str(payload.get("user_id") or ""), channel_id)
                if not may_change(str(payload.get("user_id") or ""), user, info):
                    await respond(text=REFUSED, response_type="ephemeral")
                    return
            channel = await self.runtime.store.ensure_channel(
                PLATFORM, channel_id, self.runtime.clock(), name=payload.get("channel_name") or None
            )
            result = await self.runtime.commands.run(channel, command)
            text = reply_text(result.text)
            if command.name == "watch" and bot_missing(info):
                text += "\n" + INVITE
            await respond(text=text, response_type="ephemeral" if result.ephemeral else "in_channel")
        except NewsbotError as error:
            await respond(text=reply_text(str(error)), response_type="ephemeral")
        except Exception:
            log.exception("slack: %s failed in channel %s", payload.get("command"), channel_id)
            await respond_quietly(respond, SORRY)

    async def _who_and_where(self, client, user_id: str, channel_id: str) -> tuple[dict | None, dict | None]:
        """users.info and conversations.info; a refusal from Slack means "no", not a crash."""
        return await _info(client.users_info, "user", user=user_id), \
            await _info(client.conversations_info, "channel", channel=channel_id)


async def _info(method, field: str, **kwargs) -> dict | None:
    try:
        response = await method(**kwargs)
    except SlackApiError as error:
        # channel_not_found for a private channel the bot is not in, user_not_found…
        log.info("slack: %s refused: %s", field, error_code(error.response))
        return None
    return response.get(field)


async def respond_quietly(respond: Respond, text: str) -> None:
    try:
        await respond(text=text, response_type="ephemeral")
    except Exception:  # the response_url may have expired (30 minutes) or be unreachable
        log.exception("slack: could not send the apology")


def register(app, front: SlackCommands) -> None:
    """Attach one thin listener per slash command to a bolt `AsyncApp`."""

    async def on_command(ack, command, respond, client) -> None:
        await ack()  # within Slack's three seconds, before any slow work
        await front.answer(command, respond, client)

    for name in SLASH_COMMANDS:
        app.command(name)(on_command)

    async def on_error(error, body) -> None:
        log.error("slack: unhandled error for %s: %r", (body or {}).get("command"), error)

    app.error(on_error)

