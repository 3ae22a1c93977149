"""Sentences of an entry and the topic each one's "the company" stands for."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from bot.core.model import Amount, Percent
from bot.core.deals.parties import Party


# Spaces after a full stop (or !, ?) before a capital, or a line break. Written to begin with the
# whitespace it consumes: the same matches as `(?<=[.!?])\s+(?=...)|\n+`, but `re` can then skip
# to the next whitespace in C instead of trying both branches at every character (~20 us/article).
_SENTENCE_END = re.compile(r"\s(?:(?<=[.!?]\s)\s*(?=[\"«„“¿¡(]?[A-ZÀ-Þ0-9])|(?<=\n)\n*)")
# "2 Mrd. Euro", "180 Mio. US-Dollar": German money scales abbreviate with a full stop.
_ABBREVIATION_END = re.compile(
    r"(?:\b(?:Inc|Corp|Ltd|Co|Mr|Mrs|Ms|Dr|St|Jr|vs|U\.S|etc|approx|Nr|bzw|z\.B|Mrd|Mio|Md|Mds|Tsd|Bio|ca|Mill)\.|\b[A-Z]\.)$"
)

# An abbreviation is looked for only this far back: searching from the text's start each time made
# splitting quadratic. Longer than any alternative above ("approx."), so no match is lost.
_LONGEST_ABBREVIATION = 12


def _sentence_end_candidates(text: str) -> list[int]:
    """Where `_SENTENCE_END` can match: at a line break, or right after ".", "!" or "?". Found with
    str.find, which skips ahead in C several times faster than `re` scanning every character."""
    found = set()
    for mark in ".!?\n":
        after = mark != "\n"  # the pattern begins with the whitespace after a full stop
        at = text.find(mark)
        while at != -1:
            found.add(at + after)
            at = text.find(mark, at + 1)
    return sorted(found)


def _sentence_ends(text: str):
    """`_SENTENCE_END.finditer(text)`, trying the pattern only where it can match."""
    resume = 0
    match = _SENTENCE_END.match
    for at in _sentence_end_candidates(text):
        if at < resume:
            continue
        m = match(text, at)
        if m:
            yield m
            resume = m.end()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _sentence_ends(text):
        if text[m.start()] != "\n" and not m.group().startswith("\n") and _ABBREVIATION_END.search(text, max(0, m.start() - _LONGEST_ABBREVIATION), m.start()):
            continue
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


@dataclass(slots=True)  # read in every frame; a slot is found without a dict look-up
class Sentence:
    index: int
    start: int
    end: int
    parties: list[Party]
    amounts: list[Amount]
    percents: list[Percent]
    topic: str | None  # whom "the company" refers to here


def sentence_topics(text: str, spans: list[tuple[int, int]], parties: list[Party]) -> list[str | None]:
    """For each sentence, the name "the company" most likely stands for: the first catalog name of the
    nearest earlier sentence that has one (else its first name), falling back to the title's."""
    topics: list[str | None] = []
    last: str | None = None
    starts = [p.start for p in parties]  # parties come sorted by start
    for start, end in spans:
        topics.append(last)
        inside = parties[bisect_left(starts, start):bisect_left(starts, end)]
        known = [p for p in inside if p.known]
        if known or inside:
            last = (known or inside)[0].name
    return topics
