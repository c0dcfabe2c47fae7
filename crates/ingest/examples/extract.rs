//! Prints the cleaned main text of an HTML file (or, with `--doc`, the
//! prepared document as JSON; `.txt` files are cleaned as plain text).
//!
//! `cargo run -p sitrep-ingest --release --example extract -- page.html`
//! Used by `eval/extraction/run.py` to compare with trafilatura.

use std::process::ExitCode;

use sitrep_ingest::{clean, prepare, Body, RawItem};

fn main() -> ExitCode {
    let mut doc = false;
    let mut paths = Vec::new();
    for a in std::env::args().skip(1) {
        if a == "--doc" {
            doc = true;
        } else {
            paths.push(a);
        }
    }
    if paths.is_empty() {
        eprintln!("usage: extract [--doc] FILE...");
        return ExitCode::from(2);
    }
    let mut status = ExitCode::SUCCESS;
    for p in paths {
        let bytes = match std::fs::read(&p) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{p}: {e}");
                status = ExitCode::FAILURE;
                continue;
            }
        };
        let raw = String::from_utf8_lossy(&bytes);
        let html = !p.ends_with(".txt");
        if doc {
            let body = if html {
                Body::Html(raw.into_owned())
            } else {
                Body::Text(raw.into_owned())
            };
            match prepare(RawItem {
                source: p.clone(),
                body,
                ..Default::default()
            }) {
                Ok(d) => println!("{}", serde_json::to_string_pretty(&d).unwrap_or_default()),
                Err(e) => {
                    eprintln!("{e}");
                    status = ExitCode::FAILURE;
                }
            }
        } else if html {
            println!("{}", clean::main_text(&raw));
        } else {
            println!("{}", clean::clean_text(&raw).text());
        }
    }
    status
}
