"""Composition: build the parts from settings. Used by `run`, `demo` and `scan`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.adapters.files import SourceFetcher
from bot.adapters.http_fetch import Fetcher
from bot.adapters.sqlite import Store
from bot.adapters.workers import ProcessWork, default_workers
from bot.core.entities import Catalog
from bot.services.analyzer import Analyzer
from bot.services.commands import ChannelCommands
from bot.services.poller import Poller
from bot.services.ports import EntryWork
from bot.services.work import InProcessWork
from bot.settings import Settings, SettingsError

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def utc_now() -> datetime:
    return datetime.now(UTC)


def project_file(path: Path) -> Path:
    """A relative config path is looked up in the working directory, then beside the package
    (so `newsbot` works from any directory of a source checkout)."""
    if path.is_absolute() or path.exists():
        return path
    beside = PROJECT_ROOT / path
    return beside if beside.exists() else path


def load_catalog(path: Path) -> Catalog:
    path = project_file(path)
    try:
        return Catalog.from_toml_text(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsError(f"NEWSBOT_ENTITIES_FILE: cannot read {path}: {exc.strerror or exc}") from None


def make_fetcher(settings: Settings) -> SourceFetcher:
    return SourceFetcher(Fetcher(allow_private=settings.allow_private_urls))


@dataclass
class Runtime:
    store: Store
    analyzer: Analyzer
    fetcher: SourceFetcher
    poller: Poller
    commands: ChannelCommands
    clock: Callable[[], datetime]
    work: EntryWork

    async def close(self) -> None:
        await self.fetcher.close()
        self.work.close()
        await self.store.close()


def make_work(settings: Settings, analyzer: Analyzer, phrases: list[str], *,
              catalog_given: bool) -> EntryWork:
    """Worker processes (NEWSBOT_WORKERS, default one per core) unless the caller handed its
    own catalog object (workers load the catalog file) or there is one core."""
    workers = default_workers() if settings.workers is None else settings.workers
    if workers < 1 or catalog_given:
        return InProcessWork(analyzer)
    return ProcessWork(project_file(settings.entities_file), workers, phrases)


async def open_runtime(
    settings: Settings, *, clock: Callable[[], datetime] = utc_now, catalog: Catalog | None = None
) -> Runtime:
    catalog_given = catalog is not None
    catalog = catalog or load_catalog(settings.entities_file)
    store = await Store.open(settings.db_path)
    phrases = await store.watched_phrases()
    analyzer = Analyzer(catalog, phrases)
    work = make_work(settings, analyzer, phrases, catalog_given=catalog_given)
    fetcher = make_fetcher(settings)
    poller = Poller(store, fetcher, analyzer, interval=settings.poll_interval, clock=clock, work=work)
    commands = ChannelCommands(
        store, analyzer, fetcher.http, clock, allow_private_urls=settings.allow_private_urls
    )
    return Runtime(store, analyzer, fetcher, poller, commands, clock, work)
