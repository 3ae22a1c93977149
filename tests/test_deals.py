"""Deal rules, sentence by sentence, in English, French, German and Spanish.

Inputs are built by hand (entity matches, amounts, percents at their real offsets) so these
tables test the deal rules alone, whatever the catalog and the figure extractor do.
"""

from __future__ import annotations

import re

import pytest

from bot.core.deals import find_deals, has_deal_cue
from bot.core.model import Amount, EntityMatch, Percent

# Names the hand-made "catalog" knows: surface -> canonical.
KNOWN = {
    "Meta": "Meta",
    "Meta Platforms": "Meta",
    "Google": "Google",
    "Alphabet": "Google",
    "Microsoft": "Microsoft",
    "OpenAI": "OpenAI",
    "Anthropic": "Anthropic",
    "Amazon": "Amazon",
    "Nvidia": "Nvidia",
    "Apple": "Apple",
    "SoftBank": "SoftBank",
    "Mistral AI": "Mistral AI",
    "Scale AI": "Scale AI",
    "Salesforce": "Salesforce",
    "Databricks": "Databricks",
    "Intel": "Intel",
}


def entity_matches(text: str) -> list[EntityMatch]:
    found: list[EntityMatch] = []
    for surface in sorted(KNOWN, key=len, reverse=True):
        for m in re.finditer(rf"(?<!\w){re.escape(surface)}(?!\w)", text):
            if any(m.start() < e.end and e.start < m.end() for e in found):
                continue
            found.append(EntityMatch(surface.lower(), KNOWN[surface], surface, m.start(), m.end()))
    return sorted(found, key=lambda e: e.start)


def amounts_in(text: str, specs: list[tuple[str, int, str]]) -> list[Amount]:
    out = []
    for surface, value, currency in specs:
        start = text.index(surface)
        out.append(Amount(value, currency, surface, start, start + len(surface)))
    return out


def percents_in(text: str, specs: list[tuple[str, float]]) -> list[Percent]:
    out = []
    for surface, value in specs:
        start = text.index(surface)
        out.append(Percent(value, surface, start, start + len(surface)))
    return out


def deals_of(text: str, lang: str, money=(), pct=()):
    return find_deals(text, entity_matches(text), amounts_in(text, list(money)), percents_in(text, list(pct)), lang)


def summary(deals) -> set[tuple]:
    return {(d.kind, frozenset(d.investors), d.target, d.amount.value if d.amount else None) for d in deals}


B = 1_000_000_000
M = 1_000_000

# (id, lang, text, amounts, expected {(kind, investors, target, amount)})
KINDS_AND_DIRECTION = [
    ("en-invest", "en", "Microsoft will invest $2 billion in Acme Robotics, the companies said.",
     [("$2 billion", 2 * B, "USD")], {("investment", frozenset({"Microsoft"}), "Acme Robotics", 2 * B)}),
    ("en-acquire", "en", "Salesforce agreed to acquire data startup Tableaux Labs for $1.2bn in cash.",
     [("$1.2bn", 1200 * M, "USD")], {("acquisition", frozenset({"Salesforce"}), "Tableaux Labs", 1200 * M)}),
    ("en-passive", "en", "Quantix was acquired by Nvidia for $700 million in a deal that closed on Monday.",
     [("$700 million", 700 * M, "USD")], {("acquisition", frozenset({"Nvidia"}), "Quantix", 700 * M)}),
    ("en-noun", "en", "Apple confirmed its acquisition of Darkroom Audio for $400 million.",
     [("$400 million", 400 * M, "USD")], {("acquisition", frozenset({"Apple"}), "Darkroom Audio", 400 * M)}),
    ("en-round", "en", "Helix Bio raised $150 million in a Series C led by Sequoia Capital, with participation from Nvidia and Index Ventures.",
     [("$150 million", 150 * M, "USD")],
     {("funding_round", frozenset({"Sequoia Capital", "Nvidia", "Index Ventures"}), "Helix Bio", 150 * M)}),
    ("en-stake", "en", "Amazon bought a 10% stake in Rivian Motors for $500 million.",
     [("$500 million", 500 * M, "USD")], {("investment", frozenset({"Amazon"}), "Rivian Motors", 500 * M)}),
    ("en-pay-for", "en", "Google will pay $2.1 billion for Fitness Tracker Co, people close to the deal said.",
     [("$2.1 billion", 2100 * M, "USD")], {("acquisition", frozenset({"Google"}), "Fitness Tracker Co", 2100 * M)}),
    ("fr-invest", "fr", "Nvidia a investi 500 millions d'euros dans la start-up française Kyutai Labs.",
     [("500 millions d'euros", 500 * M, "EUR")], {("investment", frozenset({"Nvidia"}), "Kyutai Labs", 500 * M)}),
    ("fr-rachat", "fr", "Le groupe Capgemini annonce le rachat de WNS pour 3,3 milliards de dollars.",
     [("3,3 milliards de dollars", 3300 * M, "USD")], {("acquisition", frozenset({"Capgemini"}), "WNS", 3300 * M)}),
    ("fr-leve", "fr", "La jeune pousse Pigment lève 145 millions de dollars lors d'un tour mené par ICONIQ.",
     [("145 millions de dollars", 145 * M, "USD")], {("funding_round", frozenset({"ICONIQ"}), "Pigment", 145 * M)}),
    ("fr-enumeration", "fr", "Microsoft a investi 10 milliards de dollars dans OpenAI, Amazon 4 milliards de dollars dans Anthropic.",
     [("10 milliards de dollars", 10 * B, "USD"), ("4 milliards de dollars", 4 * B, "USD")],
     {("investment", frozenset({"Microsoft"}), "OpenAI", 10 * B), ("investment", frozenset({"Amazon"}), "Anthropic", 4 * B)}),
    ("de-uebernahme", "de", "Der Softwarekonzern SAP übernimmt den Berliner Anbieter LeanIX für 1,2 Milliarden Euro.",
     [("1,2 Milliarden Euro", 1200 * M, "EUR")], {("acquisition", frozenset({"SAP"}), "LeanIX", 1200 * M)}),
    ("de-invest", "de", "Nvidia investiert 500 Millionen US-Dollar in Aleph Alpha.",
     [("500 Millionen US-Dollar", 500 * M, "USD")], {("investment", frozenset({"Nvidia"}), "Aleph Alpha", 500 * M)}),
    ("de-runde", "de", "Das Münchner Start-up Helsing sammelt 600 Millionen Euro in einer Finanzierungsrunde ein, angeführt von General Catalyst.",
     [("600 Millionen Euro", 600 * M, "EUR")], {("funding_round", frozenset({"General Catalyst"}), "Helsing", 600 * M)}),
    ("es-adquiere", "es", "Telefónica adquiere la tecnológica Cibersur por 300 millones de euros.",
     [("300 millones de euros", 300 * M, "EUR")], {("acquisition", frozenset({"Telefónica"}), "Cibersur", 300 * M)}),
    ("es-invierte", "es", "Microsoft invierte 1.500 millones de dólares en G42, según un comunicado.",
     [("1.500 millones de dólares", 1500 * M, "USD")], {("investment", frozenset({"Microsoft"}), "G42", 1500 * M)}),
    ("es-ronda", "es", "La startup Clibrain capta 20 millones de euros en una ronda liderada por Kibo Ventures.",
     [("20 millones de euros", 20 * M, "EUR")], {("funding_round", frozenset({"Kibo Ventures"}), "Clibrain", 20 * M)}),
    ("es-ipo", "es", "Cabify prepara su salida a bolsa para captar 400 millones de euros.",
     [("400 millones de euros", 400 * M, "EUR")], {("ipo", frozenset(), "Cabify", 400 * M)}),
]


@pytest.mark.parametrize("lang,text,money,expected", [c[1:] for c in KINDS_AND_DIRECTION], ids=[c[0] for c in KINDS_AND_DIRECTION])
def test_kind_parties_and_amount(lang, text, money, expected):
    assert summary(deals_of(text, lang, money)) == expected


NOT_DEALS = [
    ("en-revenue", "en", "Nvidia reported revenue of $30 billion for the quarter, up 122%.", [("$30 billion", 30 * B, "USD")]),
    ("en-fine", "en", "The EU fined Apple $2 billion over music streaming rules.", [("$2 billion", 2 * B, "USD")]),
    ("en-rejected", "en", "Wiz rejected a $23 billion offer from Google last year.", [("$23 billion", 23 * B, "USD")]),
    ("en-cloud-contract", "en", "OpenAI agreed to buy $300 billion of cloud computing capacity from Oracle.", [("$300 billion", 300 * B, "USD")]),
    ("en-pledge", "en", "Apple pledged to invest $500 billion in the United States over four years.", [("$500 billion", 500 * B, "USD")]),
    ("en-existing-stake", "en", "Microsoft holds a stake worth about $135 billion in OpenAI.", [("$135 billion", 135 * B, "USD")]),
    ("fr-ca", "fr", "Mistral AI vise un chiffre d'affaires de 100 millions d'euros en 2025.", [("100 millions d'euros", 100 * M, "EUR")]),
    ("fr-abandon", "fr", "Le projet de rachat de Figma par Adobe pour 20 milliards de dollars a été abandonné.", [("20 milliards de dollars", 20 * B, "USD")]),
    ("de-umsatz", "de", "SAP steigerte den Umsatz auf 8,5 Milliarden Euro.", [("8,5 Milliarden Euro", 8500 * M, "EUR")]),
    ("de-strafe", "de", "Die EU-Kommission verhängte eine Strafe von 1,8 Milliarden Euro gegen Apple.", [("1,8 Milliarden Euro", 1800 * M, "EUR")]),
    ("es-multa", "es", "Bruselas impone a Meta una multa de 800 millones de euros.", [("800 millones de euros", 800 * M, "EUR")]),
    ("es-rechaza", "es", "Intel rechazó la oferta de compra de 20.000 millones de dólares de Qualcomm.", [("20.000 millones de dólares", 20 * B, "USD")]),
    ("no-cue", "en", "Meta shares rose 3% to $600 after the keynote.", [("$600", 600, "USD")]),
]


@pytest.mark.parametrize("lang,text,money", [c[1:] for c in NOT_DEALS], ids=[c[0] for c in NOT_DEALS])
def test_money_that_is_not_a_deal(lang, text, money):
    assert deals_of(text, lang, money) == []


STATUS = [
    ("en-reportedly", "en", "Meta is reportedly in talks to invest $10 billion in Scale AI.", "rumored"),
    ("en-according", "en", "Apple will acquire Perplexity Labs for $10 billion, according to Bloomberg.", "rumored"),
    ("en-announced", "en", "Meta will invest $10 billion in Scale AI, the company said on Friday.", "announced"),
    ("en-completed", "en", "Meta has invested $10 billion in Scale AI.", "completed"),
    ("en-closed", "en", "Salesforce closed its $10 billion acquisition of Informatica Inc on Monday.", "completed"),
    ("fr-selon", "fr", "Selon Les Echos, Meta aurait investi 10 milliards de dollars dans Scale AI.", "rumored"),
    ("fr-annonce", "fr", "Meta va investir 10 milliards de dollars dans Scale AI.", "announced"),
    ("fr-finalise", "fr", "Meta a finalisé son investissement : il a investi 10 milliards de dollars dans Scale AI.", "completed"),
    ("de-soll", "de", "Meta soll 10 Milliarden US-Dollar in Scale AI investieren.", "rumored"),
    ("de-abgeschlossen", "de", "Meta hat 10 Milliarden US-Dollar in Scale AI investiert.", "completed"),
    ("es-estaria", "es", "Meta estaría negociando invertir 10.000 millones de dólares en Scale AI.", "rumored"),
    ("es-anuncia", "es", "Meta invertirá 10.000 millones de dólares en Scale AI.", "announced"),
    # the conditional mood of the cue verb itself is hearsay
    ("fr-prendrait", "fr", "Meta prendrait 49 % de Scale AI pour 10 milliards de dollars.", "rumored"),
    ("fr-racheterait", "fr", "Meta rachèterait Scale AI pour 10 milliards de dollars.", "rumored"),
    ("es-tomaria", "es", "Meta tomaría el 49 % de Scale AI por 10.000 millones de dólares.", "rumored"),
    ("de-wuerde", "de", "Meta würde 49 Prozent an Scale AI für 10 Milliarden US-Dollar kaufen.", "rumored"),
]

# Talks over a stake, said with the stake noun after the talks verb, in each language: one rumored
# investment Meta -> Scale AI with its price and percentage.
STAKE_TALKS = [
    ("fr-negocierait", "fr", "Meta négocierait une prise de participation de 49 % dans Scale AI pour environ "
     "15 milliards de dollars, selon la presse américaine.", "15 milliards de dollars", "49 %"),
    ("fr-negocie", "fr", "Meta négocie une participation de 49 % dans Scale AI pour environ 15 milliards de dollars.",
     "15 milliards de dollars", "49 %"),
    ("en-negotiating", "en", "Meta is negotiating a 49% stake in Scale AI for about $15bn.", "$15bn", "49%"),
    ("de-verhandelt", "de", "Meta verhandelt über eine Beteiligung von 49 Prozent an Scale AI für rund 15 Milliarden Dollar.",
     "15 Milliarden Dollar", "49 Prozent"),
    ("de-soll-verb-last", "de", "Meta soll 49 Prozent an Scale AI für 15 Milliarden Dollar übernehmen.",
     "15 Milliarden Dollar", "49 Prozent"),
    ("es-negocia", "es", "Meta negocia una participación del 49 % en Scale AI por unos 15.000 millones de dólares.",
     "15.000 millones de dólares", "49 %"),
    ("es-estaria-comprando", "es", "Meta estaría comprando el 49 % de Scale AI por 15.000 millones de dólares.",
     "15.000 millones de dólares", "49 %"),
]


@pytest.mark.parametrize("lang,text,money,pct", [c[1:] for c in STAKE_TALKS], ids=[c[0] for c in STAKE_TALKS])
def test_talks_over_a_stake_give_a_rumored_investment(lang, text, money, pct):
    (deal,) = deals_of(text, lang, [(money, 15 * B, "USD")], [(pct, 49)])
    assert (deal.kind, deal.investors, deal.target, deal.amount.value, deal.stake_percent, deal.status) == (
        "investment", ("Meta",), "Scale AI", 15 * B, 49, "rumored")


def test_talks_over_selling_a_stake_are_no_purchase():
    assert deals_of("Meta is negotiating a stake sale in Scale AI.", "en") == []


@pytest.mark.parametrize("lang,text,money,expected", [
    ("fr", "Salesforce s'empare d'Informatica pour environ 8 milliards de dollars.", ("8 milliards de dollars", 8 * B),
     ("acquisition", ("Salesforce",), "Informatica", 8 * B)),
    ("es", "Nvidia se ha hecho con Run:ai por unos 700 millones de dólares.", ("700 millones de dólares", 700 * M),
     ("acquisition", ("Nvidia",), "Run:ai", 700 * M)),
    ("en", "Nvidia is buying a 4% stake in Mistral AI worth about €500 million.", ("€500 million", 500 * M),
     ("investment", ("Nvidia",), "Mistral AI", 500 * M)),
])
def test_more_ways_to_say_a_purchase(lang, text, money, expected):
    (deal,) = deals_of(text, lang, [(money[0], money[1], "USD")])
    assert (deal.kind, deal.investors, deal.target, deal.amount.value) == expected


@pytest.mark.parametrize("lang,text,status", [c[1:] for c in STATUS], ids=[c[0] for c in STATUS])
def test_status(lang, text, status):
    money = re.search(r"\$10 billion|10 milliards de dollars|10 Milliarden US-Dollar|10\.000 millones de dólares", text).group()
    pct = re.search(r"49 %|49 Prozent", text)
    deals = deals_of(text, lang, [(money, 10 * B, "USD")], [(pct.group(), 49)] if pct else [])
    assert [d.status for d in deals] == [status]


def test_stake_and_valuation_attach_to_the_investment():
    text = "Meta Platforms agreed to invest $14 billion in Scale AI for a 49% stake, valuing the startup at $29 billion."
    (deal,) = deals_of(text, "en", [("$14 billion", 14 * B, "USD"), ("$29 billion", 29 * B, "USD")], [("49%", 49)])
    assert (deal.investors, deal.target, deal.stake_percent) == (("Meta",), "Scale AI", 49)
    assert deal.amount.value == 14 * B and deal.valuation.value == 29 * B


def test_follow_up_sentences_name_the_round_investors():
    text = (
        "Lumen Robotics has raised $300 million at a $3 billion valuation. "
        "Thrive Capital led the round, which also drew Nvidia and General Catalyst. "
        "Alphabet and Accel participated as well."
    )
    (deal,) = deals_of(text, "en", [("$300 million", 300 * M, "USD"), ("$3 billion", 3 * B, "USD")])
    assert deal.kind == "funding_round" and deal.target == "Lumen Robotics"
    assert set(deal.investors) == {"Thrive Capital", "Nvidia", "General Catalyst", "Google", "Accel"}
    assert deal.lead_investors == ("Thrive Capital",)
    assert deal.valuation.value == 3 * B


def test_title_repeating_the_body_gives_one_deal():
    text = "Nvidia buys Run:ai for $700M\nNvidia has acquired Israeli startup Run:ai for $700M, the companies said."
    deals = deals_of(text, "en", [("$700M", 700 * M, "USD")])
    assert summary(deals) == {("acquisition", frozenset({"Nvidia"}), "Run:ai", 700 * M)}
    assert deals[0].status == "completed"


def test_price_in_the_next_sentence():
    text = "CoreWeave a annoncé le rachat de Weights & Biases. Le montant serait d'environ 1,7 milliard de dollars."
    (deal,) = deals_of(text, "fr", [("1,7 milliard de dollars", 1700 * M, "USD")])
    assert (deal.kind, deal.investors, deal.target, deal.amount.value) == ("acquisition", ("CoreWeave",), "Weights & Biases", 1700 * M)


def test_earlier_tranche_is_its_own_completed_deal():
    text = "Google va investir 1 milliard de dollars dans Anthropic, qui s'ajoutent aux 2 milliards de dollars déjà investis."
    deals = deals_of(text, "fr", [("1 milliard de dollars", B, "USD"), ("2 milliards de dollars", 2 * B, "USD")])
    assert {(d.amount.value, d.status) for d in deals} == {(B, "announced"), (2 * B, "completed")}


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Acme raises $5M seed round", True),
        ("Le groupe rachète son concurrent", True),
        ("Die Bank übernimmt den Konkurrenten", True),
        ("La empresa adquiere una rival", True),
        ("Apple unveils a new iPhone with a faster chip", False),
        ("Le mistral souffle sur Marseille", False),
    ],
)
def test_deal_cue_prefilter(text, expected):
    assert has_deal_cue(text) is expected


def test_no_cue_means_no_work_and_no_deal():
    text = "Nvidia unveiled a $3,000 desktop computer for AI developers."
    assert deals_of(text, "en", [("$3,000", 3000, "USD")]) == []
