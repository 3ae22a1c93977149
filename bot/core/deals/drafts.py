"""Deals being assembled, and how drafts that tell the same event are merged into one `Deal`."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.model import Amount, Deal


@dataclass(slots=True)
class Draft:
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


def finish_draft(d: Draft) -> Deal:
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


def merge_drafts(drafts: list[Draft]) -> list[Draft]:
    """One deal per event: the title repeats the body, a sentence names the same deal twice."""
    body = [d for d in drafts if not d.in_title]
    title = [d for d in drafts if d.in_title]
    out: list[Draft] = []
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
    final: list[Draft] = []
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


def _absorb(into: Draft, d: Draft) -> None:
    for name in d.investors:
        into.add_investor(name, lead=name in d.leads)
    into.amount = into.amount or d.amount
    into.valuation = into.valuation or d.valuation
    into.stake = into.stake if into.stake is not None else d.stake
    if d.status == "rumored" or (d.status == "completed" and into.status == "announced"):
        into.status = d.status
