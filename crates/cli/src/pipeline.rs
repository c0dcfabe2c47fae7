//! The ingest pipeline: files → documents → analyses → store → events.
//!
//! ```text
//! discover ─► read_file ─► prepare ─► skip stored ─► dedup ─► language ─► geo ─► events ─► store
//!  (walk)     (par, files)  (par)      (seq)          (seq)    (par ─────────────────────) (seq, 1 tx
//!                                                                                           per chunk)
//! then, once: load all event mentions ─► resolve ─► stream events into 1 tx
//! ```
//!
//! Work is done in chunks of [`Options::chunk`] documents. The stages that
//! look at one document at a time run in parallel (rayon); the ones that
//! look across documents (skipping stored ids, duplicate detection) and the
//! store writes run sequentially in input order, so the result does not
//! depend on thread timing. Each chunk is one transaction (the last one
//! reaches the writer in pieces, still committed together): a killed ingest
//! keeps every finished chunk, and a rerun skips them (ids are derived from
//! content) and completes the rest.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;
use sitrep_geo::Geoparser;
use sitrep_ingest::dedup::{DupError, DupIndex, Probe, Signature, DEFAULT_MEMORY_BUDGET};
use sitrep_ingest::{IngestError, RawItem};
use sitrep_language::Language;
use sitrep_model::{Document, Event, EventMention, PublishedBasis};
use sitrep_store::{EncodedDocument, NewDocument, Store, StoreError};

/// Errors that stop the whole ingest (as opposed to rejected inputs).
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot load the gazetteer: {0}")]
    Geo(#[from] sitrep_geo::GeoError),
    #[error("cannot load the language dictionaries: {0}")]
    Language(#[from] sitrep_language::LanguageError),
    #[error(transparent)]
    Dedup(#[from] sitrep_ingest::dedup::DupError),
}

/// The analysis engines, loaded once and shared by all threads.
pub struct Engines {
    pub language: Language,
    pub geo: Geoparser,
}

impl Engines {
    /// Built-in dictionaries and the default gazetteer, or the ones given.
    ///
    /// The gazetteer, most of the loading time, loads on one core while
    /// the other loads the actor dictionary and builds the lexicons, rules
    /// and patterns that the stages otherwise build on first use: left to
    /// the first document, those would keep every other worker waiting.
    pub fn load(gazetteer: Option<&Path>, actors: Option<&Path>) -> Result<Self, PipelineError> {
        let (gaz, language) = rayon::join(
            || match gazetteer {
                Some(p) => sitrep_geo::Gazetteer::load_from(p),
                None => sitrep_geo::Gazetteer::load_default(),
            },
            || {
                sitrep_ingest::warm_up();
                sitrep_language::warm_up();
                sitrep_events::warm_up();
                match actors {
                    Some(p) => Language::with_user_actors(p),
                    None => Ok(Language::new()),
                }
            },
        );
        // The gazetteer's error first, as when it was loaded first.
        let geo = Geoparser::new(gaz?);
        Ok(Engines {
            language: language?,
            geo,
        })
    }
}

/// Tuning knobs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Documents per parallel chunk and per store transaction.
    pub chunk: usize,
    /// Files read in parallel at a time.
    pub file_group: usize,
    /// Bytes of duplicate index held in memory; past them, it moves to
    /// files beside the database (see [`DupIndex::spill_to`]).
    pub dup_memory_budget: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            chunk: 512,
            file_group: 64,
            dup_memory_budget: DEFAULT_MEMORY_BUDGET,
        }
    }
}

/// An input (file or item of a file) that was not stored, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    pub path: String,
    pub reason: String,
}

/// What an ingest did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub files: u64,
    /// Articles read (stored, skipped or rejected after reading).
    pub items: u64,
    /// Newly stored documents.
    pub stored: u64,
    /// Documents already in the store (or twice in the input).
    pub skipped: u64,
    /// Newly stored documents that are copies of another (`duplicate_of`).
    pub duplicates: u64,
    pub rejected: Vec<Rejected>,
    /// Whether events were recomputed, and how many there are now.
    pub resolved: bool,
    pub events: u64,
    /// Bytes of input files read.
    pub bytes: u64,
    pub seconds: f64,
}

/// Progress callbacks (the binary draws a bar; tests pass a no-op).
pub trait Progress: Sync {
    /// Total number of input files, once known.
    fn files(&self, _total: u64) {}
    /// `n` more files read; `stored` documents stored so far.
    fn advance(&self, _n: u64, _stored: u64) {}
    /// A phase message ("resolving events").
    fn phase(&self, _msg: &str) {}
}

/// No progress output.
pub struct Silent;
impl Progress for Silent {}

fn from_ingest(e: &IngestError) -> Rejected {
    // IngestError's message already starts with the path; keep the reason
    // separately so callers can print "path: reason" once.
    let path = e.path().to_string();
    let msg = e.to_string();
    let reason = msg
        .strip_prefix(&format!("{path}: "))
        .unwrap_or(&msg)
        .to_string();
    Rejected { path, reason }
}

fn panic_reason(p: Box<dyn std::any::Any + Send>) -> String {
    let msg = p
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown".into());
    format!("internal error while processing (please report): {msg}")
}

/// Ingests `paths` (files or folders) into `store`, then recomputes the
/// events if anything was added (or a previous run was interrupted before
/// it could). Rejected inputs are listed in the report; only store and
/// setup failures are errors.
///
/// Store writes run on their own thread, one chunk behind the analysis, so
/// the sequential part (SQLite) overlaps with the parallel part.
pub fn ingest(
    store: &mut Store,
    engines: &Engines,
    paths: &[PathBuf],
    opts: &Options,
    progress: &dyn Progress,
) -> Result<Report, PipelineError> {
    let stored = store_documents(store, engines, paths, opts, progress)?;
    finish(store, stored, progress)
}

/// [`ingest`], freeing the engines once the documents are stored:
/// resolution, near the memory peak, does not need them (the gazetteer
/// and dictionaries, about 70 MiB).
pub fn ingest_owned(
    store: &mut Store,
    engines: Engines,
    paths: &[PathBuf],
    opts: &Options,
    progress: &dyn Progress,
) -> Result<Report, PipelineError> {
    let stored = store_documents(store, &engines, paths, opts, progress)?;
    drop(engines);
    finish(store, stored, progress)
}

/// An ingest whose documents are stored, before resolution.
struct Stored {
    report: Report,
    run_id: i64,
    t0: Instant,
}

/// The documents part of [`ingest`]: read, analyse, store.
fn store_documents(
    store: &mut Store,
    engines: &Engines,
    paths: &[PathBuf],
    opts: &Options,
    progress: &dyn Progress,
) -> Result<Stored, PipelineError> {
    let t0 = Instant::now();
    let mut report = Report::default();
    let (files, errors) = sitrep_ingest::discover(paths);
    report.rejected.extend(errors.iter().map(from_ingest));
    report.files = files.len() as u64;
    progress.files(report.files);

    let inputs: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let run_id = store.begin_run(&now_rfc3339(), &inputs)?;
    drop(inputs);
    // The duplicate index also knows every stored id, which is how known
    // documents are skipped. Sized once for the store and these files (at
    // least one document each): grown by doubling, it would hold two
    // copies of itself at the largest step.
    let mut dups = DupIndex::new();
    if let Some(dir) = scratch_dir(store) {
        dups.spill_to(&dir, opts.dup_memory_budget)?;
    }
    dups.reserve(store.document_count()? as usize + files.len())?;
    let mut rebuilt: Result<(), DupError> = Ok(());
    store.for_each_signature(|id, bytes| {
        // A missing signature, or one from an older, incompatible format,
        // is empty: that document is known but cannot be matched as an
        // original.
        let sig = bytes
            .and_then(|b| Signature::from_bytes(b).ok())
            .unwrap_or_else(|| Signature::of(""));
        if rebuilt.is_ok() {
            rebuilt = dups.insert(id, sig).map(drop);
        }
    })?;
    rebuilt?;

    let stored = AtomicU64::new(0);
    let mut failed: Option<DupError> = None;
    let (to_writer, from_reader) = std::sync::mpsc::sync_channel::<Piece>(1);
    let writer_store: &mut Store = &mut *store;
    let written: Result<(), StoreError> = std::thread::scope(|scope| {
        let stored = &stored;
        let writer = scope.spawn(move || -> Result<(), StoreError> {
            let mut pieces = from_reader.into_iter().peekable();
            // One transaction per chunk, whatever the pieces it comes in.
            while pieces.peek().is_some() {
                let mut tx = writer_store.document_writer()?;
                let mut complete = false;
                for piece in pieces.by_ref() {
                    tx.insert(&piece.docs)?;
                    if piece.ends_chunk {
                        complete = true;
                        break;
                    }
                }
                // A chunk cut short (the reading side stopped) is rolled
                // back whole, as if none of it had been analysed.
                if complete {
                    let n = tx.commit()?;
                    stored.fetch_add(n as u64, Ordering::Relaxed);
                }
            }
            Ok(())
        });
        let chunk = opts.chunk.max(1);
        let mut pending: Vec<RawItem> = Vec::with_capacity(chunk * 2);
        let failed = &mut failed;
        let send = |piece: Piece| to_writer.send(piece).is_ok();
        'files: for group in files.chunks(opts.file_group.max(1)) {
            for (size, r) in read_group(group) {
                report.bytes += size;
                match r {
                    Ok(items) => {
                        for it in items {
                            match it {
                                Ok(item) => pending.push(item),
                                Err(e) => report.rejected.push(from_ingest(&e)),
                            }
                        }
                    }
                    Err(rej) => report.rejected.push(rej),
                }
            }
            while pending.len() >= chunk {
                let rest = pending.split_off(chunk);
                let items = std::mem::replace(&mut pending, rest);
                // A failed send means the writer stopped on an error, which
                // joining it below reports.
                match process_chunk(engines, items, &mut dups, &mut report, 1, &send) {
                    Ok(true) => {}
                    Ok(false) => break 'files,
                    Err(e) => {
                        *failed = Some(e);
                        break 'files;
                    }
                }
            }
            progress.advance(group.len() as u64, stored.load(Ordering::Relaxed));
        }
        if !pending.is_empty() && failed.is_none() {
            let items = std::mem::take(&mut pending);
            if let Err(e) =
                process_chunk(engines, items, &mut dups, &mut report, LAST_PIECES, &send)
            {
                *failed = Some(e);
            }
        }
        drop(to_writer);
        match writer.join() {
            Ok(r) => r,
            Err(p) => std::panic::resume_unwind(p),
        }
    });
    written?;
    // The chunks stored before the index failed stay stored.
    if let Some(e) = failed {
        return Err(e.into());
    }
    // Resolution is near the memory peak: the ingest's index and its list of
    // files (about 100 bytes a file: 95 MiB for a folder of a million
    // articles) go first.
    drop(dups);
    drop(files);
    report.stored = stored.load(Ordering::Relaxed);
    progress.advance(0, report.stored);
    Ok(Stored { report, run_id, t0 })
}

/// Where a stage's scratch files go: beside the database, a disk known to
/// hold the store, where the system's temporary folder may be small or in
/// memory. None for a store in memory.
fn scratch_dir(store: &Store) -> Option<PathBuf> {
    let dir = store.path()?.parent()?;
    Some(if dir.as_os_str().is_empty() {
        ".".into()
    } else {
        dir.to_path_buf()
    })
}

/// The end of [`ingest`]: resolution, if anything changed, and the run log.
fn finish(
    store: &mut Store,
    stored: Stored,
    progress: &dyn Progress,
) -> Result<Report, PipelineError> {
    let Stored {
        mut report,
        run_id,
        t0,
    } = stored;
    if store.events_stale()? {
        progress.phase("resolving events");
        resolve_events(store)?;
        report.resolved = true;
    }
    report.events = store.event_count()?;
    report.seconds = t0.elapsed().as_secs_f64();
    store.finish_run(
        run_id,
        &now_rfc3339(),
        report.stored,
        report.skipped,
        report.rejected.len() as u64,
    )?;
    Ok(report)
}

/// Recomputes all events from the stored mentions and replaces them in one
/// transaction; returns how many events there are.
///
/// Resolution reads the mentions from the store (a compact summary of each
/// in memory, the full mentions again per slice of events) and events
/// stream into the replacing transaction: neither all mentions nor all
/// events are ever in memory at once.
pub fn resolve_events(store: &Store) -> Result<u64, PipelineError> {
    // Resolution is near the process's memory peak: what earlier work
    // left cached or freed goes back first. Best effort: a cache that stays
    // costs memory, not results.
    if let Err(e) = store.release_memory() {
        tracing::warn!(error = %e, "could not release the store's page cache");
    }
    resolve_events_keeping(store, KEEP_MENTIONS)
}

/// [`resolve_events`], keeping the scanned mentions in memory only up to
/// `keep` of them.
fn resolve_events_keeping(store: &Store, keep: u64) -> Result<u64, PipelineError> {
    let t = Instant::now();
    // A second connection lets resolution read on its own thread while this
    // one writes (WAL: the reader sees the last commit, which the writer's
    // open transaction does not change for the tables it reads).
    let reader = match store.path() {
        Some(p) => Some(Store::open_read_only(p)?),
        None => None,
    };
    let mentions = store.mention_count()?;
    let mut writer = store.events_writer(mentions as usize)?;
    // Freed memory goes back to the system at once while resolution scans
    // and clusters, where its peak was. Once events flow, clustering is
    // over and the allocator's delay returns: building reads each slice's
    // mentions back, allocating and freeing tens of MiB a slice, and
    // handing those pages back at once cost it a quarter of its time at
    // 1M. Made here, before the resolver starts; dropped by the first
    // event, while the writer waits for it.
    let mut prompt = Some(crate::PromptRelease::start());
    match reader {
        Some(reader) => {
            let (to_writer, from_resolver) = std::sync::mpsc::sync_channel::<Vec<Event>>(2);
            std::thread::scope(|scope| -> Result<(), PipelineError> {
                let resolver = std::thread::Builder::new()
                    .name("resolve".into())
                    .spawn_scoped(scope, move || -> Result<(), StoreError> {
                        let mut source = StoreMentions::new(&reader, mentions, keep);
                        let mut buf: Vec<Event> = Vec::with_capacity(SEND_EVENTS);
                        // A failed send means the writer stopped on an error,
                        // which it reports.
                        sitrep_resolve::resolve_from(&mut source, |e| {
                            prompt.take();
                            buf.push(e);
                            if buf.len() >= SEND_EVENTS {
                                let _ = to_writer.send(std::mem::take(&mut buf));
                            }
                        })?;
                        let _ = to_writer.send(buf);
                        Ok(())
                    })
                    .map_err(StoreError::Io)?;
                let mut written: Result<(), StoreError> = Ok(());
                'recv: for chunk in from_resolver {
                    for e in chunk {
                        written = writer.push(e);
                        if written.is_err() {
                            break 'recv;
                        }
                    }
                }
                let resolved = match resolver.join() {
                    Ok(r) => r,
                    Err(p) => std::panic::resume_unwind(p),
                };
                written?;
                resolved?;
                Ok(())
            })?;
        }
        None => {
            let mut failed: Option<StoreError> = None;
            let mut source = StoreMentions::new(store, mentions, keep);
            sitrep_resolve::resolve_from(&mut source, |e| {
                prompt.take();
                if failed.is_none() {
                    if let Err(err) = writer.push(e) {
                        failed = Some(err);
                    }
                }
            })?;
            // No event at all: the delay returns before the commit.
            prompt.take();
            if let Some(err) = failed {
                return Err(err.into());
            }
        }
    }
    let n_events = writer.written();
    writer.finish()?;
    tracing::info!(
        events = n_events,
        ms = t.elapsed().as_millis() as u64,
        "resolved events"
    );
    Ok(n_events)
}

/// Events handed from the resolution thread to the writer at a time.
const SEND_EVENTS: usize = 1024;

/// Resolution's view of the store's event mentions.
struct StoreMentions<'a> {
    store: &'a Store,
    /// Row key of each document, in scan order.
    keys: Vec<i64>,
    /// Every document's mentions, kept from the scan when there are few
    /// enough (see [`KEEP_MENTIONS`]): reading them back costs more time
    /// than holding them costs memory.
    kept: Option<Vec<Vec<EventMention>>>,
}

/// Up to this many mentions (about 1 KB each in memory) resolution keeps
/// them from its scan instead of reading them back from the store.
const KEEP_MENTIONS: u64 = 200_000;

impl<'a> StoreMentions<'a> {
    fn new(store: &'a Store, mentions: u64, keep: u64) -> Self {
        StoreMentions {
            store,
            keys: Vec::new(),
            kept: (mentions <= keep).then(Vec::new),
        }
    }
}

impl sitrep_resolve::MentionSource for StoreMentions<'_> {
    type Error = StoreError;
    fn spill(&self) -> Option<sitrep_resolve::Spill<StoreError>> {
        Some(sitrep_resolve::Spill {
            dir: scratch_dir(self.store)?,
            error: StoreError::Io,
        })
    }
    fn scan(
        &mut self,
        prepare: &(dyn Fn(&[&EventMention]) -> sitrep_resolve::PreparedDoc + Sync),
        f: &mut dyn FnMut(sitrep_resolve::PreparedDoc),
    ) -> Result<(), StoreError> {
        self.keys.clear();
        let keys = &mut self.keys;
        let kept = &mut self.kept;
        let keep = kept.is_some();
        if let Some(k) = kept.as_mut() {
            k.clear();
        }
        self.store.scan_mentions(
            |ms| {
                let refs: Vec<&EventMention> = ms.iter().collect();
                let p = prepare(&refs);
                (p, keep.then_some(ms))
            },
            |key, (p, ms)| {
                keys.push(key);
                f(p);
                if let (Some(k), Some(ms)) = (kept.as_mut(), ms) {
                    k.push(ms);
                }
                Ok(())
            },
        )
    }
    fn fetch(
        &mut self,
        wanted: &[(u32, u32)],
        f: &mut dyn FnMut(&[&EventMention]),
    ) -> Result<(), StoreError> {
        if let Some(kept) = &self.kept {
            let refs = wanted
                .iter()
                .map(|&(d, i)| {
                    kept.get(d as usize)
                        .and_then(|ms| ms.get(i as usize))
                        .ok_or_else(|| StoreError::Corrupt(format!("no mention {d}/{i}")))
                })
                .collect::<Result<Vec<&EventMention>, _>>()?;
            f(&refs);
            return Ok(());
        }
        let keyed: Vec<(i64, u32)> = wanted
            .iter()
            .map(|&(d, i)| (self.keys.get(d as usize).copied().unwrap_or(-1), i))
            .collect();
        let owned = self.store.mentions_at(&keyed)?;
        let refs: Vec<&EventMention> = owned.iter().collect();
        f(&refs);
        Ok(())
    }
}

/// The current UTC time for the ingest log (never exported).
fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

type ReadResult = (u64, Result<Vec<Result<RawItem, IngestError>>, Rejected>);

/// Reads a group of files in parallel; results in the order given, each
/// with the file's size.
fn read_group(group: &[PathBuf]) -> Vec<ReadResult> {
    group
        .par_iter()
        .map(|f| {
            let size = std::fs::metadata(f).map(|m| m.len()).unwrap_or(0);
            let r = match catch_unwind(AssertUnwindSafe(|| sitrep_ingest::read_file(f))) {
                Ok(Ok(items)) => Ok(items),
                Ok(Err(e)) => Err(from_ingest(&e)),
                Err(p) => Err(Rejected {
                    path: f.display().to_string(),
                    reason: panic_reason(p),
                }),
            };
            (size, r)
        })
        .collect()
}

/// The last chunk's analysed documents go to the writer in this many
/// pieces: the writing of earlier chunks overlaps the analysis of the next,
/// but nothing overlaps the last one's, and resolution waits for it.
const LAST_PIECES: usize = 4;

/// Analysed documents on their way to the writer: a chunk, or a piece of
/// one. The writer commits a chunk's pieces as one transaction, so a killed
/// ingest keeps whole chunks only (a rerun then analyses the rest of the
/// input in the same chunks, with the same date hints).
struct Piece {
    docs: Vec<EncodedDocument>,
    ends_chunk: bool,
}

/// One chunk: prepare and search earlier chunks for originals in parallel,
/// skip known ids and search the chunk itself in order, analyse in
/// parallel, and `send` the documents to store, in input order, in
/// `pieces` parts (each analysed in parallel and sent before the next is
/// analysed, so the writer starts on it). False when a send failed; an
/// error when the duplicate index's files did.
fn process_chunk(
    engines: &Engines,
    items: Vec<RawItem>,
    dups: &mut DupIndex,
    report: &mut Report,
    pieces: usize,
    send: &dyn Fn(Piece) -> bool,
) -> Result<bool, DupError> {
    report.items += items.len() as u64;
    // On disk, the previous chunk's entries are written out first, which
    // bounds what the index holds in memory and leaves it only this chunk's
    // to search in order (without reads, unless one of them stated its
    // original and was filed without counts from disk).
    dups.flush()?;
    // Each document's original is looked for among the documents indexed
    // before this chunk here, on all cores; the sequential pass below
    // compares it only with this chunk's earlier documents, when none
    // matched (see `DupIndex::find_from`: the verdicts are those of a
    // search in turn).
    let before = dups.len();
    let index: &DupIndex = dups;
    type Prepared = (Document, Signature, Result<Probe, DupError>);
    let prepared: Vec<Result<Prepared, Rejected>> = items
        .into_par_iter()
        .map(|item| {
            let source = item.source.clone();
            match catch_unwind(AssertUnwindSafe(|| sitrep_ingest::prepare(item))) {
                Ok(Ok(doc)) => {
                    let sig = Signature::of(&doc.text);
                    // A known id is skipped below, and a stated original
                    // needs no search.
                    let probe = if doc.duplicate_of.is_some() || index.contains(&doc.id) {
                        Ok(Probe::default())
                    } else {
                        index.probe(&sig)
                    };
                    Ok((doc, sig, probe))
                }
                Ok(Err(e)) => Err(from_ingest(&e)),
                Err(p) => Err(Rejected {
                    path: source,
                    reason: panic_reason(p),
                }),
            }
        })
        .collect();

    // Sequential, in input order: which documents are new, and which are
    // copies of an earlier one. Order matters for `duplicate_of`.
    let mut fresh: Vec<(Document, Signature)> = Vec::with_capacity(prepared.len());
    for p in prepared {
        match p {
            Ok((mut doc, sig, probe)) => {
                if dups.contains(&doc.id) {
                    report.skipped += 1;
                    continue;
                }
                let probe = probe?;
                if doc.duplicate_of.is_none() {
                    doc.duplicate_of = match &probe.original {
                        Some((orig, _)) => Some(orig.clone()),
                        None => dups.find_from(&sig, before)?.map(|(orig, _)| orig),
                    };
                }
                dups.insert_probed(&doc.id, sig.clone(), &probe)?;
                fresh.push((doc, sig));
            }
            Err(r) => report.rejected.push(r),
        }
    }

    // Documents that state no year are dated relative to the others of
    // their chunk (chunks follow input order, so this stays deterministic;
    // the hint is the whole chunk's, whatever the pieces).
    let hint = engines.language.date_hint(fresh.iter().map(|(d, _)| d));
    let per_piece = fresh.len().div_ceil(pieces.max(1)).max(1);
    let mut fresh = fresh.into_iter();
    loop {
        let piece: Vec<(Document, Signature)> = fresh.by_ref().take(per_piece).collect();
        if piece.is_empty() {
            return Ok(true);
        }
        let piece = Piece {
            docs: analyse_piece(engines, piece, hint, report),
            ends_chunk: fresh.len() == 0,
        };
        if !send(piece) {
            return Ok(false);
        }
    }
}

/// The per-document stages over a piece of a chunk, in parallel; what
/// fails is reported and left out.
fn analyse_piece(
    engines: &Engines,
    piece: Vec<(Document, Signature)>,
    hint: Option<chrono::NaiveDate>,
    report: &mut Report,
) -> Vec<EncodedDocument> {
    let analysed: Vec<Result<EncodedDocument, Rejected>> = piece
        .into_par_iter()
        .map(|(doc, sig)| {
            let path = doc.path.clone();
            match catch_unwind(AssertUnwindSafe(|| {
                analyse(engines, doc, sig, hint).encode()
            })) {
                Ok(Ok(ed)) => Ok(ed),
                Ok(Err(e)) => Err(Rejected {
                    path,
                    reason: format!("cannot encode the analysis: {e}"),
                }),
                Err(p) => Err(Rejected {
                    path,
                    reason: panic_reason(p),
                }),
            }
        })
        .collect();
    let mut batch = Vec::with_capacity(analysed.len());
    for a in analysed {
        match a {
            Ok(nd) => batch.push(nd),
            Err(r) => report.rejected.push(r),
        }
    }
    report.duplicates += batch
        .iter()
        .filter(|b| b.document.duplicate_of.is_some())
        .count() as u64;
    batch
}

/// The per-document stages: language, geo, events.
fn analyse(
    engines: &Engines,
    mut doc: Document,
    sig: Signature,
    hint: Option<chrono::NaiveDate>,
) -> NewDocument {
    let analysis = engines.language.analyze_with_hint(&doc, hint);
    // A date the language layer inferred from the text stands in for a
    // missing publication date, marked as inferred.
    if doc.published.is_none() {
        if let Some(d) = analysis.doc_date {
            doc.published = Some(d);
            doc.published_basis = Some(match analysis.doc_date_basis {
                Some(b @ (PublishedBasis::Text | PublishedBasis::Metadata)) => b,
                _ => PublishedBasis::Inferred,
            });
            doc.published_range = analysis.doc_date_range;
        }
    }
    let geo = engines.geo.analyze(&doc, Some(&analysis));
    let mentions = sitrep_events::extract(&doc, &analysis, &geo);
    NewDocument {
        signature: Some(sig.to_bytes()),
        document: doc,
        analysis,
        geo,
        mentions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Events in the order `sitrep_resolve::resolve` returns them (the
    /// store's export order puts undated events last).
    fn in_resolve_order(mut events: Vec<Event>) -> Vec<Event> {
        sitrep_resolve::sort_events(&mut events);
        events
    }

    /// A later ingest into the same store skips the documents it holds
    /// (the duplicate index, seeded from the store, is also the set of
    /// known ids) and finds the stored original of a re-posted story.
    #[test]
    fn a_later_ingest_knows_stored_documents_and_their_originals() {
        let dir = std::env::temp_dir().join(format!("sitrep-reingest-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (first, second) = (dir.join("first"), dir.join("second"));
        std::fs::create_dir_all(&first).unwrap();
        std::fs::create_dir_all(&second).unwrap();
        let water = "Engineers restored the pumping station on the east bank of the river on \
                     Sunday, two days after a mortar round cut its power line. The district \
                     council said tankers would keep serving the northern quarters until the \
                     pressure in the mains returned to normal.";
        let market = "A car bomb exploded near the vegetable market in the old town on Friday \
                      morning, killing four people and wounding eleven, according to the \
                      provincial health office. No group said it was behind the attack.";
        let harvest = "Farmers in the southern plain began the barley harvest early this year \
                       because of the dry spring, and the grain board raised its purchase \
                       price by a tenth to keep the silos supplied.";
        std::fs::write(first.join("water.txt"), water).unwrap();
        std::fs::write(first.join("market.txt"), market).unwrap();
        std::fs::write(second.join("water-again.txt"), water).unwrap();
        let repost = format!("{market} The report was shared by a regional news site.");
        std::fs::write(second.join("market-repost.txt"), repost).unwrap();
        std::fs::write(second.join("harvest.txt"), harvest).unwrap();
        let mut store = Store::open(dir.join("t.db")).unwrap();
        let engines = Engines::load(None, None).unwrap();
        let opts = Options {
            chunk: 64,
            file_group: 16,
            ..Options::default()
        };
        let r1 = ingest(
            &mut store,
            &engines,
            std::slice::from_ref(&first),
            &opts,
            &Silent,
        )
        .unwrap();
        assert_eq!((r1.stored, r1.duplicates), (2, 0));
        let ids = |store: &Store| -> Vec<(String, String, Option<String>)> {
            let mut v: Vec<_> = store
                .list_documents(None, None, 100, 0)
                .unwrap()
                .items
                .into_iter()
                .map(|d| (d.path, d.id, d.duplicate_of))
                .collect();
            v.sort();
            v
        };
        let before = ids(&store);
        let market_id = before
            .iter()
            .find(|d| d.0.ends_with("market.txt"))
            .map(|d| d.1.clone());
        assert!(market_id.is_some());
        let r2 = ingest(&mut store, &engines, &[second], &opts, &Silent).unwrap();
        assert_eq!((r2.stored, r2.skipped, r2.duplicates), (2, 1, 1));
        let after = ids(&store);
        let repost = after.iter().find(|d| d.0.ends_with("market-repost.txt"));
        assert_eq!(repost.and_then(|d| d.2.clone()), market_id);
        let fresh = after.iter().find(|d| d.0.ends_with("harvest.txt"));
        assert_eq!(fresh.map(|d| d.2.is_none()), Some(true));
        // Again: everything is known now, the documents stored in the first
        // run included.
        let r3 = ingest(&mut store, &engines, &[first], &opts, &Silent).unwrap();
        assert_eq!((r3.stored, r3.skipped), (0, 2));
        assert_eq!(ids(&store).len(), 4);
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The last chunk goes to the writer in pieces, but its documents are
    /// still dated against the whole chunk: year-less reports that sort
    /// into pieces of their own get the year the chunk's dated reports
    /// give, as in one piece.
    #[test]
    fn the_last_chunks_pieces_share_its_date_hint() {
        let dir = std::env::temp_dir().join(format!("sitrep-pieces-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let input = dir.join("in");
        std::fs::create_dir_all(&input).unwrap();
        let places = ["Raqqa", "Homs", "Idlib", "Hama"];
        for (i, place) in places.iter().enumerate() {
            std::fs::write(
                input.join(format!("a{i}.txt")),
                format!(
                    "Posted on May 20, 2017\n\nThe water board in {place} said on Saturday that \
                     repairs to the main pumping station would take another week, and that \
                     tankers would serve the eastern districts until then."
                ),
            )
            .unwrap();
            std::fs::write(
                input.join(format!("b{i}.txt")),
                format!(
                    "On Thursday, June 8, shelling hit the grain depot on the edge of {place}, \
                     local officials said, and two workers were wounded. Farmers said the \
                     depot held most of the district's seed for the autumn."
                ),
            )
            .unwrap();
        }
        let mut store = Store::open(dir.join("t.db")).unwrap();
        let engines = Engines::load(None, None).unwrap();
        let r = ingest(&mut store, &engines, &[input], &Options::default(), &Silent).unwrap();
        // Eight documents, one (last) chunk in pieces of two: the dated ones
        // in the first two pieces, the year-less ones in the last two (a
        // hint of their own pieces would leave them undated).
        assert_eq!(r.stored, 8);
        let docs = store.list_documents(None, None, 100, 0).unwrap().items;
        assert_eq!(docs.len(), 8);
        for d in &docs {
            // The year-less ones are dated from their text ("On Thursday,
            // June 8"), in the year the hint gives.
            let published = d.published.as_deref().unwrap_or("none");
            assert!(published.starts_with("2017-0"), "{}: {published}", d.path);
        }
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Originals are found the same whatever the chunk size: a chunk's
    /// documents look among earlier chunks in parallel and among their own
    /// chunk in order, which must agree with one document at a time.
    #[test]
    fn chunking_does_not_change_which_document_is_the_original() {
        let dir = std::env::temp_dir().join(format!("sitrep-dup-chunks-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let synth = dir.join("synth");
        crate::synth::write_corpus(&synth, 40, 5, false, 8).unwrap();
        let (files, errors) = sitrep_ingest::discover(&[synth]);
        assert!(errors.is_empty());
        let texts: Vec<String> = files
            .iter()
            .map(|f| std::fs::read_to_string(f).unwrap())
            .collect();
        // Each story in input order, and re-posts of some: right after
        // the original (the same chunk of 8), a chunk or more later, and a
        // story re-posted twice in one later chunk, whose second re-post
        // must still name the first original, not the first re-post.
        let corpus = dir.join("corpus");
        std::fs::create_dir_all(&corpus).unwrap();
        let repost = |i: usize, site: &str| format!("Shared from {site}.\n\n{}", texts[i]);
        let mut files: Vec<String> = Vec::new();
        for (i, t) in texts.iter().enumerate() {
            files.push(t.clone());
            if i % 5 == 0 {
                files.push(repost(i, "the valley courier"));
            }
            if i % 7 == 3 && i >= 7 {
                files.push(repost(i - 7, "a regional portal"));
                files.push(repost(i - 7, "another news site"));
            }
        }
        for (k, f) in files.iter().enumerate() {
            std::fs::write(corpus.join(format!("{k:04}.txt")), f).unwrap();
        }
        let engines = Engines::load(None, None).unwrap();
        let mut paths: Vec<PathBuf> = (0..files.len())
            .map(|k| corpus.join(format!("{k:04}.txt")))
            .collect();
        // `in_two`: the second half ingested into the store of the first,
        // whose index is rebuilt from the stored signatures.
        let originals = |chunk: usize, budget: usize, in_two: bool| {
            let db = dir.join(format!("c{chunk}-{budget}-{in_two}.db"));
            let mut store = Store::open(&db).unwrap();
            let opts = Options {
                chunk,
                file_group: 16,
                dup_memory_budget: budget,
            };
            let halves = if in_two {
                paths.split_at(paths.len() / 2)
            } else {
                (&paths[..], &[][..])
            };
            let mut r = ingest(&mut store, &engines, halves.0, &opts, &Silent).unwrap();
            if !halves.1.is_empty() {
                let second = ingest(&mut store, &engines, halves.1, &opts, &Silent).unwrap();
                r.duplicates += second.duplicates;
            }
            let mut v: Vec<(String, Option<String>)> = store
                .list_documents(None, None, 1000, 0)
                .unwrap()
                .items
                .into_iter()
                .map(|d| (d.path, d.duplicate_of))
                .collect();
            v.sort();
            (r.duplicates, v)
        };
        let (n, one_at_a_time) = originals(1, DEFAULT_MEMORY_BUDGET, false);
        assert!(n >= 14, "{n} re-posts found");
        // On disk too (a budget of nothing), and resumed.
        for (chunk, budget, in_two) in [
            (3, DEFAULT_MEMORY_BUDGET, false),
            (8, DEFAULT_MEMORY_BUDGET, false),
            (512, DEFAULT_MEMORY_BUDGET, false),
            (1, 0, false),
            (8, 0, false),
            (512, 0, false),
            (8, 0, true),
            (8, DEFAULT_MEMORY_BUDGET, true),
        ] {
            assert_eq!(
                originals(chunk, budget, in_two),
                (n, one_at_a_time.clone()),
                "chunks of {chunk}, budget {budget}, in two: {in_two}"
            );
        }
        // Nothing is left beside the databases but the databases.
        for e in std::fs::read_dir(&dir).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            assert!(!name.starts_with(".sitrep-"), "{name} left behind");
        }
        paths.clear();
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Resolution over the store (compact summaries, mentions kept or
    /// fetched back per slice, events streamed) gives exactly what
    /// resolving the same mentions in memory gives.
    #[test]
    fn store_resolution_equals_in_memory_resolution() {
        let dir = std::env::temp_dir().join(format!("sitrep-resolve-eq-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let corpus = dir.join("corpus");
        crate::synth::write_corpus(&corpus, 300, 11, false, 8).unwrap();
        let mut store = Store::open(dir.join("t.db")).unwrap();
        let engines = Engines::load(None, None).unwrap();
        let report = ingest(
            &mut store,
            &engines,
            &[corpus],
            &Options {
                chunk: 64,
                file_group: 16,
                ..Options::default()
            },
            &Silent,
        )
        .unwrap();
        assert_eq!(report.stored, 300);
        let mentions = store.event_mentions().unwrap();
        assert!(mentions.len() > 300, "{} mentions", mentions.len());
        let expected = sitrep_resolve::resolve(&mentions);
        let stored = in_resolve_order(store.events().unwrap());
        assert!(expected.iter().any(|e| e.mentions.len() > 1));
        assert_eq!(stored.len(), expected.len());
        assert_eq!(stored, expected);
        // Again, reading the mentions back from the store instead of
        // keeping them (the path of large stores).
        resolve_events_keeping(&store, 0).unwrap();
        let again = in_resolve_order(store.events().unwrap());
        assert_eq!(again, expected);
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
