-- Desk-review documents (reports, evaluations, minutes) are sources beside the interview transcripts: they are stored,
-- versioned, cut into units and coded exactly like transcripts, in the same tables, and told apart by kind.
-- Never edit a released migration: add a new numbered file instead.
-- kind: transcript | document
ALTER TABLE transcripts ADD COLUMN kind TEXT NOT NULL DEFAULT 'transcript';

-- Where a document's unit sits: the PDF page (1-based, physical), the page number printed on it (the PDF's page label
-- or the number in its header/footer; citations use it), and the heading path (Word, Markdown, HTML, and PDF headings
-- recognised by their type size): "2 Findings > 2.1 Effectiveness". All stay NULL for transcripts.
ALTER TABLE segments ADD COLUMN page INTEGER;
ALTER TABLE segments ADD COLUMN page_label TEXT;
ALTER TABLE segments ADD COLUMN heading TEXT;
