"""The entity catalog and the matcher that finds catalog entities (and free phrases) in text.

Pure: the catalog is parsed from TOML *text*; reading the file is the caller's job.

Matching rules, in the order they are applied to each automaton hit:

1. Whole words. A name must not be glued to letters or digits on either side; hyphens,
   apostrophes and punctuation are boundaries, so "Meta-owned" and "d'Apple" match while
   "metadata" and "Nscale" do not.
2. Case. By default every capital letter of a catalog name must be a capital in the text
   ("Apple" matches "Apple" and "APPLE", never "apple"; a name written in lower case in the
   catalog, like "artificial general intelligence", matches any case). Entities with
   `case_sensitive = false` match in any case; names listed in `exact_case` must match letter for
   letter ("xAI" is not "XAI", explainable AI). Accents and apostrophe styles never matter.
3. Exclusions. `exclude` phrases (any case) cancel a match of the same entity that lies inside
   them ("Amazon rainforest"); a trailing `*` lets the phrase end inside a word ("meta-anal*"
   covers meta-analysis, Meta-Analyse, méta-analyse). `ambiguous` names are dropped altogether
   when the text contains one of the entity's `ambiguous_context` phrases (an "AGI" in a text that
   says "adjusted gross income" is the tax figure, wherever it appears).
4. Overlaps. A catalog match lying inside a longer catalog match is dropped ("Safe
   Superintelligence" is not also "superintelligence"; "la maison mère de Facebook" is Meta, not
   Facebook); partial overlaps keep both ("Scale AI agents"). Free phrases are
   resolved among themselves, so a channel watching the phrase "Scale" still sees "Scale AI".

All names of all entities and all free phrases live in ONE Aho-Corasick automaton over the
folded text (see `textnorm.fold_same_length`), so the cost of a text is one fold, one automaton
pass and a few checks per hit, however many names are watched.
"""

from __future__ import annotations

import tomllib
from operator import itemgetter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import ahocorasick

from bot.core.model import EntityMatch
from bot.core.textnorm import fold_for_matching, lookup_key, unify_punctuation

KINDS = frozenset({"company", "ai_lab", "chipmaker", "investor", "concept", "product"})
LANGS = ("en", "fr", "de", "es")
PHRASE_PREFIX = "phrase:"

# Phrasings that name a company through what it makes or owns ("the ChatGPT maker", "la maison
# mère de Facebook"). Generated from the catalog's `makes` / `parent_of` lists so the catalog
# states facts (OpenAI makes ChatGPT) and the language lives here, once.
# `{p}` is the product; `{de}` becomes "de X"/"d'X" style variants (see _fill).
_MAKER_TEMPLATES = {
    "en": (
        "{p} maker", "{p} developer", "{p} creator", "{p}'s maker", "{p}'s developer",
        "{p}'s creator", "maker of {p}", "developer of {p}", "creator of {p}",
        "company behind {p}", "startup behind {p}", "firm behind {p}",
    ),
    "fr": (
        "créateur {de}", "concepteur {de}", "développeur {de}", "éditeur {de}", "fabricant {de}",
        "créateur de l'assistant {p}", "concepteur de l'assistant {p}",
        "éditeur de l'assistant {p}", "créateur du chatbot {p}", "concepteur du chatbot {p}",
        "éditeur du chatbot {p}", "développeur du chatbot {p}",
    ),
    "de": (
        "{p}-Entwickler", "{p}-Hersteller", "{p}-Macher", "{p}-Anbieter", "{p}-Erfinder",
        "Entwickler von {p}", "Hersteller von {p}", "Entwickler des Chatbots {p}",
    ),
    "es": (
        "creador {de}", "creadora {de}", "desarrollador {de}", "desarrolladora {de}",
        "fabricante {de}", "creadora del chatbot {p}", "creador del chatbot {p}",
        "desarrolladora del chatbot {p}", "creadora del asistente {p}",
    ),
}
_PARENT_TEMPLATES = {
    "en": (
        "{p}'s parent", "{p} parent", "{p}'s owner", "{p} owner", "parent of {p}",
        "owner of {p}", "{p}'s parent company", "{p} parent company",
    ),
    "fr": ("maison mère {de}", "société mère {de}", "propriétaire {de}"),
    "de": (
        "{p}-Mutterkonzern", "{p}-Mutter", "{p}-Mutterfirma", "{p}-Eigentümer", "{p}-Konzern",
        "Mutterkonzern von {p}",
    ),
    "es": (
        "matriz {de}", "empresa matriz {de}", "casa matriz {de}", "propietaria {de}", "dueña {de}",
    ),
}


def _fill(template: str, product: str, lang: str) -> list[str]:
    """Expand one template for one product; `{de}` gives the language's "of" forms."""
    if "{de}" not in template:
        return [template.format(p=product)]
    if lang == "fr":
        if product[:1].lower() in "aeiouyhéè" or product[:1] == "i":
            of_forms = (f"d'{product}", f"de l'{product}")
        else:
            of_forms = (f"de {product}", f"du {product}")
    else:  # es
        of_forms = (f"de {product}", f"del {product}")
    return [template.replace("{de}", form) for form in of_forms]


def derived_aliases(makes: Iterable[str], parent_of: Iterable[str]) -> dict[str, list[str]]:
    """Product-maker and parent-company phrasings, per language."""
    out: dict[str, list[str]] = {lang: [] for lang in LANGS}
    for templates, products in ((_MAKER_TEMPLATES, makes), (_PARENT_TEMPLATES, parent_of)):
        for product in products:
            for lang, lang_templates in templates.items():
                for template in lang_templates:
                    out[lang].extend(_fill(template, product, lang))
    return out


def phrase_id(text: str) -> str:
    """Identity of a free phrase watched although the catalog does not know it."""
    return PHRASE_PREFIX + lookup_key(text)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i))


@dataclass(frozen=True)
class Entity:
    id: str
    name: str  # canonical, short common name ("Meta")
    kind: str
    description: str = ""
    # (language, names) pairs; includes the generated maker/parent phrasings.
    aliases: tuple[tuple[str, tuple[str, ...]], ...] = ()
    tickers: tuple[str, ...] = ()
    case_sensitive: bool = True  # capitals in a name must be capitals in the text
    exact_case: tuple[str, ...] = ()  # names matched letter for letter
    lookup_only: tuple[str, ...] = ()  # names that resolve a query but are never matched in text
    exclude: tuple[str, ...] = ()  # phrases around a match that cancel it
    ambiguous: tuple[str, ...] = ()  # names dropped when the text has an ambiguous_context phrase
    ambiguous_context: tuple[str, ...] = ()

    def aliases_in(self, lang: str) -> tuple[str, ...]:
        return next((names for code, names in self.aliases if code == lang), ())

    @property
    def all_aliases(self) -> tuple[str, ...]:
        return _unique(name for _, names in self.aliases for name in names)

    @property
    def names(self) -> tuple[str, ...]:
        """Every name a user or a text may use: canonical, aliases, tickers, lookup-only."""
        return _unique((self.name, *self.all_aliases, *self.tickers, *self.lookup_only))

    @property
    def matchable_names(self) -> tuple[str, ...]:
        hidden = set(self.lookup_only)
        return tuple(n for n in self.names if n not in hidden)


def _str_list(raw: Mapping, key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where}: {key} must be a list of strings")
    return tuple(v.strip() for v in value if v.strip())


def _entity_from_toml(raw: Mapping) -> Entity:
    where = f"entity {raw.get('id', '?')!r}"
    for key in ("id", "name", "kind"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise ValueError(f"{where}: missing {key}")
    if raw["kind"] not in KINDS:
        raise ValueError(f"{where}: kind {raw['kind']!r} not in {sorted(KINDS)}")
    written = raw.get("aliases", {})
    if not isinstance(written, dict) or set(written) - set(LANGS):
        raise ValueError(f"{where}: aliases must be a table of {LANGS}")
    derived = derived_aliases(_str_list(raw, "makes", where), _str_list(raw, "parent_of", where))
    aliases = []
    for lang in LANGS:
        names = _unique((*_str_list(written, lang, where), *derived[lang]))
        if names:
            aliases.append((lang, names))
    return Entity(
        id=raw["id"].strip(),
        name=raw["name"].strip(),
        kind=raw["kind"],
        description=str(raw.get("description", "")).strip(),
        aliases=tuple(aliases),
        tickers=_str_list(raw, "tickers", where),
        case_sensitive=bool(raw.get("case_sensitive", True)),
        exact_case=_str_list(raw, "exact_case", where),
        lookup_only=_str_list(raw, "lookup_only", where),
        exclude=_str_list(raw, "exclude", where),
        ambiguous=_str_list(raw, "ambiguous", where),
        ambiguous_context=_str_list(raw, "ambiguous_context", where),
    )


class Catalog:
    """The entities newsbot knows, looked up by id, name, alias or ticker."""

    def __init__(self, entities: Iterable[Entity]) -> None:
        by_id: dict[str, Entity] = {}
        by_key: dict[str, str] = {}
        clashes: list[str] = []
        for entity in entities:
            if entity.id in by_id:
                raise ValueError(f"duplicate entity id {entity.id!r}")
            by_id[entity.id] = entity
            for name in (*entity.names, entity.id):
                key = lookup_key(name)
                owner = by_key.setdefault(key, entity.id)
                if owner != entity.id:
                    clashes.append(f"{name!r} ({owner} and {entity.id})")
        if clashes:
            raise ValueError("names used by two entities: " + ", ".join(clashes))
        self._by_key = by_key
        self.entities: Mapping[str, Entity] = MappingProxyType(by_id)
        self._sorted_names = sorted((lookup_key(e.name), e.name) for e in by_id.values())

    @classmethod
    def from_toml_text(cls, text: str) -> Catalog:
        data = tomllib.loads(text)
        return cls(_entity_from_toml(raw) for raw in data.get("entity", []))

    def __iter__(self) -> Iterator[Entity]:
        return iter(self.entities.values())

    def __len__(self) -> int:
        return len(self.entities)

    def resolve(self, query: str) -> Entity | None:
        """The entity a user means by `query` (canonical name, alias, ticker or id), if any."""
        entity_id = self._by_key.get(lookup_key(query))
        return self.entities[entity_id] if entity_id else None

    def suggest(self, prefix: str, limit: int = 25) -> list[str]:
        """Canonical names for autocomplete: names starting with `prefix` first, then names with
        a word or an alias starting with it."""
        key = lookup_key(prefix)
        if not key:
            return [name for _, name in self._sorted_names[:limit]]
        starts = [name for k, name in self._sorted_names if k.startswith(key)]
        if len(starts) >= limit:
            return starts[:limit]
        seen = set(starts)
        others: list[str] = []
        for entity in self:
            if entity.name in seen:
                continue
            keys = [lookup_key(n) for n in entity.names]
            if any(k.startswith(key) or f" {key}" in f" {k}" for k in keys):
                others.append(entity.name)
        return (starts + sorted(others, key=lookup_key))[:limit]

    def describe(self, entity: Entity) -> str:
        """One line for a user: what the entity is and the other names it goes by."""
        parts = [f"{entity.name} ({entity.kind.replace('_', ' ')})"]
        if entity.description:
            parts[0] += f": {entity.description}"
        written = [a for a in entity.all_aliases if a != entity.name][:6]
        if written:
            parts.append("also " + ", ".join(written))
        if entity.tickers:
            parts.append("tickers " + ", ".join(entity.tickers))
        return "; ".join(parts)


# Rule kinds stored in the automaton next to each key, and the case modes of names.
_NAME, _EXCLUDE, _CONTEXT, _PHRASE = range(4)
_START_AND_NEGATIVE_STOP = itemgetter(0, 1)
_ANY_CASE, _CAPITALS, _EXACT = range(3)
_SAME_PUNCTUATION = {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"}


def _capital_offsets(name: str) -> tuple[int, ...]:
    return tuple(i for i, c in enumerate(name) if c.isupper())


def _punctuation_marks(name: str) -> tuple[tuple[int, str], ...]:
    """Punctuation a name needs in the text too: "Run:ai" is not "run AI", "X.AI" not "X AI".

    Spaces and hyphens are interchangeable ("Meta-Konzern" / "Meta Konzern"), so not listed.
    """
    return tuple((i, c) for i, c in enumerate(name) if not c.isalnum() and c not in " -")


def _automaton_key(text: str) -> str | None:
    """Folded name, or None when the name cannot be matched faithfully (non-Latin-1 script)."""
    if any(ord(char) > 0xFF for char in text):
        return None
    key = fold_for_matching(text)
    return key if key.strip() else None


class Matcher:
    """Finds catalog entities and free phrases in text. Build once, call `find` many times.

    Keys are folded names padded with a space on each side (" meta "), run over the folded text
    padded the same way, so the automaton itself only reports whole words and the Python loop
    only sees real candidates. A trailing "*" on an exclusion drops the right-hand pad.
    """

    def __init__(self, catalog: Catalog, extra_phrases: Iterable[str] = ()) -> None:
        rules: dict[str, list[tuple]] = {}

        def add(text: str, rule: tuple, *, whole_word: bool = True) -> None:
            key = _automaton_key(text)
            if key is not None:
                rules.setdefault(f" {key} " if whole_word else f" {key}", []).append(rule)

        for entity in catalog:
            exact = set(entity.exact_case)
            ambiguous = set(entity.ambiguous)
            for written in entity.matchable_names:
                name = unify_punctuation(" ".join(written.split()))
                if written in exact:
                    mode, data = _EXACT, name
                elif entity.case_sensitive:
                    mode, data = _CAPITALS, _capital_offsets(name)
                else:
                    mode, data = _ANY_CASE, ()
                marks = _punctuation_marks(name)
                add(name, (_NAME, entity.id, entity.name, mode, data, marks, written in ambiguous))
            for kind, phrases in ((_EXCLUDE, entity.exclude), (_CONTEXT, entity.ambiguous_context)):
                for phrase in phrases:
                    whole_word = not phrase.endswith("*")
                    add(unify_punctuation(phrase.rstrip("*")), (kind, entity.id), whole_word=whole_word)
        self.phrase_names: dict[str, str] = {}  # phrase id -> phrase as first watched
        for phrase in extra_phrases:
            shown = " ".join(phrase.split())
            pid = phrase_id(shown)
            if pid == PHRASE_PREFIX or pid in self.phrase_names:
                continue
            self.phrase_names[pid] = shown
            plain = unify_punctuation(shown)
            add(plain, (_PHRASE, pid, shown, _punctuation_marks(plain)))

        automaton = ahocorasick.Automaton()
        for key, key_rules in rules.items():
            # (key length, 1 if the key ends with its right-hand pad, how to read the hit, data)
            automaton.add_word(key, (len(key), int(key.endswith(" ")), *_hit_reader(key_rules)))
        automaton.make_automaton()
        self._automaton = automaton

    def find(self, text: str) -> list[EntityMatch]:
        """Every entity and phrase match in `text`, in text order, with offsets into `text`."""
        padded = f" {fold_for_matching(text)} "
        # Hits are (start, -stop, id, name): sorted by start, longest first (see _longest_first).
        names: list[tuple[int, int, str, str]] = []
        phrases: list[tuple[int, int, str, str]] = []
        excluded: list[tuple[int, int, str]] = []
        context_hits: set[str] = set()
        ambiguous_names: list[tuple[int, int, str, str]] = []
        for last, (length, right_pad, reader, data) in self._automaton.iter(padded):
            # padded offset p is original offset p - 1; the key starts with its left pad
            start = last + 1 - length
            if reader == _PLAIN_NAME:
                # Nine hits in ten: one catalog name whose only rule is its capitals. Inlined,
                # because per-hit function calls were most of the matcher's Python time.
                entity_id, name, capitals = data
                for offset in capitals:
                    if not text[start + offset].isupper():
                        break
                else:
                    names.append((start, right_pad - last, entity_id, name))
                continue
            stop = last - right_pad
            if reader == _PLAIN_PHRASE:
                phrases.append((start, -stop, data[0], data[1]))
                continue
            for rule in data:
                kind = rule[0]
                if kind == _NAME:
                    if not _case_ok(text, start, stop, rule[3], rule[4]):
                        continue
                    if _marks_ok(text, start, rule[5]):
                        hit = (start, -stop, rule[1], rule[2])
                        (ambiguous_names if rule[6] else names).append(hit)
                elif kind == _PHRASE:
                    if _marks_ok(text, start, rule[3]):
                        phrases.append((start, -stop, rule[1], rule[2]))
                elif kind == _EXCLUDE:
                    excluded.append((start, stop, rule[1]))
                else:
                    context_hits.add(rule[1])
        if ambiguous_names:
            names.extend(h for h in ambiguous_names if h[2] not in context_hits)
        if excluded:
            excluded_ids = {e[2] for e in excluded}
            names = [h for h in names if h[2] not in excluded_ids or not _inside_exclusion(h, excluded)]
        kept = _longest_first(names)
        if phrases:
            both = [(s, -negative_stop, i, n) for s, negative_stop, i, n in kept + _longest_first(phrases)]
            both.sort()
            return [_entity_match(i, n, text[s:e], s, e) for s, e, i, n in both]
        return [_entity_match(i, n, text[s:-negative_stop], s, -negative_stop) for s, negative_stop, i, n in kept]


_PLAIN_NAME, _PLAIN_PHRASE, _RULES = range(3)


def _hit_reader(rules: list[tuple]) -> tuple[int, tuple]:
    """How `find` reads a hit of a key: a fast path for a key that stands for one catalog name
    with no rule beyond its capitals, or for one free phrase without punctuation to check; the
    general rule loop otherwise."""
    rules = _without_redundant_names(rules)
    if len(rules) == 1:
        rule = rules[0]
        if rule[0] == _NAME and rule[3] in (_ANY_CASE, _CAPITALS) and not rule[5] and not rule[6]:
            return _PLAIN_NAME, (rule[1], rule[2], rule[4])
        if rule[0] == _PHRASE and not rule[3]:
            return _PLAIN_PHRASE, (rule[1], rule[2])
    return _RULES, tuple(rules)


def _without_redundant_names(rules: list[tuple]) -> list[tuple]:
    """Drop a name rule whose hits another rule of the same key already gives.

    "Meta" and its ticker "META" fold to the same key: whatever "META" accepts, "Meta" (a capital
    at offset 0 only) accepts too, and the duplicate hit was dropped later as lying inside the
    first. Keeping the laxer rule alone gives the same matches and lets the key take the fast
    path. Only for keys whose rules all name one entity, so no tie between entities changes order.
    """
    if len(rules) < 2 or any(r[0] != _NAME or r[1:3] != rules[0][1:3] for r in rules):
        return rules

    def capitals(rule: tuple) -> set[int] | None:
        # None: the rule checks more than capitals (exact case), never merged
        return set(rule[4]) if rule[3] in (_ANY_CASE, _CAPITALS) else None

    kept = []
    for i, rule in enumerate(rules):
        mine = capitals(rule)
        redundant = mine is not None and any(
            j != i and other[5:] == rule[5:] and (theirs := capitals(other)) is not None
            and (theirs < mine or (theirs == mine and j < i))
            for j, other in enumerate(rules)
        )
        if not redundant:
            kept.append(rule)
    return kept


_new_object = object.__new__


def _entity_match(entity_id: str, name: str, text: str, start: int, end: int) -> EntityMatch:
    """`EntityMatch(...)` at about half the cost.

    A frozen dataclass's __init__ sets each field through object.__setattr__; with ~10 matches
    per article that was a large share of the matcher's Python time. Filling __dict__ directly
    builds an object equal in every way (same class, same fields in the same order, still
    frozen). Five item stores cost less than one `update()` with keyword arguments, which first
    builds a dict of them (-1.3k instructions per plain bench article, -2.5k per deal-heavy one).
    """
    match = _new_object(EntityMatch)
    fields = match.__dict__
    fields["entity_id"] = entity_id
    fields["name"] = name
    fields["text"] = text
    fields["start"] = start
    fields["end"] = end
    return match


def _case_ok(text: str, start: int, stop: int, mode: int, data: tuple | str) -> bool:
    if mode == _ANY_CASE:
        return True
    if mode == _CAPITALS:
        for offset in data:
            if not text[start + offset].isupper():
                return False
        return True
    return unify_punctuation(text[start:stop]) == data


def _marks_ok(text: str, start: int, marks: tuple[tuple[int, str], ...]) -> bool:
    for offset, mark in marks:
        char = text[start + offset]
        if _SAME_PUNCTUATION.get(char, char) != mark:
            return False
    return True


def _inside_exclusion(hit: tuple, excluded: list[tuple[int, int, str]]) -> bool:
    start, stop, entity_id = hit[0], -hit[1], hit[2]
    return any(eid == entity_id and s <= start and stop <= e for s, e, eid in excluded)


def _longest_first(hits: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
    """Hits (start, -stop, id, name) in text order, without those lying inside a longer hit.

    Only containment removes a hit: in "Scale AI agents" both "Scale AI" and "AI agents" stay.
    Sorted by start, longest first, a hit is inside another exactly when it ends no later
    than the furthest end seen so far. Stops are stored negated so that one C-level sort key
    gives that order; the sort is stable, so of two names on the same span the first rule wins.
    """
    if len(hits) < 2:
        return hits
    kept: list[tuple[int, int, str, str]] = []
    furthest_end = -1
    hits.sort(key=_START_AND_NEGATIVE_STOP)
    for hit in hits:
        if -hit[1] > furthest_end:
            kept.append(hit)
            furthest_end = -hit[1]
    return kept
