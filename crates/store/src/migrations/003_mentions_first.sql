-- Sitrep store, schema version 3: `document_analyses` keeps the event
-- mentions before the analyses.
--
-- Resolution reads every row's `mentions` (a scan) and then single rows'
-- again; the analyses are read only for one document's view. A row is
-- larger than a page, and SQLite reaches a column stored on overflow pages
-- by walking the chain of every column before it: with the mentions last,
-- reading them read the whole row. The table is rebuilt with the same
-- columns in a new order (values unchanged; rowid order kept, so a scan in
-- storage order stays a sequential read).

CREATE TABLE document_analyses_v3 (
    document_id TEXT NOT NULL UNIQUE REFERENCES documents(id) ON DELETE CASCADE,
    n_mentions  INTEGER NOT NULL,           -- number of lines in `mentions`
    mentions    BLOB NOT NULL,              -- sitrep_model::EventMention per line, by seq
    analysis    BLOB NOT NULL,              -- sitrep_model::Analysis
    geo         BLOB NOT NULL               -- sitrep_model::GeoAnalysis
);

INSERT INTO document_analyses_v3 (rowid, document_id, n_mentions, mentions, analysis, geo)
SELECT rowid, document_id, n_mentions, mentions, analysis, geo
FROM document_analyses ORDER BY rowid;

DROP TABLE document_analyses;
ALTER TABLE document_analyses_v3 RENAME TO document_analyses;
