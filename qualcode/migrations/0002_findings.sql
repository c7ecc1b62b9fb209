-- Findings and the evidence behind them. Never edit a released migration: add a new numbered file instead.

-- A finding is a statement the evaluator writes for one criterion (optionally one evaluation question).
CREATE TABLE findings (
    id           TEXT PRIMARY KEY,              -- e.g. F1, or an id the evaluator chose
    criterion_id TEXT NOT NULL,
    code_id      TEXT,                          -- the evaluation question (a child code), if any
    statement    TEXT NOT NULL,
    documents    TEXT NOT NULL DEFAULT '[]',    -- JSON list of documents cited (desk review)
    position     INTEGER NOT NULL,
    created      TEXT NOT NULL,
    created_by   TEXT,
    updated      TEXT NOT NULL
);

-- One coded passage behind a finding. coding_id deliberately has no foreign key: when a coding is removed the
-- link must survive so the audit can report it, instead of the evidence silently disappearing.
-- quote is the passage's text when it was linked; the audit checks it still matches the transcript verbatim.
CREATE TABLE finding_evidence (
    id            INTEGER PRIMARY KEY,
    finding_id    TEXT NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
    coding_id     INTEGER NOT NULL,
    stance        TEXT NOT NULL DEFAULT 'supports' CHECK (stance IN ('supports', 'contradicts')),
    segment_ref   TEXT NOT NULL,                -- TRANSCRIPT:N when linked
    transcript_id TEXT NOT NULL,
    code_id       TEXT NOT NULL,
    coder         TEXT NOT NULL,                -- who made the coding
    quote         TEXT NOT NULL,
    note          TEXT,
    linked        TEXT NOT NULL,
    linked_by     TEXT,
    UNIQUE (finding_id, coding_id)
);
CREATE INDEX finding_evidence_finding ON finding_evidence(finding_id);
CREATE INDEX finding_evidence_coding ON finding_evidence(coding_id);
