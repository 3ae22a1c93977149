"""The shipped data files: the curated feed list, the demo's sample feeds, and the Dockerfile.

These files are what `newsbot run` starts from and what `newsbot demo` shows, so a typo in them is
a user-visible bug that no code test would catch.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest

from bot.core.identity import title_fingerprint

ROOT = Path(__file__).resolve().parents[1]
FEEDS_TOML = ROOT / "config" / "feeds.toml"
SEEDS = ROOT / "seeds"
FIRST_POLL = sorted((SEEDS / "feeds").glob("*.xml"))
SECOND_POLL = sorted((SEEDS / "feeds" / "next").glob("*.xml"))
ALL_SAMPLES = FIRST_POLL + SECOND_POLL
SAMPLE_DOMAINS = ("example.com", "example.org", "example.net")  # reserved for examples, RFC 2606

# What the demo channel watches (issue 2, "newsbot demo"), as plain patterns: enough to tell
# which sample entries are meant to concern it, without depending on the real matcher.
DEMO_WATCH = re.compile(
    r"\bMeta\b(?![-\u2011]analy)|\bScale AI\b|\bAGI\b|artificial general intelligence"
    r"|intelligence artificielle générale"
)


def _load_feed_list() -> list[dict]:
    with FEEDS_TOML.open("rb") as fh:
        return tomllib.load(fh)["feed"]


def _parse(path: Path) -> feedparser.FeedParserDict:
    # Bytes in, like the bot itself: feedparser never gets a path or URL.
    return feedparser.parse(path.read_bytes())


def _ids(parsed) -> list[str]:
    return [e.id for e in parsed.entries]


def _text(entry) -> str:
    return f"{entry.title}\n{entry.summary}"


def _new_entries(name: str) -> list:
    first = set(_ids(_parse(SEEDS / "feeds" / name)))
    return [e for e in _parse(SEEDS / "feeds" / "next" / name).entries if e.id not in first]


def _all_new_entries() -> list[tuple[str, object]]:
    """(feed file name, entry) for every entry that appears only at the second poll."""
    return [(p.name, e) for p in FIRST_POLL for e in _new_entries(p.name)]


# ------------------------------------------------------------------ config/feeds.toml


def test_feed_list_is_large_enough_and_covers_english_and_french():
    feeds = _load_feed_list()
    langs = {f.get("lang") for f in feeds}
    assert len(feeds) >= 30
    assert {"en", "fr"} <= langs
    assert langs <= {"en", "fr", "de", "es"}


def test_every_listed_feed_has_a_name_and_an_http_url():
    for feed in _load_feed_list():
        assert set(feed) <= {"url", "name", "lang"}, f"unknown key in {feed}"
        assert feed.get("name", "").strip(), f"feed without a name: {feed}"
        parts = urlsplit(feed["url"])
        assert parts.scheme in ("http", "https") and parts.hostname, feed["url"]
        assert feed["url"] == feed["url"].strip(), f"stray whitespace in {feed['url']!r}"


def test_no_feed_is_listed_twice():
    # Compare the way two URLs point at one feed: host case and a trailing slash do not count.
    def same_feed(url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.hostname}{parts.path.rstrip('/')}?{parts.query}"

    urls = [same_feed(f["url"]) for f in _load_feed_list()]
    duplicates = {u for u in urls if urls.count(u) > 1}
    assert not duplicates


# ------------------------------------------------------------------ sample feeds


def test_there_are_samples_for_both_polls():
    assert len(FIRST_POLL) >= 3
    assert [p.name for p in SECOND_POLL] == [p.name for p in FIRST_POLL]


@pytest.mark.parametrize("path", ALL_SAMPLES, ids=lambda p: str(p.relative_to(SEEDS)))
def test_sample_parses_cleanly_with_the_entry_count_it_announces(path):
    parsed = _parse(path)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version in ("rss20", "atom10")
    expected = re.search(rb"Expect: entries=(\d+)", path.read_bytes())
    assert expected, "each sample says how many entries it holds"
    assert len(parsed.entries) == int(expected.group(1))


@pytest.mark.parametrize("path", ALL_SAMPLES, ids=lambda p: str(p.relative_to(SEEDS)))
def test_sample_entries_look_like_real_news(path):
    parsed = _parse(path)
    assert parsed.feed.get("language", "")[:2] in ("en", "fr")
    ids = _ids(parsed)
    assert len(ids) == len(set(ids)), "guids are unique inside a feed"
    for entry in parsed.entries:
        assert entry.title.strip() and entry.summary.strip(), entry.id
        assert urlsplit(entry.link).hostname in SAMPLE_DOMAINS, entry.link
        assert entry.published_parsed.tm_year == 2025, entry.id


@pytest.mark.parametrize("path", FIRST_POLL, ids=lambda p: p.name)
def test_sample_does_not_ask_to_be_polled_less_often_than_the_demo_polls(path):
    # The demo moves its clock one default poll interval (300 s) between the two polls, and an
    # RSS <ttl> is a floor on the next poll: a <ttl>15</ttl> once kept a feed out of the second poll.
    ttl = re.search(rb"<ttl>\s*(\d+)\s*</ttl>", path.read_bytes())
    assert ttl is None or int(ttl.group(1)) * 60 <= 300


def test_samples_mix_languages_and_formats():
    kinds = set()
    for path in FIRST_POLL:
        parsed = _parse(path)
        kinds.add((parsed.feed.language[:2], parsed.version))
    assert kinds == {("en", "rss20"), ("en", "atom10"), ("fr", "rss20"), ("fr", "atom10")}


@pytest.mark.parametrize("path", FIRST_POLL, ids=lambda p: p.name)
def test_second_poll_keeps_every_entry_and_adds_new_ones_on_top(path):
    first = _parse(path).entries
    second = _parse(SEEDS / "feeds" / "next" / path.name).entries
    added = len(second) - len(first)
    assert added >= 1
    # The old entries come back unchanged, after the new ones, as a real feed would show them.
    assert [(e.id, e.title, e.summary) for e in second[added:]] == [
        (e.id, e.title, e.summary) for e in first
    ]
    newest_old = max(e.published_parsed for e in first)
    assert all(e.published_parsed > newest_old for e in second[:added])


def test_first_poll_is_backlog_only_so_the_reference_story_is_not_in_it():
    for path in FIRST_POLL:
        assert b"Scale AI" not in path.read_bytes(), path.name


def test_first_poll_carries_the_traps_the_matcher_must_ignore():
    text = " ".join(_text(e) for p in FIRST_POLL for e in _parse(p).entries)
    for trap in ("metadata", "Amazon river", "at scale", "méta-analyse", "scale-ups", "adjusted gross income"):
        assert trap in text


def test_reference_story_arrives_in_french_at_the_second_poll():
    french_rss = [
        e for name, e in _all_new_entries()
        if name.endswith("-fr.xml") and _parse(SEEDS / "feeds" / name).version == "rss20"
    ]
    stories = [e for e in french_rss if "Scale AI" in _text(e)]
    assert len(stories) == 1
    text = _text(stories[0])
    for fact in (
        "Meta", "49 %", "15 milliards de dollars", "intelligence artificielle générale", "AGI",
        "2 milliards de dollars", "25 milliards de dollars", "Microsoft", "13 milliards de dollars",
        "OpenAI", "Amazon", "8 milliards de dollars", "Anthropic", "Google", "au moins 3 milliards",
    ):
        assert fact in text, fact


def test_same_story_from_other_outlets_has_other_links_and_the_same_english_title():
    copies = [(name, e) for name, e in _all_new_entries() if "Scale AI" in _text(e)]
    english = [(name, e) for name, e in copies if name.endswith("-en.xml")]
    assert any(_parse(SEEDS / "feeds" / "next" / name).version == "atom10" for name, _ in english)
    assert len({e.link for _, e in copies}) == len(copies), "each outlet links to its own page"
    for _, entry in english:
        assert "49" in entry.title and "$15 billion" in entry.title.casefold()
    # The store folds outlets into one story by this fingerprint, so the English copies must share it.
    assert len({title_fingerprint(e.title) for _, e in english}) == 1


def test_second_poll_also_brings_news_the_demo_channel_does_not_watch():
    unwatched = [e for _, e in _all_new_entries() if not DEMO_WATCH.search(_text(e))]
    assert unwatched


@pytest.mark.parametrize(
    ("text", "watched"),
    [
        ("Meta buys a stake", True),
        ("Une méta-analyse", False),
        ("photo metadata", False),
        ("running models at scale", False),
        ("Scale AI revenue", True),
        ("a path to AGI", True),
    ],
)
def test_demo_watch_pattern_tells_watched_news_from_traps(text, watched):
    # Guards the helper above: a pattern that matched everything would make the previous test pass.
    assert bool(DEMO_WATCH.search(text)) is watched


def test_seeds_readme_describes_every_sample():
    readme = (SEEDS / "README.md").read_text(encoding="utf-8")
    for path in FIRST_POLL:
        assert path.name in readme


# ------------------------------------------------------------------ Dockerfile


def _dockerfile_instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return [tuple(ln.split(None, 1)) for ln in lines]  # type: ignore[misc]


def test_dockerfile_runs_the_bot_as_non_root_with_the_database_on_a_volume():
    instructions = _dockerfile_instructions()
    args = {}
    for op, arg in instructions:
        args.setdefault(op.upper(), []).append(arg)
    assert args["FROM"][0].startswith("python:3.11-slim")
    assert args["USER"][-1] == "newsbot"
    assert "/data" in " ".join(args["VOLUME"])
    assert any("NEWSBOT_DB=/data/newsbot.db" in a for a in args["ENV"])
    assert args["CMD"][-1] == '["newsbot", "run"]'


def test_dockerfile_copies_only_what_a_clean_checkout_has_and_dockerignore_keeps():
    # `docker build` fails on a COPY whose source is missing or excluded by .dockerignore.
    ignored = {
        ln.strip().strip("/")
        for ln in (ROOT / ".dockerignore").read_text().splitlines()
        if ln.strip() and not ln.startswith("#")
    }
    for op, arg in _dockerfile_instructions():
        if op.upper() != "COPY" or "--from" in arg:
            continue
        sources = [s for s in arg.split() if not s.startswith("--")][:-1]
        for source in sources:
            assert (ROOT / source).exists(), source
            assert source.strip("/") not in ignored, source
