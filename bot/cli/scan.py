"""`newsbot scan SOURCE... [--watch NAME]... [--json]`: read feeds, analyse every entry, print.

Stores nothing. A source that cannot be read gets one line on stderr and the others still
print; the exit code is non-zero only when no source could be read.
"""

from __future__ import annotations

import asyncio
import json
import sys
from functools import partial
from typing import TextIO

from bot.app import load_catalog, make_fetcher
from bot.core.feeds import parse_feed
from bot.services.analyzer import Analyzer
from bot.settings import Settings


def entry_record(feed: str, entry, analysis_json: dict, lang: str | None) -> dict:
    return {
        "feed": feed,
        "id": entry.key,
        "title": entry.title,
        "link": entry.link,
        "published": entry.published.isoformat() if entry.published else None,
        "lang": lang,
        **analysis_json,
    }


def limit_to_watched(record: dict, watched: set[str] | None) -> dict:
    if watched is not None:
        record["entities"] = [name for name in record["entities"] if name in watched]
    return record


def table_line(record: dict) -> str:
    figures = ", ".join(a["text"] for a in record["amounts"][:4])
    percents = ", ".join(p["text"] for p in record["percents"][:3])
    deals = "; ".join(
        f"{'/'.join(d['investors']) or '?'} → {d['target']} ({d['kind']}, {d['status']})"
        for d in record["deals"][:3]
    )
    cells = [record["lang"] or "??", (record["title"] or "")[:70], ", ".join(record["entities"]) or "-"]
    if figures or percents:
        cells.append(" ".join(x for x in (figures, percents) if x))
    if deals:
        cells.append(deals)
    return " | ".join(cells)


async def scan(
    settings: Settings, sources: list[str], watch: list[str], as_json: bool,
    out: TextIO = sys.stdout, err: TextIO = sys.stderr,
) -> int:
    analyzer = Analyzer(load_catalog(settings.entities_file))
    watched: set[str] | None = None
    if watch:
        resolved = [analyzer.resolve(name) for name in watch]
        analyzer.set_phrases(name for entity_id, name in resolved if entity_id.startswith("phrase:"))
        watched = {name for _, name in resolved}
    fetcher = make_fetcher(settings)
    loop = asyncio.get_running_loop()
    readable = 0
    try:
        results = await asyncio.gather(*(fetcher.fetch(source) for source in sources))
        for source, result in zip(sources, results):
            if result.error:
                print(f"newsbot scan: {source}: {result.error}", file=err)
                continue
            parsed = await loop.run_in_executor(
                None, partial(parse_feed, result.body or b"", dict(result.headers), base_url=result.url)
            )
            if not parsed.entries and parsed.problem:
                print(f"newsbot scan: {source}: {parsed.problem}", file=err)
                continue
            readable += 1
            if not as_json:
                print(f"# {parsed.title or source} — {len(parsed.entries)} entries", file=out)
            for entry in parsed.entries:
                analysis = analyzer.analyze_entry(entry)
                data = analyzer.to_json(analysis)
                lang = analyzer.entry_lang(entry)
                record = limit_to_watched(entry_record(source, entry, data, lang), watched)
                if as_json:
                    print(json.dumps(record, ensure_ascii=False), file=out)
                else:
                    print(table_line(record), file=out)
    finally:
        await fetcher.close()
    return 0 if readable else 1
