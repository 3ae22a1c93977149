"""What a reader sees in an alert: money in the channel's language, the key-figures line,
the excerpt with watched names highlighted."""

import pytest

from bot.core.keyfigures import key_figures
from bot.core.model import Amount, Analysis, Deal, Money
from bot.core.render import excerpt_segments, figures_line, format_money


@pytest.mark.parametrize(
    "money, en, fr",
    [
        ({"value": 15_000_000_000, "currency": "USD", "approx": True}, "≈ $15B", "≈ 15 Md$"),
        ({"value": 14_300_000_000, "currency": "USD"}, "$14.3B", "14,3 Md$"),
        ({"value": 700_000_000, "currency": "EUR"}, "€700M", "700 M€"),
        ({"value": 1_500_000_000, "currency": "EUR"}, "€1.5B", "1,5 Md€"),
        ({"value": 10_000_000_000, "currency": "USD", "value_max": 12_000_000_000}, "$10–12B", "10–12 Md$"),
        ({"value": 2_000_000_000, "currency": "CHF"}, "CHF 2B", "2 Md CHF"),
        ({"value": 40, "currency": "USD"}, "$40", "40 $"),
        ({"value": 1_200_000_000_000, "currency": "USD"}, "$1.2T", "1,2 Bn$"),
    ],
)
def test_money_reads_naturally_in_each_language(money, en, fr):
    assert format_money(money, "en") == en
    assert format_money(money, "fr") == fr


REFERENCE = {
    "entities": ["AGI", "Meta", "Scale AI"],
    "deals": [
        {"kind": "investment", "investors": ["Microsoft"], "target": "OpenAI",
         "amount": {"value": 13_000_000_000, "currency": "USD", "approx": False},
         "stake_percent": None, "valuation": None, "status": "completed"},
        {"kind": "investment", "investors": ["Meta"], "target": "Scale AI",
         "amount": {"value": 15_000_000_000, "currency": "USD", "approx": True},
         "stake_percent": 49, "valuation": None, "status": "rumored"},
    ],
    "key_figures": [
        {"role": "revenue", "value": 2_000_000_000, "currency": "USD", "approx": True, "year": 2025},
        {"role": "valuation", "value": 25_000_000_000, "currency": "USD", "approx": False, "year": None},
    ],
}


def test_figures_line_puts_the_watched_deal_first_in_english():
    line = figures_line(REFERENCE, {"Meta"}, "en")
    assert line.startswith("💰 Meta: ≈ $15B for 49 % of Scale AI (rumored)")
    assert "Microsoft → OpenAI: $13B" in line
    assert "revenue ≈ $2B in 2025" in line
    assert "valued at $25B" in line


def test_figures_line_in_french_whatever_the_article_language():
    line = figures_line(REFERENCE, {"Meta"}, "fr")
    assert "≈ 15 Md$ pour 49 % de Scale AI (rumeur)" in line
    assert "chiffre d'affaires ≈ 2 Md$ en 2025" in line


def test_no_figures_no_line():
    assert figures_line({"entities": ["Meta"], "deals": [], "key_figures": []}, {"Meta"}, "en") == ""


def test_excerpt_highlights_whole_names_only_and_is_cut_at_a_word():
    segments = excerpt_segments("Meta-owned Instagram shares metadata with Meta. " * 20, ["Meta"])
    text = "".join(s.text for s in segments)
    assert len(text) <= 281 and text.endswith("…")
    assert all(s.text.casefold() == "meta" for s in segments if s.highlight)
    assert not any("metadata" == s.text for s in segments if s.highlight)
    assert sum(s.highlight for s in segments) >= 4


@pytest.mark.parametrize(
    "text, role",
    [
        ("Scale AI expects revenue of about $2bn in 2025.", "revenue"),
        ("La start-up vise un chiffre d'affaires de 2 milliards de dollars.", "revenue"),
        ("The round values the company at $25bn.", "valuation"),
        ("Die Bewertung liegt bei 25 Milliarden Dollar.", "valuation"),
        ("Meta paid $15bn for the stake.", None),
    ],
)
def test_key_figure_roles_come_from_the_words_before_the_amount(text, role):
    start = next(i for i, ch in enumerate(text) if ch.isdigit() or ch == "$")
    amount = Amount(1, "USD", text[start:start + 4], start, start + 4)
    figures = key_figures(text, Analysis(amounts=(amount,)))
    assert [f.role for f in figures] == ([role] if role else [])


def test_a_valuation_already_in_a_deal_is_not_repeated():
    text = "Meta buys 49% of Scale AI, valued at $29bn."
    amount = Amount(29_000_000_000, "USD", "$29bn", text.index("$"), text.index("$") + 5)
    deal = Deal("investment", ("Meta",), "Scale AI", None, 49, Money(29_000_000_000, "USD"))
    assert key_figures(text, Analysis(amounts=(amount,), deals=(deal,))) == []


def test_the_excerpt_highlights_the_words_that_matched_not_only_the_canonical_name():
    from bot.core.render import alert_view

    view = alert_view(
        title="t", link=None, source=None, published=None, lang="fr", watched_names=["Meta"],
        summary="La maison mère de Facebook investit dans Scale AI.",
        analysis={"entity_matches": [{"name": "Meta", "text": "maison mère de Facebook"},
                                     {"name": "Scale AI", "text": "Scale AI"}]},
    )
    assert [s.text for s in view.excerpt if s.highlight] == ["maison mère de Facebook"]
