"""parse_feed against fixture files that say what they expect, plus a few inline cases.

Each file in tests/data/feeds/ carries, near its top (after the XML declaration when there is
one, since nothing may precede that), comments like

    <!-- Given: header.Content-Type="text/xml; charset=ISO-8859-1" base_url=https://x.example/ -->
    <!-- Expect: entries=3 keys=unique,stable e0.title="..." each.lang=fr problem=none -->

Expect clauses are `field OP value`. OP is `=` (equal; `none` means None), `~` (contains),
`!~` (does not contain), `<=` / `>=` (a number, or a string's length). Fields: `entries`
(count), `problem`, `feed.title|link|lang|ttl`, `eN.<Entry field>` (N-th entry), `each.<Entry
field>` (every entry), `prepared` (the bytes feedparser was given, comments removed) and
`prepared.longest_word` (longest run of non-space, non-markup characters in them).
`keys=unique,stable`: keys differ within the document / are equal across two parses.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core import feeds
from bot.core.feeds import parse_feed, sanitize_feed_bytes

FIXTURES = Path(__file__).parent / "data" / "feeds"
CLAUSE = re.compile(r'([\w.-]+)(!~|~|<=|>=|=)("[^"]*"|\S+)')


def _comment(text: str, label: str) -> str:
    match = re.search(rf"<!--\s*{label}:(.*?)-->", text[:4000], re.DOTALL)
    return match.group(1) if match else ""


def _clauses(text: str) -> list[tuple[str, str, str]]:
    return [(f, op, v[1:-1] if v.startswith('"') else v) for f, op, v in CLAUSE.findall(text)]


def _fixture_text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:  # Latin-1 / windows-1252 fixtures
        return body.decode("cp1252", errors="replace")


def _given(text: str) -> dict:
    headers, kwargs = {}, {}
    for field, _, value in _clauses(_comment(text, "Given")):
        if field.startswith("header."):
            headers[field.removeprefix("header.")] = value
        else:
            kwargs[field] = value
    return {"headers": headers or None, **kwargs}


def _field_values(field: str, parsed, prepared: bytes) -> list:
    if field == "entries":
        return [len(parsed.entries)]
    if field == "problem":
        return [parsed.problem]
    if field == "prepared":  # without comments, which hold the Expect line itself
        return [re.sub(r"<!--.*?-->", "", prepared.decode("utf-8", "replace"), flags=re.S)]
    if field == "prepared.longest_word":
        return [max((len(w) for w in re.findall(rb"[^\s<>]+", prepared)), default=0)]
    scope, _, name = field.partition(".")
    if scope == "feed":
        return [getattr(parsed, "ttl_seconds" if name == "ttl" else name)]
    targets = parsed.entries if scope == "each" else [parsed.entries[int(scope[1:])]]
    assert targets, f"{field}: no entries to check"
    return [getattr(entry, name) for entry in targets]


def _check(field: str, op: str, expected: str, actual) -> None:
    if isinstance(actual, datetime):
        actual = actual.isoformat()
    where = f"{field}{op}{expected!r}, got {actual!r}"
    if op == "=":
        wanted = int(expected) if isinstance(actual, int) else expected
        wanted = None if expected == "none" else wanted
        assert actual == wanted, where
    elif op == "~":
        assert actual is not None and expected in actual, where
    elif op == "!~":
        assert actual is None or expected not in actual, where
    else:
        size = actual if isinstance(actual, int) else len(actual or "")
        assert (size <= int(expected)) if op == "<=" else (size >= int(expected)), where


FIXTURE_FILES = sorted(p for p in FIXTURES.iterdir() if p.is_file() and p.suffix != ".md")


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=[p.name for p in FIXTURE_FILES])
def test_fixture_meets_its_expect_line(path: Path):
    body = path.read_bytes()
    text = _fixture_text(body)
    expect = _clauses(_comment(text, "Expect"))
    assert expect, f"{path.name} has no Expect line"
    given = _given(text)
    headers = given.pop("headers")

    parsed = parse_feed(body, headers, **given)
    prepared, _ = sanitize_feed_bytes(body, headers, given.get("base_url"))

    for field, op, expected in expect:
        if field == "keys":
            keys = [e.key for e in parsed.entries]
            if "unique" in expected:
                assert len(keys) == len(set(keys)), keys
            if "stable" in expected:
                assert keys == [e.key for e in parse_feed(body, headers, **given).entries]
            continue
        for actual in _field_values(field, parsed, prepared):
            _check(field, op, expected, actual)


@pytest.mark.parametrize("body", [b"", b"   \n\t ", b"\xef\xbb\xbf  "])
def test_empty_body_is_a_problem_not_a_crash(body):
    parsed = parse_feed(body)
    assert parsed.entries == ()
    assert parsed.problem == "empty document"


def test_json_feed_is_named_as_not_a_feed():
    parsed = parse_feed(b'{"version": "https://jsonfeed.org/version/1.1", "items": []}')
    assert parsed.entries == () and "JSON" in parsed.problem


RSS_ITEM = "<item><title>{title}</title><link>https://x.example/{n}</link></item>"


def _rss(*titles: str, head: str = "", channel: str = "", encoding: str = "utf-8") -> str:
    items = "".join(RSS_ITEM.format(title=t, n=i) for i, t in enumerate(titles))
    return (f'<?xml version="1.0" encoding="{encoding}"?>{head}<rss version="2.0"><channel>'
            f"<title>T</title>{channel}{items}</channel></rss>")


def test_entity_bomb_survives_in_utf16_too():
    bomb = ('<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">]>')
    body = _rss("&d;", "Fine", head=bomb, encoding="utf-16").encode("utf-16")
    parsed = parse_feed(body)
    assert [len(e.title) <= 10 for e in parsed.entries] == [True, True]
    assert parsed.entries[1].title == "Fine"


def test_declaration_stripping_keeps_the_document_after_it():
    body = _rss("Kept", head='<!DOCTYPE rss [ <!ENTITY x "]>" > ]><!-- note -->').encode()
    prepared, _ = sanitize_feed_bytes(body)
    assert b"ENTITY" not in prepared and b"<!-- note -->" in prepared
    assert [e.title for e in parse_feed(body).entries] == ["Kept"]


def test_netscape_doctype_feed_still_parses():
    head = ('<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"\n'
            ' "http://my.netscape.com/publish/formats/rss-0.91.dtd">')
    parsed = parse_feed(_rss("Old school", head=head).encode())
    assert [e.title for e in parsed.entries] == ["Old school"]


@pytest.mark.parametrize(
    "ttl, seconds",
    [("60", 3600), (" 5 ", 300), ("0", None), ("-5", None), ("soon", None), ("100000", None)],
)
def test_ttl_is_minutes_when_sane(ttl, seconds):
    parsed = parse_feed(_rss("x", channel=f"<ttl>{ttl}</ttl>").encode())
    assert parsed.ttl_seconds == seconds


@pytest.mark.parametrize(
    "hint, channel, expected",
    [
        ("de", "", "de"),  # nothing in the feed: the feed list's hint
        ("de", "<language>fr-CA</language>", "fr"),  # the feed's own language wins
        (None, "<language>English</language>", None),  # not a code: unknown
        ("EN-gb", "", "en"),
    ],
)
def test_language_falls_back_from_entry_to_feed_to_hint(hint, channel, expected):
    parsed = parse_feed(_rss("x", channel=channel).encode(), lang_hint=hint)
    assert parsed.entries[0].lang == expected


def test_titles_and_summaries_are_capped():
    long_title = "word " * 300
    body = _rss(long_title).replace(
        "</item>", f"<description>{'sentence. ' * 1000}</description></item>").encode()
    entry = parse_feed(body).entries[0]
    assert len(entry.title) <= 500 and entry.title.endswith("\u2026")
    assert len(entry.summary) <= 5000 and entry.summary.startswith("sentence. sentence.")


def test_one_entry_that_fails_normalisation_costs_only_itself(monkeypatch):
    real = feeds._entry_from

    def poisoned(raw, *args):
        if raw.get("title") == "poison":
            raise ValueError("simulated bug on one entry")
        return real(raw, *args)

    monkeypatch.setattr(feeds, "_entry_from", poisoned)
    parsed = parse_feed(_rss("before", "poison", "after").encode())
    assert [e.title for e in parsed.entries] == ["before", "after"]
    assert parsed.problem is None


def test_published_is_aware_utc():
    body = _rss("x").replace("</item>", "<pubDate>Thu, 12 Jun 2025 23:30:00 -0300</pubDate></item>")
    published = parse_feed(body.encode()).entries[0].published
    assert published == datetime(2025, 6, 13, 2, 30, tzinfo=timezone.utc)
    assert published.tzinfo is not None


def test_headers_in_any_case_and_relative_content_location():
    body = _rss("x").replace("https://x.example/0", "item-0").encode("latin-1")
    parsed = parse_feed(body, {"CONTENT-LOCATION": "/news/", "content-type": "text/xml"},
                        base_url="https://site.example/feeds/all.xml")
    assert parsed.entries[0].link == "https://site.example/news/item-0"


def test_result_pickles_for_a_process_pool():
    import pickle

    parsed = parse_feed((FIXTURES / "rss2_basic.xml").read_bytes())
    assert pickle.loads(pickle.dumps(parsed)) == parsed


def test_untitled_unlinked_entries_are_told_apart_by_their_text():
    items = "".join(f"<item><description>Note number {n}.</description></item>" for n in (1, 2))
    body = f'<rss version="2.0"><channel><title>T</title>{items}</channel></rss>'.encode()
    assert [e.summary for e in parse_feed(body).entries] == ["Note number 1.", "Note number 2."]


# --- whatever the bytes, a ParsedFeed comes back ----------------------------------------------

SMALL_FIXTURES = [p.read_bytes() for p in FIXTURE_FILES if p.stat().st_size < 4000]


def _holds_its_promises(parsed) -> None:
    keys = [e.key for e in parsed.entries]
    assert len(keys) == len(set(keys))
    for entry in parsed.entries:
        assert len(entry.title) <= 500 and len(entry.summary) <= 5000
        assert entry.link is None or entry.link.startswith(("http://", "https://"))
        assert entry.published is None or entry.published.utcoffset().total_seconds() == 0


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(body):
    _holds_its_promises(parse_feed(body))


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(SMALL_FIXTURES), st.data())
def test_cut_and_spliced_fixtures_never_raise(body, data):
    start = data.draw(st.integers(0, len(body)))
    end = data.draw(st.integers(start, len(body)))
    junk = data.draw(st.binary(max_size=40))
    _holds_its_promises(parse_feed(body[:start] + junk + body[end:], {"content-type": "text/xml"}))


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "text/plain", "text/xml"])
def test_empty_feed_with_a_wrong_content_type_is_still_healthy(content_type):
    body = ('<?xml version="1.0" encoding="utf-8"?>'
            '<rss version="2.0"><channel><title>Calm – zen</title></channel></rss>')
    parsed = parse_feed(body.encode(), {"Content-Type": content_type})
    assert parsed.entries == () and parsed.problem is None and parsed.title == "Calm – zen"


def _big_document(kind: str, count: int) -> bytes:
    if kind == "rss":
        items = "".join(f"<item><guid>g{i}</guid><title>T {i}</title></item>" for i in range(count))
        return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>{items}</channel></rss>'.encode()
    if kind == "atom":
        items = "".join(f"<entry><id>g{i}</id><title>T {i}</title></entry>" for i in range(count))
        return f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Big</title>{items}</feed>'.encode()
    items = "".join(f'<item rdf:about="https://e.example.com/g{i}"><title>T {i}</title>'
                    f"<link>https://e.example.com/g{i}</link></item>" for i in range(count))
    return ('<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns="http://purl.org/rss/1.0/"><channel rdf:about="x"><title>Big</title></channel>'
            f"{items}</rdf:RDF>").encode()


@pytest.mark.parametrize("kind", ["rss", "atom", "rdf"])
def test_a_document_with_thousands_of_entries_is_read_up_to_the_cap(kind):
    from bot.core.feeds import MAX_ENTRIES

    parsed = parse_feed(_big_document(kind, MAX_ENTRIES * 3))
    assert len(parsed.entries) == MAX_ENTRIES and parsed.problem is None
    assert [e.title for e in parsed.entries[:2]] == ["T 0", "T 1"]
    assert parsed.entries[-1].title == f"T {MAX_ENTRIES - 1}"
    small = parse_feed(_big_document(kind, 40))
    assert len(small.entries) == 40
