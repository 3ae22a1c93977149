"""Case-insensitive patterns run on lower-cased text, for speed (same offsets, same matches)."""

from __future__ import annotations

import re
import sys
from bisect import bisect_left
from typing import Sequence
from re import _constants as sre_c, _parser as sre_parse

import ahocorasick

from bot.core.textnorm import lower_same_length

# A search tries every alternative of a long vocabulary at every character (~30-90 us for one
# sentence). Every match must begin with one of a few literal words, so one Aho-Corasick pass
# finds where a match can begin and the pattern is tried only there: the same first match.
_MAX_PREFIXES = 400
_ZERO_WIDTH = (sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT)
# What `\s` matches in a str pattern: str.isspace() characters, all below U+3001. A prefix goes on
# through the space after a short word ("in\s+talks" -> "in "), so "in" inside "within" or
# "investment" is no longer a place to try the pattern (short words were most of the tries).
_WHITESPACE = frozenset(c for c in map(chr, range(0x3001)) if c.isspace())
_REPEATS = (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT)


def _one_char_options(op, av) -> set[str] | None:
    """The characters one parsed item matches, when it matches exactly one of a known few."""
    if op is sre_c.LITERAL:
        return {chr(av)}
    if op is sre_c.IN and av and all(o is sre_c.LITERAL for o, _ in av):
        return {chr(v) for _, v in av}
    if op is sre_c.IN and av == [(sre_c.CATEGORY, sre_c.CATEGORY_SPACE)]:
        return set(_WHITESPACE)
    return None


def _literal_prefixes(items: list) -> tuple[set[str], bool] | None:
    """The literal strings every match of the parsed sequence `items` begins with, and whether
    they cover the whole sequence; None when a match may begin with something not literal."""
    prefixes = {""}
    ended: set[str] = set()  # prefixes that go no further (see "\s+" below); the others go on
    for k, (op, av) in enumerate(items):
        rest_taken = False
        if op in _ZERO_WIDTH and prefixes == {""}:
            continue  # \b, (?<!\w) before the first letter consume nothing
        if (single := _one_char_options(op, av)) is not None:
            options = single
            whole = True
        elif (op is sre_c.MAX_REPEAT and av[0] == 1 and av[1] == sre_c.MAXREPEAT and len(av[2]) == 1 and prefixes != {""}
              and (single := _one_char_options(*av[2][0])) is not None and " " in single
              and len(ended) + len(prefixes) * 2 * len(single) <= _MAX_PREFIXES):
            # "a\s+investi": nearly always one plain space, so the prefix goes on through it
            # ("a investi"), and ends at the runs of space that begin otherwise: "a\t", "a\xa0",
            # "a  ", "a \t"... (issue 3: "a ", "in ", "de " were most of the places tried).
            ended |= {p + c for p in prefixes for c in single if c != " "}
            ended |= {p + " " + c for p in prefixes for c in single}
            options = {" "}
            whole = True
        elif op in _REPEATS and av[0] >= 1 and len(av[2]) == 1 and (single := _one_char_options(*av[2][0])) is not None:
            # "\s+": a match has one of these characters here; what follows may sit further on
            options = single
            whole = False
        elif op in _REPEATS and av[0] == 0 and av[1] == 1:
            # "(?:co-)?led": the words with the optional part, and those of what follows without it
            body, rest = _literal_prefixes(av[2].data), _literal_prefixes(items[k + 1:])
            if body is None or rest is None:
                break
            options = {b + r for b in body[0] for r in rest[0]} if body[1] else body[0]
            options |= rest[0]
            whole = body[1] and rest[1]
            rest_taken = True
        elif op is sre_c.SUBPATTERN:
            inner = _literal_prefixes(av[-1].data)
            if inner is None:
                break
            options, whole = inner
        elif op is sre_c.BRANCH:
            branches = [_literal_prefixes(b.data) for b in av[1]]
            if any(b is None for b in branches):
                break
            options = set().union(*(b[0] for b in branches))
            whole = all(b[1] for b in branches)
        else:
            break
        # An empty option is what an optional part that ends the sequence adds ("co-?" is "co-"
        # or "co"): fine after a first letter, not as the whole first word.
        if "" in options and (prefixes == {""} or not rest_taken):
            break
        if prefixes != {""} and len(ended) + len(prefixes) * len(options) > _MAX_PREFIXES:
            break
        prefixes = {p + o for p in prefixes for o in options}
        if not whole:
            break
        if rest_taken:
            return prefixes | ended, not ended
    else:
        return prefixes | ended, not ended
    return (None if "" in prefixes else (prefixes | ended, False))


def _first_words(pattern: re.Pattern) -> set[str] | None:
    found = _literal_prefixes(sre_parse.parse(pattern.pattern).data)
    return None if found is None else found[0]


def _start_automaton(words: set[str] | None) -> ahocorasick.Automaton | None:
    if words is None:
        return None
    automaton = ahocorasick.Automaton()
    for prefix in words:
        automaton.add_word(prefix, len(prefix))
    automaton.make_automaton()
    return automaton


def starts_between(starts: list[int], lo: int, hi: int) -> list[int]:
    """The offsets of the sorted `starts` that lie in [lo, hi): where a `by_first_words` pattern may
    begin in that window (`FirstWords`, `CaseFree.first_word_starts`)."""
    i = bisect_left(starts, lo)
    if i == len(starts) or starts[i] >= hi:
        return []  # the usual answer, for the price of one bisection
    return starts[i:bisect_left(starts, hi, i)]


class CaseFree:
    """A case-insensitive pattern run on lower-cased text, with the same offsets.

    Why: CPython's `re` is 4-10x slower on long alternations under IGNORECASE, and these
    vocabularies are scanned for every sentence of every new entry (issue 3 wants >= 5,000
    articles/s). Upper-case letters in the source are lowered (escapes like \\S are kept).
    """

    __slots__ = ("_re", "_starts", "first_words", "search_low", "match_low", "fullmatch_low", "finditer_low")
    _last: tuple[str, str] = ("", "")

    def __init__(self, source: str, by_first_words: bool = False) -> None:
        """`by_first_words`: find where a match can begin with one Aho-Corasick pass (see
        `_start_automaton`). Measured on the bench corpus, that pays only for long vocabularies
        searched over sentence-long windows; on short windows the plain search is faster."""
        source = re.sub(r"(?<!\\)(?<!\?)[A-ZÀ-ÖØ-Þ]", lambda m: m.group().lower(), source)
        if source.startswith(r"\b(?:"):
            source = r"(?<!\w)" + source[2:]  # same meaning here, and lets re skip ahead faster
        self._re = re.compile(source)
        # The literal words every match begins with (None when some match may begin otherwise).
        # A tuple, not a set: the garbage collector stops visiting a tuple of strings, but it
        # would go through the ~10,000 words of all the sets at every full collection (~9k
        # instructions per deal article).
        words = _first_words(self._re) if by_first_words else None
        self.first_words = None if words is None else tuple(sorted(words))
        self._starts = _start_automaton(words)
        # The same calls on text the caller has already lowered with `lower_same_length` (the deal
        # extraction lowers an article once and asks ~100 questions of it and of its slices):
        # bound methods of the compiled pattern, so such a call costs no more than a plain `re` one.
        self.search_low = self._re.search if self._starts is None else self._search_from_starts
        self.match_low = self._re.match
        self.fullmatch_low = self._re.fullmatch
        self.finditer_low = self._re.finditer if self._starts is None else self._finditer_from_starts

    _long: tuple[str, str] = ("", "")

    @classmethod
    def _low(cls, text: str) -> str:
        # Two slots: the whole article (asked with pos/endpos again and again) and the latest short
        # slice, so a slice in between does not make the next whole-text call lower it all again.
        long = cls._long
        if long[0] is text:
            return long[1]
        last = cls._last
        if last[0] is text:
            return last[1]
        low = text.lower()  # what lower_same_length returns unless a letter lowers into two
        if len(low) != len(text):
            low = lower_same_length(text)
        if len(text) > 200:
            cls._long = (text, low)
        else:
            cls._last = (text, low)
        return low

    @property
    def pattern(self) -> str:
        return self._re.pattern

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize):
        return self.search_low(self._low(text), pos, endpos)

    def first_word_starts(self, low: str, pos: int = 0, endpos: int = sys.maxsize) -> set[int]:
        """Offsets in [pos, endpos) where one of the literal words every match begins with begins
        (only for a pattern built with `by_first_words`): a match can begin nowhere else."""
        end = min(endpos, len(low))
        if pos > end:
            return set()
        return {e - n + 1 for e, n in self._starts.iter(low, pos, end)}

    def _search_from_starts(self, low: str, pos: int = 0, endpos: int = sys.maxsize):
        return self.search_in(low, sorted(self.first_word_starts(low, pos, endpos)), pos, endpos)

    def _finditer_from_starts(self, low: str, pos: int = 0, endpos: int = sys.maxsize):
        """`finditer`: every match begins with a non-empty first word, so none is empty and the
        next one is the first that matches at a first word from where the last one ended."""
        return iter(self.finditer_in(low, sorted(self.first_word_starts(low, pos, endpos)), pos, endpos))

    # -- the same searches, given where the pattern may begin in the whole text (`FirstWords`) ----

    def search_in(self, low: str, starts: list[int], pos: int = 0, endpos: int = sys.maxsize):
        """The pattern's `search(low, pos, endpos)`, where `starts` are `low`'s first word starts."""
        match = self._re.match
        for start in starts_between(starts, pos, min(endpos, len(low))):
            m = match(low, start, endpos)
            if m:
                return m
        return None

    def search_slice(self, low: str, starts: list[int], lo: int, hi: int):
        """The pattern's `search(low[lo:hi])` (offsets in the slice, which is all the pattern sees),
        where `starts` are `low`'s first word starts."""
        candidates = starts_between(starts, lo, hi)
        if not candidates:
            return None  # without copying the slice
        window = low[lo:hi]
        match = self._re.match
        for start in candidates:
            m = match(window, start - lo)
            if m:
                return m
        return None

    def finditer_in(self, low: str, starts: list[int], pos: int = 0, endpos: int = sys.maxsize) -> list[re.Match]:
        """The pattern's `list(finditer(low, pos, endpos))`, where `starts` are `low`'s first word starts."""
        found = []
        match = self._re.match
        resume = pos
        for start in starts_between(starts, pos, min(endpos, len(low))):
            if start >= resume and (m := match(low, start, endpos)):
                found.append(m)
                resume = m.end()
        return found

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize):
        return self._re.match(self._low(text), pos, endpos)

    def fullmatch(self, text: str, pos: int = 0, endpos: int = sys.maxsize):
        return self._re.fullmatch(self._low(text), pos, endpos)

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize):
        return self._re.finditer(self._low(text), pos, endpos)


class FirstWords:
    """Where each of several `by_first_words` patterns may begin in one lowered text, found in one
    Aho-Corasick pass: `starts(low)[k]` lists (sorted) the offsets where one of pattern k's first
    words occurs; its `search_in`, `search_slice` and `finditer_in` then try only those.

    Why: a pass costs ~100 instructions per character, however many words it looks for. The deal
    frames asked six vocabularies about every clause, sentence and cue window (~3,200 characters
    scanned per 600-character article); one pass over the article answers them all."""

    def __init__(self, patterns: Sequence[CaseFree]) -> None:
        owners: dict[str, list[int]] = {}
        for k, pattern in enumerate(patterns):
            if pattern.first_words is None:
                raise ValueError(f"{pattern.pattern[:40]!r}... has no first words to look for")
            for word in pattern.first_words:
                owners.setdefault(word, []).append(k)
        self._count = len(patterns)
        self._automaton = ahocorasick.Automaton()
        for word, ks in owners.items():
            self._automaton.add_word(word, (len(word), tuple(ks)))
        self._automaton.make_automaton()

    def starts(self, low: str) -> list[list[int]]:
        """Per pattern, the sorted offsets where its first words begin (an offset may repeat when
        two of its words begin there: the searches then merely try it twice)."""
        found: list[list[int]] = [[] for _ in range(self._count)]
        for end, (length, ks) in self._automaton.iter(low):
            start = end - length + 1
            for k in ks:
                found[k].append(start)
        for starts in found:
            starts.sort()  # reported by where words end: a longer word may begin before a shorter one
        return found
