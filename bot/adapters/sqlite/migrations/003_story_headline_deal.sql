-- Version 3: recognise one story told in two languages. Two outlets that headline the same
-- deal (same kind, investors and target) within a day are carrying one story, even when
-- their titles share no words ("Meta takes 49% of Scale AI" / "Meta prend 49 % de Scale AI").

ALTER TABLE articles ADD COLUMN headline_deal TEXT;
CREATE INDEX articles_headline_deal ON articles (headline_deal, first_seen_at);
