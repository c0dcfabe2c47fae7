//! Sentence splitting on the real sample articles (read at test time).

use sitrep_language::sentences;
use std::path::PathBuf;

fn corpus_files() -> Option<Vec<PathBuf>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/tanf");
    let Ok(rd) = std::fs::read_dir(dir) else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("corpus not found at {dir}");
        }
        println!("skipping: ../shared not found");
        return None;
    };
    let mut files: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    Some(files)
}

/// General properties every split must have on real news text: spans are
/// trimmed, ordered, on char boundaries, never end inside a word, never end
/// right after a rank or title abbreviation, and cover all non-space text.
#[test]
fn corpus_sentences_are_well_formed() {
    let Some(files) = corpus_files() else { return };
    assert!(!files.is_empty());
    for f in files {
        let text = std::fs::read_to_string(&f).expect("readable corpus file");
        let sents = sentences::split(&text);
        assert!(
            sents.len() > 10,
            "{}: {} sentences",
            f.display(),
            sents.len()
        );
        let mut prev_end = 0;
        let mut covered = 0;
        for s in &sents {
            assert!(s.span.start >= prev_end);
            assert!(text.is_char_boundary(s.span.start) && text.is_char_boundary(s.span.end));
            let st = s.span.slice(&text);
            assert_eq!(st, st.trim());
            let after = text[s.span.end..].chars().next();
            if let (Some(last), Some(next)) = (st.chars().last(), after) {
                assert!(
                    !(last.is_alphanumeric() && next.is_alphanumeric()),
                    "cut inside a word: {st:?}"
                );
            }
            for abbr in ["Gen.", "Col.", "Maj.", "Lt.", "Dr.", "Mr.", "Sgt."] {
                assert!(!st.ends_with(abbr), "ends after {abbr}: {st:?}");
            }
            covered += st.chars().filter(|c| !c.is_whitespace()).count();
            prev_end = s.span.end;
        }
        assert_eq!(covered, text.chars().filter(|c| !c.is_whitespace()).count());
        if std::env::var("SHOW").is_ok() {
            for s in &sents {
                println!("[{}] {}", s.paragraph, s.span.slice(&text));
            }
        }
    }
}
