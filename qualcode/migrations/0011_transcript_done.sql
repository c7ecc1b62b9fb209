-- Done marks: a coder says their coding of a transcript is finished. A transcript two or more people marked done was
-- coded by each of them on their own, so it joins the agreement sample; agreement on a sample transcript is final
-- once every coder compared there marked it done. Never edit once released: add a new numbered file instead.
CREATE TABLE transcript_done (
    transcript_id TEXT NOT NULL REFERENCES transcripts(id) ON DELETE CASCADE,
    coder_id      INTEGER NOT NULL REFERENCES coders(id),
    marked        TEXT NOT NULL,
    PRIMARY KEY (transcript_id, coder_id)
);
