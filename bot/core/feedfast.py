"""A fast reading of the common feed, giving what feedparser would give. Pure: no I/O.

feedparser stays the parser of record (issue 7). It spends ~250 us of Python per RSS item
(a SAX callback per event, URL joins per element, a dispatch per tag); the C tree builder of
xml.etree reads the same document for a tenth of that. `fast_raw_feed` takes only documents
whose whole content it can reproduce exactly - plain RSS 2.0 / 0.9x and Atom 1.0 with the usual
elements - and answers None ("not mine, ask feedparser") for anything else: a DOCTYPE, an
unknown namespace or element, xml:base, nested markup in a text element, a repeated summary,
an encoding feedparser had to guess. tests/test_feed_fastpath.py holds it to feedparser's
output on fixtures, seeds, farm feeds, feedparser's own corpus and random text.

What it returns is the subset of feedparser's result that bot.core.feeds reads: `feed`
(title, title_detail, link, language, ttl), `entries` (title/title_detail, link, id,
guidislink, summary/summary_detail, content, published/published_parsed, updated/
updated_parsed, author), `version`, `bozo`, `bozo_exception`. Each value is computed the way
feedparser's handlers compute it (feedparser/mixin.py and namespaces/_base.py): same
stripping, same relative-URI joins, same "looks like HTML" guess for RSS text, same
Latin-1/cp1252 repairs, same date parser, same first-or-last-wins rules.

Safety: the caller runs sanitize_feed_bytes first; on top of that any DOCTYPE or ENTITY
text makes this path decline, so expat here never sees a DTD and expands no entity.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping
from typing import Any

from feedparser.api import StrictFeedParser
from feedparser.datetimes import _parse_date as _feedparser_parse_date
from feedparser.encodings import convert_to_utf8
from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin
from feedparser.urls import _urljoin, make_safe_absolute_uri

ATOM_NS = "http://www.w3.org/2005/Atom"
_XML_NS = "http://www.w3.org/XML/1998/namespace"
# feedparser's own table: namespace URI (lower-cased) -> the prefix its handlers are named by.
_PREFIX_OF_URI = {uri.lower(): prefix for uri, prefix in _FeedParserMixin.namespaces.items()}
_KNOWN_PREFIXES = set(_PREFIX_OF_URI.values()) - {""}
# Namespaces a document may declare. The RSS 0.90/1.0 and old Atom URIs would change the
# version feedparser reports (or the element meaning), so they stay with feedparser.
_ALLOWED_URIS = {uri for uri, prefix in _PREFIX_OF_URI.items() if prefix} | {"", ATOM_NS.lower()}

# Keys parse_feed reads (or that feedparser's handlers consult): an element feedparser would
# store under one of these names without a handler of its own is not a generic element.
_READ_KEYS = frozenset({
    "title", "title_detail", "link", "links", "id", "guidislink", "summary", "summary_detail",
    "content", "published", "published_parsed", "updated", "updated_parsed", "author",
    "author_detail", "authors", "language", "ttl", "href", "tags", "image", "textinput",
    "source", "item", "entry", "feed", "channel", "rss",
})

_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
# Starts with the literal so re skips through the document in C; the byte before it is
# checked to be a space by the caller (an attribute always follows one).
_XMLNS = re.compile(rb"""xmlns(?::([^\s=/>]+))?\s*=\s*(?:"([^"<]*)"|'([^'<]*)')""")
_LINK_ENTITY = re.compile("&([A-Za-z0-9_]+);")
_C1 = re.compile("[\x80-\x9f]")
_TEXT_TYPES = {"text": "text/plain", "plain": "text/plain", "html": "text/html",
               "text/plain": "text/plain", "text/html": "text/html"}
_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_RSS_VERSIONS = {"0.91": "rss091u", "0.92": "rss092", "0.93": "rss093", "0.94": "rss094"}
# A feed repeats yesterday's dates at every poll; feedparser's parser is pure and its
# struct_time immutable, so a bounded memo gives the same answers for a tenth of the cost.
_parse_date = functools.lru_cache(maxsize=8192)(_feedparser_parse_date)
_looks_like_html = _FeedParserMixin.looks_like_html
_map_type = _FeedParserMixin.map_content_type


class Decline(Exception):
    """The document holds something this path does not reproduce: feedparser reads it."""


def fast_raw_feed(data: bytes, headers: Mapping[str, str] | None = None) -> dict | None:
    """feedparser's result for `data` (already through sanitize_feed_bytes) in the parts
    parse_feed reads, or None when the document is not the common case. `headers` are the
    ones given to feedparser (lower-case names)."""
    if _DECLARATION.search(data):
        return None
    headers = dict(headers or {})
    encoding_result: dict[str, Any] = {}
    utf8 = convert_to_utf8(headers, data, encoding_result)  # feedparser's own charset choice
    if not encoding_result.get("encoding") or not _namespaces_allowed(utf8):
        return None
    try:
        root = ElementTree.fromstring(utf8)  # noqa: S314 - no DTD can be present (see above)
    except ElementTree.ParseError:
        return None
    base = _stable_base(headers.get("content-location") or "")
    if base is None:
        return None
    try:
        reader = _Reader(base, headers.get("content-language"))
        reader.read(root)
    except Decline:
        return None
    result = {"feed": reader.feed, "entries": reader.entries, "version": reader.version,
              "bozo": encoding_result.get("bozo", False)}
    if "bozo_exception" in encoding_result:
        result["bozo_exception"] = encoding_result["bozo_exception"]
    return result


def _namespaces_allowed(document: bytes) -> bool:
    """Every namespace declared is one feedparser knows, under its usual prefix (feedparser
    names handlers by its own prefix, and maps a document prefix onto it)."""
    for match in _XMLNS.finditer(document):
        if not document[match.start() - 1 : match.start()].isspace():
            continue  # text such as "noxmlns=": not an attribute
        prefix = (match.group(1) or b"").decode("utf-8", "replace")
        uri = (match.group(2) if match.group(2) is not None else match.group(3)).decode(
            "utf-8", "replace").lower()
        if uri not in _ALLOWED_URIS:
            return False
        if prefix and prefix in _KNOWN_PREFIXES and _PREFIX_OF_URI[uri] != prefix:
            return False
    return True


def _stable_base(location: str) -> str | None:
    """feedparser re-derives the base URI at every element (make_safe_absolute_uri of it with
    itself); without xml:base that is one value, if deriving it again changes nothing."""
    if not location:
        return ""
    once = make_safe_absolute_uri(location, location) or location
    return once if (make_safe_absolute_uri(once, once) or once) == once else None


def _tag(element: ElementTree.Element) -> str:
    """feedparser's name for an element: its handler prefix and the lower-cased local name."""
    tag = element.tag
    if not isinstance(tag, str):
        raise Decline("comment or processing instruction in the tree")
    if tag[0] == "{":
        uri, _, local = tag[1:].partition("}")
        prefix = _PREFIX_OF_URI.get(uri.lower())
        if prefix is None:
            raise Decline(f"namespace {uri}")
        return f"{prefix}_{local.lower()}" if prefix else local.lower()
    return tag.lower()


def _attributes(element: ElementTree.Element, allowed: frozenset[str] = frozenset()) -> dict:
    """Attributes by feedparser's lower-cased name; rel/type values lower-cased as it does.
    xml:lang / xml:base / lang / base and namespaced attributes change the state feedparser
    carries down the tree, so they are declined (the root's xml:lang is read by the caller)."""
    attrs = {}
    for name, value in element.attrib.items():
        key = name.lower()
        if key[0] == "{" or key not in allowed:
            raise Decline(f"attribute {name}")
        attrs[key] = value.lower() if key in ("rel", "type") else value
    return attrs


def _only_text(element: ElementTree.Element) -> str:
    if len(element):
        raise Decline("markup inside a text element")
    return element.text or ""


def _has_handler(key: str) -> bool:
    return hasattr(StrictFeedParser, "_start_" + key) or hasattr(StrictFeedParser, "_end_" + key)


_NO_ATTRS: frozenset[str] = frozenset()
_GUID_ATTRS = frozenset({"ispermalink"})
_LINK_ATTRS = frozenset({"href", "rel", "type", "hreflang", "title", "length"})
_TEXT_ATTRS = frozenset({"type"})
_CATEGORY_ATTRS = frozenset({"term", "scheme", "label", "domain"})
_ENCLOSURE_ATTRS = frozenset({"url", "length", "type"})
_CLOUD_ATTRS = frozenset({"domain", "port", "path", "registerprocedure", "protocol"})
_GENERATOR_ATTRS = frozenset({"uri", "version"})
_IMAGE_CHILDREN = frozenset({"title", "url", "link", "width", "height", "description"})
_AUTHOR_CHILDREN = frozenset({"name", "email", "uri"})
# Text elements that set keys parse_feed never reads: their content does not matter.
_FEED_IGNORED = frozenset({"description", "subtitle", "tagline", "rights", "copyright",
                           "dc_rights", "generator", "updated", "lastbuilddate", "pubdate",
                           "published", "dc_date", "dcterms_modified", "category",
                           "dc_subject", "webmaster", "dc_publisher"})


class _Reader:
    """Walks the tree the way feedparser's SAX handlers walk the events, keeping only the
    state that decides the keys parse_feed reads."""

    def __init__(self, base: str, header_lang: str | None) -> None:
        self.base = base
        self.lang = header_lang
        self.feed: dict[str, Any] = {}
        self.entries: list[dict[str, Any]] = []
        self.version = ""
        self.title_depth = -1
        if header_lang:
            self.feed["language"] = header_lang.replace("_", "-")

    # --- document shape -----------------------------------------------------------------

    def read(self, root: ElementTree.Element) -> None:
        tag = root.tag if isinstance(root.tag, str) else ""
        if tag == "rss":
            version = _attributes(root, frozenset({"version"})).get("version", "")
            self.version = _RSS_VERSIONS.get(version) or (
                "rss20" if version.startswith("2.") else "rss")
            self._set_root_lang("rss", None)
            channels = [child for child in root if _tag(child) == "channel"]
            if len(channels) != 1 or len(root) != 1:
                raise Decline("rss without exactly one channel")
            _attributes(channels[0])
            self._read_feed_children(channels[0], depth=3, atom=False)
        elif tag == f"{{{ATOM_NS}}}feed":
            self.version = "atom10"
            lang = root.attrib.get(f"{{{_XML_NS}}}lang")
            root_attrs = {k: v for k, v in root.attrib.items() if k != f"{{{_XML_NS}}}lang"}
            if root_attrs:
                raise Decline("attributes on the feed element")
            self._set_root_lang("feed", lang)
            self._read_feed_children(root, depth=2, atom=True)
        else:
            raise Decline("not RSS 2.0 or Atom 1.0")

    def _set_root_lang(self, tag: str, attr_lang: str | None) -> None:
        if attr_lang is not None:
            self.lang = attr_lang or None
        if self.lang:
            self.feed["language"] = self.lang.replace("_", "-")

    @property
    def _detail_lang(self) -> str | None:
        return self.lang.replace("_", "-") if self.lang else self.lang

    # --- text, as feedparser's pop() finishes it ----------------------------------------

    def _finish(self, text: str, element: str, kind: str | None = None,
                resolve: bool = True) -> tuple[str, str | None]:
        """(value, content type) after strip, URI join, the HTML guess and charset repairs."""
        out = text.strip()
        if resolve and out and element in ("link", "id", "href", "comments", "url"):
            out = _urljoin(self.base, out)
        if kind == "text/plain" and not self.version.startswith("atom") and _looks_like_html(out):
            kind = "text/html"
        if not out.isascii():
            try:  # UTF-8 that was once read as Latin-1: feedparser undoes it
                out = out.encode("iso-8859-1").decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                pass
            if _C1.search(out):
                out = out.translate(_cp1252)
        return out, kind

    def _detail(self, kind: str, value: str) -> dict:
        return {"type": kind, "language": self._detail_lang, "base": self.base, "value": value}

    def _title(self, element: ElementTree.Element, depth: int, context: dict,
               default: str = "text/plain") -> None:
        kind = self._content_type(element, default)
        value, kind = self._finish(_only_text(element), "title", kind)
        if not (-1 < self.title_depth <= depth):
            context["title"] = value
            context["title_detail"] = self._detail(kind, value)
        if value:
            self.title_depth = depth

    @staticmethod
    def _no_attributes(element: ElementTree.Element, kind: str) -> str:
        _attributes(element)
        return kind

    def _content_type(self, element: ElementTree.Element, default: str) -> str:
        attrs = _attributes(element, _TEXT_ATTRS)
        kind = _TEXT_TYPES.get(attrs.get("type", default))
        if kind is None:  # xhtml, base64 and other payloads: feedparser transforms them
            raise Decline(f"content type {attrs.get('type')}")
        return kind

    # --- the feed / channel level -------------------------------------------------------

    def _read_feed_children(self, parent: ElementTree.Element, depth: int, atom: bool) -> None:
        feed = self.feed
        for child in parent:
            tag = _tag(child)
            if tag in ("item", "entry") and (tag == "entry") == atom:
                self._read_entry(child, depth)
            elif tag == "title":
                self._title(child, depth, feed)
            elif tag == "link":
                self._feed_link(child)
            elif tag == "id":
                self._feed_id(child)
            elif tag == "language":
                _attributes(child)
                feed["language"] = self._finish(_only_text(child), "language")[0]
            elif tag == "ttl":
                _attributes(child)
                feed["ttl"] = self._finish(_only_text(child), "ttl")[0]
            elif tag == "image" and not atom:
                self._image(child, depth)
            elif tag in ("author", "managingeditor"):
                self._ignored_author(child)
            elif tag in _FEED_IGNORED:
                self._ignored_text(child, tag)
            elif tag == "cloud":
                _attributes(child, _CLOUD_ATTRS)
                _only_text(child)
            else:
                self._generic(child, tag)

    def _alternate_href(self, attrs: Mapping[str, str]) -> str | None:
        """An Atom-style link's href, resolved, when it is the HTML alternate link (feedparser's
        rule for which <link href> becomes `link`); None for any other rel or type."""
        href = _urljoin(self.base, attrs["href"])  # joined for every link: a join that fails declines
        rel = attrs.get("rel", "alternate")
        kind = attrs.get("type", "application/atom+xml" if rel == "self" else "text/html")
        return href if rel == "alternate" and _map_type(kind) in _HTML_TYPES else None

    def _feed_link(self, element: ElementTree.Element) -> None:
        attrs = _attributes(element, _LINK_ATTRS)
        if "href" in attrs:
            href = self._alternate_href(attrs)
            if href is not None:
                self.feed["link"] = href
            _only_text(element)
            return
        if attrs:
            raise Decline("link attributes without href")
        value = self._finish(_only_text(element), "link")[0]
        self.feed["link"] = _LINK_ENTITY.sub(r"&\g<1>", value) if "&" in value else value

    def _feed_id(self, element: ElementTree.Element) -> None:
        is_link = _attributes(element, _GUID_ATTRS).get("ispermalink", "true") == "true"
        value = self._finish(_only_text(element), "id", resolve=is_link)[0]
        self.feed["id"] = value
        self.feed.setdefault("guidislink", is_link and "link" not in self.feed)
        if is_link:
            self.feed.setdefault("link", value)

    def _image(self, element: ElementTree.Element, depth: int) -> None:
        """A channel image stores its title and link in feed.image, not the feed; only its
        title moves feedparser's title_depth."""
        _attributes(element)
        self.title_depth = -1
        for child in element:
            tag = _tag(child)
            if tag not in _IMAGE_CHILDREN:
                raise Decline(f"{tag} inside image")
            _attributes(child)
            text = _only_text(child)
            if tag == "title":
                kind = "text/plain"
                value, _ = self._finish(text, "title", kind)
                if value:
                    self.title_depth = depth + 1

    def _ignored_author(self, element: ElementTree.Element) -> None:
        _attributes(element)
        for child in element:
            if _tag(child) not in _AUTHOR_CHILDREN:
                raise Decline("unexpected element inside author")
            _attributes(child)
            _only_text(child)

    def _ignored_text(self, element: ElementTree.Element, tag: str) -> None:
        allowed = (_CATEGORY_ATTRS if tag in ("category", "dc_subject") else
                   _GENERATOR_ATTRS if tag == "generator" else
                   _TEXT_ATTRS if tag in ("subtitle", "rights", "tagline") else _NO_ATTRS)
        attrs = _attributes(element, allowed)
        if "type" in attrs and attrs["type"] not in _TEXT_TYPES:
            raise Decline("unusual content type")
        _only_text(element)

    def _generic(self, element: ElementTree.Element, tag: str) -> None:
        """An element feedparser has no handler for: stored under its own name, which
        parse_feed never reads. Its children would be elements of their own: declined."""
        if _has_handler(tag) or tag in _READ_KEYS:
            raise Decline(f"element {tag}")
        for name in element.attrib:
            if name[0] == "{" or name.lower() in ("lang", "base"):
                raise Decline(f"attribute {name}")
        _only_text(element)

    # --- entries --------------------------------------------------------------------------

    def _read_entry(self, element: ElementTree.Element, parent_depth: int) -> None:
        _attributes(element)
        entry: dict[str, Any] = {}
        self.entries.append(entry)
        self.title_depth = -1
        has_content = False
        depth = parent_depth + 1  # the depth of the entry's children
        for child in element:
            tag = _tag(child)
            if tag in ("title", "dc_title"):
                self._title(child, depth, entry)
            elif tag == "link":
                self._entry_link(child, entry)
            elif tag in ("guid", "id"):
                self._entry_id(child, entry)
            elif tag in ("pubdate", "published", "issued", "dcterms_issued"):
                _attributes(child)
                value = self._finish(_only_text(child), "published")[0]
                entry["published"] = value
                entry["published_parsed"] = _parse_date(value)
            elif tag in ("updated", "modified", "dc_date", "dcterms_modified"):
                _attributes(child)
                value = self._finish(_only_text(child), "updated")[0]
                entry["updated"] = value
                entry["updated_parsed"] = _parse_date(value)
            elif tag in ("description", "summary", "dc_description"):
                if "summary" in entry and not has_content:
                    raise Decline("a second summary (feedparser files it as content)")
                default = "text/html" if tag != "summary" else "text/plain"
                kind = (self._content_type(child, default) if self.version == "atom10"
                        else self._no_attributes(child, default))
                value, kind = self._finish(_only_text(child), "summary", kind)
                entry["summary"] = value
                entry["summary_detail"] = self._detail(kind, value)
            elif tag in ("content_encoded", "content"):
                if tag == "content" and self.version != "atom10":
                    raise Decline("content element outside Atom")
                has_content = True
                default = "text/html" if tag == "content_encoded" else "text/plain"
                kind = (self._content_type(child, default) if tag == "content"
                        else self._no_attributes(child, default))
                value, kind = self._finish(_only_text(child), "content", kind)
                entry.setdefault("content", []).append(self._detail(kind, value))
                entry.setdefault("summary", value)
            elif tag in ("author", "dc_creator", "dc_author"):
                self._entry_author(child, entry)
            elif tag in ("category", "dc_subject"):
                _attributes(child, _CATEGORY_ATTRS)
                _only_text(child)
            elif tag == "enclosure":
                _attributes(child, _ENCLOSURE_ATTRS)
                _only_text(child)
            else:
                self._generic(child, tag)

    def _entry_link(self, element: ElementTree.Element, entry: dict) -> None:
        attrs = _attributes(element, _LINK_ATTRS)
        if "href" in attrs:
            href = self._alternate_href(attrs)
            if href is not None:
                entry["link"] = href
            _only_text(element)
            return
        if attrs:
            raise Decline("link attributes without href")
        value = self._finish(_only_text(element), "link")[0]
        if "&" in value:
            value = _LINK_ENTITY.sub(r"&\g<1>", value.replace("&amp;", "&"))
        entry["link"] = value

    def _entry_id(self, element: ElementTree.Element, entry: dict) -> None:
        is_link = _attributes(element, _GUID_ATTRS).get("ispermalink", "true") == "true"
        value = self._finish(_only_text(element), "id", resolve=is_link)[0]
        entry["id"] = value
        entry.setdefault("guidislink", is_link and "link" not in entry)
        if is_link:
            entry.setdefault("link", value)

    def _entry_author(self, element: ElementTree.Element, entry: dict) -> None:
        """RSS <author>/<dc:creator> text, or Atom <author> with name/email/uri children.
        feedparser stores the element's text, then lets its author bookkeeping (which
        carries a previous author's name into a new one that has none) rewrite it: that
        bookkeeping is feedparser's own code, run on this entry's dict."""
        _attributes(element)
        books = _AuthorBooks(entry)
        entry.setdefault("authors", []).append({})
        pieces = [element.text or ""]
        for child in element:
            tag = _tag(child)
            if tag not in _AUTHOR_CHILDREN:
                raise Decline("unexpected element inside author")
            _attributes(child)
            text = _only_text(child)
            if tag == "uri":
                books._save_author("href", self._finish(text, "href")[0])
            else:  # feedparser expects no text of these: stripped, nothing else
                books._save_author(tag, text.strip())
            pieces.append(child.tail or "")
        entry["author"] = self._finish("".join(pieces), "author")[0]
        books._sync_author_detail()


class _AuthorBooks:
    """Just enough of feedparser's parser for its author methods to run on one entry."""

    _save_author = _FeedParserMixin._save_author
    _sync_author_detail = _FeedParserMixin._sync_author_detail

    def __init__(self, entry: dict) -> None:
        self._entry = entry

    def _get_context(self) -> dict:
        return self._entry
