"""`newsbot run`: the long-running bot — store, ticker, delivery, and every platform whose
token is set; with none set, a console channel that takes the same slash commands.
Ctrl-C or SIGTERM stops it cleanly (the ticker stops, in-flight writes finish, the store closes).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.adapters.console import ConsoleSender, console_prompt
from bot.adapters.feedlist import read_feed_list
from bot.adapters.scheduler import start_ticker
from bot.app import open_runtime, project_file
from bot.services.delivery import DeliveryWorker
from bot.settings import Settings

log = logging.getLogger("newsbot")


@dataclass
class FrontEnd:
    """One platform, connected: its delivery worker, the tasks that keep it alive (a task that
    ends means the platform is lost and the bot stops), and how to close it."""

    name: str
    worker: DeliveryWorker
    lifelines: list[asyncio.Task] = field(default_factory=list)
    close: Callable[[], Awaitable[None]] | None = None


class StartFailed(Exception):
    """A platform could not start; the reason has been logged in one line."""


async def run(settings: Settings) -> int:
    specs = read_feed_list(project_file(settings.feeds_file))
    rt = await open_runtime(settings)
    fronts: list[FrontEnd] = []
    tasks: list[asyncio.Task] = []
    scheduler = None
    code = 0
    try:
        if rt.store.migrated_from and rt.store.migrated_from != await rt.store.schema_version():
            log.info("database migrated from schema %d", rt.store.migrated_from)
        added = await rt.store.sync_feeds(specs, rt.clock())
        log.info("%d feeds in %s (%d new)", len(specs), settings.feeds_file, added)

        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)

        # Feeds are polled only once every platform has accepted its credentials: a wrong token
        # stops the bot before it does anything else.
        try:
            if settings.discord_enabled:
                fronts.append(await start_discord(rt, settings, stop))
            if settings.slack_enabled and not stop.is_set():
                fronts.append(await start_slack_front(rt, settings))
        except StartFailed:
            return 1
        if stop.is_set():
            return 0
        if not fronts:
            channel = await rt.store.ensure_channel("console", "console", rt.clock(), name="console")
            fronts.append(FrontEnd("console", DeliveryWorker(rt.store, ConsoleSender(), rt.clock)))
            tasks.append(asyncio.create_task(console_prompt(rt.commands, channel, stop), name="console-prompt"))

        workers = [front.worker for front in fronts]
        rt.poller.on_alerts = lambda: [worker.wake.set() for worker in workers]
        scheduler = start_ticker(rt.poller, settings.poll_interval)
        tasks += [asyncio.create_task(w.run_forever(), name=f"{w.sender.platform}-delivery") for w in workers]

        stopping = asyncio.create_task(stop.wait(), name="stop-signal")
        tasks.append(stopping)
        lifelines = [task for front in fronts for task in front.lifelines]
        await asyncio.wait([stopping, *lifelines], return_when=asyncio.FIRST_COMPLETED)
        if stopping.done():
            log.info("stopping")
        else:
            lost = [front.name for front in fronts if any(task.done() for task in front.lifelines)]
            log.error("%s: the connection ended for good; stopping", ", ".join(lost))
            code = 1
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        await rt.poller.stop()
        await _cancel(tasks)
        for front in fronts:
            if front.close is not None:
                await front.close()
        await rt.close()
    return code


async def _cancel(tasks: list[asyncio.Task]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def start_discord(rt, settings: Settings, stop: asyncio.Event) -> FrontEnd:
    """Log the bot in (and sync its commands), keep its gateway connection as a lifeline.
    Raises StartFailed, with one logged line, when Discord refuses or cannot be reached."""
    from bot.adapters.discord.client import build_bot, describe_connection_failure
    from bot.adapters.discord.sender import DiscordSender

    bot = build_bot(rt, settings)
    connection = asyncio.create_task(bot.start(settings.discord_token), name="discord-connection")

    async def close() -> None:
        await bot.close()
        await asyncio.gather(connection, return_exceptions=True)
        if connection.done() and not connection.cancelled() and connection.exception() is not None:
            log.error("discord: %s", describe_connection_failure(connection.exception(), settings))

    logged_in = asyncio.create_task(bot.logged_in.wait())
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({connection, logged_in, stopping}, return_when=asyncio.FIRST_COMPLETED)
    await _cancel([logged_in, stopping])
    if not bot.logged_in.is_set() and not stop.is_set():
        await close()
        raise StartFailed("discord")
    return FrontEnd("discord", DeliveryWorker(rt.store, DiscordSender(bot), rt.clock), [connection], close)


async def start_slack_front(rt, settings: Settings) -> FrontEnd:
    """Check the token, then take commands over HTTP (or Socket Mode). Raises StartFailed,
    with one logged line, when Slack refuses the token or the port is taken."""
    from bot.adapters.slack.app import SlackStartFailed, start_slack

    try:
        front = await start_slack(rt, settings, deliver=False)
    except SlackStartFailed as error:
        log.error("%s", error)
        raise StartFailed("slack") from None
    return FrontEnd("slack", front.worker, [], front.stop)
