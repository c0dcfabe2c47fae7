//! Extraction + resolution throughput. The articles of a folder are read
//! and analysed once by the language and geo layers (not timed); copies of
//! them, each shifted to its own week and place so that they report
//! different incidents, then go through `extract` on N threads and one
//! `resolve` over all mentions.
//!
//! `cargo run -p sitrep-events --release --example throughput -- ../shared/corpus/tanf 5000 2`
use std::path::PathBuf;
use std::time::Instant;

use chrono::Days;
use sitrep_model::{Analysis, Document, GeoAnalysis};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!("usage: throughput FOLDER [ARTICLES] [THREADS]");
        std::process::exit(2);
    };
    let total: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5000);
    let threads: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2).max(1);
    let lang = sitrep_language::Language::new();
    let Ok(gaz) = sitrep_geo::Gazetteer::load_default() else {
        eprintln!("gazetteer failed to load");
        std::process::exit(1);
    };
    let geo = sitrep_geo::Geoparser::new(gaz);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|x| x == "txt"));
    files.sort();
    let mut base: Vec<(Document, Analysis, GeoAnalysis)> = Vec::new();
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        let item = sitrep_ingest::RawItem {
            source: f.display().to_string(),
            body: sitrep_ingest::Body::Text(text),
            ..Default::default()
        };
        let Ok(mut doc) = sitrep_ingest::prepare(item) else {
            continue;
        };
        let a = lang.analyze(&doc);
        if doc.published.is_none() {
            doc.published = a.doc_date;
        }
        let g = geo.analyze(&doc, Some(&a));
        base.push((doc, a, g));
    }
    if base.is_empty() {
        eprintln!("no articles in {}", dir.display());
        std::process::exit(1);
    }
    let bytes: usize = base.iter().map(|b| b.0.text.len()).sum::<usize>() / base.len();
    let per = total.div_ceil(threads);
    let t0 = Instant::now();
    let mut mentions = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let base = &base;
                s.spawn(move || {
                    let mut out = Vec::new();
                    for k in t * per..((t + 1) * per).min(total) {
                        let (doc, a, g) = &base[k % base.len()];
                        let mut ms = sitrep_events::extract(doc, a, g);
                        let round = (k / base.len()) as u64;
                        for m in &mut ms {
                            m.document = format!("{}#{round}", m.document);
                            if let Some(d) = &mut m.date {
                                d.start = d
                                    .start
                                    .checked_add_days(Days::new(7 * round))
                                    .unwrap_or(d.start);
                                d.end = d
                                    .end
                                    .checked_add_days(Days::new(7 * round))
                                    .unwrap_or(d.end);
                            }
                            if let Some(l) = &mut m.location {
                                l.lat = l.lat.map(|x| x + (round % 50) as f64 * 0.5);
                            }
                        }
                        out.extend(ms);
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect::<Vec<_>>()
    });
    let t_extract = t0.elapsed().as_secs_f64();
    mentions.sort_by(|a, b| a.document.cmp(&b.document));
    let t1 = Instant::now();
    let events = sitrep_resolve::resolve(&mentions);
    let t_resolve = t1.elapsed().as_secs_f64();
    let t = t_extract + t_resolve;
    println!(
        "{total} articles (~{bytes} bytes each), {threads} threads: extract {t_extract:.3} s ({:.0} articles/s), \
         resolve {} mentions -> {} events {t_resolve:.3} s; extract+resolve {:.0} articles/s",
        total as f64 / t_extract,
        mentions.len(),
        events.len(),
        total as f64 / t
    );
}
