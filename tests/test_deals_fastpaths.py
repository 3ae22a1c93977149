"""The deal extraction's shortcuts find exactly what the plain, slow way finds (issue 3's speed work).

Each shortcut (where a cue can begin, ...) is compared with the straightforward scan it replaces,
on texts made of the words the shortcuts care about, so a missed or extra match shows up here and
not as a deal silently lost.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from bot.core.deals.casefree import CaseFree
from bot.core.deals.cues import _CUE_RE, _word_starts_at, cue_matches
from bot.core.deals.parties import (
    SOURCE_BEFORE, _NAME_PHRASE_RE, _name_phrases, _plain_names, _source_before, _source_cue_starts,
)
from bot.core.deals.sentences import _SENTENCE_END, _sentence_ends
from bot.core.textnorm import lower_same_length

# Pieces that begin cues, look like their beginnings, or change what a word start is.
_PIECES = [
    "invest", "invests", "investment round", "an", "and", "an die Börse", "go public", "goes", "se",
    "se hizo con", "s'offre", "s’empare", "l'investissement", "rachète", "Series B", "série A",
    "tour de table", "tour", "IPO", "ipo", "met", "mettra", "dans", "Übernahme von", "übernimmt",
    "buys", "bought", "takes", "a", "stake", "in", "raised", "lève", "compra", "ronda", "new funding",
    "İ", "ő", "ʼ", "_", "-", "'", "’", " ", "  ", "\n", ",", ".", "(", "x", "7", "Meta", "X",
]
_TEXTS = st.lists(st.sampled_from(_PIECES), max_size=30).map("".join)


def _reference_cues(text: str) -> list[tuple[int, int, str | None]]:
    """The cue pattern tried at every word start, left to right, without overlaps."""
    low = lower_same_length(text)
    found = []
    pos = 0
    while pos < len(low):
        m = _CUE_RE._re.match(low, pos) if _word_starts_at(low, pos) else None
        if m:
            found.append((m.start(), m.end(), m.lastgroup))
            pos = m.end()
        else:
            pos += 1
    return found


@settings(max_examples=700, deadline=None)
@given(_TEXTS)
def test_cues_are_those_of_a_scan_of_every_word_start(text):
    assert [(m.start(), m.end(), m.lastgroup) for m in cue_matches(text)] == _reference_cues(text)


def test_cue_scan_finds_cues_after_apostrophes_and_at_the_start():
    found = [(m.group(), m.lastgroup) for m in cue_matches("Rachète l'investissement; Meta s’offre X")]
    assert found == [("rachète", "acquire"), ("investissement", "invest"), ("s’offre", "acquire")]


_NAME_PIECES = [
    "Meta", "Scale AI", "xAI", "n8n", "a16z", "d'", "l’", "D'", "Informatica", "Oréal", "eBay", "Ventures",
    "Inc.", "U.S.", "Run:ai", "AT&T", " & ", "Series B", "The", "La", "Der", "-", "'", "’", ".", ". ", " ",
    "\u00a0", "\n", "(", "Berliner", "KI-Infrastruktur", "abcXyz", "ab", "7", "Él", "Ångström", "_",
]
_NAME_TEXTS = st.lists(st.sampled_from(_NAME_PIECES), max_size=25).map("".join)


@settings(max_examples=700, deadline=None)
@given(_NAME_TEXTS)
def test_name_phrases_are_those_the_phrase_pattern_finds_everywhere(text):
    expected = [(m.group(), m.start(), m.end()) for m in _NAME_PHRASE_RE.finditer(text)]
    assert _name_phrases(text) == expected


def test_phrase_tokens_are_remembered_per_phrase_not_per_place():
    # The same phrase at two places: the token facts are relative to the phrase, so both are kept.
    text = "Acme Robotics buys Nuvo Labs. The Nuvo Labs team stays."
    names = [(p.name, p.start) for p in _plain_names(text, [], "en", text.lower())]
    assert names == [("Acme Robotics", 0), ("Nuvo Labs", 19), ("Nuvo Labs", 34)]


_SOURCE_PIECES = ["according", " to ", "selon", "d'après", "d’apr", "laut", "según", "citing", "reported", " by ",
                  "cité", " par ", "the ", "le ", "Reuters", "Bloomberg", " ", "\n", ",", "x", "d'apreported"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_SOURCE_PIECES), max_size=14).map("".join))
def test_source_look_back_only_where_a_source_word_begins_finds_every_source(text):
    low = lower_same_length(text)
    cues = _source_cue_starts(low)
    for start in range(len(low) + 1):
        expected = SOURCE_BEFORE.search_low(low, max(0, start - 40), start) is not None
        assert _source_before(low, cues, start) == expected


_SENTENCE_PIECES = ["Meta", " ", "  ", ".", ". ", "!", "?", "\n", "\n\n", "\t", "\u00a0", "Inc.", "U.S.", "2 Mrd.",
                    "«", "(", "¿", "a", "A", "É", "7", ",", "x"]


@settings(max_examples=700, deadline=None)
@given(st.lists(st.sampled_from(_SENTENCE_PIECES), max_size=25).map("".join))
def test_sentence_ends_are_those_the_end_pattern_finds_scanning_everything(text):
    expected = [(m.start(), m.end()) for m in _SENTENCE_END.finditer(text)]
    assert [(m.start(), m.end()) for m in _sentence_ends(text)] == expected


def _case_free_patterns() -> list[tuple[str, CaseFree]]:
    from bot.core.deals import frames, money, parties, status

    found = {}
    for module in (frames, money, parties, status):
        for name, value in vars(module).items():
            if isinstance(value, CaseFree):
                found[name] = value
    return sorted(found.items())


# Every pattern, forced to look for its first words (those that cannot keep the plain search).
_FIRST_WORD_SEARCHES = [
    (name, CaseFree(p.pattern, by_first_words=True), p._re) for name, p in _case_free_patterns()
]
_FIRST_WORD_SEARCHES = [(n, fast, plain) for n, fast, plain in _FIRST_WORD_SEARCHES if fast._starts is not None]


def test_most_long_vocabularies_can_be_searched_by_their_first_words():
    names = {n for n, _, _ in _FIRST_WORD_SEARCHES}
    assert {"RUMOR", "ABANDONED", "NON_DEAL_MONEY", "_SOURCE_CUE", "TALKS_FAILED", "SOURCE_BEFORE", "_FROM_CUE",
            "COMPLETED", "_LEAD_CUE", "_INVESTORS_INCLUDE"} <= names  # the last two begin with an optional part


def _vocabulary_texts():
    # The words the patterns are written with ("led", "by", "co-"...), not the first words found
    # from them: a first word wrongly left out must still show up in the texts.
    words = sorted({w for _, _, plain in _FIRST_WORD_SEARCHES for w in re.findall(r"[^\W\d_]+-?", plain.pattern)})
    # Every kind of space `\s` matches: first words go on through the space after a short word.
    pieces = words + [" ", "  ", ",", ".", "'", "’", "\n", "x", "é", "s'", "\t", "\xa0", "\u2009", "\u3000", "\x1c"]
    return st.lists(st.sampled_from(pieces), max_size=18).map("".join)


@settings(max_examples=600, deadline=None)
@given(_vocabulary_texts(), st.integers(0, 60), st.integers(0, 200))
def test_first_word_search_finds_what_the_plain_search_finds(text, pos, length):
    low = lower_same_length(text)
    end = pos + length
    for name, fast, plain in _FIRST_WORD_SEARCHES:
        a, b = fast.search_low(low, pos, end), plain.search(low, pos, end)
        assert (a and a.span()) == (b and b.span()), name
        every = [m.span() for m in fast.finditer_low(low, pos, end)]
        assert every == [m.span() for m in plain.finditer(low, pos, end)], name


_PAY_PIECES = [
    "Acme Labs", "Vixa Pay", "Nuvo", "Meta", " pays ", " paid ", " is paying ", " was paid ", " takes ", " took ",
    " prend ", " toma ", " zahlt ", " for ", " pour ", " für ", " por ", " a stake in ", " 49% ", " 12 % ", "$2bn",
    " 2 milliards de dollars ", " shares ", " by ", " said ", " the assistant ", ". ", "\n", ", ", " buys ", " raises ",
    " was ", " ha ", " about 5 ", " de ", " in ",
]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_PAY_PIECES), min_size=1, max_size=16).map("".join), st.sampled_from(["en", "fr", "de", "es"]))
def test_articles_skipped_before_looking_for_parties_would_give_no_deal(text, lang):
    import bot.core.deals as deals
    from bot.core.figures import find_amounts, find_percents

    args = (text, [], find_amounts(text, lang), find_percents(text, lang), lang)
    fast = deals.find_deals(*args)
    original = deals.acquire_cue_may_yield
    deals.acquire_cue_may_yield = lambda *a: True
    try:
        slow = deals.find_deals(*args)
    finally:
        deals.acquire_cue_may_yield = original
    assert fast == slow


# Every character `\s` matches, found by asking `re` itself rather than str.isspace().
_REGEX_SPACES = [c for c in map(chr, range(0x110000)) if re.fullmatch(r"\s", c)]


@pytest.mark.parametrize(
    "name, words",
    [("RUMOR", ("in", "talks")), ("ABANDONED", ("no", "prosperó")), ("_SOURCE_CUE", ("reported", "by")),
     ("NON_DEAL_MONEY", ("pay", "package")), ("RUMOR", ("is", "said to"))],
)
def test_first_word_search_finds_words_joined_by_any_kind_of_space(name, words):
    fast, plain = next((f, p) for n, f, p in _FIRST_WORD_SEARCHES if n == name)
    for space in _REGEX_SPACES:
        low = lower_same_length(f"The firm, within reach, {space.join(words)} x")
        found = fast.search_low(low)
        assert found is not None and found.span() == plain.search(low).span(), repr(space)


@pytest.mark.parametrize(
    "name, text",
    [("COREF_RE", "the the company and la la société"), ("_LEAD_CUE", "co-led by led by X, menée par menée par Y"),
     ("_INVESTORS_INCLUDE", "backers include including such as Y con con Z")],
)
def test_first_word_matches_do_not_overlap_as_re_finditer_does(name, text):
    fast, plain = next((f, p) for n, f, p in _FIRST_WORD_SEARCHES if n == name)
    low = lower_same_length(text)
    assert [m.span() for m in fast.finditer_low(low)] == [m.span() for m in plain.finditer(low)]


_FUND_PIECES = ["1789", "500", "12345", "7", " Capital", " Ventures", " Partners", " Global", "Capital", " ", ".", ",",
                "x", "-", "\n", "s", "Globals"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_FUND_PIECES), max_size=14).map("".join))
def test_numbered_funds_are_those_the_pattern_finds_scanning_everything(text):
    from bot.core.deals.parties import _NUMBERED_FUND, _numbered_funds

    assert [m.span() for m in _numbered_funds(text)] == [m.span() for m in _NUMBERED_FUND.finditer(text)]


_MONEY_PIECES = [
    "Meta", "Scale AI", "Acme Labs", " invests ", " buys ", " raised ", " acquires ", " $2bn ", " $150 million ",
    " 49% ", " a $40 a share ", " revenue of $3bn ", " valued at $29bn ", " already $1bn ", " in ", " for ", " from ",
    ", ", ". ", " led by ", " rachète ", " 2 milliards d'euros ", " un chiffre d'affaires de 5 M€ ", " and ",
]


def _every_amount_judged(self, s, lo, cue_start, cue_end, hi):
    """The price as first written: every amount of the sentence judged, then the nearest picked."""
    usable = [a for a in s.amounts if self._is_deal_money(a, s) and not self._is_valuation(a, s) and not self._is_already(a, s)]
    after = [a for a in usable if cue_end <= a.start < hi]
    if after:
        return after[0]
    before = [a for a in usable if lo <= a.start and a.end <= cue_start]
    return before[-1] if before else None


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_MONEY_PIECES), min_size=1, max_size=18).map("".join), st.sampled_from(["en", "fr"]))
def test_a_deal_price_judging_only_nearby_amounts_is_the_one_judging_all(text, lang):
    import bot.core.deals as deals
    from bot.core.deals.frames import Extractor
    from bot.core.figures import find_amounts, find_percents

    args = (text, [], find_amounts(text, lang), find_percents(text, lang), lang)
    lazy = deals.find_deals(*args)
    original = Extractor._deal_amount
    Extractor._deal_amount = _every_amount_judged
    try:
        eager = deals.find_deals(*args)
    finally:
        Extractor._deal_amount = original
    assert lazy == eager
