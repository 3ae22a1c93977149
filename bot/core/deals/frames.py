"""The frames: each cue says where the parties and figures of its deal sit in the sentence."""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import Sequence

from bot.core.model import Amount, Percent
from bot.core.deals.casefree import CaseFree, FirstWords, starts_between
from bot.core.deals.cues import ROUND_NOUN
from bot.core.deals.drafts import Draft
from bot.core.deals.money import (
    ALREADY_AFTER, COMMERCIAL_AFTER, COMMERCIAL_WORDS, DEAL_VALUED, NON_DEAL_MONEY, PERCENT_OBJECT, PER_SHARE,
    STAKE_OBJECT, STAKE_WORDS, VALUATION_AFTER, VALUATION_BEFORE, VALUATION_WORDS, holds_any,
)
from bot.core.deals.parties import APPOSITIVE, COREF_RE, PERSON_OF_BEFORE, Party, SOURCE_BEFORE
from bot.core.deals.sentences import Sentence
from bot.core.textnorm import lower_same_length
from bot.core.deals.status import ABANDONED, COMPLETED, CONDITIONAL_CUE, NOT_YET, PLEDGE, RUMOR, TALKS_FAILED

_I = re.IGNORECASE


_LEAD_CUE = CaseFree(
    r"\b(?:(?:co-)?led\s+by|(?:co-?)?(?:men[ée]e?s?|conduite?s?|dirig[ée]e?s?|emmen[ée]e?s?|pilot[ée]e?s?)\s+par"
    # German puts the verb first and the lead last: "Angeführt wurde die Runde von X"
    r"|(?:angeführt|geleitet|geführt)(?:\s+(?:wurde|wird|werden|wurden|sie|die|diese|Runde|Finanzierungsrunde|gemeinsam)){0,4}\s+von"
    r"|unter\s+(?:der\s+)?(?:Führung|Leitung)\s+von"
    r"|(?:co)?(?:liderad[ao]s?|encabezad[ao]s?|dirigid[ao]s?)\s+por)\s+", by_first_words=True)
_LEAD_AFTER_NAME = CaseFree(
    r"^\W{0,3}(?:\s*(?:is|are|has|have|was|were|will|would|is\s+expected\s+to|are\s+expected\s+to)\s+)?"
    r"(?:co-)?(?:led|leads|lead|leading|m[èe]ne|menait|mènera|führt|führte|lider[óa]|encabez[óa])\b"
    r"|^\s+(?:gemeinsam\s+)?(?:angeführt|geleitet)\b")
_FROM_CUE = CaseFree(
    r"\b(?:from|including|such\s+as|alongside|with\s+participation\s+from|joined\s+by|also\s+drew|drew|attracted"
    r"|auprès\s+de|de\s+la\s+part\s+de|avec\s+la\s+participation\s+de|aux\s+côtés\s+de|dont|parmi\s+lesquels|comme"
    r"|darunter|von\s+Investoren\s+wie|unter\s+anderem|neben|con\s+la\s+participación\s+de|junto\s+a|entre\s+ellos)\s+",
    by_first_words=True)
# Who else is in a round, said in a sentence of its own: "Backers include A, B and C",
# "Entre los inversores figuran A y B", "beteiligt waren außerdem A und B".
_INVESTORS_INCLUDE = CaseFree(
    r"\b(?:(?:backers|investors|participants|other\s+investors)\s+(?:include[sd]?|are|were)"
    r"|(?:also\s+drew|drew|attracted|joined\s+by|with\s+participation\s+from|including|such\s+as|alongside)"
    r"|aux\s+côtés\s+d(?:e|['’])(?:\w+\s+comme)?|comme|junto\s+a|wie|con"
    r"|parmi\s+les\s+(?:investisseurs|participants)\s+(?:figurent|on\s+trouve|se\s+trouvent)|(?:les\s+)?investisseurs\s+sont"
    r"|(?:beteiligt|dabei)\s+(?:waren|sind)(?:\s+(?:außerdem|auch|zudem|ebenfalls|unter\s+anderem))?"
    r"|zu\s+den\s+(?:Investoren|Geldgebern|Kapitalgebern)\s+(?:gehören|zählen)|Neu\s+dabei\s+(?:ist|sind)"
    r"|entre\s+los\s+(?:inversores|inversionistas|participantes)\s+(?:figuran|están|se\s+encuentran)"
    r"|en\s+la\s+que\s+(?:también\s+)?(?:han\s+entrado|han\s+participado|participan|entraron|participaron))\s+", by_first_words=True)
_PARTICIPATE_AFTER_NAMES = CaseFree(
    r"^\W{0,3}\s*(?:(?:also|too|as\s+well|all|have|has|had|également|aussi|tous|y|en|ont|auch|ebenfalls|alle|haben|también|todos|han)\s+)*"
    r"(?:participated|participate[sd]?|joined|join|invested|chipped\s+in|provided?|put\s+in|took\s+part|take\s+part|came\s+in|come\s+in"
    r"|backed|back|funded|contributed"
    r"|particip(?:ent|e|é|aient)|particip[ée]|figurent\s+parmi|comptent\s+parmi|se\s+joignent|rejoint|remis\s+au\s+pot|remettent\s+au\s+pot"
    r"|suivi|suivent|accompagn(?:ent|é)"
    r"|beteilig(?:t|en|ten)\s+sich|sind\s+(?:\S+\s+)?dabei|waren\s+(?:\S+\s+)?dabei|stiegen\s+(?:\S+\s+)?ein|steigen\s+(?:\S+\s+)?ein"
    r"|particip(?:aron|an|a)|se\s+sumaron|figuran\s+entre|entraron|respaldaron|acudieron)")
# Between two names of an enumeration: "A, B et C", "A, as well as B", "A sowie B", "A y el fondo
# emiratí B", "A und dem Fonds B" (a short description may introduce the next name).
_LIST_JOINER = re.compile(
    r"\s*(?:,|;)?\s*(?:(?:and|et|und|y|e|o|or|ou|oder|as\s+well\s+as|ainsi\s+que|sowie|así\s+como|&|de|d['’])\s+)*"
    r"(?:de\s+|d['’]|of\s+)?(?:(?:the|its|le|la|l['’]|les|son|sa|der|die|das|dem|den|el|los|la|su)\s+(?:[\w-]+\s+){1,2})?",
    _I,
)
_INVEST_NOUN = CaseFree(r"investment|investissement|investition|inversión")
_NOUN_TO_AMOUNT = re.compile(r"\s+(?:of|de|d['’]|von|in\s+H[öo]he\s+von|por)\s+(?:[\w-]+\s+){0,3}?", re.I)
_GIVER_CUE = CaseFree(r"\b(?:from|de\s+la\s+part\s+de|von|de\s+parte\s+de)\s+")
_GAP_SEPARATOR = CaseFree(r"\s*[,;]?\s*(?:(?:and|et|und|y|e|while|tandis\s+que|w[äa]hrend|mientras\s+que)\s+)?(?:qu['’])?")
_GAP_QUALIFIER = re.compile(r"\s*(?:,\s*)?(?:[\w'’]+\s+){0,4}?", _I)
_GAP_TARGET_PREP = CaseFree(r"\s*(?:[\w'’]+\s+){0,2}?(?:in|into|to|dans|en|bei|à)\s+")
# "the round", "its last funding round", "lors du prochain tour": a round told elsewhere or not yet held
_BREAKDOWN = re.compile(r",\s*(?:dont|including|of\s+which|davon|darunter|de\s+los\s+cuales|de\s+ellos)\b", re.I)
_ROUND_OWNER = re.compile(r"\s+(?:of|von|de|d['’]|del)\s+(?:the\s+)?", re.I)
_ROUND_ANAPHORA = CaseFree(
    r"\b(?:the|this|that|its|their|le|au|du|ce|cette|la|son|sa|leur|die|der|diese[rn]?|seine[rn]?|ihre[rn]?|el|esta|este|dicha?|su)\s+"
    r"(?:(?:next|last|previous|latest|prior|earlier|upcoming|prochaine?|derni(?:er|ère)|précédente?|nächste\w*|letzte\w*|vorherige\w*"
    r"|próxim[ao]|últim[ao]|anterior)\s+)?(?:(?:funding|financing)\s+)?$")
_AS_INVESTOR = CaseFree(r"^\s+as\s+(?:a\s+|an\s+)?(?:new\s+)?(?:strategic\s+|lead\s+)?investor")
_BY_CUE = re.compile(r"^\W*(?:\w+\s+){0,3}?(?:by|par|von|durch|por)\s+$", _I)
_TARGET_PREP = CaseFree(r"(?:in|into|to|dans|en|au\s+capital\s+d|du\s+capital\s+d|bei|an|of|de|d['’]|des|del|von)\W*$")
# "in data-labelling company Scale AI", "dans la start-up française Kyutai"
_TARGET_PREP_DESCRIBED = re.compile(
    r"\b(?:in|into|to|dans|en|bei|an|of|de|d['’]|des|del|von)\s+(?:(?:the|a|an|la|le|l['’]|les|une|un|der|die|das|den|dem|el|los|las|una)\s*)?"
    r"(?:[a-zà-ÿß][\w'’-]*\s+){0,4}$"
)
_GOODS_OBJECT = CaseFree(
    r"[^.;]{0,45}?\b(?:services|capacity|compute|computing|chips|GPUs|puces|servicios|Rechen\w*|electricity|power|back|shares\s+back)\b")
_GOODS_WORDS = ("servic", "capacity", "comput", "chips", "gpus", "puces", "rechen", "electricity", "power", "back")
_PREP_BEFORE = re.compile(r"\b(?:in|into|bei|an|dans|en)\s+(?:[a-zà-ÿß][\w'’-]*\s+){0,3}$")
_PASSIVE_BEFORE = CaseFree(r"\b(?:was|were|is|are|been|being|be|été|sera|seront|est|sont|fue|fueron|será|sido|wurde|wird|werden)\s+(?:\w+\s+)?$")
# The words PERSON_OF_BEFORE ends with, before its spaces.
_AGENT_WORDS = ("by", "par", "por", "von")
_GENITIVE_BEFORE = CaseFree(r"(?:\bd['’]|\bde\s+|\bof\s+|\bvon\s+|\bdel\s+)$")


# Literal patterns of the frames below, compiled once (each call through `re.search(str)` paid a
# cache look-up; flags as they were written there).
_PARENTHESES = re.compile(r"\([^)]*\)")
_LOWERCASE_NAME = re.compile(r"\s+([a-z][\w.-]{0,14})(?=,|\s+(?:for|pour|für|por)\b)")
_WORD_RUN = re.compile(r"\S+")
_PUNCTUATION = re.compile(r"[,;:.]")
_CHANGE_BEFORE = re.compile(r"(?:up|down|rose|fell|grew|hausse|baisse|croissance|plus|gestiegen|Plus|subi[óo]|creci)\W*\w*\W*$", _I)
_CLAUSE_ENDS = re.compile(r"\s*(?:[,.;:]|$)")
_ROUND_PRONOUN = re.compile(r"\b(?:y|it|the\s+(?:round|offering)|(?:au|le|du)\s+tour|(?:der|die)\s+Runde|la\s+ronda)\b", _I)
_ROUND_NOUN_ANYCASE = re.compile(ROUND_NOUN, _I)
_BY_AFTER = re.compile(r"\s*(?:\w+\s+){0,1}(?:by|par|por)\s", _I)
_FOR = re.compile(r"\b(?:for|pour|für|por)\s+", _I)
_BY = re.compile(r"\b(?:by|par|por|von|durch)\s+", _I)
_BY_OR_TO = re.compile(r"\b(?:by|par|por|von|durch|de|zu|à)\s+", _I)
_BY_BUYER = re.compile(r"\s*,?\s*(?:\w+\s+)?(?:by|par|durch|por)\s+(?:(?:the|le|la|l['’]|el|los)\s+)?", _I)
_TO = re.compile(r"\b(?:to|à|an|a)\s+", _I)
_ROUND_EVIDENCE = re.compile(r"\d|led|men|round\s+of", _I)
_IN_AFTER = re.compile(r"\s*(?:\w+\s+){0,2}(?:in|dans|en|bei)\s+", _I)
_LEADS = re.compile(r"\bleads?\b|\bm[eè]ne\b|\bführt\b|\blidera\b", _I)
_OF = re.compile(r"\s*(?:of|de|d['’]|von|des)\s*", _I)
_PROCEEDS = re.compile(r"rais|lev|recaud|capt|sammel|proceeds|produit", _I)
_PRICE_WORDS = re.compile(
    r"price|prix|montant|Kaufpreis|Preis|precio|importe|valu|valoris|[ée]valu|bewert|wert\b|worth|estim|co[ûu]t|kost|deal|terms|Summe", _I)
# "49 Prozent an", "eine Beteiligung an", "Anteile an": what is bought is a share of the next name
_SHARE_OF_BEFORE = re.compile(r"(?:%|Prozent|Beteiligung|Anteile?|Aktien)\s+an\s+$", _I)
# "a 4% stake in Mistral AI worth about €500 million": what the stake is worth is its price
_STAKE_WORTH = re.compile(r"\b(?:stake|shares)\b[^.;,]{0,40}\bworth\W+(?:\w+\s+)?$", _I)
_AT_GAP = re.compile(r"\s+(?:at|à|auf|mit|en|bei)\s+(?:\w+\s+){0,2}", _I)


# The vocabularies the frames ask about many windows of one article (every cue, clause and
# sentence): where each may begin is found for the whole article in one pass (`FirstWords`),
# then a window holding no such place is answered without scanning it.
# "the company", "la start-up" before a cue (COREF_RE): scanning every character of the clause
# for it cost ~30k instructions per clause.
_WINDOW_SEARCHES = (TALKS_FAILED, ABANDONED, RUMOR, COMPLETED, NON_DEAL_MONEY, _LEAD_CUE, _FROM_CUE, _INVESTORS_INCLUDE, COREF_RE)
_WINDOW_FIRST_WORDS = FirstWords(_WINDOW_SEARCHES)
# What comes before the space in the first words of NON_DEAL_MONEY that go on through one ("pay
# package", "market cap"): "pay", "market"...
_NON_DEAL_HEADS = tuple(sorted({w[:i] for w in NON_DEAL_MONEY.first_words for i, c in enumerate(w) if c.isspace()}))


def non_deal_money_near(low: str, starts: list[int], before_lo: int, start: int, end: int, after_hi: int) -> bool:
    """`NON_DEAL_MONEY` in the words before and after an amount joined by a space, that is in
    `low[before_lo:start] + " " + low[end:after_hi]`; `starts` are where its first words begin in
    `low`. A first word in the joined words lies in `low` as well, unless it runs on through the
    joining space: only then, or with one in reach, is the search made (-60k instructions per
    deal article)."""
    before = low[before_lo:start]
    if not starts_between(starts, before_lo, after_hi) and not before.endswith(_NON_DEAL_HEADS):
        return False
    return NON_DEAL_MONEY.search_low(before + " " + low[end:after_hi]) is not None


_TAKE_WORDS = ("tak", "took", "prend", "pris", "nimmt", "nehm", "genomm", "tom")
_PAY_WORDS = ("pay", "paid", "pai", "pag", "desembols", "zahl")


def stake_object(low: str, lo: int, hi: int) -> bool:
    """`STAKE_OBJECT.match_low(low[lo:hi])`: what the verb takes or buys is a stake or shares."""
    return holds_any(low, STAKE_WORDS, lo, hi) and STAKE_OBJECT.match_low(low[lo:hi]) is not None


def acquire_cue_may_yield(text: str, low: str, cue: re.Match, sentence: tuple[int, int], any_percent: bool) -> bool:
    """False when `Extractor._acquire` gives no deal for this cue whoever the parties are: a "take"
    that takes no stake, or a "pay" with no "for" after it, no stake and no passive before it
    ("Early testers at Vixa Pay said..."). Asked before the parties are looked for, so an
    article whose only cues are such words costs no more than one without a cue.

    A necessary condition of `_acquire`, kept in step with it: where `_acquire` looks up to the
    next cue, this looks to the end of the sentence (a cue begins a word, so no match found before
    the next cue is lost by looking further), and any percentage of the text counts."""
    if cue.lastgroup != "acquire":
        return True
    word = cue.group().lower()
    is_take = word.startswith(_TAKE_WORDS)
    if not is_take and not word.startswith(_PAY_WORDS):
        return True
    start, end = sentence
    if any_percent or stake_object(low, cue.end(), end) or PERCENT_OBJECT.match(text[cue.end():end]):
        return True  # stake-like
    if is_take:
        return False
    if _FOR.search(text[cue.end():end]):
        return True
    return not word.endswith(("ing", "ando", "endo")) and _PASSIVE_BEFORE.search_low(
        low, max(start, cue.start() - 30), cue.start()) is not None


class Extractor:
    # Every frame reads these many times per article; slots spare each read a dict look-up.
    __slots__ = ("text", "low", "parties", "amounts", "percents", "title_end", "drafts", "title_sentences",
                 "memo", "starts", "lang", "has_clause_cuts")

    def __init__(self, text: str, parties: list[Party], amounts: Sequence[Amount], percents: Sequence[Percent],
                 low: str | None = None):
        self.text = text
        # The text lowered once (`lower_same_length`, same offsets): every case-free pattern below
        # runs on it or on its slices through the `*_low` calls, instead of lowering again per call.
        self.low = lower_same_length(text) if low is None else low
        self.parties = parties
        self.amounts = sorted(amounts, key=lambda a: a.start)
        self.percents = sorted(percents, key=lambda p: p.start)
        self.title_end = text.find("\n") if "\n" in text else -1
        self.drafts: list[Draft] = []
        self.title_sentences: set[int] = set()
        self.memo: dict[tuple[str, int], bool] = {}  # per-amount judgements, asked once per cue otherwise
        # Where each window vocabulary may begin in this article (see `_WINDOW_SEARCHES`).
        self.starts = dict(zip(_WINDOW_SEARCHES, _WINDOW_FIRST_WORDS.starts(self.low)))
        self.lang: str | None = None
        # Whether the text has anything `_clause_start` cuts a sentence at.
        self.has_clause_cuts = ";" in text or ", while" in text or ", tandis" in text

    # -- per-amount judgements ----------------------------------------------------------------

    def _is_deal_money(self, a: Amount, s: Sentence) -> bool:
        key = ("money", a.start)
        if key not in self.memo:
            self.memo[key] = self._judge_deal_money(a, s)
        return self.memo[key]

    def _judge_deal_money(self, a: Amount, s: Sentence) -> bool:
        """False for per-share prices, tiny sums and money the text ties to revenue, debt, contracts..."""
        if a.value < 100_000:
            return False
        after = self.low[a.end:min(s.end, a.end + 30)]
        if PER_SHARE.match_low(after):
            return False
        if holds_any(self.low, COMMERCIAL_WORDS, a.end, a.end + len(after)) and COMMERCIAL_AFTER.match_low(after):
            return False
        before_lo = max(s.start, a.start - 35)
        return not non_deal_money_near(self.low, self.starts[NON_DEAL_MONEY], before_lo, a.start, a.end, a.end + len(after))

    def _is_valuation(self, a: Amount, s: Sentence) -> bool:
        key = ("valuation", a.start)
        if key not in self.memo:
            self.memo[key] = self._judge_valuation(a, s)
        return self.memo[key]

    def _judge_valuation(self, a: Amount, s: Sentence) -> bool:
        lo = max(s.start, a.start - 60)
        before = self.low[lo:a.start]
        if holds_any(self.low, VALUATION_WORDS, lo, a.start) and VALUATION_BEFORE.search_low(before) and not DEAL_VALUED.search_low(before) and not _STAKE_WORTH.search(self.text[lo:a.start]):
            return True
        return bool(VALUATION_AFTER.match_low(self.low, a.end, min(s.end, a.end + 40)))

    def _is_already(self, a: Amount, s: Sentence) -> bool:
        key = ("already", a.start)
        if key not in self.memo:
            self.memo[key] = ALREADY_AFTER.match_low(self.low[a.end:min(s.end, a.end + 30)]) is not None
        return self.memo[key]

    # -- parties around a cue -----------------------------------------------------------------

    def _appositive_spans(self, lo: int, hi: int) -> list[tuple[int, int]]:
        seg = self.text[lo:hi]
        # Both patterns begin with a character most clauses lack: test for it before scanning.
        spans = [(lo + m.start(), lo + m.end()) for m in _PARENTHESES.finditer(seg)] if "(" in seg else []
        if "," in seg:
            for m in APPOSITIVE.finditer(seg):
                spans.append((lo + m.start(), lo + m.end()))
        return spans

    def _subject(self, s: Sentence, lo: int, cue_start: int) -> Party | None:
        """The nearest name before the cue, skipping appositives and genitives ("X d'Y lève")."""
        skip = self._appositive_spans(lo, cue_start)
        candidates = [
            p
            for p in s.parties
            if lo <= p.start
            and p.end <= cue_start
            and not any(a <= p.start < b for a, b in skip)
            and not self._person_of_before(lo, p.start)
        ]
        candidates += self._corefs(s, lo, cue_start, skip)
        candidates.sort(key=lambda p: p.start)
        if not candidates:
            return None
        best = candidates[-1]
        if len(candidates) >= 2 and _GENITIVE_BEFORE.search_low(self.low, max(0, best.start - 5), best.start):
            # "Safe Superintelligence d'Ilya Sutskever lève": the founder's name qualifies the
            # company; but "Directivos de Apple" is Apple.
            prev = candidates[-2]
            if best.known or not prev.known:
                return best
            gap = self.text[prev.end:best.start]
            if len(gap) <= 30 and "," not in gap:
                best = prev
        return best

    def _person_of_before(self, lo: int, start: int) -> bool:
        """"founded by", "dirigida por" ends right before `start` (within 25 characters after `lo`)."""
        head = self.low[max(lo, start - 25):start]
        words = head.rstrip()
        # the pattern ends with one of these words and the spaces after it: test that first
        if len(words) == len(head) or not words.endswith(_AGENT_WORDS):
            return False
        return PERSON_OF_BEFORE.search_low(self.low, max(lo, start - 25), start) is not None

    def _corefs(self, s: Sentence, lo: int, hi: int, skip: list[tuple[int, int]]) -> list[Party]:
        if not s.topic:
            return []
        out = []
        for m in COREF_RE.finditer_in(self.low, self.starts[COREF_RE], lo, hi):
            if any(a <= m.start() < b for a, b in skip):
                continue
            if any(p.start < m.end() and m.start() < p.end for p in s.parties):
                continue
            out.append(Party(s.topic, m.start(), m.end(), known=True))
        return out

    def _object(self, s: Sentence, cue_end: int, hi: int, prep: bool) -> Party | None:
        """First name after the cue, before `hi`; with `prep`, one introduced by in/dans/of/de..."""
        for p in s.parties:
            if p.start < cue_end or p.start >= hi:
                continue
            gap = self.text[cue_end:p.start]
            if SOURCE_BEFORE.search_low(self.low[cue_end:p.start]):
                continue
            if prep and gap.strip() and not _TARGET_PREP.search_low(self.low[cue_end:p.start]) and not _TARGET_PREP_DESCRIBED.search(gap):
                continue
            if prep and _BREAKDOWN.search(gap):
                return None  # "4 Md€ dans l'IA, dont 2,5 Md€ ... via sa filiale X": a budget split, not a target
            return p
        return None

    def _lowercase_object(self, cue_end: int, hi: int) -> Party | None:
        """Names written in lower case ("rachète io, la start-up de..."): the bare word right after the verb."""
        m = _LOWERCASE_NAME.match(self.text[cue_end:hi])
        if not m or m.group(1) in {"it", "them", "une", "un", "la", "le", "les", "a", "an", "the", "die", "der", "das", "el", "los", "las", "una", "shares", "stock", "actions"}:
            return None
        s = cue_end + m.start(1)
        return Party(m.group(1), s, s + len(m.group(1)), known=False)

    def _party_list_after(self, s: Sentence, pos: int, max_lead_words: int = 3) -> list[Party]:
        """Names enumerated from `pos` on: "A, B et C", "A and B"; a few lowercase words may lead in."""
        out: list[Party] = []
        cursor = pos
        for p in s.parties:
            if p.start < cursor:
                continue
            gap = self.text[cursor:p.start]
            if not out:
                if len(_WORD_RUN.findall(gap)) > max_lead_words or _PUNCTUATION.search(gap):
                    break
            elif not _LIST_JOINER.fullmatch(gap):
                break
            out.append(p)
            cursor = p.end
        return out

    def _party_list_before(self, s: Sentence, pos: int) -> list[Party]:
        out: list[Party] = []
        cursor = pos
        for p in reversed(s.parties):
            if p.end > cursor:
                continue
            gap = self.text[p.end:cursor]
            if out and not _LIST_JOINER.fullmatch(gap) or not out and gap.strip():
                break
            out.append(p)
            cursor = p.start
        return list(reversed(out))

    # -- figures near a cue -------------------------------------------------------------------

    def _deal_amount(self, s: Sentence, lo: int, cue_start: int, cue_end: int, hi: int) -> Amount | None:
        """The first usable amount after the cue (before `hi`), else the last one before it (after
        `lo`). Only amounts in those places are judged: the judgements are pure, so an amount
        elsewhere in the sentence, judged or not, changes nothing here."""
        for a in s.amounts:
            if cue_end <= a.start < hi and self._is_deal_price(a, s):
                return a
        for a in reversed(s.amounts):
            if lo <= a.start and a.end <= cue_start and self._is_deal_price(a, s):
                return a
        return None

    def _is_deal_price(self, a: Amount, s: Sentence) -> bool:
        return self._is_deal_money(a, s) and not self._is_valuation(a, s) and not self._is_already(a, s)

    def _valuation(self, s: Sentence, lo: int, hi: int) -> Amount | None:
        for a in s.amounts:
            if lo <= a.start < hi and self._is_valuation(a, s) and a.value >= 100_000:
                return a
        return None

    def _stake(self, s: Sentence, lo: int, hi: int) -> float | None:
        for p in s.percents:
            if lo <= p.start < hi:
                before = self.text[max(s.start, p.start - 20):p.start]
                if _CHANGE_BEFORE.search(before):
                    continue
                return p.value
        return None

    def _non_deal_money_between(self, lo: int, hi: int) -> bool:
        """Whether words between a cue and its amount say the money is revenue, debt, a fine..."""
        return NON_DEAL_MONEY.search_slice(self.low, self.starts[NON_DEAL_MONEY], lo, hi) is not None

    def _status(self, s: Sentence, lo: int, hi: int) -> str:
        # Whether the sentence reports hearsay is asked for each of its cues; it is answered once.
        key = ("rumor", s.start)
        if key not in self.memo:
            self.memo[key] = RUMOR.search_slice(self.low, self.starts[RUMOR], s.start, s.end) is not None
        if self.memo[key]:
            return "rumored"
        if COMPLETED.search_slice(self.low, self.starts[COMPLETED], lo, hi) and not NOT_YET.search_low(self.low[lo:hi]):
            return "completed"
        return "announced"

    # -- frames ---------------------------------------------------------------------------------

    def run(self, sentences: list[Sentence], all_cues: list[re.Match]) -> list[Draft]:
        # A match inside one sentence is a match in the whole text (the pattern looks at nothing
        # around it), so one search over the text spares one per sentence in most articles.
        talks_may_fail = TALKS_FAILED.search_in(self.low, self.starts[TALKS_FAILED]) is not None
        cue_starts = [c.start() for c in all_cues]  # in text order
        for s in sentences:
            cues = all_cues[bisect_left(cue_starts, s.start):bisect_left(cue_starts, s.end)]
            for i, cue in enumerate(cues):
                lo = cues[i - 1].end() if i else s.start
                hi = cues[i + 1].start() if i + 1 < len(cues) else s.end
                clause_lo = self._clause_start(s, cue.start())
                if ABANDONED.search_slice(self.low, self.starts[ABANDONED], clause_lo, min(s.end, cue.end() + 80)):
                    continue
                kind = cue.lastgroup
                emitted = len(self.drafts)
                if kind == "invest":
                    self._invest(s, cue, lo, hi)
                elif kind == "acquire":
                    self._acquire(s, cue, lo, hi)
                elif kind == "acq_noun":
                    self._acq_noun(s, cue, lo, hi)
                elif kind == "sell":
                    self._sell(s, cue, lo, hi)
                elif kind == "receive":
                    self._receive(s, cue, lo, hi)
                elif kind in ("raise", "round"):
                    self._round(s, cue, lo, hi, strong=(kind == "raise"))
                elif kind == "ipo":
                    self._ipo(s, cue, lo, hi)
                if CONDITIONAL_CUE.match(cue.group()):
                    for d in self.drafts[emitted:]:
                        d.status = "rumored"
            self._participants(s)
            if not cues and talks_may_fail and TALKS_FAILED.search_in(self.low, self.starts[TALKS_FAILED], s.start, s.end):
                self.drafts = [d for d in self.drafts if d.status != "rumored"]
        self._carry_over(sentences)
        return self.drafts

    def _clause_start(self, s: Sentence, pos: int) -> int:
        if not self.has_clause_cuts:
            return s.start  # asked ~19 times per deal article, three searches each
        cut = max(self.text.rfind(";", s.start, pos), self.text.rfind(", while", s.start, pos), self.text.rfind(", tandis", s.start, pos))
        return cut + 1 if cut >= 0 else s.start

    def _emit(self, draft: Draft) -> Draft:
        self.drafts.append(draft)
        return draft

    def _recent_target(self, s: Sentence) -> str | None:
        for d in reversed(self.drafts):
            if s.index - d.sentence <= 2 and d.kind in ("funding_round", "ipo", "investment"):
                return d.target
        return None

    def _invest(self, s: Sentence, cue: re.Match, lo: int, hi: int) -> None:
        if PLEDGE.search_low(self.low[max(s.start, cue.start() - 25):cue.start()]):
            return
        if _INVEST_NOUN.fullmatch_low(cue.group()) and not self._noun_frame_ok(s, cue, hi):
            return
        investor = self._subject(s, self._clause_start(s, cue.start()), cue.start())
        verb_last = self.lang == "de" and _CLAUSE_ENDS.match(self.text[cue.end():s.end]) is not None
        target = None if verb_last else self._object(s, cue.end(), hi, prep=True)
        if target is None and investor is not None and _PREP_BEFORE.search(self.text, max(s.start, investor.start - 40), investor.start):
            # verb last, as German puts it: "Meta soll 10 Mrd. in Scale AI investieren"
            target = investor
            investor = self._subject(s, self._clause_start(s, cue.start()), target.start)
        target_name = target.name if target else None
        if target_name is None and _ROUND_PRONOUN.search(self.text[s.start:s.end]):
            target_name = self._recent_target(s)
        if target_name is None or investor is None or investor.name == target_name:
            return
        amount = self._deal_amount(s, lo, cue.start(), cue.end(), hi)
        if amount is not None and self._non_deal_money_between(cue.end(), amount.start):
            return
        # "...aux 2 milliards déjà engagés" speaks of an earlier tranche, not of this deal's status
        earlier = [a.start for a in s.amounts if cue.end() <= a.start < hi and self._is_already(a, s)]
        status_hi = min(earlier) if earlier else hi
        d = self._emit(
            Draft(
                "investment",
                target_name,
                [investor.name],
                amount=amount,
                stake=self._stake(s, s.start, s.end),
                valuation=self._valuation(s, cue.start(), s.end),
                status=self._status(s, lo, status_hi),
                sentence=s.index,
            )
        )
        self._already_deals(s, d, cue.end(), hi)
        if target is not None:
            self._gapped(s, d, target.end)

    def _noun_frame_ok(self, s: Sentence, cue: re.Match, hi: int) -> bool:
        """"un investissement de 4 milliards de dollars dans Anthropic": the noun frames a deal only
        with its amount right after it ("la société d'investissement de Daniel Ek" is no deal)."""
        nxt = next((a for a in s.amounts if a.start >= cue.end()), None)
        return nxt is not None and _NOUN_TO_AMOUNT.fullmatch(self.text, cue.end(), nxt.start) is not None

    def _receive(self, s: Sentence, cue: re.Match, lo: int, hi: int) -> None:
        """"G42 will receive a $1.5 billion investment from Microsoft": subject funded, giver after
        from/von/de; without a giver it is a round the subject raises."""
        target = self._subject(s, self._clause_start(s, cue.start()), cue.start())
        amount = self._deal_amount(s, lo, cue.start(), cue.end(), hi)
        if target is None or amount is None or amount.start < cue.end():
            return
        if self._non_deal_money_between(cue.end(), amount.start) or COMMERCIAL_AFTER.match_low(self.low, amount.end):
            return
        giver = _GIVER_CUE.search_low(self.low, amount.end, min(s.end, amount.end + 40))
        investors = self._party_list_after(s, giver.end()) if giver else []
        investors = [p for p in investors if p.name != target.name]
        if not investors and (giver or not _ROUND_NOUN_ANYCASE.search(self.text[s.start:s.end])):
            return  # money from the state ("de la France") or of unknown origin: a grant, not a deal
        kind = "investment" if len(investors) == 1 and not _ROUND_NOUN_ANYCASE.search(self.text[s.start:s.end]) else "funding_round"
        d = self._emit(Draft(kind, target.name, amount=amount, status=self._status(s, lo, hi), sentence=s.index,
                              valuation=self._valuation(s, cue.start(), s.end)))
        for p in investors:
            d.add_investor(p.name)

    def _gapped(self, s: Sentence, d: Draft, pos: int) -> None:
        """Enumerations that leave the verb out: "Microsoft a investi 13 milliards dans OpenAI,
        Amazon 8 milliards dans Anthropic et Google au moins 3 milliards dans Anthropic"."""
        while True:
            investor = next((p for p in s.parties if p.start >= pos), None)
            if investor is None or not _GAP_SEPARATOR.fullmatch_low(self.low[pos:investor.start]):
                return
            amount = next((a for a in s.amounts if a.start >= investor.end), None)
            if amount is None or not _GAP_QUALIFIER.fullmatch(self.text[investor.end:amount.start]):
                return
            target = next((p for p in s.parties if p.start >= amount.end), None)
            if target is None or not _GAP_TARGET_PREP.fullmatch_low(self.low[amount.end:target.start]):
                return
            if investor.name != target.name and self._is_deal_money(amount, s):
                self._emit(Draft(d.kind, target.name, [investor.name], amount=amount, status=d.status, sentence=s.index))
            pos = target.end

    def _already_deals(self, s: Sentence, d: Draft, lo: int, hi: int) -> None:
        """"...qui s'ajoute aux 2 milliards déjà engagés": an earlier tranche is its own, completed deal."""
        for a in s.amounts:
            if lo <= a.start < hi and a is not d.amount and self._is_already(a, s) and self._is_deal_money(a, s):
                self._emit(Draft(d.kind, d.target, list(d.investors), amount=a, status="completed", sentence=s.index))

    def _acquire(self, s: Sentence, cue: re.Match, lo: int, hi: int) -> None:
        word = cue.group().lower()
        after = self.text[cue.end():hi]
        stake_like = bool(stake_object(self.low, cue.end(), hi) or PERCENT_OBJECT.match(after) or (s.percents and any(cue.end() <= p.start < hi for p in s.percents)))
        is_take = word.startswith(_TAKE_WORDS)
        is_pay = word.startswith(_PAY_WORDS)
        if is_take and not stake_like:
            return  # "takes" alone is too common; only "takes a stake / 49 % of" is a deal
        if PLEDGE.search_low(self.low[max(s.start, cue.start() - 25):cue.start()]):
            return
        goods = _GOODS_OBJECT.match_low(self.low[cue.end():hi]) if holds_any(self.low, _GOODS_WORDS, cue.end(), hi) else None
        if not stake_like and goods and not any(cue.end() <= p.start < cue.end() + goods.end() for p in s.parties):
            return  # buying cloud capacity, chips or services is a contract, not a deal
        clause_lo = self._clause_start(s, cue.start())
        investor = self._subject(s, clause_lo, cue.start())
        if investor is None:
            return
        changes_hands = word.startswith(("pas", "geh", "gehö"))
        # "was acquired by X" is passive; "is buying", "is negotiating" are not
        passive = not word.endswith(("ing", "ando", "endo")) and _PASSIVE_BEFORE.search_low(
            self.low, max(s.start, cue.start() - 30), cue.start())
        if changes_hands or passive or _BY_AFTER.match(after) and not is_pay:
            self._passive(s, cue, investor, lo, hi, changes_hands)
            return
        targets: list[Party] = []
        if is_pay:
            m = _FOR.search(after)
            if m and stake_like:
                # "paying $15bn for a 49% stake in Scale AI"
                first = self._object(s, cue.end() + m.end(), hi, prep=True)
                targets = [first] if first else []
            elif m:
                targets = self._party_list_after(s, cue.end() + m.end(), max_lead_words=2)
        elif (low := self._lowercase_object(cue.end(), hi)) is not None and not stake_like:
            targets = [low]
        else:
            first = self._object(s, cue.end(), hi, prep=stake_like)
            if first is not None and not stake_like:
                gap = self.text[cue.end():first.start]
                if len(_WORD_RUN.findall(gap)) > 8:
                    first = None
            if first is not None:
                targets = [first] + [p for p in self._party_list_after(s, first.start) if p is not first][1:]
        if not targets and not is_pay and self.lang == "de":
            # verb last ("Nvidia hat Run:ai übernommen"): the object sits between subject and verb
            earlier = self._subject(s, clause_lo, investor.start)
            between = self.text[investor.end:cue.start()]
            if earlier is not None and "," not in between:
                before = max(s.start, investor.start - 40)
                if not _PREP_BEFORE.search(self.text, before, investor.start):
                    targets, investor = [investor], earlier
                elif _SHARE_OF_BEFORE.search(self.text, before, investor.start):
                    # "Meta soll 49 Prozent an Scale AI übernehmen": a share of the name before the verb
                    targets, investor, stake_like = [investor], earlier, True
        if not targets and stake_like:
            recent = self._recent_target(s)
            if recent:
                targets = [Party(recent, hi, hi, True)]
        kind = "investment" if stake_like else "acquisition"
        amount = self._deal_amount(s, lo, cue.start(), cue.end(), hi)
        if amount is None and kind == "acquisition":
            amount = self._deal_valued_amount(s, cue.end(), s.end)
        for t in targets:
            if t.name == investor.name:
                continue
            self._emit(
                Draft(
                    kind,
                    t.name,
                    [investor.name],
                    amount=amount if len(targets) == 1 else None,
                    stake=self._stake(s, s.start, s.end) if kind == "investment" else None,
                    valuation=self._valuation(s, cue.start(), s.end) if kind == "investment" else None,
                    status=self._status(s, lo, hi),
                    sentence=s.index,
                )
            )

    def _passive(self, s: Sentence, cue: re.Match, target: Party, lo: int, hi: int, changes_hands: bool = False) -> None:
        """"Quantix was acquired by Nvidia", "Run:ai wurde von Nvidia übernommen", "pasa a manos de X"."""
        by_cue = _BY_OR_TO if changes_hands else _BY
        by = by_cue.search(self.text[target.end:hi])
        if by is None:
            return
        buyer = self._object(s, target.end + by.end(), hi, prep=False)
        if buyer is None or buyer.name == target.name or buyer.start - (target.end + by.end()) > 30:
            return
        self._emit(
            Draft(
                "acquisition",
                target.name,
                [buyer.name],
                amount=self._deal_amount(s, lo, cue.start(), cue.end(), hi) or self._deal_valued_amount(s, cue.end(), s.end),
                status=self._status(s, lo, hi),
                sentence=s.index,
            )
        )

    def _deal_valued_amount(self, s: Sentence, lo: int, hi: int) -> Amount | None:
        """For a purchase, "une opération valorisée à 8 milliards" states the price."""
        for a in s.amounts:
            if lo <= a.start < hi and self._is_deal_money(a, s) and not self._is_already(a, s):
                return a
        return None

    def _acq_noun(self, s: Sentence, cue: re.Match, lo: int, hi: int) -> None:
        after = self.text[cue.end():hi]
        if PERCENT_OBJECT.match(after) or stake_object(self.low, cue.end(), hi):
            # "l'acquisition de 49 % de Scale AI": a stake, so an investment
            self._acquire(s, cue, lo, hi)
            return
        targets = self._party_list_after(s, cue.end(), max_lead_words=4)
        if not targets:
            return
        after_targets = self.text[targets[-1].end:hi]
        # "the purchase of X by Y"; in Spanish "por" also gives the price ("compra de X por 14.000
        # millones"), so the buyer must follow it at once.
        by = _BY_BUYER.match(after_targets)
        acquirer = None
        if by:
            acquirer = self._object(s, targets[-1].end + by.end(), targets[-1].end + by.end() + 1, prep=False)
        if acquirer is None:
            acquirer = self._subject(s, self._clause_start(s, cue.start()), cue.start())
        if acquirer is None:
            return
        amount = self._deal_amount(s, lo, cue.start(), cue.end(), hi) or self._deal_valued_amount(s, cue.end(), s.end)
        for t in targets:
            if t.name != acquirer.name:
                self._emit(
                    Draft(
                        "acquisition",
                        t.name,
                        [acquirer.name],
                        amount=amount if len(targets) == 1 else None,
                        status=self._status(s, lo, hi),
                        sentence=s.index,
                    )
                )

    def _sell(self, s: Sentence, cue: re.Match, lo: int, hi: int) -> None:
        """A sale is a deal only when the buyer is named: "X sells Y to Z" is Z acquiring Y."""
        after = self.text[cue.end():hi]
        m = _TO.search(after)
        if not m:
            return
        buyer = self._object(s, cue.end() + m.end(), hi, prep=False)
        target = self._object(s, cue.end(), cue.end() + m.start(), prep=False)
        if buyer is None or target is None or buyer.start - (cue.end() + m.end()) > 30:
            return
        if stake_object(self.low, cue.end(), hi):
            return  # selling a stake to someone: a divestment as far as the ledger goes
        self._emit(
            Draft(
                "acquisition",
                target.name,
                [buyer.name],
                amount=self._deal_amount(s, lo, cue.start(), cue.end(), hi),
                status=self._status(s, lo, hi),
                sentence=s.index,
            )
        )

    def _round(self, s: Sentence, cue: re.Match, lo: int, hi: int, strong: bool) -> None:
        if not strong and cue.group().lower().startswith(("tour", "runde", "round")) and not _ROUND_EVIDENCE.search(self.text[max(s.start, cue.start() - 40):min(s.end, cue.end() + 30)]):
            # bare "round"/"tour" ("tour de France", "another round of talks") needs money or a lead nearby
            return
        owner = _ROUND_OWNER.match(self.text, cue.end(), hi)
        funded = self._object(s, owner.end(), owner.end() + 1, prep=False) if owner else None
        if funded is not None:
            # "SoftBank hat die Finanzierungsrunde von OpenAI abgeschlossen": the round is OpenAI's,
            # the subject takes part in it.
            backer = self._subject(s, self._clause_start(s, cue.start()), cue.start())
            d = self._emit(Draft("funding_round", funded.name, sentence=s.index, status=self._status(s, lo, hi)))
            if backer is not None:
                d.add_investor(backer.name)
            amount = self._deal_amount(s, lo, cue.start(), cue.end(), hi)
            if amount is not None and not self._non_deal_money_between(cue.end(), amount.start):
                d.amount = amount
            d.valuation = self._valuation(s, lo, s.end)
            return
        if _ROUND_ANAPHORA.search_low(self.low, max(s.start, cue.start() - 12), cue.start()):
            # "the round", "au tour", "la ronda": a round already told; follow-ups add its investors
            return
        subject = self._subject(s, self._clause_start(s, cue.start()), cue.start())
        existing = next((d for d in self.drafts if d.sentence == s.index and d.kind == "funding_round"), None)
        if subject is None and existing is None:
            return
        if existing is not None and (subject is None or subject.name == existing.target):
            d = existing
        else:
            assert subject is not None
            # "X leads a round in Y" - the subject is then the lead, the target follows "in".
            if _IN_AFTER.match(self.text[cue.end():hi]) and _LEADS.search(self.text[subject.end:cue.start()]):
                target = self._object(s, cue.end(), hi, prep=True)
                if target is None:
                    return
                d = self._emit(Draft("funding_round", target.name, sentence=s.index))
                d.add_investor(subject.name, lead=True)
            else:
                d = self._emit(Draft("funding_round", subject.name, sentence=s.index))
            d.status = self._status(s, lo, hi)
        if d.amount is None:
            amount = self._deal_amount(s, lo, cue.start(), cue.end(), hi)
            if amount is not None and not self._non_deal_money_between(cue.end(), amount.start):
                d.amount = amount
        if d.valuation is None:
            d.valuation = self._valuation(s, lo, s.end)
        for m in _LEAD_CUE.finditer_in(self.low, self.starts[_LEAD_CUE], cue.start(), s.end):
            for p in self._party_list_after(s, m.end()):
                d.add_investor(p.name, lead=True)
        for cue_re in (_FROM_CUE, _INVESTORS_INCLUDE):
            for m in cue_re.finditer_in(self.low, self.starts[cue_re], cue.start(), s.end):
                for p in self._party_list_after(s, m.end()):
                    d.add_investor(p.name)
        if strong and d.amount is None and not s.amounts:
            if not _ROUND_NOUN_ANYCASE.search(self.text[s.start:s.end]):
                self.drafts.remove(d)

    def _ipo(self, s: Sentence, cue: re.Match, lo: int, hi: int) -> None:
        m = _OF.match(self.text[cue.end():hi])
        target = self._object(s, cue.end(), hi, prep=False) if m else None
        if target is None:
            target = self._subject(s, self._clause_start(s, cue.start()), cue.start())
        if target is None:
            return
        in_title = s.index in self.title_sentences
        d = next(
            (d for d in self.drafts if d.kind == "ipo" and d.target == target.name and (d.sentence in self.title_sentences) == in_title),
            None,
        )
        if d is None:
            d = self._emit(Draft("ipo", target.name, sentence=s.index, status=self._status(s, s.start, s.end)))
        if d.amount is None:
            usable = [a for a in s.amounts if self._is_deal_money(a, s) and not self._is_valuation(a, s)]
            sized = [a for a in usable if 0 <= cue.start() - a.end <= 2]  # "a $1.2 billion IPO"
            if sized:
                d.amount = sized[0]
            elif usable and _PROCEEDS.search(self.text[s.start:s.end]):
                d.amount = usable[0]
        if d.valuation is None:
            d.valuation = self._valuation(s, s.start, s.end)

    def _participants(self, s: Sentence) -> None:
        """Follow-up sentences name who else is in the round: "X led the round", "A, B et C participent"."""
        rounds = [d for d in self.drafts if d.kind == "funding_round" and 0 <= s.index - d.sentence <= 2]
        if not rounds:
            return
        d = rounds[-1]
        for p in s.parties:
            tail = self.low[p.end:s.end]
            if _LEAD_AFTER_NAME.match_low(tail):
                for q in self._party_list_before(s, p.end):
                    d.add_investor(q.name, lead=True)
            elif _PARTICIPATE_AFTER_NAMES.match_low(tail):
                for q in self._party_list_before(s, p.end):
                    d.add_investor(q.name)
            elif _AS_INVESTOR.match_low(tail):
                d.add_investor(p.name)
        if s.index != d.sentence:
            for m in _INVESTORS_INCLUDE.finditer_in(self.low, self.starts[_INVESTORS_INCLUDE], s.start, s.end):
                for q in self._party_list_after(s, m.end()):
                    d.add_investor(q.name)
            for m in _LEAD_CUE.finditer_in(self.low, self.starts[_LEAD_CUE], s.start, s.end):
                for q in self._party_list_after(s, m.end()):
                    d.add_investor(q.name, lead=True)

    def _carry_over(self, sentences: list[Sentence]) -> None:
        """A price or valuation stated in the sentence after the deal ("Der Kaufpreis soll bei ... liegen")."""
        by_index = {s.index: s for s in sentences}
        cue_sentences = {d.sentence for d in self.drafts}
        for d in self.drafts:
            nxt = by_index.get(d.sentence + 1)
            if nxt is None or nxt.index in cue_sentences or not nxt.amounts:
                continue
            body = self.text[nxt.start:nxt.end]
            if d.amount is None and d.kind in ("acquisition", "investment"):
                paired = self._amount_paired_with(nxt, d.target)
                if paired is not None:
                    d.amount = paired
                elif _PRICE_WORDS.search(body):
                    usable = [a for a in nxt.amounts if self._is_deal_money(a, nxt)]
                    if usable:
                        d.amount = usable[0]
            elif d.valuation is None and d.kind in ("funding_round", "investment", "ipo"):
                for a in nxt.amounts:
                    if self._is_valuation(a, nxt) and a.value >= 100_000:
                        d.valuation = a
                        break

    def _amount_paired_with(self, s: Sentence, name: str) -> Amount | None:
        """"values xAI at $80 billion and X at $33 billion": the amount right after the target's name."""
        for p in s.parties:
            if p.name != name:
                continue
            for a in s.amounts:
                gap = self.text[p.end:a.start]
                if 0 <= len(gap) <= 25 and _AT_GAP.fullmatch(gap):
                    return a
        return None
