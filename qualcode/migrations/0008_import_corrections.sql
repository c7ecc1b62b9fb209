-- Corrections to an import. Never edit a released migration: add a new numbered file instead.

-- How a speaker's role and case were decided: 'import' (recognised from the transcript and the case sheet, and
-- decided again whenever they are imported) or 'user' (set by hand with 'qualcode transcripts set-role'; later
-- imports keep it).
ALTER TABLE speakers ADD COLUMN assigned_by TEXT NOT NULL DEFAULT 'import';
-- What the import went by ('case sheet speaker column', 'interviewer column', 'guessed: asks the questions', ...),
-- so 'qualcode doctor' can repeat a guess the import report warned about.
ALTER TABLE speakers ADD COLUMN how TEXT;

-- How a transcript records its interview, when set by hand ('qualcode transcripts set-record'): 'verbatim' or
-- 'notes'. NULL follows what the import recognised for the current version (transcript_versions.metadata.record).
-- Notes are the interviewer's paraphrase: never shown as verbatim quotes.
ALTER TABLE transcripts ADD COLUMN record TEXT;
