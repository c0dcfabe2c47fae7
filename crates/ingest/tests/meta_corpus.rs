//! Done-when check on the sample corpus (read at test time, never copied):
//! outlets, reposts, bylines, datelines, dates and junk-free text.

use std::path::Path;

use chrono::NaiveDate;
use sitrep_ingest::{prepare, Body, RawItem};
use sitrep_model::{Document, PublishedBasis};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/tanf");

fn load() -> Option<Vec<Document>> {
    let dir = Path::new(CORPUS);
    if !dir.is_dir() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "corpus missing at {CORPUS}"
        );
        println!("skipping: ../shared not found");
        return None;
    }
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    let docs = paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            let item = RawItem {
                source: p.display().to_string(),
                body: Body::Text(text),
                ..Default::default()
            };
            prepare(item).unwrap()
        })
        .collect();
    Some(docs)
}

fn by_outlet<'a>(docs: &'a [Document], outlet: &str) -> &'a Document {
    docs.iter()
        .find(|d| d.outlet.as_deref() == Some(outlet))
        .unwrap_or_else(|| {
            panic!(
                "no document with outlet {outlet}: {:?}",
                docs.iter().map(|d| &d.outlet).collect::<Vec<_>>()
            )
        })
}

#[test]
fn sample_corpus_metadata() {
    let Some(docs) = load() else { return };
    assert_eq!(docs.len(), 5);
    for o in [
        "Sputnik",
        "The Guardian",
        "Syria Direct",
        "North Press",
        "EA WorldView",
    ] {
        by_outlet(&docs, o);
    }
    let guardian = by_outlet(&docs, "The Guardian");
    let host = guardian
        .reposted_by
        .as_deref()
        .expect("re-post names its hosting blog");
    assert_ne!(host, "The Guardian");

    let np = by_outlet(&docs, "North Press");
    assert_eq!(np.byline, vec!["Stella Youssef"]);
    assert_eq!(np.dateline.as_deref(), Some("QAMISHLI"));

    let sd = by_outlet(&docs, "Syria Direct");
    assert_eq!(sd.dateline.as_deref(), Some("AMMAN"));
    assert_eq!(sd.published, NaiveDate::from_ymd_opt(2017, 5, 22));
    assert_eq!(sd.published_basis, Some(PublishedBasis::Text));
    assert!(sd.title.is_some());

    for d in &docs {
        assert_eq!(d.language.as_deref(), Some("en"), "{}", d.path);
        assert!(d.text.len() > 2000, "{}", d.path);
    }
}

#[test]
fn sample_corpus_text_is_clean() {
    let Some(docs) = load() else { return };
    for d in &docs {
        for line in d.text.split('\n').map(str::trim) {
            let lower = line.to_lowercase();
            assert!(
                ![
                    "post a comment",
                    "share this article",
                    "ads",
                    "advertisement"
                ]
                .contains(&lower.as_str()),
                "{}: {line}",
                d.path
            );
            assert!(
                !(lower.ends_with("min read") && line.len() < 15),
                "{}: {line}",
                d.path
            );
            assert!(
                !line.contains('@') || line.contains(' '),
                "{}: e-mail {line}",
                d.path
            );
            assert!(!line.ends_with("[…]"), "{}: teaser {line}", d.path);
            assert!(!line.contains(" publisher "), "{}: footer {line}", d.path);
            assert!(
                !line.chars().any(|c| ('\u{0600}'..='\u{06ff}').contains(&c)),
                "{}: widget label {line}",
                d.path
            );
        }
        // Paragraphs are separated by blank lines, and nothing real is lost:
        // every article keeps at least a dozen paragraphs.
        assert!(d.text.split("\n\n").count() >= 12, "{}", d.path);
        // Idempotent: preparing the cleaned text again gives the same text and id.
        let again = prepare(RawItem {
            source: "again".into(),
            body: Body::Text(d.text.clone()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(again.text, d.text);
        assert_eq!(again.id, d.id);
    }
}
