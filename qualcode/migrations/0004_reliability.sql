-- Coding ids are never reused. With a plain INTEGER PRIMARY KEY, SQLite hands the id of the most recently removed
-- coding to the next one, so the event log, undo and finding evidence (which keep ids of removed codings) would
-- point at a different coding. AUTOINCREMENT forbids reuse; the sequence starts above every id ever recorded.

CREATE TABLE codings_v4 (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    segment_id    INTEGER NOT NULL REFERENCES segments(id),
    code_id       TEXT NOT NULL REFERENCES codes(id),
    coder_id      INTEGER NOT NULL REFERENCES coders(id),
    created       TEXT NOT NULL,
    memo          TEXT,
    source        TEXT NOT NULL DEFAULT 'human',   -- human | suggestion | import | merge
    score         REAL,
    model_version TEXT,
    status        TEXT NOT NULL DEFAULT 'ok',      -- ok | needs_review (after re-anchoring)
    UNIQUE (segment_id, code_id, coder_id)
);
INSERT INTO codings_v4 (id, segment_id, code_id, coder_id, created, memo, source, score, model_version, status)
    SELECT id, segment_id, code_id, coder_id, created, memo, source, score, model_version, status FROM codings;
DROP TABLE codings;
ALTER TABLE codings_v4 RENAME TO codings;
CREATE INDEX codings_code ON codings(code_id);
CREATE INDEX codings_coder ON codings(coder_id);
CREATE INDEX codings_segment ON codings(segment_id);
DELETE FROM sqlite_sequence WHERE name IN ('codings', 'codings_v4');
INSERT INTO sqlite_sequence (name, seq) SELECT 'codings', max(
    coalesce((SELECT max(id) FROM codings), 0),
    coalesce((SELECT max(CAST(entity_id AS INTEGER)) FROM events WHERE entity = 'coding'), 0),
    coalesce((SELECT max(coding_id) FROM finding_evidence), 0));
