"""Text normalisation shared by the entity matcher and name lookups.

Two normalisers, for two different jobs:

* `fold_same_length(text)` is the hot path: it lowercases, strips accents and unifies
  apostrophes, whitespace and hyphens WITHOUT changing the length of the string, so an offset
  found in the folded text is the same offset in the original. It runs on every article, so it is
  built from C-speed primitives only: a couple of `str.replace` for the common non-Latin-1
  punctuation, then `encode('latin-1', 'replace')` (one byte per character, '?' for anything
  outside Latin-1), one `bytes.translate` with a 256-entry table, and a decode. A per-character
  `str.translate` with a dict was measured at ~65 us per 600-character French article; this is
  ~2 us.
* `lookup_key(text)` is for short user input (`/watch Méta Platforms`): full Unicode folding,
  whitespace collapsed. Length may change; nobody maps offsets back.
"""

from __future__ import annotations

import unicodedata

# Characters outside Latin-1 that news text uses inside names and phrases. Each maps to one
# character, so lengths are kept.
_WIDE_PUNCTUATION = (
    ("\u2019", "'"),  # right single quotation mark, the usual typographic apostrophe
    ("\u2018", "'"),
    ("\u02bc", "'"),  # modifier letter apostrophe
    ("\u2010", "-"),  # hyphen
    ("\u2011", "-"),  # non-breaking hyphen
    ("\u202f", " "),  # narrow no-break space (French typography)
    ("\u2009", " "),  # thin space
)


def _build_latin1_table() -> bytes:
    table = bytearray(range(256))
    for code in range(256):
        char = chr(code)
        lowered = char.lower()
        if len(lowered) != 1:
            continue
        base = unicodedata.normalize("NFD", lowered)[0]
        table[code] = ord(base) if ord(base) < 256 else ord(lowered)
    for char in "\u00a0\t\n\r\x0b\x0c":
        table[ord(char)] = ord(" ")
    for char in "`\u00b4":  # grave and acute accents typed as apostrophes
        table[ord(char)] = ord("'")
    return bytes(table)


_LATIN1_FOLD = _build_latin1_table()


def fold_same_length(text: str) -> str:
    """Lowercase, accent-free, apostrophe-unified copy of `text` with exactly the same length.

    Characters outside Latin-1 that are not listed punctuation become '?', which is never part
    of a word, so they act as word boundaries.
    """
    if not text.isascii():
        for wide, narrow in _WIDE_PUNCTUATION:
            if wide in text:
                text = text.replace(wide, narrow)
    return text.encode("latin-1", "replace").translate(_LATIN1_FOLD).decode("latin-1")


def strip_accents(text: str) -> str:
    """Accent-free copy keeping case (for exact-case comparisons); may change length."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    for wide, narrow in _WIDE_PUNCTUATION:
        plain = plain.replace(wide, narrow)
    return plain


def lookup_key(text: str) -> str:
    """Forgiving key for looking a name up: no case, accents, apostrophe style or extra spaces."""
    return " ".join(strip_accents(text).casefold().replace("`", "'").split())
