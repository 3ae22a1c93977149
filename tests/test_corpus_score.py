"""Scores the whole analysis on the labelled development set (tests/data/dev.json, issue 3).

Micro-F1 per field, printed, and held above the issue's floors. How things are compared:
entities as sets of canonical names; amounts as sets of distinct (value, currency); percents as
sets of distinct values; a predicted deal matches a gold deal when target, investors (as a set)
and amount (value, currency) agree, each gold deal matched at most once.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from bot.core.analysis import analysis_to_json, analyze

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "config" / "entities.toml"
DEV_SET = ROOT / "tests" / "data" / "dev.json"
REFERENCE_ARTICLE = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_debf1df17aec5ca0.txt"

FLOORS = {"entities": 0.97, "amounts": 0.95, "percents": 0.95, "deals": 0.85}


def f1(tp: int, fp: int, fn: int) -> float:
    if tp + fp + fn == 0:
        return 1.0
    return 2 * tp / (2 * tp + fp + fn)


def _money_key(money: dict | None) -> tuple | None:
    if not money:
        return None
    return (round(float(money["value"]), 2), money["currency"])


def deal_key(deal: dict) -> tuple:
    return (deal["target"], frozenset(deal["investors"]), _money_key(deal.get("amount")))


def count_matches(predicted: list, gold: list) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives) of two multisets of keys."""
    p, g = Counter(predicted), Counter(gold)
    tp = sum((p & g).values())
    return tp, sum(p.values()) - tp, sum(g.values()) - tp


def item_keys(result: dict) -> dict[str, list]:
    return {
        "entities": sorted(set(result["entities"])),
        "amounts": sorted({(round(float(a["value"]), 2), a["currency"]) for a in result["amounts"]}),
        "percents": sorted({round(float(p["value"]), 2) for p in result["percents"]}),
        "deals": [deal_key(d) for d in result["deals"]],
    }


def score(items: list[dict], predict) -> tuple[dict[str, float], list[str]]:
    """Micro-F1 per field, and a line per item and field that differs (to read when it fails)."""
    totals = {name: [0, 0, 0] for name in FLOORS}
    misses: list[str] = []
    for item in items:
        got = item_keys(predict(item))
        want = item_keys(item["gold"])
        for name in FLOORS:
            tp, fp, fn = count_matches(got[name], want[name])
            for i, n in enumerate((tp, fp, fn)):
                totals[name][i] += n
            if fp or fn:
                misses.append(f"{item['id']} {name}: got {got[name]} want {want[name]}")
    return {name: f1(*totals[name]) for name in FLOORS}, misses


@pytest.fixture(scope="module")
def matcher():
    if not CATALOG.exists():
        pytest.skip("config/entities.toml not present yet")
    from bot.core.entities import Catalog, Matcher

    return Matcher(Catalog.from_toml_text(CATALOG.read_text(encoding="utf-8")))


def watchlist() -> list[str]:
    """The canonical names the set is labelled for (corpus README, "## Watchlist"): gold entities are
    those only, so predictions are filtered to them as `newsbot scan --watch NAME...` does."""
    readme = (ROOT / "tests" / "data" / "corpus-README.md").read_text(encoding="utf-8")
    section = readme.split("## Watchlist", 1)[1].split("\n\n", 2)[1]
    return re.findall(r"`([^`]+)`", section)


def predict_with(matcher):
    watched = watchlist()

    def predict(item: dict) -> dict:
        text = item["title"] + "\n" + item["summary"]
        return analysis_to_json(analyze(text, matcher, item.get("lang")), watched=watched)

    return predict


def test_dev_set_scores_above_the_floors(matcher):
    items = json.loads(DEV_SET.read_text(encoding="utf-8"))
    scores, misses = score(items, predict_with(matcher))
    print("\ndev-set micro-F1: " + "  ".join(f"{k}={v:.3f}" for k, v in scores.items()))
    for line in misses:
        print("  " + line)
    for name, floor in FLOORS.items():
        assert scores[name] >= floor, f"{name} F1 {scores[name]:.3f} below {floor}"


def test_watchlist_is_read_from_the_corpus_readme():
    names = watchlist()
    assert len(names) == 20 and names[:3] == ["Meta", "Scale AI", "AGI"]


def test_language_is_guessed_when_not_given(matcher):
    items = json.loads(DEV_SET.read_text(encoding="utf-8"))
    item = next(i for i in items if i["lang"] == "fr" and i["gold"]["deals"])
    guessed = predict_with(matcher)({**item, "lang": None})
    assert {deal_key(d) for d in guessed["deals"]} == {deal_key(d) for d in item["gold"]["deals"]}


# -- the reference article ------------------------------------------------------------------------

FOUR_DEALS = {
    ("Scale AI", frozenset({"Meta"}), (15_000_000_000.0, "USD")),
    ("OpenAI", frozenset({"Microsoft"}), (13_000_000_000.0, "USD")),
    ("Anthropic", frozenset({"Amazon"}), (8_000_000_000.0, "USD")),
    ("Anthropic", frozenset({"Google"}), (3_000_000_000.0, "USD")),
}


def test_reference_article_yields_its_entities_figures_and_four_deals(matcher):
    if not REFERENCE_ARTICLE.exists():
        pytest.skip("shared reference article not present")
    result = analysis_to_json(analyze(REFERENCE_ARTICLE.read_text(encoding="utf-8"), matcher))
    assert {"Meta", "Scale AI", "AGI"} <= set(result["entities"])
    values = {(a["value"], a["currency"]) for a in result["amounts"]}
    for billions in (15, 2, 25, 13, 8, 3):
        assert (billions * 1_000_000_000, "USD") in values
    assert 49 in {p["value"] for p in result["percents"]}
    assert {deal_key(d) for d in result["deals"]} == FOUR_DEALS
    by_target = {(d["target"], d["investors"][0]): d for d in result["deals"]}
    meta = by_target[("Scale AI", "Meta")]
    assert (meta["kind"], meta["stake_percent"], meta["status"]) == ("investment", 49, "rumored")
    assert all(d["status"] == "completed" for k, d in by_target.items() if k[1] != "Meta")


# Our own retellings of the same facts, so the behaviour is pinned even where shared/ is absent.
PARAPHRASES = [
    (
        "fr",
        "Meta prêt à miser gros sur Scale AI\n"
        "D'après le site The Information, Meta serait sur le point de prendre 49 % de Scale AI pour "
        "près de 15 milliards de dollars, dans l'espoir de rattraper son retard sur l'AGI. "
        "Scale AI, qui vise environ 2 milliards de dollars de chiffre d'affaires cette année, "
        "a récemment été valorisée 25 milliards de dollars lors d'un rachat d'actions de salariés. "
        "Les rivaux de Meta sont déjà financés : Microsoft a investi 13 milliards de dollars dans OpenAI, "
        "Amazon 8 milliards de dollars dans Anthropic, et Google a placé au moins 3 milliards dans Anthropic.",
    ),
    (
        "en",
        "Meta weighs $15bn bet on Scale AI\n"
        "Meta is reportedly close to paying about $15 billion for a 49% stake in Scale AI, according to "
        "The Information, as Mark Zuckerberg pushes toward artificial general intelligence. Scale AI "
        "expects revenue of roughly $2 billion this year and recently priced a share sale for staff at a "
        "$25 billion valuation. Its rivals are already well funded: Microsoft has invested $13 billion in "
        "OpenAI, Amazon $8 billion in Anthropic, and Google has put at least $3 billion into Anthropic.",
    ),
    (
        "fr",
        "Scale AI : Meta en passe de s'offrir 49 % du capital\n"
        "Meta négocierait l'acquisition de 49 % de Scale AI pour environ 15 milliards de dollars, selon la "
        "presse américaine. Par le passé, Microsoft a injecté 13 milliards de dollars dans OpenAI, "
        "tandis qu'Amazon a investi 8 milliards de dollars dans Anthropic et Google au moins 3 milliards "
        "de dollars dans Anthropic.",
    ),
]


@pytest.mark.parametrize("lang,text", PARAPHRASES, ids=["fr-rumour", "en-reportedly", "fr-negotiates"])
def test_paraphrases_of_the_reference_yield_the_four_deals(matcher, lang, text):
    result = analysis_to_json(analyze(text, matcher, lang))
    assert {deal_key(d) for d in result["deals"]} == FOUR_DEALS
    meta = next(d for d in result["deals"] if d["target"] == "Scale AI")
    assert meta["stake_percent"] == 49
    assert meta["status"] == "rumored"
