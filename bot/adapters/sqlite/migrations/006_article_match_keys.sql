-- What the edited-headline check compares, kept beside each article so that a poll does not
-- normalise the feed's last 200 headlines and bodies again for every new entry (the feed farm,
-- issue 7: a third of the database thread's time in a cold cycle). NULL on older rows, which
-- are then read from title and summary as before.
ALTER TABLE articles ADD COLUMN title_words TEXT;
ALTER TABLE articles ADD COLUMN body_key TEXT;
