"""Language guess: short sentences in each language, hints, and every dev.json item."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.core.language import guess_language

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("text, expected", [
    ("Meta buys a stake in Scale AI", "en"),
    ("Anthropic raises $3.5 billion in a round led by Lightspeed", "en"),
    ("The company said it will spend the money on compute.", "en"),
    ("Meta rachète une part de Scale AI", "fr"),
    ("Mistral AI lève 1,7 milliard d'euros", "fr"),
    ("La start-up a bouclé une série C menée par ASML.", "fr"),
    ("Meta kauft Anteile an Scale AI", "de"),
    ("Nvidia schließt Übernahme von Run:ai ab", "de"),
    ("Der Kaufpreis soll bei rund 700 Millionen US-Dollar liegen.", "de"),
    ("Meta compra una participación en Scale AI", "es"),
    ("SoftBank invertirá 2.000 millones de dólares en Intel", "es"),
    ("La compañía nunca ha pagado más por una adquisición.", "es"),
])
def test_short_sentences(text, expected):
    assert guess_language(text) == expected


@pytest.mark.parametrize("text, hint, expected", [
    ("OpenAI", "fr", "fr"),  # nothing to go on: the hint
    ("Nvidia und AMD", "fr", "fr"),  # one word is too little to overrule a hint
    ("OpenAI", None, None),
    ("", None, None),
    ("Scale AI", "fr-FR", "fr"),  # feeds write regional tags
    ("Scale AI", "EN_us", "en"),
    # Enough text overrules a wrong hint (an English story in a French feed).
    ("Meta has agreed to invest in the startup, which was valued at $29bn.", "fr", "en"),
])
def test_hint_is_used_when_the_text_cannot_tell(text, hint, expected):
    assert guess_language(text, hint) == expected


def test_every_dev_item():
    items = json.loads((DATA / "dev.json").read_text(encoding="utf-8"))
    wrong = [(i["id"], guess_language(f"{i['title']}\n{i['summary']}"), i["lang"])
             for i in items
             if guess_language(f"{i['title']}\n{i['summary']}") != i["lang"]]
    assert wrong == []


def test_every_dev_summary_alone():
    items = json.loads((DATA / "dev.json").read_text(encoding="utf-8"))
    assert [i["id"] for i in items if guess_language(i["summary"]) != i["lang"]] == []
