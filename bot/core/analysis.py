"""The single entry point of the analysis: entities, figures and deals of one text.

Used by the poller, the alerts, `/deals` and `newsbot scan`; `analysis_to_json` gives the scan
contract's fields (issue 3) so every consumer shows the same thing.
"""

from __future__ import annotations

from typing import Any, Protocol, Sequence

from bot.core.deals import find_deals
from bot.core.figures import find_amounts, find_percents
from bot.core.model import Amount, Analysis, Deal, EntityMatch, Money, Percent

try:
    from bot.core.language import guess_language
except ImportError:  # pragma: no cover - language.py is written in parallel; analysis still works without it
    def guess_language(text: str, hint: str | None = None) -> str | None:
        return hint


class EntityFinder(Protocol):
    """What the analysis needs from `bot.core.entities.Matcher`."""

    def find(self, text: str) -> list[EntityMatch]: ...


def analyze(text: str, matcher: EntityFinder, lang: str | None = None) -> Analysis:
    """Entities, money amounts, percentages and deals stated in `text` (title, newline, summary).

    `lang` is the feed's two-letter language when it says one; otherwise it is guessed here, since
    number formats ("1,5 milliard" vs "1,500") and deal wording depend on it.
    """
    if lang is None:
        lang = guess_language(text)
    entities = tuple(matcher.find(text))
    amounts = tuple(find_amounts(text, lang))
    percents = tuple(find_percents(text, lang))
    deals = tuple(find_deals(text, entities, amounts, percents, lang))
    return Analysis(entities=entities, amounts=amounts, percents=percents, deals=deals)


def _number(value: float | int) -> float | int:
    """49.0 -> 49, so JSON reads as people write the figure; 2.9 stays 2.9."""
    return int(value) if float(value).is_integer() else value


def _money_json(money: Money | None) -> dict[str, Any] | None:
    if money is None:
        return None
    out: dict[str, Any] = {"value": _number(money.value), "currency": money.currency, "approx": money.approx}
    if money.value_max is not None:
        out["value_max"] = _number(money.value_max)
    return out


def amount_to_json(a: Amount) -> dict[str, Any]:
    out: dict[str, Any] = {"value": _number(a.value), "currency": a.currency, "text": a.text, "approx": a.approx}
    if a.value_max is not None:
        out["value_max"] = _number(a.value_max)
    return out


def percent_to_json(p: Percent) -> dict[str, Any]:
    return {"value": _number(p.value), "text": p.text, "approx": p.approx}


def deal_to_json(d: Deal) -> dict[str, Any]:
    return {
        "kind": d.kind,
        "investors": list(d.investors),
        "lead_investors": list(d.lead_investors),
        "target": d.target,
        "amount": _money_json(d.amount),
        "stake_percent": None if d.stake_percent is None else _number(d.stake_percent),
        "valuation": _money_json(d.valuation),
        "status": d.status,
    }


def analysis_to_json(analysis: Analysis, watched: Sequence[str] | None = None) -> dict[str, Any]:
    """The scan contract's "entities", "amounts", "percents" and "deals" fields.

    With `watched` (canonical names), "entities" keeps only those, as `newsbot scan --watch` does.
    """
    names = analysis.entity_names
    if watched is not None:
        keep = set(watched)
        names = tuple(n for n in names if n in keep)
    return {
        "entities": list(names),
        "amounts": [amount_to_json(a) for a in analysis.amounts],
        "percents": [percent_to_json(p) for p in analysis.percents],
        "deals": [deal_to_json(d) for d in analysis.deals],
    }
