"""The figures worth a line in an alert, beyond the deals: what a stated amount is (revenue,
valuation) judged by the words just before it. Pure, language rules for EN/FR/DE/ES."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.model import Amount, Analysis

# Cue words, lower-case, looked for in the few words before an amount (same sentence).
_ROLE_CUES = {
    "revenue": (
        "revenue", "revenues", "sales", "turnover", "chiffre d'affaires", "chiffre d’affaires",
        "recettes", "umsatz", "umsätze", "erlöse", "ingresos", "facturación", "facturacion",
        "ventas",
    ),
    "valuation": (
        "valued", "values", "valuation", "valuing", "valorisation", "valorisée", "valorisé", "valorise",
        "bewertung", "bewertet", "valoración", "valoracion", "valorada", "valorado",
    ),
}
_WINDOW = 80
_YEAR = re.compile(r"\b(20\d\d)\b")
_SENTENCE_END = re.compile(r"[.!?\n]")


@dataclass(frozen=True)
class KeyFigure:
    role: str  # revenue | valuation
    value: int
    currency: str
    approx: bool
    year: int | None = None


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    before = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    after = _SENTENCE_END.search(text, end)
    return before, after.start() if after else len(text)


def role_of(text: str, amount: Amount) -> str | None:
    sentence_start, _ = _sentence_bounds(text, amount.start, amount.end)
    window = text[max(sentence_start, amount.start - _WINDOW) : amount.start].lower()
    best, best_pos = None, -1
    for role, cues in _ROLE_CUES.items():
        for cue in cues:
            pos = window.rfind(cue)
            if pos > best_pos:
                best, best_pos = role, pos
    return best


def key_figures(text: str, analysis: Analysis) -> list[KeyFigure]:
    """Revenue and valuation figures the deals do not already carry, in text order."""
    in_deals = {
        (money.value, money.currency)
        for deal in analysis.deals
        for money in (deal.amount, deal.valuation)
        if money is not None
    }
    found: list[KeyFigure] = []
    seen: set[tuple[str, int]] = set()
    for amount in analysis.amounts:
        role = role_of(text, amount)
        if role is None or (role == "valuation" and (amount.value, amount.currency) in in_deals):
            continue
        if (role, amount.value) in seen:
            continue
        seen.add((role, amount.value))
        lo, hi = _sentence_bounds(text, amount.start, amount.end)
        year = _YEAR.search(text, lo, hi)
        found.append(KeyFigure(role, amount.value, amount.currency, amount.approx,
                               int(year.group(1)) if year else None))
    return found
