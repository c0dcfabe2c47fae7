//! Near-duplicate detection on realistic stories written for these tests:
//! a re-post with a syndication header, share-button footer and one
//! rewritten sentence must match; another outlet's report on the same
//! incident must not.

use std::path::Path;

use sitrep_ingest::dedup::{DupIndex, Signature};

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/read")
        .join(name);
    std::fs::read_to_string(path).expect("fixture")
}

#[test]
fn repost_matches_and_same_incident_does_not() {
    let story = Signature::of(&fixture("dedup_story.txt"));
    let repost = Signature::of(&fixture("dedup_repost.txt"));
    let other = Signature::of(&fixture("dedup_other.txt"));

    let s_repost = story.similarity(&repost);
    let s_other = story.similarity(&other);
    println!("re-post {s_repost:.3}, same incident {s_other:.3}");
    assert!(s_repost >= 0.7, "re-post similarity {s_repost}");
    assert!(s_other < 0.15, "same-incident similarity {s_other}");

    let mut idx = DupIndex::new();
    assert_eq!(idx.find(&story).unwrap(), None);
    idx.insert("valley-monitor/water-station", story).unwrap();
    assert_eq!(idx.find(&other).unwrap(), None);
    idx.insert("coastal-dispatch/drone-attack", other.clone())
        .unwrap();
    let (id, sim) = idx.find(&repost).unwrap().expect("re-post found");
    assert_eq!(id, "valley-monitor/water-station");
    assert!((sim - s_repost).abs() < f32::EPSILON);
    // The other outlet's story only finds itself.
    assert_eq!(
        idx.find(&other).unwrap().map(|(id, _)| id).as_deref(),
        Some("coastal-dispatch/drone-attack")
    );
}

#[test]
fn estimate_tracks_true_jaccard() {
    // Texts sharing a known share of their shingles: the estimate must be
    // within MinHash's error (sd ≈ 0.045 at 128 values) of the truth.
    let words: Vec<String> = (0..1200)
        .map(|i| format!("w{}", (i * 7919) % 100_003))
        .collect();
    let a = words[..1000].join(" ");
    let b = words[200..1200].join(" ");
    // Shingles: 996 each, 796 shared → J = 796 / 1196.
    let truth = 796.0 / 1196.0;
    let est = Signature::of(&a).similarity(&Signature::of(&b));
    assert!((est - truth).abs() < 0.15, "estimate {est}, truth {truth}");
}

#[test]
fn signature_survives_storage() {
    let sig = Signature::of(&fixture("dedup_story.txt"));
    let back = Signature::from_bytes(&sig.to_bytes()).unwrap();
    assert_eq!(back, sig);
    let mut bytes = sig.to_bytes();
    bytes[0] = 99;
    assert!(Signature::from_bytes(&bytes).is_err());
}

#[test]
fn short_texts_and_threshold() {
    let a = Signature::of("Ceasefire announced");
    let b = Signature::of("ceasefire ANNOUNCED!");
    assert_eq!(a.similarity(&b), 1.0);
    let mut strict = DupIndex::with_threshold(0.95);
    strict
        .insert("a", Signature::of(&fixture("dedup_story.txt")))
        .unwrap();
    assert_eq!(
        strict
            .find(&Signature::of(&fixture("dedup_repost.txt")))
            .unwrap(),
        None
    );
}
