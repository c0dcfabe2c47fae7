//! The five sample articles of ../shared/corpus/tanf, read at test time
//! (never copied into the repository): the documents export carries every
//! SCHEMA field for each of them.

mod common;
use common::*;
use std::path::Path;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/tanf");

#[test]
fn tanf_documents_export_has_schema_fields() {
    if !Path::new(CORPUS).is_dir() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{CORPUS} not found and CI=true");
        }
        eprintln!("skipping: ../shared not found");
        return;
    }
    let s = Scratch::new("tanf");
    let o = sitrep(&s.0, &["-q", "ingest", "--db", "t.db", CORPUS]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let out = String::from_utf8(export(&s.0, "t.db", "documents", "jsonl")).unwrap();
    let docs: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(docs.len(), 5, "{out}");
    for d in &docs {
        for key in [
            "id",
            "path",
            "outlet",
            "reposted_by",
            "title",
            "byline",
            "dateline",
            "published",
            "published_basis",
            "language",
            "text",
            "duplicate_of",
            "primary_place",
            "places",
        ] {
            assert!(d.get(key).is_some(), "missing {key} in {}", d["path"]);
        }
        let id = d["id"].as_str().unwrap();
        assert!(
            id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()),
            "id {id}"
        );
        assert!(d["byline"].is_array() && d["places"].is_array());
        assert!(
            d["text"].as_str().is_some_and(|t| t.len() > 500),
            "text too short in {}",
            d["path"]
        );
        assert!(d["outlet"].is_string(), "no outlet found for {}", d["path"]);
        if let Some(p) = d["published"].as_str() {
            assert!(chrono_like(p), "published {p}");
            assert!(["metadata", "text", "inferred"]
                .contains(&d["published_basis"].as_str().unwrap_or("")));
        }
    }
    // The CSV export has one row per document.
    let csv = export(&s.0, "t.db", "documents", "csv");
    assert_eq!(
        csv::Reader::from_reader(csv.as_slice()).records().count(),
        5
    );
    // The piece that states no date at all is dated against the others
    // ingested with it: June 2017, marked inferred.
    let sputnik = docs
        .iter()
        .find(|d| d["outlet"] == "Sputnik")
        .expect("a Sputnik document");
    assert_eq!(sputnik["published_basis"], "inferred");
    assert!(
        sputnik["published"]
            .as_str()
            .is_some_and(|p| p.starts_with("2017-06")),
        "Sputnik published {}",
        sputnik["published"]
    );
    // End to end through the CLI: the 18 May 2017 strike is one event
    // reported by four outlets.
    let events = String::from_utf8(export(&s.0, "t.db", "events", "jsonl")).unwrap();
    let strikes: Vec<serde_json::Value> = events
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e["category"] == "ASSAULT" && e["date"]["start"] == "2017-05-18")
        .collect();
    assert_eq!(strikes.len(), 1, "{events}");
    let sources = strikes[0]["sources"].as_array().map(Vec::len);
    assert_eq!(sources, Some(4), "{}", strikes[0]["sources"]);
}

fn chrono_like(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && s.bytes().filter(u8::is_ascii_digit).count() == 8
}
