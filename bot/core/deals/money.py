"""What an amount near a cue is: a price, a valuation, a per-share price, revenue, a contract..."""

from __future__ import annotations

import re

from bot.core.deals.casefree import CaseFree

_I = re.IGNORECASE


# `*_WORDS`: every match of the pattern above holds one of these words (lower case). Where none
# occurs the search is skipped: a few str.find calls cost ~10x less than the search (STAKE_OBJECT
# tries its 16 nouns at each of 25 characters of leeway: ~47k instructions per window).
# tests/test_fastpaths_frames.py checks them against the patterns.


def holds_any(low: str, words: tuple[str, ...], lo: int, hi: int) -> bool:
    """Whether one of `words` occurs in low[lo:hi]."""
    for word in words:
        if low.find(word, lo, hi) != -1:
            return True
    return False


# Words that say what an amount is when it is not the price of a deal.
NON_DEAL_MONEY = CaseFree(
    r"revenue|\bsales\b|turnover|earnings|profit|\bloss|\bcharge|\bfine[sd]?\b|penalt|settlement|salar|pay\s+package"
    r"|compensation|bonus|capex|capital\s+expenditure|\bdebt|\bloans?\b|credit\s+(?:facility|line)|\bbonds?\b|contract"
    r"|\bgrants?\b|subsid|\bprize|budget|market\s+(?:value|cap)"
    r"|chiffre\s+d['’]affaires|b[ée]n[ée]fice|\bperte|amende|sanction|salaire|r[ée]mun[ée]ration|\bdette|\bpr[êe]ts?\b"
    r"|\bobligations|contrat|d[ée]penses|subvention|capitalisation"
    r"|Umsatz|Gewinn|Verlust|Strafe|Bußgeld|Gehalt|Schulden|Kredit|Anleihe|Vertrag|Auftrag"
    r"|ingresos|facturaci[óo]n|beneficio|p[ée]rdida|\bmulta|sueldo|deuda|pr[ée]stamo|contrato", by_first_words=True)
# Bought goods and services: only when they follow the amount ("$10bn of cloud services").
COMMERCIAL_AFTER = CaseFree(
    r"\W{0,3}(?:\w+\s+){0,2}(?:of\s+|de\s+|d['’]|an\s+|en\s+)?(?:\w+\s+)?"
    r"(?:services|cloud|compute|computing|capacity|chips|GPUs|power|electricity|orders?|servicios|puces|Rechen\w*|Chips)")
COMMERCIAL_WORDS = ("servic", "cloud", "comput", "capacity", "chips", "gpus", "power", "electricity", "order", "puces", "rechen")
PER_SHARE = CaseFree(
    r"^\W{0,2}(?:(?:a|per|each|par|l['’]|je|por|pro)\s*(?:share|action|unit[ée]|Aktie|acci[óo]n|titre)\b|cada\s+(?:una|uno|acci[óo]n))")
VALUATION_BEFORE = CaseFree(
    r"(?:valu(?:ed|es|e|ing)|valori[sz](?:ée?s?|ant|e|ation)|valoraci[óo]n|valorad[oa]|valora"
    r"|bewert(?:et|ung|e|en)|Bewertung|vaut|valait|worth|valuation)\b[^$€£\d.;]{0,40}$")
VALUATION_WORDS = ("val", "bewert", "vaut", "worth")
VALUATION_AFTER = CaseFree(r"\s*(?:post-money\s+|pre-money\s+)?(?:valuation|valorisation|Bewertung|valoraci[óo]n)")
# "a deal valued at", "une opération valorisée à": the value of the deal is its price.
DEAL_VALUED = CaseFree(
    r"(?:deal|transaction|op[ée]ration|accord|Deal|Transaktion|operaci[óo]n|acuerdo)\W+(?:\w+\W+){0,2}"
    r"(?:valu|valoris|évalu|bewert|valorad|worth)")
ALREADY_AFTER = CaseFree(r"^\W{0,3}(?:\w+\s+){0,1}(?:déjà|already|bereits|schon|ya)\b")

STAKE_OBJECT = CaseFree(
    r"^\s*(?:a|an|une|un|la|le|des|les|eine|einen|die|una|un|el|las|los)?\s*(?:[\w%,.\s$€£]{0,25})?"
    r"(?:stake|shares|stock|equity|interest|participation|parts|actions|capital|titres"
    r"|Anteil|Anteile|Aktien|Beteiligung|participaci[óo]n|acciones)\b")
STAKE_WORDS = ("stake", "shares", "stock", "equity", "interest", "part", "actions", "capital", "titres", "anteil", "aktien",
               "beteiligung", "acciones")
PERCENT_OBJECT = re.compile(r"^\s*(?:(?:about|around|roughly|environ|près\s+de|rund|etwa|alrededor\s+del?|cerca\s+del?)\s+)?\d", _I)
