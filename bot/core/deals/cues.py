"""Deal cues: the verbs and nouns that open a frame (invest, rachète, übernimmt, Series B, IPO...)."""

from __future__ import annotations

import re
from re import _constants as sre_c, _parser as sre_parse

import ahocorasick

from bot.core.textnorm import lower_same_length
from bot.core.deals.casefree import CaseFree


# --------------------------------------------------------------------------------------------
# Vocabulary. Each alternation is language-mixed on purpose: feeds mislabel their language and
# the four vocabularies barely collide, so one pass with all of them is both simpler and safer.
# --------------------------------------------------------------------------------------------

_INVEST_VERB = (
    r"invest(?:s|ed|ing)?|pour(?:s|ed|ing)|put(?:s|ting)?|inject(?:s|ed|ing)?"
    # "un nouvel investissement de 4 milliards de dollars dans Anthropic": the noun frames like the verb
    r"|investment(?!\s+(?:round|firm|fund|bank|arm|vehicle))|investissement|Investition|inversión"
    r"|commit(?:s|ted|ting)?|plough(?:s|ed)?|pump(?:s|ed)?"
    # fr
    r"|investi(?:t|ssent|r|ra|ront|rait|raient|ssait)?|inject(?:e|ent|é|er|era|eront|erait)"
    r"|(?:re)?met(?:tre|tra|tent|tront)?(?=\s+\S+\s+(?:\S+\s+){0,4}(?:dans|en)\b)"
    r"|entr(?:e|er|era|erait|eraient|ent|é|ée)\s+(?:au|dans\s+le)\s+capital"
    r"|plac(?:e|é|er|era|ent)(?=\s+\S+\s+(?:\S+\s+){0,4}(?:dans|en)\b)"
    # de
    r"|investier(?:t|en|te|ten)|steck(?:t|en|te|ten)|pump(?:t|en|te)"
    r"|beteilig(?:t|en|te)\s+sich|steig(?:t|en)\s+(?:\S+\s+){0,4}ein"
    # es
    r"|invert(?:irá|irán|ir|ido|iría|irían)|inviert(?:e|en)|invirti(?:ó|eron|endo)|inyect(?:a|an|ó|ará|ar)"
    r"|entr(?:a|ará|aría|ó)\s+en\s+el\s+capital"
)
_ACQUIRE_VERB = (
    r"acquir(?:e|es|ed|ing)|buy(?:s|ing)?|bought|purchas(?:e|es|ed|ing)|take(?:s)?\s+over|took\s+over"
    r"|tak(?:e|es|ing|en)|took|snap(?:s|ped)?\s+up|swallow(?:s|ed)?"
    r"|prend(?:re|ra|rait|raient)?|pris|nimmt|nehmen|genommen|tom(?:a|ar|ará|aría|ó|ando)"
    r"|pay(?:s|ing)?|paid"
    # fr
    r"|rach[eè]t(?:e|ent|er|é|ée|era|eront|erait|ait)|acqu(?:iert|ièrent|érir|erra|is|ise|errait)"
    r"|ach[eè]t(?:e|ent|er|é|era|ant|erait)|s['’]offr(?:e|ent|ir|ira)|offert"
    r"|met(?:tre|tra)?\s+la\s+main\s+sur|mis\s+la\s+main\s+sur|absorb(?:e|er|é)"
    r"|pa(?:ie|ye|yer|yé|iera)"
    # de
    r"|übernimmt|übernehmen|übernommen|übernahm|kauf(?:t|en|te)|gekauft|erw(?:irbt|erben|arb|orben)"
    r"|schluck(?:t|en)|zahl(?:t|en|te)"
    # es
    r"|adquiri(?:r|rá|ó|do|da|dos|das|ría|endo)|adquier(?:e|en)|compr(?:a|an|ar|ará|ó|ado|ada|aría|ando)|absorbe"
    # a company changing hands: "Statsig pasa a manos de OpenAI", "Graphcore gehört jetzt zu SoftBank"
    r"|pas(?:a|ó|ará|aría)\s+a\s+manos|passe(?:ra|rait)?\s+(?:sous\s+le\s+contrôle|dans\s+le\s+giron|aux\s+mains)"
    r"|geh[öo]rt\s+(?:jetzt\s+|nun\s+|künftig\s+|bald\s+)?zu"
    r"|pag(?:a|ar|ará|ó|ado)|desembols(?:a|ó|ar|ado)"
    # "Salesforce s'empare d'Informatica", "Nvidia se ha hecho con Run:ai"
    r"|s['’]empar(?:e|ent|er|era|erait|é)|se\s+(?:ha\s+|han\s+)?(?:hace|hacen|hizo|hará|haría|hecho)\s+con"
    # talks over a stake frame like taking it: "Meta négocie une participation de 49 % dans Scale AI",
    # "is negotiating a 49% stake in", "verhandelt über eine Beteiligung an", "negocia una participación en"
    r"|(?:negotiat(?:e|es|ed|ing)|n[ée]goci(?:e|ent|er|é|era|erait|eraient|ait)|verhandel(?:t|n|te|ten)"
    r"|negoci(?:a|an|ará|aría|arían|ando|ó))"
    r"(?=\s+(?:\S+\s+){0,3}?(?:stake|participation|Beteiligung|participaci[óo]n)\b(?!\s+sales?\b))"
)
_SELL_VERB = r"sell(?:s|ing)?|sold|c[eè]d(?:e|er|é|era)|vend(?:s|re|u|ra)|verkauf(?:t|en|te)|vend(?:e|en|ió|erá)"
# "G42 gets $1.5 billion from Microsoft", "n8n erhält 180 Mio. Dollar": the subject is funded.
_RECEIVE_VERB = (
    r"receiv(?:e|es|ed|ing)|gets?|got|secur(?:e|es|ed|ing)"
    r"|re[çc]oi(?:t|vent)|re[çc]u|obtien(?:t|nent)|obtenu"
    r"|erh[äa]lt|erhielt|erhalten|bekommt|bekam"
    r"|recib(?:e|en|ió|irá)|obtien(?:e|en)|obtuvo"
)
_ACQ_NOUN = (
    r"(?:acquisition|takeover|purchase|buyout)\s+of"
    r"|(?:rachat|acquisition|achat|reprise)\s+d(?:e|u|es|['’])"
    r"|(?:Übernahme|Kauf|Erwerb)\s+(?:des|der|von|vom)"
    r"|(?:compra|adquisición|absorción)\s+de(?:l)?"
)
_RAISE_VERB = (
    r"rais(?:e|es|ed|ing)|l[eè]v(?:e|ent|er|é|ée|era|eront|ait)|r[ée]uni(?:t|ssent|r|ra)"
    r"|sammel(?:t|n)|sammelte|eingesammelt|einsammeln"
    r"|capt(?:a|an|ó|ará|ar|ando)|recaud(?:a|an|ó|ará|ar|ando)|levant(?:a|ó|ará|ar|ando)"
)
ROUND_NOUN = (
    r"(?:funding|financing|investment|seed|venture)\s+round|round(?:\s+of\s+funding)?|Series\s+[A-K]\b"
    r"|tour\s+de\s+(?:table|financement)|lev[ée]e\s+de\s+fonds|s[ée]rie\s+[A-K]\b|tour\b"
    r"|Finanzierungsrunde|Serie-[A-K]-Runde|Runde\b|ronda(?:\s+de\s+financiación)?|serie\s+[A-K]\b"
    r"|new\s+funding|nouveau\s+financement"
)
_IPO_NOUN = (
    r"IPO|initial\s+public\s+offering|go(?:es|ing)?\s+public|went\s+public|began\s+trading"
    r"|(?:introduction|entr[ée]e)\s+en\s+Bourse|Börsengang|an\s+die\s+Börse|salida\s+a\s+bolsa|OPV"
)

_CUE_RE = CaseFree(
    rf"\b(?:(?P<invest>{_INVEST_VERB})|(?P<acq_noun>{_ACQ_NOUN})|(?P<acquire>{_ACQUIRE_VERB})"
    rf"|(?P<sell>{_SELL_VERB})|(?P<receive>{_RECEIVE_VERB})|(?P<raise>{_RAISE_VERB})|(?P<round>{ROUND_NOUN})|(?P<ipo>{_IPO_NOUN}))\b")


# Where a cue can begin. A cue starts a word, so it is looked for in a view of the lower-cased text
# where every character that cannot be part of a word is a space (apostrophes stay, "s'offre"):
# one Aho-Corasick pass finds the word starts at which one of the literal beginnings of the cue
# pattern occurs ("an die börse", "go public", "invest"), and the pattern is tried only there.
# The beginnings are read off the pattern itself, so no cue can be missed; the view may show a
# few word starts that are not (a letter outside Latin-1 reads as a space), which the exact test
# and the pattern then reject. Plain news has almost no such place (issue 3's throughput: a scan
# of every stem, "an" inside "and" included, cost ~20 us per article).
_MAX_BEGINNINGS = 2000


def _word_view_table() -> bytes:
    table = bytearray(b" " * 256)
    for code in range(256):
        char = chr(code)
        if char.isalnum() or char == "_":  # what `\w` matches in a str pattern
            table[code] = code
    table[ord("'")] = ord("'")
    return bytes(table)


_WORD_VIEW = _word_view_table()


def _lowering_word_view_table() -> bytes:
    """`_WORD_VIEW` of the lowered character: a Latin-1 letter lowers into a Latin-1 letter."""
    table = bytearray(_WORD_VIEW)
    for code in range(256):
        lowered = chr(code).lower()
        if len(lowered) == 1 and ord(lowered) < 256:
            table[code] = _WORD_VIEW[ord(lowered)]
    return bytes(table)


_LOWERING_WORD_VIEW = _lowering_word_view_table()
# The letters outside Latin-1 that lower into it: Ÿ, ẞ, the Kelvin and Ångström signs. Written
# out, since finding them by scanning every code point cost a third of a second at each import
# (every worker process); tests/test_fastpaths_frames.py scans them to check the list.
_LOWER_INTO_LATIN1 = ("\u0178", "\u1e9e", "\u212a", "\u212b")


def _word_view(low: str) -> str:
    """Same-length copy of `low`: Latin-1 word characters kept, "’" as "'", anything else a space."""
    if "’" in low:
        low = low.replace("’", "'")
    return low.encode("latin-1", "replace").translate(_WORD_VIEW).decode("latin-1")


def _word_view_of_text(text: str) -> str:
    """`_word_view(lower_same_length(text))` without lowering the text: the table lowers Latin-1
    letters, and any other character reads as a space in the view either way, unless it lowers
    into Latin-1 (then the text is lowered first). Plain news mostly has no cue, and then is
    never lowered (`str.lower` cost ~30k instructions per 600-character article)."""
    if not text.isascii() and any(c in text for c in _LOWER_INTO_LATIN1):
        return _word_view(lower_same_length(text))
    if "’" in text:
        text = text.replace("’", "'")
    return text.encode("latin-1", "replace").translate(_LOWERING_WORD_VIEW).decode("latin-1")


_SPACE_CLASS = [(sre_c.CATEGORY, sre_c.CATEGORY_SPACE)]


def _beginnings(items: list) -> tuple[set[str], bool]:
    """Strings (in the word view) that every match of the parsed sequence `items` begins with, and
    whether they cover the whole sequence. Look-arounds are skipped (ignoring a condition only lets
    more places through), but for a look-ahead that ends the sequence, "met(?=\\s+...)": what it
    sees is what the text goes on with ("met ", not "meta")."""
    prefixes = {""}
    ended: set[str] = set()  # beginnings that go no further (see "\\s+" below); the others go on
    for k, (op, av) in enumerate(items):
        whole = True
        if op is sre_c.ASSERT and av[0] == 1 and k == len(items) - 1 and prefixes != {""}:
            options, _ = _beginnings(av[1].data)
            whole = False
        elif op in (sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT):
            continue
        elif op is sre_c.LITERAL:
            options = {_word_view(chr(av))}
        elif op is sre_c.IN and av and all(o is sre_c.LITERAL for o, _ in av):
            options = {_word_view(chr(v)) for _, v in av}
        elif op is sre_c.IN and av == _SPACE_CLASS:
            options = {" "}
        elif op is sre_c.SUBPATTERN:
            options, whole = _beginnings(av[-1].data)
        elif op is sre_c.BRANCH:
            branches = [_beginnings(b.data) for b in av[1]]
            options = set().union(*(b[0] for b in branches))
            whole = all(b[1] for b in branches)
        elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT):
            least, most, inner = av
            options, whole = _beginnings(inner.data)
            if least == 1 and most > 1 and whole and options == {" "} and prefixes != {""}:
                # "an\\s+die", "new\\s+funding": one space goes on ("an die"), a longer run ends
                # the beginning ("an  "). Plain news says "an" and "new" often, "an die" rarely.
                ended |= {p + "  " for p in prefixes}
            elif least == 0:
                options = options | {""} if (whole and most == 1) else {""}
                whole = whole and most == 1
            else:
                whole = whole and least == most == 1
        else:
            break
        if len(prefixes) * len(options) + len(ended) > _MAX_BEGINNINGS:
            break
        prefixes = {p + o for p in prefixes for o in options}
        if not whole:
            break
    else:
        return prefixes | ended, not ended
    return prefixes | ended, False


def _cue_automaton() -> ahocorasick.Automaton:
    found, _ = _beginnings(sre_parse.parse(_CUE_RE.pattern).data)
    if any(not p.strip() for p in found):
        raise ValueError("a deal cue may begin with no letter; the cue scan would miss it")
    automaton = ahocorasick.Automaton()
    for prefix in found:
        for before in (" ", "'"):  # what a character before a word start reads as in the view
            automaton.add_word(before + prefix, len(prefix) + 1)
    automaton.make_automaton()
    return automaton


_CUE_BEGINNINGS = _cue_automaton()
_APOSTROPHES = frozenset("'’")


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"  # what `\w` matches in a str pattern


def _word_starts_at(low: str, pos: int) -> bool:
    r"""Whether a word begins at `pos`, words being what `(?:s['’])?\w+` finds scanning left to right:
    a run of word characters, where a lone "s'" before it ("s'offre") belongs to the word."""
    if pos > 0 and _is_word_char(low[pos - 1]):
        return False
    if pos >= 2 and low[pos - 1] in _APOSTROPHES and low[pos - 2] == "s":
        return not _word_starts_at(low, pos - 2)
    return True


def cue_matches(text: str, low: str | None = None) -> list[re.Match]:
    """Deal cues in text order (non-overlapping), found by trying the cue regex only at word starts
    where one of its beginnings occurs. `low` is `lower_same_length(text)` when the caller has it;
    the matches are on it (same offsets as `text`: `match.string` is that lowered text)."""
    view = _word_view(low) if low is not None else _word_view_of_text(text)
    # A hit is the character before the word, then the beginning; the view has one leading space,
    # so the word starts at view offset `end - length + 2`, text offset `end - length + 1`.
    starts = sorted({end - length + 1 for end, length in _CUE_BEGINNINGS.iter(" " + view)})
    if not starts:
        return []
    if low is None:
        low = lower_same_length(text)
    found: list[re.Match] = []
    cue_re = _CUE_RE._re
    last_end = -1
    for start in starts:
        if start < last_end or not _word_starts_at(low, start):
            continue
        m = cue_re.match(low, start)
        if m:
            found.append(m)
            last_end = m.end()
    return found


def has_deal_cue(text: str) -> bool:
    """Cheap test: does any deal verb or noun occur? Without one there is nothing to extract."""
    return bool(cue_matches(text))
