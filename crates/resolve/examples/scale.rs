//! Resolution time against the number of event mentions, on synthetic
//! mentions: incidents spread over five years, each reported 1–5 times with
//! jittered places, mixed date precision and some undated reports. The
//! region grows with the corpus (10°×10° at 100,000 mentions) so that the
//! density of incidents stays constant, as when a corpus grows by covering
//! more places; `--fixed-region` keeps 10°×10° at every size.
//!
//! `--dense` instead mimics the benchmark's synthetic news corpus: a dozen
//! towns in eight provinces over four years, half the reports placed only
//! to the province and a third dated only to the month, five mentions per
//! article. Every block is crowded, which is what bounded blocking is for.
//!
//! `cargo run -p sitrep-resolve --release --example scale -- 10000 100000 1000000`
//! `cargo run -p sitrep-resolve --release --example scale -- --dense 10000 100000 1000000`
//!
//! `--crowded` is `--dense` with one category and one year: blocks twelve
//! times fuller.
//!
//! `--stream` uses `resolve_each` and keeps no event, as a store writer
//! would, so the printed memory is the input plus resolution's own. The
//! RSS line gives the input's size and the peak.

use std::time::Instant;

use chrono::{Days, NaiveDate};
use sitrep_model::*;

/// xorshift64*: deterministic and dependency-free.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const SIDES: [&str; 6] = [
    "US-led coalition",
    "Syrian Arab Army",
    "Islamic State",
    "Hezbollah",
    "Turkey",
    "SDF",
];
const WORDS: [&str; 12] = [
    "convoy",
    "base",
    "village",
    "checkpoint",
    "tanks",
    "market",
    "bridge",
    "airport",
    "highway",
    "outpost",
    "dam",
    "hill",
];

fn synth(n: usize, seed: u64, side_deg: f64) -> Vec<EventMention> {
    let mut r = Rng(seed | 1);
    let base = NaiveDate::from_ymd_opt(2015, 1, 1).unwrap_or_default();
    let mut out = Vec::with_capacity(n);
    let mut incident = 0u64;
    while out.len() < n {
        incident += 1;
        let day = base + Days::new(r.below(5 * 365));
        let (lat, lon) = (-40.0 + r.unit() * side_deg, -60.0 + r.unit() * side_deg);
        let cat = Plover::ALL[r.below(6) as usize];
        let side = SIDES[r.below(SIDES.len() as u64) as usize];
        let w = WORDS[r.below(WORDS.len() as u64) as usize];
        let reports = 1 + r.below(5) as usize;
        for k in 0..reports {
            if out.len() >= n {
                break;
            }
            let date = match r.below(10) {
                0 => None,
                1..=2 => Some(DateRange {
                    start: day - Days::new(3),
                    end: day + Days::new(3),
                    precision: TimePrecision::Week,
                }),
                _ => Some(DateRange::day(day)),
            };
            let jl = (r.unit() - 0.5) * 0.1;
            let jo = (r.unit() - 0.5) * 0.1;
            let sentence =
                format!("Forces of {side} hit a {w} near site {incident} in report {k}.");
            out.push(EventMention {
                document: format!("doc{}", r.below(n as u64 / 3 + 1)),
                outlet: Some(format!("Outlet {}", r.below(40))),
                duplicate_of: None,
                category: cat,
                acled: None,
                span: Span::new(0, sentence.len()),
                char_start: (incident as usize) * 10 + k,
                char_end: (incident as usize) * 10 + k + sentence.len(),
                sentence,
                date,
                location: Some(Location {
                    name: format!("Site {incident}"),
                    lat: Some(lat + jl),
                    lon: Some(lon + jo),
                    country: Some("SY".into()),
                    admin1: Some(format!("A{}", (lat as i32) % 5)),
                    precision: GeoPrecision::Near,
                    ..Default::default()
                }),
                actors: vec![EventActor {
                    name: side.into(),
                    role: ActorRole::Actor,
                    kind: ActorKind::StateMilitary,
                    surface: vec![],
                }],
                equipment: vec![],
                quantities: vec![],
                fatalities: None,
                claimed_by: vec![],
                occurred: true,
                certainty: 0.8,
                coding: Coding::default(),
            });
        }
    }
    out
}

/// Towns (lat, lon, province) of a small country, as in the bench corpus.
const TOWNS: [(f64, f64, &str); 12] = [
    (36.20, 37.16, "aleppo"),
    (35.93, 36.63, "idlib"),
    (34.73, 36.71, "homs"),
    (35.13, 36.75, "hama"),
    (35.95, 39.01, "raqqa"),
    (35.33, 40.14, "deir ez-zor"),
    (35.02, 40.45, "deir ez-zor"),
    (34.45, 40.92, "deir ez-zor"),
    (34.56, 38.28, "homs"),
    (32.62, 36.10, "daraa"),
    (37.05, 41.22, "hasakah"),
    (36.50, 40.75, "hasakah"),
];

/// `crowded`: one category and one year instead of three and four, so
/// blocks are twelve times fuller.
fn synth_dense(n: usize, seed: u64, crowded: bool) -> Vec<EventMention> {
    let mut r = Rng(seed | 1);
    let base = NaiveDate::from_ymd_opt(2016, 1, 1).unwrap_or_default();
    let mut out = Vec::with_capacity(n);
    let mut article = 0usize;
    while out.len() < n {
        article += 1;
        let years = if crowded { 1 } else { 4 };
        let published = base + Days::new(r.below(years * 365));
        let (lat, lon, prov) = TOWNS[r.below(TOWNS.len() as u64) as usize];
        let outlet = format!("Outlet {}", r.below(40));
        for k in 0..5 {
            if out.len() >= n {
                break;
            }
            let day = published - Days::new(r.below(7));
            let date = match r.below(6) {
                0 => None,
                1 | 2 => {
                    let start = day - Days::new(u64::from(chrono::Datelike::day0(&day)));
                    Some(DateRange {
                        start,
                        end: start + Days::new(27),
                        precision: TimePrecision::Month,
                    })
                }
                _ => Some(DateRange::day(day)),
            };
            let province_only = r.below(2) == 0;
            let side = SIDES[r.below(SIDES.len() as u64) as usize];
            let w = WORDS[r.below(WORDS.len() as u64) as usize];
            let sentence = format!("Forces of {side} shelled the {w} outside {prov}.");
            let (name, precision, jl, jo) = if province_only {
                (format!("{prov} province"), GeoPrecision::Admin1, 0.0, 0.0)
            } else {
                (
                    format!("Town {lat}"),
                    GeoPrecision::Near,
                    (r.unit() - 0.5) * 0.05,
                    (r.unit() - 0.5) * 0.05,
                )
            };
            out.push(EventMention {
                document: format!("article{article}"),
                outlet: Some(outlet.clone()),
                duplicate_of: None,
                category: Plover::ALL[if crowded { 0 } else { r.below(3) as usize }],
                acled: None,
                span: Span::new(0, sentence.len()),
                char_start: k * 200,
                char_end: k * 200 + sentence.len(),
                sentence,
                date,
                location: Some(Location {
                    name,
                    lat: Some(lat + jl),
                    lon: Some(lon + jo),
                    country: Some("SY".into()),
                    admin1: Some(prov.into()),
                    precision,
                    ..Default::default()
                }),
                actors: vec![EventActor {
                    name: side.into(),
                    role: ActorRole::Actor,
                    kind: ActorKind::StateMilitary,
                    surface: vec![],
                }],
                equipment: vec![],
                quantities: vec![],
                fatalities: None,
                claimed_by: vec![],
                occurred: true,
                certainty: 0.8,
                coding: Coding::default(),
            });
        }
    }
    out
}

/// A line of /proc/self/status in MB (Linux; 0 elsewhere).
fn rss_mb(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let dense = std::env::args().any(|a| a == "--dense");
    let stream = std::env::args().any(|a| a == "--stream");
    let crowded = std::env::args().any(|a| a == "--crowded");
    let dense = dense || crowded;
    let fixed = std::env::args().any(|a| a == "--fixed-region");
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![10_000, 100_000]
    } else {
        sizes
    };
    let mut prev: Option<(usize, f64)> = None;
    for n in sizes {
        let side = if fixed {
            10.0
        } else {
            (10.0 * (n as f64 / 100_000.0).sqrt()).min(80.0)
        };
        let ms = if dense {
            synth_dense(n, 42, crowded)
        } else {
            synth(n, 42, side)
        };
        let input_mb = rss_mb("VmRSS:");
        let t = Instant::now();
        let events = if stream {
            // Streaming: count events and keep none, as a writer would.
            let mut n = 0usize;
            sitrep_resolve::resolve_each(&ms, |_| n += 1);
            vec![(); n]
        } else {
            sitrep_resolve::resolve(&ms).iter().map(|_| ()).collect()
        };
        let s = t.elapsed().as_secs_f64();
        let peak_mb = rss_mb("VmHWM:");
        let growth = prev
            .map(|(pn, ps)| {
                format!(
                    " | x{:.1} mentions -> x{:.1} time",
                    n as f64 / pn as f64,
                    s / ps
                )
            })
            .unwrap_or_default();
        println!(
            "{n} mentions -> {} events in {s:.3} s ({:.0} mentions/s){growth}",
            events.len(),
            n as f64 / s
        );
        println!("  RSS MB: {input_mb:.0} with the input, peak so far {peak_mb:.0}");
        drop(events);
        drop(ms);
        prev = Some((n, s));
    }
}
