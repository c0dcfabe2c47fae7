//! ACLED sub-type coding on the hand-written snippets of
//! `eval/events/snippets.jsonl` (2–4 per sub-type, all 25), the holdout, the
//! 200-snippet development set `dev2.jsonl` and the blind set `blind2.jsonl`.
//!
//! `snippets_meet_the_bar` runs in `cargo test` on the extractor alone (no
//! language layer) and guards against regressions on snippets and dev2. The
//! full report, through the real language layer, with per-item misses and
//! per-class scores for every set but blind2 (aggregates only, so that it
//! stays blind):
//! `cargo test -p sitrep-events --release --test snippets -- --ignored --nocapture`

use std::collections::BTreeMap;

use sitrep_model::{Analysis, Document, EventMention, GeoAnalysis};

const SNIPPETS: &str = include_str!("../../../eval/events/snippets.jsonl");
/// Written after the lexicons and never used to tune them: a fairer estimate.
const HOLDOUT: &str = include_str!("../../../eval/events/holdout.jsonl");
/// 200 realistic snippets (8 per sub-type): the development set for tuning.
const DEV2: &str = include_str!("../../../eval/events/dev2.jsonl");
/// 100 snippets (4 per sub-type) never looked at: only aggregate numbers are
/// ever printed for it, so it stays an honest estimate.
const BLIND2: &str = include_str!("../../../eval/events/blind2.jsonl");

struct Gold {
    id: String,
    text: String,
    sub: String,
    plover: String,
}

fn gold() -> Vec<Gold> {
    parse(SNIPPETS)
}

fn parse(src: &str) -> Vec<Gold> {
    src.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("snippet line is JSON");
            let s = |k: &str| {
                v[k].as_str()
                    .unwrap_or_else(|| panic!("{k} missing in {l}"))
                    .to_string()
            };
            Gold {
                id: s("id"),
                text: s("text"),
                sub: s("sub_event_type"),
                plover: s("plover"),
            }
        })
        .collect()
}

/// The snippet's main event: the most certain mention with an ACLED type,
/// else the most certain mention.
fn main_event(ms: &[EventMention]) -> Option<&EventMention> {
    fn best<'a>(it: impl Iterator<Item = &'a EventMention>) -> Option<&'a EventMention> {
        let mut b: Option<&EventMention> = None;
        for m in it {
            if b.is_none_or(|x| m.certainty > x.certainty) {
                b = Some(m);
            }
        }
        b
    }
    best(ms.iter().filter(|m| m.acled.is_some())).or_else(|| best(ms.iter()))
}

struct Report {
    accuracy: f64,
    macro_f1: f64,
    plover_accuracy: f64,
    lines: Vec<String>,
}

fn evaluate(g: &[Gold], analyze: &dyn Fn(&Document) -> Analysis) -> Report {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut plover_ok = 0usize;
    let mut lines = Vec::new();
    for s in g {
        let doc = Document {
            id: s.id.clone(),
            text: s.text.clone(),
            ..Default::default()
        };
        let a = analyze(&doc);
        let ms = sitrep_events::extract(&doc, &a, &GeoAnalysis::default());
        let m = main_event(&ms);
        let pred = m
            .and_then(|m| m.acled.as_ref())
            .map_or("none".to_string(), |a| a.sub_event_type.clone());
        let pp = m.map_or("none", |m| m.category.as_str());
        if pp == s.plover {
            plover_ok += 1;
        } else {
            lines.push(format!("  {}: PLOVER gold {}, got {pp}", s.id, s.plover));
        }
        if pred != s.sub {
            let why = m.map_or(String::new(), |m| {
                format!("{:?} {}", m.coding.trigger, m.coding.rule)
            });
            lines.push(format!(
                "  {}: gold {:?}, got {:?} ({why})",
                s.id, s.sub, pred
            ));
        }
        pairs.push((s.sub.clone(), pred));
    }
    let n = pairs.len() as f64;
    let correct = pairs.iter().filter(|(g, p)| g == p).count() as f64;
    let mut classes: BTreeMap<&str, (f64, f64, f64)> = BTreeMap::new(); // tp, fp, fn
    for (gd, pr) in &pairs {
        if gd == pr {
            classes.entry(gd).or_default().0 += 1.0;
        } else {
            classes.entry(gd).or_default().2 += 1.0;
            classes.entry(pr).or_default().1 += 1.0;
        }
    }
    let mut f1s = Vec::new();
    for (c, (tp, fp, fneg)) in &classes {
        if *c == "none" {
            continue;
        }
        let p = if tp + fp > 0.0 { tp / (tp + fp) } else { 0.0 };
        let r = if tp + fneg > 0.0 {
            tp / (tp + fneg)
        } else {
            0.0
        };
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        f1s.push(f);
        lines.push(format!("  {c:<40} P {p:.2} R {r:.2} F1 {f:.2}"));
    }
    Report {
        accuracy: correct / n,
        macro_f1: f1s.iter().sum::<f64>() / f1s.len().max(1) as f64,
        plover_accuracy: plover_ok as f64 / n,
        lines,
    }
}

#[test]
fn snippets_cover_all_subtypes() {
    let g = gold();
    let subs: std::collections::BTreeSet<&str> = g.iter().map(|s| s.sub.as_str()).collect();
    assert_eq!(subs.len(), 25, "{subs:?}");
    for s in &g {
        assert!(
            sitrep_events::lexicon::acled_event_type(&s.sub).is_some(),
            "{}",
            s.sub
        );
        assert!(
            sitrep_model::Plover::parse(&s.plover).is_some(),
            "{}",
            s.plover
        );
        let n = g.iter().filter(|x| x.sub == s.sub).count();
        assert!((2..=4).contains(&n), "{} has {n}", s.sub);
    }
}

#[test]
fn snippets_meet_the_bar() {
    let r = evaluate(&gold(), &|_| Analysis::default());
    for l in &r.lines {
        println!("{l}");
    }
    println!(
        "accuracy {:.3} macro-F1 {:.3} PLOVER {:.3}",
        r.accuracy, r.macro_f1, r.plover_accuracy
    );
    assert!(r.macro_f1 >= 0.85, "macro-F1 {:.3}", r.macro_f1);
    assert!(
        r.plover_accuracy >= 0.85,
        "PLOVER accuracy {:.3}",
        r.plover_accuracy
    );
    // The 200 development snippets: tuned on, so this guards regressions,
    // not generalisation (blind2 estimates that, in the ignored report).
    let r = evaluate(&parse(DEV2), &|_| Analysis::default());
    for l in &r.lines {
        println!("{l}");
    }
    println!(
        "dev2: accuracy {:.3} macro-F1 {:.3} PLOVER {:.3}",
        r.accuracy, r.macro_f1, r.plover_accuracy
    );
    assert!(r.macro_f1 >= 0.95, "dev2 macro-F1 {:.3}", r.macro_f1);
    assert!(
        r.plover_accuracy >= 0.95,
        "dev2 PLOVER accuracy {:.3}",
        r.plover_accuracy
    );
}

#[test]
#[ignore = "report through the real language layer; see the module docs"]
fn snippets_report_with_language_layer() {
    let lang = sitrep_language::Language::new();
    for (name, set, detail) in [
        ("snippets", gold(), true),
        ("holdout", parse(HOLDOUT), true),
        ("dev2", parse(DEV2), true),
        // Aggregates only: per-item and per-class lines would leak the set.
        ("blind2", parse(BLIND2), false),
    ] {
        let r = evaluate(&set, &|d| lang.analyze(d));
        if detail {
            for l in &r.lines {
                println!("{l}");
            }
        }
        println!(
            "{name}: {} | sub-type accuracy {:.3} | macro-F1 {:.3} | PLOVER accuracy {:.3}",
            set.len(),
            r.accuracy,
            r.macro_f1,
            r.plover_accuracy
        );
    }
}
