"""Text normalisation shared by the entity matcher and name lookups.

Two normalisers, for two different jobs:

* `fold_for_matching(text)` is the hot path. It returns a copy of `text` with EXACTLY the same
  length, in which letters are lowercased and stripped of accents, digits are kept, and every
  other character (spaces, hyphens, apostrophes of any style, punctuation, anything outside
  Latin-1) is a plain space. Offsets in the folded copy are offsets in the original, and a name
  padded with spaces (" meta ") can only match whole words: "Meta-owned", "d'Apple" and "Meta's"
  match; "metadata" and "Nscale" do not. It runs on every article, so it is built from C-speed
  primitives only: `encode('latin-1', 'replace')` (one byte per character, '?' for anything
  outside Latin-1), one `bytes.translate` with a 256-entry table, and a decode. A per-character
  `str.translate` with a dict was measured at ~65 us per 600-character French article; this is
  ~1-2 us.
* `lookup_key(text)` is for short user input (`/watch Méta Platforms`): full Unicode folding,
  whitespace collapsed, punctuation kept. Length may change; nobody maps offsets back.
"""

from __future__ import annotations

import re
import unicodedata

# Characters outside Latin-1 that mean the same as a Latin-1 one when comparing punctuation.
_WIDE_PUNCTUATION = (
    ("\u2019", "'"),  # right single quotation mark, the usual typographic apostrophe
    ("\u2018", "'"),
    ("\u02bc", "'"),  # modifier letter apostrophe
    ("\u2010", "-"),  # hyphen
    ("\u2011", "-"),  # non-breaking hyphen
    ("\u2013", "-"),  # en dash
    ("\u202f", " "),  # narrow no-break space (French typography)
    ("\u2009", " "),  # thin space
    ("\u00a0", " "),
    ("`", "'"),
    ("\u00b4", "'"),
)


def _build_latin1_table() -> bytes:
    table = bytearray(b" " * 256)
    for code in range(256):
        lowered = chr(code).lower()
        if len(lowered) != 1:
            continue
        base = unicodedata.normalize("NFD", lowered)[0]
        folded = base if ord(base) < 256 else lowered
        if folded.isalnum():
            table[code] = ord(folded)
    return bytes(table)


_LATIN1_FOLD = _build_latin1_table()


def fold_for_matching(text: str) -> str:
    """Same-length copy: lowercase accent-free letters and digits, a space for anything else."""
    return text.encode("latin-1", "replace").translate(_LATIN1_FOLD).decode("latin-1")


def lower_same_length(text: str) -> str:
    """`text.lower()` with the same offsets, for running case-free patterns without IGNORECASE.

    CPython's `re` is several times slower on long alternations under IGNORECASE; a pattern
    written in lower case and run on the lowered text finds the same spans. A few letters lower
    into two characters ("İ" -> "i̇"); those stay as they are, so offsets hold.
    """
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def lower_pattern(source: str) -> str:
    """A regex source with its literal capitals lowered, for `lower_same_length` text.

    Escapes (\\W, \\S, \\D...) and group syntax ("(?P<") keep their letters."""
    return re.sub(r"(?<!\\)(?<!\?)[A-ZÀ-ÖØ-Þ]", lambda m: m.group().lower(), source)


def unify_punctuation(text: str) -> str:
    """Typographic apostrophes, hyphens and spaces as their plain ASCII forms (same length)."""
    if not text.isascii():
        for wide, narrow in _WIDE_PUNCTUATION:
            text = text.replace(wide, narrow)
    return text.replace("`", "'")


def strip_accents(text: str) -> str:
    """Accent-free copy keeping case (for exact-case comparisons); may change length."""
    decomposed = unicodedata.normalize("NFKD", text)
    return unify_punctuation("".join(c for c in decomposed if not unicodedata.combining(c)))


def lookup_key(text: str) -> str:
    """Forgiving key for looking a name up: no case, accents, apostrophe style or extra spaces."""
    return " ".join(strip_accents(text).casefold().split())
