-- The agreement sample: the transcripts a team double-codes to measure inter-coder agreement. Only these are
-- compared by 'qualcode agreement' and 'qualcode adjudicate'; a transcript joins the sample because a coder said so,
-- never because a second name happens to appear on one of its codings. Never edit once released.
CREATE TABLE agreement_sample (
    transcript_id TEXT PRIMARY KEY REFERENCES transcripts(id) ON DELETE CASCADE,
    coders        TEXT,              -- JSON list of the coders to compare there; NULL: every person who codes it
    added         TEXT NOT NULL,
    added_by      TEXT
);
