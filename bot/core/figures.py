"""Money amounts and percentages stated in a news text, in English, French, German and Spanish.

    find_amounts("Meta paierait environ 15 milliards de dollars", "fr")
    -> [Amount(15_000_000_000, "USD", "15 milliards de dollars", 21, 43, approx=True)]

One compiled pattern finds each number together with what may sit around it: a currency symbol
or code before it, a scale word, a range, a currency word or a percent sign after it. Small pure
functions then decide what the match is worth. A text with no digit and no scale word costs a
few substring tests, because the poller runs this on every entry.

Conventions (tests/data/corpus-README.md): `text` is the exact substring, number plus currency
marker, without qualifiers such as "about" (those set `approx`); a range keeps both ends; a
scale word without a currency ("2 milliards") takes the currency of the nearest amount that has
one; no digit or number word, no amount ("plusieurs milliards"); one entry per distinct surface
string.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple, TypeVar

from bot.core.model import Amount, Percent

_Figure = TypeVar("_Figure", Amount, Percent)
from bot.core.textnorm import lower_pattern, lower_same_length

# Spaces French and German put inside and around numbers: plain, no-break, narrow no-break, thin.
_SP = "[ \u00a0\u202f\u2009]"
_SPACES = " \u00a0\u202f\u2009"

# A number as written: "2 000", "15.000", "1,234,567.8", "1,5", "14.3", "84,000". Which mark is
# the decimal one depends on the language and is decided in _parse_number.
_NUM = rf"\d{{1,3}}(?:(?:[,.']|{_SP})\d{{3}})+(?!\d)(?:[.,]\d+)?|\d+(?:[.,]\d+)?"

_CODES = ("USD", "EUR", "GBP", "CHF", "JPY", "CNY", "RMB", "BRL", "INR", "CAD", "AUD", "HKD",
          "SGD", "KRW", "SEK", "NOK", "DKK", "MXN")
_SYMBOL_CURRENCY = {
    "$": "USD", "us$": "USD", "u.s.$": "USD", "r$": "BRL", "c$": "CAD", "ca$": "CAD",
    "a$": "AUD", "au$": "AUD", "hk$": "HKD", "s$": "SGD", "nz$": "NZD", "mx$": "MXN",
    "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW", "rmb": "CNY",
}
# Before the number: "US$3.5 billion", "€1.5bn", "R$ 1 bilhão", "USD 2bn".
_PREFIX = (r"(?:US|U\.S\.|R|CA|C|AU|A|HK|S|NZ|MX)?\$|[€£¥₹₩]|(?:" + "|".join(_CODES)
           + rf")(?={_SP})")

# Scale word -> (power of ten, language it belongs to). The language says how to read the
# number's separators ("1.500 millones" is 1500, "$1.125 billion" is 1.125) and which rule
# decides whether a bare scale is money (see _bare_amount_is_money).
_SCALE_WORDS: dict[str, tuple[int, str | None]] = {
    "thousand": (3, "en"), "million": (6, None), "millions": (6, "fr"), "billion": (9, "en"),
    "billions": (9, "en"), "trillion": (12, "en"), "trillions": (12, "en"),
    "bn": (9, "en"), "bln": (9, "en"), "mn": (6, "en"), "mln": (6, "en"), "tn": (12, "en"),
    "mille": (3, "fr"), "milliard": (9, "fr"), "milliards": (9, "fr"), "md": (9, "fr"),
    "mds": (9, "fr"), "mrds": (9, "fr"),
    "tausend": (3, "de"), "tsd.": (3, "de"), "millionen": (6, "de"), "mio.": (6, "de"),
    "mio": (6, "de"), "milliarde": (9, "de"), "milliarden": (9, "de"), "mrd.": (9, "de"),
    "mrd": (9, "de"), "billionen": (12, "de"), "bio.": (12, "de"),
    "mil": (3, "es"), "millón": (6, "es"), "millon": (6, "es"), "millones": (6, "es"),
    "mil millones": (9, "es"), "millardo": (9, "es"), "millardos": (9, "es"),
    "billón": (12, "es"), "billones": (12, "es"),
    # Brazilian amounts (reais) show up in the Spanish and English tech press.
    "milhão": (6, "pt"), "milhões": (6, "pt"), "bilhão": (9, "pt"), "bilhões": (9, "pt"),
    "mil milhões": (9, "pt"), "trilhão": (12, "pt"), "trilhões": (12, "pt"),
}
# Letters glued to the number: "$700M", "$15B", "$500k", "$1.2T".
_SCALE_LETTERS = {"k": 3, "m": 6, "b": 9, "t": 12}

# Numbers written as words before a scale word: "un milliard", "half a trillion", "mil millones".
_NUMBER_WORDS: dict[str, Decimal] = {
    "half a": Decimal("0.5"), "half an": Decimal("0.5"),
    "a": Decimal(1), "an": Decimal(1), "one": Decimal(1), "un": Decimal(1), "une": Decimal(1),
    "ein": Decimal(1), "eine": Decimal(1), "einer": Decimal(1), "uno": Decimal(1),
    "una": Decimal(1), "um": Decimal(1), "uma": Decimal(1), "mil": Decimal(1000),
    "two": Decimal(2), "deux": Decimal(2), "zwei": Decimal(2), "dos": Decimal(2),
    "three": Decimal(3), "trois": Decimal(3), "drei": Decimal(3), "tres": Decimal(3),
    "four": Decimal(4), "quatre": Decimal(4), "vier": Decimal(4), "cuatro": Decimal(4),
    "five": Decimal(5), "cinq": Decimal(5), "fünf": Decimal(5), "cinco": Decimal(5),
    "ten": Decimal(10), "dix": Decimal(10), "zehn": Decimal(10), "diez": Decimal(10),
}


def _alternation(words: Iterable[str]) -> str:
    # Longest first: Python's re takes the first alternative that matches, not the longest.
    escaped = (re.escape(w).replace(r"\ ", _SP + "+") for w in words)
    return "|".join(sorted(escaped, key=len, reverse=True))


_SCALE = _alternation(_SCALE_WORDS)
_BIG_SCALE = _alternation(w for w, (power, _) in _SCALE_WORDS.items()
                          if power >= 6 and len(w) > 4 and "." not in w)

# After the number, possibly after French/Spanish "de"/"d'": "dollars", "d'euros", "US-Dollar".
_SUFFIX = "|".join((
    # Not "-dollar" alone: "a billion-dollar company" describes, it states no amount.
    r"(?:(?:US|U\.S\.|American|Canadian|Australian|Hong\ Kong|Singapore|New\ Zealand)[- ])?"
    r"dollars?"
    r"(?:\ (?:américains|américain|US|canadiens|australiens|de\ Hong\ Kong|de\ Singapour))?",
    r"(?:kanadische\ |australische\ )Dollars?",
    r"d[óo]lar(?:es)?(?:\ (?:estadounidenses|canadienses|australianos))?",
    r"euros?", r"(?:pounds?|livres?|libras?)(?:\ (?:sterling|esterlinas))?", r"sterling",
    r"(?:britische\ )?Pfund(?:\ Sterling)?", r"yens?", r"yenes", r"yuan(?:es|s)?", r"renminbi",
    r"Swiss\ francs", r"francs\ suisses", r"(?:Schweizer\ )?Franken", r"francos\ suizos",
    r"reais", r"reales", r"rupees", r"roupies", r"rupias", r"Rupien", r"won", r"kronor", r"kroner",
    "(?:" + "|".join(_CODES) + ")",
    r"(?:US|R|C|A|HK)?\$", r"[€£¥₹₩]",
))

_PERCENT = r"%|％|pour[ -]?cent|per[ -]?cent|percent|prozent|por\ ciento|por\ cento"


def _scale_part(i: int) -> str:
    """Scale after a number: a word ("billion", "Mrd.", "Md"), or a letter glued to the number
    ("700M"), or a letter right before a currency symbol ("700 M€", "15 M$")."""
    # Every scale word, letter and letter before a currency starts with k, m, b or t: checked
    # first, so that a number followed by anything else skips the ~50 scale words at once.
    return (rf"(?:(?=(?:{_SP_RUN}|-)[kmbt])"
            rf"(?:(?:{_SP_RUN}|-)(?P<sw{i}>{_SCALE})(?![^\W\d_])"
            rf"|(?P<sl{i}>[kmbt])(?![^\W\d_])"
            rf"|{_SP}?+(?P<sx{i}>[kmb])(?=(?:US)?[$€£])))")


# Compiled in lower case and run on the lower-cased text (textnorm.lower_same_length): the
# same spans as under IGNORECASE at about half the cost, since CPython's `re` tries each
# alternative of the scale and currency lists letter by letter with case folding.
#
# Two things cut the cost of a match by a fifth (-18k instructions per deal-heavy article)
# without changing what it matches:
# - the runs of spaces are possessive (`*+`, `++`): each is followed by a word, a dash or a
#   digit, never by a space, so giving spaces back could never let the rest match; without it
#   a failed currency list was tried again after each space given back;
# - the percent-or-currency part after the number is tried only when the next character can
#   start one of its alternatives (_TAIL_FIRST_CHARS), so "$40 a share" and "2 billion in"
#   skip the ~40 currency spellings at once.
_SP_RUN = _SP + "*+"
_SP_RUN1 = _SP + "++"
# The first character of every alternative of the tail: _PERCENT ("%", "％", "p..."), "de"/"d'"
# and _SUFFIX (currency words and codes in lower case, "$", the currency symbols).
_TAIL_FIRST_CHARS = "%％pduachsnkelbyrfwgjim$€£¥₹₩"
_FIGURE_RE = re.compile(lower_pattern(
    rf"""
    (?:
        (?<![\w.,])(?<!\d[.,])(?P<n1>{_NUM})
      | (?<![^\W\d_])(?P<w>{_alternation(_NUMBER_WORDS)})(?={_SP_RUN1}(?:{_BIG_SCALE})(?![^\W\d_]))
    )
    {_scale_part(1)}?
    (?:
        (?P<sep>{_SP_RUN}[-–—]{_SP_RUN}|{_SP_RUN1}(?:to|à|a|bis|and|et|y|und){_SP_RUN1})
        (?:(?P<pre2>{_PREFIX}){_SP}?+)?(?P<n2>{_NUM})
        {_scale_part(2)}?
    )?
    (?:
        (?={_SP_RUN}[{_TAIL_FIRST_CHARS}])
        (?:
            {_SP_RUN}(?P<pct>{_PERCENT})(?![^\W\d_])
          | {_SP_RUN}(?:de{_SP_RUN1}|d['’]{_SP_RUN})?(?P<suf>{_SUFFIX})(?![^\W\d_])
        )
    )?
    """),
    re.VERBOSE,
)
# The currency written before a number is found by looking back from the number, so the
# figure pattern can be tried only where a digit is (one pattern tried at every offset of
# the text was ten times slower). Codes need a space ("USD 2bn"), symbols may have one.
_PREFIX_BEFORE = re.compile(
    rf"(?<![^\W\d_])(?:(?:{'|'.join(_CODES)}){_SP}|(?:(?:US|U\.S\.|R|CA|C|AU|A|HK|S|NZ|MX)?\$"
    rf"|[€£¥₹₩]){_SP}?)$")
_PREFIX_LAST_CHARS = frozenset("$€£¥₹₩DRPFYBKNLWUXEGHJ")
# Where a figure may start (_candidate_starts), as one byte per character of the text: "0" for
# an ASCII digit; "i", "l", "h", "o" for the letters that mark a big scale word ("billion",
# "milliard", "millón", "bilhão": "illi", "illo"/"illó", "ilh"; case-sensitive, as before);
# "x" for the other characters that forbid a number right after them (ASCII letters, digits,
# "_", ".", ","; the figure pattern checks the real rule, this only skips hopeless offsets);
# a space for everything else, including characters outside Latin-1.
def _candidate_mask() -> bytes:
    table = bytearray(b" " * 256)
    for code in range(256):
        char = chr(code)
        if char.isascii() and (char.isalnum() or char in "_.,"):
            table[code] = ord("x")
    for char in "0123456789":
        table[ord(char)] = ord("0")
    for char, marked in (("i", "i"), ("l", "l"), ("h", "h"), ("o", "o"), ("ó", "o")):
        table[ord(char)] = ord(marked)
    return bytes(table)


_CANDIDATE_MASK = _candidate_mask()

# Qualifiers just before a figure that make it approximate, per language. Looked up as the
# last one to three words before the figure (a set lookup: a regex searched backwards over
# the preceding characters cost more than the whole figure).
def _approx_phrase_words(phrase: str) -> str:
    """A qualifier as `_is_approx` sees words: an elided word stands apart ("jusqu'à" -> "jusqu' à")."""
    return " ".join(phrase.replace("'", "' ").split())


_APPROX_PHRASES = frozenset(_approx_phrase_words(phrase) for phrase in """
    about|around|roughly|nearly|almost|approximately|approx.|some|close to|more than|over|
    up to|at least|as much as|upwards of|north of|in excess of|an estimated|estimated|circa|
    ca.|~|≈|
    environ|près de|près d'|quelque|plus de|plus d'|au moins|jusqu'à|presque|quasiment|
    autour de|autour d'|de l'ordre de|de l'ordre d'|pas moins de|pas moins d'|proche de|
    proche d'|approximativement|
    rund|etwa|fast|mehr als|über|knapp|gut|mindestens|bis zu|ungefähr|annähernd|nahezu|
    beinahe|an die|schätzungsweise|zirka|
    cerca de|cerca del|unos|unas|alrededor de|alrededor del|más de|más del|al menos|casi|
    aproximadamente|hasta|en torno a|en torno al|del orden de|por encima de|
    por encima del|mais de|quase""".split("|"))
_APPROX_LAST_WORDS = frozenset(phrase.split()[-1] for phrase in _APPROX_PHRASES if phrase)
_APPROX_MAX_WORDS = max(len(phrase.split()) for phrase in _APPROX_PHRASES)  # "de l' ordre de"
_BETWEEN_BEFORE = re.compile(r"(?<![^\W\d_])(?:between|entre|zwischen)\s+$", re.IGNORECASE)
# "from $5bn to $10bn" is a change, not a range. English only: French "de 10 à 12", German
# "von 10 bis 12" and Spanish "de 10 a 12" are the usual way to write a range.
_FROM_BEFORE = re.compile(r"(?<![^\W\d_])from\s*$", re.IGNORECASE)
_NEXT_TOKEN = re.compile(rf"{_SP}*(?:(?P<word>[^\W\d_]+)|(?P<other>\S)|$)")

# Words after a bare scale ("3 milliards dans Anthropic", "2 billion in cash") that show the
# number is money rather than a count of things ("1 billion users").
_MONEY_FOLLOWERS = frozenset("""
    in into to for from at on by with and or but already more less last this that over each
    apiece plus which is was were are has have had will would could as so than worth up earlier
    since after before while when a an the its their his her per annually respectively
    altogether combined together now still too via through across back out alone upfront net
    next went came goes comes if because though although yet only just instead between under
    against toward towards within without during including excluding
    dans en à au aux pour par sur avec et ou mais déjà supplémentaires supplémentaire qui que
    depuis lors entre contre sont est ont sera seront total environ
    für an bei und oder aus zu mit ist sind war waren hat haben wird bereits schon
    al para por con y o que ya más adicionales anuales es son fue han ha será
""".split())
# After "de"/"of": still money when the next word is one of these ("2 milliards de plus").
_MONEY_AFTER_OF = frozenset({"plus", "moins", "más", "menos", "ici"})
_OF_WORDS = frozenset({"de", "d", "of", "del", "do", "da"})

# Any currency mention, to give bare amounts a currency when no explicit amount is near.
_CURRENCY_MENTION = re.compile(rf"(?<![^\W\d_])(?:{_SUFFIX})(?![^\W\d_])", re.IGNORECASE)


class _Money(NamedTuple):
    """An amount before its currency is settled (`currency` None = to infer from context).
    `is_count` marks a scaled number that counts things ("800 millions d'utilisateurs"): not
    an amount, but it tells what a later bare "500 millions" in the same sentence counts.
    A named tuple: built for every figure, at a fifth of a frozen dataclass's cost."""

    value: int | float
    currency: str | None
    value_max: int | float | None
    start: int
    end: int
    is_count: bool = False


@lru_cache(maxsize=512)
def _currency_of_marker(marker: str) -> str | None:
    m = marker.lower().replace(" ", "").replace("\u00a0", "")
    if m in _SYMBOL_CURRENCY:
        return _SYMBOL_CURRENCY[m]
    if m.upper() in _CODES:
        return "CNY" if m == "rmb" else m.upper()
    for cue, code in (("canad", "CAD"), ("kanad", "CAD"), ("austral", "AUD"), ("hong", "HKD"),
                      ("singap", "SGD"), ("zeal", "NZD"), ("dollar", "USD"), ("dólar", "USD"),
                      ("dolar", "USD"), ("euro", "EUR"), ("pound", "GBP"), ("livre", "GBP"),
                      ("libra", "GBP"), ("sterling", "GBP"), ("pfund", "GBP"), ("yen", "JPY"),
                      ("yuan", "CNY"), ("renminbi", "CNY"), ("franc", "CHF"), ("franken", "CHF"),
                      ("reais", "BRL"), ("reales", "BRL"), ("rup", "INR"), ("roupie", "INR"), ("won", "KRW"),
                      ("kronor", "SEK"), ("kroner", "NOK")):
        if cue in m:
            return code
    return None


_DROP_GROUPING = {ord(c): None for c in _SPACES + "'"}


@lru_cache(maxsize=2048)  # the same few numbers ("1.5", "15", "2 000") recur from text to text
def _parse_number(raw: str, lang: str, scaled: bool) -> Decimal:
    """Read "1,5" / "1.500" / "2 000" / "1,234.5" as a number.

    A lone separator followed by exactly three digits is the ambiguous case: it is a thousands
    separator ("84,000", "15.000 millones") except before a scale word in a language that puts
    the decimal there ("$1.125 billion" in English, "1,125 milliard" in French/German)."""
    if raw.isdigit():
        return Decimal(raw)
    digits = raw.translate(_DROP_GROUPING)
    marks = [c for c in digits if c in ",."]
    if not marks:
        return Decimal(digits)
    if len(set(marks)) == 2:  # "1,234.5" or "1.234,5": the last mark is the decimal one
        # ...unless it also groups digits ("1,514.314.3", found by the property test): then no
        # mark can be read as decimal, and Decimal("1514.314.3") would raise.
        decimal_mark = marks[-1] if marks.count(marks[-1]) == 1 else None
    elif len(marks) > 1:  # "1,234,567"
        decimal_mark = None
    else:
        mark = marks[0]
        whole, _, fraction = digits.partition(mark)
        if len(fraction) != 3 or whole == "0":
            decimal_mark = mark
        elif mark == "." and scaled and lang == "en":
            decimal_mark = mark
        elif mark == "," and scaled and lang in ("fr", "de"):
            decimal_mark = mark
        else:
            decimal_mark = None
    thousands = {",", "."} - {decimal_mark}
    cleaned = "".join(c for c in digits if c not in thousands)
    return Decimal(cleaned.replace(",", "."))


def _as_units(value: Decimal) -> int | float:
    # Amounts are whole currency units; only per-share prices like "23,28 dollars" keep cents.
    whole = value.to_integral_value()
    return int(whole) if value == whole else float(round(value, 2))


_SCALE_GROUPS = {i: (f"sw{i}", f"sl{i}", f"sx{i}") for i in (1, 2)}
_POWERS_OF_TEN = {power: Decimal(10) ** power for power in (0, 3, 6, 9, 12)}


def _scale_of(m: re.Match[str], text: str, i: int, lang: str | None, pre: str | None
              ) -> tuple[int, str | None]:
    """Power of ten and language of the scale written after number `i` (0 and None if none)."""
    scale_word, scale_letter, letter_before_currency = _SCALE_GROUPS[i]
    start, end = m.span(scale_word)
    if end > start:
        word = text[start:end]  # as written: German "Billion" is a noun
        key = word.lower()
        if key not in _SCALE_WORDS:
            key = " ".join(key.split())  # "mil\u00a0millones"
        power, word_lang = _SCALE_WORDS[key]
        if key.startswith("billion") and _is_long_scale_billion(word, m, lang, pre):
            power = 12
        return power, word_lang
    letter = m.group(scale_letter) or m.group(letter_before_currency)
    if letter:
        return _SCALE_LETTERS[letter.lower()], None
    return 0, None


def _is_long_scale_billion(word: str, m: re.Match[str], lang: str | None, pre: str | None
                           ) -> bool:
    """French "billion" and German "Billion(en)" are 10^12. Trusted only when the grammar says
    so ("1 billion d'euros", "Billionen", "Billion" in a German text), since an English
    "$1 billion" quoted in a French feed stays 10^9."""
    if word.lower() == "billionen":
        return True
    if m.group("suf") and m.group("sw1"):
        between = m.string[m.end("sw1"):m.start("suf")].strip(_SPACES).lower()
        if between in ("de", "d'", "d’"):
            return True
    return lang == "de" and word == "Billion" and not pre


def _bare_amount_is_money(text: str, end: int, scale_lang: str) -> bool:
    """A number with a scale word but no currency ("aux 2 milliards déjà engagés") is money
    unless it counts things ("2 milliards d'utilisateurs", "1 billion users", "2 Milliarden
    Nutzer")."""
    token = _NEXT_TOKEN.match(text, end)
    word = token.group("word") if token else None
    if not word:
        other = token.group("other") if token else None
        # "a billion-dollar company" describes, it does not state an amount.
        return not (other == "-" and end + 1 < len(text) and text[end + 1].isalpha())
    lower = word.lower()
    if lower in _OF_WORDS:
        elided = text.startswith(("'", "’"), token.end())  # "d'utilisateurs"
        after = _NEXT_TOKEN.match(text, token.end() + elided)
        following = after.group("word") if after else None
        return following is None or following.lower() in _MONEY_AFTER_OF
    if word[0].isupper():  # a noun (German) or a name right after the number
        return False
    if lower in _MONEY_FOLLOWERS:
        return True
    # French and Spanish put "de" before a counted noun, German capitalises it: what is left is
    # an adverb or a participle ("2 milliards supplémentaires"). English has no such tell.
    return scale_lang != "en"


def _is_approx(text: str, start: int) -> bool:
    window = text[max(0, start - 40):start].lower().replace("’", "'").replace("'", "' ")
    words = window.split()
    if start > 40 and words:
        words = words[1:]  # the first word may be cut ("turnover" -> "over")
    if not words or (words[-1] not in _APPROX_LAST_WORDS and words[-1].lstrip("(«\"“") not in _APPROX_PHRASES):
        return False  # every qualifier ends with one of these words: most figures stop here
    for n in range(1, _APPROX_MAX_WORDS + 1):
        if len(words) >= n and " ".join(words[-n:]).lstrip("(«\"“") in _APPROX_PHRASES:
            return True
    return False


_new_object = object.__new__


def _new_figure(cls: type[_Figure], **fields) -> _Figure:
    """`cls(**fields)` for Amount and Percent (every field given) at about half the cost: a frozen
    dataclass's __init__ sets each field through object.__setattr__. Filling __dict__ in one call
    builds an object equal in every way (same class, same fields, still frozen), as the entity
    matcher does for its matches."""
    figure = _new_object(cls)
    figure.__dict__.update(fields)
    return figure


@dataclass(frozen=True)
class _Found:
    amounts: tuple[_Money, ...]
    percents: tuple[Percent, ...]


def _range_is_valid(m: re.Match[str], text: str, start: int, first_self_contained: bool) -> bool:
    """Is "N1 <sep> N2" one range? Dashes always; "to/à/a/bis" when the second end is itself a
    figure ("$40 to 50 staff" is not a range); "and/et/y/und" only after "between/entre/
    zwischen"; never "from $5bn to $10bn", which is a change between two amounts."""
    sep = m.group("sep").strip(_SPACES).lower()
    if sep in ("-", "–", "—"):
        return True
    if sep in ("and", "et", "y", "und") and not _BETWEEN_BEFORE.search(
            text, max(0, start - 12), start):
        return False
    second_is_figure = any(m.group(g) for g in ("pre2", "sw2", "sl2", "sx2", "suf", "pct"))
    if not second_is_figure:
        return False
    return not (first_self_contained and _FROM_BEFORE.search(text, max(0, start - 8), start))


def _candidate_starts(text: str) -> list[int]:
    """Offsets where a figure may start: each run of digits that follows no word character,
    and each number word right before a scale word ("un milliard", "half a trillion")."""
    # One byte per character (see _CANDIDATE_MASK), so bytes.find (memchr speed) finds what a
    # str.find loop per digit and per marker found, in about one call per hit: -40k
    # instructions per deal-heavy article, -15k per plain one.
    mask = b" " + text.encode("latin-1", "replace").translate(_CANDIDATE_MASK)
    starts = []
    at = mask.find(b" 0")  # `at` in the mask is the digit's offset in the text (one space ahead)
    while at != -1:
        starts.append(at)
        at = mask.find(b" 0", at + 2)
    unsorted = False
    for marker in (b"illi", b"illo", b"ilh"):
        at = mask.find(marker)
        while at != -1:
            word_start = at - 1
            while word_start > 0 and text[word_start - 1].isalpha():
                word_start -= 1
            number_word_start = _number_word_before(text, word_start)
            if number_word_start is not None:
                starts.append(number_word_start)
                unsorted = True
            at = mask.find(marker, at + 1)
    if unsorted:
        starts.sort()  # duplicates (one word, two markers) are harmless: _scan skips them
    return starts


def _number_word_before(text: str, at: int) -> int | None:
    """Start of the number word ("un", "half a") that ends just before `at`, with spaces between."""
    head = text[max(0, at - 12):at]
    stripped = head.rstrip(_SPACES)
    if len(stripped) == len(head) or stripped[-1:].isdigit():
        return None  # no space before the scale word, or a number in digits ("15 milliards")
    words = stripped.split()
    if not words:
        return None
    last = words[-1].rpartition("'")[2].rpartition("’")[2].lower()
    phrase = last
    if len(words) >= 2 and f"{words[-2].lower()} {last}" in _NUMBER_WORDS:
        phrase = f"{words[-2].lower()} {last}"
    elif last not in _NUMBER_WORDS:
        return None
    start = at - len(head) + len(stripped) - len(last)
    if phrase != last:
        start = at - len(head) + stripped.rfind(words[-2])
    if start > 0 and text[start - 1].isalpha():
        return None  # the tail of a longer word
    return start


def _may_follow_prefix(text: str, at: int) -> bool:
    last = text[at - 1:at]
    if last and last in _SPACES and at > 1:
        last = text[at - 2]
    return bool(last) and last.upper() in _PREFIX_LAST_CHARS


def _prefix_before(text: str, at: int) -> tuple[str | None, int]:
    """The currency symbol or code written just before offset `at`, and where it starts."""
    if not _may_follow_prefix(text, at):
        return None, at
    found = _PREFIX_BEFORE.search(text, max(0, at - 7), at)
    if not found:
        return None, at
    return found.group().rstrip(_SPACES), found.start()


def _scan(text: str, lang: str | None) -> _Found:
    amounts: list[_Money] = []
    percents: list[Percent] = []
    pos = 0
    low = None
    for candidate in _candidate_starts(text):
        if candidate < pos:
            continue  # inside the figure read last ("000" of "2 000 millions")
        if low is None:
            low = lower_same_length(text)
        m = _FIGURE_RE.match(low, candidate)
        if m is None:
            continue
        pos = m.end()
        if m.end("n1") == m.end() and not _may_follow_prefix(text, candidate):
            continue  # a bare number ("2025", "50 people"): most numbers end here, cheaply
        pre, start = _prefix_before(text, candidate)
        has_range = m.group("n2") is not None
        first_scaled = bool(m.group("sw1") or m.group("sl1") or m.group("sx1"))
        if has_range and not _range_is_valid(m, text, start, bool(pre) or first_scaled):
            # Keep the first number alone; the second is read again as a figure of its own.
            pos = m.start("pre2") if m.group("pre2") else m.start("n2")
            end = max(m.end(g) for g in ("n1", "w", "sw1", "sl1", "sx1") if m.group(g))
            money = _read_money(m, text, lang, pre, start, has_range=False, end=end,
                                with_suffix=False)
        elif m.group("pct"):
            if not pre and m.group("n1"):
                percents.append(_read_percent(m, text, lang))
            continue
        else:
            money = _read_money(m, text, lang, pre, start, has_range, m.end(), with_suffix=True)
        if money is not None:
            amounts.append(money)
    return _Found(tuple(amounts), tuple(percents))


def _read_percent(m: re.Match[str], text: str, lang: str | None) -> Percent:
    # A range "10 à 15 %" keeps its whole text and its low end (Percent has no upper bound).
    value = _parse_number(m.group("n1"), lang or "en", scaled=False)
    start = m.start("n1")
    return _new_figure(Percent, value=_as_units(value), text=text[start:m.end()], start=start, end=m.end(),
                       approx=_is_approx(text, start))


def _read_money(m: re.Match[str], text: str, lang: str | None, pre: str | None, start: int,
                has_range: bool, end: int, with_suffix: bool) -> _Money | None:
    suffix = m.group("suf") if with_suffix else None
    currency = None
    if pre:
        currency = _currency_of_marker(pre)
    elif suffix:
        currency = _currency_of_marker(suffix)
    elif has_range and m.group("pre2"):
        currency = _currency_of_marker(m.group("pre2"))
    power1, lang1 = _scale_of(m, text, 1, lang, pre)
    power2, lang2 = _scale_of(m, text, 2, lang, pre) if has_range else (0, None)
    if has_range and not power1:
        power1, lang1 = power2, lang2  # "10 à 12 milliards": the scale applies to both ends
    if has_range and not power2:
        power2 = power1
    if suffix and currency == "KRW" and not power1:
        return None  # "won" after a plain number is the verb, not the currency
    word_scaled = bool(m.group("sw1") or (has_range and m.group("sw2")))
    if currency is None and not word_scaled:
        return None  # a plain number, or "700M" with no currency: not known to be money
    number_lang = lang1 or lang2 or lang or "en"
    if currency is None and not _bare_amount_is_money(text, end, number_lang):
        return _Money(0, None, None, start, end, is_count=True)
    if m.group("n1"):
        low = _parse_number(m.group("n1"), number_lang, scaled=power1 > 0)
    else:
        low = _NUMBER_WORDS[" ".join(m.group("w").lower().split())]
    low *= _POWERS_OF_TEN[power1]
    high = None
    if has_range:
        high = _parse_number(m.group("n2"), number_lang, scaled=power2 > 0) * _POWERS_OF_TEN[power2]
        if high <= low:
            return None
    return _Money(_as_units(low), currency, _as_units(high) if high is not None else None,
                  start, end)

def _settle_currency(found: tuple[_Money, ...], text: str) -> list[_Money]:
    """Give each bare amount the currency of the nearest amount that states one, else of the
    nearest currency word in the text, else USD (the currency of most tech deals). Drop the
    counts, and a bare number that follows a count in the same sentence ("800 millions
    d'utilisateurs, contre 500 millions en février")."""
    if all(a.currency for a in found):
        return list(found)
    explicit = [(a.start, a.currency) for a in found if a.currency]
    if not explicit:
        # "won" alone is far more often the verb than the Korean currency.
        explicit = [(c.start(), _currency_of_marker(c.group())) for c in
                    _CURRENCY_MENTION.finditer(text) if c.group().lower() != "won"]
        explicit = [(at, code) for at, code in explicit if code]
    settled = []
    previous: _Money | None = None
    for a in found:
        follows_count = (a.currency is None and previous is not None and previous.is_count
                         and not any(c in text[previous.end:a.start] for c in ".!?\n"))
        previous = a
        if a.is_count or follows_count:
            continue
        if a.currency is None:
            code = "USD"
            if explicit:
                # Prefer the amount before on a tie: articles state the currency, then drop it.
                _, code = min(explicit, key=lambda e: (abs(e[0] - a.start), e[0] > a.start))
            a = _Money(a.value, code, a.value_max, a.start, a.end)
        settled.append(a)
    return settled


@lru_cache(maxsize=256)
def _figures(text: str, lang: str | None) -> tuple[tuple[Amount, ...], tuple[Percent, ...]]:
    # Cached because the analysis asks for amounts and percents of the same text in turn.
    found = _scan(text, lang)
    amounts: dict[str, Amount] = {}
    for a in _settle_currency(found.amounts, text):
        surface = text[a.start:a.end]
        approx = _is_approx(text, a.start)
        if surface not in amounts:
            amounts[surface] = _new_figure(Amount, value=a.value, currency=a.currency or "", text=surface,
                                           start=a.start, end=a.end, approx=approx, value_max=a.value_max)
        elif approx and not amounts[surface].approx:
            # "$500M raise" in the title, "about $500M" in the summary: the figure is approximate.
            amounts[surface] = replace(amounts[surface], approx=True)
    percents: dict[str, Percent] = {}
    for p in found.percents:
        percents.setdefault(p.text, p)
    return tuple(amounts.values()), tuple(percents.values())


def find_amounts(text: str, lang: str | None = None) -> list[Amount]:
    """Every money amount stated in `text`, in text order, one per distinct surface string."""
    return list(_figures(text, lang)[0])


def find_percents(text: str, lang: str | None = None) -> list[Percent]:
    """Every numeric percentage in `text` ("49 %", "2.9%", "30,6 Prozent"), in text order."""
    return list(_figures(text, lang)[1])
