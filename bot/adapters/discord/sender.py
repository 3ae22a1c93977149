"""Posting alerts from the outbox to Discord channels: the `Sender` the delivery worker uses.

Rate limits: discord.py already honours 429s and per-route buckets (and must not be fought: it
retries after `retry_after` when the answer carries a `Via` header). What it does not do is keep a
bot with thousands of channels under Discord's GLOBAL limit of 50 requests per second, since each
channel is its own bucket; the `TokenBucket` here does, for every alert the bot posts.

Duplicates: every post carries the outbox row's key as its nonce (discord.py then sets
`enforce_nonce`), so a POST that reached Discord before a crash and is retried after the restart
returns the message already posted instead of a second one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence

import aiohttp
import discord

from bot.adapters.discord.embeds import alert_embed, digest_messages
from bot.core.render import AlertView
from bot.services.ports import DeliveryFailed

log = logging.getLogger(__name__)

# Discord allows 50 requests/s per bot. A token bucket lets at most burst + rate requests into any
# one-second window; 44 + 4 = 48 leaves room for discord.py's own 429 retries and clock jitter.
GLOBAL_RATE = 44.0
GLOBAL_BURST = 4
# discord.py's HTTP session waits up to aiohttp's default 5 minutes for an answer; one POST that
# Discord never answers would hold every channel's delivery that long (found by stress part 6).
# After this many seconds the post counts as failed; its retry carries the same nonce, so if
# Discord did store it, the retry shows the existing message instead of a second one.
SEND_TIMEOUT = 20.0


class TokenBucket:
    """At most `burst` requests at once, refilled at `rate` per second; callers wait in turn, so
    any one-second window holds at most `burst + rate` requests.

    `clock` (seconds, monotonic) and `sleep` are injected so tests can run it on a fake clock."""

    def __init__(
        self, rate: float = GLOBAL_RATE, burst: int = GLOBAL_BURST, *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._last = clock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
        self._last = now

    async def acquire(self) -> None:
        # Take the token first, then wait off the debt: callers queue up in arrival order without
        # a lock, and no float round-off can leave a waiter looping on "almost one token".
        self._refill()
        self._tokens -= 1
        if self._tokens < 0:
            await self._sleep(-self._tokens / self.rate)


def _retry_after(error: discord.HTTPException) -> float | None:
    try:
        return float(error.response.headers.get("Retry-After", ""))
    except (AttributeError, ValueError):
        return None


def delivery_failure(error: BaseException) -> DeliveryFailed | None:
    """What a failed post means for the outbox row; None for errors that are not Discord's."""
    if isinstance(error, (discord.Forbidden, discord.NotFound)):
        # The channel is gone or the bot may not post there: retrying will not help.
        return DeliveryFailed(f"Discord {error.status}: {error.text or 'refused'}", permanent=True)
    if isinstance(error, discord.RateLimited):  # only when max_ratelimit_timeout is set
        return DeliveryFailed("rate limited", permanent=False, retry_after=error.retry_after)
    if isinstance(error, discord.HTTPException):
        if error.status == 429:  # discord.py gave up (5 tries) or would not retry (no Via: Cloudflare)
            return DeliveryFailed("Discord 429 (no Via header, or discord.py gave up)", permanent=False, retry_after=_retry_after(error))
        if error.status < 500:
            # 400/401: our payload or our token, not the channel. Worth a loud log, never a pause.
            log.error("Discord rejected an alert (%s): %s", error.status, error.text)
        return DeliveryFailed(f"Discord {error.status}: {error.text or 'error'}", permanent=False)
    if isinstance(error, (aiohttp.ClientError, OSError, asyncio.TimeoutError)):
        return DeliveryFailed(f"network: {type(error).__name__}: {error}", permanent=False)
    return None


class DiscordSender:
    """Sender for `DeliveryWorker`: one alert embed per message, nobody pinged, nonce = key."""

    platform = "discord"

    def __init__(
        self, client: discord.Client, budget: TokenBucket | None = None, *, send_timeout: float = SEND_TIMEOUT
    ) -> None:
        self.client = client
        self.budget = budget or TokenBucket()
        self.send_timeout = send_timeout

    async def send(self, external_id: str, alert: AlertView, key: str) -> str:
        (ref,) = await self._post(external_id, [[alert_embed(alert)]], key)
        return ref

    async def send_digest(
        self, external_id: str, groups: Iterable[tuple[str, Sequence[AlertView]]], lang: str, key: str
    ) -> list[str]:
        """A digest over as many messages as Discord's limits need; each message has its own
        nonce derived from `key`, so a retried digest shows nothing twice. Returns message ids."""
        return await self._post(external_id, digest_messages(groups, lang), key)

    async def _post(self, external_id: str, messages: list[list[discord.Embed]], key: str) -> list[str]:
        try:
            channel_id = int(external_id)
        except ValueError:
            raise DeliveryFailed(f"not a Discord channel id: {external_id!r}", permanent=True) from None
        channel = self.client.get_partial_messageable(channel_id)
        refs = []
        for index, embeds in enumerate(messages):
            nonce = key if len(messages) == 1 else message_nonce(key, index)
            await self.budget.acquire()
            try:
                message = await asyncio.wait_for(channel.send(
                    embeds=embeds, allowed_mentions=discord.AllowedMentions.none(), nonce=nonce,
                ), self.send_timeout)
            except Exception as error:
                failure = delivery_failure(error)
                if failure is None:
                    raise
                raise failure from error
            refs.append(str(message.id))
        return refs


def message_nonce(key: str, index: int) -> str:
    """The nonce of the index-th message of one delivery; Discord caps nonces at 25 characters."""
    suffix = f".{index}"
    return key[: 25 - len(suffix)] + suffix
