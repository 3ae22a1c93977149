"""The deal frames' shortcuts answer exactly what the plain searches answer (issue 3's speed work).

Each shortcut is pitted against the search it replaces, on texts made of the words the patterns are
written with, so a window wrongly judged empty shows up here and not as a deal silently lost.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from bot.core.deals.cues import _LOWER_INTO_LATIN1, _word_view, _word_view_of_text, cue_matches
from bot.core.deals.frames import (
    _GOODS_OBJECT, _GOODS_WORDS, _WINDOW_FIRST_WORDS, _WINDOW_SEARCHES,
    non_deal_money_near, stake_object,
)
from bot.core.deals.money import (
    COMMERCIAL_AFTER, COMMERCIAL_WORDS, NON_DEAL_MONEY, STAKE_OBJECT, STAKE_WORDS, VALUATION_BEFORE, VALUATION_WORDS,
    holds_any,
)
from bot.core.deals.parties import COREF_RE
from bot.core.textnorm import lower_same_length
from tests.test_deals_fastpaths import _reference_cues


def _pattern_words(patterns) -> list[str]:
    # The words as written in the patterns ("led", "by", "co-"...), not the first words found from
    # them: a first word wrongly left out must still show up in the texts.
    return sorted({w for p in patterns for w in re.findall(r"[^\W\d_]+-?", p.pattern)})


_PIECES = _pattern_words(_WINDOW_SEARCHES) + [
    " ", "  ", ",", ".", "'", "’", "\n", "x", "é", "s'", "\t", "\xa0", "\u2009", "2025", "19", "İ",
]
_TEXTS = st.lists(st.sampled_from(_PIECES), max_size=24).map(" ".join) | st.lists(st.sampled_from(_PIECES), max_size=24).map("".join)


def _span(m):
    return m and m.span()


@settings(max_examples=500, deadline=None)
@given(_TEXTS, st.integers(0, 80), st.integers(0, 200))
def test_window_searches_from_one_pass_find_what_each_search_finds(text, lo, length):
    low = lower_same_length(text)
    hi = lo + length
    starts = _WINDOW_FIRST_WORDS.starts(low)
    for pattern, found in zip(_WINDOW_SEARCHES, starts):
        assert found == sorted(found)
        name = pattern.pattern[:30]
        # a slice: the pattern sees nothing around it
        assert _span(pattern.search_slice(low, found, lo, hi)) == _span(pattern._re.search(low[lo:hi])), name
        # pos/endpos on the whole text: look-behinds see before `pos`
        assert _span(pattern.search_in(low, found, lo, hi)) == _span(pattern._re.search(low, lo, hi)), name
        assert _span(pattern.search_in(low, found)) == _span(pattern._re.search(low)), name
        every = [m.span() for m in pattern.finditer_in(low, found, lo, hi)]
        assert every == [m.span() for m in pattern._re.finditer(low, lo, hi)], name


_WORD_CHECKED = [(STAKE_OBJECT, STAKE_WORDS), (_GOODS_OBJECT, _GOODS_WORDS), (COMMERCIAL_AFTER, COMMERCIAL_WORDS),
                 (VALUATION_BEFORE, VALUATION_WORDS)]
_FILLERS = [" ", "  ", ",", ".", ";", "'", "’", "\n", "x", "é", "%", "$", "€", "49", "the", "İ", "K", "\xa0"]


def _texts_of(pattern):
    pieces = _pattern_words([pattern]) + _FILLERS
    return st.lists(st.sampled_from(pieces), max_size=14).map(" ".join) | st.lists(st.sampled_from(pieces), max_size=14).map("".join)


@pytest.mark.parametrize("k", range(len(_WORD_CHECKED)))
def test_every_match_holds_one_of_the_words_its_search_is_skipped_without(k):
    pattern, words = _WORD_CHECKED[k]

    @settings(max_examples=400, deadline=None)
    @given(_texts_of(pattern), st.integers(0, 30))
    def check(text, cut):
        low = lower_same_length(text)
        for lo in range(len(low) + 1):
            for hi in (len(low), max(lo, len(low) - cut)):
                window = low[lo:hi]
                if pattern.search_low(window) is not None:
                    assert holds_any(low, words, lo, hi), (pattern.pattern[:40], window)
                if pattern is STAKE_OBJECT:
                    assert stake_object(low, lo, hi) == (STAKE_OBJECT.match_low(window) is not None)

    check()


_MONEY_PIECES = _pattern_words([NON_DEAL_MONEY]) + [" ", "  ", ",", ".", "'", "’", "\n", "\t", "x", "é", "the"]
_MONEY_TEXTS = st.lists(st.sampled_from(_MONEY_PIECES), max_size=8).map("".join)


@settings(max_examples=800, deadline=None)
@given(_MONEY_TEXTS, st.sampled_from(["$5bn", "5", "", "€ 2 Mrd."]), _MONEY_TEXTS, st.integers(0, 8), st.integers(0, 8))
def test_non_deal_money_near_an_amount_is_what_the_joined_words_search_finds(before, amount, after, trim_lo, trim_hi):
    low = lower_same_length(before + amount + after)
    start, end = len(before), len(before) + len(amount)
    before_lo, after_hi = min(trim_lo, start), max(end, len(low) - trim_hi)
    starts = _WINDOW_FIRST_WORDS.starts(low)[_WINDOW_SEARCHES.index(NON_DEAL_MONEY)]
    expected = NON_DEAL_MONEY.search_low(low[before_lo:start] + " " + low[end:after_hi]) is not None
    assert non_deal_money_near(low, starts, before_lo, start, end, after_hi) == expected


def test_non_deal_money_may_run_on_through_the_joining_space():
    low = lower_same_length("its market$5bn cap, pay€3m package")
    starts = _WINDOW_FIRST_WORDS.starts(low)[_WINDOW_SEARCHES.index(NON_DEAL_MONEY)]
    assert non_deal_money_near(low, starts, 0, 10, 14, 18)  # "its market" + " " + " cap"
    assert non_deal_money_near(low, starts, 20, 23, 26, len(low))  # "pay" + " " + " package"


def test_the_company_is_searched_at_its_first_words_as_the_parties_search_it():
    low = lower_same_length("Meta said the company, la start-up and der Konzern, the the firm")
    starts = _WINDOW_FIRST_WORDS.starts(low)[_WINDOW_SEARCHES.index(COREF_RE)]
    assert [m.span() for m in COREF_RE.finditer_in(low, starts)] == [m.span() for m in COREF_RE._re.finditer(low)]
    assert len(COREF_RE.finditer_in(low, starts)) == 4


_SPACE_RUNS = st.lists(st.sampled_from([" ", "\t", "\xa0", "\u2009", "\n", "\u3000"]), min_size=1, max_size=3).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_pattern_words(_WINDOW_SEARCHES)), _SPACE_RUNS), max_size=10))
def test_first_words_go_on_through_one_plain_space_but_no_other_run_of_space_is_missed(words):
    # First words read "a investi", "in talks": a match whose space is any other run ("a  investi",
    # "in\xa0talks") begins with one of the words that end inside that run.
    low = lower_same_length("".join(w + space for w, space in words))
    for pattern, found in zip(_WINDOW_SEARCHES, _WINDOW_FIRST_WORDS.starts(low)):
        assert [m.span() for m in pattern.finditer_in(low, found)] == [m.span() for m in pattern._re.finditer(low)]


_VIEW_PIECES = ["Invest", "ÉTÉ", "Übernimmt", "RACHÈTE", "Series B", "an", "die", "Börse", "s’offre", "İ", "Ÿ", "ẞ",
                "\u212a", "\u212b", "K", "ß", "µ", "’", "'", " ", "\n", "€", "—", "x", "7", "_", "Σ", "ǅ", "ﬁ", "Meta"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_VIEW_PIECES), max_size=20).map("".join))
def test_word_view_of_the_text_is_that_of_the_lowered_text(text):
    low = lower_same_length(text)
    assert _word_view_of_text(text) == _word_view(low)
    fast = cue_matches(text)
    assert [(m.span(), m.lastgroup) for m in fast] == [(m.span(), m.lastgroup) for m in cue_matches(text, low)]
    assert all(m.string == low for m in fast)


# Cues of several words, and words they begin with, to be joined by any run of space.
_SPACED_CUE_PHRASES = [("an", "die", "Börse"), ("go", "public"), ("goes", "public"), ("new", "funding"), ("met", "X", "dans"),
                       ("met", "la", "main", "sur"), ("mettra", "X", "en"), ("se", "hizo", "con"), ("an",), ("Meta",),
                       ("met",), ("new",), ("die",), ("X",), (",",), ("’",), ("-",)]
_JOIN = _SPACE_RUNS | st.just(" ")


@st.composite
def _spaced_cue_texts(draw):
    parts = []
    for phrase in draw(st.lists(st.sampled_from(_SPACED_CUE_PHRASES), max_size=6)):
        for word in phrase:
            parts.append(word + draw(_JOIN | st.just("")))
    return "".join(parts)


@settings(max_examples=600, deadline=None)
@given(_spaced_cue_texts())
def test_cue_beginnings_that_go_on_through_a_space_miss_no_cue(text):
    assert [(m.start(), m.end(), m.lastgroup) for m in cue_matches(text)] == _reference_cues(text)


def test_an_optional_part_that_ends_a_sequence_gives_first_words_with_and_without_it():
    from bot.core.deals.casefree import CaseFree

    led = CaseFree(r"\b(?:co-?)?(?:men[ée]e?s?|pilot[ée]e?s?)\s+par\s+", by_first_words=True)
    assert "co" not in led.first_words and {"co-mené", "comené", "mené"} <= set(led.first_words)
    for text in ("co-menée par X", "comenée par X", "co menée par X", "menée  par X", "pilotés par X", "co-co-menée par X"):
        low = lower_same_length(text)
        assert _span(led.search_low(low)) == _span(led._re.search(low)), text


def test_the_letters_that_lower_into_latin1_are_all_listed():
    """`_word_view_of_text` lowers the text first only for these; one missing would be read as a
    space where the lowered text has a letter."""
    scanned = tuple(c for c in map(chr, range(256, 0x110000)) if len(c.lower()) == 1 and ord(c.lower()) < 256)
    assert _LOWER_INTO_LATIN1 == scanned
