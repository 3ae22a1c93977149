"""Case-insensitive patterns run on lower-cased text, for speed (same offsets, same matches)."""

from __future__ import annotations

import re
import sys

from bot.core.textnorm import lower_same_length


class CaseFree:
    """A case-insensitive pattern run on lower-cased text, with the same offsets.

    Why: CPython's `re` is 4-10x slower on long alternations under IGNORECASE, and these
    vocabularies are scanned for every sentence of every new entry (issue 3 wants >= 5,000
    articles/s). Upper-case letters in the source are lowered (escapes like \\S are kept).
    """

    __slots__ = ("_re",)
    _last: tuple[str, str] = ("", "")

    def __init__(self, source: str) -> None:
        source = re.sub(r"(?<!\\)(?<!\?)[A-ZÀ-ÖØ-Þ]", lambda m: m.group().lower(), source)
        if source.startswith(r"\b(?:"):
            source = r"(?<!\w)" + source[2:]  # same meaning here, and lets re skip ahead faster
        self._re = re.compile(source)

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
        return self._re.search(self._low(text), pos, endpos)

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize):
        return self._re.match(self._low(text), pos, endpos)

    def fullmatch(self, text: str, pos: int = 0, endpos: int = sys.maxsize):
        return self._re.fullmatch(self._low(text), pos, endpos)

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize):
        return self._re.finditer(self._low(text), pos, endpos)
