"""Delivery: one worker per platform drains that platform's share of the outbox: alerts one by
one for channels that take them as they come, and a digest per channel when its hour or day
comes round for the others.

Every alert is in the outbox before anything is sent; the worker renders it, posts it through
the platform's `Sender` and marks the row. After a crash the rows still pending are simply
sent on the next pass. A channel that is gone or forbids the bot pauses its subscriptions
(with the reason logged) instead of being retried forever; outages retry with back-off.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from bot.core.digest import DIGEST_MAX_STORIES, digest_due, group_by_entity
from bot.core.render import AlertView, alert_view
from bot.services.ports import Clock, DeliveryFailed, Sender

log = logging.getLogger(__name__)

RETRY_BASE = 5.0
RETRY_MAX = 3600.0
MAX_ATTEMPTS = 50  # about two days of hourly retries before an alert is given up


def retry_delay(attempts: int, retry_after: float | None) -> float:
    return max(min(RETRY_BASE * 2 ** min(attempts, 20), RETRY_MAX), retry_after or 0.0)


def delivery_key(outbox_id: int) -> str:
    return f"newsbot-{outbox_id}"


async def build_view(store, item) -> AlertView | None:
    article = await store.article(item.article_id)
    if article is None:
        return None
    names_by_id = {s.entity_id: s.display_name for s in await store.watchlist(item.channel_id)}
    names = [names_by_id.get(entity_id, entity_id.removeprefix("phrase:")) for entity_id in item.entity_ids]
    # In the order the article names them, so the headline's subject comes first.
    mentioned = list(article.analysis.get("entities") or [])
    names.sort(key=lambda n: mentioned.index(n) if n in mentioned else len(mentioned))
    return alert_view(
        title=article.title, link=article.link, source=article.feed_name,
        published=article.published_at, summary=article.summary, analysis=article.analysis,
        watched_names=names, lang=item.channel_lang,
    )


class DeliveryWorker:
    def __init__(self, store, sender: Sender, clock: Clock, *, batch: int = 50) -> None:
        self.store = store
        self.sender = sender
        self.clock = clock
        self.batch = batch
        self.wake = asyncio.Event()

    async def deliver_pending(self) -> int:
        """One pass over what is due; returns how many alerts were posted."""
        posted = 0
        closed: set[int] = set()  # channels that refused for good during this pass
        while True:
            items = await self.store.pending(self.sender.platform, self.clock(), self.batch)
            if not items:
                return posted
            for item in items:
                if item.channel_id not in closed:  # else already marked dead with its channel
                    posted += await self._deliver(item, closed)
            if len(items) < self.batch:
                return posted

    async def _close_channel(self, channel_id: int, reason: str) -> None:
        """A channel that is gone or shut to the bot: pause its watches and give up every alert
        still queued for it. Trying each one would only collect more 403/404 answers, and
        Discord bans (via Cloudflare) a bot that sends too many invalid requests; stress part 6
        saw one deleted channel draw a 404 per queued alert."""
        await self.store.pause_channel(channel_id, reason)
        while queued := await self.store.pending_for_channel(channel_id, self.batch):
            for other in queued:
                await self.store.mark_dead(other.id, reason)

    async def _deliver(self, item, closed: set[int]) -> int:
        view = await build_view(self.store, item)
        if view is None:
            await self.store.mark_dead(item.id, "article no longer stored")
            return 0
        try:
            ref = await self.sender.send(item.external_id, view, delivery_key(item.id))
        except DeliveryFailed as failure:
            if failure.permanent:
                log.warning("%s channel %s refused delivery, pausing its watches: %s",
                            self.sender.platform, item.external_id, failure.reason)
                await self.store.mark_dead(item.id, failure.reason)
                await self._close_channel(item.channel_id, failure.reason)
                closed.add(item.channel_id)
            elif item.attempts + 1 >= MAX_ATTEMPTS:
                await self.store.mark_dead(item.id, f"gave up: {failure.reason}")
            else:
                delay = retry_delay(item.attempts, failure.retry_after)
                await self.store.mark_retry(item.id, failure.reason, self.clock() + timedelta(seconds=delay))
            return 0
        await self.store.mark_sent(item.id, self.clock(), ref)
        return 1

    async def deliver_digests(self) -> int:
        """Send every digest that is due; returns how many digests were posted."""
        posted = 0
        for channel in await self.store.digest_channels(self.sender.platform):
            now = self.clock()
            if digest_due(channel.digest_mode, channel.digest_time, channel.last_digest_at, now):
                posted += await self._deliver_digest(channel, now)
        return posted

    async def _deliver_digest(self, channel, now) -> int:
        items = await self.store.pending_for_channel(channel.id, DIGEST_MAX_STORIES)
        stories = []
        for item in items:
            view = await build_view(self.store, item)
            if view is not None:
                stories.append((view.entities, view))
        order = [s.display_name for s in await self.store.watchlist(channel.id)]
        groups = group_by_entity(stories, order)
        # The first row's key: a digest retried after a crash carries the same key.
        key = delivery_key(items[0].id)
        try:
            ref = await self.sender.send_digest(channel.external_id, groups, channel.lang, key)
        except DeliveryFailed as failure:
            if failure.permanent:
                log.warning("%s channel %s refused its digest, pausing its watches: %s",
                            self.sender.platform, channel.external_id, failure.reason)
                for item in items:
                    await self.store.mark_dead(item.id, failure.reason)
                await self.store.pause_channel(channel.id, failure.reason)
            else:
                log.info("digest for %s postponed: %s", channel.external_id, failure.reason)
            return 0
        await self.store.mark_digest_sent(channel.id, [item.id for item in items], now, ref)
        return 1

    async def run_forever(self, idle: float = 5.0) -> None:
        while True:
            # Cleared before the pass, not after: a poll that queues alerts during the pass
            # sets it again, and the next pass starts at once instead of after `idle`.
            self.wake.clear()
            try:
                await self.deliver_pending()
                await self.deliver_digests()
            except Exception:  # a store hiccup must not end delivery for good
                log.exception("%s delivery pass failed", self.sender.platform)
            try:
                await asyncio.wait_for(self.wake.wait(), idle)
            except TimeoutError:
                pass
