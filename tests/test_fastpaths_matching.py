"""Fast paths of the language guess checked against the plain way they replace.

`language._stopwords_latin1` finds the stop words of a sample through Latin-1 bytes; it must find
exactly what `language._stopwords_unicode` (str.lower, punctuation, str.split) finds, or hand the
sample over to it.
"""

from __future__ import annotations

import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import language
from bot.core.language import _LETTER_LANG, _PUNCTUATION, _STOPWORDS, guess_language

_STOPWORD_LIST = sorted(language._ALL_STOPWORDS)
# Characters chosen to hit the edges: every character the fast path treats specially, Latin-1
# capitals and punctuation, and a few common characters beyond Latin-1.
_TRICKY = (
    " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0'’‘`-" + _PUNCTUATION + "".join(_LETTER_LANG)
    + "ÄÖÜÉÈÀÇÑÁÍÓÚÎÔÂÙŒœ€–—…\\İŸẞKÅ\u1680\u2000\u2009\u200a\u2028\u2029\u202f\u205f\u3000ÿµ"
)


def _plain_stopwords(sample: str) -> set[str]:
    # The guess before the fast path: lower, punctuation to spaces, split, intersect.
    sample = sample.lower().replace("’", "'")
    for mark in _PUNCTUATION:
        sample = sample.replace(mark, " ")
    return language._ALL_STOPWORDS.intersection(sample.split())


def _fast_stopwords(sample: str) -> set[str] | None:
    found = language._stopwords_latin1(sample.replace("’", "'"))
    return None if found is None else {word.decode("latin-1") for word in found}


_pieces = st.one_of(
    st.sampled_from(_STOPWORD_LIST),
    st.sampled_from(_STOPWORD_LIST).map(str.upper),
    st.sampled_from(_STOPWORD_LIST).map(str.title),
    st.text(alphabet=_TRICKY, max_size=3),
    st.text(max_size=3),
)
_texts = st.lists(_pieces, max_size=40).map("".join)


@settings(max_examples=3000, deadline=None)
@given(_texts)
def test_latin1_stopwords_match_the_unicode_way(text):
    sample = text[:language._MAX_CHARS]
    fast = _fast_stopwords(sample)
    if fast is not None:
        assert fast == _plain_stopwords(sample)


def _plain_guess(text: str, hint: str | None = None) -> str | None:
    # guess_language as it was before the fast path, for comparison.
    hinted = language._normalise_hint(hint)
    sample = text[:language._MAX_CHARS].lower().replace("’", "'")
    for mark in _PUNCTUATION:
        sample = sample.replace(mark, " ")
    scores = dict.fromkeys(_STOPWORDS, 0)
    for word in language._ALL_STOPWORDS.intersection(sample.split()):
        scores[language._LANG_OF_WORD[word]] += 1
    best = max(scores.values())
    if best < language._CLEAR_LEAD or list(scores.values()).count(best) > 1:
        for letter, lang in _LETTER_LANG.items():
            if letter in sample:
                scores[lang] += 1
        best = max(scores.values())
    if best == 0 or (hinted and best < language._MIN_EVIDENCE):
        return hinted
    leaders = [lang for lang, score in scores.items() if score == best]
    if hinted in leaders:
        return hinted
    return leaders[0] if len(leaders) == 1 else hinted


@settings(max_examples=2000, deadline=None)
@given(_texts, st.sampled_from([None, "fr", "de-DE", "es", "en_US"]))
def test_guess_matches_the_plain_guess(text, hint):
    assert guess_language(text, hint) == _plain_guess(text, hint)


def test_every_character_beyond_latin1_is_opaque_or_sent_to_the_unicode_way():
    """The fast path passes a character beyond Latin-1 through as a backslash escape glued to its
    word. That is right only if the character is no word boundary and its lower case holds no
    Latin-1 character (else lowering could make a stop word or a boundary of it); the others must
    be the quotes the fast path blanks or be caught by its pattern."""
    for code in range(0x100, sys.maxunicode + 1):
        char = chr(code)
        if char in "’" + language._WIDE_QUOTES:
            continue
        lowered = char.lower()
        risky = char.isspace() or any(ord(c) < 0x100 or c.isspace() for c in lowered)
        if risky:
            assert language._WIDE_SPACE_OR_CASED.match(char), hex(code)


def test_no_stop_word_has_a_backslash_or_a_character_beyond_latin1():
    assert all("\\" not in w and max(map(ord, w)) < 0x100 for w in language._ALL_STOPWORDS)
