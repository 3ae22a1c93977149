"""Identity of feed entries and of the stories they carry. Pure.

Two questions, two answers:

* *Is this entry one we already had from this feed?*  -> `entry_key`. The key is the guid when
  the feed gives one, else the canonical link, else a hash of the normalised title and date. It
  never depends on the summary or content, so an entry whose text is edited later is not new.
* *Is this the same story another outlet already carried?* -> `story_keys`, `title_fingerprint`
  and `titles_similar`.

`canonical_link` returns an *identity* URL meant for comparing, not for fetching or showing:
two links that reach the same article should canonicalise to the same string. Rules:

* only http(s) and scheme-relative (`//host/...`) URLs are canonicalised; anything else (a
  `tag:` URI, a relative path, garbage) is returned stripped but otherwise untouched;
* the scheme becomes `https` (sites moved from http to https and old guids still say http);
* the host is lowercased, a trailing dot and one leading `www.` are dropped, user:password@
  is dropped, and the default port (80, 443) too;
* the fragment is dropped, except a `#!` "hash-bang" route, which on old single-page sites
  *is* the address of the article;
* query parameters that only track a click (`utm_*`, `fbclid`, `gclid`, `mc_cid`, `ref`...,
  see `TRACKING_PARAMS`) are dropped; the others keep their order and exact encoding;
* trailing slashes: the root path is `/`; any other path loses its trailing slash
  (`/a/b/` and `/a/b` are the same page on every CMS we read);
* AMP variants are folded onto the article: a final `/amp` path segment and the `amp`,
  `amp=1` and `outputType=amp` parameters are dropped. AMP cache hosts
  (`cdn.ampproject.org`) are not unwrapped.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime, timezone
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from bot.core.model import Entry

# Parameters that say who sent the click, never which article it is.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "twclid", "igshid",
        "mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok", "ocid", "cmpid",
        "ref", "ref_src", "ref_url",
    }
)
TRACKING_PREFIXES = ("utm_",)
# Parameters that select the AMP rendering of the same article.
AMP_PARAMS = {"amp": ("", "1", "true"), "outputtype": ("amp",)}

# Keys longer than this are replaced by a hash: they go into an SQL index and log lines.
MAX_KEY_LENGTH = 200

_URL_LIKE = re.compile(r"^(?:https?:)?//", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_link(url: str) -> str:
    """The identity form of an article URL (see the module docstring for the rules)."""
    text = url.strip()
    if not _URL_LIKE.match(text):
        return text
    try:
        parts = urlsplit(text if "://" in text[:8] else "https:" + text)
        port = parts.port
    except ValueError:  # "http://host:99999/" and friends: keep them comparable, not canonical
        return text
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return text
    if host.startswith("www."):
        host = host[4:]
    if ":" in host:  # an IPv6 literal lost its brackets in `hostname`
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    path = _canonical_path(parts.path)
    query = _without_tracking(parts.query)
    fragment = parts.fragment if parts.fragment.startswith("!") else ""
    return urlunsplit(("https", host, path, query, fragment))


def _canonical_path(path: str) -> str:
    segments = path.rstrip("/").split("/")
    if len(segments) > 1 and segments[-1].lower() == "amp":
        segments.pop()
    trimmed = "/".join(segments).rstrip("/")
    return trimmed or "/"


def _without_tracking(query: str) -> str:
    kept = []
    for pair in query.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        name = unquote_plus(name).strip().lower()
        if name.startswith(TRACKING_PREFIXES) or name in TRACKING_PARAMS:
            continue
        if value.lower() in AMP_PARAMS.get(name, ()):
            continue
        kept.append(pair)
    return "&".join(kept)


def entry_key(
    guid: str | None, link: str | None, title: str | None, published: datetime | None
) -> str:
    """Stable identity of an entry inside its feed.

    * guid, when present. A guid that is a URL goes through `canonical_link`, so the same
      article keeps its key when the feed moves to https, drops `www.` or adds `utm_` tags;
    * else the canonical link (the same form as a URL guid, so a feed that starts or stops
      sending `<guid>` = link does not make its entries new again);
    * else `title:` + a hash of the normalised title and the publication time. Without a date,
      the title alone: an undated, unlinked entry that keeps its title is one entry.

    Keys longer than `MAX_KEY_LENGTH` become `sha1:<hex>` of the full key.
    """
    for candidate in (guid, link):
        text = (candidate or "").strip()
        if text:
            return _short(canonical_link(text))
    stamp = _utc_stamp(published) if published else ""
    digest = hashlib.sha1(f"{_normalised_words(title or '')}|{stamp}".encode()).hexdigest()
    return f"title:{digest[:32]}"


def _short(key: str) -> str:
    if len(key) <= MAX_KEY_LENGTH:
        return key
    return "sha1:" + hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()


def _utc_stamp(moment: datetime) -> str:
    if moment.tzinfo is None:  # naive datetimes are taken to be UTC, as feedparser's are
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------------------------
# Same story, several outlets.

# Words that carry no story: dropped from fingerprints so "Meta takes 49% of Scale AI" and
# "Meta takes 49 % in Scale AI" agree. Kept short on purpose, in the four feed languages.
STOP_WORDS = frozenset(
    """
    a an and are as at by for from has have in is it its of on or the to was were with
    au aux avec d de des du en et l la le les par pour sur un une
    am an auf aus das dem den der des die ein eine einen fur im mit und von zu zum zur
    al con del el en la las los para por un una y
    """.split()
)
# Separators before an outlet name or a tag line: "Title - The Verge", "Title -- report".
_TAIL_SEPARATOR = re.compile(r"\s+(?:-{1,2}|\u2013|\u2014|\||::)\s+")
# A tail this short is an attribution ("report", "sources", "The Verge"), not part of the title.
_MAX_TAIL_WORDS = 3
_MIN_HEAD_WORDS = 4
# A fingerprint needs this many significant words to identify a story; "Podcast" does not.
MIN_FINGERPRINT_WORDS = 3
SIMILARITY_THRESHOLD = 0.8


def _normalised_words(text: str) -> str:
    """Casefolded, accents removed, punctuation turned into spaces, whitespace collapsed.
    A percent sign stays glued to its number, so "49 %" and "49%" read the same."""
    if text.isascii():  # most headlines: nothing to decompose
        bare = text.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    bare = _PERCENT_AFTER_SPACE.sub(r"\1%", bare)
    bare = _NOT_A_WORD.sub(" ", bare)
    return " ".join(bare.split())


_PERCENT_AFTER_SPACE = re.compile(r"(\d)\s*%")
_NOT_A_WORD = re.compile(r"[^\w%]+|_")


def _without_attribution(title: str) -> str:
    pieces = _TAIL_SEPARATOR.split(title.strip())
    if len(pieces) > 1:
        head, tail = " - ".join(pieces[:-1]), pieces[-1]
        if (len(tail.split()) <= _MAX_TAIL_WORDS
                and len(_normalised_words(head).split()) >= _MIN_HEAD_WORDS):
            return head
    return title


def _significant_words(title: str) -> list[str]:
    words = _normalised_words(_without_attribution(title)).split()
    return [w for w in words if w not in STOP_WORDS]


def title_fingerprint(title: str) -> str:
    """A headline reduced to its significant words, sorted: equal for the same story told
    with different case, accents, punctuation, spacing ("49 %"), stop words, word order, or a
    short trailing attribution (" -- report", " | The Verge").

    Empty when fewer than `MIN_FINGERPRINT_WORDS` significant words remain: short generic
    titles ("Podcast", "Live updates") would merge unrelated stories.
    """
    return fingerprint_of_words(title_words(title))


def fingerprint_of_words(words: str) -> str:
    """`title_fingerprint` from the headline's `title_words`, for a caller that has both."""
    return words if words.count(" ") + 1 >= MIN_FINGERPRINT_WORDS else ""


def title_words(title: str) -> str:
    """The headline's significant words, distinct, sorted and space-separated: what
    `titles_similar` compares, in a form a store can keep beside the title so a comparison
    does not normalise both headlines again."""
    return " ".join(sorted(set(_significant_words(title))))


def word_sets_similar(words_a: frozenset[str] | set[str], words_b: frozenset[str] | set[str],
                      threshold: float = SIMILARITY_THRESHOLD) -> bool:
    """Jaccard similarity (|A & B| / |A | B|) of two word sets is at least `threshold`;
    empty sets are never similar."""
    if not words_a or not words_b:
        return False
    return len(words_a & words_b) / len(words_a | words_b) >= threshold


# Bodies shorter than this ("Read more", a byline) are too generic to identify a story.
MIN_SAME_BODY_CHARS = 60


def body_key(summary: str) -> str | None:
    """The body with whitespace collapsed, hashed: equal for the same text however it is
    wrapped. None when too short to identify a story."""
    body = " ".join(summary.split())
    if len(body) < MIN_SAME_BODY_CHARS:
        return None
    return hashlib.blake2b(body.encode("utf-8"), digest_size=16).hexdigest()


def titles_similar(a: str, b: str, threshold: float = SIMILARITY_THRESHOLD) -> bool:
    """True when the two headlines share most significant words: Jaccard similarity of their
    word sets is at least `threshold` (0.8: one extra or missing word in a five-word title
    still matches, two do not). Empty titles are never similar."""
    return word_sets_similar(set(_significant_words(a)), set(_significant_words(b)), threshold)


def story_keys(entry: Entry) -> tuple[str, ...]:
    """Keys under which the same story is recognised across feeds: `link:` + canonical link
    (and the guid's, when the guid is another URL), and `title:` + the title fingerprint when
    the title is long enough to have one. Title keys are only meaningful within a short time
    window (recurring headlines come back); that window is the caller's choice."""
    keys: list[str] = []
    for url in (entry.link, entry.guid):
        if url and _URL_LIKE.match(url.strip()):
            key = "link:" + _short(canonical_link(url))
            if key not in keys:
                keys.append(key)
    fingerprint = title_fingerprint(entry.title)
    if fingerprint:
        keys.append("title:" + _short(fingerprint))
    return tuple(keys)
