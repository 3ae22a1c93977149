-- Version 2: how each channel takes its alerts (language, instant or digest), why a
-- subscription was paused, and cross-feed story lookup by title.

ALTER TABLE channels ADD COLUMN lang TEXT NOT NULL DEFAULT 'en';
ALTER TABLE channels ADD COLUMN digest_mode TEXT NOT NULL DEFAULT 'instant';  -- instant | hourly | daily
ALTER TABLE channels ADD COLUMN digest_time TEXT;                             -- HH:MM UTC, daily only
ALTER TABLE subscriptions ADD COLUMN paused_reason TEXT;
CREATE INDEX articles_title_fingerprint ON articles (title_fingerprint, first_seen_at);
