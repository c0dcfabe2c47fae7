//! Evaluation of time expressions, document-date inference and quantities
//! on the hand-annotated texts in `eval/language/time/`, plus throughput.
//!
//! Run (release, prints the report):
//!   CARGO_TARGET_DIR=... cargo test -p sitrep-language --release \
//!     --test time_eval -- --ignored --nocapture
//!
//! Matching: a prediction matches a gold item when their spans overlap.
//! Time values are correct when day-precision ranges are equal, and for
//! week/month/year precision when each range contains the other's
//! midpoint. Quantities are correct when value, upper value, unit and
//! casualty kind are all equal.

use chrono::NaiveDate;
use sitrep_language::{quantity, sentences, time};
use sitrep_model::{CasualtyKind, DateRange, Document, Span, TimePrecision};
use std::time::Instant;

const EVAL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../eval/language/time");

fn rows(name: &str) -> Vec<Vec<String>> {
    let src = std::fs::read_to_string(format!("{EVAL}/{name}")).expect("eval file readable");
    src.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

/// CPU seconds used by this thread (Linux), so throughput is meaningful on
/// a loaded shared machine; `None` elsewhere.
fn cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    // Fields after the command: state(0) ... utime(11) stime(12), in ticks.
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("gold date")
}

fn nth(text: &str, surface: &str, occ: usize) -> Span {
    let mut from = 0;
    for k in 1..=occ {
        let at = text[from..]
            .find(surface)
            .map(|p| p + from)
            .unwrap_or_else(|| panic!("{surface:?} not in text"));
        if k == occ {
            return Span::new(at, at + surface.len());
        }
        from = at + surface.len();
    }
    unreachable!("occurrence numbers start at 1")
}

fn mid(r: &DateRange) -> NaiveDate {
    r.start + (r.end - r.start) / 2
}

fn value_ok(pred: &DateRange, gold: &DateRange) -> bool {
    if gold.precision == TimePrecision::Day {
        return pred.start == gold.start && pred.end == gold.end;
    }
    let (pm, gm) = (mid(pred), mid(gold));
    gold.start <= pm && pm <= gold.end && pred.start <= gm && gm <= pred.end
}

fn precision(s: &str) -> TimePrecision {
    match s {
        "day" => TimePrecision::Day,
        "week" => TimePrecision::Week,
        "month" => TimePrecision::Month,
        _ => TimePrecision::Year,
    }
}

struct Prf {
    tp_value: usize,
    tp_span: usize,
    pred: usize,
    gold: usize,
}

impl Prf {
    fn report(&self, what: &str) {
        let p = self.tp_value as f64 / self.pred.max(1) as f64;
        let r = self.tp_value as f64 / self.gold.max(1) as f64;
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        let ps = self.tp_span as f64 / self.pred.max(1) as f64;
        let rs = self.tp_span as f64 / self.gold.max(1) as f64;
        println!(
            "{what}: value-correct P {p:.3} R {r:.3} F1 {f:.3} | span-only P {ps:.3} R {rs:.3} | gold {} predicted {}",
            self.gold, self.pred
        );
    }
}

type DateErr = Vec<(String, Option<i64>, bool)>;

/// Scores the documents whose file name satisfies `pick`; returns their texts.
fn score(pick: &dyn Fn(&str) -> bool, label: &str) -> Vec<String> {
    let docs = rows("docs.tsv");
    let gold_t = rows("gold_time.tsv");
    let gold_q = rows("gold_quantity.tsv");
    let mut t = Prf {
        tp_value: 0,
        tp_span: 0,
        pred: 0,
        gold: 0,
    };
    let mut q = Prf {
        tp_value: 0,
        tp_span: 0,
        pred: 0,
        gold: 0,
    };
    let mut date_err: DateErr = Vec::new();
    let mut hint_err: Vec<Option<i64>> = Vec::new();
    let mut texts = Vec::new();
    println!("== {label}");
    for d in docs.iter().filter(|d| pick(&d[0])) {
        let (file, pubd) = (&d[0], date(&d[1]));
        let text = std::fs::read_to_string(format!("{EVAL}/texts/{file}")).expect("eval text");
        let s = sentences::split(&text);
        // Time expressions against the known publication date.
        let pred = time::find(&text, &s, pubd);
        t.pred += pred.len();
        let golds: Vec<(Span, DateRange)> = gold_t
            .iter()
            .filter(|g| &g[0] == file)
            .map(|g| {
                let occ: usize = g[2].parse().expect("occurrence");
                (
                    nth(&text, &g[1], occ),
                    DateRange {
                        start: date(&g[3]),
                        end: date(&g[4]),
                        precision: precision(&g[5]),
                    },
                )
            })
            .collect();
        t.gold += golds.len();
        for (gs, gr) in &golds {
            match pred.iter().find(|p| p.span.overlaps(*gs)) {
                Some(p) => {
                    t.tp_span += 1;
                    if value_ok(&p.range, gr) {
                        t.tp_value += 1;
                    } else {
                        println!(
                            "  time value  {file}: {:?} gold {}..{} got {}..{}",
                            gs.slice(&text),
                            gr.start,
                            gr.end,
                            p.range.start,
                            p.range.end
                        );
                    }
                }
                None => println!("  time missed {file}: {:?}", gs.slice(&text)),
            }
        }
        for p in &pred {
            if !golds.iter().any(|(gs, _)| gs.overlaps(p.span)) {
                println!("  time extra  {file}: {:?}", p.span.slice(&text));
            }
        }
        // Document date with the publication date withheld.
        let undated = Document {
            text: text.clone(),
            ..Default::default()
        };
        let (inf, _, range) = time::document_date(&undated, &s);
        let in_range = range.is_some_and(|(a, b)| a <= pubd && pubd <= b);
        // With a collection hint 45 days off (a crawl window), year-less
        // texts can be dated too.
        let hinted =
            time::document_date_with_hint(&undated, &s, Some(pubd + chrono::Days::new(45))).0;
        hint_err.push(hinted.map(|x| (x - pubd).num_days()));
        date_err.push((file.clone(), inf.map(|x| (x - pubd).num_days()), in_range));
        // Quantities.
        let qs = quantity::find(&text, &s);
        q.pred += qs.len();
        let gq: Vec<_> = gold_q.iter().filter(|g| &g[0] == file).collect();
        q.gold += gq.len();
        for g in &gq {
            let gs = nth(&text, &g[1], g[2].parse().expect("occurrence"));
            let value: f64 = g[3].parse().expect("value");
            let vmax: Option<f64> = g[4].parse().ok();
            let cas = match g[6].as_str() {
                "killed" => Some(CasualtyKind::Killed),
                "injured" => Some(CasualtyKind::Injured),
                _ => None,
            };
            match qs.iter().find(|p| p.span.overlaps(gs)) {
                Some(p) => {
                    q.tp_span += 1;
                    if p.value == value
                        && p.value_max == vmax
                        && p.unit == g[5]
                        && p.casualty == cas
                    {
                        q.tp_value += 1;
                    } else {
                        println!("  qty wrong   {file}: {:?} gold {value} {vmax:?} {} {cas:?} got {} {:?} {} {:?}", &g[1], g[5], p.value, p.value_max, p.unit, p.casualty);
                    }
                }
                None => println!("  qty missed  {file}: {:?}", &g[1]),
            }
        }
        for p in &qs {
            if !gq
                .iter()
                .any(|g| nth(&text, &g[1], g[2].parse().unwrap_or(1)).overlaps(p.span))
            {
                println!("  qty extra   {file}: {:?}", p.span.slice(&text));
            }
        }
        texts.push(text);
    }
    t.report("time expressions");
    q.report("quantities");
    let within2 = date_err
        .iter()
        .filter(|(_, e, _)| e.is_some_and(|e| e.abs() <= 2))
        .count();
    let dated = date_err.iter().filter(|(_, e, _)| e.is_some()).count();
    let ranged = date_err.iter().filter(|(_, _, r)| *r).count();
    println!(
        "document date (published withheld): inferred for {dated}/{}, within 2 days {within2}, range contains the true date {ranged}; (file, error days, in range): {date_err:?}",
        date_err.len()
    );
    let h_dated = hint_err.iter().flatten().count();
    let h_within7 = hint_err.iter().flatten().filter(|e| e.abs() <= 7).count();
    println!(
        "document date with a hint 45 days off: inferred for {h_dated}/{}, within 7 days {h_within7}; errors {hint_err:?}",
        hint_err.len()
    );
    texts
}

#[test]
#[ignore = "evaluation: run with --ignored --nocapture (release)"]
fn evaluate_time_and_quantities() {
    let mut texts = score(
        &|f: &str| !f.contains("heldout"),
        "development texts 01-10 (rules tuned on them)",
    );
    texts.extend(score(
        &|f: &str| f.contains("heldout"),
        "held-out texts 11-15 (annotated after tuning, not tuned on)",
    ));

    // Throughput: sentences + document date + time + quantities per article.
    let corpus = std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/tanf"
    ))
    .map(|rd| {
        rd.filter_map(|e| e.ok().and_then(|e| std::fs::read_to_string(e.path()).ok()))
            .collect::<Vec<_>>()
    })
    .unwrap_or_default();
    texts.extend(corpus);
    let bytes: usize = texts.iter().map(String::len).sum();
    let docs: Vec<Document> = texts
        .iter()
        .map(|t| Document {
            text: t.clone(),
            ..Default::default()
        })
        .collect();
    let rounds = 400;
    let start = Instant::now();
    let mut n = 0usize;
    for _ in 0..rounds {
        for d in &docs {
            let s = sentences::split(&d.text);
            let (dd, _, _) = time::document_date(d, &s);
            let tm = match dd {
                Some(x) => time::find(&d.text, &s, x),
                None => time::find_absolute(&d.text, &s),
            };
            let qs = quantity::find(&d.text, &s);
            n += s.len() + tm.len() + qs.len();
        }
    }
    let el = start.elapsed().as_secs_f64();
    let arts = (rounds * docs.len()) as f64;
    println!(
        "throughput (1 thread): {:.0} articles/s, {:.1} MB/s for sentences+doc date+time+quantities ({} articles, avg {} bytes, {n} items)",
        arts / el,
        (rounds * bytes) as f64 / el / 1e6,
        docs.len(),
        bytes / docs.len()
    );
    let start = Instant::now();
    let cpu0 = cpu_secs();
    let mut n = 0usize;
    for _ in 0..rounds * 5 {
        for d in &docs {
            let s = sentences::split(&d.text);
            let l = time::analyze(d, &s, None);
            n += s.len() + l.times.len() + l.quantities.len();
        }
    }
    let el = start.elapsed().as_secs_f64();
    let cpu = cpu_secs()
        .zip(cpu0)
        .map(|(a, b)| a - b)
        .filter(|c| *c > 0.0);
    let arts5 = arts * 5.0;
    println!(
        "throughput (1 thread) sentences + time::analyze (one scan): wall {:.0} articles/s {:.1} MB/s; per CPU-second {} ({n} items)",
        arts5 / el,
        (5 * rounds * bytes) as f64 / el / 1e6,
        cpu.map_or("n/a".to_string(), |c| format!("{:.0} articles/s {:.1} MB/s", arts5 / c, (5 * rounds * bytes) as f64 / c / 1e6))
    );
    let start = Instant::now();
    let cpu0 = cpu_secs();
    let mut m = 0usize;
    for _ in 0..rounds * 5 {
        for d in &docs {
            m += sentences::split(&d.text).len();
        }
    }
    let el = start.elapsed().as_secs_f64();
    let cpu = cpu_secs()
        .zip(cpu0)
        .map(|(a, b)| a - b)
        .filter(|c| *c > 0.0);
    println!(
        "sentences alone: wall {:.1} MB/s; per CPU-second {} ({m} sentences)",
        (5 * rounds * bytes) as f64 / el / 1e6,
        cpu.map_or("n/a".to_string(), |c| format!(
            "{:.1} MB/s",
            (5 * rounds * bytes) as f64 / c / 1e6
        ))
    );
    for stage in ["doc_date", "find", "quantity"] {
        let start = Instant::now();
        let mut k = 0usize;
        for _ in 0..rounds {
            for d in &docs {
                let s = sentences::split(&d.text);
                k += match stage {
                    "doc_date" => time::document_date(d, &s).0.is_some() as usize,
                    "find" => time::find_absolute(&d.text, &s).len(),
                    _ => quantity::find(&d.text, &s).len(),
                };
            }
        }
        println!(
            "  stage {stage}: {:.0} articles/s ({k})",
            arts / start.elapsed().as_secs_f64()
        );
    }
}
