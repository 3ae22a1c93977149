"""Entries seen per feed, stories (articles), and the deals ledger."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.adapters.sqlite.outbox import insert_alerts
from bot.core.alerts import Subscription, decide_alerts
from bot.core.identity import SIMILARITY_THRESHOLD, body_key, title_words, word_sets_similar
from bot.core.model import Deal, Money
from bot.core.timeutil import from_iso, to_iso
from bot.services.records import NewEntry, RecordedEntry

# Two outlets carrying one story within this window are one story when their titles match.
SAME_STORY_WINDOW = timedelta(days=1)
# An edited entry is looked for among this feed's latest articles of the window only.
EDIT_LOOKBACK_ARTICLES = 200
# A deal reported again within this window updates the same ledger row.
SAME_DEAL_WINDOW = timedelta(days=90)
_STATUS_RANK = {"rumored": 0, "announced": 1, "completed": 2}
# Reports of one deal round its amount differently ($14.3bn, "about $15bn"); amounts further
# apart than this are different deals between the same parties (a new tranche, a new round).
SAME_AMOUNT_RATIO = 1.35


def amounts_agree(stored_value, stored_currency, amount: Money | None) -> bool:
    if amount is None or stored_value is None:
        return True
    if stored_currency != amount.currency:
        return False
    low, high = sorted((int(stored_value), amount.value))
    return low > 0 and high / low <= SAME_AMOUNT_RATIO


@dataclass(frozen=True)
class LedgerRow:
    id: int
    kind: str
    investors: tuple[str, ...]
    target: str
    amount: Money | None
    stake_percent: float | None
    valuation: Money | None
    status: str
    first_seen_at: datetime
    last_seen_at: datetime
    reported_at: datetime  # publication date of the first report, else when the bot read it
    sources: int
    link: str | None
    title: str | None


@dataclass(frozen=True)
class StoredArticle:
    id: int
    title: str
    link: str | None
    summary: str
    published_at: datetime | None
    lang: str | None
    feed_name: str | None
    analysis: dict


def _money(value, currency, approx=False) -> Money | None:
    if value is None or currency is None:
        return None
    return Money(int(value), currency, bool(approx))


class ArticlesQueries:
    async def unseen_keys(self, feed_id: int, keys: list[str]) -> set[str]:
        """The keys of `keys` this feed has never had: the dedup point of ingestion."""
        seen: set[str] = set()
        for start in range(0, len(keys), 500):  # stay under SQLite's variable limit
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            async with self.conn.execute(
                f"SELECT entry_key FROM entries WHERE feed_id = ? AND entry_key IN ({marks})",
                (feed_id, *chunk),
            ) as cur:
                seen.update(row[0] for row in await cur.fetchall())
        return set(keys) - seen

    async def record_entries(
        self, feed_id: int, entries: list[NewEntry], now: datetime, backlog: bool,
        subscriptions: Sequence[Subscription] = (),
    ) -> list[RecordedEntry]:
        """Store new entries, their stories and deals, and queue the alerts `subscriptions`
        call for, in one transaction. Idempotent: an entry key already stored for this feed is
        skipped, so a retried poll records nothing twice; and atomic: a crash can never leave
        an entry marked seen whose alerts were not queued."""
        # One hop to the database thread for the whole feed, not ~8 per entry (issue 7).
        return await self.write_in_db_thread(
            record_entries_in_transaction, feed_id, list(entries), now, backlog, tuple(subscriptions)
        )

    async def list_deals(
        self, since: datetime, party: str | None = None, limit: int = 50
    ) -> list[LedgerRow]:
        """Deals reported since `since`, newest first; `party` filters on investor or target.
        `sources` counts the feeds that carried a report of the deal."""
        sql = (
            "SELECT d.*, (SELECT count(DISTINCT e.feed_id) FROM deal_sources s"
            " JOIN entries e ON e.article_id = s.article_id WHERE s.deal_id = d.id) AS sources,"
            " a.link AS link, a.title AS title, a.published_at AS published_at FROM deals d LEFT JOIN articles a ON a.id = d.article_id"
            " WHERE d.last_seen_at >= ?"
        )
        params: list = [to_iso(since)]
        if party:
            sql += " AND (d.target = ? COLLATE NOCASE OR EXISTS (SELECT 1 FROM json_each(d.investors)"
            sql += " WHERE json_each.value = ? COLLATE NOCASE))"
            params += [party, party]
        sql += " ORDER BY coalesce(a.published_at, d.first_seen_at) DESC, d.id DESC LIMIT ?"
        params.append(limit)
        async with self.conn.execute(sql, params) as cur:
            rows = await cur.fetchall()
        return [
            LedgerRow(
                id=row["id"],
                kind=row["kind"],
                investors=tuple(json.loads(row["investors"])),
                target=row["target"],
                amount=_money(row["amount_value"], row["amount_currency"], row["amount_approx"]),
                stake_percent=row["stake_percent"],
                valuation=_money(row["valuation_value"], row["valuation_currency"]),
                status=row["status"],
                first_seen_at=from_iso(row["first_seen_at"]),
                last_seen_at=from_iso(row["last_seen_at"]),
                reported_at=from_iso(row["published_at"]) or from_iso(row["first_seen_at"]),
                sources=row["sources"],
                link=row["link"],
                title=row["title"],
            )
            for row in rows
        ]

    async def article(self, article_id: int) -> StoredArticle | None:
        async with self.conn.execute(
            "SELECT a.*, f.name AS feed_name FROM articles a LEFT JOIN feeds f ON f.id = a.feed_id"
            " WHERE a.id = ?",
            (article_id,),
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        return StoredArticle(
            id=row["id"],
            title=row["title"],
            link=row["link"],
            summary=row["summary"],
            published_at=from_iso(row["published_at"]),
            lang=row["lang"],
            feed_name=row["feed_name"],
            analysis=json.loads(row["analysis"]),
        )


# The writes of `record_entries`, as plain functions over the sqlite3 connection: they run in
# the database thread inside the transaction `Store.write_in_db_thread` opens.


def record_entries_in_transaction(
    conn: sqlite3.Connection, feed_id: int, entries: list[NewEntry], now: datetime,
    backlog: bool, subscriptions: Sequence[Subscription],
) -> list[RecordedEntry]:
    recorded = []
    recent = to_iso(now - SAME_STORY_WINDOW)
    feed_stories: _FeedStories | None = None  # read at the first entry that needs it
    for entry in entries:
        cur = conn.execute(
            "INSERT OR IGNORE INTO entries (feed_id, entry_key, first_seen_at, backlog)"
            " VALUES (?, ?, ?, ?)",
            (feed_id, entry.key, to_iso(now), int(backlog)),
        )
        if cur.rowcount == 0:
            continue
        keys = _MatchKeys.of(entry)
        article_id = _same_story(conn, entry, recent)
        if article_id is None:
            if feed_stories is None:
                feed_stories = _FeedStories.load(conn, feed_id, recent)
            article_id = feed_stories.edited_by(keys)
        new_story = article_id is None
        if new_story:
            article_id = _insert_article(conn, feed_id, entry, now, keys)
            if feed_stories is not None:
                feed_stories.add(article_id, keys)
        conn.execute(
            "UPDATE entries SET article_id = ? WHERE feed_id = ? AND entry_key = ?",
            (article_id, feed_id, entry.key),
        )
        for deal in entry.deals:
            _record_deal(conn, deal, article_id, now)
        alerts = decide_alerts(article_id, entry.entity_ids, now, backlog, subscriptions)
        queued = insert_alerts(conn, alerts, now) if alerts else 0
        recorded.append(
            RecordedEntry(entry.key, article_id, entry.entity_ids, now, backlog, new_story, queued)
        )
    return recorded


# One statement for the three lookups of `_same_story`, in their order of precedence: a
# cold cycle records tens of thousands of entries, and each statement is a trip into SQLite.
_SAME_STORY = (
    "SELECT id FROM ("
    " SELECT 1 AS rank, id FROM (SELECT id FROM articles WHERE canonical_link = ?1"
    "  ORDER BY id LIMIT 1)"
    " UNION ALL SELECT 2, id FROM (SELECT id FROM articles WHERE headline_deal = ?2"
    "  AND first_seen_at >= ?4 ORDER BY id LIMIT 1)"
    " UNION ALL SELECT 3, id FROM (SELECT id FROM articles WHERE title_fingerprint = ?3"
    "  AND first_seen_at >= ?4 ORDER BY id LIMIT 1)"
    ") ORDER BY rank LIMIT 1"
)


def _same_story(conn: sqlite3.Connection, entry: NewEntry, recent: str) -> int | None:
    """An article already stored for this story: same canonical link (any time), else the
    same headline deal, else the same headline words, both since `recent` (SAME_STORY_WINDOW
    ago). The caller then looks for an edit of a recent article of the same feed
    (`_FeedStories`). Empty keys match nothing (NULL equals nothing in SQL)."""
    keys = (entry.canonical_link or None, entry.headline_deal or None,
            entry.title_fingerprint or None)
    if keys == (None, None, None):
        return None
    row = conn.execute(_SAME_STORY, (*keys, recent)).fetchone()
    return row[0] if row else None


@dataclass(frozen=True)
class _MatchKeys:
    """What the edit check compares: the headline's significant words and the body's key,
    computed by the poller's workers (`NewEntry.title_words`, `NewEntry.body_key`), or here
    for a record made without them."""

    words: str
    body: str | None

    @classmethod
    def of(cls, entry: NewEntry) -> _MatchKeys:
        if entry.title_words is None:
            return cls(title_words(entry.title), body_key(entry.summary))
        return cls(entry.title_words, entry.body_key)


class _FeedStories:
    """A feed's articles of the window, newest first, as the edit check reads them.

    A headline edited after publication, on a site that puts the title's slug in the guid and
    link, comes back with a new key, a new link and a new fingerprint (stress part 2 found it
    alerting twice). Within one feed and a day, a similar headline or the same body is the
    same story; across outlets the stricter lookups of `_same_story` apply. Read once per poll
    and kept up to date as the poll adds articles, so a feed's 40 new entries cost one query."""

    def __init__(self, rows: list[tuple[int, frozenset[str], str | None]]) -> None:
        self.rows = rows

    @classmethod
    def load(cls, conn: sqlite3.Connection, feed_id: int, since: str) -> _FeedStories:
        rows = conn.execute(
            "SELECT id, title, summary, title_words, body_key FROM articles"
            " WHERE feed_id = ? AND first_seen_at >= ? ORDER BY id DESC LIMIT ?",
            (feed_id, since, EDIT_LOOKBACK_ARTICLES),
        ).fetchall()
        stories = []
        for article_id, title, summary, words, body in rows:
            if words is None:  # stored before migration 006
                words, body = title_words(title), body_key(summary)
            stories.append((article_id, frozenset(words.split()), body))
        return cls(stories)

    def add(self, article_id: int, keys: _MatchKeys) -> None:
        self.rows.insert(0, (article_id, frozenset(keys.words.split()), keys.body))
        del self.rows[EDIT_LOOKBACK_ARTICLES:]

    def edited_by(self, keys: _MatchKeys) -> int | None:
        words = frozenset(keys.words.split())
        # Word sets of very different sizes cannot be similar (|A & B| / |A | B| is at most
        # small / large): bounds checked before the set operations, which a cold cycle would
        # otherwise run for every pair of a feed's 40 entries.
        fewest = SIMILARITY_THRESHOLD * len(words) - 1e-9  # a margin for float rounding at the exact edge
        most = len(words) / SIMILARITY_THRESHOLD + 1e-9
        for article_id, stored_words, stored_body in self.rows:
            if fewest <= len(stored_words) <= most and word_sets_similar(words, stored_words):
                return article_id
            if keys.body is not None and keys.body == stored_body:
                return article_id
        return None


def _insert_article(conn: sqlite3.Connection, feed_id: int, entry: NewEntry, now: datetime,
                    keys: _MatchKeys) -> int:
    cur = conn.execute(
        "INSERT INTO articles (link, canonical_link, title, title_fingerprint, summary,"
        " published_at, lang, first_seen_at, feed_id, entities, analysis, headline_deal,"
        " title_words, body_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            entry.link,
            entry.canonical_link,
            entry.title,
            entry.title_fingerprint,
            entry.summary,
            to_iso(entry.published_at) if entry.published_at else None,
            entry.lang,
            to_iso(now),
            feed_id,
            json.dumps(list(entry.entity_ids)),
            entry.analysis_json,
            entry.headline_deal,
            keys.words,
            keys.body,
        ),
    )
    return cur.lastrowid


def _record_deal(conn: sqlite3.Connection, deal: Deal, article_id: int, now: datetime) -> None:
    investors = json.dumps(sorted(deal.investors), ensure_ascii=False)
    candidates = conn.execute(
        "SELECT id, status, amount_value, amount_currency FROM deals"
        " WHERE kind = ? AND target = ? AND investors = ? AND last_seen_at >= ?"
        " ORDER BY last_seen_at DESC",
        (deal.kind, deal.target, investors, to_iso(now - SAME_DEAL_WINDOW)),
    ).fetchall()
    # Unpacked by position: the function must not depend on the connection's row factory.
    row = next(
        (c for c in candidates if amounts_agree(c[2], c[3], deal.amount)),
        None,
    )
    if row is None:
        cur = conn.execute(
            "INSERT INTO deals (kind, investors, target, amount_value, amount_currency,"
            " amount_approx, stake_percent, valuation_value, valuation_currency, status,"
            " first_seen_at, last_seen_at, article_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                deal.kind, investors, deal.target,
                deal.amount.value if deal.amount else None,
                deal.amount.currency if deal.amount else None,
                int(bool(deal.amount and deal.amount.approx)),
                deal.stake_percent,
                deal.valuation.value if deal.valuation else None,
                deal.valuation.currency if deal.valuation else None,
                deal.status, to_iso(now), to_iso(now), article_id,
            ),
        )
        deal_id = cur.lastrowid
    else:
        deal_id, stored_status = row[0], row[1]
        # Later reports fill what earlier ones lacked, and a deal only moves forward
        # (rumored -> announced -> completed).
        status = max(stored_status, deal.status, key=lambda s: _STATUS_RANK.get(s, 0))
        conn.execute(
            "UPDATE deals SET last_seen_at = ?, status = ?,"
            " amount_value = coalesce(amount_value, ?), amount_currency = coalesce(amount_currency, ?),"
            " stake_percent = coalesce(stake_percent, ?),"
            " valuation_value = coalesce(valuation_value, ?),"
            " valuation_currency = coalesce(valuation_currency, ?) WHERE id = ?",
            (
                to_iso(now), status,
                deal.amount.value if deal.amount else None,
                deal.amount.currency if deal.amount else None,
                deal.stake_percent,
                deal.valuation.value if deal.valuation else None,
                deal.valuation.currency if deal.valuation else None,
                deal_id,
            ),
        )
    conn.execute(
        "INSERT OR IGNORE INTO deal_sources (deal_id, article_id) VALUES (?, ?)",
        (deal_id, article_id),
    )
