"""The use-cases behind the chat commands, written once for every front end.

Each takes a channel and parsed arguments and returns a `Reply`. Domain errors
(`NewsbotError`) carry the sentence a user sees; front ends show it ephemerally.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from bot.core.commands import Command
from bot.core.errors import AlreadyWatching, BadArgument, FeedExists, NotWatching, UnsafeURL
from bot.core.feeds import parse_feed
from bot.core.netsafety import check_url
from bot.core.render import channel_lang, format_money
from bot.services.analyzer import Analyzer
from bot.services.ports import Clock, Fetcher
from bot.services.records import FeedSpec

HELP = {
    "en": (
        "newsbot watches tech news for the companies and topics this channel cares about, "
        "and posts the figures that matter.\n"
        "/watch NAME — watch a company or topic (Meta, Scale AI, AGI, or any phrase)\n"
        "/unwatch NAME — stop watching it\n"
        "/watchlist — what this channel watches\n"
        "/deals [NAME] [DAYS] — who invested in whom lately (default 30 days)\n"
        "/feeds add URL | remove URL | list — the news feeds read\n"
        "/digest instant|hourly|daily [HH:MM] — how alerts arrive\n"
        "/language en|fr — the language of alerts"
    ),
    "fr": (
        "newsbot suit l'actualité tech des entreprises et sujets que ce salon surveille, "
        "et publie les chiffres qui comptent.\n"
        "/watch NOM — surveiller une entreprise ou un sujet (Meta, Scale AI, AGI…)\n"
        "/unwatch NOM — ne plus le surveiller\n"
        "/watchlist — ce que ce salon surveille\n"
        "/deals [NOM] [JOURS] — qui a investi dans qui récemment (30 jours par défaut)\n"
        "/feeds add URL | remove URL | list — les flux lus\n"
        "/digest instant|hourly|daily [HH:MM] — comment arrivent les alertes\n"
        "/language en|fr — la langue des alertes"
    ),
}

MUTATING = {"watch", "unwatch", "digest", "language", "feeds:add", "feeds:remove"}


@dataclass(frozen=True)
class Reply:
    text: str
    ephemeral: bool = False


def needs_manager(command: Command) -> bool:
    """Whether a command changes the channel (and so needs the platform's manage right)."""
    key = command.name if command.name != "feeds" else f"feeds:{command.args.get('action')}"
    return key in MUTATING


def ledger_line(row, lang: str = "en") -> str:
    date = row.reported_at.strftime("%Y-%m-%d")
    investors = ", ".join(row.investors) or "?"
    parts = [f"{date} {investors} → {row.target}", row.kind.replace("_", " ")]
    if row.amount:
        parts.append(format_money(_as_dict(row.amount), lang))
    if row.stake_percent is not None:
        parts.append(f"{row.stake_percent:g} %")
    if row.valuation:
        parts.append(("valued " if lang == "en" else "valorisée ") + format_money(_as_dict(row.valuation), lang))
    parts.append(row.status)
    parts.append(f"{row.sources} source{'s' if row.sources != 1 else ''}")
    if row.link:
        parts.append(row.link)
    return " · ".join(parts)


def _as_dict(money) -> dict:
    return {"value": money.value, "currency": money.currency, "approx": money.approx,
            "value_max": money.value_max}


class ChannelCommands:
    def __init__(self, store, analyzer: Analyzer, fetcher: Fetcher, clock: Clock,
                 *, allow_private_urls: bool = False) -> None:
        self.store = store
        self.analyzer = analyzer
        self.fetcher = fetcher
        self.clock = clock
        self.allow_private_urls = allow_private_urls

    async def run(self, channel, command: Command) -> Reply:
        handler = getattr(self, f"cmd_{command.name}")
        return await handler(channel, **command.args)

    async def cmd_help(self, channel) -> Reply:
        return Reply(HELP[channel_lang(channel.lang)], ephemeral=True)

    async def cmd_watch(self, channel, entity: str) -> Reply:
        entity_id, name = self.analyzer.resolve(entity)
        try:
            await self.store.watch(channel.id, entity_id, name, self.clock())
        except AlreadyWatching:
            # A channel paused because the bot lost access is resumed by asking again.
            if not any(s.paused for s in await self.store.watchlist(channel.id)):
                raise
            resumed = await self.store.resume_channel(channel.id)
            return Reply(f"Alerts resumed for this channel ({resumed} watches, {name} among them).")
        if entity_id.startswith("phrase:"):
            self.analyzer.add_phrase(name)
            return Reply(f"Watching “{name}” (not in the catalog: matched as a whole phrase).")
        found = self.analyzer.catalog.resolve(entity)
        about = f" ({found.description})" if found and found.description else ""
        return Reply(f"Watching {name}{about}.")

    async def cmd_unwatch(self, channel, entity: str) -> Reply:
        entity_id, name = self.analyzer.resolve(entity)
        if not await self.store.unwatch(channel.id, entity_id):
            raise NotWatching(f"This channel does not watch {name}. See /watchlist.")
        return Reply(f"No longer watching {name}.")

    async def cmd_watchlist(self, channel) -> Reply:
        subs = await self.store.watchlist(channel.id)
        if not subs:
            return Reply("This channel watches nothing yet. Try /watch Meta.", ephemeral=True)
        lines = [f"• {s.display_name}" + (" (paused)" if s.paused else "") for s in subs]
        return Reply("This channel watches:\n" + "\n".join(lines))

    async def cmd_deals(self, channel, entity: str | None = None, days: int = 30) -> Reply:
        party = None
        if entity:
            _, party = self.analyzer.resolve(entity)
        rows = await self.store.list_deals(self.clock() - timedelta(days=days), party)
        scope = f" involving {party}" if party else ""
        period = "the last day" if days == 1 else f"the last {days} days"
        if not rows:
            return Reply(f"No deals{scope} in {period}.")
        lang = channel_lang(channel.lang)
        lines = [ledger_line(row, lang) for row in rows]
        return Reply(f"Deals{scope} in {period}, newest first:\n" + "\n".join(lines))

    async def cmd_digest(self, channel, mode: str, time: str | None = None) -> Reply:
        await self.store.set_channel_preferences(channel.id, digest_mode=mode, digest_time=time)
        if mode == "instant":
            return Reply("Alerts will be posted as they come.")
        when = f"every day at {time} UTC" if mode == "daily" else "every hour"
        return Reply(f"Alerts will be gathered into a digest {when}.")

    async def cmd_language(self, channel, lang: str) -> Reply:
        await self.store.set_channel_preferences(channel.id, lang=lang)
        return Reply("Alerts will be in English." if lang == "en" else "Les alertes seront en français.")

    async def cmd_feeds(self, channel, action: str, url: str | None = None) -> Reply:
        if action == "list":
            return Reply(self._feeds_text(await self.store.feed_statuses()))
        if action == "remove":
            if not await self.store.remove_feed(url):
                raise BadArgument(f"{url} is not in the feed list. See /feeds list.")
            return Reply(f"Removed {url}.")
        return await self._add_feed(url)

    async def _add_feed(self, url: str) -> Reply:
        refusal = check_url(url, allow_private=self.allow_private_urls)
        if refusal:
            raise UnsafeURL(f"That address is refused: {refusal}.")
        if await self.store.feed_by_url(url):
            raise FeedExists(f"{url} is already in the feed list.")
        result = await self.fetcher.fetch(url)
        if result.error:
            raise BadArgument(f"Could not read that feed: {result.error}")
        parsed = await asyncio.get_running_loop().run_in_executor(
            None, parse_feed, result.body or b"", dict(result.headers)
        )
        if not parsed.entries:
            raise BadArgument(f"That address is not a news feed: {parsed.problem or 'no entries'}.")
        feed = await self.store.add_feed(
            FeedSpec(url=url, name=parsed.title, lang=parsed.lang), self.clock(), origin="chat"
        )
        return Reply(f"Added {feed.name or url} ({len(parsed.entries)} entries now; alerts start with its next new article).")

    @staticmethod
    def _feeds_text(statuses) -> str:
        if not statuses:
            return "No feeds yet. Add one with /feeds add URL."
        lines = []
        for s in statuses:
            if s.paused:
                health = f"PAUSED after {s.failures} failures: {s.last_error}"
            elif s.last_error and s.failures:
                health = f"failing ({s.failures}): {s.last_error}"
            elif s.last_success_at:
                health = f"ok, last read {s.last_success_at:%Y-%m-%d %H:%M} UTC"
            else:
                health = "not read yet"
            lines.append(f"• {s.name or s.url} — {s.url} — {health}")
        return f"{len(statuses)} feeds:\n" + "\n".join(lines)
