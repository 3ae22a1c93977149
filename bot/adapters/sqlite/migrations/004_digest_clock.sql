-- Version 4: when each digest channel last received its digest, so hourly and daily
-- digests go out once per period, across restarts.

ALTER TABLE channels ADD COLUMN last_digest_at TEXT;
