"""A local stand-in for Slack, on 127.0.0.1: the Web API methods newsbot calls, and the
response_url that slash-command replies are posted to. The real slack_sdk client talks to it.

- `POST|GET /api/<method>`: auth.test, users.info, conversations.info, conversations.history,
  chat.postMessage (recorded, given increasing ts, kept per channel with their metadata so
  conversations.history can return them).
- `POST /respond/<token>`: what `respond()` posts; recorded in `responses`.
- Socket Mode: apps.connections.open answers a `ws://` URL on the same server; `socket_send`
  pushes an envelope to the connected app, `socket_acks` records the envelope ids it acked.
- Programmable: `users`, `channels` (what users.info / conversations.info answer),
  `rate_limit(method, times, retry_after)` (the next calls answer 429 with Retry-After),
  `refuse(channel, error)` (chat.postMessage answers {"ok": false, "error": error}).

Also `sign(secret, body, ts)` / `signed_headers(...)`: the headers Slack puts on a request
(`X-Slack-Signature: v0=` HMAC-SHA256 of `v0:{timestamp}:{body}`).

    from tests.slack_standin import slack_standin  # noqa: F401 (fixture)
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from aiohttp import web

LOOPBACK = "127.0.0.1"
BOT_USER = "UBOT"


def sign(secret: str, body: str, timestamp: int) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": sign(secret, body, timestamp),
    }


@dataclass
class Call:
    method: str
    args: dict


@dataclass
class Post:
    channel: str
    payload: dict
    ts: str

    @property
    def key(self) -> str | None:
        return ((self.payload.get("metadata") or {}).get("event_payload") or {}).get("key")


@dataclass
class SlackStandIn:
    users: dict[str, dict] = field(default_factory=dict)
    channels: dict[str, dict] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    responses: list[dict] = field(default_factory=list)
    team: str = "Loop Team"
    _limits: dict[str, list[float]] = field(default_factory=dict)
    _refusals: dict[str, str] = field(default_factory=dict)
    _runner: web.AppRunner | None = None
    port: int = 0
    socket_acks: list[str] = field(default_factory=list)
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _ts: int = 1_750_000_000

    # --- programming -------------------------------------------------------------------
    def rate_limit(self, method: str, times: int = 1, retry_after: float = 1) -> None:
        self._limits.setdefault(method, []).extend([retry_after] * times)

    def refuse(self, channel: str, error: str) -> None:
        self._refusals[channel] = error

    def add_user(self, user_id: str, **flags) -> None:
        self.users[user_id] = {"id": user_id, "name": user_id.lower(), "is_admin": False,
                               "is_owner": False, **flags}

    def add_channel(self, channel_id: str, creator: str, **fields) -> None:
        self.channels[channel_id] = {"id": channel_id, "name": channel_id.lower(), "creator": creator,
                                     "is_member": True, **fields}

    # --- reading -------------------------------------------------------------------------
    @property
    def api_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/api"

    def response_url(self, token: str = "r1") -> str:
        return f"http://{LOOPBACK}:{self.port}/respond/{token}"

    def posts_to(self, channel: str) -> list[Post]:
        return [post for post in self.posts if post.channel == channel]

    def called(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    # --- serving -------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{token}", self._respond)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, LOOPBACK, 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _args(self, request: web.Request) -> dict:
        args: dict = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                args.update(dict(await request.post()))
        return args

    def _rate_limited(self, method: str) -> web.Response | None:
        """Slack's 429 with Retry-After while `rate_limit(method, ...)` has waits queued."""
        limits = self._limits.get(method)
        if not limits:
            return None
        wait = limits.pop(0)
        return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                 headers={"Retry-After": f"{wait:g}"})

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        self.calls.append(Call(method, args))
        limited = self._rate_limited(method)
        if limited is not None:
            return limited
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        return web.json_response(handler(args))

    def _m_auth_test(self, args: Mapping) -> dict:
        return {"ok": True, "team": self.team, "team_id": "T1", "user": "newsbot", "user_id": BOT_USER,
                "bot_id": "B1", "url": "https://loop.slack.test/"}

    def _m_apps_connections_open(self, args: Mapping) -> dict:
        return {"ok": True, "url": f"ws://{LOOPBACK}:{self.port}/socket"}

    async def socket_send(self, envelope: dict) -> None:
        for _ in range(400):  # the app connects in the background; wait for it (up to 8 s)
            if self._sockets:
                break
            await asyncio.sleep(0.02)
        await self._sockets[-1].send_json(envelope)

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1, "debug_info": {}})
        try:
            async for message in ws:
                if message.type == web.WSMsgType.TEXT:
                    self.socket_acks.append(json.loads(message.data).get("envelope_id"))
        finally:
            self._sockets.remove(ws)
        return ws

    def _m_users_info(self, args: Mapping) -> dict:
        user = self.users.get(args.get("user", ""))
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}

    def _m_conversations_info(self, args: Mapping) -> dict:
        channel = self.channels.get(args.get("channel", ""))
        return {"ok": True, "channel": channel} if channel else {"ok": False, "error": "channel_not_found"}

    def _m_conversations_history(self, args: Mapping) -> dict:
        channel = args.get("channel", "")
        if channel in self._refusals:
            return {"ok": False, "error": self._refusals[channel]}
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        limit = int(args.get("limit") or 100)
        messages = []
        for post in reversed(self.posts_to(channel)):
            message = {"type": "message", "ts": post.ts, "text": post.payload.get("text"),
                       "bot_id": "B1", "user": BOT_USER}
            if with_metadata and post.payload.get("metadata"):
                message["metadata"] = post.payload["metadata"]
            messages.append(message)
        return {"ok": True, "messages": messages[:limit], "has_more": len(messages) > limit}

    def _m_chat_postMessage(self, args: Mapping) -> dict:
        channel = args.get("channel", "")
        if channel in self._refusals:
            return {"ok": False, "error": self._refusals[channel]}
        self._ts += 1
        ts = f"{self._ts}.000100"
        payload = dict(args)
        for name in ("blocks", "metadata"):  # a form-encoded client would send them as JSON text
            if isinstance(payload.get(name), str):
                payload[name] = json.loads(payload[name])
        self.posts.append(Post(channel, payload, ts))
        return {"ok": True, "channel": channel, "ts": ts, "message": {"text": args.get("text")}}

    async def _respond(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.responses.append({"token": request.match_info["token"], **body})
        return web.Response(text="ok")


def command_body(command: str, text: str, **fields) -> str:
    """A slash-command request body as Slack form-encodes it (over HTTP)."""
    return urlencode(command_payload(command, text, **fields))


def command_payload(command: str, text: str, *, channel: str = "C1", user: str = "U1",
                    response_url: str, channel_name: str = "general") -> dict[str, str]:
    """A slash command's fields, as Slack sends them (form-encoded over HTTP, JSON in Socket Mode)."""
    return {
        "token": "legacy-unused", "team_id": "T1", "team_domain": "loop",
        "channel_id": channel, "channel_name": channel_name, "user_id": user, "user_name": user.lower(),
        "command": command, "text": text, "api_app_id": "A1", "is_enterprise_install": "false",
        "response_url": response_url, "trigger_id": "1.2.3",
    }


@pytest.fixture
async def slack_standin():
    standin = SlackStandIn()
    await standin.start()
    try:
        yield standin
    finally:
        await standin.stop()
