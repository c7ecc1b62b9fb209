-- Teams: adjudicated disagreements between coders. Never edit once released: add a new numbered file instead.

-- One row per (unit, code) a team settled. decision 'apply' means the agreed coding carries the code (it is then
-- also a coding by the consensus coder, see qualcode.teams.adjudicate); 'omit' means the unit does not get it.
-- originals keeps what each coder had (JSON), so the settled record never depends on later edits.
CREATE TABLE adjudications (
    id         INTEGER PRIMARY KEY,
    segment_id INTEGER NOT NULL REFERENCES segments(id),
    code_id    TEXT NOT NULL REFERENCES codes(id),
    decision   TEXT NOT NULL CHECK (decision IN ('apply', 'omit')),
    coder_id   INTEGER NOT NULL REFERENCES coders(id),
    note       TEXT,
    originals  TEXT NOT NULL DEFAULT '[]',
    created    TEXT NOT NULL,
    UNIQUE (segment_id, code_id)
);
CREATE INDEX adjudications_code ON adjudications(code_id);
