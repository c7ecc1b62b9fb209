-- The foundation schema. Never edit a released migration: add a new numbered file instead.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE coders (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL
);

-- The current codebook, flattened. Codes removed from the codebook stay with active = 0 so their codings survive.
CREATE TABLE codes (
    id           TEXT PRIMARY KEY,
    parent_id    TEXT,
    criterion_id TEXT NOT NULL,
    name         TEXT NOT NULL,
    definition   TEXT NOT NULL DEFAULT '',
    color        TEXT,
    position     INTEGER NOT NULL,
    data         TEXT NOT NULL DEFAULT '{}',   -- JSON: questions, keywords, examples, include, exclude
    active       INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE transcripts (
    id              TEXT PRIMARY KEY,
    title           TEXT NOT NULL,
    current_version INTEGER NOT NULL,
    created         TEXT NOT NULL,
    attributes      TEXT NOT NULL DEFAULT '{}'  -- JSON: transcript-level attributes (type, date, interviewer, ...)
);

-- Immutable: a changed file is a new version.
CREATE TABLE transcript_versions (
    transcript_id TEXT NOT NULL REFERENCES transcripts(id) ON DELETE CASCADE,
    version       INTEGER NOT NULL,
    text          TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    format        TEXT NOT NULL,
    source_name   TEXT NOT NULL,
    metadata      TEXT NOT NULL DEFAULT '{}',
    imported      TEXT NOT NULL,
    PRIMARY KEY (transcript_id, version)
);
CREATE INDEX transcript_versions_sha ON transcript_versions(sha256);

-- Cases are informants (a KII's interviewee, each FGD participant). name is confidential.
CREATE TABLE cases (
    id         TEXT PRIMARY KEY,
    name       TEXT,
    attributes TEXT NOT NULL DEFAULT '{}'
);

-- Who speaks in a transcript, and which case (informant) the label belongs to.
CREATE TABLE speakers (
    transcript_id TEXT NOT NULL REFERENCES transcripts(id) ON DELETE CASCADE,
    label         TEXT NOT NULL,
    role          TEXT NOT NULL DEFAULT 'informant',  -- informant | interviewer | unknown
    case_id       TEXT REFERENCES cases(id) ON DELETE SET NULL,
    PRIMARY KEY (transcript_id, label)
);

CREATE TABLE segments (
    id            INTEGER PRIMARY KEY,
    transcript_id TEXT NOT NULL,
    version       INTEGER NOT NULL,
    idx           INTEGER NOT NULL,     -- 1-based position of the unit in its transcript version
    turn          INTEGER NOT NULL,
    speaker       TEXT,
    start         INTEGER NOT NULL,     -- code-point offsets into transcript_versions.text
    end           INTEGER NOT NULL,
    t_start       REAL,
    t_end         REAL,
    text          TEXT NOT NULL,
    FOREIGN KEY (transcript_id, version) REFERENCES transcript_versions(transcript_id, version) ON DELETE CASCADE,
    UNIQUE (transcript_id, version, idx)
);

CREATE TABLE codings (
    id            INTEGER PRIMARY KEY,
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
CREATE INDEX codings_code ON codings(code_id);
CREATE INDEX codings_coder ON codings(coder_id);

-- Accepted and rejected suggestions: training data for the suggester, provenance for reviewers.
CREATE TABLE decisions (
    id            INTEGER PRIMARY KEY,
    segment_id    INTEGER NOT NULL REFERENCES segments(id),
    code_id       TEXT NOT NULL,
    coder_id      INTEGER NOT NULL REFERENCES coders(id),
    decision      TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected')),
    score         REAL,
    model_version TEXT,
    created       TEXT NOT NULL
);
CREATE INDEX decisions_segment ON decisions(segment_id);

CREATE TABLE memos (
    id          INTEGER PRIMARY KEY,
    target_type TEXT NOT NULL,   -- project | transcript | segment | code | coding | case
    target_id   TEXT NOT NULL,
    coder_id    INTEGER REFERENCES coders(id),
    text        TEXT NOT NULL,
    created     TEXT NOT NULL,
    updated     TEXT NOT NULL,
    UNIQUE (target_type, target_id, coder_id)
);

-- Append-only: every change, with who, when, what, before and after. Undo appends, never deletes.
CREATE TABLE events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    ts        TEXT NOT NULL,
    coder     TEXT,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT,
    before    TEXT,
    after     TEXT,
    undo_of   INTEGER REFERENCES events(id)
);
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
