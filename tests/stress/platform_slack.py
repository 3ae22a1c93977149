"""A Slack stand-in that pushes back harder than tests/slack_standin.py: chat.postMessage answers
a 5xx before or after posting, drops the connection after posting, or answers too late for the
client (a timeout) after posting; and every call's arrival time is kept per channel, to check
Slack's one-message-per-second-per-channel limit."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import defaultdict

from aiohttp import web

from tests.slack_standin import Call, SlackStandIn

POST = "chat.postMessage"


class PushyStandIn(SlackStandIn):
    def __init__(self) -> None:
        super().__init__()
        self.post_times: dict[str, list[float]] = defaultdict(list)  # channel -> arrival times
        self._post_faults: list[tuple[str, float]] = []  # (kind, value) for the next posts

    # kinds: "fail_before" (status, nothing posted), "fail_after" (posted, then status),
    # "drop_after" (posted, connection closed), "hang_after" (posted, answer after value s)
    def post_fault(self, kind: str, count: int = 1, value: float = 503) -> None:
        self._post_faults.extend([(kind, value)] * count)

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        if method != POST:
            return await super()._api(request)
        args = await self._args(request)
        self.post_times[args.get("channel", "")].append(time.monotonic())
        self.calls.append(Call(method, args))
        limited = self._rate_limited(method)
        if limited is not None:
            return limited
        fault = self._post_faults.pop(0) if self._post_faults else None
        if fault and fault[0] == "fail_before":
            return web.json_response({"ok": False, "error": "internal_error"}, status=int(fault[1]))
        answer = self._m_chat_postMessage(args)
        if fault is None:
            return web.json_response(answer)
        kind, value = fault
        if kind == "fail_after" and answer.get("ok"):
            return web.Response(status=int(value), text="upstream went away")
        if kind == "drop_after" and request.transport is not None:
            request.transport.abort()  # the answer written below goes nowhere
        if kind == "hang_after":
            await asyncio.sleep(value)
        return web.json_response(answer)

    def tightest_gap(self) -> float:
        """The shortest time between two chat.postMessage calls to one channel (inf if none)."""
        gaps = [b - a for times in self.post_times.values() for a, b in itertools.pairwise(times)]
        return min(gaps, default=float("inf"))

