"""Platform-neutral rendering of an alert: the headline, where it came from, what it matched,
the key-figures line in the channel's language, and an excerpt split into plain and
highlighted segments. Each front end escapes and styles these segments its own way, so feed
text never reaches a platform unescaped. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

SUPPORTED_LANGS = ("en", "fr")
EXCERPT_CHARS = 280

_SYMBOL = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "CN¥", "INR": "₹", "BRL": "R$"}
_SCALES_EN = ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "K"))
_SCALES_FR = ((10**12, "Bn"), (10**9, "Md"), (10**6, "M"), (10**3, "k"))

_WORDS = {
    "en": {"for": "for", "of": "of", "valued": "valued at", "revenue": "revenue",
           "in": "in", "rumored": "rumored", "announced": "announced", "completed": "completed",
           "stake": "stake", "acquisition": "buys", "ipo": "IPO", "round": "raises",
           "led": "led by", "valuation": "valued at"},
    "fr": {"for": "pour", "of": "de", "valued": "valorisée", "revenue": "chiffre d'affaires",
           "in": "en", "rumored": "rumeur", "announced": "annoncé", "completed": "finalisé",
           "stake": "participation", "acquisition": "rachète", "ipo": "introduction en Bourse",
           "round": "lève", "led": "mené par", "valuation": "valorisée"},
}


def channel_lang(lang: str | None) -> str:
    return lang if lang in SUPPORTED_LANGS else "en"


def _number(value: float, lang: str) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".") if value < 100 else f"{value:.0f}"
    return text.replace(".", ",") if lang == "fr" else text


def format_money(money: dict | None, lang: str = "en") -> str:
    """`{"value": 15e9, "currency": "USD", "approx": true}` -> "≈ $15B" (en) / "≈ 15 Md$" (fr)."""
    if not money:
        return ""
    value, currency = money["value"], money.get("currency") or ""
    scales = _SCALES_FR if lang == "fr" else _SCALES_EN
    unit, suffix = 1, ""
    for size, name in scales:
        if value >= size:
            unit, suffix = size, name
            break
    number = _number(value / unit, lang)
    high = money.get("value_max")
    if high:
        number += "–" + _number(high / unit, lang)
    symbol = _SYMBOL.get(currency)
    if lang == "fr":  # "15 Md$", "700 M€", "2 Md CHF"
        text = f"{number} {suffix}{symbol}" if symbol else f"{number} {suffix} {currency}"
    else:  # "$15B", "€700M", "CHF 2B"
        text = f"{symbol}{number}{suffix}" if symbol else f"{currency} {number}{suffix}"
    text = " ".join(text.split())
    return f"≈ {text}" if money.get("approx") else text


def _percent(value: float, lang: str) -> str:
    return f"{_number(value, lang)} %"


def deal_phrase(deal: dict, lang: str) -> str:
    w = _WORDS[lang]
    investors = ", ".join(deal.get("investors") or [])
    target = deal["target"]
    amount = format_money(deal.get("amount"), lang)
    stake = deal.get("stake_percent")
    kind = deal.get("kind")
    if kind == "acquisition":
        text = f"{investors} {w['acquisition']} {target}" + (f" ({amount})" if amount else "")
    elif kind == "funding_round":
        text = f"{target} {w['round']} {amount}".rstrip()
        leads = deal.get("lead_investors") or []
        if leads:
            text += f", {w['led']} {', '.join(leads)}"
    elif kind == "ipo":
        text = f"{target}: {w['ipo']}" + (f" {amount}" if amount else "")
    elif stake is not None:  # "Meta: ≈ $15B for 49 % of Scale AI"
        text = f"{investors}: " if investors else ""
        text += f"{amount} {w['for']} " if amount else ""
        text += f"{_percent(stake, lang)} {w['of']} {target}"
    else:  # "Microsoft → OpenAI: $13B"
        text = f"{investors} → {target}" if investors else target
        text += f": {amount}" if amount else ""
    valuation = format_money(deal.get("valuation"), lang)
    if valuation:
        text += f" · {target} {w['valuation']} {valuation}"
    if deal.get("status") == "rumored":
        text += f" ({w['rumored']})"
    return text


def figure_phrase(figure: dict, subject: str | None, lang: str) -> str:
    w = _WORDS[lang]
    money = format_money(figure, lang)
    if figure["role"] == "valuation":
        return f"{subject} {w['valued']} {money}" if subject else f"{w['valued']} {money}"
    text = f"{w['revenue']} {money}"
    if figure.get("year"):
        text += f" {w['in']} {figure['year']}"
    return text


def figures_line(analysis: dict, watched: set[str], lang: str, max_deals: int = 3) -> str:
    """"💰 Meta: ≈ $15B for 49 % of Scale AI (rumored) · revenue ≈ $2B in 2025"."""
    deals = list(analysis.get("deals") or [])
    # Deals a watched entity takes part in come first.
    deals.sort(key=lambda d: not ({d["target"], *d.get("investors", [])} & watched))
    parts = [deal_phrase(deal, lang) for deal in deals[:max_deals]]
    subject = deals[0]["target"] if deals else next(iter(analysis.get("entities") or []), None)
    parts += [figure_phrase(f, subject, lang) for f in analysis.get("key_figures") or []]
    return ("💰 " + " · ".join(parts)) if parts else ""


@dataclass(frozen=True)
class Segment:
    text: str
    highlight: bool = False


@dataclass(frozen=True)
class AlertView:
    title: str
    link: str | None
    source: str | None
    published: datetime | None
    entities: tuple[str, ...]  # the watched names this alert is for
    figures: str  # the key-figures line, "" when the text states none
    excerpt: tuple[Segment, ...]


def excerpt_segments(summary: str, names: list[str], limit: int = EXCERPT_CHARS) -> tuple[Segment, ...]:
    """The summary cut to `limit` characters at a word, with occurrences of `names` highlighted."""
    text = " ".join(summary.split())
    if len(text) > limit:
        cut = text.rfind(" ", 0, limit)
        text = text[: cut if cut > limit // 2 else limit].rstrip(",;:") + "…"
    lowered = text.casefold()
    spans: list[tuple[int, int]] = []
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        needle = name.casefold()
        start = lowered.find(needle)
        while start != -1:
            end = start + len(needle)
            boundary_ok = (start == 0 or not lowered[start - 1].isalnum()) and (
                end == len(lowered) or not lowered[end].isalnum()
            )
            if boundary_ok and not any(s < end and start < e for s, e in spans):
                spans.append((start, end))
            start = lowered.find(needle, end)
    spans.sort()
    segments, pos = [], 0
    for start, end in spans:
        if start > pos:
            segments.append(Segment(text[pos:start]))
        segments.append(Segment(text[start:end], True))
        pos = end
    if pos < len(text):
        segments.append(Segment(text[pos:]))
    return tuple(segments)


def alert_view(
    *, title: str, link: str | None, source: str | None, published: datetime | None,
    summary: str, analysis: dict, watched_names: list[str], lang: str,
) -> AlertView:
    lang = channel_lang(lang)
    surface = list(watched_names) + [m.get("text", "") for m in analysis.get("entity_matches", [])
                                     if m.get("name") in watched_names]
    return AlertView(
        title=" ".join(title.split()) or "(untitled)",
        link=link,
        source=source,
        published=published,
        entities=tuple(watched_names),
        figures=figures_line(analysis, set(watched_names), lang),
        excerpt=excerpt_segments(summary, surface),
    )
