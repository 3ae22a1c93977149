"""Who a deal is between: catalog names, capitalised name phrases the catalog lacks, sources to skip."""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache
from itertools import accumulate
from operator import attrgetter
from typing import NamedTuple, Sequence

from bot.core.model import Amount, EntityMatch
from bot.core.deals.casefree import CaseFree
from bot.core.textnorm import lower_same_length

_I = re.IGNORECASE


SOURCE_BEFORE = CaseFree(
    r"(?:according\s+to|selon|d['’]apr[èe]s|laut|según|citing|reported\s+by|cité\s+par)\s+(?:the\s+|le\s+|la\s+|el\s+)?$")
_SOURCE_CUE = CaseFree(r"according|selon|d['’]apr|laut|según|citing|reported\s+by|cité", by_first_words=True)
_SOURCE_AFTER = CaseFree(r"\s+(?:reported|reports|said|says|a\s+rapporté|rapporte|berichtet|berichtete|zufolge|informó|reveló)\b")


# --------------------------------------------------------------------------------------------
# Name phrases that the catalog does not know.
# --------------------------------------------------------------------------------------------

_UP = "A-ZÀ-ÖØ-Þ"
# Capitalised words, "xAI"-like words, and lower-case names with digits inside ("n8n", "a16z").
_NAME_TOKEN = rf"(?:[{_UP}][\w:’'&.+-]*|[a-z]{{1,3}}[{_UP}][\w-]*|[a-z]{{1,4}}\d{{1,3}}[a-z]{{1,4}}\b|[{_UP}])"
# Tokens join over spaces only, never over a line break (the title ends there) nor after a full
# stop that ends a sentence ("eBay Ventures. L'opération" is two things).
# French elides "de"/"le" before a vowel: "s'empare d'Informatica", "l'Oréal" start names too.
_NAME_PHRASE_RE = re.compile(rf"(?:(?<![\w'’-])|(?<=\b[dlDL]['’])){_NAME_TOKEN}(?:(?<![a-zà-ÿ]{{2}}\.)[ \u00a0](?:&[ \u00a0])?{_NAME_TOKEN})*")
# Where `_NAME_PHRASE_RE` can match, found in one scan that `re` runs in C (it skips ahead over
# characters outside the leading class): a capital, or an "anchor" - a capital or digit right
# after a lower-case letter, the first such character of a lower-case-first name ("xAI", "eBay",
# "n8n", "a16z"). At a capital that begins a phrase this matches the whole phrase, exactly as
# `_NAME_PHRASE_RE` does there; at an anchor it matches that one character, and the phrase (if
# any) begins 1-4 letters back. The leading class takes every character from U+0660 up as well,
# because `\d` also matches other scripts' digits from there on; a plain `\d` in the class cost
# ~25k instructions per article (a Unicode lookup for every letter). This scan replaced one that
# began at every non-word character: -130k instructions per deal article.
_NAME_SCAN = re.compile(
    rf"[{_UP}0-9\u0660-\U0010FFFF](?:(?<=[a-z][{_UP}\d])"
    rf"|(?<=[{_UP}])(?:(?<![\w'’-].)|(?<=\b[dlDL]['’].))[\w:’'&.+-]*"
    rf"(?:(?<![a-zà-ÿ]{{2}}\.)[ \u00a0](?:&[ \u00a0])?{_NAME_TOKEN})*)"
)


def _name_phrases(text: str) -> list[tuple[str, int, int]]:
    """(phrase, start, end) of `_NAME_PHRASE_RE.finditer(text)`.

    Every match of the phrase pattern begins at a capital that `_NAME_SCAN` matches as the whole
    phrase, or 1-4 lower-case letters before an anchor that it matches. A phrase found from an
    anchor may reach over later scan matches; those are inside it and are skipped, as finditer
    skips whatever its last match covered."""
    found = []
    resume = 0  # where the last phrase found ends
    for m in _NAME_SCAN.finditer(text):
        at, end = m.span()
        if at < resume:
            continue
        if end - at == 1 and at and "a" <= text[at - 1] <= "z":
            # an anchor: the phrase can begin only where its run of lower-case letters begins
            begin = at - 1
            while begin > max(0, at - 4) and "a" <= text[begin - 1] <= "z":
                begin -= 1
            m = _NAME_PHRASE_RE.match(text, begin) if begin >= resume else None
            if m is None:
                continue
            at, end = m.span()
        found.append((m.group(), at, end))
        resume = end
    return found


_STOP_TOKENS = frozenset(
    """The A An This That These Those Its It In On At For With After Before As But And Or While Since
    According Under Over Into From By Of To Despite Although Because When Where What Who Why How Not No
    Chief Big Tech Group Start-up Startup Start-ups Neu Ende Anfang Mitte
    Le La Les L Un Une Des Du De Cette Ce Cet Ces Son Sa Ses Leur Leurs Selon Avec Pour Dans En Après Outre
    Alors Il Elle Ils Elles On Lors Depuis Mais Et Ou Quand Par Sur Aucun Aucune Chez Face Au Aux Dès
    Der Die Das Den Dem Des Ein Eine Einen Einem Einer Laut Nach Mit Im Am Für Bei Von Vom Zum Zur Auch
    Es Er Sie Wir Und Oder Aber Seit Wie
    El Los Las Una Unos Unas Según Con Tras Para Su Sus Al Del Lo Que Se Ya Pero Desde Sin Y
    January February March April May June July August September October November December
    Janvier Février Mars Avril Mai Juin Juillet Août Septembre Octobre Novembre Décembre
    Januar Februar März Juni Juli Oktober Dezember Enero Febrero Marzo Abril Mayo Junio Julio Agosto
    Septiembre Octubre Noviembre Diciembre
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday Lundi Mardi Mercredi Jeudi Vendredi
    Montag Dienstag Mittwoch Donnerstag Freitag Lunes Martes Miércoles Jueves Viernes
    Israeli French German British American Chinese Japanese Korean Indian Swiss Dutch Swedish Spanish
    Italian Canadian European Finnish Danish Norwegian Irish Brazilian Australian Taiwanese Saudi Emirati
    Californian Parisian Français Française Allemand Américain Américaine Britannique Chinois Israélien
    CEO CFO COO CTO PDG AI IA KI GPU GPUs IPO OPV Series Série Serie Nasdaq NYSE Bourse Börse Bolsa
    US U.S UK EU USA Mr Mrs Ms Dr Md Mds Mrd Mio Mrd. Milliarden Millionen Millones""".split()
)
# German compounds are capitalised nouns, not names: "KI-Infrastruktur", "Workflow-Plattform",
# "US-Simulationssoftware-Anbieter" (a name's hyphenated part is short or capitalised mid-word).
_GERMAN_COMPOUND_NOUN = re.compile(r"-[A-ZÄÖÜ][a-zäöüß]{4,}$")
# Places and stock exchanges written like names; only a phrase that is wholly one is dropped, so
# "Qatar Investment Authority" stays a party.
_PLACES = frozenset(
    """Europe Europa Europas Germany Deutschland Allemagne Alemania France Frankreich Francia Spain Spanien
    Espagne España Italy Italien Italie Italia Britain Großbritannien Grande-Bretagne China Chine Japan Japon
    Japón India Inde Indien Israel Israël Brazil Brasil Brésil Brasilien Canada Kanada Korea Corée Corea Taiwan
    Singapore Singapur Switzerland Schweiz Suisse Suiza Sweden Schweden Suède Suecia Netherlands Niederlande
    Amsterdam Paris London Londres Berlin Munich München Múnich Cologne Köln Frankfurt Hamburg Bristol Cambridge
    Oxford Madrid Barcelona Lisbon Lisboa Stockholm Zurich Zürich Tokyo Tokio Beijing Pékin Peking Shanghai
    Seattle Memphis Austin Boston Toronto Montreal Bangalore Bengaluru Marseille Lyon Redmond Cupertino
    Walldorf Freiburg Heidelberg Stuttgart Düsseldorf Leipzig Dresden Darmstadt Karlsruhe Potsdam Manaus Aragón Aragon Bavaria Bayern Bavière California Kalifornien Californie""".split()
) | {"Silicon Valley", "Abu Dhabi", "San Francisco", "New York", "Estados Unidos", "États-Unis", "Vereinigte Staaten",
     "United States", "Hong Kong", "Tel Aviv", "Wall Street", "Nueva York", "Nouvelle-York"}


def _is_place_adjective(word: str) -> bool:
    return word.endswith("er") and (word[:-2] in _PLACES or word == "Münchner")


def _after_place_adjective(before: str) -> bool:
    """"den Berliner Anbieter": a capitalised word after a city adjective is a noun."""
    words = before.split()
    return bool(words) and before[-1:].isspace() and _is_place_adjective(words[-1])


_EXCHANGE = re.compile(r"(?:Stock\s+Exchange|^(?:Nasdaq|NYSE|Euronext|Xetra|LSE))$")
_ROUND_WORDS = frozenset({"Series", "Série", "Serie", "Seed"})
# An article or a lower-case (adjective) ending before a capitalised word makes it a noun; a
# capitalised noun before it makes it an apposition ("der Anbieter Altair Engineering") - a name.
_GERMAN_ARTICLE_BEFORE = re.compile(
    r"(?:\b(?i:der|die|das|des|dem|den|ein|eine|einer|eines|einem|einen|im|am|zum|zur|vom|beim|ins|kein\w*|sein\w*|ihr\w*)"
    r"|(?<![\w-])[a-zäöüß][a-zäöüß-]*(?:en|er|es|em|e))\s+$"
)
_GERMAN_NOUN_SUFFIX = re.compile(r"(?:ung|heit|keit|schaft|tion|tät|sparte|geschäft|runde|konzern|unternehmen|ismus)$", _I)
# Tried only where its first words occur ("the ", "la "...): the frames ask it about every clause.
COREF_RE = CaseFree(
    r"\b(?:the|la|le|l['’]|der|die|das|el)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:company|startup|start-up|firm|group|lab|provider|maker|developer|chipmaker|giant|business"
    r"|soci[ée]t[ée]|entreprise|groupe|jeune\s+pousse|Unternehmen|Konzern|Firma|Start-up"
    r"|empresa|compañía|grupo)\b", by_first_words=True)


# ", which ...,", ", fondée par d'anciens chercheurs de Google DeepMind,", ", bekannt für ...,":
# a comma-enclosed description of the name before it; names inside it are not the subject.
APPOSITIVE = re.compile(
    r",\s+(?:a|an|the|which|who|whose|already|un|une|la|le|l['’]|qui|dont|de\s+son\s+côté|der|die|das|ein|eine|el|una|que|its|sa|son"
    r"|(?:co-?)?founded|based|known|backed|owned|created|headquartered|formerly|best\s+known"
    r"|(?:co-?)?fond[ée]e?s?|bas[ée]e?s?|connue?s?|soutenue?s?|cr[ée]{2}e?s?|d[ée]tenue?s?|sp[ée]cialis[ée]e?s?|issue?s?"
    r"|gegründet|bekannt|ansässig|spezialisiert|früher"
    r"|(?:co)?fundad[ao]s?|conocid[ao]s?|cread[ao]s?|respaldad[ao]s?|especializad[ao]s?|con\s+sede)\b[^,]*,",
    _I,
)
# "La empresa dirigida por Sam Altman", "the lab founded by X": X qualifies the subject, is not it.
PERSON_OF_BEFORE = CaseFree(
    r"(?:founded|co-founded|run|headed|owned|created|chaired|dirig[ée]e?|fond[ée]e?|cofond[ée]e?|cr[ée]{2}e?"
    r"|dirigid[ao]|fundad[ao]|cofundad[ao]|presidid[ao]|gegründet|geführt|geleitet)\s+(?:by|par|por|von)\s+$")

class Party(NamedTuple):
    """A name that can be a side of a deal. A named tuple: ~20 are built per deal article, at a
    fifth of a frozen dataclass's cost."""

    name: str
    start: int
    end: int
    known: bool  # the entity matcher named it (canonical), rather than a guessed name phrase


_PHRASE_TOKEN = re.compile(r"\S+(?:\s&\s\S+)?")
_NUMBER_BEFORE = re.compile(r"(?:^|\s)[\d.,]+\s*$")


class _Spans:
    """The matcher's spans, sorted for bisecting: does a span overlap [s, e), does one end or begin
    next to it. Bisecting keeps a long article with many catalog hits from costing names x spans
    comparisons (issue 3's throughput). `_plain_names` asks most of these questions inline."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self._starts = [s for s, _ in ordered]
        ends = [e for _, e in ordered]
        self._max_end = list(accumulate(ends, max))  # highest end among the spans up to here (spans may nest)
        self._sorted_ends = sorted(ends)

    def overlaps(self, s: int, e: int) -> bool:
        """Some span (ts, te) has ts < e and te > s."""
        i = bisect_left(self._starts, e)  # spans [0, i) start before e
        return i > 0 and self._max_end[i - 1] > s


def _any_within(values: list[int], lo: int, hi: int) -> bool:
    i = bisect_left(values, lo)
    return i < len(values) and values[i] <= hi


def _number_before(text: str, s: int) -> bool:
    """"2 Mrd Dollar", "1,5 Md": a capitalised word right after a number is a unit, not a name."""
    before = text[max(0, s - 14):s]
    tail = before.rstrip()
    if not tail or not (tail[-1].isdecimal() or tail[-1] in ".,"):
        return False  # the pattern below needs a digit, point or comma before the spaces
    return _NUMBER_BEFORE.search(before) is not None


def _source_cue_starts(low: str) -> list[int]:
    """Every offset where a source cue word begins ("according", "selon"...), overlaps included.
    Every SOURCE_BEFORE match starts with one, so a name is looked back at only when one begins
    in its 40-character look-back (most articles have none: no look-back at all)."""
    if not any(word in low for word in _SOURCE_WORDS):
        return []  # most articles: a few substring tests instead of the automaton pass
    match = _SOURCE_CUE.match_low
    return sorted(p for p in _SOURCE_CUE.first_word_starts(low) if match(low, p))


# The literal beginning of each _SOURCE_CUE alternative.
_SOURCE_WORDS = ("according", "selon", "d'apr", "d’apr", "laut", "según", "citing", "reported", "cité")


def _source_before(low: str, source_cues: list[int], start: int) -> bool:
    """`SOURCE_BEFORE` ends right before `start` ("according to Reuters", "selon Les Echos")."""
    return (bool(source_cues) and _any_within(source_cues, start - 40, start - 1)
            and SOURCE_BEFORE.search_low(low, max(0, start - 40), start) is not None)


def _plain_names(text: str, taken: list[tuple[int, int]], lang: str | None, low: str,
                 source_cues: list[int] | None = None) -> list[Party]:
    """Capitalised name phrases outside the matcher's spans: "Ampere Computing", "Run:ai", "X"."""
    found: list[Party] = []
    spans = _Spans(taken)
    # The spans' questions asked inline below, not through its methods: ~10 phrases per article
    # ask them, and a Python call costs more than the bisect (-20k instructions per deal article).
    span_starts, max_end, span_ends = spans._starts, spans._max_end, spans._sorted_ends
    if source_cues is None:
        source_cues = _source_cue_starts(low)
    german = lang == "de"
    for phrase, start, end in _name_phrases(text):
        tokens = _phrase_tokens(phrase)
        if tokens is None:
            continue  # most capitalised words are a sentence's first word ("The", "La", "Der")
        # Most phrases are a catalog name the matcher found (no token kept) or lie outside every
        # span (no token to test): one question per phrase instead of one per token.
        # One span overlapping every token: it starts before the first token's end and ends
        # after the last token's start.
        i = bisect_left(span_starts, start + tokens[0][2])
        if i and max_end[i - 1] > start + tokens[-1][1]:
            continue
        i = bisect_left(span_starts, end)
        inside = i and max_end[i - 1] > start  # some span overlaps the phrase
        kept: list[tuple[str, int, int]] = []
        for tok_clean, s, e, stop_word, stop, round_word, capitalised, noun_suffix, german_stop, number_before, at_end in tokens:
            s += start
            e += start
            stop = (
                stop
                or (at_end and text.startswith("-based", e))
                or (inside and spans.overlaps(s, e))
                or (_number_before(text, s) if number_before is None else number_before)
                or (source_cues and _source_before(low, source_cues, s))
            )
            if german and not stop:
                if capitalised:
                    before = text[max(0, s - 30):s]
                    stop = bool(noun_suffix or _GERMAN_ARTICLE_BEFORE.search(before) or _after_place_adjective(before))
                # "Berliner", "Pariser": where a company is from; "KI-Infrastruktur": a noun
                stop = stop or german_stop
            if stop and kept and stop_word and _FUND_SUFFIX.match(text, e):
                stop = False  # "HP Tech Ventures": the fund's own name goes on
            if round_word:
                kept = []
                break  # "Series J" names a round, not a company
            if stop:
                if kept:
                    break
                continue
            kept.append((tok_clean, s, e))
        if not kept:
            continue
        s, e = kept[0][1], kept[-1][2]
        # A phrase glued to a catalog name ("SoftBank Group", "Google Cloud") belongs to that name:
        # a span ending within one character of s or starting within one of e.
        i = bisect_left(span_ends, s - 1)
        if i < len(span_ends) and span_ends[i] <= s + 1:
            continue
        i = bisect_left(span_starts, e - 1)
        if i < len(span_starts) and span_starts[i] <= e + 1:
            continue
        if _SOURCE_AFTER.match_low(low, e):
            continue
        name = text[s:e]
        if name in _PLACES or _EXCHANGE.search(name):
            continue  # "aus Bristol", "on the New York Stock Exchange": where, not who
        found.append(Party(name, s, e, False))
    funds = _numbered_funds(text)
    if funds:
        for m in funds:
            if not spans.overlaps(m.start(), m.end()):
                found.append(Party(m.group(), m.start(), m.end(), False))
        found.sort(key=_START)  # the phrases come in text order already
    return found


_START = attrgetter("start")

_TokenFacts = tuple[str, int, int, bool, bool, bool, bool, bool, bool, "bool | None", bool]


@lru_cache(maxsize=8192)
def _phrase_tokens(phrase: str) -> tuple[_TokenFacts, ...] | None:
    """What a name phrase's tokens say on their own, wherever the phrase stands: the token without
    trailing dots, apostrophes and "'s", its offsets in the phrase, whether it is a stop word,
    whether it stops a name wherever it stands, whether it names a round, the German tests
    (capitalised noun shape, noun suffix, place adjective or compound noun), whether a number
    stands before it (None for the first token: that depends on the text before the phrase), and
    whether it ends the phrase (only there can "-based" follow it). None for a phrase that is one
    stop word. Names recur from one article to the next, so this is remembered."""
    if phrase in _STOP_TOKENS:
        return None
    facts = []
    for t in _PHRASE_TOKEN.finditer(phrase):
        clean = t.group().rstrip(".’'")
        if clean.endswith(("'s", "’s")):
            clean = clean[:-2]
        stop_word = clean in _STOP_TOKENS
        capitalised = clean[:1].isupper() and clean[1:].islower() and len(clean) > 1
        end = t.start() + len(clean)
        facts.append((
            clean, t.start(), end, stop_word,
            stop_word or not clean or "-based" in clean,
            clean in _ROUND_WORDS,
            capitalised,
            capitalised and _GERMAN_NOUN_SUFFIX.search(clean) is not None,
            _is_place_adjective(clean) or ("-" in clean and _GERMAN_COMPOUND_NOUN.search(clean) is not None),
            # After the first token, the 14 characters `_number_before` reads are the phrase's
            # own, or begin at a letter that starts the previous token (no number can).
            _number_before(phrase, t.start()) if t.start() else None,
            # Anywhere else a space or the trailing dots and "'s" stripped above follow the token.
            end == len(phrase),
        ))
    return tuple(facts)


# Firms whose name starts with a number: "1789 Capital", "500 Global".
_NUMBERED_FUND = re.compile(r"(?<![\w.,])\d{1,4} (?:Capital|Ventures|Partners|Global)\b")
_NUMBERED_FUND_WORDS = (" Capital", " Ventures", " Partners", " Global")


def _numbered_funds(text: str) -> list[re.Match]:
    """`_NUMBERED_FUND.finditer(text)`, tried only 1-4 characters before each fund word: re
    scanning every character for the look-behind cost ~20 us on an article with such a word."""
    found = []
    for word in _NUMBERED_FUND_WORDS:
        at = text.find(word)
        while at != -1:
            # the digits end right before the word, and only where they begin can a match begin
            if at and text[at - 1].isdecimal():  # what `\d` matches
                m = next((m for k in (1, 2, 3, 4) if k <= at and (m := _NUMBERED_FUND.match(text, at - k))), None)
                if m:
                    found.append(m)
            at = text.find(word, at + 1)
    found.sort(key=lambda m: m.start())
    return found


def collect_parties(text: str, entities: Sequence[EntityMatch], lang: str | None, amounts: Sequence[Amount] = (),
                    low: str | None = None) -> list[Party]:
    """Deal parties in text order; `low` is `lower_same_length(text)` when the caller has it."""
    if low is None:
        low = lower_same_length(text)
    source_cues = _source_cue_starts(low)
    known: list[Party] = []
    taken: list[tuple[int, int]] = []
    for m in entities:
        start, end = m.start, m.end
        if (source_cues and _source_before(low, source_cues, start)) or _SOURCE_AFTER.match_low(low, end):
            continue
        fund = _FUND_SUFFIX.match(text, end)
        if fund:
            # "Intel Capital", "Cisco Investments": an investment firm of its own, named as written.
            end = fund.end()
            known.append(Party(text[start:end], start, end, False))
        elif written := _written_name(m.text, m.name):
            known.append(Party(written, start, end, False))
        else:
            # "OpenAI's startup fund", "Amazon's Industrial Innovation Fund": a company's own fund
            # invests for it (corpus convention: corporate arms map to their parent).
            arm = _OWN_FUND.match(text, end)
            if arm:
                end = arm.end()
            known.append(Party(m.name, start, end, True))
        taken.append((start, end))
    plain = _plain_names(text, taken, lang, low, source_cues)
    if amounts:
        money = [(a.start, a.end) for a in amounts]
        plain = [p for p in plain if not any(p.start < e and s < p.end for s, e in money)]
    parties = known + plain
    parties.sort(key=_START)
    return parties


_OWN_FUND = re.compile(r"['’]s\s+(?:[\w-]+\s+){0,3}?(?:fund|venture\s+arm|investment\s+arm|ventures?\s+arm)\b", _I)
_FUND_SUFFIX = re.compile(r"(?: [A-Z][a-z]+)? (?:Capital|Investments|Partners|Ventures|Growth)\b")


def _as_written(m: EntityMatch) -> str | None:
    """Investment firms are named as the text writes them: the catalog may fold "Intel Capital"
    into Intel, or call "Altimeter" "Altimeter Capital", but a deal party keeps the firm's own
    short name (corpus convention). Corporate "Ventures" arms still map to their parent."""
    return _written_name(m.text, m.name)


@lru_cache(maxsize=4096)
def _written_name(text: str, name: str) -> str | None:
    """`_as_written` of a match of `name` written `text`: the same names recur from one article to
    the next, and the answer depends on nothing else (~3k instructions saved per name)."""
    text = text.strip()
    if text == name:
        return None
    if _FUND_WORD.search(text) and not _FUND_WORD.search(name):
        return text
    if name.startswith(text + " ") and _FUND_TAIL.fullmatch(name[len(text) + 1:]):
        return text  # "Lightspeed" for Lightspeed Venture Partners, "Sequoia" for Sequoia Capital
    if _is_acronym_of(text, name):
        return text  # "HPE" as the text writes it, not Hewlett Packard Enterprise
    return None


_FUND_WORD = re.compile(r"\b(?:Capital|Investments|Partners|Management|Growth)$")
_FUND_TAIL = re.compile(r"(?:(?:Venture|Ventures|Capital|Partners|Investments|Management|Group|Global|Growth|Fund|Holdings)\s?)+")


def _is_acronym_of(text: str, name: str) -> bool:
    """"HPE" and Hewlett Packard Enterprise: the written form is the initials of the canonical
    name. Aliases that are other names ("AWS" for Amazon) are not."""
    words = name.split()
    return len(words) >= 2 and text.isupper() and text == "".join(w[0] for w in words).upper()

