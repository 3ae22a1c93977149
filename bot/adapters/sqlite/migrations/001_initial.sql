-- Version 1: feeds, the entries seen in each, articles (stories), channels and what they
-- watch, the deals ledger, and the outbox of alerts waiting to be delivered.
-- Times are ISO-8601 UTC text ("2025-06-13T07:40:00.000000+00:00"), so they sort as text.

CREATE TABLE feeds (
    id               INTEGER PRIMARY KEY,
    url              TEXT NOT NULL UNIQUE,
    name             TEXT,
    lang             TEXT,
    origin           TEXT NOT NULL DEFAULT 'config',   -- config | chat | cli
    created_at       TEXT NOT NULL,
    etag             TEXT,
    last_modified    TEXT,
    body_hash        TEXT,                -- sha256 of the last body parsed: same bytes, no parse
    next_poll_at     TEXT NOT NULL,
    last_polled_at   TEXT,
    first_success_at TEXT,                -- entries seen at the first success are backlog
    last_success_at  TEXT,
    last_error       TEXT,
    last_error_at    TEXT,
    failures         INTEGER NOT NULL DEFAULT 0,   -- consecutive
    paused           INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX feeds_due ON feeds (paused, next_poll_at);

-- A story: one article, however many feeds carry it.
CREATE TABLE articles (
    id                INTEGER PRIMARY KEY,
    link              TEXT,
    canonical_link    TEXT,
    title             TEXT NOT NULL,
    title_fingerprint TEXT,
    summary           TEXT NOT NULL DEFAULT '',
    published_at      TEXT,
    lang              TEXT,
    first_seen_at     TEXT NOT NULL,
    feed_id           INTEGER REFERENCES feeds(id) ON DELETE SET NULL,  -- first feed seen in
    entities          TEXT NOT NULL DEFAULT '[]',  -- JSON list of entity ids
    analysis          TEXT NOT NULL DEFAULT '{}'   -- JSON, the scan contract's fields
);
CREATE INDEX articles_canonical_link ON articles (canonical_link);
CREATE INDEX articles_first_seen ON articles (first_seen_at);

-- The dedup point of ingestion: one row per (feed, entry key), whatever the entry's later edits.
CREATE TABLE entries (
    feed_id       INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    entry_key     TEXT NOT NULL,
    article_id    INTEGER REFERENCES articles(id) ON DELETE SET NULL,
    first_seen_at TEXT NOT NULL,
    backlog       INTEGER NOT NULL DEFAULT 0,  -- seen at the feed's first successful poll
    PRIMARY KEY (feed_id, entry_key)
) WITHOUT ROWID;

CREATE TABLE channels (
    id          INTEGER PRIMARY KEY,
    platform    TEXT NOT NULL,     -- console | discord | slack
    external_id TEXT NOT NULL,
    name        TEXT,
    created_at  TEXT NOT NULL,
    UNIQUE (platform, external_id)
);

CREATE TABLE subscriptions (
    id            INTEGER PRIMARY KEY,
    channel_id    INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    entity_id     TEXT NOT NULL,   -- catalog id, or "phrase:<text>"
    display_name  TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    UNIQUE (channel_id, entity_id)
);
CREATE INDEX subscriptions_entity ON subscriptions (entity_id);

CREATE TABLE deals (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    investors       TEXT NOT NULL,   -- JSON list, sorted
    target          TEXT NOT NULL,
    amount_value    INTEGER,
    amount_currency TEXT,
    amount_approx   INTEGER NOT NULL DEFAULT 0,
    stake_percent   REAL,
    valuation_value INTEGER,
    valuation_currency TEXT,
    status          TEXT NOT NULL,
    first_seen_at   TEXT NOT NULL,
    last_seen_at    TEXT NOT NULL,
    article_id      INTEGER REFERENCES articles(id) ON DELETE SET NULL  -- first report
);
CREATE INDEX deals_parties ON deals (kind, target, investors);
CREATE INDEX deals_last_seen ON deals (last_seen_at);

CREATE TABLE deal_sources (
    deal_id    INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    PRIMARY KEY (deal_id, article_id)
) WITHOUT ROWID;

-- Durable before anything is sent: a worker per platform delivers and marks each row.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    channel_id      INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    article_id      INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    entity_ids      TEXT NOT NULL,    -- JSON: the watched entities this alert is for
    created_at      TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending',   -- pending | sent | dead
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    sent_at         TEXT,
    message_ref     TEXT,
    last_error      TEXT,
    UNIQUE (channel_id, article_id)   -- one alert per story per channel
);
CREATE INDEX outbox_pending ON outbox (state, next_attempt_at);
