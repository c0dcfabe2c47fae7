//! Micro-benchmarks of the per-document hot functions, on one generated
//! article (our own sentence bank, `sitrep::synth`) of typical length.
//!
//! `cargo bench -p sitrep-bench --bench hot` (add a filter such as `geo`
//! to run one). Engines are loaded once, outside the measured loops.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sitrep_geo::{Gazetteer, GeoContext, Geoparser};
use sitrep_ingest::dedup::Signature;
use sitrep_ingest::{Body, RawItem};
use sitrep_language::Language;
use sitrep_model::{Document, PublishedBasis};

fn article() -> (String, Document) {
    let bank = sitrep::synth::Bank::load();
    let a = sitrep::synth::article(&bank, 7, 42, 20);
    let doc = Document {
        id: "bench-doc".into(),
        path: "bench.txt".into(),
        title: Some(a.title.clone()),
        outlet: Some(a.outlet.clone()),
        published: a.published.parse().ok(),
        published_basis: Some(PublishedBasis::Metadata),
        text: a.body.clone(),
        ..Default::default()
    };
    (a.text, doc)
}

fn hot(c: &mut Criterion) {
    let (raw, doc) = article();
    let bytes = doc.text.len() as u64;
    let language = Language::new();
    let geo = match Gazetteer::load_default() {
        Ok(g) => Geoparser::new(g),
        Err(e) => {
            eprintln!("cannot load the default gazetteer ({e}); skipping the micro-benchmarks");
            return;
        }
    };
    let analysis = language.analyze(&doc);
    let places = geo.analyze(&doc, Some(&analysis));

    let mut g = c.benchmark_group("per-article");
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("prepare (clean + metadata + id)", |b| {
        b.iter(|| {
            let item = RawItem {
                source: "bench.txt".into(),
                body: Body::Text(raw.clone()),
                ..Default::default()
            };
            black_box(sitrep_ingest::prepare(item).ok())
        })
    });
    g.bench_function("dedup signature", |b| {
        b.iter(|| black_box(Signature::of(&doc.text)))
    });
    g.bench_function("sentence split", |b| {
        b.iter(|| black_box(sitrep_language::sentences::split(&doc.text)))
    });
    g.bench_function("language analyze", |b| {
        b.iter(|| black_box(language.analyze(&doc)))
    });
    g.bench_function("geoparse", |b| {
        b.iter(|| black_box(geo.parse(&doc.text, &GeoContext::default())))
    });
    g.bench_function("geo analyze (with language)", |b| {
        b.iter(|| black_box(geo.analyze(&doc, Some(&analysis))))
    });
    g.bench_function("events extract", |b| {
        b.iter(|| black_box(sitrep_events::extract(&doc, &analysis, &places)))
    });
    g.finish();
}

criterion_group!(benches, hot);
criterion_main!(benches);
