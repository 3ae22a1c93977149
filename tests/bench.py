"""Analysis throughput on this machine: `make bench` (python -m tests.bench).

Prints figures, asserts nothing (issue 3: "no timed assertions in tests"). What it measures is what
the poller pays for every new entry: language guess, entity matching, figures, deals and the whole
`analyze()`, on 600-character articles, with the full catalog plus 10,000 extra watched phrases in
the automaton (the size the issue's targets are stated for).

Speeds are articles per CPU second of this one process (`time.process_time`), i.e. per core. On a
shared (virtual) machine one pass can run twice as slow as the next because of the neighbours, so
each stage runs whole passes over the corpus and reports the fastest pass (as `timeit` advises)
next to the median one. Inputs are deterministic (fixed seed), so two runs read the same text.
"""

from __future__ import annotations

import gc
import json
import platform
import random
import statistics
import resource
import sys
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from bot.core.analysis import analyze
from bot.core.deals import find_deals
from bot.core.entities import Catalog, Matcher
from bot.core.feeds import parse_feed
from bot.core.figures import find_amounts, find_percents
from bot.core.language import guess_language
from bot.core.model import Amount, EntityMatch, Percent
from tests.compiled import describe_build

ROOT = Path(__file__).resolve().parents[1]
CATALOG_FILE = ROOT / "config" / "entities.toml"
DEV_SET = ROOT / "tests" / "data" / "dev.json"
SEED_FEEDS = ROOT / "seeds" / "feeds" / "next"  # the second poll holds every seed entry

ARTICLE_CHARS = 600
ARTICLES = 2_000  # distinct texts: more than any per-text cache holds, so no pass is a cache replay
DEAL_SHARE = 0.30
EXTRA_PHRASES = 10_000
SECONDS_PER_STAGE = 2.5
SEED = 20250613

LANGS = ("en", "fr", "de", "es")

# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------

_SYLLABLES = ("ka", "lo", "mi", "ra", "ven", "tor", "qua", "zel", "bri", "nox", "sa", "dre", "pli",
              "fa", "gu", "ter", "om", "vi", "ly", "cor", "den", "hu", "pax", "ul", "ex", "ri")
_SUFFIXES = ("Labs", "AI", "Robotics", "Capital", "Systems", "Health", "Bio", "Cloud", "Data",
             "Ventures", "Networks", "Energy", "Security", "Pay", "Foods", "")


def synthetic_phrases(count: int, rng: random.Random) -> list[str]:
    """Made-up startup and fund names, as channels would /watch names the catalog lacks."""
    names: dict[str, None] = {}
    while len(names) < count:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        suffix = rng.choice(_SUFFIXES)
        names[f"{word} {suffix}".strip()] = None
    return list(names)


@dataclass(frozen=True)
class Source:
    lang: str
    title: str
    summary: str


def deal_sources() -> list[Source]:
    """Deal-heavy news written for this project: the labelled dev set and the seed feeds."""
    items = json.loads(DEV_SET.read_text(encoding="utf-8"))
    sources = [Source(i["lang"], i["title"], i["summary"]) for i in items]
    for path in sorted(SEED_FEEDS.glob("*.xml")):
        feed = parse_feed(path.read_bytes())
        for entry in feed.entries:
            sources.append(Source(entry.lang or feed.lang or "en", entry.title, entry.summary))
    return sources


# Plain tech news: launches, hires, outages, rules. Few or no figures, some catalog names and
# some of the traps the matcher must reject ("metadata", "at scale", the Amazon river).
_PLAIN = {
    "en": {
        "title": ("{co} ships a new version of {product}", "{co} names {person} to lead its {team} team",
                  "{co} apologises after an outage hits {product}", "Regulators question {co} over {topic}",
                  "{co} opens an office in {city}"),
        "sentence": (
            "The update brings a redesigned interface and better support for older devices.",
            "{person}, who joined from {co2}, will report to the chief executive.",
            "Engineers said the fix was rolled out at scale over the weekend.",
            "Users complained that the metadata of their files had been lost.",
            "The company did not say when the feature would reach Europe.",
            "Critics argue that {topic} needs clearer rules before the next election.",
            "A spokesperson for {co} declined to comment on the talks with {co2}.",
            "The team plans to hire engineers in {city} over the coming months.",
            "Analysts expect {co2} to respond with its own tools later this year.",
            "The expedition along the Amazon river used satellite links for the first time.",
            "The service was down for about {hours} hours on Tuesday.",
            "Early testers at {phrase} said the assistant still makes basic mistakes.",
            "The release notes mention faster start-up and fewer crashes.",
        ),
    },
    "fr": {
        "title": ("{co} lance une nouvelle version de {product}", "{co} nomme {person} à la tête de son équipe {team}",
                  "Panne géante chez {co} : {product} indisponible", "Les régulateurs interrogent {co} sur {topic}",
                  "{co} ouvre un bureau à {city}"),
        "sentence": (
            "La mise à jour apporte une interface repensée et de meilleures performances.",
            "{person}, qui arrive de chez {co2}, rendra compte directement au patron.",
            "Selon une méta-analyse récente, ces outils restent peu utilisés en entreprise.",
            "L'entreprise n'a pas précisé quand la fonction arrivera en Europe.",
            "Les critiques estiment que {topic} demande des règles plus claires.",
            "Un porte-parole de {co} n'a pas souhaité commenter les discussions avec {co2}.",
            "L'équipe compte recruter des ingénieurs à {city} dans les prochains mois.",
            "Le service a été coupé pendant environ {hours} heures mardi.",
            "Les premiers testeurs de {phrase} jugent l'assistant encore fragile.",
            "Les notes de version évoquent un démarrage plus rapide et moins de plantages.",
        ),
    },
    "de": {
        "title": ("{co} veröffentlicht eine neue Version von {product}", "{co} holt {person} für das {team}-Team",
                  "Störung bei {co}: {product} stundenlang nicht erreichbar", "Aufsicht befragt {co} zu {topic}",
                  "{co} eröffnet ein Büro in {city}"),
        "sentence": (
            "Das Update bringt eine neue Oberfläche und bessere Unterstützung für ältere Geräte.",
            "{person}, bisher bei {co2}, berichtet direkt an den Vorstandschef.",
            "Nach Angaben des Unternehmens wurde der Fehler am Wochenende behoben.",
            "Das Unternehmen nannte keinen Termin für den Start in Europa.",
            "Kritiker meinen, dass {topic} klarere Regeln braucht.",
            "Ein Sprecher von {co} wollte sich zu den Gesprächen mit {co2} nicht äußern.",
            "Das Team will in den kommenden Monaten Ingenieure in {city} einstellen.",
            "Der Dienst war am Dienstag etwa {hours} Stunden lang ausgefallen.",
            "Erste Tester bei {phrase} halten den Assistenten noch für unzuverlässig.",
        ),
    },
    "es": {
        "title": ("{co} lanza una nueva versión de {product}", "{co} nombra a {person} al frente de su equipo de {team}",
                  "Caída mundial de {product}, el servicio de {co}", "Los reguladores preguntan a {co} por {topic}",
                  "{co} abre una oficina en {city}"),
        "sentence": (
            "La actualización trae una interfaz rediseñada y mejor soporte para equipos antiguos.",
            "{person}, que llega desde {co2}, reportará directamente al consejero delegado.",
            "La empresa no dijo cuándo llegará la función a Europa.",
            "Los críticos creen que {topic} necesita reglas más claras.",
            "Un portavoz de {co} declinó comentar las conversaciones con {co2}.",
            "El equipo quiere contratar ingenieros en {city} en los próximos meses.",
            "El servicio estuvo caído durante unas {hours} horas el martes.",
            "Los primeros usuarios de {phrase} dicen que el asistente aún comete errores.",
        ),
    },
}
_PRODUCTS = ("Photos", "Copilot", "Gemini", "Maps", "Workspace", "Le Chat", "Claude")
_PEOPLE = ("Dana Whitfield", "Marc Lefèvre", "Jonas Weber", "Lucía Ortega", "Priya Raman", "Tomás Rey")
_TEAMS = ("research", "safety", "design", "cloud", "robotics")
_TOPICS = {
    "en": ("facial recognition", "data retention", "age checks", "AGI safety", "election ads"),
    "fr": ("la reconnaissance faciale", "la conservation des données", "la sécurité de l'AGI"),
    "de": ("Gesichtserkennung", "Datenspeicherung", "Altersprüfung", "Wahlwerbung"),
    "es": ("el reconocimiento facial", "la conservación de datos", "la publicidad electoral"),
}
_CITIES = ("Paris", "Berlin", "Madrid", "Toronto", "Lisbon", "Zurich")


def _fill(template: str, lang: str, rng: random.Random, companies: Sequence[str], phrases: Sequence[str]) -> str:
    return template.format(
        co=rng.choice(companies), co2=rng.choice(companies), product=rng.choice(_PRODUCTS),
        person=rng.choice(_PEOPLE), team=rng.choice(_TEAMS), topic=rng.choice(_TOPICS[lang]),
        city=rng.choice(_CITIES), hours=rng.randint(2, 9), phrase=rng.choice(phrases),
    )


def _cut(text: str, limit: int = ARTICLE_CHARS) -> str:
    """At most `limit` characters, ending at a word boundary, as a feed's summary excerpt would."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0]


def plain_article(rng: random.Random, companies: Sequence[str], phrases: Sequence[str]) -> tuple[str, str]:
    lang = rng.choice(LANGS)
    pool = _PLAIN[lang]
    title = _fill(rng.choice(pool["title"]), lang, rng, companies, phrases)
    sentences = list(pool["sentence"])
    rng.shuffle(sentences)
    body = " ".join(_fill(s, lang, rng, companies, phrases) for s in sentences)
    return lang, _cut(f"{title}\n{body}")


def deal_article(index: int, sources: Sequence[Source], by_lang: dict[str, list[Source]]) -> tuple[str, str]:
    """Item `index`'s title and summary, topped up to 600 characters with other summaries of the same
    language (a rotating choice, so every article is a distinct text)."""
    first = sources[index % len(sources)]
    same = by_lang[first.lang]
    text = f"{first.title}\n{first.summary}"
    step = index // len(sources) + 1
    k = same.index(first)
    while len(text) < ARTICLE_CHARS:
        k = (k + step) % len(same)
        text += " " + same[k].summary
    return first.lang, _cut(text)


def build_corpus(rng: random.Random, companies: Sequence[str], phrases: Sequence[str]) -> list[tuple[str, str, bool]]:
    """(lang, text, deal_heavy) for ARTICLES articles, DEAL_SHARE of them deal-heavy, shuffled."""
    sources = deal_sources()
    by_lang: dict[str, list[Source]] = {}
    for s in sources:
        by_lang.setdefault(s.lang, []).append(s)
    deal_count = round(ARTICLES * DEAL_SHARE)
    deal_texts: dict[str, str] = {}  # text -> lang; a rotation can repeat an earlier article
    i = 0
    while len(deal_texts) < deal_count:
        lang, text = deal_article(i, sources, by_lang)
        deal_texts.setdefault(text, lang)
        i += 1
    corpus = [(lang, text, True) for text, lang in deal_texts.items()]
    plain: dict[str, str] = {}
    while len(plain) < ARTICLES - deal_count:
        lang, text = plain_article(rng, companies, phrases)
        plain.setdefault(text, lang)
    corpus += [(lang, text, False) for text, lang in plain.items()]
    rng.shuffle(corpus)
    return corpus


# --------------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------------

@dataclass
class Speed:
    articles: int  # per pass
    passes: list[float]  # CPU seconds of each whole pass over the articles
    wall: float  # wall seconds of all passes

    @property
    def best(self) -> float:
        return min(self.passes)

    @property
    def median(self) -> float:
        return statistics.median(self.passes)


def measure(run_once: Callable[[int], None], count: int, seconds: float = SECONDS_PER_STAGE) -> Speed:
    """Call `run_once(i)` for i over the articles, in whole passes, until `seconds` of CPU time
    are used (at least three passes)."""
    run_once(0)  # warm-up: lazy imports, first-call caches
    gc.collect()
    passes: list[float] = []
    wall0 = time.perf_counter()
    while len(passes) < 3 or sum(passes) < seconds:
        cpu0 = time.process_time()
        for i in range(count):
            run_once(i)
        passes.append(time.process_time() - cpu0)
    return Speed(count, passes, time.perf_counter() - wall0)


def show(label: str, speed: Speed, target: int | None = None) -> None:
    goal = f"  target >= {target:,}" if target else ""
    print(f"  {label:<34} {speed.articles / speed.best:>9,.0f}/s {1e6 * speed.best / speed.articles:>8.1f} us"
          f"   median pass {speed.articles / speed.median:>9,.0f}/s{goal}")


def main() -> None:
    rng = random.Random(SEED)
    catalog = Catalog.from_toml_text(CATALOG_FILE.read_text(encoding="utf-8"))
    phrases = synthetic_phrases(EXTRA_PHRASES, rng)
    companies = [e.name for e in catalog if e.kind != "concept"][:80] + ["Acme Widgets", "Northwind"]
    corpus = build_corpus(rng, companies, phrases)
    texts = [text for _, text, _ in corpus]
    deal_texts = [text for _, text, heavy in corpus if heavy]
    plain_texts = [text for _, text, heavy in corpus if not heavy]
    langs = Counter(lang for lang, _, _ in corpus)

    print(f"newsbot analysis bench - Python {platform.python_version()} on {platform.machine()}, "
          f"single process (one core)")
    print(f"corpus: {len(texts):,} distinct articles, mean {sum(map(len, texts)) / len(texts):.0f} chars; "
          f"{len(deal_texts)} deal-heavy ({len(deal_texts) / len(texts):.0%}: dev-set and seed-feed items), "
          f"{len(plain_texts)} plain news ({len(plain_texts) / len(texts):.0%}: few or no figures); "
          f"languages " + ", ".join(f"{lang} {langs[lang]}" for lang in LANGS))
    names = sum(len(e.matchable_names) for e in catalog)
    print(f"matcher: {len(catalog)} catalog entities ({names:,} names) + {len(phrases):,} extra watched phrases")
    print(describe_build())  # `python -m tests.compiled pure tests.bench` measures the .py sources

    cpu0 = time.process_time()
    matcher = Matcher(catalog, phrases)
    build = time.process_time() - cpu0
    print(f"  matcher build                          {build * 1000:>10,.0f} ms")

    # Inputs of the deal stage, computed once so that stage times find_deals alone.
    langs_of = [guess_language(t) for t in texts]
    found = [(matcher.find(t), find_amounts(t, lang), find_percents(t, lang)) for t, lang in zip(texts, langs_of)]
    hits = sum(len(f[0]) for f in found)
    amounts = sum(len(f[1]) for f in found)
    percents = sum(len(f[2]) for f in found)
    deals = sum(len(find_deals(t, *f, lang)) for t, f, lang in zip(texts, found, langs_of))
    print(f"  per article: {hits / len(texts):.1f} entity hits, {amounts / len(texts):.2f} amounts, "
          f"{percents / len(texts):.2f} percents, {deals / len(texts):.2f} deals")

    print("throughput, articles per CPU second of this process (fastest pass; the median shows the noise of a shared machine):")
    n = len(texts)
    show("language guess", measure(lambda i: guess_language(texts[i]), n))
    show("entity matching (Matcher.find)", measure(lambda i: matcher.find(texts[i]), n), target=50_000)

    def figures(i: int) -> None:
        find_amounts(texts[i], langs_of[i])
        find_percents(texts[i], langs_of[i])

    show("figures (amounts + percents)", measure(figures, n))
    show("deals (find_deals)", measure(lambda i: find_deals(texts[i], *found[i], langs_of[i]), n))
    show("full analyze(), mixed corpus", measure(lambda i: analyze(texts[i], matcher), n), target=5_000)
    show("full analyze(), deal-heavy only", measure(lambda i: analyze(deal_texts[i], matcher), len(deal_texts)))
    show("full analyze(), plain news only", measure(lambda i: analyze(plain_texts[i], matcher), len(plain_texts)))

    # Memory. tracemalloc slows Python down several times, so it runs after the timings.
    del matcher, found
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    matcher = Matcher(catalog, phrases)
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    for text in texts:
        analyze(text, matcher)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    # ru_maxrss is in KiB on Linux, bytes on macOS.
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 if sys.platform != "darwin" else 1024 * 1024)
    print("memory:")
    print(f"  matcher (catalog + {len(phrases):,} phrases)     {held / 2**20:>8.1f} MiB (tracemalloc)")
    print(f"  analysis peak above that, {len(texts):,} articles {peak / 2**20:>8.1f} MiB (tracemalloc)")
    print(f"  process peak RSS                       {rss:>8.1f} MiB (ru_maxrss)")


if __name__ == "__main__":
    main()
