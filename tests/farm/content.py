"""What the farm serves: deterministic feeds of news entries in English and French, naming
companies (catalog names and a long tail of made-up startups) and stating figures.

Everything is a pure function of (feed number, entry number), so the farm process and the
drivers agree on the names without talking to each other, and two runs serve the same bytes.
"""

from __future__ import annotations

import random
from email.utils import format_datetime
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape

SEED = 20250707
TAIL_NAMES = 50_000  # made-up startups: most news is about companies nobody watches
CATALOG_SHARE = 0.35  # entries that also name one big catalog company
BIG_NAMES = ("Meta", "Microsoft", "OpenAI", "Anthropic", "Google", "Amazon", "Nvidia", "Mistral AI",
             "Apple", "Scale AI", "SoftBank", "xAI", "Databricks", "Salesforce", "Oracle")
_SYLLABLES = ("ka", "lo", "mi", "ra", "ven", "tor", "qua", "zel", "bri", "nox", "sa", "dre", "pli",
              "fa", "gu", "ter", "om", "vi", "ly", "cor", "den", "hu", "pax", "ul", "ex", "ri")
_SUFFIXES = ("Labs", "Robotics", "Systems", "Health", "Bio", "Cloud", "Data", "Networks",
             "Energy", "Security", "Pay", "Foods")
EPOCH = datetime(2025, 6, 1, tzinfo=UTC)


def tail_names(count: int = TAIL_NAMES) -> list[str]:
    rng = random.Random(SEED)
    names: dict[str, None] = {}
    while len(names) < count:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        names[f"{word} {rng.choice(_SUFFIXES)}"] = None
    return list(names)


NAMES = tail_names()

_EN_TITLES = (
    "{a} raises ${m} million in a Series {r} round led by {b}",
    "{a} agrees to buy {b} for ${m} million",
    "{a} takes a {p}% stake in {b}",
    "{a} reports revenue of ${m} million for the quarter",
    "{a} is now valued at ${v} billion after its latest round",
    "{a} opens a new office in {city}",
    "{a} ships a new version of its platform",
)
_FR_TITLES = (
    "{a} lève {m} millions d'euros auprès de {b}",
    "{a} rachète {b} pour {m} millions de dollars",
    "{a} prend une participation de {p} % dans {b}",
    "{a} affiche un chiffre d'affaires de {m} millions d'euros",
    "{a} est désormais valorisée {v} milliards de dollars",
    "{a} ouvre un bureau à {city}",
    "{a} lance une nouvelle version de sa plateforme",
)
_EN_BODY = (
    "The company said the money will fund hiring in {city} and new data centres.",
    "{c} also took part, according to people familiar with the matter.",
    "Analysts expect the deal to close before the end of the year.",
    "A spokesperson for {a} declined to comment on the valuation.",
    "The startup employs about {n} people and sells to banks and retailers.",
)
_FR_BODY = (
    "L'entreprise compte recruter à {city} et ouvrir de nouveaux centres de données.",
    "{c} a également participé, selon des sources proches du dossier.",
    "Les analystes s'attendent à une finalisation avant la fin de l'année.",
    "Un porte-parole de {a} n'a pas souhaité commenter la valorisation.",
    "La jeune pousse emploie environ {n} personnes.",
)
_CITIES = ("Paris", "Berlin", "Lyon", "London", "Toronto", "Lisbon", "Zurich")


def entry_names(feed: int, number: int) -> tuple[str, str, str]:
    """The three companies entry `number` of feed `feed` names (subject, counterpart, extra)."""
    rng = random.Random(feed * 1_000_003 + number)
    a, b, c = (NAMES[rng.randrange(len(NAMES))] for _ in range(3))
    if rng.random() < CATALOG_SHARE:
        b = rng.choice(BIG_NAMES)
    return a, b, c


def entry_xml(feed: int, number: int, base: str) -> str:
    rng = random.Random(feed * 7_919 + number * 104_729 + SEED)
    a, b, c = entry_names(feed, number)
    french = feed % 3 == 0
    fields = dict(a=a, b=b, c=c, m=rng.randint(5, 900), v=rng.randint(1, 60), p=rng.randint(3, 49),
                  r=rng.choice("ABCD"), city=rng.choice(_CITIES), n=rng.randint(20, 4000))
    title = rng.choice(_FR_TITLES if french else _EN_TITLES).format(**fields)
    body = list(_FR_BODY if french else _EN_BODY)
    rng.shuffle(body)
    summary = " ".join(s.format(**fields) for s in body[:4])
    published = format_datetime(EPOCH + timedelta(minutes=feed % 600 + number * 30))
    link = f"{base}/article/{feed}/{number}"
    return (f"<item><title>{escape(title)}</title><link>{link}</link>"
            f"<guid isPermaLink=\"false\">farm-{feed}-{number}</guid><pubDate>{published}</pubDate>"
            f"<description>{escape(summary)}</description></item>")


def entries_per_feed(feed: int) -> int:
    return 30 + (feed * 37) % 21  # 30 to 50


def feed_xml(feed: int, newest: int, base: str) -> bytes:
    """Feed `feed` whose newest entry is number `newest` (the window holds the last 30-50)."""
    window = entries_per_feed(feed)
    lang = "fr" if feed % 3 == 0 else "en"
    items = "".join(entry_xml(feed, n, base) for n in range(newest, max(newest - window, -1), -1))
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>Farm feed {feed}</title><link>{base}/site/{feed}</link>"
            f"<description>Generated news {feed}</description><language>{lang}</language>"
            f"{items}</channel></rss>").encode()


def feed_of_link(link: str) -> int | None:
    """The feed number an article link of the farm belongs to."""
    parts = link.rsplit("/", 3)
    return int(parts[-2]) if len(parts) == 4 and parts[-3] == "article" else None
