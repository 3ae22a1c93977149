"""Deal extraction: who invests in, buys, funds or lists whom, for how much, and how sure the text is.

Pure rules over one text plus what the entity matcher and the figure extractor already found in it.
The text is cut into sentences; each sentence is scanned for deal *cues* (verbs such as
invest/rachète/übernimmt/adquiere, nouns such as "acquisition of", "Series B", "Börsengang").
Every cue opens a *frame* that says where the parties sit:

* ``invest``  - subject invests/injects/commits money *in* an object: investor -> target;
* ``acquire`` - subject buys/takes over an object (a stake or shares as object makes it an
  investment, "pay ... for X" names the target after "for");
* ``acq_noun``- "the acquisition of X" / "le rachat de X" / "die Übernahme von X": X is the target,
  the nearest name before the noun (or after "by") the acquirer;
* ``raise``   - subject raises a round: subject is the target, investors come from "led by",
  "from", and follow-up sentences ("X and Y also participated");
* ``ipo``     - subject lists its shares.

Parties are the matcher's canonical names when it knows them, else capitalised name phrases found
here, or a definite description ("the company", "la start-up") resolved to the sentence topic.
Money that the text ties to revenue, fines, debt, contracts, per-share prices... is never a deal
amount, and clauses that say an offer was rejected or a plan abandoned give no deal.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Sequence, TypeVar

from bot.core.model import Amount, Deal, EntityMatch, Percent
from bot.core.deals.cues import cue_matches, has_deal_cue
from bot.core.deals.drafts import finish_draft, merge_drafts
from bot.core.deals.frames import Extractor, acquire_cue_may_yield
from bot.core.deals.parties import collect_parties
from bot.core.deals.sentences import Sentence, sentence_spans, sentence_topics

__all__ = ["find_deals", "has_deal_cue"]


_Figure = TypeVar("_Figure", Amount, Percent)


def _moved(figure: _Figure, start: int, end: int) -> _Figure:
    """`dataclasses.replace(figure, start=start, end=end)` without the field-by-field __init__
    (about 4x the cost): the copy's __dict__ is filled in one call, as figures.py builds them."""
    copy = object.__new__(type(figure))
    copy.__dict__.update(figure.__dict__, start=start, end=end)
    return copy


def _every_occurrence(text: str, figures: Sequence[_Figure]) -> list[_Figure]:
    """The figure lists name each surface string once ("$15bn" in title and summary); deals need
    the figure where each sentence states it."""
    out = list(figures)
    seen = {a.start for a in figures}
    for a in figures:
        start = text.find(a.text, a.end)
        while start >= 0:
            end = start + len(a.text)
            boundary_ok = (start == 0 or not text[start - 1].isalnum()) and (end == len(text) or not text[end].isalnum())
            if boundary_ok and start not in seen:
                out.append(_moved(a, start, end))
                seen.add(start)
            start = text.find(a.text, end)
    out.sort(key=lambda a: a.start)
    return out


def _cue_may_yield(text: str, low: str, cue: re.Match, spans: list[tuple[int, int]], any_percent: bool) -> bool:
    """Whether the frame of `cue` may give a deal (False only when it surely gives none)."""
    i = bisect_right(spans, (cue.start(), len(text) + 1)) - 1  # the last sentence starting at or before the cue
    if i < 0 or not spans[i][0] <= cue.start() < spans[i][1]:
        return False  # between sentences: `Extractor.run` reads no cue there
    return acquire_cue_may_yield(text, low, cue, spans[i], any_percent)


def find_deals(
    text: str,
    entities: Sequence[EntityMatch],
    amounts: Sequence[Amount],
    percents: Sequence[Percent],
    lang: str | None,
) -> list[Deal]:
    """Deals the text reports, in text order, parties by canonical name when the matcher knows them."""
    cues = cue_matches(text)  # lowers the text only where a cue may begin
    if not cues:
        return []
    low = cues[0].string  # `lower_same_length(text)`, once for every case-free pattern of the extraction
    spans = sentence_spans(text)
    if not any(_cue_may_yield(text, low, cue, spans, bool(percents)) for cue in cues):
        return []  # e.g. only the "pay" of a name ("Vixa Pay said..."): parties are not worth finding
    lang = (lang or "").lower()[:2] or None
    amounts = _every_occurrence(text, amounts)
    percents = _every_occurrence(text, percents)
    parties = collect_parties(text, entities, lang, amounts, low)
    topics = sentence_topics(text, spans, parties)
    # Plain comparisons: with ~6 sentences, ~15 parties and ~4 amounts, bisecting cost more.
    sentences = [
        Sentence(
            i,
            start,
            end,
            [p for p in parties if start <= p.start and p.end <= end],
            [a for a in amounts if start <= a.start and a.end <= end],
            [p for p in percents if start <= p.start and p.end <= end],
            topics[i],
        )
        for i, (start, end) in enumerate(spans)
    ]
    title_end = text.find("\n")
    extractor = Extractor(text, parties, amounts, percents, low)
    extractor.lang = lang
    if title_end > 0:
        extractor.title_sentences = {i for i, (_, end) in enumerate(spans) if end <= title_end}
    drafts = extractor.run(sentences, cues)
    if title_end > 0:
        for d in drafts:
            d.in_title = spans[d.sentence][1] <= title_end
    drafts = [d for d in drafts if d.target and (d.kind != "investment" or d.investors)]
    return [finish_draft(d) for d in merge_drafts(drafts)]
