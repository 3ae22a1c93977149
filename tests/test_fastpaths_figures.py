"""The shortcuts of bot/core/figures.py against the plain versions they replace: on any text
they must find the same figures."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import figures as FG
from bot.core.textnorm import lower_same_length

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
