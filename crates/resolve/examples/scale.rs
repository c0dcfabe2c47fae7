//! Resolution time against the number of event mentions, on synthetic
//! mentions: incidents spread over five years, each reported 1–5 times with
//! jittered places, mixed date precision and some undated reports. The
//! region grows with the corpus (10°×10° at 100,000 mentions) so that the
//! density of incidents stays constant, as when a corpus grows by covering
//! more places; `--fixed-region` keeps 10°×10° at every size.
//!
//! `cargo run -p sitrep-resolve --release --example scale -- 10000 100000 1000000`

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

fn main() {
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
        let ms = synth(n, 42, side);
        let t = Instant::now();
        let events = sitrep_resolve::resolve(&ms);
        let s = t.elapsed().as_secs_f64();
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
        prev = Some((n, s));
    }
}
