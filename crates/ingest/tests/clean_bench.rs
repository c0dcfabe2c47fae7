//! Throughput of `prepare` on plain text (ignored; run with
//! `cargo test -p sitrep-ingest --release --test clean_bench -- --ignored --nocapture`).

use std::time::Instant;

use sitrep_ingest::{prepare, Body, RawItem};

#[test]
#[ignore = "benchmark"]
fn prepare_text_throughput() {
    let para = "Officials said on Tuesday that the convoy, carrying food and medicine for about 20,000 people, had crossed the front line near the river after a two-day delay, and that a second convoy was expected later in the week.";
    let docs: Vec<String> = (0..2000)
        .map(|i| format!("Convoy number {i} crosses the line\n\nBy Jane Doe\n\n22 May 2017\n\nAMMAN: {para}\n\n{}\n\nShare this article", [para; 12].join("\n\n")))
        .collect();
    let bytes: usize = docs.iter().map(String::len).sum();
    let t = Instant::now();
    for (i, d) in docs.into_iter().enumerate() {
        prepare(RawItem {
            source: format!("doc{i}"),
            body: Body::Text(d),
            ..Default::default()
        })
        .unwrap();
    }
    let s = t.elapsed().as_secs_f64();
    println!(
        "prepare: {:.0} articles/s, {:.1} MB/s",
        2000.0 / s,
        bytes as f64 / s / 1e6
    );
}
