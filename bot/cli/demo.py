"""`newsbot demo`: the whole bot on its embedded default, offline, in one go.

A fresh temporary database, the sample feeds of `seeds/feeds/`, one console channel watching
Meta, Scale AI and AGI. The samples are polled the way the bot polls: the first poll is
backlog (stored and analysed, so the deals ledger fills, but nobody is alerted); then the
feeds change to `seeds/feeds/next/` and the clock moves on one poll interval, so the second
poll finds new articles and the channel gets its alerts, printed here, followed by /deals.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

from bot.adapters.console import ConsoleSender, run_command_line
from bot.app import open_runtime, project_file, utc_now
from bot.services.delivery import DeliveryWorker
from bot.services.records import FeedSpec
from bot.settings import Settings

SEEDS = Path("seeds/feeds")
DEMO_WATCHES = ("Meta", "Scale AI", "AGI")


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


class SteppedClock:
    """Real time at start, moved forward on demand: the demo's second poll is 'later'."""

    def __init__(self, start: datetime) -> None:
        self.offset = timedelta(0)
        self.start = start
        self.real_start = utc_now()

    def __call__(self) -> datetime:
        return self.start + self.offset + (utc_now() - self.real_start)

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


def _copy_feeds(source: Path, target: Path) -> list[Path]:
    copied = []
    for path in sorted(source.glob("*.xml")):
        shutil.copyfile(path, target / path.name)
        copied.append(target / path.name)
    return copied


async def demo(settings: Settings, out: TextIO = sys.stdout) -> int:
    seeds = project_file(SEEDS)
    if not seeds.is_dir():
        print(f"newsbot demo: sample feeds not found at {seeds}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="newsbot-demo-") as tmp:
        feeds_dir = Path(tmp) / "feeds"
        feeds_dir.mkdir()
        clock = SteppedClock(utc_now())
        # A few sample feeds: worker processes would take longer to start than the work.
        demo_settings = replace(settings, db_path=Path(tmp) / "demo.db", workers=0)
        rt = await open_runtime(demo_settings, clock=clock)
        try:
            paths = _copy_feeds(seeds, feeds_dir)
            for path in paths:
                await rt.store.add_feed(FeedSpec(url=str(path)), clock(), origin="cli")
            channel = await rt.store.ensure_channel("console", "demo", clock(), name="#demo")
            print("== newsbot demo: a console channel, offline, sample feeds from seeds/feeds/", file=out)
            for name in DEMO_WATCHES:
                print(f"> /watch {name}\n{await run_command_line(rt.commands, channel, f'/watch {name}')}", file=out)

            first = await rt.poller.poll_due()
            print(
                f"\n== first poll: {len(first.feeds)} feeds, {first.new_entries} entries stored as backlog"
                f" (analysed for the ledger, never alerted); alerts queued: {first.alerts}",
                file=out,
            )
            _copy_feeds(seeds / "next", feeds_dir)
            clock.advance(settings.poll_interval)
            second = await rt.poller.poll_due()
            print(
                f"== second poll, {settings.poll_interval} s later: {second.new_entries} new entries,"
                f" {plural(second.alerts, 'alert')} queued\n",
                file=out,
            )
            for failed in first.failed + second.failed:
                print(f"!! {failed.url}: {failed.error}", file=out)
            sender = ConsoleSender(out)
            await DeliveryWorker(rt.store, sender, clock).deliver_pending()
            print(f"== {plural(sender.sent, 'alert')} posted to #demo\n", file=out)
            print(f"> /deals\n{await run_command_line(rt.commands, channel, '/deals')}", file=out)
        finally:
            await rt.close()
    return 0
