//! Prints the entities and claims of the sample corpus; a diagnostic,
//! run with `cargo test -p sitrep-language --test actors_debug_dump -- --ignored --nocapture`.
use sitrep_language::Language;
use sitrep_model::Document;

#[test]
#[ignore]
fn dump_corpus() {
    let dir = std::env::var("DUMP_DIR").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/tanf").to_string()
    });
    let Ok(rd) = std::fs::read_dir(&dir) else {
        println!("skipping: ../shared not found");
        return;
    };
    let mut paths: Vec<_> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    paths.sort();
    let lang = Language::new();
    for p in paths {
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        let doc = Document {
            text: text.clone(),
            ..Default::default()
        };
        let a = lang.analyze(&doc);
        println!("==== {} ({} sentences)", p.display(), a.sentences.len());
        for e in &a.entities {
            println!(
                "  {:?} {:?} -> {} [{:?}] role={:?}",
                e.kind,
                e.span.slice(&text),
                e.canonical,
                e.actor_kind,
                e.role
            );
        }
        for c in &a.claims {
            println!(
                "  CLAIM {:?} {:?} by {:?} ({:?}) outlet={:?} cue={} :: {:?}",
                c.stance,
                c.speaker_span.map(|s| s.slice(&text)),
                c.speaker,
                c.speaker_kind,
                c.outlet,
                c.cue,
                c.content.slice(&text)
            );
        }
    }
}
