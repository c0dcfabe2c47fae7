//! Helpers for the end-to-end tests: a scratch folder and the built binary.
#![allow(dead_code)] // each test binary uses a different subset

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_sitrep");

/// A scratch folder removed on drop (kept when the test fails, for a look).
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("sitrep-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create scratch dir");
        Scratch(dir)
    }
    pub fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }
    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("create parent");
        }
        std::fs::write(&p, bytes).expect("write scratch file");
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// Runs `sitrep ARGS` in `dir`.
pub fn sitrep(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run sitrep")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Exports `kind` as `format` from `db` (relative to `dir`) and returns the bytes.
pub fn export(dir: &Path, db: &str, kind: &str, format: &str) -> Vec<u8> {
    let o = sitrep(
        dir,
        &["export", "--db", db, "--kind", kind, "--format", format],
    );
    assert!(o.status.success(), "export failed: {}", stderr(&o));
    o.stdout
}

/// Three short reports written for these tests: two outlets on one
/// incident, and an unrelated one.
pub fn write_articles(s: &Scratch, sub: &str) {
    s.write(
        &format!("{sub}/a.txt"),
        "Strike hits fuel depot outside Manbij\n\nBy Rania Khoury\n12 March 2018\n\n\
         MANBIJ (Northern Courier) – An air strike destroyed a fuel depot on the western edge of Manbij \
         on Sunday night, residents said. Two guards were killed, according to a local medic.\n\n\
         The depot supplied generators for the town's bakeries, and queues for bread formed by morning.\n",
    );
    s.write(
        &format!("{sub}/b.txt"),
        "Depot fire in Manbij leaves bakeries short of fuel\n\nBy Omar Farouk\n13 March 2018\n\n\
         Bakeries in Manbij cut production on Monday after a strike set a fuel depot ablaze. \
         Local officials said two people died and that the fire burned until dawn.\n",
    );
    s.write(
        &format!("{sub}/c.jsonl"),
        concat!(
            r#"{"outlet": "Plains Bulletin", "title": "Wheat harvest begins early near Hasakah", "published": "2018-05-02", "text": "Farmers near Hasakah began harvesting wheat two weeks early this year, citing dry weather. Grain traders expect lower prices than last season."}"#,
            "\n"
        ),
    );
}
