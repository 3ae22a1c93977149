"""Part 7's world: feeds on loopback that keep gaining stories, the stories each channel should
be alerted to, and `newsbot run` as a subprocess that can be killed and started again."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tests.feedserver import FeedServer, Reply

ROOT = Path(__file__).resolve().parents[2]
CONSONANTS = "bdfgklmnprtvz"
VOWELS = "aeiou"
LEFTOVER_GRACE = 2.0  # seconds for a killed bot's stderr to close before we call it leftovers


def made_up_words() -> list[str]:
    """Pronounceable words no catalog or stop-word list knows ("bakon", "bakun"...): two of them
    make each headline its own story (any two headlines share under 80 % of their words)."""
    return [c1 + v1 + c2 + v2 + "n" for c1, v1, c2, v2 in itertools.product(CONSONANTS, VOWELS, CONSONANTS, VOWELS)]


@dataclass(frozen=True)
class Story:
    guid: str
    title: str
    entities: tuple[str, ...]  # display names of the watched entities it is about

    def item(self, feed: str) -> str:
        return (f"<item><guid>{self.guid}</guid><title>{self.title}</title>"
                f"<link>https://{feed}.example.com/{self.guid}</link>"
                f"<description>{self.title}. More on this later today.</description></item>")


@dataclass
class Newsroom:
    """Feeds that gain stories while the bot lives and dies; each feed serves everything it has
    published so far, newest first."""

    server: FeedServer
    feeds: dict[str, list[Story]] = field(default_factory=dict)
    _words: list[str] = field(default_factory=made_up_words)
    _count: int = 0

    def add_feed(self, name: str, backlog: Story) -> str:
        self.feeds[name] = [backlog]
        self.server.route_handler(f"/{name}.xml", lambda request, name=name: self._reply(name))
        return self.server.url(f"/{name}.xml")

    def _reply(self, name: str) -> Reply:
        items = "".join(story.item(name) for story in reversed(self.feeds[name]))
        return Reply(body=('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                           f"<title>{name}</title><language>en</language>{items}</channel></rss>"))

    def publish(self, feed: str, entities: tuple[str, ...]) -> Story:
        n = self._count
        self._count += 1
        first, second = self._words[2 * n], self._words[2 * n + 1]
        subject = " and ".join(entities)
        story = Story(f"{feed}-{n}", f"{subject} unveil {first} {second} project", entities)
        self.feeds[feed].append(story)
        return story

    def published(self) -> list[Story]:
        return [story for stories in self.feeds.values() for story in stories[1:]]  # not the backlog

    def polls(self, name: str) -> int:
        return len(self.server.requests_to(f"/{name}.xml"))


def bot_env(db: Path, feeds_file: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSBOT_", "DISCORD_", "SLACK_"))}
    env.update({"NEWSBOT_DB": str(db), "NEWSBOT_FEEDS_FILE": str(feeds_file), "NEWSBOT_POLL_INTERVAL": "1",
                "NEWSBOT_ALLOW_PRIVATE_URLS": "1", "NEWSBOT_LOG_LEVEL": "WARNING", **extra})
    return env


class BotProcess:
    """`python -m bot run`, its stderr kept (the last run's, for a failure report)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.proc: asyncio.subprocess.Process | None = None
        self.log: list[str] = []
        self._reader: asyncio.Task | None = None
        self.starts = 0

    async def start(self) -> None:
        self.log = []
        self.starts += 1
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=self.env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
            start_new_session=True,  # its own process group, so leftovers can be found and ended
        )
        self._reader = asyncio.create_task(self._collect(self.proc.stderr))

    async def _collect(self, stream: asyncio.StreamReader) -> None:
        while line := await stream.readline():
            self.log.append(line.decode(errors="replace"))

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    async def kill(self) -> bool:
        """SIGKILL the bot's process alone, as a crash would: no handler runs, nothing is
        flushed or closed. Returns False when something it started (a worker pool) outlived it,
        still holding its stderr open; those leftovers are then killed with its process group."""
        if self.alive:
            self.proc.kill()
        await self.proc.wait()
        clean = await self._reap(grace=LEFTOVER_GRACE)
        if not clean:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            await self._reap(grace=LEFTOVER_GRACE)
        return clean

    async def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM and wait; the exit code (None if it had to be killed)."""
        if self.alive:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), timeout)
            except TimeoutError:
                await self.kill()
                return None
        await self._reap()
        return self.proc.returncode if self.proc else None

    async def _reap(self, grace: float = 15.0) -> bool:
        """Wait for the process, then for its stderr to close; False if it stayed open."""
        if self.proc is not None:
            await self.proc.wait()
        if self._reader is None:
            return True
        done, _ = await asyncio.wait({self._reader}, timeout=grace)
        if not done:
            return False
        self._reader = None
        return True
