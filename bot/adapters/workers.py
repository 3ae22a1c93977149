"""Parsing and analysis on a pool of worker processes, so a cold cycle uses every core and
the event loop keeps serving chat commands and deliveries while feeds are read.

Each worker loads the entity catalog once and keeps its own matcher; the free phrases
channels watch are given to it when its pool starts. A change of phrases (a `/watch` of a
name the catalog lacks) starts a new pool with the new set; work already handed to the old
pool finishes there.

Workers must never outlive the bot: after a SIGKILL of the bot nobody shuts the pool down,
and a left-over worker holds the database directory, memory and a terminal. So a worker asks
Linux to kill it when its parent dies (PR_SET_PDEATHSIG), and on any system also watches its
parent's pid and leaves once the parent is gone.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from pathlib import Path
from typing import Any

from bot.core.entities import Catalog
from bot.core.feeds import parse_feed
from bot.core.model import Entry, ParsedFeed
from bot.services.analyzer import Analyzer
from bot.services.records import NewEntry
from bot.services.work import new_entries, parse_and_analyse

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>
PARENT_CHECK_SECONDS = 1.0

# --------------------------------------------------------------------------------------------
# Inside a worker process
# --------------------------------------------------------------------------------------------

_analyzer: Analyzer | None = None


def _die_with_parent(parent_pid: int) -> None:
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):  # no prctl: the watcher below still works
            pass
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        os._exit(0)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _start_worker(parent_pid: int, catalog_text: str, phrases: tuple[str, ...]) -> None:
    global _analyzer
    _die_with_parent(parent_pid)
    # Ctrl-C reaches the whole process group; the bot decides when its workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _analyzer = Analyzer(Catalog.from_toml_text(catalog_text), phrases)


def _parse_in_worker(body: bytes, headers: dict[str, str], base_url: str,
                     lang_hint: str | None) -> ParsedFeed:
    return parse_feed(body, headers, base_url=base_url, lang_hint=lang_hint)


def _new_entries_in_worker(entries: list[Entry]) -> list[NewEntry]:
    assert _analyzer is not None, "worker started without its initializer"
    return new_entries(entries, _analyzer)


def _parse_and_analyse_in_worker(body: bytes, headers: dict[str, str], base_url: str,
                                 lang_hint: str | None) -> tuple[ParsedFeed, list[NewEntry]]:
    assert _analyzer is not None, "worker started without its initializer"
    return parse_and_analyse(body, headers, base_url, lang_hint, _analyzer)


def _worker_pid() -> int:
    return os.getpid()


# --------------------------------------------------------------------------------------------
# In the bot
# --------------------------------------------------------------------------------------------


def default_workers(cpus: int | None = None) -> int:
    """One worker per core, up to 4; none on a one-core machine, where a worker process would
    only add copying to the same core's work."""
    cpus = cpus if cpus is not None else (os.cpu_count() or 1)
    return 0 if cpus <= 1 else min(cpus, 4)


class ProcessWork:
    """`EntryWork` on `workers` processes. The pool starts at the first call, not before, so a
    bot that never polls (a command-only test) never starts processes."""

    def __init__(self, catalog_file: Path, workers: int, phrases: Iterable[str] = ()) -> None:
        if workers < 1:
            raise ValueError("ProcessWork needs at least one worker")
        self.workers = workers
        self._catalog_text = catalog_file.read_text(encoding="utf-8")
        Catalog.from_toml_text(self._catalog_text)  # a broken catalog fails here, not in a worker
        self._phrases: tuple[str, ...] = tuple(sorted({p for p in phrases if p}))
        self._pool: ProcessPoolExecutor | None = None
        self._context = multiprocessing.get_context("spawn")  # no fork of a threaded process

    def set_phrases(self, phrases: Iterable[str]) -> None:
        wanted = tuple(sorted({p for p in phrases if p}))
        if wanted != self._phrases:
            self._phrases = wanted
            self._retire_pool()

    async def parse(self, body: bytes, headers: Mapping[str, str], base_url: str,
                    lang_hint: str | None) -> ParsedFeed:
        return await self._run(partial(_parse_in_worker, body, dict(headers), base_url, lang_hint))

    async def new_entries(self, entries: Sequence[Entry]) -> list[NewEntry]:
        return await self._run(partial(_new_entries_in_worker, list(entries)))

    async def parse_and_analyse(self, body: bytes, headers: Mapping[str, str], base_url: str,
                                lang_hint: str | None) -> tuple[ParsedFeed, list[NewEntry]]:
        return await self._run(partial(_parse_and_analyse_in_worker, body, dict(headers),
                                       base_url, lang_hint))

    async def worker_pids(self) -> list[int]:
        """The pids of the running workers (the feed-farm bench reads their CPU time)."""
        pool = self._running_pool()
        loop = asyncio.get_running_loop()
        seen = await asyncio.gather(*(loop.run_in_executor(pool, _worker_pid)
                                      for _ in range(self.workers)))
        return sorted(set(seen) | set(pool._processes or ()))

    def close(self) -> None:
        self._retire_pool(wait=True)

    async def _run(self, call: Callable[[], Any]) -> Any:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._running_pool(), call)
        except BrokenProcessPool:
            # A worker died (killed by the system, out of memory): start a new pool and give
            # the call one more try there; a second failure is the feed's poll failure.
            log.warning("an analysis worker died; starting a new pool")
            self._retire_pool()
            return await loop.run_in_executor(self._running_pool(), call)

    def _running_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            log.info("starting %d worker processes for parsing and analysis (%d watched phrases)",
                     self.workers, len(self._phrases))
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=self._context, initializer=_start_worker,
                initargs=(os.getpid(), self._catalog_text, self._phrases),
            )
        return self._pool

    def _retire_pool(self, wait: bool = False) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=wait, cancel_futures=False)
