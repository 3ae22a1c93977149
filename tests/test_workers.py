"""Parsing and analysis in worker processes (`ProcessWork`): the same records as in the bot's
own process, phrases that reach the workers, a dead worker replaced, and no worker left
behind when the bot is killed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bot.adapters.workers import ProcessWork, default_workers
from bot.app import load_catalog
from bot.core.model import Entry
from bot.services.analyzer import Analyzer
from bot.services.work import InProcessWork

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "config" / "entities.toml"
SEED_FEEDS = sorted((ROOT / "seeds" / "feeds").glob("**/*.xml"))


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(CATALOG)


@pytest.fixture
async def work():
    work = ProcessWork(CATALOG, workers=2)
    yield work
    work.close()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A killed child not yet reaped by anyone is a zombie: gone for our purpose.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ")[-1].startswith("Z"))


def wait_gone(pids: list[int], seconds: float = 10.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.1)
    return [p for p in pids if alive(p)]


async def test_workers_parse_and_analyse_exactly_as_the_bot_does_in_process(work, catalog):
    here = InProcessWork(Analyzer(catalog))
    assert SEED_FEEDS
    for path in SEED_FEEDS:
        body = path.read_bytes()
        parsed_there = await work.parse(body, {"content-type": "application/rss+xml"},
                                        "https://news.example.com/feed", None)
        parsed_here = await here.parse(body, {"content-type": "application/rss+xml"},
                                       "https://news.example.com/feed", None)
        assert parsed_there == parsed_here and parsed_there.entries
        assert await work.new_entries(parsed_there.entries) == await here.new_entries(parsed_here.entries)
        # A first poll's one trip gives the same feed and the same records as the two steps.
        feed_there, analysed_there = await work.parse_and_analyse(
            body, {"content-type": "application/rss+xml"}, "https://news.example.com/feed", None)
        assert feed_there.entries == () and feed_there.title == parsed_here.title
        assert analysed_there == await here.new_entries(parsed_here.entries)


async def test_a_newly_watched_phrase_reaches_the_workers(work):
    entry = Entry(key="k", title="Zorblax Robotics raises $40 million from Meta",
                  link="https://news.example.com/a", summary="The round values Zorblax Robotics at $400 million.")
    (before,) = await work.new_entries([entry])
    assert before.entity_ids == ("meta",)
    work.set_phrases(["Zorblax Robotics"])
    (after,) = await work.new_entries([entry])
    assert "meta" in after.entity_ids and len(after.entity_ids) == 2
    assert "Zorblax Robotics" in json.loads(after.analysis_json)["entities"]


async def test_a_killed_worker_is_replaced_and_the_call_still_answers(work):
    entry = Entry(key="k", title="Meta takes 49% of Scale AI", link=None, summary="")
    await work.new_entries([entry])
    for pid in await work.worker_pids():
        os.kill(pid, signal.SIGKILL)
    (result,) = await work.new_entries([entry])
    assert {"meta", "scale-ai"} <= set(result.entity_ids)


def test_no_worker_outlives_a_killed_bot(tmp_path):
    """SIGKILL leaves no chance to shut the pool down: the workers must leave on their own."""
    script = tmp_path / "bot_with_workers.py"
    script.write_text(textwrap.dedent(f"""
        import asyncio, sys
        from pathlib import Path
        from bot.adapters.workers import ProcessWork

        async def main():
            work = ProcessWork(Path({str(CATALOG)!r}), workers=2)
            print(*await work.worker_pids(), flush=True)
            await asyncio.sleep(600)

        if __name__ == "__main__":
            asyncio.run(main())
    """))
    bot = subprocess.Popen([sys.executable, str(script)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        pids = [int(p) for p in bot.stdout.readline().split()]
        assert len(pids) == 2 and all(alive(p) for p in pids)
    finally:
        bot.kill()
        bot.wait(10)
    assert wait_gone(pids) == []


@pytest.mark.parametrize("cpus, workers", [(1, 0), (2, 2), (4, 4), (16, 4)])
def test_one_worker_per_core_up_to_four_and_none_on_one_core(cpus, workers):
    assert default_workers(cpus) == workers


@pytest.mark.parametrize("workers, catalog_given, expected", [
    (0, False, InProcessWork),  # NEWSBOT_WORKERS=0
    (2, False, ProcessWork),
    (2, True, InProcessWork),  # a caller's own catalog object cannot be sent to workers by file
])
def test_the_app_starts_workers_as_the_setting_says(catalog, workers, catalog_given, expected):
    from bot.app import make_work
    from bot.settings import parse_settings

    settings = parse_settings({"NEWSBOT_WORKERS": str(workers)})
    work = make_work(settings, Analyzer(catalog), [], catalog_given=catalog_given)
    assert type(work) is expected
