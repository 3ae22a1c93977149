"""The shortcuts of bot/core/figures.py against the plain versions they replace: on any text
they must find the same figures."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import figures as FG
from bot.core.textnorm import lower_pattern, lower_same_length

# Pieces that make figures, near-figures and the characters the shortcuts look at.
FRAGMENTS = [
    "1", "15", "2 000", "1,5", "1.500", "84,000", "٣", "²", "_", ".", ",", "-", "'", "’",
    " ", "\u00a0", "\u202f", "\u2009", "\n", "$", "US$", "U.S.$", "€", "£", "USD ", "EUR\u00a0",
    "R$", "HK$", "XUS$", "Md$", " M€", "bn", "B", "m", "k", "%", " pour cent",
    "un", "une", "half a", "a", "an", "one", "mil", "dos", "zwei", "d'un", "l’un", "İ", "Ó",
    "milliard", "milliards", "billion", "Billionen", "millones", "mil millones", "millón",
    "MILLÓN", "bilhão", "milhões", "million", "illi", "illo", "ilh", "ill", "h2", "o5", "ó7",
    " de dollars", " dollars", " d'euros", " euros", " users", " à ", " to ", " and ",
    " between ", " from ", "about ", "environ ", "rund ", "x", "é", "Z",
]
texts = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=3), max_size=24).map("".join)


def reference_candidate_starts(text: str) -> list[int]:
    """The plain version: every ASCII digit, and a number word before each scale marker."""
    starts = []
    for digit in "0123456789":
        at = text.find(digit)
        while at != -1:
            starts.append(at)
            at = text.find(digit, at + 1)
    for marker in ("illi", "illo", "illó", "ilh"):
        at = text.find(marker)
        while at != -1:
            word_start = at
            while word_start > 0 and text[word_start - 1].isalpha():
                word_start -= 1
            number_word_start = FG._number_word_before(text, word_start)
            if number_word_start is not None:
                starts.append(number_word_start)
            at = text.find(marker, at + 1)
    return sorted(starts)


@settings(max_examples=3000, deadline=None)
@given(texts)
def test_candidate_starts_drop_only_offsets_where_no_figure_starts(text):
    fast = FG._candidate_starts(text)
    slow = reference_candidate_starts(text)
    assert fast == sorted(fast)
    assert set(fast) <= set(slow)
    low = lower_same_length(text)
    for dropped in set(slow) - set(fast):
        assert FG._FIGURE_RE.match(low, dropped) is None, (text, dropped)


@settings(max_examples=1500, deadline=None)
@given(texts, st.sampled_from([None, "en", "fr", "de", "es"]))
def test_scan_finds_the_same_with_the_plain_candidates(text, lang):
    fast = FG._scan(text, lang)
    original = FG._candidate_starts
    FG._candidate_starts = reference_candidate_starts
    try:
        slow = FG._scan(text, lang)
    finally:
        FG._candidate_starts = original
    assert fast == slow


def _plain_scale_part(i: int) -> str:
    return (rf"(?:(?:{FG._SP}*|-)(?P<sw{i}>{FG._SCALE})(?![^\W\d_])"
            rf"|(?P<sl{i}>[kmbt])(?![^\W\d_])"
            rf"|{FG._SP}?(?P<sx{i}>[kmb])(?=(?:US)?[$€£]))")


# The figure pattern as first written: greedy space runs that give spaces back, and no check of
# the character after the number before trying every percent and currency spelling.
PLAIN_FIGURE_RE = re.compile(lower_pattern(
    rf"""
    (?:
        (?<![\w.,])(?<!\d[.,])(?P<n1>{FG._NUM})
      | (?<![^\W\d_])(?P<w>{FG._alternation(FG._NUMBER_WORDS)})(?={FG._SP}+(?:{FG._BIG_SCALE})(?![^\W\d_]))
    )
    {_plain_scale_part(1)}?
    (?:
        (?P<sep>{FG._SP}*[-–—]{FG._SP}*|{FG._SP}+(?:to|à|a|bis|and|et|y|und){FG._SP}+)
        (?:(?P<pre2>{FG._PREFIX}){FG._SP}?)?(?P<n2>{FG._NUM})
        {_plain_scale_part(2)}?
    )?
    (?:
        {FG._SP}*(?P<pct>{FG._PERCENT})(?![^\W\d_])
      | {FG._SP}*(?:de{FG._SP}+|d['’]{FG._SP}*)?(?P<suf>{FG._SUFFIX})(?![^\W\d_])
    )?
    """),
    re.VERBOSE,
)
# Every currency and percent spelling the tail knows, in any case, to reach each alternative.
TAIL_WORDS = [
    "%", "％", "pour cent", "per-cent", "percent", "Prozent", "por ciento", "por cento",
    "US dollars", "U.S. dollar", "American-dollars", "Canadian dollars", "Hong Kong dollars",
    "Singapore dollar", "New Zealand dollars", "dollars américains", "dollars US",
    "dollars de Hong Kong", "dollars de Singapour", "kanadische Dollar", "australische Dollars",
    "dólares", "dolar", "dólares estadounidenses", "euros", "euro", "pounds sterling", "livres",
    "libras esterlinas", "sterling", "britische Pfund", "Pfund Sterling", "yen", "yenes", "yuanes",
    "renminbi", "Swiss francs", "francs suisses", "Schweizer Franken", "francos suizos", "reais",
    "reales", "rupees", "roupies", "rupias", "Rupien", "won", "kronor", "kroner", *FG._CODES,
    "US$", "R$", "C$", "A$", "HK$", "$", "€", "£", "¥", "₹", "₩", "de ", "d'", "d’", "  ",
]
figure_texts = st.lists(st.sampled_from(FRAGMENTS + TAIL_WORDS) | st.text(max_size=2),
                        max_size=16).map("".join)


@settings(max_examples=3000, deadline=None)
@given(figure_texts, st.booleans())
def test_figure_pattern_matches_like_the_plain_pattern(text, odd_case):
    if odd_case:
        text = text.upper()
    low = lower_same_length(text)
    for at in range(len(low)):
        fast, slow = FG._FIGURE_RE.match(low, at), PLAIN_FIGURE_RE.match(low, at)
        assert (fast and (fast.span(), fast.groupdict())) == (
            slow and (slow.span(), slow.groupdict())), (text, at)


def test_tail_first_chars_cover_every_tail_spelling():
    for word in TAIL_WORDS:
        first = lower_same_length(word.strip())[:1] or "d"
        assert first in FG._TAIL_FIRST_CHARS, word


def test_every_scale_word_starts_with_a_letter_the_scale_check_lets_through():
    for word in FG._SCALE_WORDS:
        assert word[0] in "kmbt", word
