-- The same-story check looks up a feed's recent articles (an edited headline is the same story).
-- Without this index SQLite walks every article seen since the cut-off, and in a first poll of
-- many feeds all of them share one first_seen_at: a cold cycle went quadratic (the feed farm,
-- issue 7: 200 feeds took 73 s where 100 took 11 s).
CREATE INDEX articles_feed_seen ON articles (feed_id, first_seen_at);
