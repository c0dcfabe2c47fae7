//! The measured runs, each in its own process (`sitrep-bench child ...`).
//! Each prints one JSON line on stdout; progress goes to stderr.
//!
//! - `e2e`: the real `sitrep::pipeline::ingest` into a fresh database.
//! - `stages`: the same stage functions called one stage at a time per
//!   chunk, so each stage gets its own time and peak RSS. It mirrors the
//!   pipeline's order (read → prepare → dedup → language → geo → events →
//!   store, then resolve once) but not its exact overlap of work.
//! - `gold`: Sitrep's predictions and scores on the gold paragraphs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use clap::Subcommand;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sitrep::pipeline::{self, Engines, Options, Progress};
use sitrep_ingest::dedup::{DupError, DupIndex, Probe, Signature, DEFAULT_MEMORY_BUDGET};
use sitrep_model::{Analysis, Document, EntityKind, EventMention, GeoAnalysis, PublishedBasis};
use sitrep_store::{NewDocument, Store};

use crate::gold::{self, PredPlace, PredSpan, Prediction, Scores};
use crate::measure::{peak_kb, reset_peak, rss_kb, self_cpu_s, BenchError};

#[derive(Subcommand, Debug)]
pub enum What {
    /// The whole pipeline (`sitrep ingest`), then resolution.
    E2e {
        #[command(flatten)]
        input: Input,
        #[arg(long)]
        db: PathBuf,
    },
    /// Stage by stage, each timed and its peak RSS taken.
    Stages {
        #[command(flatten)]
        input: Input,
        #[arg(long)]
        db: PathBuf,
    },
    /// Sitrep on the gold paragraphs: scores, and predictions if asked.
    Gold {
        #[arg(long)]
        gold: PathBuf,
        #[arg(long)]
        predictions: Option<PathBuf>,
    },
}

#[derive(clap::Args, Debug)]
pub struct Input {
    /// Files or folders to read.
    #[arg(long = "input")]
    paths: Vec<PathBuf>,
    /// A file listing input paths, one per line.
    #[arg(long)]
    list: Option<PathBuf>,
}

impl Input {
    fn paths(&self) -> Result<Vec<PathBuf>, BenchError> {
        let mut out = self.paths.clone();
        if let Some(l) = &self.list {
            let s = std::fs::read_to_string(l)
                .map_err(BenchError::io(format!("reading {}", l.display())))?;
            out.extend(
                s.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(PathBuf::from),
            );
        }
        Ok(out)
    }
}

/// Result of an end-to-end run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct E2eResult {
    /// Loading dictionaries and the gazetteer.
    pub load_s: f64,
    pub files: u64,
    pub items: u64,
    pub stored: u64,
    pub duplicates: u64,
    pub rejected: u64,
    pub events: u64,
    /// Input bytes read.
    pub bytes: u64,
    /// The ingest call: reading through storing, plus resolution.
    pub seconds: f64,
    /// Of which cross-document resolution (loading mentions, resolving,
    /// replacing events).
    pub resolve_s: f64,
    pub db_bytes: u64,
    /// CPU seconds (all threads) of the ingest call.
    #[serde(default)]
    pub cpu_s: f64,
}

/// One stage's totals over a run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StageStat {
    pub name: String,
    pub secs: f64,
    /// Documents (for resolve: event mentions) the stage processed.
    pub items: u64,
    /// Bytes the stage consumed: input files for read+prepare, cleaned
    /// text for the others.
    pub bytes: u64,
    /// Peak RSS of the process while this stage ran (VmHWM reset before
    /// each call), including what earlier stages keep resident.
    pub peak_kb: u64,
    /// CPU seconds of all threads while this stage ran.
    #[serde(default)]
    pub cpu_s: f64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StagesResult {
    pub load_s: f64,
    /// RSS once the engines are loaded.
    pub load_rss_kb: u64,
    pub peak_reset_supported: bool,
    pub stages: Vec<StageStat>,
    pub mentions: u64,
    pub events: u64,
    /// Reading mentions, resolving and writing events (interleaved).
    pub resolve_s: f64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GoldResult {
    pub scores: Scores,
}

pub fn main(what: What) -> Result<(), BenchError> {
    let line = match what {
        What::E2e { input, db } => serde_json::to_string(&e2e(&input.paths()?, &db)?),
        What::Stages { input, db } => serde_json::to_string(&stages(&input.paths()?, &db)?),
        What::Gold { gold, predictions } => {
            serde_json::to_string(&gold_run(&gold, predictions.as_deref())?)
        }
    }
    .map_err(BenchError::json("child result"))?;
    println!("{line}");
    Ok(())
}

/// Progress on stderr every ~10 % of the files, and the moment resolution starts.
struct Reporter {
    total: AtomicU64,
    done: AtomicU64,
    step: AtomicU64,
    t0: Instant,
    resolve_at: Mutex<Option<Instant>>,
}

impl Progress for Reporter {
    fn files(&self, total: u64) {
        self.total.store(total, Ordering::Relaxed);
        self.step.store((total / 10).max(1), Ordering::Relaxed);
    }
    fn advance(&self, n: u64, stored: u64) {
        let before = self.done.fetch_add(n, Ordering::Relaxed);
        let step = self.step.load(Ordering::Relaxed).max(1);
        if (before + n) / step != before / step {
            eprintln!(
                "  {}/{} files, {stored} stored, {:.0} s",
                before + n,
                self.total.load(Ordering::Relaxed),
                self.t0.elapsed().as_secs_f64()
            );
        }
    }
    fn phase(&self, msg: &str) {
        if msg.contains("resolv") {
            if let Ok(mut g) = self.resolve_at.lock() {
                *g = Some(Instant::now());
            }
        }
    }
}

fn file_len(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

fn fresh_db(db: &Path) -> Result<(), BenchError> {
    for ext in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{ext}", db.display()));
        if p.exists() {
            std::fs::remove_file(&p)
                .map_err(BenchError::io(format!("removing {}", p.display())))?;
        }
    }
    if let Some(dir) = db.parent() {
        std::fs::create_dir_all(dir)
            .map_err(BenchError::io(format!("creating {}", dir.display())))?;
    }
    Ok(())
}

fn e2e(paths: &[PathBuf], db: &Path) -> Result<E2eResult, BenchError> {
    fresh_db(db)?;
    let t = Instant::now();
    let engines = Engines::load(None, None)?;
    let load_s = t.elapsed().as_secs_f64();
    let mut store = Store::open(db)?;
    let progress = Reporter {
        total: AtomicU64::new(0),
        done: AtomicU64::new(0),
        step: AtomicU64::new(1),
        t0: Instant::now(),
        resolve_at: Mutex::new(None),
    };
    let cpu0 = self_cpu_s();
    let report =
        pipeline::ingest_owned(&mut store, engines, paths, &Options::default(), &progress)?;
    let end = Instant::now();
    let cpu_s = self_cpu_s() - cpu0;
    let resolve_s = progress
        .resolve_at
        .lock()
        .ok()
        .and_then(|g| *g)
        .map(|at| end.duration_since(at).as_secs_f64())
        .unwrap_or(0.0);
    drop(store);
    let db_bytes = ["", "-wal"]
        .iter()
        .map(|e| file_len(Path::new(&format!("{}{e}", db.display()))))
        .sum();
    Ok(E2eResult {
        load_s,
        files: report.files,
        items: report.items,
        stored: report.stored,
        duplicates: report.duplicates,
        rejected: report.rejected.len() as u64,
        events: report.events,
        bytes: report.bytes,
        seconds: report.seconds,
        resolve_s,
        db_bytes,
        cpu_s,
    })
}

/// Times `f` as one call of stage `s`, with its peak RSS.
fn timed<T>(s: &mut StageStat, f: impl FnOnce() -> T) -> T {
    reset_peak();
    let cpu = self_cpu_s();
    let t = Instant::now();
    let out = f();
    s.secs += t.elapsed().as_secs_f64();
    s.cpu_s += self_cpu_s() - cpu;
    s.peak_kb = s.peak_kb.max(peak_kb());
    out
}

/// A missing publication date takes the one the language layer inferred,
/// as the pipeline does before geo and events run.
fn fill_date(doc: &mut Document, a: &Analysis) {
    if doc.published.is_none() {
        if let Some(d) = a.doc_date {
            doc.published = Some(d);
            doc.published_basis = Some(match a.doc_date_basis {
                Some(b @ (PublishedBasis::Text | PublishedBasis::Metadata)) => b,
                _ => PublishedBasis::Inferred,
            });
            doc.published_range = a.doc_date_range;
        }
    }
}

const STAGES: [&str; 7] = [
    "read+prepare",
    "dedup",
    "language",
    "geo",
    "events",
    "store",
    "resolve",
];

fn stages(paths: &[PathBuf], db: &Path) -> Result<StagesResult, BenchError> {
    fresh_db(db)?;
    let t = Instant::now();
    let engines = Engines::load(None, None)?;
    let load_s = t.elapsed().as_secs_f64();
    let load_rss_kb = rss_kb();
    let mut store = Store::open(db)?;
    let mut st: Vec<StageStat> = STAGES
        .iter()
        .map(|n| StageStat {
            name: n.to_string(),
            ..Default::default()
        })
        .collect();
    let (files, _errors) = sitrep_ingest::discover(paths);
    // Sized as the pipeline sizes it (one article per file at least).
    let mut dups = DupIndex::new();
    // Beside the database, as the pipeline does.
    let dir = match db.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    dups.spill_to(dir, DEFAULT_MEMORY_BUDGET)?;
    dups.reserve(files.len())?;
    let chunk = Options::default().chunk;
    let t0 = Instant::now();
    let mut done = 0usize;
    for group in files.chunks(chunk) {
        let (docs, bytes) = timed(&mut st[0], || {
            let bytes: u64 = group.iter().map(|f| file_len(f)).sum();
            let docs: Vec<Document> = group
                .par_iter()
                .flat_map_iter(|f| {
                    sitrep_ingest::read_file(f)
                        .ok()
                        .into_iter()
                        .flatten()
                        .filter_map(Result::ok)
                })
                .filter_map(|item| sitrep_ingest::prepare(item).ok())
                .collect();
            (docs, bytes)
        });
        st[0].items += docs.len() as u64;
        st[0].bytes += bytes;
        let text_bytes: u64 = docs.iter().map(|d| d.text.len() as u64).sum();
        // Signatures and the search among earlier chunks in parallel, then
        // the index in input order, as the pipeline does ("earliest"
        // decides `duplicate_of`; see `DupIndex::find_from`).
        let (mut docs, sigs) = timed(&mut st[1], || -> Result<_, DupError> {
            dups.flush()?;
            let (before, index) = (dups.len(), &dups);
            let (sigs, probes): (Vec<Signature>, Vec<Result<Probe, DupError>>) = docs
                .par_iter()
                .map(|d| {
                    let sig = Signature::of(&d.text);
                    let probe = match d.duplicate_of {
                        Some(_) => Ok(Probe::default()),
                        None => index.probe(&sig),
                    };
                    (sig, probe)
                })
                .unzip();
            let mut docs = docs;
            for ((d, sig), probe) in docs.iter_mut().zip(&sigs).zip(probes) {
                let probe = probe?;
                if d.duplicate_of.is_none() {
                    d.duplicate_of = match &probe.original {
                        Some((orig, _)) => Some(orig.clone()),
                        None => dups.find_from(sig, before)?.map(|(orig, _)| orig),
                    };
                }
                dups.insert_probed(&d.id, sig.clone(), &probe)?;
            }
            Ok((docs, sigs))
        })?;

        let analyses: Vec<Analysis> = timed(&mut st[2], || {
            docs.par_iter()
                .map(|d| engines.language.analyze(d))
                .collect()
        });
        for (d, a) in docs.iter_mut().zip(&analyses) {
            fill_date(d, a);
        }
        let geos: Vec<GeoAnalysis> = timed(&mut st[3], || {
            docs.par_iter()
                .zip(analyses.par_iter())
                .map(|(d, a)| engines.geo.analyze(d, Some(a)))
                .collect()
        });
        let mentions: Vec<Vec<EventMention>> = timed(&mut st[4], || {
            docs.par_iter()
                .zip(analyses.par_iter())
                .zip(geos.par_iter())
                .map(|((d, a), g)| sitrep_events::extract(d, a, g))
                .collect()
        });
        let batch: Vec<NewDocument> = docs
            .into_iter()
            .zip(analyses)
            .zip(geos)
            .zip(mentions)
            .zip(sigs)
            .map(
                |((((document, analysis), geo), mentions), sig)| NewDocument {
                    document,
                    signature: Some(sig.to_bytes()),
                    analysis,
                    geo,
                    mentions,
                },
            )
            .collect();
        // Encoding runs in the parallel workers in `sitrep ingest`, so here too.
        timed(&mut st[5], || -> Result<usize, BenchError> {
            let encoded = batch
                .par_iter()
                .map(|nd| nd.clone().encode())
                .collect::<Result<Vec<_>, _>>()?;
            Ok(store.insert_encoded(&encoded)?)
        })?;
        for s in &mut st[1..6] {
            s.items += batch.len() as u64;
            s.bytes += text_bytes;
        }
        let before = done;
        done += group.len();
        let step = (files.len() / 10).max(1);
        if done / step != before / step {
            eprintln!(
                "  stages: {done}/{} files, {:.0} s",
                files.len(),
                t0.elapsed().as_secs_f64()
            );
        }
    }

    let (mut resolve_s, mut n_mentions, mut n_events) = (0.0, 0, 0);
    let res: Result<(), BenchError> = timed(&mut st[6], || {
        // As `sitrep ingest` does it: mentions read from the store, events
        // streamed back (load, resolve and write interleave, so the three
        // are one figure).
        let t = Instant::now();
        n_mentions = store.mention_count()?;
        n_events = sitrep::pipeline::resolve_events(&store)?;
        resolve_s = t.elapsed().as_secs_f64();
        Ok(())
    });
    res?;
    st[6].items = n_mentions;
    Ok(StagesResult {
        load_s,
        load_rss_kb,
        peak_reset_supported: reset_peak(),
        stages: st,
        mentions: n_mentions,
        events: n_events,
        resolve_s,
    })
}

fn char_at(text: &str, byte: usize) -> usize {
    text.get(..byte).map(|s| s.chars().count()).unwrap_or(0)
}

/// Sitrep's persons and places for each gold paragraph.
pub fn sitrep_predictions(gold: &gold::Gold) -> Result<HashMap<String, Prediction>, BenchError> {
    let engines = Engines::load(None, None)?;
    let mut out = HashMap::new();
    for g in &gold.documents {
        let doc = Document {
            id: g.id.clone(),
            path: format!("gold/{}", g.id),
            published: g.published.as_deref().and_then(|d| d.parse().ok()),
            published_basis: Some(PublishedBasis::Metadata),
            text: g.text.clone(),
            ..Default::default()
        };
        let analysis = engines.language.analyze(&doc);
        let geo = engines.geo.analyze(&doc, Some(&analysis));
        let t = &doc.text;
        let persons = analysis
            .entities
            .iter()
            .filter(|e| e.kind == EntityKind::Person)
            .map(|e| PredSpan {
                start: char_at(t, e.span.start),
                end: char_at(t, e.span.end),
                // The canonical name is the person without title.
                text: e.canonical.clone(),
            })
            .collect();
        let places = geo
            .mentions
            .iter()
            .map(|m| PredPlace {
                start: char_at(t, m.span.start),
                end: char_at(t, m.span.end),
                text: m.surface.clone(),
                lat: m.location.lat,
                lon: m.location.lon,
            })
            .collect();
        out.insert(g.id.clone(), Prediction { persons, places });
    }
    Ok(out)
}

fn gold_run(path: &Path, predictions: Option<&Path>) -> Result<GoldResult, BenchError> {
    let g = gold::load(path)?;
    let preds = sitrep_predictions(&g)?;
    if let Some(p) = predictions {
        let s = serde_json::to_string_pretty(&preds).map_err(BenchError::json("predictions"))?;
        std::fs::write(p, s).map_err(BenchError::io(format!("writing {}", p.display())))?;
    }
    Ok(GoldResult {
        scores: gold::score(&g, &preds),
    })
}
