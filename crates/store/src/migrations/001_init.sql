-- Sitrep store, schema version 1.
--
-- Applied by `Store::open` when `PRAGMA user_version` < 1, inside one
-- transaction. Later changes go in 002_*.sql, 003_*.sql ... and are applied
-- in order; never edit a migration that has shipped.
--
-- Conventions:
--   * Ids are the stable 16-hex-digit ids of sitrep_model::stable_id.
--   * Dates are ISO 8601 TEXT (YYYY-MM-DD) so they sort and compare as text.
--   * Columns named `json` / `*_json` hold the serde_json form of the
--     sitrep_model type named in the comment; the scalar columns beside them
--     are copies for filtering, sorting and indexing.
--   * Byte offsets (Span) inside stored JSON index into documents.text
--     (the cleaned text); exports convert them to character offsets.

-- Key/value facts about the store (schema notes, last resolution run).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- One row per ingested article (sitrep_model::Document plus geo summary).
-- Insert with INSERT OR IGNORE: the id is derived from the normalized
-- content, so storing the same article twice changes nothing.
CREATE TABLE documents (
    id              TEXT PRIMARY KEY,
    path            TEXT NOT NULL,          -- input path, path#N for multi-item files, or URL
    url             TEXT,
    outlet          TEXT,
    reposted_by     TEXT,
    title           TEXT,
    byline          TEXT NOT NULL DEFAULT '[]',  -- JSON array of names
    dateline        TEXT,
    published       TEXT,                   -- YYYY-MM-DD or NULL
    published_basis TEXT,                   -- 'metadata' | 'text' | 'inferred' | NULL
    published_range TEXT,                   -- JSON [start, end] for inferred dates, or NULL
    language        TEXT,                   -- ISO 639-1
    text            TEXT NOT NULL,          -- cleaned body; all spans index into it
    duplicate_of    TEXT,                   -- id of the earlier document with the same story
    signature       BLOB,                   -- sitrep_ingest::dedup::Signature::to_bytes, for the DupIndex
    places          TEXT NOT NULL DEFAULT '[]',  -- JSON array of sitrep_model::Place
    primary_place   TEXT,                   -- JSON sitrep_model::Place or NULL
    ingested_seq    INTEGER NOT NULL        -- insertion order (monotonic), for "first seen" and paging
);
-- (published, id) is the export order: exports stream in index order, no sort.
CREATE INDEX documents_published ON documents(published, id);
CREATE INDEX documents_outlet ON documents(outlet);
CREATE INDEX documents_duplicate_of ON documents(duplicate_of);
CREATE UNIQUE INDEX documents_ingested_seq ON documents(ingested_seq);

-- Full-text index over documents (external content: the text lives once,
-- in `documents`). Query with `documents_fts MATCH ?`, rank with
-- bm25(documents_fts), and show `snippet(documents_fts, 1, ...)`.
-- Rows are added by Store::insert_batch in the same transaction as the
-- document, not by an AFTER INSERT trigger: a trigger makes every insert a
-- nested statement, and FTS5 flushes its in-memory index at each one
-- (measured: 4x slower batches). Deletes and updates keep triggers.
CREATE VIRTUAL TABLE documents_fts USING fts5(
    title, text,
    content = 'documents', content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER documents_ad AFTER DELETE ON documents BEGIN
    INSERT INTO documents_fts(documents_fts, rowid, title, text)
        VALUES ('delete', old.rowid, old.title, old.text);
END;
CREATE TRIGGER documents_au AFTER UPDATE OF title, text ON documents BEGIN
    INSERT INTO documents_fts(documents_fts, rowid, title, text)
        VALUES ('delete', old.rowid, old.title, old.text);
    INSERT INTO documents_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
END;

-- The language and geo layers' output per document, for the UI's document
-- view (entity, time, quantity, claim and place spans).
CREATE TABLE analyses (
    document_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    analysis    TEXT NOT NULL,              -- JSON sitrep_model::Analysis
    geo         TEXT NOT NULL               -- JSON sitrep_model::GeoAnalysis
) WITHOUT ROWID;

-- Events as extracted from single documents: the input of resolution.
CREATE TABLE event_mentions (
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,           -- order within the document
    json        TEXT NOT NULL,              -- JSON sitrep_model::EventMention
    PRIMARY KEY (document_id, seq)
) WITHOUT ROWID;

-- Resolved, cross-document events (sitrep_model::Event). Recomputed from
-- all event_mentions after each ingest and replaced in one transaction, so
-- readers see either the old set or the new one.
CREATE TABLE events (
    id                   TEXT PRIMARY KEY,
    category             TEXT NOT NULL,     -- PLOVER: 'ASSAULT', 'MOBILIZE', ...
    acled_event_type     TEXT,              -- ACLED event type or NULL
    acled_sub_event_type TEXT,              -- ACLED sub-event type or NULL
    date_start           TEXT,              -- YYYY-MM-DD or NULL
    date_end             TEXT,
    date_precision       TEXT,              -- 'day' | 'week' | 'month' | 'year'
    lat                  REAL,
    lon                  REAL,
    country              TEXT,              -- ISO 3166-1 alpha-2
    admin1               TEXT,
    location_name        TEXT,
    n_sources            INTEGER NOT NULL,  -- independent outlets
    disputed             INTEGER NOT NULL,  -- 1 when disputes is non-empty
    confidence           REAL NOT NULL,
    summary              TEXT NOT NULL,
    json                 TEXT NOT NULL      -- JSON sitrep_model::Event (full)
);
CREATE INDEX events_date_start ON events(date_start, id);
CREATE INDEX events_category ON events(category);
CREATE INDEX events_latlon ON events(lat, lon);
CREATE INDEX events_acled ON events(acled_event_type, acled_sub_event_type);

-- Bounding-box index over located events. `id` is events.rowid.
-- SELECT e.* FROM events e JOIN events_rtree r ON r.id = e.rowid
--  WHERE r.min_lon <= :e AND r.max_lon >= :w AND r.min_lat <= :n AND r.max_lat >= :s
CREATE VIRTUAL TABLE events_rtree USING rtree(
    id,
    min_lon, max_lon,
    min_lat, max_lat
);

-- Actors and outlets of each event, for filtering (?actor=, ?outlet=).
-- These tables, events_rtree and events_fts are derived from `events` and
-- replaced with it in one transaction, so they carry no foreign keys.
CREATE TABLE event_actors (
    event_id TEXT NOT NULL,
    name     TEXT NOT NULL,
    role     TEXT NOT NULL,                 -- 'actor' | 'target' | 'other'
    PRIMARY KEY (event_id, name, role)
) WITHOUT ROWID;
CREATE INDEX event_actors_name ON event_actors(name);

CREATE TABLE event_sources (
    event_id TEXT NOT NULL,
    outlet   TEXT NOT NULL,
    PRIMARY KEY (event_id, outlet)
) WITHOUT ROWID;
CREATE INDEX event_sources_outlet ON event_sources(outlet);

-- Which documents each event cites (from its mentions), for the document
-- view's "events in this article" and for joins by document.
CREATE TABLE event_documents (
    event_id    TEXT NOT NULL,
    document_id TEXT NOT NULL,
    PRIMARY KEY (event_id, document_id)
) WITHOUT ROWID;
CREATE INDEX event_documents_document ON event_documents(document_id);

-- Full-text index over events: the summary and the mention sentences
-- (joined by newlines). `rowid` is events.rowid. Contentless (the text is
-- in events.json): use it for `rowid IN (SELECT rowid FROM events_fts
-- WHERE events_fts MATCH ?)`; clear it with
-- INSERT INTO events_fts(events_fts) VALUES ('delete-all').
CREATE VIRTUAL TABLE events_fts USING fts5(
    summary, sentences,
    content = '',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- User-defined zones (sitrep_geo::Zone): a circle around a place or a
-- GeoJSON polygon.
CREATE TABLE zones (
    name       TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,               -- 'circle' | 'polygon'
    definition TEXT NOT NULL                -- JSON: {"lat","lon","radius_km"} or a GeoJSON geometry
) WITHOUT ROWID;

-- One row per ingest run, for `stats` and auditing (never exported).
CREATE TABLE ingest_log (
    run_id     INTEGER PRIMARY KEY,
    started    TEXT NOT NULL,               -- RFC 3339 UTC
    finished   TEXT,                        -- NULL while running or if killed
    inputs     TEXT NOT NULL DEFAULT '[]',  -- JSON array of paths as given
    stored     INTEGER NOT NULL DEFAULT 0,
    skipped    INTEGER NOT NULL DEFAULT 0,  -- already stored
    rejected   INTEGER NOT NULL DEFAULT 0
);
