//! Prints the places of text files, with load and parse timings:
//! `cargo run --release -p sitrep-geo --example geoparse -- FILE...`.
use sitrep_geo::{Gazetteer, Geoparser};
use sitrep_model::Document;
use std::time::Instant;

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

fn main() {
    let t0 = Instant::now();
    let g = match Gazetteer::load_default() {
        Ok(g) => g,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let load = t0.elapsed();
    let p = Geoparser::new(g);
    eprintln!(
        "load {:.0} ms, rss {:.0} MB",
        load.as_secs_f64() * 1e3,
        rss_mb()
    );
    for f in std::env::args().skip(1) {
        let Ok(text) = std::fs::read_to_string(&f) else {
            eprintln!("cannot read {f}");
            continue;
        };
        let title = text
            .lines()
            .find(|l| !l.trim().is_empty())
            .map(str::to_string);
        let doc = Document {
            text,
            title,
            ..Default::default()
        };
        let a = p.analyze(&doc, None);
        println!("== {f}");
        for m in &a.mentions {
            println!(
                "  {:>5} {:<32} -> {} ({:?},{:?}) {:?} {:?} {:?} {:.2} {}",
                m.span.start,
                m.surface.replace('\n', " "),
                m.location.name,
                m.location.lat.map(|v| (v * 100.0).round() / 100.0),
                m.location.lon.map(|v| (v * 100.0).round() / 100.0),
                m.location.country,
                m.location.admin1,
                m.location.feature,
                m.score,
                m.relation
                    .as_ref()
                    .map(|r| format!("{r:?}"))
                    .unwrap_or_default()
            );
        }
        if let Some(pp) = &a.primary_place {
            println!("  PRIMARY: {} {:?}", pp.name, pp.surface);
        }
    }
}
