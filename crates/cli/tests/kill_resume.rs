//! Durability: an ingest of 10,000 articles killed (SIGKILL) mid-way loses
//! nothing it committed, and a rerun completes it with nothing lost or
//! doubled; the result exports byte-identically to an uninterrupted run.
//!
//! The articles are generated at test time by `sitrep synth` from
//! sentences the Sitrep authors wrote (crates/cli/data/synth.txt).

mod common;
use common::*;
use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const N: usize = 10_000;

fn count(db: &std::path::Path) -> u64 {
    // The writer holds the database; a read-only WAL reader never blocks it.
    match sitrep_store::Store::open_read_only(db) {
        Ok(s) => s.document_count().unwrap_or(0),
        Err(_) => 0,
    }
}

#[test]
fn killed_ingest_resumes_without_loss_or_doubles() {
    let s = Scratch::new("kill");
    let o = sitrep(
        &s.0,
        &[
            "-q",
            "synth",
            "--out",
            "corpus",
            "--n",
            &N.to_string(),
            "--sentences",
            "1",
            "--seed",
            "5",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));

    // Reference: one uninterrupted run.
    let o = sitrep(&s.0, &["-q", "ingest", "--db", "ref.db", "corpus"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let reference = export(&s.0, "ref.db", "documents", "jsonl");
    let reference_events = export(&s.0, "ref.db", "events", "jsonl");

    // Killed run: small transactions so that several commit before the kill.
    let db = s.path("k.db");
    let mut child = Command::new(BIN)
        .args(["-q", "ingest", "--chunk", "200", "--db", "k.db", "corpus"])
        .current_dir(&s.0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn ingest");
    let t0 = Instant::now();
    let mut before_kill = 0;
    while t0.elapsed() < Duration::from_secs(120) {
        before_kill = count(&db);
        if before_kill >= 1000 {
            break;
        }
        if child.try_wait().expect("poll child").is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let finished_early = child.try_wait().expect("poll child").is_some();
    child.kill().ok(); // SIGKILL on Unix
    child.wait().expect("reap child");
    assert!(
        !finished_early,
        "ingest finished before it could be killed; make the corpus bigger"
    );
    let after_kill = count(&db);
    assert!(
        after_kill >= before_kill,
        "committed documents were lost: {before_kill} -> {after_kill}"
    );
    assert!(
        after_kill < N as u64,
        "the kill came too late to test anything ({after_kill} stored)"
    );

    // Rerun completes it.
    let o = sitrep(&s.0, &["--json", "ingest", "--db", "k.db", "corpus"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        r["stored"].as_u64().unwrap() + after_kill,
        N as u64,
        "report {r}"
    );
    assert_eq!(r["skipped"].as_u64().unwrap(), after_kill);
    assert_eq!(count(&db), N as u64);

    let resumed = export(&s.0, "k.db", "documents", "jsonl");
    let text = String::from_utf8(resumed.clone()).unwrap();
    let ids: HashSet<&str> = text
        .lines()
        .map(|l| {
            let start = l.find("\"id\":\"").expect("id field") + 6;
            &l[start..start + 16]
        })
        .collect();
    assert_eq!(text.lines().count(), N);
    assert_eq!(ids.len(), N, "doubled documents");
    assert!(
        resumed == reference,
        "export after kill + rerun differs from an uninterrupted run"
    );
    assert!(
        export(&s.0, "k.db", "events", "jsonl") == reference_events,
        "events differ"
    );
}
