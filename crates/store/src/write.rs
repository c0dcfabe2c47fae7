//! The write side: documents with their analyses and event mentions,
//! resolved events, zones and the ingest log.

use rayon::prelude::*;
use rusqlite::types::ValueRef;
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use sitrep_model::{Analysis, Document, Event, EventMention, GeoAnalysis};

use crate::{codec, Store, StoreError};

/// One analysed document, ready to store.
#[derive(Debug, Clone, Default)]
pub struct NewDocument {
    pub document: Document,
    /// The duplicate-detection signature (`Signature::to_bytes`), kept so a
    /// later ingest can seed its duplicate index without recomputing.
    pub signature: Option<Vec<u8>>,
    pub analysis: Analysis,
    pub geo: GeoAnalysis,
    pub mentions: Vec<EventMention>,
}

impl NewDocument {
    /// A document with no analysis (tests, or stages not run).
    pub fn bare(document: Document) -> Self {
        NewDocument {
            document,
            ..Default::default()
        }
    }

    /// Serialises and compresses everything but the SQL, so that this
    /// CPU work runs in the parallel analysis workers and the single store
    /// writer only writes ([`Store::insert_encoded`]).
    pub fn encode(self) -> Result<EncodedDocument, StoreError> {
        let d = &self.document;
        Ok(EncodedDocument {
            byline: serde_json::to_string(&d.byline)?,
            published_range: d
                .published_range
                .map(|r| serde_json::to_string(&r))
                .transpose()?,
            places: serde_json::to_string(&self.geo.places)?,
            primary_place: self
                .geo
                .primary_place
                .as_ref()
                .map(serde_json::to_string)
                .transpose()?,
            analysis: codec::pack(&serde_json::to_string(&self.analysis)?),
            geo: codec::pack(&serde_json::to_string(&self.geo)?),
            n_mentions: self.mentions.len(),
            mentions: codec::pack_mentions(&self.mentions)?,
            signature: self.signature,
            document: self.document,
        })
    }
}

/// A [`NewDocument`] with its columns serialised (JSON; the mentions as
/// binary records) and compressed.
#[derive(Debug, Clone)]
pub struct EncodedDocument {
    pub document: Document,
    signature: Option<Vec<u8>>,
    byline: String,
    published_range: Option<String>,
    places: String,
    primary_place: Option<String>,
    analysis: Vec<u8>,
    geo: Vec<u8>,
    n_mentions: usize,
    mentions: Vec<u8>,
}

/// From this many events on, `replace_events` rebuilds secondary indexes
/// after loading instead of maintaining them row by row.
const BULK_EVENTS: usize = 5_000;

/// Events serialised together (in parallel) and then inserted.
const EVENTS_CHUNK: usize = 2048;

/// meta key set while documents were added after the last resolution.
const EVENTS_STALE: &str = "events_stale";

fn basis_str(b: sitrep_model::PublishedBasis) -> &'static str {
    match b {
        sitrep_model::PublishedBasis::Metadata => "metadata",
        sitrep_model::PublishedBasis::Text => "text",
        sitrep_model::PublishedBasis::Inferred => "inferred",
    }
}

impl Store {
    /// Stores a batch of documents in one transaction and returns how many
    /// were new. A document whose id is already stored is left untouched
    /// (with its analysis and mentions), which makes ingest idempotent.
    pub fn insert_batch(&mut self, batch: &[NewDocument]) -> Result<usize, StoreError> {
        let encoded = batch
            .iter()
            .map(|nd| nd.clone().encode())
            .collect::<Result<Vec<_>, _>>()?;
        self.insert_encoded(&encoded)
    }

    /// [`Store::insert_batch`] for documents already encoded (in parallel,
    /// by the caller).
    pub fn insert_encoded(&mut self, batch: &[EncodedDocument]) -> Result<usize, StoreError> {
        if batch.is_empty() {
            return Ok(0);
        }
        let mut w = self.document_writer()?;
        w.insert(batch)?;
        w.commit()
    }

    /// A transaction that takes encoded documents a batch at a time and
    /// stores them together when committed (dropped uncommitted, it stores
    /// none of them): a caller can hand over the first part of what must
    /// be one transaction while it prepares the rest.
    pub fn document_writer(&mut self) -> Result<DocumentWriter<'_>, StoreError> {
        // IMMEDIATE takes the write lock up front, so `next_seq` cannot race
        // with another writer.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        Ok(DocumentWriter { tx, inserted: 0 })
    }

    /// Whether a document with this id is stored.
    pub fn contains_document(&self, id: &str) -> Result<bool, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT 1 FROM documents WHERE id = ?1")?;
        Ok(st.query_row(params![id], |_| Ok(())).optional()?.is_some())
    }

    /// Number of stored event mentions.
    pub fn mention_count(&self) -> Result<u64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT COALESCE(SUM(n_mentions), 0) FROM document_analyses",
            [],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    /// Number of stored documents.
    pub fn document_count(&self) -> Result<u64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM documents", [], |r| r.get::<_, i64>(0))?
            as u64)
    }

    /// Calls `f` with every stored document's id and duplicate-detection
    /// signature (none for documents stored without one), in ingestion
    /// order, to seed the duplicate index of a new ingest. Documents that
    /// are themselves duplicates are included: a third copy may match the
    /// second best. Streams: a store of millions of documents is not
    /// collected first.
    pub fn for_each_signature(
        &self,
        mut f: impl FnMut(&str, Option<&[u8]>),
    ) -> Result<(), StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT id, signature FROM documents ORDER BY ingested_seq")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let id = match r.get_ref(0)? {
                ValueRef::Text(t) => std::str::from_utf8(t)
                    .map_err(|e| StoreError::Corrupt(format!("a document id is not UTF-8: {e}")))?,
                v => {
                    return Err(StoreError::Corrupt(format!(
                        "a document id is stored as {:?}, not text",
                        v.data_type()
                    )))
                }
            };
            // Anything but a blob is no signature: the document is still known.
            let sig = match r.get_ref(1)? {
                ValueRef::Blob(b) => Some(b),
                _ => None,
            };
            f(id, sig);
        }
        Ok(())
    }

    /// Every stored event mention (the input of resolution), in a stable
    /// order: documents in storage order, each one's mentions in text order.
    pub fn event_mentions(&self) -> Result<Vec<EventMention>, StoreError> {
        let mut out = Vec::new();
        self.scan_mentions(
            |ms| ms,
            |_, ms| {
                out.extend(ms);
                Ok(())
            },
        )?;
        Ok(out)
    }

    /// Calls `map` with each document's event mentions (in text order) and
    /// `f` with the document's row key and what `map` made of them,
    /// documents in storage order: resolution input without holding all
    /// mentions at once; [`Store::mentions_at`] reads some of them again.
    /// Storage order is a sequential read of the table (by document id it
    /// would be a random one).
    ///
    /// Decompression, parsing and `map` run on the rayon pool, a slice of
    /// rows at a time, while this thread reads the next slices; `f` runs on
    /// this thread, in order.
    pub fn scan_mentions<T: Send>(
        &self,
        map: impl Fn(Vec<EventMention>) -> T + Sync,
        mut f: impl FnMut(i64, T) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        const ROWS: usize = 256;
        let mut st = self.conn.prepare_cached(
            "SELECT rowid, mentions FROM document_analyses WHERE n_mentions > 0 ORDER BY rowid",
        )?;
        let mut rows = st.query([])?;
        let map = &map;
        let decode = move |raw: Vec<(i64, rusqlite::types::Value)>| {
            raw.into_iter()
                .map(|(k, v)| Ok((k, map(codec::decode_mentions(ValueRef::from(&v))?))))
                .collect::<Result<Vec<(i64, T)>, StoreError>>()
        };
        let mut read = || -> Result<Vec<(i64, rusqlite::types::Value)>, StoreError> {
            let mut raw = Vec::with_capacity(ROWS);
            while raw.len() < ROWS {
                match rows.next()? {
                    Some(r) => raw.push((r.get(0)?, r.get(1)?)),
                    None => break,
                }
            }
            Ok(raw)
        };
        pipelined(&mut read, &decode, |batch| {
            for (k, t) in batch {
                f(k, t)?;
            }
            Ok(())
        })
    }

    /// Single mentions by (document key from [`Store::scan_mentions`],
    /// position in that document's mentions), in the order given (a
    /// document's positions ascending). Only the requested mentions are
    /// parsed, on the rayon pool while this thread reads further documents;
    /// a missing document or position is an error.
    pub fn mentions_at(&self, wanted: &[(i64, u32)]) -> Result<Vec<EventMention>, StoreError> {
        const DOCS: usize = 128;
        let mut st = self
            .conn
            .prepare_cached("SELECT mentions FROM document_analyses WHERE rowid = ?1")?;
        // One read per document; `wanted` lists a document's positions together.
        let mut runs = wanted.chunk_by(|a, b| a.0 == b.0);
        let mut read = || -> Result<Vec<StoredRun>, StoreError> {
            let mut docs = Vec::with_capacity(DOCS);
            for run in runs.by_ref().take(DOCS) {
                let v: Option<rusqlite::types::Value> =
                    st.query_row([run[0].0], |r| r.get(0)).optional()?;
                let v = v.ok_or_else(|| {
                    StoreError::Corrupt(format!("no mentions stored under key {}", run[0].0))
                })?;
                docs.push((v, run));
            }
            Ok(docs)
        };
        let decode = |docs: Vec<StoredRun>| {
            let mut out = Vec::new();
            for (v, run) in docs {
                let got: Vec<Option<EventMention>> = codec::decode_mentions_at(
                    ValueRef::from(&v),
                    run.iter().map(|&(_, i)| i as usize),
                )?;
                for (m, &(key, i)) in got.into_iter().zip(run) {
                    out.push(m.ok_or_else(|| {
                        StoreError::Corrupt(format!("key {key} has no mention {i}"))
                    })?);
                }
            }
            Ok(out)
        };
        let mut out = Vec::with_capacity(wanted.len());
        pipelined(&mut read, &decode, |batch| {
            out.extend(batch);
            Ok(())
        })?;
        Ok(out)
    }

    /// True when documents were added since events were last resolved
    /// (including by an ingest that was killed before resolving).
    pub fn events_stale(&self) -> Result<bool, StoreError> {
        let v: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = ?1",
                params![EVENTS_STALE],
                |r| r.get(0),
            )
            .optional()?;
        Ok(v.as_deref() == Some("1"))
    }

    /// Replaces all resolved events in one transaction: readers see the old
    /// set or the new one, never a mix.
    pub fn replace_events(&mut self, events: &[Event]) -> Result<(), StoreError> {
        let mut w = self.events_writer(events.len())?;
        for e in events {
            w.push(e.clone())?;
        }
        w.finish()
    }

    /// Starts replacing all resolved events, streamed: push them one at a
    /// time ([`EventsWriter::push`]) and [`EventsWriter::finish`] commits.
    /// Dropping the writer unfinished rolls back, leaving the old events.
    /// `expected` (an estimate of the count) decides whether secondary
    /// indexes are rebuilt after the load instead of maintained row by row.
    ///
    /// Reads on this store may go on while the writer is open (resolution
    /// reads mentions as it writes events); they see its uncommitted rows.
    /// Do not start another write on the store until it is finished, and
    /// open it with no statement of this connection mid-read: it drops and
    /// recreates the events' R*-tree, which SQLite refuses while a
    /// statement is running.
    pub fn events_writer(&self, expected: usize) -> Result<EventsWriter<'_>, StoreError> {
        // Unchecked: a shared borrow, so that reads can go on meanwhile;
        // nothing else in this crate opens a transaction while it is open.
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
        // Secondary indexes are dropped and rebuilt around a large bulk
        // load: building an index once from all rows is cheaper than
        // updating it row by row. Their SQL is read back from the schema,
        // so indexes added by later migrations are kept too.
        let rebuild: Vec<(String, String)> = if expected >= BULK_EVENTS {
            let mut st = tx.prepare(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
                 AND tbl_name IN ('events', 'event_actors', 'event_sources', 'event_documents')
                 ORDER BY name",
            )?;
            let rows =
                st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            rows.collect::<Result<_, _>>()?
        } else {
            Vec::new()
        };
        for (name, _) in &rebuild {
            tx.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
        }
        // An R*-tree deletes row by row, rebalancing as it goes: dropping
        // and recreating it (from its own stored SQL) is what clearing it
        // costs otherwise. It is filled again in `finish`.
        let rtree_sql: String = tx.query_row(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'events_rtree'",
            [],
            |r| r.get(0),
        )?;
        tx.execute_batch(&format!(
            "DELETE FROM event_actors; DELETE FROM event_sources; DELETE FROM event_documents;
             INSERT INTO events_fts(events_fts) VALUES ('delete-all');
             DROP TABLE events_rtree; {rtree_sql}; DELETE FROM events;"
        ))?;
        Ok(EventsWriter {
            tx,
            rebuild,
            buf: Vec::with_capacity(EVENTS_CHUNK),
            collisions: 0,
            written: 0,
        })
    }

    /// Number of resolved events.
    pub fn event_count(&self) -> Result<u64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM events", [], |r| r.get::<_, i64>(0))?
            as u64)
    }

    /// All resolved events, ordered by start date (undated last), then id.
    pub fn events(&self) -> Result<Vec<Event>, StoreError> {
        let mut out = Vec::new();
        self.for_each_event_json(|json| {
            out.push(serde_json::from_str(json)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// Calls `f` with each event's stored JSON, in export order.
    pub(crate) fn for_each_event_json(
        &self,
        mut f: impl FnMut(&str) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        // Dated events in (date_start, id) index order, then undated by id.
        for sql in [
            "SELECT json FROM events WHERE date_start IS NOT NULL ORDER BY date_start, id",
            "SELECT json FROM events WHERE date_start IS NULL ORDER BY id",
        ] {
            let mut st = self.conn.prepare_cached(sql)?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                f(&codec::unpack(r.get_ref(0)?)?)?;
            }
        }
        Ok(())
    }

    /// Stores (or replaces) a named zone. `kind` is "circle" or "polygon";
    /// `definition` is `{"lat","lon","radius_km"}` or a GeoJSON geometry.
    pub fn put_zone(
        &self,
        name: &str,
        kind: &str,
        definition: &serde_json::Value,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO zones (name, kind, definition) VALUES (?1, ?2, ?3)",
            params![name, kind, serde_json::to_string(definition)?],
        )?;
        Ok(())
    }

    /// All zones as (name, kind, definition), by name.
    pub fn zones(&self) -> Result<Vec<(String, String, serde_json::Value)>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT name, kind, definition FROM zones ORDER BY name")?;
        let mut rows = st.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let def: String = r.get(2)?;
            out.push((r.get(0)?, r.get(1)?, serde_json::from_str(&def)?));
        }
        Ok(out)
    }

    /// Records the start of an ingest run; returns its id.
    pub fn begin_run(&self, started: &str, inputs: &[String]) -> Result<i64, StoreError> {
        self.conn.execute(
            "INSERT INTO ingest_log (started, inputs) VALUES (?1, ?2)",
            params![started, serde_json::to_string(inputs)?],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Records the end of an ingest run.
    pub fn finish_run(
        &self,
        run_id: i64,
        finished: &str,
        stored: u64,
        skipped: u64,
        rejected: u64,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE ingest_log SET finished = ?2, stored = ?3, skipped = ?4, rejected = ?5 WHERE run_id = ?1",
            params![run_id, finished, stored as i64, skipped as i64, rejected as i64],
        )?;
        Ok(())
    }
}

/// Documents stored in one transaction, a batch at a time (see
/// [`Store::document_writer`]).
pub struct DocumentWriter<'a> {
    tx: rusqlite::Transaction<'a>,
    inserted: usize,
}

impl DocumentWriter<'_> {
    /// Adds a batch; returns how many of its documents were new. A document
    /// whose id is already stored is left untouched (with its analysis and
    /// mentions), which makes ingest idempotent.
    pub fn insert(&mut self, batch: &[EncodedDocument]) -> Result<usize, StoreError> {
        if batch.is_empty() {
            return Ok(0);
        }
        let tx = &self.tx;
        let mut seq: i64 = tx.query_row(
            "SELECT COALESCE(MAX(ingested_seq), 0) + 1 FROM documents",
            [],
            |r| r.get(0),
        )?;
        let mut inserted = 0usize;
        let mut ins_doc = tx.prepare_cached(
            "INSERT OR IGNORE INTO documents
             (id, path, url, outlet, reposted_by, title, byline, dateline, published,
              published_basis, published_range, language, text, duplicate_of, signature,
              places, primary_place, ingested_seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
        )?;
        let mut ins_analysis = tx.prepare_cached(
            "INSERT OR REPLACE INTO document_analyses (document_id, analysis, geo, n_mentions, mentions)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        let mut ins_fts = tx
            .prepare_cached("INSERT INTO documents_fts (rowid, title, text) VALUES (?1, ?2, ?3)")?;
        let mut fts_rows: Vec<(i64, &Document)> = Vec::with_capacity(batch.len());
        for ed in batch {
            let d = &ed.document;
            let n = ins_doc.execute(params![
                d.id,
                d.path,
                d.url,
                d.outlet,
                d.reposted_by,
                d.title,
                ed.byline,
                d.dateline,
                d.published.map(|p| p.to_string()),
                d.published_basis.map(basis_str),
                ed.published_range,
                d.language,
                d.text,
                d.duplicate_of,
                ed.signature,
                ed.places,
                ed.primary_place,
                seq,
            ])?;
            if n == 0 {
                continue; // already stored: idempotent
            }
            seq += 1;
            inserted += 1;
            fts_rows.push((tx.last_insert_rowid(), d));
            ins_analysis.execute(params![
                d.id,
                ed.analysis,
                ed.geo,
                ed.n_mentions as i64,
                ed.mentions
            ])?;
        }
        if inserted > 0 {
            tx.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, '1')",
                params![EVENTS_STALE],
            )?;
        }
        // The full-text rows go last. Once FTS5 is written to in a
        // transaction, every later statement that opens a statement
        // savepoint (the analyses' foreign key and REPLACE do) makes it
        // flush its pending terms to disk as a new segment: rows
        // interleaved with other inserts were indexed a segment per
        // document, and merging those segments back was a sixth of the
        // ingest's CPU. After the other inserts, a batch is one segment.
        for (rowid, d) in fts_rows {
            ins_fts.execute(params![rowid, d.title, d.text])?;
        }
        self.inserted += inserted;
        Ok(inserted)
    }

    /// Commits every batch added; returns how many documents were new.
    pub fn commit(self) -> Result<usize, StoreError> {
        self.tx.commit()?;
        Ok(self.inserted)
    }
}

/// A document's stored mentions and the (key, position) pairs wanted from it.
type StoredRun<'a> = (rusqlite::types::Value, &'a [(i64, u32)]);

/// Slices read from the database (`read`, on this thread: the connection
/// is not shared) are decoded on the rayon pool (`decode`) while the next
/// ones are read, and handed to `each` in read order. A few slices are in
/// flight at a time, so memory stays bounded. `read` returns an empty
/// slice at the end. On a rayon worker thread (which must not block) the
/// slices are decoded in turn instead.
fn pipelined<R: Send, D: Send>(
    read: &mut dyn FnMut() -> Result<Vec<R>, StoreError>,
    decode: &(dyn Fn(Vec<R>) -> Result<D, StoreError> + Sync),
    mut each: impl FnMut(D) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    const IN_FLIGHT: usize = 4;
    if rayon::current_thread_index().is_some() {
        loop {
            let raw = read()?;
            if raw.is_empty() {
                return Ok(());
            }
            each(decode(raw)?)?;
        }
    }
    rayon::in_place_scope(|scope| {
        let mut pending = std::collections::VecDeque::new();
        let mut done = false;
        while !done || !pending.is_empty() {
            if !done {
                let raw = read()?;
                if raw.is_empty() {
                    done = true;
                } else {
                    let (tx, rx) = std::sync::mpsc::sync_channel(1);
                    scope.spawn(move |_| {
                        // The receiver is gone only when an error stopped us.
                        let _ = tx.send(decode(raw));
                    });
                    pending.push_back(rx);
                }
            }
            while pending.len() > IN_FLIGHT || (done && !pending.is_empty()) {
                let Some(rx) = pending.pop_front() else { break };
                let decoded = rx
                    .recv()
                    .map_err(|_| StoreError::Corrupt("a decoding task stopped".into()))??;
                each(decoded)?;
            }
        }
        Ok(())
    })
}

/// A replacement of all resolved events in progress (see
/// [`Store::events_writer`]).
pub struct EventsWriter<'a> {
    tx: rusqlite::Transaction<'a>,
    rebuild: Vec<(String, String)>,
    buf: Vec<Event>,
    collisions: usize,
    written: u64,
}

impl EventsWriter<'_> {
    /// Adds one event (written in batches).
    pub fn push(&mut self, e: Event) -> Result<(), StoreError> {
        self.buf.push(e);
        if self.buf.len() >= EVENTS_CHUNK {
            self.flush()?;
        }
        Ok(())
    }

    /// Events written so far.
    pub fn written(&self) -> u64 {
        self.written + self.buf.len() as u64
    }

    fn flush(&mut self) -> Result<(), StoreError> {
        // Serialising is most of the CPU work and needs no database: do it
        // on all cores, then insert in order.
        let encoded: Vec<(Vec<u8>, String, Vec<&str>)> = self
            .buf
            .par_iter()
            .map(|e| {
                // Re-posts repeat sentences word for word: index each once,
                // and link each document once.
                let mut sentences: Vec<&str> =
                    e.mentions.iter().map(|m| m.sentence.as_str()).collect();
                sentences.sort_unstable();
                sentences.dedup();
                let mut docs: Vec<&str> = e.mentions.iter().map(|m| m.document.as_str()).collect();
                docs.sort_unstable();
                docs.dedup();
                Ok((
                    codec::pack(&serde_json::to_string(e)?),
                    sentences.join("\n"),
                    docs,
                ))
            })
            .collect::<Result<_, StoreError>>()?;
        let tx = &self.tx;
        let mut ins = tx.prepare_cached(
            "INSERT OR IGNORE INTO events (id, category, acled_event_type, acled_sub_event_type,
               date_start, date_end, date_precision, lat, lon, country, admin1, location_name,
               n_sources, disputed, confidence, summary, json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
        )?;
        let mut ins_fts = tx.prepare_cached(
            "INSERT INTO events_fts (rowid, summary, sentences) VALUES (?1, ?2, ?3)",
        )?;
        let mut ins_actor = tx.prepare_cached(
            "INSERT OR IGNORE INTO event_actors (event_rowid, name, role) VALUES (?1, ?2, ?3)",
        )?;
        let mut ins_source = tx.prepare_cached(
            "INSERT OR IGNORE INTO event_sources (event_rowid, outlet) VALUES (?1, ?2)",
        )?;
        let mut ins_doc = tx.prepare_cached(
            "INSERT OR IGNORE INTO event_documents (event_rowid, document_id) VALUES (?1, ?2)",
        )?;
        for (e, (json, sentences, docs)) in self.buf.iter().zip(&encoded) {
            let loc = e.location.as_ref();
            let (lat, lon) = loc.map_or((None, None), |p| (p.lat, p.lon));
            let n = ins.execute(params![
                e.id,
                e.category.as_str(),
                e.acled.as_ref().map(|a| a.event_type.as_str()),
                e.acled.as_ref().map(|a| a.sub_event_type.as_str()),
                e.date.map(|d| d.start.to_string()),
                e.date.map(|d| d.end.to_string()),
                e.date.map(|d| d.precision.as_str()),
                lat,
                lon,
                loc.and_then(|p| p.country.as_deref()),
                loc.and_then(|p| p.admin1.as_deref()),
                loc.map(|p| p.name.as_str()),
                e.sources.len() as i64,
                !e.disputes.is_empty(),
                f64::from(e.confidence),
                e.summary,
                json,
            ])?;
            // Ids are unique by construction in resolve; should two collide
            // anyway, keep the first rather than fail the ingest.
            if n == 0 {
                self.collisions += 1;
                continue;
            }
            let rowid = tx.last_insert_rowid();
            ins_fts.execute(params![rowid, e.summary, sentences])?;
            for a in &e.actors {
                let role = match a.role {
                    sitrep_model::ActorRole::Actor => "actor",
                    sitrep_model::ActorRole::Target => "target",
                    sitrep_model::ActorRole::Other => "other",
                };
                ins_actor.execute(params![rowid, a.name, role])?;
            }
            for s in &e.sources {
                ins_source.execute(params![rowid, s])?;
            }
            for d in docs {
                ins_doc.execute(params![rowid, d])?;
            }
            self.written += 1;
        }
        self.buf.clear();
        Ok(())
    }

    /// Writes what is buffered, restores the indexes and commits.
    pub fn finish(mut self) -> Result<(), StoreError> {
        let t = std::time::Instant::now();
        self.flush()?;
        let flushed = t.elapsed();
        if self.collisions > 0 {
            tracing::warn!(
                collisions = self.collisions,
                "resolved events with an id already used were dropped"
            );
        }
        for (_, sql) in &self.rebuild {
            self.tx.execute_batch(sql)?;
        }
        // The spatial index in one statement from the events table, in
        // coordinate order: an R*-tree fed neighbouring points in a row
        // keeps inserting into the same few nodes. Every finite point goes
        // in, as `EventIndex`'s box filter assumes (9e999 is infinity to
        // SQLite; NaN was stored as NULL).
        self.tx.execute_batch(
            "INSERT INTO events_rtree (id, min_lon, max_lon, min_lat, max_lat)
             SELECT rowid, lon, lon, lat, lat FROM events
             WHERE abs(lat) < 9e999 AND abs(lon) < 9e999
             ORDER BY lon, lat",
        )?;
        self.tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, '0')",
            params![EVENTS_STALE],
        )?;
        let indexed = t.elapsed();
        self.tx.commit()?;
        tracing::debug!(
            flush_ms = flushed.as_millis() as u64,
            index_ms = (indexed - flushed).as_millis() as u64,
            commit_ms = (t.elapsed() - indexed).as_millis() as u64,
            "events written"
        );
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::NaiveDate;
    use sitrep_model::*;

    pub(crate) fn doc(id: &str, outlet: &str, text: &str) -> Document {
        Document {
            id: id.into(),
            path: format!("{id}.txt"),
            outlet: Some(outlet.into()),
            title: Some(format!("Report {id}")),
            byline: vec!["Amal Haddad".into()],
            published: NaiveDate::from_ymd_opt(2021, 3, 4),
            published_basis: Some(PublishedBasis::Text),
            language: Some("en".into()),
            text: text.into(),
            ..Default::default()
        }
    }

    pub(crate) fn event(id: &str, day: u32, lat: f64, lon: f64) -> Event {
        Event {
            id: id.into(),
            category: Plover::Assault,
            acled: Some(AcledType {
                event_type: "Explosions/Remote violence".into(),
                sub_event_type: "Shelling/artillery/missile attack".into(),
            }),
            summary: format!("Shelling near the river crossing on day {day}"),
            date: Some(DateRange::day(
                NaiveDate::from_ymd_opt(2021, 3, day).unwrap(),
            )),
            actors: vec![EventActor {
                name: "Government forces".into(),
                role: ActorRole::Actor,
                kind: ActorKind::StateMilitary,
                surface: vec!["army units".into()],
            }],
            location: Some(Place {
                name: "Kfar Nabl".into(),
                lat: Some(lat),
                lon: Some(lon),
                country: Some("SY".into()),
                admin1: Some("Idlib".into()),
                ..Default::default()
            }),
            equipment: vec![],
            quantities: vec![],
            fatalities: Some(2),
            claimed_by: vec![],
            mentions: vec![Provenance {
                document: "d1".into(),
                outlet: Some("Valley Courier".into()),
                sentence: "Army units shelled the crossing.".into(),
                start: 0,
                end: 32,
            }],
            sources: vec!["Valley Courier".into()],
            disputes: vec![],
            confidence: 0.5,
            coding: vec![],
        }
    }

    fn mention(doc: &str, start: usize, sentence: &str) -> EventMention {
        EventMention {
            document: doc.into(),
            outlet: Some("Valley Courier".into()),
            duplicate_of: None,
            category: Plover::Assault,
            acled: None,
            span: Span::new(start, start + sentence.len()),
            sentence: sentence.into(),
            char_start: start,
            char_end: start + sentence.len(),
            date: None,
            location: None,
            actors: vec![],
            equipment: vec![],
            quantities: vec![],
            fatalities: None,
            claimed_by: vec![],
            occurred: true,
            certainty: 0.7,
            coding: Coding::default(),
        }
    }

    /// Batches handed to one document writer are stored together when it
    /// commits, and not at all when it is dropped (a killed ingest keeps
    /// whole chunks only); ids already stored are skipped across batches.
    #[test]
    fn a_document_writer_commits_its_batches_together() {
        let (dir, path) = crate::tests::temp_db("docwriter");
        let mut s = Store::open(&path).unwrap();
        let enc = |id: &str| {
            NewDocument::bare(doc(
                id,
                "Valley Courier",
                &format!("Report {id} on the bridge."),
            ))
            .encode()
            .unwrap()
        };
        {
            let mut w = s.document_writer().unwrap();
            assert_eq!(w.insert(&[enc("a1"), enc("a2")]).unwrap(), 2);
            assert_eq!(w.insert(&[enc("a3")]).unwrap(), 1);
            // Dropped uncommitted: none of the three is stored.
        }
        assert_eq!(s.document_count().unwrap(), 0);
        let mut w = s.document_writer().unwrap();
        assert_eq!(w.insert(&[enc("b1"), enc("b2")]).unwrap(), 2);
        assert_eq!(w.insert(&[enc("b2"), enc("b3")]).unwrap(), 1);
        assert_eq!(w.insert(&[]).unwrap(), 0);
        assert_eq!(w.commit().unwrap(), 3);
        assert_eq!(s.document_count().unwrap(), 3);
        assert_eq!(s.insert_encoded(&[enc("b3"), enc("b4")]).unwrap(), 1);
        assert_eq!(s.document_count().unwrap(), 4);
        drop(s);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Reading mentions back spans several read/decode slices (ROWS and
    /// DOCS are smaller than this store): every mention comes back in
    /// order, a picked subset comes back exactly, the non-pipelined path on
    /// a rayon worker gives the same, and a missing position is an error.
    #[test]
    fn scan_and_pick_mentions_across_slices() {
        let (dir, path) = crate::tests::temp_db("pick");
        let mut s = Store::open(&path).unwrap();
        let docs: Vec<NewDocument> = (0..700)
            .map(|i| {
                let id = format!("doc{i:04}");
                let text = format!("Shelling hit the depot near the bridge, report {i} said.");
                let mut nd = NewDocument::bare(doc(&id, "Valley Courier", &text));
                for k in 0..(i % 4) {
                    nd.mentions
                        .push(mention(&id, k * 5, &format!("Report {i} line {k}.")));
                }
                nd
            })
            .collect();
        s.insert_batch(&docs).unwrap();
        let scan = |s: &Store| {
            let mut seen: Vec<(i64, Vec<EventMention>)> = Vec::new();
            s.scan_mentions(
                |ms| ms,
                |k, ms| {
                    seen.push((k, ms));
                    Ok(())
                },
            )
            .unwrap();
            seen
        };
        let seen = scan(&s);
        // Documents without mentions are skipped; the rest in storage order.
        assert_eq!(seen.len(), 700 - 175);
        assert!(seen.windows(2).all(|w| w[0].0 < w[1].0));
        let expected: Vec<EventMention> = docs.iter().flat_map(|d| d.mentions.clone()).collect();
        let all: Vec<EventMention> = seen.iter().flat_map(|(_, ms)| ms.clone()).collect();
        assert_eq!(all, expected);

        // Every fifth document's first mention and every third one's last.
        let mut wanted: Vec<(i64, u32)> = Vec::new();
        let mut picked: Vec<EventMention> = Vec::new();
        for (n, (k, ms)) in seen.iter().enumerate() {
            if n % 5 == 0 {
                wanted.push((*k, 0));
                picked.push(ms[0].clone());
            }
            if n % 3 == 1 && ms.len() > 1 {
                wanted.push((*k, ms.len() as u32 - 1));
                picked.push(ms[ms.len() - 1].clone());
            }
        }
        assert!(wanted.len() > 250);
        assert_eq!(s.mentions_at(&wanted).unwrap(), picked);

        // Rows written before schema 5 hold JSON lines: a store upgraded in
        // place mixes them with binary rows, and both read back the same.
        {
            let tx = s.conn().unchecked_transaction().unwrap();
            for (k, ms) in seen.iter().filter(|(k, _)| k % 2 == 0) {
                let legacy = codec::pack(&codec::mention_lines(ms).unwrap());
                tx.execute(
                    "UPDATE document_analyses SET mentions = ?1 WHERE rowid = ?2",
                    params![legacy, k],
                )
                .unwrap();
            }
            tx.commit().unwrap();
        }
        let tags: Vec<u8> = {
            let mut st = s
                .conn()
                .prepare("SELECT DISTINCT substr(mentions, 1, 1) FROM document_analyses WHERE n_mentions > 0")
                .unwrap();
            let mut t: Vec<u8> = st
                .query_map([], |r| r.get::<_, Vec<u8>>(0))
                .unwrap()
                .map(|b| b.unwrap()[0])
                .collect();
            t.sort_unstable();
            t
        };
        assert_eq!(tags, vec![1, 2], "both encodings present");
        assert_eq!(scan(&s), seen);
        assert_eq!(s.mentions_at(&wanted).unwrap(), picked);

        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        // A connection is not Send: the worker opens its own.
        let (seen_in_pool, picked_in_pool) = pool.install(|| {
            let s = Store::open_read_only(&path).unwrap();
            (scan(&s), s.mentions_at(&wanted).unwrap())
        });
        assert_eq!(seen_in_pool, seen);
        assert_eq!(picked_in_pool, picked);

        let (k, ms) = &seen[0];
        let err = s.mentions_at(&[(*k, ms.len() as u32)]).unwrap_err();
        assert!(err.to_string().contains("has no mention"), "{err}");
        assert!(s.mentions_at(&[(i64::MAX, 0)]).is_err());
        drop(s);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A database written by schema 1 (one row per mention, JSON text)
    /// opens with its mentions intact, in order, and takes new documents.
    #[test]
    fn schema_1_database_migrates_with_its_mentions() {
        let (dir, path) = crate::tests::temp_db("v1");
        let m0 = mention("d1", 0, "Army units shelled the crossing.");
        let m1 = mention("d1", 33, "Two shops were looted overnight.");
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.execute_batch(include_str!("migrations/001_init.sql"))
                .unwrap();
            conn.execute_batch("PRAGMA user_version = 1").unwrap();
            conn.execute(
                "INSERT INTO documents (id, path, text, ingested_seq) VALUES ('d1', 'd1.txt', ?1, 1)",
                ["Army units shelled the crossing. Two shops were looted overnight."],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO analyses (document_id, analysis, geo) VALUES ('d1', ?1, ?2)",
                [
                    serde_json::to_string(&Analysis::default()).unwrap(),
                    serde_json::to_string(&GeoAnalysis::default()).unwrap(),
                ],
            )
            .unwrap();
            // Inserted out of order: the migration must follow `seq`.
            for (seq, m) in [(1, &m1), (0, &m0)] {
                conn.execute(
                    "INSERT INTO event_mentions (document_id, seq, json) VALUES ('d1', ?1, ?2)",
                    rusqlite::params![seq, serde_json::to_string(m).unwrap()],
                )
                .unwrap();
            }
        }
        // Read-only, it is named as older (not "not a Sitrep database").
        let err = Store::open_read_only(&path).err().expect("older schema");
        assert!(matches!(err, StoreError::Older { found: 1, .. }), "{err}");
        let mut s = Store::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), crate::SCHEMA_VERSION);
        assert_eq!(s.event_mentions().unwrap(), vec![m0.clone(), m1.clone()]);
        assert_eq!(s.stats().unwrap().event_mentions, 2);
        assert!(s.document_view("d1").unwrap().is_some());
        let mut nd = NewDocument::bare(doc("d2", "Valley Courier", "Shelling resumed at dawn."));
        nd.mentions
            .push(mention("d2", 0, "Shelling resumed at dawn."));
        assert_eq!(s.insert_batch(&[nd]).unwrap(), 1);
        assert_eq!(s.event_mentions().unwrap().len(), 3);
        drop(s);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Schema 3 linked actors, outlets and documents to an event by its
    /// text id; schema 4 by `events.rowid`. The upgrade keeps every link
    /// on its event (rowids out of id order, so a renumbering would show)
    /// and recreates the tables' secondary indexes.
    #[test]
    fn schema_3_links_move_to_event_rowids() {
        let (dir, path) = crate::tests::temp_db("v3");
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            for (v, sql) in &crate::MIGRATIONS[..3] {
                conn.execute_batch(sql).unwrap();
                conn.execute_batch(&format!("PRAGMA user_version = {v}"))
                    .unwrap();
            }
            // Rowids deliberately out of id order.
            for (rowid, id) in [(7, "ev-b"), (3, "ev-a")] {
                conn.execute(
                    "INSERT INTO events (rowid, id, category, n_sources, disputed, confidence, summary, json)
                     VALUES (?1, ?2, 'ASSAULT', 1, 0, 0.5, 'Shelling', '{}')",
                    rusqlite::params![rowid, id],
                )
                .unwrap();
            }
            conn.execute_batch(
                "INSERT INTO event_actors VALUES ('ev-a', 'Army', 'actor'), ('ev-b', 'Militia', 'target');
                 INSERT INTO event_sources VALUES ('ev-a', 'Valley Courier'), ('ev-b', 'Hill Herald');
                 INSERT INTO event_documents VALUES ('ev-a', 'd1'), ('ev-a', 'd2'), ('ev-b', 'd2');",
            )
            .unwrap();
        }
        let s = Store::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), crate::SCHEMA_VERSION);
        let pairs = |sql: &str| -> Vec<(String, String)> {
            let mut st = s.conn().prepare(sql).unwrap();
            let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
            rows.map(|r| r.unwrap()).collect()
        };
        let via = |table: &str, col: &str| {
            pairs(&format!(
                "SELECT e.id, l.{col} FROM {table} l JOIN events e ON e.rowid = l.event_rowid ORDER BY 1, 2"
            ))
        };
        let owned = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        assert_eq!(
            via("event_actors", "name"),
            owned(&[("ev-a", "Army"), ("ev-b", "Militia")])
        );
        assert_eq!(
            via("event_sources", "outlet"),
            owned(&[("ev-a", "Valley Courier"), ("ev-b", "Hill Herald")])
        );
        assert_eq!(
            via("event_documents", "document_id"),
            owned(&[("ev-a", "d1"), ("ev-a", "d2"), ("ev-b", "d2")])
        );
        let indexes = pairs(
            "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
             AND tbl_name LIKE 'event\\_%' ESCAPE '\\' ORDER BY name",
        );
        assert_eq!(
            indexes,
            owned(&[
                ("event_actors_name", "event_actors"),
                ("event_documents_document", "event_documents"),
                ("event_sources_outlet", "event_sources"),
            ])
        );
        drop(s);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn insert_is_idempotent_and_keeps_mentions() {
        let mut s = Store::open_in_memory().unwrap();
        let m = EventMention {
            document: "d1".into(),
            outlet: Some("Valley Courier".into()),
            duplicate_of: None,
            category: Plover::Assault,
            acled: None,
            span: Span::new(0, 10),
            sentence: "Army units shelled the crossing.".into(),
            char_start: 0,
            char_end: 10,
            date: None,
            location: None,
            actors: vec![],
            equipment: vec![],
            quantities: vec![],
            fatalities: None,
            claimed_by: vec![],
            occurred: true,
            certainty: 0.7,
            coding: Coding::default(),
        };
        let mut nd = NewDocument::bare(doc(
            "d1",
            "Valley Courier",
            "Army units shelled the crossing.",
        ));
        nd.mentions.push(m.clone());
        nd.signature = Some(vec![1, 2, 3]);
        assert_eq!(s.insert_batch(&[nd.clone()]).unwrap(), 1);
        assert!(s.events_stale().unwrap());
        assert_eq!(s.insert_batch(&[nd]).unwrap(), 0);
        assert_eq!(s.document_count().unwrap(), 1);
        assert!(s.contains_document("d1").unwrap());
        assert!(!s.contains_document("d2").unwrap());
        assert_eq!(s.event_mentions().unwrap(), vec![m]);
        // A document stored without a signature still streams, with none.
        let bare = NewDocument::bare(doc("d0", "Valley Courier", "The bridge reopened."));
        assert_eq!(s.insert_batch(&[bare]).unwrap(), 1);
        let mut sigs: Vec<(String, Option<Vec<u8>>)> = Vec::new();
        s.for_each_signature(|id, sig| sigs.push((id.to_string(), sig.map(<[u8]>::to_vec))))
            .unwrap();
        assert_eq!(
            sigs,
            vec![
                ("d1".to_string(), Some(vec![1, 2, 3])),
                ("d0".to_string(), None)
            ]
        );
    }

    #[test]
    fn replace_events_replaces_and_indexes() {
        let mut s = Store::open_in_memory().unwrap();
        s.replace_events(&[event("e1", 4, 35.5, 36.6), event("e2", 2, 10.0, 10.0)])
            .unwrap();
        assert_eq!(s.event_count().unwrap(), 2);
        assert!(!s.events_stale().unwrap());
        // Export order is by date: e2 (day 2) first.
        let ids: Vec<String> = s.events().unwrap().into_iter().map(|e| e.id).collect();
        assert_eq!(ids, ["e2", "e1"]);
        let in_box: i64 = s
            .conn()
            .query_row(
                "SELECT COUNT(*) FROM events e JOIN events_rtree r ON r.id = e.rowid
                 WHERE r.min_lon <= 37 AND r.max_lon >= 36 AND r.min_lat <= 36 AND r.max_lat >= 35",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(in_box, 1);
        let fts = |s: &Store| -> i64 {
            s.conn()
                .query_row(
                    "SELECT COUNT(*) FROM events_fts WHERE events_fts MATCH 'shelled'",
                    [],
                    |r| r.get(0),
                )
                .unwrap()
        };
        assert_eq!(fts(&s), 2);
        s.replace_events(&[event("e3", 1, 35.5, 36.6), event("e3", 2, 1.0, 1.0)])
            .unwrap();
        assert_eq!(s.event_count().unwrap(), 1);
        let n_rtree: i64 = s
            .conn()
            .query_row("SELECT COUNT(*) FROM events_rtree", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n_rtree, 1);
        let n_actors: i64 = s
            .conn()
            .query_row("SELECT COUNT(*) FROM event_actors", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n_actors, 1);
        assert_eq!(fts(&s), 1);
    }

    #[test]
    fn bulk_replace_rebuilds_indexes() {
        let mut s = Store::open_in_memory().unwrap();
        let index_names = |s: &Store| -> Vec<String> {
            let mut st = s
                .conn()
                .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
                .unwrap();
            let rows = st.query_map([], |r| r.get(0)).unwrap();
            rows.map(|r| r.unwrap()).collect()
        };
        let before = index_names(&s);
        let events: Vec<Event> = (0..BULK_EVENTS + 10)
            .map(|i| {
                event(
                    &format!("e{i:05}"),
                    1 + (i % 28) as u32,
                    30.0 + (i % 10) as f64,
                    40.0,
                )
            })
            .collect();
        s.replace_events(&events).unwrap();
        assert_eq!(index_names(&s), before, "indexes restored");
        assert_eq!(s.event_count().unwrap(), events.len() as u64);
        let plan: String = s
            .conn()
            .query_row(
                "EXPLAIN QUERY PLAN SELECT id FROM events WHERE category = 'ASSAULT'",
                [],
                |r| r.get(3),
            )
            .unwrap();
        assert!(plan.contains("events_category"), "{plan}");
    }

    #[test]
    fn zones_round_trip() {
        let s = Store::open_in_memory().unwrap();
        let def = serde_json::json!({"lat": 33.5, "lon": 38.6, "radius_km": 55.0});
        s.put_zone("deconfliction zone", "circle", &def).unwrap();
        assert_eq!(
            s.zones().unwrap(),
            vec![("deconfliction zone".into(), "circle".into(), def)]
        );
    }
}
