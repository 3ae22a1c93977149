"""The fast feed reader (bot.core.feedfast) against feedparser, the parser of record.

For every document we have - fixtures, seed feeds, farm feeds, feedparser's own corpus when
`make stress-corpus` has fetched it, random text in RSS and Atom templates - parse_feed with
the fast path must give exactly what parse_feed forced through feedparser gives. And the fast
path must really take the common feed, or it would be exact by declining everything.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.feedfast import fast_raw_feed
from bot.core.feeds import parse_feed, sanitize_feed_bytes
from tests.farm.content import feed_xml

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted(p for p in (ROOT / "tests/data/feeds").iterdir() if p.suffix != ".md")
SEEDS = sorted((ROOT / "seeds/feeds").rglob("*.xml"))
CORPUS_DIR = ROOT / ".stress/feedparser-tests"
CORPUS = sorted(p for p in CORPUS_DIR.rglob("*") if p.is_file() and p.suffix in (".xml", ".rdf")
                ) if CORPUS_DIR.is_dir() else []
FARM_HEADERS = {"Content-Type": "application/rss+xml"}
FARM_BASE = "http://127.0.0.1:8080"


def _given(body: bytes) -> tuple[dict | None, dict]:
    """The headers and keywords a fixture's `Given:` comment asks for (see test_feeds_parse)."""
    text = body[:4000].decode("utf-8", "replace")
    match = re.search(r"<!--\s*Given:(.*?)-->", text, re.DOTALL)
    headers, kwargs = {}, {}
    for field, value in re.findall(r'([\w.-]+)=("[^"]*"|\S+)', match.group(1) if match else ""):
        value = value.strip('"')
        if field.startswith("header."):
            headers[field.removeprefix("header.")] = value
        else:
            kwargs[field] = value
    return headers or None, kwargs


def _both_ways(body: bytes, headers=None, **kwargs):
    return parse_feed(body, headers, **kwargs), parse_feed(body, headers, fast=False, **kwargs)


def _taken(body: bytes, headers=None, base_url=None) -> bool:
    data, sent_headers = sanitize_feed_bytes(body, headers, base_url)
    return fast_raw_feed(data, sent_headers) is not None


@pytest.mark.parametrize("path", FIXTURES + SEEDS, ids=lambda p: str(p.relative_to(ROOT)))
def test_fixtures_and_seeds_read_the_same_both_ways(path: Path):
    body = path.read_bytes()
    headers, kwargs = _given(body)
    fast, slow = _both_ways(body, headers, **kwargs)
    assert fast == slow


def test_fast_path_takes_every_seed_feed_and_the_plain_fixtures():
    assert all(_taken(path.read_bytes()) for path in SEEDS)
    plain = ["rss2_basic.xml", "content_encoded.xml", "ttl.xml",
             "duplicate_guids.xml", "no_guid_no_link.xml"]
    taken = {p.name for p in FIXTURES if _taken(p.read_bytes(), *_given(p.read_bytes())[:1])}
    assert set(plain) <= taken, sorted(set(plain) - taken)


FARM_FEEDS = [(feed, 40 + feed % 7) for feed in range(0, 3000, 10)]  # 300 feeds, EN and FR


def test_farm_feeds_read_the_same_and_all_take_the_fast_path():
    taken = 0
    for feed, newest in FARM_FEEDS:
        body = feed_xml(feed, newest, FARM_BASE)
        fast, slow = _both_ways(body, FARM_HEADERS, base_url=f"{FARM_BASE}/feed/{feed}.xml")
        assert fast == slow, feed
        assert len(fast.entries) >= 30
        taken += _taken(body, FARM_HEADERS, f"{FARM_BASE}/feed/{feed}.xml")
    assert taken == len(FARM_FEEDS)


@pytest.mark.skipif(not CORPUS, reason="feedparser's corpus absent (make stress-corpus)")
def test_feedparser_corpus_reads_the_same_both_ways():
    taken, different = 0, []
    for path in CORPUS:
        body = path.read_bytes()
        for headers in (None, {"Content-Type": "application/xml"}):
            fast, slow = _both_ways(body, headers)
            if fast != slow:
                different.append(path.name)
            taken += _taken(body, headers)
    assert different == []
    # The corpus is mostly edge cases; the fast path still takes its plain feeds.
    assert taken > 1000, taken  # 686 of 2,242 files, each read with and without a header


@pytest.mark.parametrize(
    "body, why",
    [
        (b'<!DOCTYPE rss><rss version="2.0"><channel><title>x</title></channel></rss>',
         "any DOCTYPE"),
        (b'<rss version="2.0" xmlns:m="http://search.yahoo.com/mrss/"><channel><item>'
         b"<m:title>t</m:title></item></channel></rss>", "an element feedparser has a handler for"),
        (b'<rss version="2.0"><channel><item><title>a <b>bold</b></title></item></channel></rss>',
         "markup inside a text element"),
        (b'<rss version="2.0" xmlns:x="http://x.example/ns"><channel><item><x:y>1</x:y>'
         b"</item></channel></rss>", "an unknown namespace"),
        (b'<rss version="2.0"><channel><item><title>&nbsp;</title></item></channel></rss>',
         "an undefined entity (not well-formed)"),
        (b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title type="xhtml">'
         b'<div xmlns="http://www.w3.org/1999/xhtml">t</div></title></entry></feed>', "xhtml"),
        (b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
         b' xmlns="http://purl.org/rss/1.0/"><item><title>t</title></item></rdf:RDF>', "RSS 1.0"),
        (b'<rss version="2.0"><channel><item xml:base="http://a.example/"><link>x</link></item>'
         b"</channel></rss>", "xml:base"),
    ],
)
def test_fast_path_declines_what_it_does_not_reproduce(body, why):
    assert fast_raw_feed(body, {}) is None, why
    fast, slow = _both_ways(body)
    assert fast == slow


# --- random text inside the two common templates ---------------------------------------------

_PIECES = st.sampled_from([
    "Meta", " ", "  ", "\n", "\t", "&amp;", "&lt;b&gt;", "&lt;/b&gt;", "&#233;", "&#x2019;",
    "&quot;", "&gt;", "<![CDATA[<p>para</p>]]>", "<![CDATA[a & b]]>", "&lt;p&gt;x&lt;/p&gt;",
    "é", "ü", "中文", "\u00c3\u00a9", "\u0080", "\u0093", "€", "<!-- c -->", "https://x.example/a",
    "&lt;script&gt;bad()&lt;/script&gt;", "&amp;amp;", "&amp;nbsp;", "$2.5 billion", "_",
])
_TEXT = st.lists(_PIECES | st.text(alphabet=st.characters(
    blacklist_categories=("Cs",), blacklist_characters="<&]\x00\r"), max_size=8),
    max_size=8).map("".join)
_LINK = st.sampled_from(["https://x.example/a?b=1&amp;c=2", "/relative/path", "item-3",
                         "  https://x.example/spaced  ", "javascript:alert(1)", "",
                         "https://x.example/&amp;amp;", "http://x.example/caf\u00e9"])
_DATE = st.sampled_from(["Tue, 03 Jun 2025 14:20:00 +0000", "2025-06-03T14:20:00Z",
                         "not a date", "", "Thu, 12 Jun 2025 23:30:00 -0300", "2025-06-03"])

_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _XML_CHARS.sub("", text)


def _rss(title, summary, content, link, guid, date, author) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Feed</title>'
        f"<link>https://x.example/</link><language>fr</language><item><title>{title}</title>"
        f"<link>{link}</link><guid>{guid}</guid><pubDate>{date}</pubDate>"
        f"<dc:creator>{author}</dc:creator><description>{summary}</description>"
        f"<content:encoded>{content}</content:encoded></item>"
        f"<item><title>{summary}</title><guid isPermaLink=\"false\">{guid}</guid>"
        f"<description>{title}</description></item></channel></rss>"
    ).encode()


def _atom(title, summary, content, link, guid, date, author) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
        f'xml:lang="de"><title type="html">{title}</title><id>{guid}</id>'
        f'<link href="{link}"/><entry><title>{title}</title><id>{guid}</id>'
        f'<link rel="alternate" href="{link}"/><updated>{date}</updated>'
        f"<author><name>{author}</name></author><summary type=\"html\">{summary}</summary>"
        f'<content type="html">{content}</content></entry>'
        f"<entry><title type=\"html\">{summary}</title><summary>{title}</summary></entry></feed>"
    ).encode()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([_rss, _atom]), _TEXT, _TEXT, _TEXT, _LINK, _TEXT, _DATE, _TEXT,
       st.sampled_from([None, {"Content-Type": "application/rss+xml"},
                        {"Content-Type": "text/xml; charset=utf-8", "Content-Language": "es"},
                        {"Content-Location": "https://base.example/feeds/"}]))
def test_random_text_reads_the_same_both_ways(template, title, summary, content, link, guid,
                                              date, author, headers):
    body = template(*(_clean(t) for t in (title, summary, content, link, guid, date, author)))
    fast, slow = _both_ways(body, headers)
    assert fast == slow


def test_templates_take_the_fast_path():
    for template in (_rss, _atom):
        body = template("T &amp; é", "<![CDATA[<p>S</p>]]>", "C", "https://x.example/a", "g1",
                        "2025-06-03T14:20:00Z", "Ann")
        assert _taken(body), template.__name__


@pytest.mark.parametrize("link, kept", [
    ("https://x.example/a", True), ("https://x.example/a\u00a0b", False),
    ("https://x.example/a\x7fb", False), ("https://x.example/a\u2028b", False),
    ("https://x.example/caf\u00e9", True),
])
def test_links_with_a_space_or_control_inside_are_dropped_both_ways(link, kept):
    body = (f'<rss version="2.0"><channel><item><title>t</title><link>{link}</link></item>'
            "</channel></rss>").encode()
    fast, slow = _both_ways(body)
    assert fast == slow
    assert (fast.entries[0].link == link) is kept


# --- random order and repetition of an entry's elements --------------------------------------

_RSS_CHILDREN = st.sampled_from([
    "<title>Meta buys Scale</title>", "<title></title>", "<title>&lt;b&gt;Bold&lt;/b&gt; move</title>",
    "<link>https://x.example/1</link>", "<link>rel/2</link>", "<guid>https://x.example/g</guid>",
    '<guid isPermaLink="false">g-1</guid>', "<guid>tag-2</guid>",
    "<pubDate>Tue, 03 Jun 2025 14:20:00 +0000</pubDate>", "<dc:date>2025-06-04T10:00:00Z</dc:date>",
    "<description>Teaser &amp; more</description>", "<description><![CDATA[<p>Long</p>]]></description>",
    "<content:encoded><![CDATA[<p>Full article text</p>]]></content:encoded>",
    "<dc:creator>Ann Lee</dc:creator>", "<author>ann@x.example (Ann Lee)</author>",
    '<category domain="d">Deals</category>', "<comments>https://x.example/c</comments>",
    '<enclosure url="https://x.example/a.mp3" length="1" type="audio/mpeg"/>',
    '<atom:link rel="alternate" type="text/html" href="https://x.example/alt"/>',
    '<atom:link rel="self" href="https://x.example/self"/>',
])
_ATOM_CHILDREN = st.sampled_from([
    "<title>Meta buys Scale</title>", '<title type="html">A &amp;amp; B</title>', "<title/>",
    '<link href="https://x.example/1"/>', '<link rel="alternate" href="rel/2"/>',
    '<link rel="self" href="https://x.example/s"/>', '<link rel="enclosure" href="https://x.example/e"/>',
    '<link type="application/pdf" href="https://x.example/p"/>',
    "<id>tag:x.example,2025:1</id>", "<id>rel-id</id>", "<updated>2025-06-04T10:00:00Z</updated>",
    "<published>2025-06-03T10:00:00+02:00</published>", "<summary>Teaser</summary>",
    '<summary type="html">&lt;p&gt;Teaser&lt;/p&gt;</summary>',
    '<content type="html">&lt;p&gt;Full&lt;/p&gt;</content>', "<content>Plain full</content>",
    "<author><name>Ann</name></author>", "<author><name>Ann</name><email>a@x.example</email></author>",
    "<author><email>a@x.example</email><uri>https://x.example/ann</uri></author>",
    "<author><uri>/ann</uri></author>", '<category term="deals"/>',
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_RSS_CHILDREN, max_size=9), min_size=1, max_size=3),
       st.lists(st.lists(_ATOM_CHILDREN, max_size=9), min_size=1, max_size=3),
       st.sampled_from([None, {"Content-Location": "https://base.example/feeds/"}]))
def test_any_order_and_repetition_of_entry_elements_reads_the_same(rss_items, atom_entries,
                                                                   headers):
    rss = ('<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
           'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
           'xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>F</title>'
           + "".join(f"<item>{''.join(children)}</item>" for children in rss_items)
           + "</channel></rss>").encode()
    atom = ('<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title>'
            + "".join(f"<entry>{''.join(children)}</entry>" for children in atom_entries)
            + "</feed>").encode()
    for body in (rss, atom):
        fast, slow = _both_ways(body, headers)
        assert fast == slow
