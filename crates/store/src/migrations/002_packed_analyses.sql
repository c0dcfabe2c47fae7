-- Sitrep store, schema version 2: one row per document for everything the
-- analysis layers produced, compressed.
--
-- `analyses` (one row per document) and `event_mentions` (one row per
-- mention, ~6 per document) become `document_analyses`: one row per
-- document holding the Analysis, the GeoAnalysis and its EventMentions in
-- document order, one JSON object per line (so one can be read without
-- parsing the others). Values are written as codec-packed BLOBs
-- (crates/store/src/codec.rs: a tag byte, then LZ4); rows carried over from
-- version 1 keep their JSON as TEXT (mentions as a JSON array), which
-- readers accept as well.
--
-- events.json is written packed the same way from this version on (its
-- column keeps its name and declared type; SQLite stores BLOBs as given).
--
-- A rowid table with a unique index rather than WITHOUT ROWID: the rows are
-- large, and appending them at the end of the table while only the small
-- index takes the random document ids writes far fewer pages.

CREATE TABLE document_analyses (
    document_id TEXT NOT NULL UNIQUE REFERENCES documents(id) ON DELETE CASCADE,
    analysis    BLOB NOT NULL,              -- sitrep_model::Analysis
    geo         BLOB NOT NULL,              -- sitrep_model::GeoAnalysis
    n_mentions  INTEGER NOT NULL,           -- length of the mentions array
    mentions    BLOB NOT NULL               -- sitrep_model::EventMention per line, by seq
);

INSERT INTO document_analyses (document_id, analysis, geo, n_mentions, mentions)
SELECT a.document_id, a.analysis, a.geo,
       (SELECT COUNT(*) FROM event_mentions m WHERE m.document_id = a.document_id),
       '[' || COALESCE((SELECT group_concat(m.json, ',' ORDER BY m.seq)
                        FROM event_mentions m WHERE m.document_id = a.document_id), '') || ']'
FROM analyses a ORDER BY a.document_id;

DROP TABLE event_mentions;
DROP TABLE analyses;
