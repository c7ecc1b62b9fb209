-- The quotes a finding shows in the report chapter, chosen by the evaluator: an ordered JSON list of passage
-- references (TRANSCRIPT:N) among the finding's evidence. Empty: the chapter picks the strongest distinct passages.
-- Never edit a released migration: add a new numbered file instead.
ALTER TABLE findings ADD COLUMN key_quotes TEXT NOT NULL DEFAULT '[]';
