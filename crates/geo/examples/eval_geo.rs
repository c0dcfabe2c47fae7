//! Geoparser evaluation on eval/geo (texts and gold written for Sitrep):
//! toponym precision/recall (exact spans), Acc@161 km, primary-place
//! accuracy, load time and throughput.
//!
//! `cargo run --release -p sitrep-geo --example eval_geo [-- --verbose] [--set heldout|heldout2]`
//! (default: eval/geo/texts with gold.tsv; `--set NAME`: eval/geo/NAME with
//! gold_NAME.tsv).
use sitrep_geo::spatial::haversine_km;
use sitrep_geo::{Gazetteer, GeoContext, Geoparser};
use sitrep_model::Document;
use std::collections::BTreeMap;
use std::time::Instant;

/// A gold toponym's byte span and true point.
type Occurrence = (usize, usize, Option<(f64, f64)>);

struct Gold {
    surface: String,
    point: Option<(f64, f64)>,
}

fn occurrences(text: &str, s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(p) = text[from..].find(s) {
        let a = from + p;
        let b = a + s.len();
        let before_ok = text[..a]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after_ok = text[b..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric());
        if before_ok && after_ok {
            out.push((a, b));
        }
        from = b;
    }
    out
}

fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse::<f64>().ok())
            })
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// User + system CPU seconds of this process (the machine is shared, so
/// wall time overstates the cost).
fn cpu_secs() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1.to_string();
            let f: Vec<&str> = rest.split_whitespace().collect();
            let ut: f64 = f.get(11)?.parse().ok()?;
            let st: f64 = f.get(12)?.parse().ok()?;
            Some((ut + st) / 100.0)
        })
        .unwrap_or(0.0)
}

fn main() {
    let verbose = std::env::args().any(|a| a == "--verbose");
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../eval/geo");
    // `--set NAME`: texts in eval/geo/NAME, gold in eval/geo/gold_NAME.tsv.
    let args: Vec<String> = std::env::args().collect();
    let set = args
        .iter()
        .position(|a| a == "--set")
        .and_then(|i| args.get(i + 1).cloned())
        .or_else(|| {
            args.iter()
                .any(|a| a == "--heldout")
                .then(|| "heldout".to_string())
        });
    let (gold_file, text_dir) = match &set {
        Some(s) => (format!("gold_{s}.tsv"), s.clone()),
        None => ("gold.tsv".to_string(), "texts".to_string()),
    };
    let Ok(gold_text) = std::fs::read_to_string(format!("{root}/{gold_file}")) else {
        eprintln!("cannot read {root}/{gold_file}");
        std::process::exit(1);
    };
    let mut gold: BTreeMap<String, Vec<Gold>> = BTreeMap::new();
    let mut primary: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for line in gold_text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let f: Vec<&str> = line.split('\t').collect();
        let point = match (
            f.get(2).and_then(|v| v.parse().ok()),
            f.get(3).and_then(|v| v.parse().ok()),
        ) {
            (Some(a), Some(b)) => Some((a, b)),
            _ => None,
        };
        if f[1] == "#primary" {
            if let Some(p) = point {
                primary.insert(f[0].to_string(), p);
            }
            continue;
        }
        gold.entry(f[0].to_string()).or_default().push(Gold {
            surface: f[1].to_string(),
            point,
        });
    }
    let t0 = Instant::now();
    let c0 = cpu_secs();
    let g = Gazetteer::load_default().expect("gazetteer");
    let load_ms = t0.elapsed().as_secs_f64() * 1e3;
    let load_cpu_ms = (cpu_secs() - c0) * 1e3;
    let p = Geoparser::new(g);
    let (mut tp, mut npred, mut ngold, mut acc_n, mut acc_ok) =
        (0usize, 0usize, 0usize, 0usize, 0usize);
    let mut strict_tp = 0usize;
    let (mut prim_n, mut prim_ok) = (0, 0);
    let mut texts = Vec::new();
    for (file, golds) in &gold {
        let text = std::fs::read_to_string(format!("{root}/{text_dir}/{file}")).expect("text");
        let title = text
            .lines()
            .find(|l| !l.trim().is_empty())
            .map(str::to_string);
        let doc = Document {
            text: text.clone(),
            title,
            ..Default::default()
        };
        let a = p.analyze(&doc, None);
        // Gold occurrences, without those nested in a longer gold name.
        let mut occ: Vec<Occurrence> = Vec::new();
        for gd in golds {
            for (s, e) in occurrences(&text, &gd.surface) {
                occ.push((s, e, gd.point));
            }
        }
        let all = occ.clone();
        occ.retain(|&(s, e, _)| {
            !all.iter()
                .any(|&(s2, e2, _)| s2 <= s && e <= e2 && (e2 - s2) > (e - s))
        });
        ngold += occ.len();
        let preds: Vec<_> = a.mentions.iter().filter(|m| m.relation.is_none()).collect();
        npred += preds.len();
        for m in &preds {
            // Strict: the exact gold span. Lenient: same start, one span
            // inside the other ("Qandil" for "Qandil mountains").
            let strict = occ.iter().any(|o| o.0 == m.span.start && o.1 == m.span.end);
            strict_tp += usize::from(strict);
            match occ
                .iter()
                .find(|o| o.0 == m.span.start && (o.1 <= m.span.end || m.span.end <= o.1))
            {
                Some(&(_, _, point)) => {
                    tp += 1;
                    if let Some((la, lo)) = point {
                        acc_n += 1;
                        let d = m
                            .location
                            .lat
                            .zip(m.location.lon)
                            .map(|(a, b)| haversine_km(a, b, la, lo));
                        if d.is_some_and(|d| d <= 161.0) {
                            acc_ok += 1;
                        } else if verbose {
                            println!(
                                "{file}: {} -> {} {:?},{:?} off by {d:?} km",
                                m.surface, m.location.name, m.location.lat, m.location.lon
                            );
                        }
                    }
                }
                None if verbose => println!(
                    "{file}: false positive {:?} -> {}",
                    m.surface, m.location.name
                ),
                None => {}
            }
        }
        if verbose {
            for o in &occ {
                if !preds.iter().any(|m| m.span.start == o.0) {
                    println!("{file}: missed {:?}", &text[o.0..o.1]);
                }
            }
        }
        if let Some(&(la, lo)) = primary.get(file) {
            prim_n += 1;
            let ok = a
                .primary_place
                .as_ref()
                .and_then(|pp| pp.lat.zip(pp.lon))
                .is_some_and(|(a, b)| haversine_km(a, b, la, lo) <= 161.0);
            prim_ok += usize::from(ok);
            if verbose && !ok {
                println!(
                    "{file}: primary {:?}",
                    a.primary_place.as_ref().map(|p| &p.name)
                );
            }
        }
        texts.push(text);
    }
    let prec = tp as f64 / npred.max(1) as f64;
    let rec = tp as f64 / ngold.max(1) as f64;
    println!(
        "documents {}  gold toponyms {ngold}  predicted {npred}  correct spans {tp}",
        gold.len()
    );
    println!(
        "toponym precision {prec:.3}  recall {rec:.3}  F1 {:.3} (lenient spans)",
        2.0 * prec * rec / (prec + rec).max(1e-9)
    );
    let (sp, sr) = (
        strict_tp as f64 / npred.max(1) as f64,
        strict_tp as f64 / ngold.max(1) as f64,
    );
    println!("toponym precision {sp:.3}  recall {sr:.3} (exact spans)");
    println!(
        "Acc@161km {:.3} ({acc_ok}/{acc_n} correct spans with coordinates)",
        acc_ok as f64 / acc_n.max(1) as f64
    );
    println!("primary place within 161 km {prim_ok}/{prim_n}");
    // Throughput: parse the texts over and over (about 5 MB), one thread.
    println!(
        "load {load_ms:.0} ms wall, {load_cpu_ms:.0} ms CPU; RSS after load and parsing {:.0} MB",
        rss_mb()
    );
    throughput(&p, "eval texts", &texts);
    // Real news when the shared sample corpus is there (read, never copied).
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/tanf");
    if let Ok(rd) = std::fs::read_dir(dir) {
        let news: Vec<String> = rd
            .filter_map(Result::ok)
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .collect();
        throughput(&p, "news sample", &news);
    }
}

/// Parses the texts over and over (about 5 MB), one thread.
fn throughput(p: &Geoparser, label: &str, texts: &[String]) {
    let corpus_bytes: usize = texts.iter().map(String::len).sum();
    if corpus_bytes == 0 {
        return;
    }
    let rounds = (5_000_000 / corpus_bytes).max(1);
    let t1 = Instant::now();
    let c1 = cpu_secs();
    let mut n = 0usize;
    for _ in 0..rounds {
        for t in texts {
            n += p.parse(t, &GeoContext::default()).len();
        }
    }
    let secs = t1.elapsed().as_secs_f64();
    let cpu = (cpu_secs() - c1).max(1e-3);
    let mb = (corpus_bytes * rounds) as f64 / 1e6;
    println!(
        "geoparse {label}: {mb:.1} MB, {:.1} MB/s wall, {:.1} MB/s per CPU-second ({} mentions per MB)",
        mb / secs,
        mb / cpu,
        (n as f64 / mb) as u64
    );
}
