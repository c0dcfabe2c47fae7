//! Outlets of the example corpus's plain-text articles (examples/ is ours):
//! mastheads, kicker lines, re-posts and agency datelines, read through the
//! crate's public API.

use std::path::Path;

use sitrep_ingest::{prepare, read_file};
use sitrep_model::Document;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/corpus");

fn load(prefix: &str) -> Document {
    let dir = Path::new(CORPUS);
    let path = std::fs::read_dir(dir)
        .expect("examples/corpus is part of the repository")
        .map(|e| e.expect("readable entry").path())
        .find(|p| {
            p.extension().is_some_and(|e| e == "txt")
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
        })
        .unwrap_or_else(|| panic!("no example {prefix}_*.txt"));
    let mut items = read_file(&path).expect("readable example");
    assert_eq!(items.len(), 1);
    prepare(items.remove(0).expect("one article")).expect("example is an article")
}

fn outlet(d: &Document) -> (Option<&str>, Option<&str>) {
    (d.outlet.as_deref(), d.reposted_by.as_deref())
}

#[test]
fn masthead_names_the_blog() {
    let d = load("05");
    assert_eq!(outlet(&d), (Some("Desert Dispatch"), None));
    // The masthead and tagline are not the headline.
    let title = d.title.as_deref().unwrap_or("");
    assert!(title.len() > 30 && !title.contains("Dispatch"), "{title}");
}

#[test]
fn kicker_names_an_unlisted_outlet() {
    assert_eq!(outlet(&load("06")), (Some("Levant Ledger"), None));
}

#[test]
fn repost_names_origin_and_host() {
    let d = load("07");
    assert_eq!(outlet(&d), (Some("Levant Ledger"), Some("Desert Dispatch")));
    assert!(!d
        .title
        .as_deref()
        .unwrap_or("")
        .to_lowercase()
        .starts_with("re-post"));
}

#[test]
fn desk_kicker_and_dateline_agency() {
    assert_eq!(outlet(&load("08")), (Some("Orontes Observer"), None));
}

#[test]
fn other_examples_keep_their_outlets() {
    for (p, want) in [
        ("01", "Levant Ledger"),
        ("02", "Euphrates Wire"),
        ("03", "Umayyad News Agency"),
        ("04", "Capital Tribune"),
    ] {
        assert_eq!(outlet(&load(p)), (Some(want), None), "{p}");
    }
}
