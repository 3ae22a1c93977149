"""The deal frames' shortcuts answer exactly what the plain searches answer (issue 3's speed work).

Each shortcut is pitted against the search it replaces, on texts made of the words the patterns are
written with, so a window wrongly judged empty shows up here and not as a deal silently lost.
"""

from __future__ import annotations

import re

from hypothesis import given, settings, strategies as st

from bot.core.deals.frames import _WINDOW_FIRST_WORDS, _WINDOW_SEARCHES
from bot.core.textnorm import lower_same_length


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
        assert found == sorted(set(found))
        name = pattern.pattern[:30]
        # a slice: the pattern sees nothing around it
        assert _span(pattern.search_slice(low, found, lo, hi)) == _span(pattern._re.search(low[lo:hi])), name
        # pos/endpos on the whole text: look-behinds see before `pos`
        assert _span(pattern.search_in(low, found, lo, hi)) == _span(pattern._re.search(low, lo, hi)), name
        assert _span(pattern.search_in(low, found)) == _span(pattern._re.search(low)), name
        every = [m.span() for m in pattern.finditer_in(low, found, lo, hi)]
        assert every == [m.span() for m in pattern._re.finditer(low, lo, hi)], name
