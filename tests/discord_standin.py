"""A local stand-in for Discord (REST API v10 + gateway) that the REAL discord.py 2.7 talks to.

It runs an aiohttp server on 127.0.0.1 (port 0). Point `discord.http.Route.BASE` at
`standin.api_base` and an `AutoShardedBot` logs in (`GET /users/@me`,
`GET /oauth2/applications/@me`), asks `GET /gateway/bot` for the websocket URL (ours), identifies,
receives READY and one GUILD_CREATE per configured guild, heartbeats, syncs its commands,
answers interactions and posts messages. Everything is recorded for the test to read.

Quick start (see `running_bot` and the `discord_standin` fixture):

    from tests.discord_standin import DiscordStandIn, running_bot, discord_standin  # noqa: F401

    async def test_something(discord_standin):
        standin = discord_standin                      # already started
        standin.add_guild(GUILD, channels=[CHANNEL])   # before the bot connects
        bot = commands.AutoShardedBot(command_prefix="!", intents=discord.Intents.default(),
                                      guild_ready_timeout=0.05)   # else `ready` waits 2 s
        async with running_bot(bot, standin):          # login + connect + wait ready; clean close
            handle = await standin.slash(GUILD, CHANNEL, USER, "watch", {"entity": "Meta"})
            reply = await handle.message()             # what the user sees
            assert reply["content"] ... and handle.ephemeral ...
        assert standin.messages_in(CHANNEL) ...

Stable API (part B of issue 4 builds on it; extend, do not rename):

Identity: `standin.token` (the token it accepts; any other gets 401 -> LoginFailure),
`standin.app_id`, `standin.bot_id` (== app_id), `standin.api_base` ("http://127.0.0.1:P/api/v10"),
`standin.gateway_url`.

World: `add_guild(guild_id, channels=[ids], name=None, locale="en-US")` (a text channel per id,
an @everyone role and a bot role, the bot as a member; call before the bot connects),
`channel_name(channel_id)`.

Records:
- `requests: list[SeenRequest]` every REST request (method, path without /api/v10, query, json,
  status answered, monotonic time `at`). `requests_to(method, glob)` filters with fnmatch on the path.
- `messages: list[dict]` every message created (channel posts, interaction replies, followups), as
  the stored Discord message object plus `"nonce"`, `"allowed_mentions"` (as posted) and `"edits"`
  (count). `messages_in(channel_id)` -> channel posts of one channel.
- `synced: dict[int | None, list[dict]]` command definitions last PUT, by guild id (None = global);
  `sync_calls: list[tuple[int | None, list[dict]]]` every sync in order.
- `identifies: list[dict]` IDENTIFY payloads (token, intents, shard...).
- `peak_per_second(glob="*", method=None)` the largest number of requests (optionally only those
  matching) seen inside any sliding one-second window, to check Discord's global 50/s limit.
- `unhandled: list[SeenRequest]` requests to routes the stand-in does not know (404 answered).

Faults (each applies to the next `count` matching requests; `glob` is an fnmatch pattern on
"METHOD /path", e.g. "POST /channels/*/messages", "POST /channels/123/messages"):
- `rate_limit(glob, count=1, retry_after=0.05, via=True)`: 429 with Retry-After, X-RateLimit-*,
  a `Via` header (without it discord.py treats the 429 as a Cloudflare ban and raises) and body
  `{"message", "retry_after", "global": false}`.
- `global_rate_limit(count=1, retry_after=0.05)`: 429 on ANY route with `"global": true`.
- `fail(glob, status=503, count=1)`: a 5xx (note discord.py itself retries 500/502/504/524 with
  1-9 s sleeps; use 503 for an immediate DiscordServerError).
- `forbid_channel(channel_id, status=403)`: that channel answers every request with 403 Missing
  Access (or 404 Unknown Channel when status=404), for good.
- `swallow(glob, count=1)`: the request is processed and recorded (a message IS created) but the
  reply never comes, as when the process dies after Discord received the POST.

Interactions: `await slash(guild_id, channel_id, user_id, name, options=None, *,
permissions=MEMBER, locale="en-US")` pushes an INTERACTION_CREATE for a chat-input command over
the gateway, shaped as Discord sends it. `name` may hold a sub-command path ("feeds add");
`options` maps option name -> value (type taken from the synced definition when there is one, else
from the Python type: str 3, int 4, bool 5, float 10). `await autocomplete(..., focused="entity")`
does the same for autocomplete (type 4). Both return an `InteractionHandle`:
`await handle.response(timeout=5)` -> the callback body {"type", "data"};
`await handle.message(timeout=5)` -> the message the user finally sees (the callback's data, or
after a deferral the @original edit / first followup); `handle.ephemeral` (flags & 64),
`handle.content`, `handle.embeds`, `handle.choices` (autocomplete), `handle.callback_type`,
`handle.followups`, `handle.original_edits`.

Standalone (for a bot run as a subprocess): `python -m tests.discord_standin --guild 1 --channel 2`
prints `DISCORD_API_BASE=...` and `DISCORD_TOKEN=...` and serves until interrupted (records stay
in that process).

Replies carry `Content-Type: application/json` exactly: discord.py only decodes JSON when the header
is exactly that (no charset). Gateway frames are plain text JSON (zlib off, which discord.py accepts
even though it asks for zlib-stream).
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import itertools
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import WSMsgType, web

LOOPBACK = "127.0.0.1"
API_PREFIX = "/api/v10"

# Permission bits (Discord's values) for `slash(..., permissions=...)`.
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
READ_HISTORY = 1 << 16
USE_APP_COMMANDS = 1 << 31
MANAGE_CHANNELS = 1 << 4
ADMINISTRATOR = 1 << 3
MEMBER = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | READ_HISTORY | USE_APP_COMMANDS
MODERATOR = MEMBER | MANAGE_CHANNELS
EPHEMERAL = 64

_OPTION_TYPES = ((bool, 5), (int, 4), (float, 10), (str, 3))
_snowflakes = itertools.count(1_380_000_000_000_000_001)


def snowflake() -> int:
    return next(_snowflakes)


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


@dataclass(frozen=True)
class SeenRequest:
    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    json: Any
    status: int
    at: float  # time.monotonic() when it arrived


@dataclass
class _Fault:
    glob: str
    kind: str  # "429", "global429", "status", "swallow"
    remaining: int
    status: int = 429
    retry_after: float = 0.05
    via: bool = True

    def matches(self, method: str, path: str) -> bool:
        return self.kind == "global429" or fnmatch.fnmatchcase(f"{method} {path}", self.glob)


@dataclass
class _Guild:
    id: int
    name: str
    channels: list[int]
    locale: str
    bot_role_id: int = field(default_factory=snowflake)
    owner_id: int = field(default_factory=snowflake)


@dataclass
class InteractionHandle:
    """The bot's answer to one interaction, filled in as discord.py posts it."""

    id: int
    token: str
    callback: dict | None = None
    followups: list[dict] = field(default_factory=list)
    original_edits: list[dict] = field(default_factory=list)
    _answered: asyncio.Event = field(default_factory=asyncio.Event)
    _visible: asyncio.Event = field(default_factory=asyncio.Event)

    async def response(self, timeout: float = 5.0) -> dict:
        await asyncio.wait_for(self._answered.wait(), timeout)
        assert self.callback is not None
        return self.callback

    async def message(self, timeout: float = 5.0) -> dict:
        """The message a user sees: the reply itself, or what replaced a deferral."""
        await asyncio.wait_for(self._visible.wait(), timeout)
        if self.original_edits:
            return self.original_edits[-1]
        if self.callback and self.callback.get("type") == 4:
            return self.callback.get("data") or {}
        return self.followups[0]

    @property
    def callback_type(self) -> int | None:
        return self.callback.get("type") if self.callback else None

    @property
    def ephemeral(self) -> bool:
        # A deferral decides: its first followup / @original edit replaces the "thinking" message.
        data = (self.callback or {}).get("data") or {}
        return bool(int(data.get("flags") or 0) & EPHEMERAL)

    @property
    def content(self) -> str:
        return self._visible_data().get("content") or ""

    @property
    def embeds(self) -> list[dict]:
        return self._visible_data().get("embeds") or []

    @property
    def choices(self) -> list[dict]:
        """Autocomplete suggestions (callback type 8)."""
        return ((self.callback or {}).get("data") or {}).get("choices") or []

    def _visible_data(self) -> dict:
        if self.original_edits:
            return self.original_edits[-1]
        if self.callback and self.callback.get("type") == 4:
            return self.callback.get("data") or {}
        return self.followups[0] if self.followups else {}


class DiscordStandIn:
    """See the module docstring."""

    def __init__(self, token: str = "standin-token") -> None:
        self.token = token
        self.app_id = snowflake()
        self.bot_id = self.app_id
        self.port = 0
        self.guilds: dict[int, _Guild] = {}
        self.requests: list[SeenRequest] = []
        self.unhandled: list[SeenRequest] = []
        self.messages: list[dict] = []
        self.synced: dict[int | None, list[dict]] = {}
        self.sync_calls: list[tuple[int | None, list[dict]]] = []
        self.identifies: list[dict] = []
        self.interactions: dict[int, InteractionHandle] = {}
        self._by_token: dict[str, InteractionHandle] = {}
        self._faults: list[_Fault] = []
        self._forbidden: dict[int, int] = {}
        self._nonces: dict[tuple[int, str], dict] = {}
        self._sockets: list[_GatewaySession] = []
        self._runner: web.AppRunner | None = None
        self._interaction_payloads: dict[int, dict] = {}

    # -- addresses --------------------------------------------------------------------------
    @property
    def base(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def api_base(self) -> str:
        return self.base + API_PREFIX

    @property
    def gateway_url(self) -> str:
        return f"ws://{LOOPBACK}:{self.port}/gateway"

    # -- world ------------------------------------------------------------------------------
    def add_guild(
        self, guild_id: int, channels: list[int] | tuple[int, ...] = (), name: str | None = None,
        locale: str = "en-US",
    ) -> None:
        self.guilds[guild_id] = _Guild(guild_id, name or f"guild-{guild_id}", list(channels), locale)

    def channel_name(self, channel_id: int) -> str:
        return f"chan-{channel_id}"

    def _guild_of(self, channel_id: int) -> _Guild | None:
        return next((g for g in self.guilds.values() if channel_id in g.channels), None)

    # -- records ----------------------------------------------------------------------------
    def messages_in(self, channel_id: int) -> list[dict]:
        return [m for m in self.messages if int(m["channel_id"]) == channel_id and not m.get("webhook_id")]

    def requests_to(self, method: str, glob: str) -> list[SeenRequest]:
        return [r for r in self.requests if r.method == method and fnmatch.fnmatchcase(r.path, glob)]

    def peak_per_second(self, glob: str = "*", method: str | None = None) -> int:
        times = sorted(
            r.at for r in self.requests
            if (method is None or r.method == method) and fnmatch.fnmatchcase(r.path, glob)
        )
        peak, start = 0, 0
        for end, at in enumerate(times):
            while at - times[start] >= 1.0:
                start += 1
            peak = max(peak, end - start + 1)
        return peak

    # -- faults -----------------------------------------------------------------------------
    def rate_limit(self, glob: str, count: int = 1, retry_after: float = 0.05, via: bool = True) -> None:
        self._faults.append(_Fault(glob, "429", count, retry_after=retry_after, via=via))

    def global_rate_limit(self, count: int = 1, retry_after: float = 0.05) -> None:
        self._faults.append(_Fault("*", "global429", count, retry_after=retry_after))

    def fail(self, glob: str, status: int = 503, count: int = 1) -> None:
        self._faults.append(_Fault(glob, "status", count, status=status))

    def swallow(self, glob: str, count: int = 1) -> None:
        self._faults.append(_Fault(glob, "swallow", count))

    def forbid_channel(self, channel_id: int, status: int = 403) -> None:
        self._forbidden[channel_id] = status

    def _take_fault(self, method: str, path: str) -> _Fault | None:
        for fault in self._faults:
            if fault.remaining > 0 and fault.matches(method, path):
                fault.remaining -= 1
                return fault
        return None

    # -- lifecycle --------------------------------------------------------------------------
    async def start(self) -> DiscordStandIn:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, LOOPBACK, 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        for session in list(self._sockets):
            await session.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DiscordStandIn:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # -- payload shapes ---------------------------------------------------------------------
    def bot_user(self) -> dict:
        return {
            "id": str(self.bot_id), "username": "newsbot", "global_name": None, "discriminator": "0",
            "avatar": None, "bot": True, "system": False, "mfa_enabled": False, "flags": 0,
            "public_flags": 0, "verified": True, "email": None, "banner": None, "accent_color": None,
        }

    def user(self, user_id: int) -> dict:
        return {
            "id": str(user_id), "username": f"user{user_id % 10000}", "global_name": None,
            "discriminator": "0", "avatar": None, "public_flags": 0, "flags": 0,
            "banner": None, "accent_color": None, "avatar_decoration_data": None, "clan": None,
            "primary_guild": None, "collectibles": None,
        }

    def application(self) -> dict:
        return {
            "id": str(self.app_id), "name": "newsbot", "icon": None, "description": "",
            "summary": "", "type": None, "hook": True, "bot_public": True,
            "bot_require_code_grant": False, "verify_key": "0" * 64, "flags": 0,
            "owner": self.user(self.app_id + 7), "team": None, "rpc_origins": [],
            "redirect_uris": [], "interactions_endpoint_url": None, "tags": [],
            "install_params": None, "custom_install_url": None, "integration_types_config": {},
            "approximate_guild_count": len(self.guilds), "bot": self.bot_user(),
        }

    def _member(self, guild: _Guild, user: dict, roles: list[int], permissions: int | None = None) -> dict:
        member = {
            "user": user, "roles": [str(r) for r in roles], "nick": None, "avatar": None,
            "banner": None, "premium_since": None, "joined_at": "2024-01-01T00:00:00+00:00",
            "deaf": False, "mute": False, "pending": False, "flags": 0,
            "communication_disabled_until": None, "unusual_dm_activity_until": None,
        }
        if permissions is not None:
            member["permissions"] = str(permissions)
        return member

    def _channel(self, guild: _Guild, channel_id: int, position: int) -> dict:
        return {
            "id": str(channel_id), "type": 0, "guild_id": str(guild.id), "name": self.channel_name(channel_id),
            "position": position, "permission_overwrites": [], "parent_id": None, "topic": None,
            "nsfw": False, "last_message_id": None, "rate_limit_per_user": 0, "flags": 0,
        }

    def _role(self, role_id: int, name: str, permissions: int, position: int) -> dict:
        return {
            "id": str(role_id), "name": name, "color": 0, "colors": {"primary_color": 0},
            "hoist": False, "icon": None, "unicode_emoji": None, "position": position,
            "permissions": str(permissions), "managed": name != "@everyone", "mentionable": False,
            "flags": 0,
        }

    def guild_create(self, guild: _Guild) -> dict:
        return {
            "id": str(guild.id), "name": guild.name, "icon": None, "splash": None,
            "discovery_splash": None, "owner_id": str(guild.owner_id), "afk_channel_id": None,
            "afk_timeout": 300, "verification_level": 0, "default_message_notifications": 0,
            "explicit_content_filter": 0, "features": [], "mfa_level": 0, "system_channel_id": None,
            "system_channel_flags": 0, "rules_channel_id": None, "vanity_url_code": None,
            "description": None, "banner": None, "premium_tier": 0, "premium_subscription_count": 0,
            "preferred_locale": guild.locale, "public_updates_channel_id": None, "nsfw_level": 0,
            "premium_progress_bar_enabled": False, "safety_alerts_channel_id": None,
            "max_members": 500000, "max_video_channel_users": 25, "application_id": None,
            "emojis": [], "stickers": [], "soundboard_sounds": [],
            "roles": [
                self._role(guild.id, "@everyone", MEMBER, 0),
                self._role(guild.bot_role_id, "newsbot", MEMBER, 1),
            ],
            "joined_at": "2024-01-01T00:00:00+00:00", "large": False, "unavailable": False,
            "member_count": 2, "voice_states": [], "presences": [], "threads": [],
            "stage_instances": [], "guild_scheduled_events": [], "embedded_activities": [],
            "members": [self._member(guild, self.bot_user(), [guild.bot_role_id])],
            "channels": [self._channel(guild, cid, i) for i, cid in enumerate(guild.channels)],
        }

    def _message(self, channel_id: int, body: dict, *, webhook_id: int | None = None,
                 interaction: InteractionHandle | None = None) -> dict:
        message = {
            "id": str(snowflake()), "channel_id": str(channel_id), "type": 0 if interaction is None else 20,
            "content": body.get("content") or "", "embeds": body.get("embeds") or [],
            "components": body.get("components") or [], "attachments": [], "mentions": [],
            "mention_roles": [], "mention_everyone": False, "pinned": False, "tts": bool(body.get("tts")),
            "timestamp": _now_iso(), "edited_timestamp": None, "flags": int(body.get("flags") or 0),
            "author": self.bot_user(), "nonce": body.get("nonce"),
            "allowed_mentions": body.get("allowed_mentions"), "edits": 0,
        }
        guild = self._guild_of(channel_id)
        if guild is not None:
            message["guild_id"] = str(guild.id)
        if webhook_id is not None:
            message["webhook_id"] = str(webhook_id)
            message["application_id"] = str(self.app_id)
        return message

    # -- REST -------------------------------------------------------------------------------
    @staticmethod
    def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
        # Exactly "application/json": discord.py compares the header verbatim (no charset).
        return web.Response(
            status=status, body=json.dumps(data).encode(), headers={"Content-Type": "application/json", **(headers or {})}
        )

    @staticmethod
    def _error(status: int, message: str, code: int = 0) -> web.Response:
        return DiscordStandIn._json({"message": message, "code": code}, status)

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        method = request.method
        body: Any = None
        if request.can_read_body:
            raw = await request.read()
            if request.content_type == "application/json" and raw:
                body = json.loads(raw)
            elif raw:
                body = {"_raw": raw[:200].decode(errors="replace")}
        arrived = time.monotonic()

        response, swallowed = await self._answer(request, method, path, body)
        # A swallowed request was processed (its message exists) but is logged with status 0.
        status = 0 if swallowed else response.status
        seen = SeenRequest(method, path, dict(request.query), body, status, arrived)
        self.requests.append(seen)
        if getattr(response, "_standin_unknown", False):
            self.unhandled.append(seen)
        if swallowed:
            await asyncio.Event().wait()  # no answer; ends when the client hangs up (handler cancelled)
        return response

    async def _answer(self, request: web.Request, method: str, path: str, body: Any) -> tuple[web.Response, bool]:
        interaction_route = path.startswith("/interactions/") or path.startswith("/webhooks/")
        if not interaction_route and request.headers.get("Authorization") != f"Bot {self.token}":
            return self._error(401, "401: Unauthorized"), False
        fault = self._take_fault(method, path)
        if fault is not None and fault.kind in ("429", "global429"):
            return self._too_many(fault), False
        if fault is not None and fault.kind == "status":
            return self._error(fault.status, f"{fault.status}: injected failure"), False
        channel_id = self._channel_in_path(path)
        if channel_id is not None and channel_id in self._forbidden:
            if self._forbidden[channel_id] == 404:
                return self._error(404, "Unknown Channel", 10003), False
            return self._error(403, "Missing Access", 50001), False
        response = self._route(method, path, request.query, body)
        return response, fault is not None and fault.kind == "swallow"

    @staticmethod
    def _channel_in_path(path: str) -> int | None:
        parts = path.split("/")
        if len(parts) > 2 and parts[1] == "channels" and parts[2].isdigit():
            return int(parts[2])
        return None

    def _too_many(self, fault: _Fault) -> web.Response:
        is_global = fault.kind == "global429"
        headers = {
            "Retry-After": f"{fault.retry_after:.3f}",
            "X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": f"{time.time() + fault.retry_after:.3f}",
            "X-RateLimit-Reset-After": f"{fault.retry_after:.3f}",
            "X-RateLimit-Bucket": "standin-bucket",
            "X-RateLimit-Scope": "global" if is_global else "user",
        }
        if is_global:
            headers["X-RateLimit-Global"] = "true"
        if fault.via:
            headers["Via"] = "1.1 google"
        body = {"message": "You are being rate limited.", "retry_after": fault.retry_after, "global": is_global}
        return self._json(body, 429, headers)

    # Successful answers carry rate-limit headers that never run out, so discord.py's bucket
    # bookkeeping runs for real but never makes a test wait.
    _OK_HEADERS = {"X-RateLimit-Limit": "50", "X-RateLimit-Remaining": "49",
                   "X-RateLimit-Reset-After": "1.000", "X-RateLimit-Bucket": "standin-ok"}

    def _ok(self, data: Any, status: int = 200) -> web.Response:
        headers = dict(self._OK_HEADERS, **{"X-RateLimit-Reset": f"{time.time() + 1:.3f}"})
        if status == 204:
            return web.Response(status=204, headers=headers)
        return self._json(data, status, headers)

    def _route(self, method: str, path: str, query: Any, body: Any) -> web.Response:
        parts = path.strip("/").split("/")
        match (method, parts):
            case ("GET", ["gateway", "bot"]):
                return self._ok({
                    "url": self.gateway_url, "shards": 1,
                    "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 86_400_000,
                                            "max_concurrency": 1},
                })
            case ("GET", ["gateway"]):
                return self._ok({"url": self.gateway_url})
            case ("GET", ["users", "@me"]):
                return self._ok(self.bot_user())
            case ("GET", ["oauth2", "applications", "@me"]) | ("GET", ["applications", "@me"]):
                return self._ok(self.application())
            case ("PUT", ["applications", app, "commands"]) if app == str(self.app_id):
                return self._ok(self._sync(None, body or []))
            case ("PUT", ["applications", app, "guilds", guild, "commands"]) if app == str(self.app_id):
                return self._ok(self._sync(int(guild), body or []))
            case ("GET", ["applications", app, "commands"]) if app == str(self.app_id):
                return self._ok(self.synced.get(None, []))
            case ("GET", ["applications", app, "guilds", guild, "commands"]) if app == str(self.app_id):
                return self._ok(self.synced.get(int(guild), []))
            case ("POST", ["channels", channel, "messages"]) if channel.isdigit():
                return self._post_message(int(channel), body or {})
            case ("PATCH", ["channels", channel, "messages", message_id]) if channel.isdigit():
                return self._edit_message(int(channel), message_id, body or {})
            case ("GET", ["channels", channel]) if channel.isdigit():
                guild = self._guild_of(int(channel))
                if guild is None:
                    return self._error(404, "Unknown Channel", 10003)
                return self._ok(self._channel(guild, int(channel), guild.channels.index(int(channel))))
            case ("POST", ["interactions", interaction_id, token, "callback"]):
                return self._callback(int(interaction_id), token, body or {})
            case ("POST", ["webhooks", app, token]) if app == str(self.app_id):
                return self._followup(token, body or {})
            case ("PATCH", ["webhooks", app, token, "messages", "@original"]) if app == str(self.app_id):
                return self._edit_original(token, body or {})
            case ("GET", ["webhooks", app, token, "messages", "@original"]) if app == str(self.app_id):
                handle = self._by_token.get(token)
                if handle is None or not handle.original_edits:
                    return self._error(404, "Unknown Message", 10008)
                return self._ok(handle.original_edits[-1])
            case ("DELETE", ["webhooks", app, token, "messages", _]) if app == str(self.app_id):
                return self._ok(None, 204)
        response = self._error(404, "404: Not Found")
        response._standin_unknown = True  # type: ignore[attr-defined]
        return response

    def _sync(self, guild_id: int | None, commands: list[dict]) -> list[dict]:
        stored = []
        for command in commands:
            previous = next((c for c in self.synced.get(guild_id, []) if c["name"] == command["name"]), None)
            entry = {
                "id": previous["id"] if previous else str(snowflake()), "application_id": str(self.app_id),
                "version": str(snowflake()), "type": command.get("type", 1),
                "default_member_permissions": command.get("default_member_permissions"),
                "dm_permission": command.get("dm_permission", True), "nsfw": command.get("nsfw", False),
                "integration_types": command.get("integration_types", [0]),
                "contexts": command.get("contexts"), "description_localizations": None,
                "name_localizations": None, **command,
            }
            if guild_id is not None:
                entry["guild_id"] = str(guild_id)
            stored.append(entry)
        self.synced[guild_id] = stored
        self.sync_calls.append((guild_id, stored))
        return stored

    def _post_message(self, channel_id: int, body: dict) -> web.Response:
        if self._guild_of(channel_id) is None:
            return self._error(404, "Unknown Channel", 10003)
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            existing = self._nonces.get((channel_id, str(nonce)))
            if existing is not None:  # Discord answers a repeated nonce with the first message
                return self._ok(existing)
        message = self._message(channel_id, body)
        if nonce is not None:
            self._nonces.setdefault((channel_id, str(nonce)), message)
        self.messages.append(message)
        return self._ok(message)

    def _edit_message(self, channel_id: int, message_id: str, body: dict) -> web.Response:
        message = next((m for m in self.messages if m["id"] == message_id and int(m["channel_id"]) == channel_id), None)
        if message is None:
            return self._error(404, "Unknown Message", 10008)
        for key in ("content", "embeds", "flags", "components"):
            if key in body:
                message[key] = body[key]
        message["edits"] += 1
        message["edited_timestamp"] = _now_iso()
        return self._ok(message)

    def _callback(self, interaction_id: int, token: str, body: dict) -> web.Response:
        handle = self.interactions.get(interaction_id)
        if handle is None or handle.token != token:
            return self._error(404, "Unknown interaction", 10062)
        if handle.callback is not None:
            return self._error(400, "Interaction has already been acknowledged.", 40060)
        handle.callback = body
        kind = body.get("type")
        data = body.get("data") or {}
        interaction = {"id": str(interaction_id), "type": 2,
                       "response_message_loading": kind == 5,
                       "response_message_ephemeral": bool(int(data.get("flags") or 0) & EPHEMERAL)}
        resource: dict = {"type": kind}
        if kind in (4, 5):
            payload = self._interaction_payloads.get(interaction_id, {})
            channel_id = int(payload.get("channel_id", 0))
            message = self._message(channel_id, data, webhook_id=self.app_id, interaction=handle)
            interaction["response_message_id"] = message["id"]
            if kind == 4:
                self.messages.append(message)
                resource["message"] = message
        handle._answered.set()
        if kind in (4, 8):
            handle._visible.set()
        return self._ok({"interaction": interaction, "resource": resource})

    def _followup(self, token: str, body: dict) -> web.Response:
        handle = self._by_token.get(token)
        if handle is None:
            return self._error(404, "Unknown Webhook", 10015)
        channel_id = int(self._interaction_payloads.get(handle.id, {}).get("channel_id", 0))
        message = self._message(channel_id, body, webhook_id=self.app_id, interaction=handle)
        handle.followups.append(body)
        self.messages.append(message)
        handle._visible.set()
        return self._ok(message)

    def _edit_original(self, token: str, body: dict) -> web.Response:
        handle = self._by_token.get(token)
        if handle is None:
            return self._error(404, "Unknown Webhook", 10015)
        channel_id = int(self._interaction_payloads.get(handle.id, {}).get("channel_id", 0))
        handle.original_edits.append(body)
        handle._visible.set()
        message = self._message(channel_id, body, webhook_id=self.app_id, interaction=handle)
        return self._ok(message)

    # -- gateway ----------------------------------------------------------------------------
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        session = _GatewaySession(ws)
        self._sockets.append(session)
        try:
            await session.send({"op": 10, "d": {"heartbeat_interval": 41250}})
            async for frame in ws:
                if frame.type != WSMsgType.TEXT:
                    continue
                await self._on_gateway_frame(session, json.loads(frame.data))
        finally:
            self._sockets.remove(session)
        return ws

    async def _on_gateway_frame(self, session: _GatewaySession, frame: dict) -> None:
        op, data = frame.get("op"), frame.get("d")
        if op == 1:  # heartbeat
            await session.send({"op": 11})
        elif op == 2:  # identify
            self.identifies.append(data)
            if data.get("token") != self.token:
                await session.ws.close(code=4004, message=b"Authentication failed.")
                return
            session.session_id = f"standin-{snowflake()}"
            shard = data.get("shard") or [0, 1]
            await session.dispatch("READY", {
                "v": 10, "user": self.bot_user(), "session_id": session.session_id,
                "resume_gateway_url": self.gateway_url, "shard": shard,
                "guilds": [{"id": str(g), "unavailable": True} for g in self.guilds],
                "application": {"id": str(self.app_id), "flags": 0}, "private_channels": [],
                "relationships": [], "presences": [], "geo_ordered_rtc_regions": [],
                "guild_join_requests": [], "user_settings": {}, "auth_session_id_hash": "",
            })
            for guild in self.guilds.values():
                await session.dispatch("GUILD_CREATE", self.guild_create(guild))
            session.ready.set()
        elif op == 6:  # resume
            session.session_id = data.get("session_id")
            await session.dispatch("RESUMED", {})
            session.ready.set()
        elif op == 8:  # request guild members: the bot is the only member we know
            guild = self.guilds.get(int(data["guild_id"]))
            members = [self._member(guild, self.bot_user(), [guild.bot_role_id])] if guild else []
            await session.dispatch("GUILD_MEMBERS_CHUNK", {
                "guild_id": data["guild_id"], "members": members, "chunk_index": 0, "chunk_count": 1,
                "nonce": data.get("nonce"), "not_found": [],
            })

    async def _live_session(self, timeout: float = 5.0) -> _GatewaySession:
        deadline = time.monotonic() + timeout
        while True:
            live = [s for s in self._sockets if s.ready.is_set() and not s.ws.closed]
            if live:
                return live[-1]
            if time.monotonic() > deadline:
                raise AssertionError("no bot is connected to the stand-in's gateway")
            await asyncio.sleep(0.01)

    # -- interactions -----------------------------------------------------------------------
    def _command_definition(self, guild_id: int, name: str) -> tuple[dict | None, int | None]:
        for scope in (guild_id, None):
            for command in self.synced.get(scope, []):
                if command["name"] == name and command.get("type", 1) == 1:
                    return command, scope
        return None, None

    @staticmethod
    def _option_type(definitions: list[dict], name: str, value: Any) -> int:
        declared = next((o for o in definitions if o.get("name") == name), None)
        if declared is not None:
            return int(declared["type"])
        return next(code for kind, code in _OPTION_TYPES if isinstance(value, kind))

    def _options(self, definition: dict | None, path: list[str], options: dict[str, Any],
                 focused: str | None) -> list[dict]:
        declared = (definition or {}).get("options") or []
        if path:  # sub-command (group): nest the options under it
            head = path[0]
            sub = next((o for o in declared if o.get("name") == head), None)
            kind = int(sub["type"]) if sub else (1 if len(path) == 1 else 2)
            return [{"name": head, "type": kind, "options": self._options(sub, path[1:], options, focused)}]
        built = []
        for name, value in options.items():
            option = {"name": name, "type": self._option_type(declared, name, value), "value": value}
            if name == focused:
                option["focused"] = True
            built.append(option)
        return built

    def _interaction_payload(
        self, kind: int, guild_id: int, channel_id: int, user_id: int, name: str,
        options: dict[str, Any] | None, permissions: int, locale: str, focused: str | None,
    ) -> dict:
        guild = self.guilds[guild_id]
        top, *path = name.split()
        definition, scope = self._command_definition(guild_id, top)
        data: dict[str, Any] = {
            "id": definition["id"] if definition else str(snowflake()), "name": top, "type": 1,
            "options": self._options(definition, path, dict(options or {}), focused),
        }
        if scope is not None:
            data["guild_id"] = str(scope)
        interaction_id = snowflake()
        return {
            "id": str(interaction_id), "application_id": str(self.app_id), "type": kind,
            "token": f"itoken-{interaction_id}", "version": 1, "data": data,
            "guild_id": str(guild_id),
            "guild": {"id": str(guild_id), "locale": guild.locale, "features": []},
            "channel_id": str(channel_id), "channel": self._channel(guild, channel_id, 0),
            "member": self._member(guild, self.user(user_id), [], permissions),
            "app_permissions": str(MEMBER), "locale": locale, "guild_locale": guild.locale,
            "entitlements": [], "entitlement_sku_ids": [],
            "authorizing_integration_owners": {"0": str(guild_id)}, "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
        }

    async def _push_interaction(self, payload: dict) -> InteractionHandle:
        handle = InteractionHandle(int(payload["id"]), payload["token"])
        self.interactions[handle.id] = handle
        self._by_token[handle.token] = handle
        self._interaction_payloads[handle.id] = payload
        session = await self._live_session()
        await session.dispatch("INTERACTION_CREATE", payload)
        return handle

    async def slash(
        self, guild_id: int, channel_id: int, user_id: int, name: str,
        options: dict[str, Any] | None = None, *, permissions: int = MEMBER, locale: str = "en-US",
    ) -> InteractionHandle:
        payload = self._interaction_payload(2, guild_id, channel_id, user_id, name, options,
                                            permissions, locale, None)
        return await self._push_interaction(payload)

    async def autocomplete(
        self, guild_id: int, channel_id: int, user_id: int, name: str,
        options: dict[str, Any], *, focused: str, permissions: int = MEMBER, locale: str = "en-US",
    ) -> InteractionHandle:
        payload = self._interaction_payload(4, guild_id, channel_id, user_id, name, options,
                                            permissions, locale, focused)
        return await self._push_interaction(payload)


class _GatewaySession:
    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self.seq = 0
        self.session_id: str | None = None
        self.ready = asyncio.Event()

    async def send(self, frame: dict) -> None:
        await self.ws.send_str(json.dumps(frame))

    async def dispatch(self, event: str, data: dict) -> None:
        self.seq += 1
        await self.send({"op": 0, "t": event, "s": self.seq, "d": data})


@contextlib.asynccontextmanager
async def running_bot(bot, standin: DiscordStandIn, *, token: str | None = None,
                      ready_timeout: float = 10.0) -> AsyncIterator[Any]:
    """Log `bot` in against the stand-in, connect it in this loop, wait for `ready`; on exit
    close it and wait for its connect task, so no task is left pending.

    Build the bot with a small `guild_ready_timeout` (e.g. 0.05): discord.py waits that long
    after the last GUILD_CREATE before it dispatches `ready` (2 s by default)."""
    import discord

    previous = discord.http.Route.BASE
    discord.http.Route.BASE = standin.api_base
    connect: asyncio.Task | None = None
    try:
        await bot.login(token or standin.token)
        connect = asyncio.create_task(bot.connect(reconnect=False), name="discord-connect")
        ready = asyncio.create_task(bot.wait_until_ready())
        done, _ = await asyncio.wait({connect, ready}, timeout=ready_timeout,
                                     return_when=asyncio.FIRST_COMPLETED)
        if ready not in done:
            ready.cancel()
            if connect in done:
                connect.result()  # raises what stopped it
            raise AssertionError("the bot did not become ready against the stand-in")
        yield bot
    finally:
        await bot.close()
        if connect is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(connect, 5.0)
        discord.http.Route.BASE = previous


@pytest.fixture
async def discord_standin() -> AsyncIterator[DiscordStandIn]:
    async with DiscordStandIn() as standin:
        yield standin


async def _serve(port_file: str | None, guild: int, channels: list[int]) -> None:
    standin = DiscordStandIn()
    standin.add_guild(guild, channels=channels)
    await standin.start()
    print(f"DISCORD_API_BASE={standin.api_base}", flush=True)
    print(f"DISCORD_TOKEN={standin.token}", flush=True)
    if port_file:
        with open(port_file, "w") as out:
            out.write(standin.api_base)
    try:
        await asyncio.Event().wait()
    finally:
        await standin.stop()


if __name__ == "__main__":  # a stand-in for a bot run as a subprocess: python -m tests.discord_standin
    import argparse

    parser = argparse.ArgumentParser(description="Serve the Discord stand-in on 127.0.0.1.")
    parser.add_argument("--guild", type=int, default=1)
    parser.add_argument("--channel", type=int, action="append", default=[])
    parser.add_argument("--write-base", help="write the API base URL to this file once listening")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.write_base, args.guild, args.channel or [2]))
