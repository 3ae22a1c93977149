"""Deal extraction: who invests in, buys, funds or lists whom, for how much, and how sure the text is.

Pure rules over one text plus what the entity matcher and the figure extractor already found in it.
The text is cut into sentences; each sentence is scanned for deal *cues* (verbs such as
invest/rachète/übernimmt/adquiere, nouns such as "acquisition of", "Series B", "Börsengang").
Every cue opens a *frame* that says where the parties sit:

* ``invest``  - subject invests/injects/commits money *in* an object: investor -> target;
* ``acquire`` - subject buys/takes over an object (a stake or shares as object makes it an
  investment, "pay ... for X" names the target after "for");
* ``acq_noun``- "the acquisition of X" / "le rachat de X" / "die Übernahme von X": X is the target,
  the nearest name before the noun (or after "by") the acquirer;
* ``raise``   - subject raises a round: subject is the target, investors come from "led by",
  "from", and follow-up sentences ("X and Y also participated");
* ``ipo``     - subject lists its shares.

Parties are the matcher's canonical names when it knows them, else capitalised name phrases found
here, or a definite description ("the company", "la start-up") resolved to the sentence topic.
Money that the text ties to revenue, fines, debt, contracts, per-share prices... is never a deal
amount, and clauses that say an offer was rejected or a plan abandoned give no deal.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field, replace
from typing import Sequence, TypeVar

from bot.core.model import Amount, Deal, EntityMatch, Money, Percent

__all__ = ["find_deals", "has_deal_cue"]

_I = re.IGNORECASE


def _lower_same_length(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    # a few letters lower-case into two characters ("İ"); keep those as they are so offsets hold
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


class _CaseFree:
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
        low = _lower_same_length(text)
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
    r"|invert(?:irá|irán|ir|ido|iría|irían)|inviert(?:e|en)|invirti(?:ó|eron)|inyect(?:a|an|ó|ará|ar)"
    r"|entr(?:a|ará|aría|ó)\s+en\s+el\s+capital"
)
_ACQUIRE_VERB = (
    r"acquir(?:e|es|ed|ing)|buy(?:s|ing)?|bought|purchas(?:e|es|ed|ing)|take(?:s)?\s+over|took\s+over"
    r"|tak(?:e|es|ing|en)|took|snap(?:s|ped)?\s+up|swallow(?:s|ed)?"
    r"|prend(?:re|ra|rait|raient)?|pris|nimmt|nehmen|genommen|tom(?:a|ar|ará|aría|ó)"
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
    r"|adquiri(?:r|rá|ó|do|da|dos|das|ría)|adquier(?:e|en)|compr(?:a|an|ar|ará|ó|ado|ada|aría)|absorbe"
    # a company changing hands: "Statsig pasa a manos de OpenAI", "Graphcore gehört jetzt zu SoftBank"
    r"|pas(?:a|ó|ará|aría)\s+a\s+manos|passe(?:ra|rait)?\s+(?:sous\s+le\s+contrôle|dans\s+le\s+giron|aux\s+mains)"
    r"|geh[öo]rt\s+(?:jetzt\s+|nun\s+|künftig\s+|bald\s+)?zu"
    r"|pag(?:a|ar|ará|ó|ado)|desembols(?:a|ó|ar|ado)"
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
_ROUND_NOUN = (
    r"(?:funding|financing|investment|seed|venture)\s+round|round(?:\s+of\s+funding)?|Series\s+[A-K]\b"
    r"|tour\s+de\s+(?:table|financement)|lev[ée]e\s+de\s+fonds|s[ée]rie\s+[A-K]\b|tour\b"
    r"|Finanzierungsrunde|Serie-[A-K]-Runde|Runde\b|ronda(?:\s+de\s+financiación)?|serie\s+[A-K]\b"
    r"|new\s+funding|nouveau\s+financement"
)
_IPO_NOUN = (
    r"IPO|initial\s+public\s+offering|go(?:es|ing)?\s+public|went\s+public|began\s+trading"
    r"|(?:introduction|entr[ée]e)\s+en\s+Bourse|Börsengang|an\s+die\s+Börse|salida\s+a\s+bolsa|OPV"
)

_CUE_RE = _CaseFree(
    rf"\b(?:(?P<invest>{_INVEST_VERB})|(?P<acq_noun>{_ACQ_NOUN})|(?P<acquire>{_ACQUIRE_VERB})"
    rf"|(?P<sell>{_SELL_VERB})|(?P<receive>{_RECEIVE_VERB})|(?P<raise>{_RAISE_VERB})|(?P<round>{_ROUND_NOUN})|(?P<ipo>{_IPO_NOUN}))\b")

# Words that say what an amount is when it is not the price of a deal.
_NON_DEAL_MONEY = _CaseFree(
    r"revenue|\bsales\b|turnover|earnings|profit|\bloss|\bcharge|\bfine[sd]?\b|penalt|settlement|salar|pay\s+package"
    r"|compensation|bonus|capex|capital\s+expenditure|\bdebt|\bloans?\b|credit\s+(?:facility|line)|\bbonds?\b|contract"
    r"|\bgrants?\b|subsid|\bprize|budget|market\s+(?:value|cap)"
    r"|chiffre\s+d['’]affaires|b[ée]n[ée]fice|\bperte|amende|sanction|salaire|r[ée]mun[ée]ration|\bdette|\bpr[êe]ts?\b"
    r"|\bobligations|contrat|d[ée]penses|subvention|capitalisation"
    r"|Umsatz|Gewinn|Verlust|Strafe|Bußgeld|Gehalt|Schulden|Kredit|Anleihe|Vertrag|Auftrag"
    r"|ingresos|facturaci[óo]n|beneficio|p[ée]rdida|\bmulta|sueldo|deuda|pr[ée]stamo|contrato")
# Bought goods and services: only when they follow the amount ("$10bn of cloud services").
_COMMERCIAL_AFTER = _CaseFree(
    r"\W{0,3}(?:\w+\s+){0,2}(?:of\s+|de\s+|d['’]|an\s+|en\s+)?(?:\w+\s+)?"
    r"(?:services|cloud|compute|computing|capacity|chips|GPUs|power|electricity|orders?|servicios|puces|Rechen\w*|Chips)")
_PER_SHARE = _CaseFree(
    r"^\W{0,2}(?:(?:a|per|each|par|l['’]|je|por|pro)\s*(?:share|action|unit[ée]|Aktie|acci[óo]n|titre)\b|cada\s+(?:una|uno|acci[óo]n))")
_VALUATION_BEFORE = _CaseFree(
    r"(?:valu(?:ed|es|e|ing)|valori[sz](?:ée?s?|ant|e|ation)|valoraci[óo]n|valorad[oa]|valora"
    r"|bewert(?:et|ung|e|en)|Bewertung|vaut|valait|worth|valuation)\b[^$€£\d.;]{0,40}$")
_VALUATION_AFTER = _CaseFree(r"\s*(?:post-money\s+|pre-money\s+)?(?:valuation|valorisation|Bewertung|valoraci[óo]n)")
# "a deal valued at", "une opération valorisée à": the value of the deal is its price.
_DEAL_VALUED = _CaseFree(
    r"(?:deal|transaction|op[ée]ration|accord|Deal|Transaktion|operaci[óo]n|acuerdo)\W+(?:\w+\W+){0,2}"
    r"(?:valu|valoris|évalu|bewert|valorad|worth)")
_ALREADY_AFTER = _CaseFree(r"^\W{0,3}(?:\w+\s+){0,1}(?:déjà|already|bereits|schon|ya)\b")

_STAKE_OBJECT = _CaseFree(
    r"^\s*(?:a|an|une|un|la|le|des|les|eine|einen|die|una|un|el|las|los)?\s*(?:[\w%,.\s$€£]{0,25})?"
    r"(?:stake|shares|stock|equity|interest|participation|parts|actions|capital|titres"
    r"|Anteil|Anteile|Aktien|Beteiligung|participaci[óo]n|acciones)\b")
_PERCENT_OBJECT = re.compile(r"^\s*(?:(?:about|around|roughly|environ|près\s+de|rund|etwa|alrededor\s+del?|cerca\s+del?)\s+)?\d", _I)

_RUMOR = _CaseFree(
    r"reportedly|is\s+said\s+to|are\s+said\s+to|said\s+to\s+(?:be|near|weigh|plan|consider)|in\s+(?:advanced\s+|early\s+)?talks"
    r"|in\s+(?:advanced\s+)?discussions|negotiat|consider(?:s|ing)|weigh(?:s|ing)|explor(?:es|ing)|mull"
    r"|plans?\s+to|planning\s+to|according\s+to|people\s+familiar|sources|rumou?r"
    r"|selon|d['’]apr[èe]s|aurai(?:t|ent)|serai(?:t|ent)|pourrai(?:t|ent)|envisag|en\s+discussions?"
    r"|en\s+n[ée]gociations?|n[ée]gocie|projette|rumeur"
    r"|\bsoll(?:en|te|ten)?\b|\blaut\b|Berichten\s+zufolge|erw[äa]g|Gespräche|verhandel|\bplant\b|könnte"
    r"|según|estar[íi]a[n]?|negoci|conversaciones|sopes|baraj|considera|podr[íi]a|planea|posible")
_COMPLETED = _CaseFree(
    r"\b(?:closed|completed|finali[sz]ed|has\s+acquired|have\s+acquired|has\s+invested|have\s+invested"
    r"|has\s+(?:put|injected|poured|committed|bought|taken|purchased)|began\s+trading|since\s+(?:19|20)\d\d"
    r"|already|previously|last\s+year|a\s+year\s+(?:after|ago)|years\s+ago|earlier\s+this\s+year"
    r"|(?<!has\s)(?<!have\s)(?<!had\s)(?<!was\s)(?<!were\s)(?<!be\s)(?<!been\s)\b(?:acquired|bought|invested|raised|purchased|took)"
    r"|a\s+(?:investi|inject[ée]|acquis|rachet[ée]|boucl[ée]|finalis[ée]|achet[ée]|lev[ée]\s+l['’]an)|ont\s+(?:investi|acquis|rachet[ée])"
    r"|boucl[ée]e?s?|finalis[ée]e?s?|d[ée]j[àa]|l['’]an\s+dernier|l['’]ann[ée]e\s+derni[èe]re"
    r"|abgeschlossen|hat\s+(?:\S+\s+){0,8}(?:investiert|übernommen|gekauft|erworben)|übernahm|kaufte|investierte|bereits"
    r"|cerr[óo]|complet[óo]|ha(?:n)?\s+(?:invertido|adquirido|comprado|cerrado|completado|finalizado)|adquiri[óo]|compr[óo]|invirti[óo]|desembols[óo]"
    r"|pag[óo]|\ben\s+(?:19|20)\d\d|\bin\s+(?:19|20)\d\d|\bya\b)")
_NOT_YET = _CaseFree(
    r"expected\s+to\s+(?:close|complete)|subject\s+to|pending|attendue?|sous\s+r[ée]serve|erwartet|vorbehaltlich|pendiente|sujeta")
# A clause that reports an offer turned down or a plan given up describes no deal.
_ABANDONED = _CaseFree(
    r"reject|turn(?:ed|s)?\s+down|abandon|scrap(?:ped|s)?|call(?:ed|s)?\s+off|withdr[ae]w|walk(?:ed|s)?\s+away"
    r"|collaps|blocked|terminat|fell\s+through|originally\s+planned|had\s+planned|drop(?:ped|s)\s+(?:its|the)\s+(?:bid|plan|offer)"
    r"|rejet|refus|renonc|avort|retir[ée]|[ée]chou|initialement\s+pr[ée]vu|avait\s+pr[ée]vu"
    r"|abgelehnt|lehnt\w*\s+ab|gescheitert|abgesagt|zurückgezogen|aufgegeben|geplatzt|ursprünglich\s+geplant|hatte\s+\S*\s*geplant"
    r"|rechaz|abandon|retir[óo]|fracas|cancel|desisti|inicialmente\s+planead"
    r"|f[ae]ll(?:en|s)?\s+apart|pas\s+abouti|no\s+prosper|sin\s+acuerdo|ohne\s+Einigung|ergebnislos")
# A sentence of its own saying the talks went nowhere: "Les pourparlers n'auraient pas abouti."
_TALKS_FAILED = _CaseFree(
    r"(?:talks|discussions|negotiations|pourparlers|discussions|négociations|Gespräche|Verhandlungen|conversaciones|negociaciones)"
    r"\W+(?:\w+\W+){0,3}?(?:failed|collapsed|ended|f[ae]ll(?:en)?\s+apart|went\s+nowhere|n['’]\w+\s+pas\s+abouti|ont\s+échoué"
    r"|auraient\s+échoué|scheiterten|sind\s+gescheitert|gescheitert|fracasaron|no\s+prosperaron|no\s+llegaron)")
_PLEDGE = _CaseFree(r"pledg|vow|promis|s['’]engage\s+à|verspr|zugesagt|se\s+compromet|prometi")
_EXISTING_STAKE = _CaseFree(
    r"\b(?:holds?|held|owns?|retains?|keeps?|d[ée]tient|d[ée]tenait|conserve|poss[èe]de|h[äa]lt|hielt|besitzt|posee|mantiene|conserva)\b")

_LEAD_CUE = _CaseFree(
    r"\b(?:(?:co-)?led\s+by|(?:co-?)?(?:men[ée]e?s?|conduite?s?|dirig[ée]e?s?|emmen[ée]e?s?|pilot[ée]e?s?)\s+par"
    # German puts the verb first and the lead last: "Angeführt wurde die Runde von X"
    r"|(?:angeführt|geleitet|geführt)(?:\s+(?:wurde|wird|werden|wurden|sie|die|diese|Runde|Finanzierungsrunde|gemeinsam)){0,4}\s+von"
    r"|unter\s+(?:der\s+)?(?:Führung|Leitung)\s+von"
    r"|(?:co)?(?:liderad[ao]s?|encabezad[ao]s?|dirigid[ao]s?)\s+por)\s+")
_LEAD_AFTER_NAME = _CaseFree(
    r"^\W{0,3}(?:\s*(?:is|are|has|have|was|were|will|would|is\s+expected\s+to|are\s+expected\s+to)\s+)?"
    r"(?:co-)?(?:led|leads|lead|leading|m[èe]ne|menait|mènera|führt|führte|lider[óa]|encabez[óa])\b"
    r"|^\s+(?:gemeinsam\s+)?(?:angeführt|geleitet)\b")
_FROM_CUE = _CaseFree(
    r"\b(?:from|including|such\s+as|alongside|with\s+participation\s+from|joined\s+by|also\s+drew|drew|attracted"
    r"|auprès\s+de|de\s+la\s+part\s+de|avec\s+la\s+participation\s+de|aux\s+côtés\s+de|dont|parmi\s+lesquels|comme"
    r"|darunter|von\s+Investoren\s+wie|unter\s+anderem|neben|con\s+la\s+participación\s+de|junto\s+a|entre\s+ellos)\s+")
# Who else is in a round, said in a sentence of its own: "Backers include A, B and C",
# "Entre los inversores figuran A y B", "beteiligt waren außerdem A und B".
_INVESTORS_INCLUDE = _CaseFree(
    r"\b(?:(?:backers|investors|participants|other\s+investors)\s+(?:include[sd]?|are|were)"
    r"|(?:also\s+drew|drew|attracted|joined\s+by|with\s+participation\s+from|including|such\s+as|alongside)"
    r"|aux\s+côtés\s+d(?:e|['’])(?:\w+\s+comme)?|comme|junto\s+a|wie|con"
    r"|parmi\s+les\s+(?:investisseurs|participants)\s+(?:figurent|on\s+trouve|se\s+trouvent)|(?:les\s+)?investisseurs\s+sont"
    r"|(?:beteiligt|dabei)\s+(?:waren|sind)(?:\s+(?:außerdem|auch|zudem|ebenfalls|unter\s+anderem))?"
    r"|zu\s+den\s+(?:Investoren|Geldgebern|Kapitalgebern)\s+(?:gehören|zählen)|Neu\s+dabei\s+(?:ist|sind)"
    r"|entre\s+los\s+(?:inversores|inversionistas|participantes)\s+(?:figuran|están|se\s+encuentran)"
    r"|en\s+la\s+que\s+(?:también\s+)?(?:han\s+entrado|han\s+participado|participan|entraron|participaron))\s+")
_PARTICIPATE_AFTER_NAMES = _CaseFree(
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
_INVEST_NOUN = _CaseFree(r"investment|investissement|investition|inversión")
_NOUN_TO_AMOUNT = re.compile(r"\s+(?:of|de|d['’]|von|in\s+H[öo]he\s+von|por)\s+(?:[\w-]+\s+){0,3}?", re.I)
_GIVER_CUE = _CaseFree(r"\b(?:from|de\s+la\s+part\s+de|von|de\s+parte\s+de)\s+")
_GAP_SEPARATOR = _CaseFree(r"\s*[,;]?\s*(?:(?:and|et|und|y|e|while|tandis\s+que|w[äa]hrend|mientras\s+que)\s+)?(?:qu['’])?")
_GAP_QUALIFIER = re.compile(r"\s*(?:,\s*)?(?:[\w'’]+\s+){0,4}?", _I)
_GAP_TARGET_PREP = _CaseFree(r"\s*(?:[\w'’]+\s+){0,2}?(?:in|into|to|dans|en|bei|à)\s+")
# "the round", "its last funding round", "lors du prochain tour": a round told elsewhere or not yet held
_BREAKDOWN = re.compile(r",\s*(?:dont|including|of\s+which|davon|darunter|de\s+los\s+cuales|de\s+ellos)\b", re.I)
_ROUND_OWNER = re.compile(r"\s+(?:of|von|de|d['’]|del)\s+(?:the\s+)?", re.I)
_ROUND_ANAPHORA = _CaseFree(
    r"\b(?:the|this|that|its|their|le|au|du|ce|cette|la|son|sa|leur|die|der|diese[rn]?|seine[rn]?|ihre[rn]?|el|esta|este|dicha?|su)\s+"
    r"(?:(?:next|last|previous|latest|prior|earlier|upcoming|prochaine?|derni(?:er|ère)|précédente?|nächste\w*|letzte\w*|vorherige\w*"
    r"|próxim[ao]|últim[ao]|anterior)\s+)?(?:(?:funding|financing)\s+)?$")
_AS_INVESTOR = _CaseFree(r"^\s+as\s+(?:a\s+|an\s+)?(?:new\s+)?(?:strategic\s+|lead\s+)?investor")
_BY_CUE = re.compile(r"^\W*(?:\w+\s+){0,3}?(?:by|par|von|durch|por)\s+$", _I)
_TARGET_PREP = _CaseFree(r"(?:in|into|to|dans|en|au\s+capital\s+d|du\s+capital\s+d|bei|an|of|de|d['’]|des|del|von)\W*$")
# "in data-labelling company Scale AI", "dans la start-up française Kyutai"
_TARGET_PREP_DESCRIBED = re.compile(
    r"\b(?:in|into|to|dans|en|bei|an|of|de|d['’]|des|del|von)\s+(?:(?:the|a|an|la|le|l['’]|les|une|un|der|die|das|den|dem|el|los|las|una)\s*)?"
    r"(?:[a-zà-ÿß][\w'’-]*\s+){0,4}$"
)
_GOODS_OBJECT = _CaseFree(
    r"[^.;]{0,45}?\b(?:services|capacity|compute|computing|chips|GPUs|puces|servicios|Rechen\w*|electricity|power|back|shares\s+back)\b")
_PREP_BEFORE = re.compile(r"\b(?:in|into|bei|an|dans|en)\s+(?:[a-zà-ÿß][\w'’-]*\s+){0,3}$")
_PASSIVE_BEFORE = _CaseFree(r"\b(?:was|were|is|are|been|being|be|été|sera|seront|est|sont|fue|fueron|será|sido|wurde|wird|werden)\s+(?:\w+\s+)?$")
_GENITIVE_BEFORE = _CaseFree(r"(?:\bd['’]|\bde\s+|\bof\s+|\bvon\s+|\bdel\s+)$")
_SOURCE_BEFORE = _CaseFree(
    r"(?:according\s+to|selon|d['’]apr[èe]s|laut|según|citing|reported\s+by|cité\s+par)\s+(?:the\s+|le\s+|la\s+|el\s+)?$")
_SOURCE_CUE = _CaseFree(r"according|selon|d['’]apr|laut|según|citing|reported\s+by|cité")
_SOURCE_AFTER = _CaseFree(r"\s+(?:reported|reports|said|says|a\s+rapporté|rapporte|berichtet|berichtete|zufolge|informó|reveló)\b")

# --------------------------------------------------------------------------------------------
# Name phrases that the catalog does not know.
# --------------------------------------------------------------------------------------------

_UP = "A-ZÀ-ÖØ-Þ"
# Capitalised words, "xAI"-like words, and lower-case names with digits inside ("n8n", "a16z").
_NAME_TOKEN = rf"(?:[{_UP}][\w:’'&.+-]*|[a-z]{{1,3}}[{_UP}][\w-]*|[a-z]{{1,4}}\d{{1,3}}[a-z]{{1,4}}\b|[{_UP}])"
# Tokens join over spaces only, never over a line break (the title ends there) nor after a full
# stop that ends a sentence ("eBay Ventures. L'opération" is two things).
_NAME_PHRASE_RE = re.compile(rf"(?<![\w'’-]){_NAME_TOKEN}(?:(?<![a-zà-ÿ]{{2}}\.)[ \u00a0](?:&[ \u00a0])?{_NAME_TOKEN})*")
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
     "United States", "Hong Kong", "Tel Aviv", "Wall Street"}


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
_COREF_RE = _CaseFree(
    r"\b(?:the|la|le|l['’]|der|die|das|el)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:company|startup|start-up|firm|group|lab|provider|maker|developer|chipmaker|giant|business"
    r"|soci[ée]t[ée]|entreprise|groupe|jeune\s+pousse|Unternehmen|Konzern|Firma|Start-up"
    r"|empresa|compañía|grupo)\b")


# ", which ...,", ", fondée par d'anciens chercheurs de Google DeepMind,", ", bekannt für ...,":
# a comma-enclosed description of the name before it; names inside it are not the subject.
_APPOSITIVE = re.compile(
    r",\s+(?:a|an|the|which|who|whose|already|un|une|la|le|l['’]|qui|dont|de\s+son\s+côté|der|die|das|ein|eine|el|una|que|its|sa|son"
    r"|(?:co-?)?founded|based|known|backed|owned|created|headquartered|formerly|best\s+known"
    r"|(?:co-?)?fond[ée]e?s?|bas[ée]e?s?|connue?s?|soutenue?s?|cr[ée]{2}e?s?|d[ée]tenue?s?|sp[ée]cialis[ée]e?s?|issue?s?"
    r"|gegründet|bekannt|ansässig|spezialisiert|früher"
    r"|(?:co)?fundad[ao]s?|conocid[ao]s?|cread[ao]s?|respaldad[ao]s?|especializad[ao]s?|con\s+sede)\b[^,]*,",
    _I,
)
# "La empresa dirigida por Sam Altman", "the lab founded by X": X qualifies the subject, is not it.
_PERSON_OF_BEFORE = _CaseFree(
    r"(?:founded|co-founded|run|headed|owned|created|chaired|dirig[ée]e?|fond[ée]e?|cofond[ée]e?|cr[ée]{2}e?"
    r"|dirigid[ao]|fundad[ao]|cofundad[ao]|presidid[ao]|gegründet|geführt|geleitet)\s+(?:by|par|por|von)\s+$")

@dataclass(frozen=True)
class _Party:
    name: str
    start: int
    end: int
    known: bool  # the entity matcher named it (canonical), rather than a guessed name phrase


@dataclass
class _Draft:
    """A deal being assembled; mutable while rules add investors, amount, valuation."""

    kind: str
    target: str
    investors: list[str] = field(default_factory=list)
    leads: list[str] = field(default_factory=list)
    amount: Amount | None = None
    stake: float | None = None
    valuation: Amount | None = None
    status: str = "announced"
    sentence: int = 0
    in_title: bool = False

    def add_investor(self, name: str, lead: bool = False) -> None:
        if name == self.target:
            return
        if name not in self.investors:
            self.investors.append(name)
        if lead and name not in self.leads:
            self.leads.append(name)


# --------------------------------------------------------------------------------------------
# Sentences
# --------------------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"«„“¿¡(]?[A-ZÀ-Þ0-9])|\n+")
# "2 Mrd. Euro", "180 Mio. US-Dollar": German money scales abbreviate with a full stop.
_ABBREVIATION_END = re.compile(
    r"(?:\b(?:Inc|Corp|Ltd|Co|Mr|Mrs|Ms|Dr|St|Jr|vs|U\.S|etc|approx|Nr|bzw|z\.B|Mrd|Mio|Md|Mds|Tsd|Bio|ca|Mill)\.|\b[A-Z]\.)$"
)


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if text[m.start()] != "\n" and not m.group().startswith("\n") and _ABBREVIATION_END.search(text, 0, m.start()):
            continue
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


# --------------------------------------------------------------------------------------------
# Parties
# --------------------------------------------------------------------------------------------


_PHRASE_TOKEN = re.compile(r"\S+(?:\s&\s\S+)?")
_NUMBER_BEFORE = re.compile(r"(?:^|\s)[\d.,]+\s*$")


def _plain_names(text: str, taken: list[tuple[int, int]], lang: str | None) -> list[_Party]:
    """Capitalised name phrases outside the matcher's spans: "Ampere Computing", "Run:ai", "X"."""
    found: list[_Party] = []
    has_source_cue = _SOURCE_CUE.search(text) is not None  # skips a per-name look-back in most texts
    for m in _NAME_PHRASE_RE.finditer(text):
        phrase = m.group()
        if phrase in _STOP_TOKENS:
            continue  # most capitalised words are a sentence's first word ("The", "La", "Der")
        tokens = [(t.group(), m.start() + t.start(), m.start() + t.end()) for t in _PHRASE_TOKEN.finditer(phrase)]
        kept: list[tuple[str, int, int]] = []
        for tok, s, e in tokens:
            tok_clean = tok.rstrip(".’'")
            if tok_clean.endswith(("'s", "’s")):
                tok_clean = tok_clean[:-2]
                e = s + len(tok_clean)
            else:
                e = s + len(tok_clean)
            stop = (
                tok_clean in _STOP_TOKENS
                or not tok_clean
                or "-based" in tok_clean
                or text.startswith("-based", e)
                or any(s < te and ts < e for ts, te in taken)
                or _NUMBER_BEFORE.search(text[max(0, s - 14):s]) is not None
                or (has_source_cue and _SOURCE_BEFORE.search(text, max(0, s - 40), s) is not None)
            )
            if lang == "de" and not stop and tok_clean[:1].isupper() and tok_clean[1:].islower() and len(tok_clean) > 1:
                before = text[max(0, s - 30):s]
                if _GERMAN_ARTICLE_BEFORE.search(before) or _GERMAN_NOUN_SUFFIX.search(tok_clean) or _after_place_adjective(before):
                    stop = True
            if lang == "de" and not stop and _is_place_adjective(tok_clean):
                stop = True  # "Berliner", "Pariser": where a company is from
            if lang == "de" and not stop and "-" in tok_clean and _GERMAN_COMPOUND_NOUN.search(tok_clean):
                stop = True
            if stop and kept and _FUND_SUFFIX.match(text, e) and tok_clean in _STOP_TOKENS:
                stop = False  # "HP Tech Ventures": the fund's own name goes on
            if tok_clean in _ROUND_WORDS:
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
        # A phrase glued to a catalog name ("SoftBank Group", "Google Cloud") belongs to that name.
        if any(abs(s - te) <= 1 or abs(ts - e) <= 1 for ts, te in taken):
            continue
        if _SOURCE_AFTER.match(text, e):
            continue
        if text[s:e] in _PLACES or _EXCHANGE.search(text[s:e]):
            continue  # "aus Bristol", "on the New York Stock Exchange": where, not who
        found.append(_Party(text[s:e], s, e, known=False))
    for m in _NUMBERED_FUND.finditer(text):
        if not any(m.start() < te and ts < m.end() for ts, te in taken):
            found.append(_Party(m.group(), m.start(), m.end(), known=False))
    found.sort(key=lambda p: p.start)
    return found


# Firms whose name starts with a number: "1789 Capital", "500 Global".
_NUMBERED_FUND = re.compile(r"(?<![\w.,])\d{1,4} (?:Capital|Ventures|Partners|Global)\b")


def _collect_parties(text: str, entities: Sequence[EntityMatch], lang: str | None, amounts: Sequence[Amount] = ()) -> list[_Party]:
    known: list[_Party] = []
    taken: list[tuple[int, int]] = []
    for m in entities:
        if _is_source(text, m.start, m.end):
            continue
        fund = _FUND_SUFFIX.match(text, m.end)
        written = _as_written(m)
        if written and not fund:
            known.append(_Party(written, m.start, m.end, known=False))
            taken.append((m.start, m.end))
        elif fund:
            # "Intel Capital", "Cisco Investments": an investment firm of its own, named as written.
            known.append(_Party(text[m.start:fund.end()], m.start, fund.end(), known=False))
            taken.append((m.start, fund.end()))
        else:
            # "OpenAI's startup fund", "Amazon's Industrial Innovation Fund": a company's own fund
            # invests for it (corpus convention: corporate arms map to their parent).
            arm = _OWN_FUND.match(text, m.end)
            end = arm.end() if arm else m.end
            known.append(_Party(m.name, m.start, end, known=True))
            taken.append((m.start, end))
    money = [(a.start, a.end) for a in amounts]
    parties = known + [p for p in _plain_names(text, taken, lang) if not any(p.start < e and s < p.end for s, e in money)]
    parties.sort(key=lambda p: p.start)
    return parties


_OWN_FUND = re.compile(r"['’]s\s+(?:[\w-]+\s+){0,3}?(?:fund|venture\s+arm|investment\s+arm|ventures?\s+arm)\b", _I)
_FUND_SUFFIX = re.compile(r"(?: [A-Z][a-z]+)? (?:Capital|Investments|Partners|Ventures|Growth)\b")


def _as_written(m: EntityMatch) -> str | None:
    """Investment firms are named as the text writes them: the catalog may fold "Intel Capital"
    into Intel, or call "Altimeter" "Altimeter Capital", but a deal party keeps the firm's own
    short name (corpus convention). Corporate "Ventures" arms still map to their parent."""
    text, name = m.text.strip(), m.name
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


def _is_source(text: str, start: int, end: int) -> bool:
    return bool(_SOURCE_BEFORE.search(text, max(0, start - 40), start) or _SOURCE_AFTER.match(text, end))


# --------------------------------------------------------------------------------------------
# The extractor
# --------------------------------------------------------------------------------------------


@dataclass
class _Sentence:
    index: int
    start: int
    end: int
    parties: list[_Party]
    amounts: list[Amount]
    percents: list[Percent]
    topic: str | None  # whom "the company" refers to here


class _Extractor:
    def __init__(self, text: str, parties: list[_Party], amounts: Sequence[Amount], percents: Sequence[Percent]):
        self.text = text
        self.parties = parties
        self.amounts = sorted(amounts, key=lambda a: a.start)
        self.percents = sorted(percents, key=lambda p: p.start)
        self.title_end = text.find("\n") if "\n" in text else -1
        self.drafts: list[_Draft] = []
        self.title_sentences: set[int] = set()
        self.memo: dict[tuple[str, int], bool] = {}  # per-amount judgements, asked once per cue otherwise
        self.lang: str | None = None

    # -- per-amount judgements ----------------------------------------------------------------

    def _is_deal_money(self, a: Amount, s: _Sentence) -> bool:
        key = ("money", a.start)
        if key not in self.memo:
            self.memo[key] = self._judge_deal_money(a, s)
        return self.memo[key]

    def _judge_deal_money(self, a: Amount, s: _Sentence) -> bool:
        """False for per-share prices, tiny sums and money the text ties to revenue, debt, contracts..."""
        if a.value < 100_000:
            return False
        after = self.text[a.end:min(s.end, a.end + 30)]
        if _PER_SHARE.match(after):
            return False
        if _COMMERCIAL_AFTER.match(after):
            return False
        before = self.text[max(s.start, a.start - 35):a.start]
        return not _NON_DEAL_MONEY.search(before + " " + after)

    def _is_valuation(self, a: Amount, s: _Sentence) -> bool:
        key = ("valuation", a.start)
        if key not in self.memo:
            self.memo[key] = self._judge_valuation(a, s)
        return self.memo[key]

    def _judge_valuation(self, a: Amount, s: _Sentence) -> bool:
        before = self.text[max(s.start, a.start - 60):a.start]
        if _VALUATION_BEFORE.search(before) and not _DEAL_VALUED.search(before):
            return True
        return bool(_VALUATION_AFTER.match(self.text, a.end, min(s.end, a.end + 40)))

    def _is_already(self, a: Amount, s: _Sentence) -> bool:
        return bool(_ALREADY_AFTER.match(self.text[a.end:min(s.end, a.end + 30)]))

    # -- parties around a cue -----------------------------------------------------------------

    def _appositive_spans(self, lo: int, hi: int) -> list[tuple[int, int]]:
        seg = self.text[lo:hi]
        spans = [(lo + m.start(), lo + m.end()) for m in re.finditer(r"\([^)]*\)", seg)]
        for m in _APPOSITIVE.finditer(seg):
            spans.append((lo + m.start(), lo + m.end()))
        return spans

    def _subject(self, s: _Sentence, lo: int, cue_start: int) -> _Party | None:
        """The nearest name before the cue, skipping appositives and genitives ("X d'Y lève")."""
        skip = self._appositive_spans(lo, cue_start)
        candidates = [
            p
            for p in s.parties
            if lo <= p.start
            and p.end <= cue_start
            and not any(a <= p.start < b for a, b in skip)
            and not _PERSON_OF_BEFORE.search(self.text, max(lo, p.start - 25), p.start)
        ]
        candidates += self._corefs(s, lo, cue_start, skip)
        candidates.sort(key=lambda p: p.start)
        if not candidates:
            return None
        best = candidates[-1]
        if len(candidates) >= 2 and _GENITIVE_BEFORE.search(self.text, max(0, best.start - 5), best.start):
            # "Safe Superintelligence d'Ilya Sutskever lève": the founder's name qualifies the
            # company; but "Directivos de Apple" is Apple.
            prev = candidates[-2]
            if best.known or not prev.known:
                return best
            gap = self.text[prev.end:best.start]
            if len(gap) <= 30 and "," not in gap:
                best = prev
        return best

    def _corefs(self, s: _Sentence, lo: int, hi: int, skip: list[tuple[int, int]]) -> list[_Party]:
        if not s.topic:
            return []
        out = []
        for m in _COREF_RE.finditer(self.text, lo, hi):
            if any(a <= m.start() < b for a, b in skip):
                continue
            if any(p.start < m.end() and m.start() < p.end for p in s.parties):
                continue
            out.append(_Party(s.topic, m.start(), m.end(), known=True))
        return out

    def _object(self, s: _Sentence, cue_end: int, hi: int, prep: bool) -> _Party | None:
        """First name after the cue, before `hi`; with `prep`, one introduced by in/dans/of/de..."""
        for p in s.parties:
            if p.start < cue_end or p.start >= hi:
                continue
            gap = self.text[cue_end:p.start]
            if _SOURCE_BEFORE.search(gap):
                continue
            if prep and gap.strip() and not _TARGET_PREP.search(gap) and not _TARGET_PREP_DESCRIBED.search(gap):
                continue
            if prep and _BREAKDOWN.search(gap):
                return None  # "4 Md€ dans l'IA, dont 2,5 Md€ ... via sa filiale X": a budget split, not a target
            return p
        return None

    def _lowercase_object(self, cue_end: int, hi: int) -> _Party | None:
        """Names written in lower case ("rachète io, la start-up de..."): the bare word right after the verb."""
        m = re.match(r"\s+([a-z][\w.-]{0,14})(?=,|\s+(?:for|pour|für|por)\b)", self.text[cue_end:hi])
        if not m or m.group(1) in {"it", "them", "une", "un", "la", "le", "les", "a", "an", "the", "die", "der", "das", "el", "los", "las", "una", "shares", "stock", "actions"}:
            return None
        s = cue_end + m.start(1)
        return _Party(m.group(1), s, s + len(m.group(1)), known=False)

    def _party_list_after(self, s: _Sentence, pos: int, max_lead_words: int = 3) -> list[_Party]:
        """Names enumerated from `pos` on: "A, B et C", "A and B"; a few lowercase words may lead in."""
        out: list[_Party] = []
        cursor = pos
        for p in s.parties:
            if p.start < cursor:
                continue
            gap = self.text[cursor:p.start]
            if not out:
                if len(re.findall(r"\S+", gap)) > max_lead_words or re.search(r"[,;:.]", gap):
                    break
            elif not _LIST_JOINER.fullmatch(gap):
                break
            out.append(p)
            cursor = p.end
        return out

    def _party_list_before(self, s: _Sentence, pos: int) -> list[_Party]:
        out: list[_Party] = []
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

    def _deal_amount(self, s: _Sentence, lo: int, cue_start: int, cue_end: int, hi: int) -> Amount | None:
        usable = [a for a in s.amounts if self._is_deal_money(a, s) and not self._is_valuation(a, s) and not self._is_already(a, s)]
        after = [a for a in usable if cue_end <= a.start < hi]
        if after:
            return after[0]
        before = [a for a in usable if lo <= a.start and a.end <= cue_start]
        return before[-1] if before else None

    def _valuation(self, s: _Sentence, lo: int, hi: int) -> Amount | None:
        for a in s.amounts:
            if lo <= a.start < hi and self._is_valuation(a, s) and a.value >= 100_000:
                return a
        return None

    def _stake(self, s: _Sentence, lo: int, hi: int) -> float | None:
        for p in s.percents:
            if lo <= p.start < hi:
                before = self.text[max(s.start, p.start - 20):p.start]
                if re.search(r"(?:up|down|rose|fell|grew|hausse|baisse|croissance|plus|gestiegen|Plus|subi[óo]|creci)\W*\w*\W*$", before, _I):
                    continue
                return p.value
        return None

    def _status(self, s: _Sentence, lo: int, hi: int) -> str:
        clause = self.text[s.start:s.end]
        if _RUMOR.search(clause):
            return "rumored"
        local = self.text[lo:hi]
        if _COMPLETED.search(local) and not _NOT_YET.search(local):
            return "completed"
        return "announced"

    # -- frames ---------------------------------------------------------------------------------

    def run(self, sentences: list[_Sentence], all_cues: list[re.Match]) -> list[_Draft]:
        for s in sentences:
            cues = [c for c in all_cues if s.start <= c.start() < s.end]
            for i, cue in enumerate(cues):
                lo = cues[i - 1].end() if i else s.start
                hi = cues[i + 1].start() if i + 1 < len(cues) else s.end
                clause_lo = self._clause_start(s, cue.start())
                if _ABANDONED.search(self.text[clause_lo:min(s.end, cue.end() + 80)]):
                    continue
                kind = cue.lastgroup
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
            self._participants(s)
            if not cues and _TALKS_FAILED.search(self.text, s.start, s.end):
                self.drafts = [d for d in self.drafts if d.status != "rumored"]
        self._carry_over(sentences)
        return self.drafts

    def _clause_start(self, s: _Sentence, pos: int) -> int:
        cut = max(self.text.rfind(";", s.start, pos), self.text.rfind(", while", s.start, pos), self.text.rfind(", tandis", s.start, pos))
        return cut + 1 if cut >= 0 else s.start

    def _emit(self, draft: _Draft) -> _Draft:
        self.drafts.append(draft)
        return draft

    def _recent_target(self, s: _Sentence) -> str | None:
        for d in reversed(self.drafts):
            if s.index - d.sentence <= 2 and d.kind in ("funding_round", "ipo", "investment"):
                return d.target
        return None

    def _invest(self, s: _Sentence, cue: re.Match, lo: int, hi: int) -> None:
        if _PLEDGE.search(self.text[max(s.start, cue.start() - 25):cue.start()]):
            return
        if _INVEST_NOUN.fullmatch(cue.group()) and not self._noun_frame_ok(s, cue, hi):
            return
        investor = self._subject(s, self._clause_start(s, cue.start()), cue.start())
        verb_last = self.lang == "de" and re.match(r"\s*(?:[,.;:]|$)", self.text[cue.end():s.end]) is not None
        target = None if verb_last else self._object(s, cue.end(), hi, prep=True)
        if target is None and investor is not None and _PREP_BEFORE.search(self.text, max(s.start, investor.start - 40), investor.start):
            # verb last, as German puts it: "Meta soll 10 Mrd. in Scale AI investieren"
            target = investor
            investor = self._subject(s, self._clause_start(s, cue.start()), target.start)
        target_name = target.name if target else None
        if target_name is None and re.search(
            r"\b(?:y|it|the\s+(?:round|offering)|(?:au|le|du)\s+tour|(?:der|die)\s+Runde|la\s+ronda)\b", self.text[s.start:s.end], _I
        ):
            target_name = self._recent_target(s)
        if target_name is None or investor is None or investor.name == target_name:
            return
        amount = self._deal_amount(s, lo, cue.start(), cue.end(), hi)
        if amount is not None and _NON_DEAL_MONEY.search(self.text[cue.end():amount.start]):
            return
        # "...aux 2 milliards déjà engagés" speaks of an earlier tranche, not of this deal's status
        earlier = [a.start for a in s.amounts if cue.end() <= a.start < hi and self._is_already(a, s)]
        status_hi = min(earlier) if earlier else hi
        d = self._emit(
            _Draft(
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

    def _noun_frame_ok(self, s: _Sentence, cue: re.Match, hi: int) -> bool:
        """"un investissement de 4 milliards de dollars dans Anthropic": the noun frames a deal only
        with its amount right after it ("la société d'investissement de Daniel Ek" is no deal)."""
        nxt = next((a for a in s.amounts if a.start >= cue.end()), None)
        return nxt is not None and _NOUN_TO_AMOUNT.fullmatch(self.text, cue.end(), nxt.start) is not None

    def _receive(self, s: _Sentence, cue: re.Match, lo: int, hi: int) -> None:
        """"G42 will receive a $1.5 billion investment from Microsoft": subject funded, giver after
        from/von/de; without a giver it is a round the subject raises."""
        target = self._subject(s, self._clause_start(s, cue.start()), cue.start())
        amount = self._deal_amount(s, lo, cue.start(), cue.end(), hi)
        if target is None or amount is None or amount.start < cue.end():
            return
        if _NON_DEAL_MONEY.search(self.text[cue.end():amount.start]) or _COMMERCIAL_AFTER.match(self.text, amount.end):
            return
        giver = _GIVER_CUE.search(self.text, amount.end, min(s.end, amount.end + 40))
        investors = self._party_list_after(s, giver.end()) if giver else []
        investors = [p for p in investors if p.name != target.name]
        if not investors and (giver or not re.search(_ROUND_NOUN, self.text[s.start:s.end], _I)):
            return  # money from the state ("de la France") or of unknown origin: a grant, not a deal
        kind = "investment" if len(investors) == 1 and not re.search(_ROUND_NOUN, self.text[s.start:s.end], _I) else "funding_round"
        d = self._emit(_Draft(kind, target.name, amount=amount, status=self._status(s, lo, hi), sentence=s.index,
                              valuation=self._valuation(s, cue.start(), s.end)))
        for p in investors:
            d.add_investor(p.name)

    def _gapped(self, s: _Sentence, d: _Draft, pos: int) -> None:
        """Enumerations that leave the verb out: "Microsoft a investi 13 milliards dans OpenAI,
        Amazon 8 milliards dans Anthropic et Google au moins 3 milliards dans Anthropic"."""
        while True:
            investor = next((p for p in s.parties if p.start >= pos), None)
            if investor is None or not _GAP_SEPARATOR.fullmatch(self.text[pos:investor.start]):
                return
            amount = next((a for a in s.amounts if a.start >= investor.end), None)
            if amount is None or not _GAP_QUALIFIER.fullmatch(self.text[investor.end:amount.start]):
                return
            target = next((p for p in s.parties if p.start >= amount.end), None)
            if target is None or not _GAP_TARGET_PREP.fullmatch(self.text[amount.end:target.start]):
                return
            if investor.name != target.name and self._is_deal_money(amount, s):
                self._emit(_Draft(d.kind, target.name, [investor.name], amount=amount, status=d.status, sentence=s.index))
            pos = target.end

    def _already_deals(self, s: _Sentence, d: _Draft, lo: int, hi: int) -> None:
        """"...qui s'ajoute aux 2 milliards déjà engagés": an earlier tranche is its own, completed deal."""
        for a in s.amounts:
            if lo <= a.start < hi and a is not d.amount and self._is_already(a, s) and self._is_deal_money(a, s):
                self._emit(_Draft(d.kind, d.target, list(d.investors), amount=a, status="completed", sentence=s.index))

    def _acquire(self, s: _Sentence, cue: re.Match, lo: int, hi: int) -> None:
        word = cue.group().lower()
        after = self.text[cue.end():hi]
        stake_like = bool(_STAKE_OBJECT.match(after) or _PERCENT_OBJECT.match(after) or (s.percents and any(cue.end() <= p.start < hi for p in s.percents)))
        is_take = word.startswith(("tak", "took", "prend", "pris", "nimmt", "nehm", "genomm", "tom"))
        is_pay = word.startswith(("pay", "paid", "pai", "pag", "desembols", "zahl"))
        if is_take and not stake_like:
            return  # "takes" alone is too common; only "takes a stake / 49 % of" is a deal
        if _PLEDGE.search(self.text[max(s.start, cue.start() - 25):cue.start()]):
            return
        goods = _GOODS_OBJECT.match(after)
        if not stake_like and goods and not any(cue.end() <= p.start < cue.end() + goods.end() for p in s.parties):
            return  # buying cloud capacity, chips or services is a contract, not a deal
        clause_lo = self._clause_start(s, cue.start())
        investor = self._subject(s, clause_lo, cue.start())
        if investor is None:
            return
        changes_hands = word.startswith(("pas", "geh", "gehö"))
        if changes_hands or _PASSIVE_BEFORE.search(self.text, max(s.start, cue.start() - 30), cue.start()) or re.match(
            r"\s*(?:\w+\s+){0,1}(?:by|par|por)\s", after, _I
        ) and not is_pay:
            self._passive(s, cue, investor, lo, hi, changes_hands)
            return
        targets: list[_Party] = []
        if is_pay:
            m = re.search(r"\b(?:for|pour|für|por)\s+", after, _I)
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
                if len(re.findall(r"\S+", gap)) > 8:
                    first = None
            if first is not None:
                targets = [first] + [p for p in self._party_list_after(s, first.start) if p is not first][1:]
        if not targets and not is_pay and self.lang == "de":
            # verb last ("Nvidia hat Run:ai übernommen"): the object sits between subject and verb
            earlier = self._subject(s, clause_lo, investor.start)
            between = self.text[investor.end:cue.start()]
            if earlier is not None and "," not in between and not _PREP_BEFORE.search(self.text, max(s.start, investor.start - 40), investor.start):
                targets, investor = [investor], earlier
        if not targets and stake_like:
            recent = self._recent_target(s)
            if recent:
                targets = [_Party(recent, hi, hi, True)]
        kind = "investment" if stake_like else "acquisition"
        amount = self._deal_amount(s, lo, cue.start(), cue.end(), hi)
        if amount is None and kind == "acquisition":
            amount = self._deal_valued_amount(s, cue.end(), s.end)
        for t in targets:
            if t.name == investor.name:
                continue
            self._emit(
                _Draft(
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

    def _passive(self, s: _Sentence, cue: re.Match, target: _Party, lo: int, hi: int, changes_hands: bool = False) -> None:
        """"Quantix was acquired by Nvidia", "Run:ai wurde von Nvidia übernommen", "pasa a manos de X"."""
        by_words = r"by|par|por|von|durch|de|zu|à" if changes_hands else r"by|par|por|von|durch"
        by = re.search(rf"\b(?:{by_words})\s+", self.text[target.end:hi], _I)
        if by is None:
            return
        buyer = self._object(s, target.end + by.end(), hi, prep=False)
        if buyer is None or buyer.name == target.name or buyer.start - (target.end + by.end()) > 30:
            return
        self._emit(
            _Draft(
                "acquisition",
                target.name,
                [buyer.name],
                amount=self._deal_amount(s, lo, cue.start(), cue.end(), hi) or self._deal_valued_amount(s, cue.end(), s.end),
                status=self._status(s, lo, hi),
                sentence=s.index,
            )
        )

    def _deal_valued_amount(self, s: _Sentence, lo: int, hi: int) -> Amount | None:
        """For a purchase, "une opération valorisée à 8 milliards" states the price."""
        for a in s.amounts:
            if lo <= a.start < hi and self._is_deal_money(a, s) and not self._is_already(a, s):
                return a
        return None

    def _acq_noun(self, s: _Sentence, cue: re.Match, lo: int, hi: int) -> None:
        after = self.text[cue.end():hi]
        if _PERCENT_OBJECT.match(after) or _STAKE_OBJECT.match(after):
            # "l'acquisition de 49 % de Scale AI": a stake, so an investment
            self._acquire(s, cue, lo, hi)
            return
        targets = self._party_list_after(s, cue.end(), max_lead_words=4)
        if not targets:
            return
        after_targets = self.text[targets[-1].end:hi]
        # "the purchase of X by Y"; in Spanish "por" also gives the price ("compra de X por 14.000
        # millones"), so the buyer must follow it at once.
        by = re.match(r"\s*,?\s*(?:\w+\s+)?(?:by|par|durch|por)\s+(?:(?:the|le|la|l['’]|el|los)\s+)?", after_targets, _I)
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
                    _Draft(
                        "acquisition",
                        t.name,
                        [acquirer.name],
                        amount=amount if len(targets) == 1 else None,
                        status=self._status(s, lo, hi),
                        sentence=s.index,
                    )
                )

    def _sell(self, s: _Sentence, cue: re.Match, lo: int, hi: int) -> None:
        """A sale is a deal only when the buyer is named: "X sells Y to Z" is Z acquiring Y."""
        after = self.text[cue.end():hi]
        m = re.search(r"\b(?:to|à|an|a)\s+", after, _I)
        if not m:
            return
        buyer = self._object(s, cue.end() + m.end(), hi, prep=False)
        target = self._object(s, cue.end(), cue.end() + m.start(), prep=False)
        if buyer is None or target is None or buyer.start - (cue.end() + m.end()) > 30:
            return
        if _STAKE_OBJECT.match(after):
            return  # selling a stake to someone: a divestment as far as the ledger goes
        self._emit(
            _Draft(
                "acquisition",
                target.name,
                [buyer.name],
                amount=self._deal_amount(s, lo, cue.start(), cue.end(), hi),
                status=self._status(s, lo, hi),
                sentence=s.index,
            )
        )

    def _round(self, s: _Sentence, cue: re.Match, lo: int, hi: int, strong: bool) -> None:
        if not strong and cue.group().lower().startswith(("tour", "runde", "round")) and not re.search(
            r"\d|led|men|round\s+of", self.text[max(s.start, cue.start() - 40):min(s.end, cue.end() + 30)], _I
        ):
            # bare "round"/"tour" ("tour de France", "another round of talks") needs money or a lead nearby
            return
        owner = _ROUND_OWNER.match(self.text, cue.end(), hi)
        funded = self._object(s, owner.end(), owner.end() + 1, prep=False) if owner else None
        if funded is not None:
            # "SoftBank hat die Finanzierungsrunde von OpenAI abgeschlossen": the round is OpenAI's,
            # the subject takes part in it.
            backer = self._subject(s, self._clause_start(s, cue.start()), cue.start())
            d = self._emit(_Draft("funding_round", funded.name, sentence=s.index, status=self._status(s, lo, hi)))
            if backer is not None:
                d.add_investor(backer.name)
            amount = self._deal_amount(s, lo, cue.start(), cue.end(), hi)
            if amount is not None and not _NON_DEAL_MONEY.search(self.text[cue.end():amount.start]):
                d.amount = amount
            d.valuation = self._valuation(s, lo, s.end)
            return
        if _ROUND_ANAPHORA.search(self.text, max(s.start, cue.start() - 12), cue.start()):
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
            if re.match(r"\s*(?:\w+\s+){0,2}(?:in|dans|en|bei)\s+", self.text[cue.end():hi], _I) and re.search(
                r"\bleads?\b|\bm[eè]ne\b|\bführt\b|\blidera\b", self.text[subject.end:cue.start()], _I
            ):
                target = self._object(s, cue.end(), hi, prep=True)
                if target is None:
                    return
                d = self._emit(_Draft("funding_round", target.name, sentence=s.index))
                d.add_investor(subject.name, lead=True)
            else:
                d = self._emit(_Draft("funding_round", subject.name, sentence=s.index))
            d.status = self._status(s, lo, hi)
        if d.amount is None:
            amount = self._deal_amount(s, lo, cue.start(), cue.end(), hi)
            if amount is not None and not _NON_DEAL_MONEY.search(self.text[cue.end():amount.start]):
                d.amount = amount
        if d.valuation is None:
            d.valuation = self._valuation(s, lo, s.end)
        for m in _LEAD_CUE.finditer(self.text, cue.start(), s.end):
            for p in self._party_list_after(s, m.end()):
                d.add_investor(p.name, lead=True)
        for cue_re in (_FROM_CUE, _INVESTORS_INCLUDE):
            for m in cue_re.finditer(self.text, cue.start(), s.end):
                for p in self._party_list_after(s, m.end()):
                    d.add_investor(p.name)
        if strong and d.amount is None and not s.amounts:
            if not re.search(_ROUND_NOUN, self.text[s.start:s.end], _I):
                self.drafts.remove(d)

    def _ipo(self, s: _Sentence, cue: re.Match, lo: int, hi: int) -> None:
        m = re.match(r"\s*(?:of|de|d['’]|von|des)\s*", self.text[cue.end():hi], _I)
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
            d = self._emit(_Draft("ipo", target.name, sentence=s.index, status=self._status(s, s.start, s.end)))
        if d.amount is None:
            usable = [a for a in s.amounts if self._is_deal_money(a, s) and not self._is_valuation(a, s)]
            sized = [a for a in usable if 0 <= cue.start() - a.end <= 2]  # "a $1.2 billion IPO"
            if sized:
                d.amount = sized[0]
            elif usable and re.search(r"rais|lev|recaud|capt|sammel|proceeds|produit", self.text[s.start:s.end], _I):
                d.amount = usable[0]
        if d.valuation is None:
            d.valuation = self._valuation(s, s.start, s.end)

    def _participants(self, s: _Sentence) -> None:
        """Follow-up sentences name who else is in the round: "X led the round", "A, B et C participent"."""
        rounds = [d for d in self.drafts if d.kind == "funding_round" and 0 <= s.index - d.sentence <= 2]
        if not rounds:
            return
        d = rounds[-1]
        for p in s.parties:
            tail = self.text[p.end:s.end]
            if _LEAD_AFTER_NAME.match(tail):
                for q in self._party_list_before(s, p.end):
                    d.add_investor(q.name, lead=True)
            elif _PARTICIPATE_AFTER_NAMES.match(tail):
                for q in self._party_list_before(s, p.end):
                    d.add_investor(q.name)
            elif _AS_INVESTOR.match(tail):
                d.add_investor(p.name)
        if s.index != d.sentence:
            for m in _INVESTORS_INCLUDE.finditer(self.text, s.start, s.end):
                for q in self._party_list_after(s, m.end()):
                    d.add_investor(q.name)
            for m in _LEAD_CUE.finditer(self.text, s.start, s.end):
                for q in self._party_list_after(s, m.end()):
                    d.add_investor(q.name, lead=True)

    def _carry_over(self, sentences: list[_Sentence]) -> None:
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
                elif re.search(r"price|prix|montant|Kaufpreis|Preis|precio|importe|valu|valoris|[ée]valu|bewert|wert\b|worth|estim|co[ûu]t|kost|deal|terms|Summe", body, _I):
                    usable = [a for a in nxt.amounts if self._is_deal_money(a, nxt)]
                    if usable:
                        d.amount = usable[0]
            elif d.valuation is None and d.kind in ("funding_round", "investment", "ipo"):
                for a in nxt.amounts:
                    if self._is_valuation(a, nxt) and a.value >= 100_000:
                        d.valuation = a
                        break

    def _amount_paired_with(self, s: _Sentence, name: str) -> Amount | None:
        """"values xAI at $80 billion and X at $33 billion": the amount right after the target's name."""
        for p in s.parties:
            if p.name != name:
                continue
            for a in s.amounts:
                gap = self.text[p.end:a.start]
                if 0 <= len(gap) <= 25 and re.fullmatch(r"\s+(?:at|à|auf|mit|en|bei)\s+(?:\w+\s+){0,2}", gap, _I):
                    return a
        return None


# First letters of every cue word (each alternative of _CUE_RE begins with one of these). Words
# that do not start so are never handed to the big regex: most words of an article are skipped
# by one C-level `startswith`, which keeps texts without a deal cheap (issue 3's throughput).
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
)
_CUE_PREFIXES = frozenset(stem[:2] for stem in _CUE_STEMS)
_WORD = re.compile(r"(?:s['’])?\w+")


def _cue_matches(text: str) -> list[re.Match]:
    """Deal cues in text order (non-overlapping), found by trying the cue regex only at words whose
    beginning can start one."""
    low = _lower_same_length(text)
    found: list[re.Match] = []
    cue_re = _CUE_RE._re
    last_end = -1
    for w in _WORD.finditer(low):
        word = w.group()
        if word[:2] not in _CUE_PREFIXES or w.start() < last_end or not word.startswith(_CUE_STEMS):
            continue
        m = cue_re.match(low, w.start())
        if m:
            found.append(m)
            last_end = m.end()
    return found


def has_deal_cue(text: str) -> bool:
    """Cheap test: does any deal verb or noun occur? Without one there is nothing to extract."""
    return bool(_cue_matches(text))


def _topics(text: str, spans: list[tuple[int, int]], parties: list[_Party]) -> list[str | None]:
    """For each sentence, the name "the company" most likely stands for: the first catalog name of the
    nearest earlier sentence that has one (else its first name), falling back to the title's."""
    topics: list[str | None] = []
    last: str | None = None
    for start, end in spans:
        topics.append(last)
        inside = [p for p in parties if start <= p.start < end]
        known = [p for p in inside if p.known]
        if known or inside:
            last = (known or inside)[0].name
    return topics


def _finish(d: _Draft) -> Deal:
    leads = tuple(x for x in d.leads if x in d.investors)
    return Deal(
        kind=d.kind,
        investors=tuple(d.investors),
        target=d.target,
        amount=d.amount.money if d.amount else None,
        stake_percent=d.stake if d.kind == "investment" else None,
        valuation=d.valuation.money if d.valuation and d.kind != "acquisition" else None,
        status=d.status,
        lead_investors=leads,
    )


def _same_money(a: Amount | None, b: Amount | None) -> bool:
    return a is not None and b is not None and (a.value, a.currency) == (b.value, b.currency)


def _merge(drafts: list[_Draft]) -> list[_Draft]:
    """One deal per event: the title repeats the body, a sentence names the same deal twice."""
    body = [d for d in drafts if not d.in_title]
    title = [d for d in drafts if d.in_title]
    out: list[_Draft] = []
    for d in body:
        twin = next(
            (
                o
                for o in out
                if o.target == d.target
                and o.kind == d.kind
                and (set(o.investors) & set(d.investors) or not o.investors or not d.investors)
                and (o.amount is None or d.amount is None or _same_money(o.amount, d.amount))
                and not (d.status == "completed" and o.status != "completed" and d.amount is not None and o.amount is not None)
            ),
            None,
        )
        if twin is None:
            out.append(d)
            continue
        _absorb(twin, d)
    for d in title:
        twin = next(
            (o for o in out if o.target == d.target or (_same_money(o.amount, d.amount) and o.kind == d.kind)),
            None,
        )
        if twin is None:
            out.append(d)
        else:
            if twin.valuation is None and d.valuation is not None:
                twin.valuation = d.valuation
            if twin.stake is None and d.stake is not None:
                twin.stake = d.stake
            if twin.amount is None and d.amount is not None and twin.target == d.target:
                twin.amount = d.amount
    # An IPO's proceeds are often told as "the company raised $X": fold that into the IPO.
    ipos = {d.target: d for d in out if d.kind == "ipo"}
    final: list[_Draft] = []
    for d in out:
        ipo = ipos.get(d.target)
        if d.kind == "funding_round" and ipo is not None and not d.investors:
            if ipo.amount is None:
                ipo.amount = d.amount
            if ipo.valuation is None:
                ipo.valuation = d.valuation
            continue
        final.append(d)
    # Deals without an amount that merely point back at a deal already counted, the target
    # perhaps shortened ("cada acción de Juniper" after "la adquisición de Juniper Networks").
    return [
        d
        for d in final
        if not (
            d.amount is None
            and d.stake is None
            and any(
                o is not d and _same_company(o.target, d.target) and o.amount is not None and set(d.investors) <= set(o.investors)
                for o in final
            )
        )
    ]


def _same_company(a: str, b: str) -> bool:
    return a == b or a.startswith(b + " ") or b.startswith(a + " ")


def _absorb(into: _Draft, d: _Draft) -> None:
    for name in d.investors:
        into.add_investor(name, lead=name in d.leads)
    into.amount = into.amount or d.amount
    into.valuation = into.valuation or d.valuation
    into.stake = into.stake if into.stake is not None else d.stake
    if d.status == "rumored" or (d.status == "completed" and into.status == "announced"):
        into.status = d.status


_Figure = TypeVar("_Figure", Amount, Percent)


def _every_occurrence(text: str, figures: Sequence[_Figure]) -> list[_Figure]:
    """The figure lists name each surface string once ("$15bn" in title and summary); deals need
    the figure where each sentence states it."""
    out = list(figures)
    seen = {a.start for a in figures}
    for a in figures:
        start = text.find(a.text, a.end)
        while start >= 0:
            end = start + len(a.text)
            boundary_ok = (start == 0 or not text[start - 1].isalnum()) and (end == len(text) or not text[end].isalnum())
            if boundary_ok and start not in seen:
                out.append(replace(a, start=start, end=end))
                seen.add(start)
            start = text.find(a.text, end)
    out.sort(key=lambda a: a.start)
    return out


def find_deals(
    text: str,
    entities: Sequence[EntityMatch],
    amounts: Sequence[Amount],
    percents: Sequence[Percent],
    lang: str | None,
) -> list[Deal]:
    """Deals the text reports, in text order, parties by canonical name when the matcher knows them."""
    cues = _cue_matches(text)
    if not cues:
        return []
    lang = (lang or "").lower()[:2] or None
    amounts = _every_occurrence(text, amounts)
    percents = _every_occurrence(text, percents)
    parties = _collect_parties(text, entities, lang, amounts)
    spans = _sentence_spans(text)
    topics = _topics(text, spans, parties)
    sentences = [
        _Sentence(
            i,
            start,
            end,
            [p for p in parties if start <= p.start and p.end <= end],
            [a for a in amounts if start <= a.start and a.end <= end],
            [p for p in percents if start <= p.start and p.end <= end],
            topics[i],
        )
        for i, (start, end) in enumerate(spans)
    ]
    title_end = text.find("\n")
    extractor = _Extractor(text, parties, amounts, percents)
    extractor.lang = lang
    if title_end > 0:
        extractor.title_sentences = {i for i, (_, end) in enumerate(spans) if end <= title_end}
    drafts = extractor.run(sentences, cues)
    if title_end > 0:
        for d in drafts:
            d.in_title = spans[d.sentence][1] <= title_end
    drafts = [d for d in drafts if d.target and (d.kind != "investment" or d.investors)]
    return [_finish(d) for d in _merge(drafts)]

