"""Deal cues: the verbs and nouns that open a frame (invest, rachète, übernimmt, Series B, IPO...)."""

from __future__ import annotations

import re

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


# The words every cue begins with (each alternative of _CUE_RE starts with one of these stems).
# The cue regex is tried only where a stem begins a word: one Aho-Corasick pass over the text finds
# those places in C, where looping over every word in Python cost ~190 us per article (issue 3's
# throughput target). Stems are lower case, as the automaton runs on the lower-cased text.
_CUE_STEMS = (
    "invest", "inversi", "receiv", "get", "got", "secur", "reçoi", "recoi", "reçu", "recu", "obtien", "obten",
    "erhä", "erha", "erhi", "bekomm", "bekam", "recib", "obtuv", "pour", "put", "inject", "commit", "plough", "pump", "met", "remet", "entr", "plac",
    "steck", "beteilig", "steig", "invert", "inviert", "invirti", "inyect", "acq", "buy", "bought",
    "purchas", "tak", "took", "snap", "swallow", "prend", "pris", "nimmt", "nehm", "genomm", "tom",
    "pay", "paid", "pai", "rach", "ach", "s'offr", "s’offr", "offert", "mis", "absorb", "übern",
    "kauf", "gekauf", "erw", "schluck", "zahl", "adqui", "compr", "pasa", "pasó", "passe", "gehö", "geho", "pag", "desembols", "sell", "sold",
    "ced", "céd", "cèd", "vend", "verkauf", "rachat", "reprise", "erwerb", "compra", "rais", "lèv", "lev", "lév", "réun", "reun",
    "sammel", "eingesammel", "einsammel", "capt", "recaud", "levant", "funding", "financing", "round",
    "series", "seed", "venture", "tour", "série", "serie", "finanzierungsrunde", "runde", "ronda",
    "new", "nouveau", "ipo", "initial", "go", "went", "began", "introduction", "entrée", "börse", "an",
    "salida", "opv", "investment",
    "negotiat", "négoci", "negoci", "verhandel", "s'empar", "s’empar", "se",
)


def _stem_automaton() -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for stem in _CUE_STEMS:
        automaton.add_word(stem, len(stem))
    automaton.make_automaton()
    return automaton


_STEMS = _stem_automaton()
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


def cue_matches(text: str) -> list[re.Match]:
    """Deal cues in text order (non-overlapping), found by trying the cue regex only at word starts
    where a cue stem begins."""
    low = lower_same_length(text)
    starts = sorted({end - length + 1 for end, length in _STEMS.iter(low)})
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
