"""`SlackSender`: the delivery worker's way of posting to Slack (the `Sender` port).

- At most one message per second per channel (Slack's posting limit for chat.postMessage).
- A 429 is waited out here when its Retry-After is short, else handed back to the worker
  with `retry_after`, which reschedules the outbox row: nothing is dropped.
- A channel the bot cannot post to (`not_in_channel`, `channel_not_found`, `is_archived`…)
  is a permanent failure: the worker pauses the channel's watches and logs why.

Nothing doubled across restarts. Slack has no idempotency key for chat.postMessage, so every
message carries the outbox key in its message metadata (`newsbot_alert` / `{"key": …}`).
The one window where a message can be posted but not marked sent is a crash (or a lost
response) between Slack's answer and the outbox commit. So before the first post to a
channel after start-up, and again after any post whose outcome is unknown (timeout, broken
connection, 5xx), the sender reads the channel's recent history once and skips keys it
finds there, returning that message's ts. Between those moments it trusts its own memory
of what it posted, so the normal path costs one API call per message. If the history
cannot be read (missing `channels:history` scope, for instance) it logs once and posts:
at-least-once rather than losing the alert.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.blocks import alert_message, digest_messages
from bot.core.render import AlertView
from bot.services.ports import DeliveryFailed

log = logging.getLogger(__name__)

EVENT_TYPE = "newsbot_alert"
MIN_INTERVAL = 1.0  # seconds between two messages to one channel
MAX_INLINE_WAIT = 30.0  # a longer Retry-After goes back to the outbox's own schedule
INLINE_RETRIES = 3
HISTORY_LIMIT = 100  # messages read back to find keys posted just before a crash
REMEMBERED_KEYS = 1000  # per channel
# Errors that say this channel will not take our messages until someone acts.
CHANNEL_GONE = frozenset({
    "not_in_channel", "channel_not_found", "is_archived", "restricted_action",
    "team_access_not_granted", "channel_is_archived",
})


def retry_after_seconds(headers, default: float = 1.0) -> float:
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            try:
                return max(float(value), 0.0)
            except (TypeError, ValueError):
                return default
    return default


def error_code(response) -> str:
    """Slack's error word, or the HTTP status when the answer was not Slack's JSON (a 5xx page)."""
    data = response.data if isinstance(response.data, dict) else {}
    return str(data.get("error") or f"HTTP {response.status_code}")


def key_of(message: dict) -> str | None:
    metadata = message.get("metadata") or {}
    if metadata.get("event_type") != EVENT_TYPE:
        return None
    key = (metadata.get("event_payload") or {}).get("key")
    return key if isinstance(key, str) else None


class SlackSender:
    platform = "slack"

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        min_interval: float = MIN_INTERVAL,
        max_inline_wait: float = MAX_INLINE_WAIT,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.min_interval = min_interval
        self.max_inline_wait = max_inline_wait
        self.sleep = sleep
        self.monotonic = monotonic
        self._posted: dict[str, OrderedDict[str, str]] = {}  # channel -> key -> ts
        self._checked: set[str] = set()  # channels whose history was read since the last doubt
        self._last_post: dict[str, float] = {}
        self._history_warned = False

    async def send(self, external_id: str, alert: AlertView, key: str) -> str | None:
        return await self._post_once(external_id, alert_message(alert), key)

    async def send_digest(
        self, external_id: str, groups: list[tuple[str, list[AlertView]]], lang: str, key: str
    ) -> str | None:
        first = None
        for index, message in enumerate(digest_messages(groups, lang)):
            # Each part has its own key, so a digest cut short by a failure resumes after the
            # parts already in the channel instead of repeating them.
            ts = await self._post_once(external_id, message, key if index == 0 else f"{key}/{index + 1}")
            first = first or ts
        return first

    async def _post_once(self, channel: str, message: dict, key: str) -> str | None:
        if channel not in self._checked:
            await self._read_back(channel)
        known = self._posted.get(channel, {}).get(key)
        if known:
            log.info("slack: %s already in %s (ts %s), not posting it again", key, channel, known)
            return known
        return await self._post(channel, message, key)

    def _remember(self, channel: str, key: str, ts: str) -> None:
        keys = self._posted.setdefault(channel, OrderedDict())
        keys[key] = ts
        while len(keys) > REMEMBERED_KEYS:
            keys.popitem(last=False)

    async def _read_back(self, channel: str) -> None:
        """Learn which keys are already in the channel (see the module docstring)."""
        try:
            response = await self.client.conversations_history(
                channel=channel, limit=HISTORY_LIMIT, include_all_metadata=True
            )
        except SlackApiError as error:
            status = error.response.status_code
            if status == 429:  # better late than twice
                raise DeliveryFailed("rate limited reading history", permanent=False,
                                     retry_after=retry_after_seconds(error.response.headers)) from None
            code = error_code(error.response)
            if code in CHANNEL_GONE:
                raise DeliveryFailed(code, permanent=True) from None
            if not self._history_warned:
                self._history_warned = True
                log.warning("slack: cannot read channel history (%s); a crash between posting and "
                            "recording could repeat one alert. Add the channels:history scope.", code)
            self._checked.add(channel)
            return
        except (aiohttp.ClientError, TimeoutError) as error:
            raise DeliveryFailed(f"cannot reach Slack: {error!r}", permanent=False) from None
        for message in response.get("messages") or []:
            key = key_of(message)
            if key and message.get("ts"):
                self._remember(channel, key, message["ts"])
        self._checked.add(channel)

    async def _pace(self, channel: str) -> None:
        last = self._last_post.get(channel)
        if last is not None:
            wait = last + self.min_interval - self.monotonic()
            if wait > 0:
                await self.sleep(wait)

    async def _post(self, channel: str, message: dict, key: str) -> str | None:
        for attempt in range(INLINE_RETRIES + 1):
            await self._pace(channel)
            try:
                response = await self.client.chat_postMessage(
                    channel=channel, text=message["text"], blocks=message["blocks"],
                    unfurl_links=False, unfurl_media=False,
                    metadata={"event_type": EVENT_TYPE, "event_payload": {"key": key}},
                )
            except SlackApiError as error:
                self._last_post[channel] = self.monotonic()
                status = error.response.status_code
                code = error_code(error.response)
                if status == 429:
                    # A rate-limited post was not posted, so trying again cannot double it.
                    wait = retry_after_seconds(error.response.headers)
                    if wait <= self.max_inline_wait and attempt < INLINE_RETRIES:
                        log.info("slack: rate limited in %s, waiting %.0f s", channel, wait)
                        await self.sleep(wait)
                        continue
                    raise DeliveryFailed("rate limited", permanent=False, retry_after=wait) from None
                if code in CHANNEL_GONE:
                    raise DeliveryFailed(code, permanent=True) from None
                if status >= 500:
                    self._checked.discard(channel)  # it may have been posted anyway
                raise DeliveryFailed(code, permanent=False) from None
            except (aiohttp.ClientError, TimeoutError) as error:
                self._checked.discard(channel)  # the post may have reached Slack
                raise DeliveryFailed(f"cannot reach Slack: {error!r}", permanent=False) from None
            self._last_post[channel] = self.monotonic()
            ts = response.get("ts")
            if ts:
                self._remember(channel, key, ts)
            return ts
        raise AssertionError("unreachable: the last attempt returns or raises")
