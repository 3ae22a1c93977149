"""Feed bytes in, normalised entries out. Pure: no network, no clock, no logging.

`parse_feed` is a top-level function of picklable arguments so the poller can run it in a
thread or process pool. feedparser only ever sees bytes wrapped in a BytesIO, never a string
it could take for a URL or a file path.

Before feedparser sees the bytes, two defences run on them (both only in the prolog or in
author-like elements, both linear time):

* DOCTYPE and ENTITY declarations are removed. feedparser strips them itself only when each
  declaration starts a line, so a one-line `<!DOCTYPE x [<!ENTITY a "..."><!ENTITY b "&a;&a;">]>`
  survives and a 540-byte document expands a title to 300,000 characters.
* The text of author-like elements (`author`, `dc:creator`, `name`, `email`, `webMaster`...)
  is cut to `MAX_AUTHOR_BYTES`: feedparser runs an e-mail regex over it that takes quadratic
  time, about 5 s for a 32 KB author.

Everything a user reads comes out as plain text: HTML stripped, entities decoded, whitespace
collapsed, lengths capped. (Charsets: feedparser follows the HTTP header and the XML
declaration, then repairs UTF-8 read as Latin-1 and maps windows-1252 C1 bytes itself, per
text element; the fixtures hold it to that.)
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

try:
    from bot.core.feedfast import fast_raw_feed
except ImportError:  # a feedparser release without the internals the fast path borrows
    fast_raw_feed = None
from bot.core.identity import canonical_link, entry_key
from bot.core.model import Entry, ParsedFeed

MAX_TITLE_CHARS = 500
MAX_SUMMARY_CHARS = 5_000
MAX_AUTHOR_CHARS = 200
# Markup read per text field: what we keep is capped far below this, and HTMLParser is pure
# Python (about 0.6 s per MB), so a 5 MB content:encoded must not all go through it.
MAX_TEXT_INPUT_CHARS = 100_000
MAX_AUTHOR_BYTES = 512  # 512² regex steps cost about a millisecond
# RSS <ttl> is in minutes; beyond a week it is a typo or a way to make us stop polling.
MAX_TTL_MINUTES = 7 * 24 * 60
# A news feed carries tens of entries; a document with thousands is an archive dump or an
# attack, and parsing it whole holds a worker for seconds (5,000 entries: stress part 3).
# Only the first MAX_ENTRIES (the newest, in every feed format's usual order) are read.
MAX_ENTRIES = 500

_HEADERS_FEEDPARSER_USES = ("content-type", "content-location", "content-language")


def parse_feed(
    body: bytes,
    headers: Mapping[str, str] | None = None,
    *,
    base_url: str | None = None,
    lang_hint: str | None = None,
    fast: bool = True,
) -> ParsedFeed:
    """Parse one fetched document.

    `headers` are the HTTP response headers (any case): Content-Type gives the charset,
    Content-Location and `base_url` (the URL the body came from) resolve relative links.
    `lang_hint` (the feed list's `lang`) is used when neither entry nor feed says a language.

    Never raises on bad input. A document that is not a feed gives no entries and a `problem`
    sentence; a feed that is merely sloppy (bozo) gives its entries and no problem. Entries
    sharing a key keep the first one.

    The common feed (plain RSS 2.0 / Atom 1.0) is read by bot.core.feedfast, which gives
    what feedparser would, ten times cheaper; anything else goes to feedparser. `fast=False`
    sends everything to feedparser (the differential tests compare the two).
    """
    hint = _two_letter_lang(lang_hint)
    if not body or not body.removeprefix(_UTF8_BOM).strip():
        return _not_a_feed("empty document", hint)
    verdict = _sniff_non_feed(body)
    if verdict:
        return _not_a_feed(verdict, hint)

    data, response_headers = sanitize_feed_bytes(body, headers or {}, base_url)
    parsed = _fast_parse(data, response_headers) if fast else None
    if parsed is None:
        try:
            parsed = feedparser.parse(
                io.BytesIO(data),
                response_headers=response_headers,
                # We keep plain text only (script/style bodies dropped by _TextExtractor), so
                # feedparser's HTML sanitizer and URI rewriting would be pure cost: the
                # sanitizer made a 570 KB feed take 0.8 s to parse instead of 0.1 s.
                resolve_relative_uris=False,
                sanitize_html=False,
            )
        except Exception as exc:  # feedparser is sturdy, but a bug there must not cost the poll
            return _not_a_feed(f"feed parser failed: {type(exc).__name__}: {exc}", hint)

    meta = parsed.get("feed", {})
    feed_lang = _two_letter_lang(meta.get("language")) or hint
    link_base = response_headers.get("content-location") or base_url
    entries = _normalise_entries(parsed.get("entries", []), link_base, feed_lang)
    return ParsedFeed(
        title=_plain(meta.get("title_detail") or meta.get("title"), MAX_TITLE_CHARS) or None,
        link=_safe_link(meta.get("link"), link_base),
        lang=feed_lang,
        ttl_seconds=_ttl_seconds(meta.get("ttl")),
        entries=entries,
        problem=None if entries else _why_empty(parsed),
    )


def _fast_parse(data: bytes, response_headers: Mapping[str, str]) -> Mapping[str, Any] | None:
    """feedfast's reading, or None to ask feedparser (also when feedfast itself fails: it is
    an optimisation, never the reason a poll loses a feed)."""
    if fast_raw_feed is None:
        return None
    try:
        return fast_raw_feed(data, response_headers)
    except Exception:
        return None


def _not_a_feed(problem: str, lang: str | None) -> ParsedFeed:
    return ParsedFeed(title=None, link=None, lang=lang, ttl_seconds=None, entries=(),
                      problem=problem)


def _why_empty(parsed: Mapping[str, Any]) -> str | None:
    """None for a feed that has no items today; a sentence otherwise. A feed served as
    text/html or with a wrong charset label is still a feed (feedparser's "things nobody
    cares about" warnings)."""
    reason = parsed.get("bozo_exception")
    benign = isinstance(reason, feedparser.ThingsNobodyCaresAboutButMe)
    if parsed.get("version") and (not parsed.get("bozo") or benign):
        return None
    if parsed.get("version"):
        return f"malformed feed with no readable entries: {reason}"
    return "not a feed: no RSS or Atom elements found" + (f" ({reason})" if reason else "")


# ---------------------------------------------------------------------------------------------
# Before parsing: bytes.

_UTF8_BOM = b"\xef\xbb\xbf"
_HTML_START = re.compile(rb"<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.IGNORECASE)
_PROLOG_NOISE = re.compile(rb"(?:\s+|<\?.*?\?>|<!--.*?-->)", re.DOTALL)


def _sniff_non_feed(body: bytes) -> str | None:
    """Recognise the usual wrong answers (an HTML page, JSON) before feedparser digs into
    them. Only looks at the start of the document after the XML declaration and comments."""
    start = body[3:] if body.startswith(_UTF8_BOM) else body
    position = 0
    while True:
        noise = _PROLOG_NOISE.match(start, position)
        if not noise or noise.end() == position:
            break
        position = noise.end()
    head = start[position : position + 64]
    if _HTML_START.match(head):
        return "not a feed: looks like an HTML page"
    if head[:1] in (b"{", b"["):
        return "not a feed: looks like JSON, not RSS or Atom"
    return None


def sanitize_feed_bytes(
    body: bytes, headers: Mapping[str, str] | None = None, base_url: str | None = None
) -> tuple[bytes, dict[str, str]]:
    """The bytes and headers `parse_feed` hands to feedparser: DOCTYPE/ENTITY declarations
    stripped, author-like elements cut to MAX_AUTHOR_BYTES, UTF-16/32 re-encoded as UTF-8,
    headers reduced to the three feedparser uses, relative Content-Location made absolute.
    Public so tests (and the stress suite) can see what the parser was given."""
    wanted = {
        k.lower(): str(v) for k, v in (headers or {}).items()
        if k.lower() in _HEADERS_FEEDPARSER_USES
    }
    if base_url:
        wanted["content-location"] = urljoin(base_url, wanted.get("content-location", ""))
    if wanted and "content-type" not in wanted:
        # With some headers but no Content-Type, feedparser assumes ISO-8859-1 (RFC 2616);
        # a file or a header-less answer is better served by the XML declaration or UTF-8.
        wanted["content-type"] = "application/xml"

    wide = _wide_encoding(body)
    if wide:
        # UTF-16/32: our byte patterns cannot see ASCII markup, so re-encode as UTF-8.
        text = body.decode(wide, errors="replace").lstrip("\ufeff")
        body = _XML_DECL_ENCODING.sub(rb"\1utf-8\2", text.encode("utf-8"), count=1)
        wanted["content-type"] = "application/xml; charset=utf-8"
    return _keep_first_entries(_cut_long_authors(_strip_declarations(body))), wanted


_ENTRY_START = re.compile(rb"<(?:[A-Za-z][\w.-]*:)?(item|entry)[\s>/]", re.IGNORECASE)
_ROOT_CLOSERS = (  # how a cut document is closed again, by what its root element is
    (re.compile(rb"<(?:[A-Za-z][\w.-]*:)?RDF[\s>]"), b"</rdf:RDF>"),
    (re.compile(rb"<(?:[A-Za-z][\w.-]*:)?feed[\s>]"), b"</feed>"),
    (re.compile(rb"<rss[\s>]", re.IGNORECASE), b"</channel></rss>"),
)


def _keep_first_entries(body: bytes, limit: int | None = None) -> bytes:
    """Cut the document before its (limit+1)-th entry and close its root again."""
    limit = MAX_ENTRIES if limit is None else limit
    if body.count(b"<item") + body.count(b"<entry") + body.count(b":item") + body.count(
        b":entry"
    ) <= limit:  # the cheap test first: almost every feed stops here
        return body
    for index, match in enumerate(_ENTRY_START.finditer(body)):
        if index == limit:
            head = body[: match.start()]
            closer = next((c for pattern, c in _ROOT_CLOSERS if pattern.search(head, 0, 4096)), b"")
            return head + closer
    return body


_XML_DECL_ENCODING = re.compile(rb"^(<\?xml[^>]*?encoding\s*=\s*[\"'])[^\"']*([\"'])")
_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\xfe\xff", "utf-16"), (b"\xff\xfe", "utf-16"),
    (b"\x00\x00\x00<", "utf-32-be"), (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00?", "utf-16-be"), (b"<\x00?\x00", "utf-16-le"),
)


def _wide_encoding(body: bytes) -> str | None:
    for mark, codec in _BOMS:
        if body.startswith(mark):
            return codec
    return None


# In the prolog: a declaration's text is made of quoted literals, comments, brackets (the
# internal subset) and the `>` that ends it. Quotes and comments may hold `>` and `]`.
_DECLARATION_TOKEN = re.compile(rb"\"[^\"]*\"|'[^']*'|<!--.*?-->|[\[\]>]", re.DOTALL)


def _strip_declarations(data: bytes) -> bytes:
    """Remove every `<!...>` declaration (DOCTYPE with its internal subset, stray ENTITY)
    between the start of the document and its root element."""
    kept: list[bytes] = []
    position = 3 if data.startswith(_UTF8_BOM) else 0
    if position:
        kept.append(_UTF8_BOM)
    while True:
        noise = _PROLOG_NOISE.match(data, position)
        if noise and noise.end() > position:
            kept.append(data[position : noise.end()])
            position = noise.end()
            continue
        if data.startswith(b"<!", position):
            position = _declaration_end(data, position)
            continue
        break
    return b"".join(kept) + data[position:]


def _declaration_end(data: bytes, start: int) -> int:
    depth = 0
    for token in _DECLARATION_TOKEN.finditer(data, start + 2):
        symbol = token.group()
        if symbol == b"[":
            depth += 1
        elif symbol == b"]":
            depth = max(0, depth - 1)
        elif symbol == b">" and depth == 0:
            return token.end()
    return len(data)  # an unterminated declaration swallows the document: nothing to parse


# feedparser's e-mail regex runs over these elements' text (see _sync_author_detail).
_AUTHOR_OPEN = re.compile(
    rb"<((?:[\w.-]+:)?(?:author|creator|publisher|contributor|webmaster|managingeditor"
    rb"|name|email|owner))(?:\s[^<>]*)?(?<!/)>",
    re.IGNORECASE,
)
_CHILD_ELEMENT = re.compile(rb"<[A-Za-z_]")


def _cut_long_authors(data: bytes) -> bytes:
    pieces: list[bytes] = []
    position = 0
    for opening in _AUTHOR_OPEN.finditer(data):
        if opening.start() < position:
            continue
        close = data.find(b"</" + opening.group(1), opening.end())
        if close == -1 or close - opening.end() <= MAX_AUTHOR_BYTES:
            continue
        text = data[opening.end() : close]
        if _CHILD_ELEMENT.search(text):
            continue  # <author><name>..</name></author>: the inner element is cut instead
        pieces += [data[position : opening.end()], _cut_text(text)]
        position = close
    if not pieces:
        return data
    return b"".join(pieces) + data[position:]


def _cut_text(text: bytes) -> bytes:
    """The first MAX_AUTHOR_BYTES of an element's text, still well-formed: no split UTF-8
    sequence, no half entity, a CDATA section closed again."""
    cdata = text.lstrip().startswith(b"<![CDATA[")
    inner = text.lstrip()[9:] if cdata else text
    cut = inner[:MAX_AUTHOR_BYTES]
    while cut and 0x80 <= cut[-1] <= 0xBF:  # a UTF-8 continuation byte: back off the sequence
        cut = cut[:-1]
    if cut and cut[-1] >= 0xC0:
        cut = cut[:-1]
    amp = cut.rfind(b"&")
    if amp != -1 and b";" not in cut[amp:]:
        cut = cut[:amp]
    if cdata:
        cut = b"<![CDATA[" + cut.replace(b"]]>", b"") + b"]]>"
    return cut


# ---------------------------------------------------------------------------------------------
# After parsing: feedparser's dicts into Entry objects.


def _normalise_entries(raw_entries: list, link_base: str | None, feed_lang: str | None
                       ) -> tuple[Entry, ...]:
    unreliable = _shared_guids(raw_entries, link_base)
    entries: list[Entry] = []
    seen: set[str] = set()
    for raw in raw_entries:
        try:
            entry = _entry_from(raw, link_base, feed_lang, unreliable)
        except Exception:  # one malformed entry never costs the others
            continue
        if not (entry.title or entry.link or entry.summary):
            continue  # nothing to show or analyse (the tail of a truncated document)
        if entry.key in seen:
            continue  # inside one document the first of two entries with one key wins
        seen.add(entry.key)
        entries.append(entry)
    return tuple(entries)


def _shared_guids(raw_entries: list, link_base: str | None) -> frozenset[str]:
    """Guids that several *different* articles carry in this document (some CMSs put the
    feed's URL or a constant in every <guid>).

    Such a guid identifies nothing, so entries carrying it are keyed by their link instead.
    Deciding per document, for every entry with that guid, keeps keys stable from one poll
    to the next: were only the repeats re-keyed, the entry that comes first would change as
    new items arrive, and each change would look like a new article. A guid repeated with
    the same link (or no link) is a true duplicate: first wins."""
    links_by_guid: dict[str, set[str]] = {}
    for raw in raw_entries:
        try:
            guid = _guid_of(raw)
            if guid:
                link = _safe_link(raw.get("link"), link_base)
                links_by_guid.setdefault(guid, set()).add(canonical_link(link) if link else "")
        except Exception:
            continue
    return frozenset(guid for guid, links in links_by_guid.items() if len(links) > 1)


def _guid_of(raw: Mapping[str, Any]) -> str | None:
    guid = raw.get("id")
    return (guid.strip() or None) if isinstance(guid, str) else None


def _entry_from(raw: Mapping[str, Any], link_base: str | None, feed_lang: str | None,
                unreliable_guids: frozenset[str]) -> Entry:
    guid = _guid_of(raw)
    link = _safe_link(raw.get("link"), link_base)
    title = _plain(raw.get("title_detail") or raw.get("title"), MAX_TITLE_CHARS)
    # dict.get: feedparser's own get() maps one date key onto the other with a warning.
    published = _utc_datetime(dict.get(raw, "published_parsed")) or _utc_datetime(
        dict.get(raw, "updated_parsed"))
    summary = _summary(raw)
    key_guid = None if guid in unreliable_guids else guid
    # An untitled entry without guid or link is told apart by its text, not all keyed "".
    return Entry(
        key=entry_key(key_guid, link, title or summary[:MAX_TITLE_CHARS], published),
        title=title,
        link=link,
        summary=summary,
        published=published,
        lang=_entry_lang(raw) or feed_lang,
        guid=guid,
        author=_plain(raw.get("author"), MAX_AUTHOR_CHARS) or None,
    )


def _summary(raw: Mapping[str, Any]) -> str:
    """The longer of the summary and the content blocks, as plain text. Feeds put a teaser in
    <description> and the article in <content:encoded>, or the reverse, or the same twice."""
    # dict.get: feedparser's get("summary") falls back to the first content block, raw HTML.
    candidates = [dict.get(raw, "summary_detail")
                  or {"type": "text/html", "value": dict.get(raw, "summary") or ""}]
    candidates += list(dict.get(raw, "content") or [])
    texts = [_plain(candidate, None) for candidate in candidates]
    return _clip(max(texts, key=len, default=""), MAX_SUMMARY_CHARS)


def _entry_lang(raw: Mapping[str, Any]) -> str | None:
    # feedparser records xml:lang (and Content-Language) in each text construct's detail.
    for detail in (raw.get("title_detail"), raw.get("summary_detail"),
                   *(raw.get("content") or [])):
        if isinstance(detail, Mapping):
            lang = _two_letter_lang(detail.get("language"))
            if lang:
                return lang
    return None


_LANG = re.compile(r"^\s*([A-Za-z]{2})(?:[-_][A-Za-z0-9-]*)?\s*$")


def _two_letter_lang(code: object) -> str | None:
    match = _LANG.match(code) if isinstance(code, str) else None
    return match.group(1).lower() if match else None


def _ttl_seconds(ttl: object) -> int | None:
    try:
        minutes = int(str(ttl).strip())
    except (TypeError, ValueError):
        return None
    return minutes * 60 if 0 < minutes <= MAX_TTL_MINUTES else None


def _utc_datetime(parsed: object) -> datetime | None:
    """feedparser's UTC struct_time as an aware datetime; None when absent or impossible."""
    try:
        return datetime(*parsed[:6], tzinfo=timezone.utc)  # type: ignore[index,misc]
    except (TypeError, ValueError, OverflowError):
        return None


# Controls, DEL and anything str.isspace() calls a space (re's \s is the same set).
_LINK_BREAKER = re.compile(r"[\x00-\x1f\x7f\s]")


def _safe_link(link: object, base: str | None) -> str | None:
    """An absolute http(s) link, or None: a `javascript:` or `data:` link must never reach a
    chat message. Relative links are resolved against the document's base."""
    if not isinstance(link, str) or not link.strip():
        return None
    absolute = urljoin(base, link.strip()) if base else link.strip()
    # A control character or space inside a link is a broken or spliced document; such a
    # link would not survive a chat message intact, so it is dropped rather than repaired.
    if _LINK_BREAKER.search(absolute):
        return None
    try:
        parts = urlsplit(absolute)
    except ValueError:
        return None
    return absolute if parts.scheme.lower() in ("http", "https") and parts.netloc else None


# ---------------------------------------------------------------------------------------------
# Text.

_HTML_TYPES = ("text/html", "application/xhtml+xml", "html", "xhtml")
# Tags some feeds escape twice into plain-text titles ("&lt;b&gt;Bold&lt;/b&gt;"): dropped as
# markup. Any other "<...>" in plain text is the author's text ("Why <script> is risky").
_FORMATTING_TAG = re.compile(
    r"</?(?:b|i|em|strong|u|s|a|span|font|br|sup|sub|small|big|mark|abbr|cite|q)"
    r"(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_OTHER_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _plain(value: object, limit: int | None) -> str:
    """Plain text of a feedparser text construct (a detail dict with `type` and `value`) or a
    bare string (taken as plain text)."""
    if isinstance(value, Mapping):
        text, kind = value.get("value") or "", (value.get("type") or "").lower()
    else:
        text, kind = (value if isinstance(value, str) else ""), "text/plain"
    text = text[:MAX_TEXT_INPUT_CHARS]
    if kind in _HTML_TYPES:
        text = _html_to_text(text)
    else:
        # Plain text escaped twice by its feed still carries entities and simple markup.
        text = _ENTITY.sub(lambda m: html.unescape(m.group()), _FORMATTING_TAG.sub(" ", text))
    text = " ".join(_OTHER_CONTROLS.sub(" ", text).split())
    return _clip(text, limit) if limit else text


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    word_end = cut.rfind(" ")
    if word_end > limit * 0.8:
        cut = cut[:word_end]
    return cut.rstrip() + "\u2026"


class _TextExtractor(HTMLParser):
    """Text content of an HTML fragment; script/style bodies dropped; block elements
    separate words."""

    _SKIPPED = {"script", "style", "template", "noscript"}
    _BLOCKS = {"p", "br", "div", "li", "ul", "ol", "tr", "td", "th", "h1", "h2", "h3", "h4",
               "h5", "h6", "blockquote", "pre", "hr", "section", "article", "figure",
               "figcaption", "dt", "dd", "table"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self._SKIPPED:
            self._skipping += 1
        elif tag in self._BLOCKS:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag in self._BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def _html_to_text(fragment: str) -> str:
    if "<" not in fragment and "&" not in fragment:
        return fragment
    extractor = _TextExtractor()
    extractor.feed(fragment)
    extractor.close()
    return "".join(extractor.parts)
