"""The CPU-heavy half of a poll, parsing a document and analysing its new entries, and the
in-process way to run it: on the default thread executor, beside the event loop.

`new_entry` is what both ways run for each new entry, here or in a worker process
(`bot.adapters.workers`), so the stored record is the same whichever runs it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from functools import partial

from bot.core.feeds import parse_feed
from bot.core.identity import body_key, canonical_link, fingerprint_of_words, title_words
from bot.core.keyfigures import key_figures
from bot.core.model import Entry, ParsedFeed
from bot.services.analyzer import Analyzer
from bot.services.records import NewEntry


def headline_deal(title: str, title_names: set[str], deals) -> str | None:
    """The deal a headline is about: the first whose target and (if any) an investor are named
    in the title, by canonical name or as written. Background deals mentioned only in the body
    are not the story."""
    folded = title.casefold()

    def named(party: str) -> bool:
        return party in title_names or party.casefold() in folded

    for deal in deals:
        if named(deal.target) and (not deal.investors or any(named(i) for i in deal.investors)):
            return f"{deal.kind}|{'+'.join(sorted(deal.investors))}|{deal.target}"
    return None


def new_entry(entry: Entry, analyzer: Analyzer) -> NewEntry:
    """An entry plus what the analysis found, ready for the store."""
    lang = analyzer.entry_lang(entry)
    words = title_words(entry.title)
    analysis = analyzer.analyze_entry(entry)
    figures = [
        {"role": f.role, "value": f.value, "currency": f.currency, "approx": f.approx, "year": f.year}
        for f in key_figures(entry.text, analysis)
    ]
    return NewEntry(
        key=entry.key,
        title=entry.title,
        link=entry.link,
        canonical_link=canonical_link(entry.link) if entry.link else None,
        title_fingerprint=fingerprint_of_words(words) if entry.title else None,
        summary=entry.summary,
        published_at=entry.published,
        lang=lang,
        entity_ids=tuple(sorted(analysis.entity_ids)),
        analysis_json=json.dumps({
            "lang": lang, **analyzer.to_json(analysis), "key_figures": figures,
            # The words that matched ("Meta Platforms", "la maison mère de Facebook"), so the
            # alert's excerpt can highlight them and not only the canonical name.
            "entity_matches": [{"name": n, "text": t}
                               for n, t in dict.fromkeys((m.name, m.text) for m in analysis.entities)],
        }, ensure_ascii=False),
        deals=analysis.deals,
        headline_deal=headline_deal(
            entry.title, {m.name for m in analysis.entities if m.start < len(entry.title)},
            analysis.deals,
        ),
        title_words=words,
        body_key=body_key(entry.summary),
    )


def new_entries(entries: Sequence[Entry], analyzer: Analyzer) -> list[NewEntry]:
    return [new_entry(entry, analyzer) for entry in entries]


def parse_and_analyse(body: bytes, headers: Mapping[str, str], base_url: str,
                      lang_hint: str | None, analyzer: Analyzer) -> tuple[ParsedFeed, list[NewEntry]]:
    """`EntryWork.parse_and_analyse`: the entries travel once, analysed, not twice."""
    parsed = parse_feed(body, dict(headers), base_url=base_url, lang_hint=lang_hint)
    return replace(parsed, entries=()), new_entries(parsed.entries, analyzer)


class InProcessWork:
    """Parse and analyse on threads of this process. They hold the interpreter lock while
    they work, so this suits the demo, tests and a one-core machine; `ProcessWork` spreads
    the same calls over the cores."""

    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer

    def set_phrases(self, phrases: Iterable[str]) -> None:
        self.analyzer.set_phrases(phrases)

    def close(self) -> None:
        pass  # the default thread executor belongs to the event loop

    async def parse(self, body: bytes, headers: Mapping[str, str], base_url: str,
                    lang_hint: str | None) -> ParsedFeed:
        return await asyncio.get_running_loop().run_in_executor(
            None, partial(parse_feed, body, dict(headers), base_url=base_url, lang_hint=lang_hint))

    async def parse_and_analyse(self, body: bytes, headers: Mapping[str, str], base_url: str,
                                lang_hint: str | None) -> tuple[ParsedFeed, list[NewEntry]]:
        return await asyncio.get_running_loop().run_in_executor(
            None, parse_and_analyse, body, dict(headers), base_url, lang_hint, self.analyzer)

    async def new_entries(self, entries: Sequence[Entry]) -> list[NewEntry]:
        return await asyncio.get_running_loop().run_in_executor(
            None, new_entries, list(entries), self.analyzer)
