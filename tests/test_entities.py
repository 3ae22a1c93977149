"""Entity catalog and matcher: traps, aliases in four languages, spans, phrases, lookups, and
entity F1 on the labelled development set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.core.entities import Catalog, Entity, Matcher, phrase_id

ROOT = Path(__file__).resolve().parent.parent
SEED = Path("/work/shared/seeds/000_debf1df17aec5ca0.txt")

# The canonical names the labelled sets are about (tests/data/corpus-README.md).
WATCHLIST = (
    "Meta", "Scale AI", "AGI", "OpenAI", "Anthropic", "Microsoft", "Google", "Amazon", "Nvidia",
    "Apple", "Mistral AI", "xAI", "Databricks", "Wiz", "Salesforce", "SoftBank", "Perplexity",
    "CoreWeave", "Safe Superintelligence", "Figure AI",
)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.from_toml_text((ROOT / "config/entities.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def matcher(catalog: Catalog) -> Matcher:
    return Matcher(catalog)


def names_in(matcher: Matcher, text: str) -> set[str]:
    return {m.name for m in matcher.find(text)}


# ------------------------------------------------------------------------------------ traps
@pytest.mark.parametrize(
    ("text", "not_expected"),
    [
        ("The metadata of each file is kept for a week.", "Meta"),
        ("A meta-analysis of 40 trials found no effect.", "Meta"),
        ("Meta-analysis of 40 trials finds no effect", "Meta"),
        ("Une méta-analyse relie écrans et sommeil.", "Meta"),
        ("Méta-analyse : les écrans nuisent au sommeil", "Meta"),
        ("Eine Meta-Analyse zeigt keinen Effekt.", "Meta"),
        ("Patch 14.2 shakes up the meta of the game.", "Meta"),
        ("Taxpayers whose adjusted gross income (AGI) was $84,000 can file free; above that AGI they pay.", "AGI"),
        ("We deploy AI at scale across every team.", "Scale AI"),
        ("Scale-up founders want AI that works at scale.", "Scale AI"),
        ("Nscale raises $1.1bn for AI data centres in Europe.", "Scale AI"),
        ("Satellites track deforestation in the Amazon rainforest.", "Amazon"),
        ("The Amazon river basin lost more trees this year.", "Amazon"),
        ("Amazon deforestation hit a record, satellites show; the Amazon's tribes protest.", "Amazon"),
        ("La forêt amazonienne recule encore.", "Amazon"),
        ("She ate an apple and a pear.", "Apple"),
        ("Apple harvest in Normandy: orchards hit by frost", "Apple"),
        ("Le mistral souffle fort sur Marseille.", "Mistral AI"),
        ("Mistral : le vent refroidit les datacenters marseillais", "Mistral AI"),
        ("XAI, or explainable AI, makes model decisions readable.", "xAI"),
        ("Researchers measure the perplexity of language models.", "Perplexity"),
        ("The sales force of the company grew to 300 people.", "Salesforce"),
        ("It is a figure Musk described as inflated.", "Figure AI"),
        ("Brookfield et Intel Capital figurent parmi les participants.", "Figure AI"),
        ("Figma prepares its IPO filing.", "Figure AI"),
        ("Engineers want safe superintelligence before anything else.", "Safe Superintelligence"),
        ("Safe superintelligence remains a distant goal, researchers say.", "Safe Superintelligence"),
        ("Meta launches a superintelligence lab.", "AGI"),
        ("IAG, la maison mère de British Airways et d'Iberia, commande des avions.", "AGI"),
        ("Wiz Khalifa headlines the festival.", "Wiz"),
        ("A data-driven approach at SoftBanking? No: Softbanks is not a word.", "SoftBank"),
        ("Applesauce and pineapple sales rose.", "Apple"),
        ("The intelligence community reviewed the tool.", "Intel"),
        ("Über 100 Millionen Nutzer zahlen bereits.", "Uber"),
    ],
)
def test_trap_words_do_not_match(matcher: Matcher, text: str, not_expected: str) -> None:
    assert not_expected not in names_in(matcher, text)


# --------------------------------------------------------------------- aliases, 4 languages
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Meta Platforms agreed to invest in the startup.", "Meta"),
        ("Facebook's parent is in talks.", "Meta"),
        ("La maison mère de Facebook entrerait au capital.", "Meta"),
        ("Der Facebook-Mutterkonzern investiert Milliarden.", "Meta"),
        ("La matriz de Facebook compra una participación.", "Meta"),
        ("Alphabet agrees to buy Wiz.", "Google"),
        ("Google DeepMind unveils a new model.", "Google"),
        ("AWS becomes the primary training partner.", "Amazon"),
        ("Amazon Web Services signs a deal.", "Amazon"),
        ("The ChatGPT maker raised again.", "OpenAI"),
        ("The ChatGPT developer's largest backer is Microsoft.", "OpenAI"),
        ("Le créateur de ChatGPT rachète io.", "OpenAI"),
        ("Der ChatGPT-Entwickler sammelt Geld ein.", "OpenAI"),
        ("El creador de ChatGPT cierra una ronda.", "OpenAI"),
        ("Claude developer Anthropic has raised money.", "Anthropic"),
        ("Le concepteur de l'assistant Claude lève des fonds.", "Anthropic"),
        ("The Grok developer bought the social network.", "xAI"),
        ("La compañía de Cupertino nunca ha pagado tanto.", "Apple"),
        ("L'ancien designer d'Apple rejoint la start-up.", "Apple"),
        ("Der iPhone-Hersteller prüft eine Übernahme.", "Apple"),
        ("Safe Superintelligence (SSI) raised $2bn.", "Safe Superintelligence"),
        ("SSI, founded by Ilya Sutskever, raised $2bn.", "Safe Superintelligence"),
        ("NVentures joined the round.", "Nvidia"),
        ("Salesforce Ventures joined the round.", "Salesforce"),
        ("The SoftBank Vision Fund led the round.", "SoftBank"),
        ("SoftBank-Chef Masayoshi Son spricht von Superintelligenz.", "SoftBank"),
        ("on the road to artificial general intelligence", "AGI"),
        ("vers l'intelligence artificielle générale", "AGI"),
        ("vers l’intelligence artificielle generale", "AGI"),
        ("toute déclaration d'IAG faite par OpenAI", "AGI"),
        ("auf dem Weg zur allgemeinen künstlichen Intelligenz", "AGI"),
        ("la carrera hacia la inteligencia artificial general", "AGI"),
        ("Meta wants to reach AGI first.", "AGI"),
        ("Figure AI valorisée 39 milliards de dollars", "Figure AI"),
        ("Mistral AI lève 1,7 milliard d'euros", "Mistral AI"),
        ("Mistral says the models reason natively.", "Mistral AI"),
        ("Elon Musk's xAI acquired X.", "xAI"),
        ("CoreWeave began trading on the Nasdaq.", "CoreWeave"),
        ("Perplexity is in talks to raise $500M.", "Perplexity"),
        ("Databricks completes its Series J.", "Databricks"),
        ("META shares rose 3% after the deal.", "Meta"),
        ("NVIDIA REPORTS RECORD QUARTER", "Nvidia"),
        ("Microsoft hat 13 Milliarden investiert.", "Microsoft"),
    ],
)
def test_aliases_resolve_to_the_canonical_entity(matcher: Matcher, text: str, expected: str) -> None:
    assert expected in names_in(matcher, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Meta-owned Instagram adds a feature.", "Meta"),  # hyphen after the name
        ("Meta’s chief executive spoke.", "Meta"),  # typographic apostrophe
        ("Meta's chief executive spoke.", "Meta"),
        ("Nvidia-backed CoreWeave went public.", "Nvidia"),
        ("qu’Amazon demeure le principal soutien", "Amazon"),  # elided French article
        ("l'IAG d'OpenAI", "OpenAI"),
        ("(Scale AI)", "Scale AI"),
        ("Nvidia schließt Übernahme von Run:ai ab", "Run:ai"),
        ("Weights & Biases joins CoreWeave", "Weights & Biases"),
    ],
)
def test_hyphens_apostrophes_and_punctuation_are_word_boundaries(
    matcher: Matcher, text: str, expected: str
) -> None:
    assert expected in names_in(matcher, text)


def test_punctuation_inside_a_name_is_required(matcher: Matcher) -> None:
    assert "Run:ai" not in names_in(matcher, "Companies run AI agents at night.")


# ------------------------------------------------------------------------ spans and overlaps
def test_spans_point_into_the_original_text(matcher: Matcher) -> None:
    text = "Déjà « Meta » et l’équipe de Scale AI : Meta-owned, Safe Superintelligence (SSI)."
    found = matcher.find(text)
    assert [(m.name, m.text) for m in found] == [
        ("Meta", "Meta"),
        ("Scale AI", "Scale AI"),
        ("Meta", "Meta"),
        ("Safe Superintelligence", "Safe Superintelligence"),
        ("Safe Superintelligence", "SSI"),
    ]
    for m in found:
        assert text[m.start : m.end] == m.text
    assert [m.start for m in found] == sorted(m.start for m in found)


def test_span_offsets_survive_characters_outside_latin1(matcher: Matcher) -> None:
    text = "Œuvre — “漢字” puis Nvidia."
    (match,) = matcher.find(text)
    assert text[match.start : match.end] == "Nvidia"


@pytest.mark.parametrize(
    ("text", "expected", "absent"),
    [
        ("Safe Superintelligence raised $2bn.", "Safe Superintelligence", "Superintelligence"),
        ("Mistral AI released a model.", "Mistral AI", None),
        ("La maison mère de Facebook investit.", "Meta", "Facebook"),
    ],
)
def test_a_longer_match_hides_the_shorter_one_inside_it(
    matcher: Matcher, text: str, expected: str, absent: str | None
) -> None:
    found = matcher.find(text)
    assert expected in {m.name for m in found}
    if absent:
        assert absent not in {m.name for m in found}
    assert len([m for m in found if m.name == expected]) == 1


def test_partly_overlapping_matches_are_both_kept(matcher: Matcher) -> None:
    found = matcher.find("Scale AI agents label data.")
    assert [(m.name, m.text) for m in found] == [("Scale AI", "Scale AI"), ("AI agents", "AI agents")]


def test_superintelligence_is_its_own_concept_not_agi(matcher: Matcher) -> None:
    assert names_in(matcher, "Meta bets on superintelligence.") == {"Meta", "Superintelligence"}


# ------------------------------------------------------------------------------ free phrases
def test_free_phrases_match_as_whole_words_in_any_case(catalog: Catalog) -> None:
    matcher = Matcher(catalog, ["Verdefy", "tidewater climate fund"])
    found = matcher.find("Verdefy raised $12M led by Tidewater Climate Fund; Verdefyx is unrelated.")
    assert [(m.entity_id, m.name, m.text) for m in found] == [
        ("phrase:verdefy", "Verdefy", "Verdefy"),
        ("phrase:tidewater climate fund", "tidewater climate fund", "Tidewater Climate Fund"),
    ]


def test_a_free_phrase_still_matches_inside_a_catalog_name(catalog: Catalog) -> None:
    found = Matcher(catalog, ["Scale"]).find("Scale AI hires.")
    assert {m.entity_id for m in found} == {"scale-ai", "phrase:scale"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hugging Face", "phrase:hugging face"),
        ("  Hugging   FACE ", "phrase:hugging face"),
        ("Société Générale", "phrase:societe generale"),
        ("L’Oréal", "phrase:l'oreal"),
    ],
)
def test_phrase_id_is_normalised(text: str, expected: str) -> None:
    assert phrase_id(text) == expected


# ---------------------------------------------------------------------------- catalog lookups
def test_catalog_is_large_enough_and_holds_the_watchlist(catalog: Catalog) -> None:
    assert len(catalog) >= 150
    assert {e.name for e in catalog} >= set(WATCHLIST)


def test_every_name_resolves_to_its_own_entity(catalog: Catalog) -> None:
    wrong = [(n, e.id) for e in catalog for n in e.names if catalog.resolve(n) is not e]
    assert wrong == []


def test_every_matchable_alias_is_found_in_text_as_written(catalog: Catalog, matcher: Matcher) -> None:
    # Exclusions and ambiguous contexts only cancel in context; a bare alias must match.
    missing = [
        (name, entity.id)
        for entity in catalog
        for name in entity.matchable_names
        if all(ord(c) < 256 for c in name)
        and entity.id not in {m.entity_id for m in matcher.find(f"News: {name} today.")}
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Meta", "meta"),
        ("meta platforms", "meta"),
        ("META", "meta"),
        ("Méta", "meta"),
        ("facebook’s parent", "meta"),
        ("alphabet", "google"),
        ("AAPL", "apple"),
        ("nvda", "nvidia"),
        ("SSI", "ssi"),
        ("scale", "scale-ai"),
        ("Claude", "anthropic"),
        ("intelligence artificielle generale", "agi"),
        ("mistral-ai", "mistral-ai"),
        ("Hugging Face", "hugging-face"),
    ],
)
def test_resolve_forgives_case_accents_and_apostrophes(catalog: Catalog, query: str, expected: str) -> None:
    entity = catalog.resolve(query)
    assert entity is not None and entity.id == expected


@pytest.mark.parametrize("query", ["", "Verdefy", "the meta of the game"])
def test_resolve_returns_none_for_unknown_names(catalog: Catalog, query: str) -> None:
    assert catalog.resolve(query) is None


@pytest.mark.parametrize(
    ("prefix", "expected_first"),
    [("sc", "Scale AI"), ("ope", "OpenAI"), ("méta", "Meta"), ("SOFT", "SoftBank")],
)
def test_suggest_puts_names_starting_with_the_prefix_first(
    catalog: Catalog, prefix: str, expected_first: str
) -> None:
    suggestions = catalog.suggest(prefix)
    assert suggestions[0] == expected_first
    assert len(suggestions) <= 25


def test_suggest_finds_entities_by_alias_and_respects_the_limit(catalog: Catalog) -> None:
    assert "Google" in catalog.suggest("alphab")
    assert len(catalog.suggest("", limit=5)) == 5
    assert catalog.suggest("zzzz") == []


def test_describe_says_what_the_entity_is(catalog: Catalog) -> None:
    text = catalog.describe(catalog.resolve("Meta"))
    assert text.startswith("Meta (company): Meta Platforms, Facebook's parent")
    assert "META" in text


@pytest.mark.parametrize(
    ("toml", "error"),
    [
        ('[[entity]]\nid = "a"\nname = "A"\nkind = "planet"\n', "kind"),
        ('[[entity]]\nid = "a"\nkind = "company"\n', "name"),
        ('[[entity]]\nid = "a"\nname = "A"\nkind = "company"\n[[entity]]\nid = "a"\nname = "B"\nkind = "company"\n', "duplicate"),
        ('[[entity]]\nid = "a"\nname = "Acme"\nkind = "company"\n[[entity]]\nid = "b"\nname = "ACME"\nkind = "company"\n', "two entities"),
        ('[[entity]]\nid = "a"\nname = "A"\nkind = "company"\naliases.it = ["Ah"]\n', "aliases"),
    ],
)
def test_bad_catalogs_are_rejected_with_a_reason(toml: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        Catalog.from_toml_text(toml)


def test_catalog_rules_work_on_a_small_catalog() -> None:
    catalog = Catalog.from_toml_text(
        '[[entity]]\nid = "acme"\nname = "Acme"\nkind = "company"\nmakes = ["Widget"]\n'
        'exclude = ["Acme Corner*"]\n'
    )
    entity = catalog.resolve("Widget maker")
    assert isinstance(entity, Entity) and entity.id == "acme"
    matcher = Matcher(catalog)
    assert [m.text for m in matcher.find("Acme and the Widget maker; Acme Cornerstone; acme.")] == [
        "Acme",
        "Widget maker",
    ]


# ------------------------------------------------------------------------ reference and F1
def test_reference_article_yields_its_entities(matcher: Matcher) -> None:
    if not SEED.exists():
        pytest.skip("shared seed not available")
    found = names_in(matcher, SEED.read_text(encoding="utf-8"))
    assert found >= {"Meta", "Scale AI", "AGI", "OpenAI", "Google", "Microsoft", "Anthropic"}


def test_entity_f1_on_the_development_set(matcher: Matcher) -> None:
    items = json.loads((ROOT / "tests/data/dev.json").read_text(encoding="utf-8"))
    true_pos = false_pos = false_neg = 0
    for item in items:
        text = f"{item['title']}\n{item['summary']}" if item["summary"] else item["title"]
        predicted = names_in(matcher, text) & set(WATCHLIST)
        gold = set(item["gold"]["entities"])
        true_pos += len(predicted & gold)
        false_pos += len(predicted - gold)
        false_neg += len(gold - predicted)
    precision = true_pos / (true_pos + false_pos)
    recall = true_pos / (true_pos + false_neg)
    f1 = 2 * precision * recall / (precision + recall)
    print(f"entity P={precision:.3f} R={recall:.3f} F1={f1:.3f} on {len(items)} items")
    assert f1 >= 0.97
