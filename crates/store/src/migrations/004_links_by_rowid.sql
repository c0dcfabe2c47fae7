-- Sitrep store, schema version 4: the event link tables (actors, outlets,
-- documents) refer to an event by `events.rowid`, as `events_fts` and
-- `events_rtree` already do, instead of by its text id.
--
-- Event ids are content hashes, so links keyed by id went into their
-- B-trees at random places: on large stores each insert descended to a
-- different leaf. Rowids grow as events are written, so the same inserts
-- now append. The tables are replaced together with `events` (one
-- transaction), so a rowid never outlives its event; nothing here runs
-- VACUUM, which could renumber rowids.

CREATE TABLE event_actors_v4 (
    event_rowid INTEGER NOT NULL,           -- events.rowid
    name        TEXT NOT NULL,
    role        TEXT NOT NULL,              -- 'actor' | 'target' | 'other'
    PRIMARY KEY (event_rowid, name, role)
) WITHOUT ROWID;
INSERT INTO event_actors_v4 (event_rowid, name, role)
SELECT e.rowid, a.name, a.role FROM event_actors a JOIN events e ON e.id = a.event_id
ORDER BY 1, 2, 3;
DROP TABLE event_actors;
ALTER TABLE event_actors_v4 RENAME TO event_actors;
CREATE INDEX event_actors_name ON event_actors(name);

CREATE TABLE event_sources_v4 (
    event_rowid INTEGER NOT NULL,           -- events.rowid
    outlet      TEXT NOT NULL,
    PRIMARY KEY (event_rowid, outlet)
) WITHOUT ROWID;
INSERT INTO event_sources_v4 (event_rowid, outlet)
SELECT e.rowid, s.outlet FROM event_sources s JOIN events e ON e.id = s.event_id
ORDER BY 1, 2;
DROP TABLE event_sources;
ALTER TABLE event_sources_v4 RENAME TO event_sources;
CREATE INDEX event_sources_outlet ON event_sources(outlet);

CREATE TABLE event_documents_v4 (
    event_rowid INTEGER NOT NULL,           -- events.rowid
    document_id TEXT NOT NULL,
    PRIMARY KEY (event_rowid, document_id)
) WITHOUT ROWID;
INSERT INTO event_documents_v4 (event_rowid, document_id)
SELECT e.rowid, d.document_id FROM event_documents d JOIN events e ON e.id = d.event_id
ORDER BY 1, 2;
DROP TABLE event_documents;
ALTER TABLE event_documents_v4 RENAME TO event_documents;
CREATE INDEX event_documents_document ON event_documents(document_id);
