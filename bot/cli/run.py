"""`newsbot run`: the long-running bot — store, ticker, delivery, and every platform whose
token is set; with none set, a console channel that takes the same slash commands.
Ctrl-C or SIGTERM stops it cleanly (the ticker stops, in-flight writes finish, the store closes).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from bot.adapters.console import ConsoleSender, console_prompt
from bot.adapters.feedlist import read_feed_list
from bot.adapters.scheduler import start_ticker
from bot.app import open_runtime, project_file
from bot.services.delivery import DeliveryWorker
from bot.settings import Settings

log = logging.getLogger("newsbot")


async def run(settings: Settings) -> int:
    specs = read_feed_list(project_file(settings.feeds_file))
    rt = await open_runtime(settings)
    try:
        if rt.store.migrated_from and rt.store.migrated_from != await rt.store.schema_version():
            log.info("database migrated from schema %d", rt.store.migrated_from)
        added = await rt.store.sync_feeds(specs, rt.clock())
        log.info("%d feeds in %s (%d new)", len(specs), settings.feeds_file, added)
        if settings.discord_enabled or settings.slack_enabled:
            # The Discord and Slack front ends are wired here once they exist; until then the
            # bot says so plainly rather than pretending to be connected.
            log.warning("Discord/Slack tokens are set, but this build has only the console front end")

        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)

        channel = await rt.store.ensure_channel("console", "console", rt.clock(), name="console")
        worker = DeliveryWorker(rt.store, ConsoleSender(), rt.clock)
        rt.poller.on_alerts = worker.wake.set
        scheduler = start_ticker(rt.poller, settings.poll_interval)
        tasks = [
            asyncio.create_task(worker.run_forever(), name="console-delivery"),
            asyncio.create_task(console_prompt(rt.commands, channel, stop), name="console-prompt"),
        ]
        await stop.wait()
        log.info("stopping")
        scheduler.shutdown(wait=False)
        await rt.poller.stop()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        await rt.close()
    return 0
