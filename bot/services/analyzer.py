"""The analysis as the services use it: one matcher over the catalog plus the free phrases
channels watch, rebuilt only when that set of phrases changes."""

from __future__ import annotations

from collections.abc import Iterable

from bot.core.analysis import analysis_to_json, analyze
from bot.core.language import guess_language
from bot.core.entities import Catalog, Matcher, phrase_id
from bot.core.model import Analysis, Entry


class Analyzer:
    def __init__(self, catalog: Catalog, phrases: Iterable[str] = ()) -> None:
        self.catalog = catalog
        self._phrases: frozenset[str] = frozenset()
        self.matcher = Matcher(catalog)
        self.set_phrases(phrases)

    def set_phrases(self, phrases: Iterable[str]) -> None:
        phrases = frozenset(p for p in phrases if p)
        if phrases != self._phrases:
            self._phrases = phrases
            self.matcher = Matcher(self.catalog, sorted(phrases))

    def add_phrase(self, phrase: str) -> None:
        self.set_phrases(self._phrases | {phrase})

    def entry_lang(self, entry: Entry) -> str | None:
        """The feed's word for the entry's language, else a guess from its text."""
        return entry.lang or guess_language(entry.text)

    def analyze_entry(self, entry: Entry) -> Analysis:
        return analyze(entry.text, self.matcher, self.entry_lang(entry))

    def to_json(self, analysis: Analysis) -> dict:
        return analysis_to_json(analysis)

    def resolve(self, query: str) -> tuple[str, str]:
        """(entity id, display name) for a watch request: a catalog entity when the catalog
        knows the name, else the literal phrase."""
        entity = self.catalog.resolve(query)
        if entity is not None:
            return entity.id, entity.name
        phrase = " ".join(query.split())
        return phrase_id(phrase), phrase
