-- A day of coding: units a coder decided not to code, where each coder was in each transcript, and an index of the
-- event log that makes undo and redo cost the same whatever the length of the history.
-- Never edit a released migration: add a new numbered file instead.

-- A coder's mark on a unit: 'not_codable' (greetings, consent, logistics: read and deliberately left uncoded; not
-- counted in progress) or 'skipped' (left for later). At most one mark per unit and coder; marks are logged
-- ('mark.set') and undone like codings.
CREATE TABLE unit_marks (
    segment_id INTEGER NOT NULL REFERENCES segments(id),
    coder_id   INTEGER NOT NULL REFERENCES coders(id),
    mark       TEXT NOT NULL CHECK (mark IN ('not_codable', 'skipped')),
    created    TEXT NOT NULL,
    PRIMARY KEY (segment_id, coder_id)
);
CREATE INDEX unit_marks_coder ON unit_marks(coder_id);

-- Where a coder last was in a transcript (the unit, and its number should a new version replace that unit), so
-- reopening it goes back there. Not logged: moving is not a change to the project.
CREATE TABLE coder_positions (
    transcript_id TEXT NOT NULL REFERENCES transcripts(id) ON DELETE CASCADE,
    coder_id      INTEGER NOT NULL REFERENCES coders(id),
    segment_id    INTEGER,
    idx           INTEGER NOT NULL,
    updated       TEXT NOT NULL,
    PRIMARY KEY (transcript_id, coder_id)
);

-- Undo and redo stacks kept as linked lists over the event log, updated as events are appended: the top of each of
-- a coder's stacks, the last action group and event taken into account, and for every stacked action group the
-- group below it. Derived data: rebuilt from the log when missing or behind.
CREATE TABLE history_state (
    coder     TEXT PRIMARY KEY,
    undo_top  INTEGER,
    redo_top  INTEGER,
    last_key  INTEGER,
    through   INTEGER NOT NULL
);
CREATE TABLE history_links (
    group_key INTEGER PRIMARY KEY,
    below     INTEGER
);
CREATE INDEX events_coder ON events(coder, id);
CREATE INDEX events_group ON events(action_group);
