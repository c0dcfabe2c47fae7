//! Evaluation of persons, actors and claim speakers on the texts in
//! eval/language/actors (written for Sitrep) against gold.tsv, plus the
//! throughput of the language layer. Slow-ish and verbose, so ignored:
//!
//! cargo test --release -p sitrep-language --test actors_eval -- --ignored --nocapture
use sitrep_language::Language;
use sitrep_model::{Document, EntityKind};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../eval/language/actors");

type Sets = BTreeMap<&'static str, BTreeSet<String>>;

/// CPU seconds (user + system) used so far by the calling thread, from
/// /proc/thread-self/stat (Linux, 100 ticks/s): throughput measured in CPU
/// time does not depend on what else the shared machine runs.
fn thread_cpu() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let after = &stat[stat.rfind(')')? + 1..];
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Runs `work` and returns (wall seconds, CPU seconds of this thread).
fn timed(mut work: impl FnMut()) -> (f64, f64) {
    let c0 = thread_cpu();
    let t0 = Instant::now();
    work();
    let wall = t0.elapsed().as_secs_f64();
    let cpu = match (c0, thread_cpu()) {
        (Some(a), Some(b)) if b > a => b - a,
        _ => wall,
    };
    (wall, cpu)
}

fn norm(s: &str) -> String {
    let l = s.trim().to_lowercase().replace(['“', '”', '"'], "");
    let l = l
        .strip_prefix("the ")
        .or_else(|| l.strip_prefix("a "))
        .or_else(|| l.strip_prefix("an "))
        .unwrap_or(&l)
        .to_string();
    l.replace('’', "'")
}

fn load_gold(dir: &str) -> BTreeMap<String, Sets> {
    let text = std::fs::read_to_string(format!("{dir}/gold.tsv")).expect("gold.tsv");
    let mut gold: BTreeMap<String, Sets> = BTreeMap::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let f: Vec<&str> = line.split('\t').collect();
        let (file, kind, value) = (f[0], f[1], f[2]);
        let (key, v): (&'static str, String) = match kind {
            "person" => ("persons", norm(value)),
            "actor" => ("actors", norm(value)),
            "claim" => (
                "claims",
                format!("{}|{}", norm(value), f.get(3).copied().unwrap_or("asserts")),
            ),
            other => panic!("unknown gold kind {other}"),
        };
        gold.entry(file.to_string())
            .or_default()
            .entry(key)
            .or_default()
            .insert(v);
    }
    gold
}

fn predict(lang: &Language, text: &str) -> Sets {
    let a = lang.analyze(&Document {
        text: text.to_string(),
        ..Default::default()
    });
    let mut s: Sets = BTreeMap::new();
    for e in &a.entities {
        match e.kind {
            EntityKind::Person => s.entry("persons").or_default().insert(norm(&e.canonical)),
            EntityKind::Equipment => false,
            _ => s.entry("actors").or_default().insert(norm(&e.canonical)),
        };
    }
    for c in &a.claims {
        let who = c.speaker.as_deref().map(norm).unwrap_or_else(|| "?".into());
        s.entry("claims")
            .or_default()
            .insert(format!("{who}|{}", c.stance.as_str()));
    }
    s
}

/// Scores one folder (texts + gold.tsv); returns its texts.
fn score(lang: &Language, dir: &str, label: &str) -> Vec<String> {
    let gold = load_gold(dir);
    let mut totals: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    let mut texts = Vec::new();
    for (file, g) in &gold {
        let text = std::fs::read_to_string(format!("{dir}/{file}")).expect("eval text");
        let p = predict(lang, &text);
        for key in ["persons", "actors", "claims"] {
            let empty = BTreeSet::new();
            let gs = g.get(key).unwrap_or(&empty);
            let ps = p.get(key).unwrap_or(&empty);
            let tp = gs.intersection(ps).count();
            let t = totals.entry(key).or_default();
            t.0 += tp;
            t.1 += ps.len();
            t.2 += gs.len();
            for miss in gs.difference(ps) {
                println!("{file} {key} MISSED {miss}");
            }
            for extra in ps.difference(gs) {
                println!("{file} {key} EXTRA  {extra}");
            }
        }
        texts.push(text);
    }
    println!("\n{label} ({} texts)\n| layer | precision | recall | F1 | tp/pred/gold |\n|---|---|---|---|---|", texts.len());
    for (key, (tp, pred, g)) in &totals {
        let p = *tp as f64 / (*pred).max(1) as f64;
        let r = *tp as f64 / (*g).max(1) as f64;
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        println!("| {key} | {p:.3} | {r:.3} | {f:.3} | {tp}/{pred}/{g} |");
    }
    texts
}

#[test]
#[ignore]
fn evaluate() {
    let lang = Language::new();
    let mut texts = score(&lang, DIR, "development set (rules tuned on it)");
    texts.extend(score(&lang, &format!("{DIR}/heldout"), "held-out set"));

    // Throughput, single thread, in CPU time (the machine is shared; the
    // layer is lock-free and `Sync`, so two cores give about twice this).
    let rounds = 100;
    let tanf = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/tanf");
    let long: Vec<String> = std::fs::read_dir(tanf)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                .collect()
        })
        .unwrap_or_default();
    for (label, set) in [("eval texts", &texts), ("sample corpus", &long)] {
        if set.is_empty() {
            continue;
        }
        let words = set
            .iter()
            .map(|t| t.split_whitespace().count())
            .sum::<usize>()
            / set.len();
        let prepared: Vec<(String, Vec<sitrep_model::Sentence>)> = set
            .iter()
            .map(|t| (t.clone(), sitrep_language::sentences::split(t)))
            .collect();
        let docs: Vec<Document> = set
            .iter()
            .map(|t| Document {
                text: t.clone(),
                ..Default::default()
            })
            .collect();
        let n = (rounds * set.len()) as f64;
        let (w1, c1) = timed(|| {
            for _ in 0..rounds {
                for (t, s) in &prepared {
                    let e = sitrep_language::entities::find(t, s, &lang.actors);
                    std::hint::black_box(sitrep_language::claims::find(t, s, &e, &lang.actors));
                }
            }
        });
        let (w2, c2) = timed(|| {
            for _ in 0..rounds {
                for d in &docs {
                    std::hint::black_box(lang.analyze(d));
                }
            }
        });
        println!(
            "{label} ({} articles, {words} words avg): entities+claims {:.0}/s CPU ({:.0}/s wall); \
             whole analyze {:.0}/s CPU ({:.0}/s wall), 1 thread",
            set.len(),
            n / c1,
            n / w1,
            n / c2,
            n / w2
        );
    }
}
