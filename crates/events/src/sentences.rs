//! A fallback sentence splitter, used only when the language layer gave
//! no sentences (a bare snippet, or an analysis built by hand), so that
//! extraction still sees sentence and paragraph boundaries.

use sitrep_model::{Sentence, Span};

/// Abbreviations after which a period does not end a sentence.
const ABBREV: [&str; 16] = [
    "mr", "mrs", "ms", "dr", "gen", "col", "lt", "maj", "capt", "sgt", "st", "no", "vs", "jan",
    "feb", "aug",
];

pub fn split(text: &str) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut paragraph = 0u32;
    let mut start: Option<usize> = None;
    let mut newlines = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' {
            newlines += 1;
            if let Some(s) = start.take() {
                push(&mut out, text, s, i, paragraph);
            }
            i += 1;
            continue;
        }
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if start.is_none() {
            if newlines > 0 && !out.is_empty() {
                paragraph += 1;
            }
            newlines = 0;
            start = Some(i);
        }
        if matches!(b, b'.' | b'!' | b'?') && ends_sentence(text, start.unwrap_or(0), i) {
            let mut end = i + 1;
            while end < bytes.len() && matches!(bytes[end], b'"' | b'\'' | b')') {
                end += 1;
            }
            if let Some(s) = start.take() {
                push(&mut out, text, s, end, paragraph);
            }
            i = end;
            continue;
        }
        i += 1;
    }
    if let Some(s) = start {
        push(&mut out, text, s, text.len(), paragraph);
    }
    out
}

fn ends_sentence(text: &str, sent_start: usize, dot: usize) -> bool {
    let after = &text[dot + 1..];
    let next = after.trim_start_matches(['"', '\'', ')', '\u{201d}']);
    let Some(c) = next.chars().next() else {
        return true;
    };
    if !c.is_whitespace() {
        return false;
    }
    let word_start = text[sent_start..dot]
        .char_indices()
        .rev()
        .find(|(_, c)| !c.is_alphanumeric())
        .map_or(sent_start, |(p, c)| sent_start + p + c.len_utf8());
    let word = &text[word_start..dot];
    // "U.S." and initials: a single letter before the period.
    if word.chars().count() == 1 && word.chars().all(|c| c.is_uppercase()) {
        return false;
    }
    !ABBREV.iter().any(|a| a.eq_ignore_ascii_case(word))
}

fn push(out: &mut Vec<Sentence>, text: &str, s: usize, e: usize, paragraph: u32) {
    let e = text[s..e].trim_end().len() + s;
    if e > s {
        out.push(Sentence {
            span: Span::new(s, e),
            paragraph,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_sentences_and_paragraphs() {
        let t = "Gen. Smith said U.S. jets struck. Two died!\n\nA new paragraph here.";
        let s = split(t);
        let got: Vec<(&str, u32)> = s.iter().map(|s| (s.span.slice(t), s.paragraph)).collect();
        assert_eq!(
            got,
            vec![
                ("Gen. Smith said U.S. jets struck.", 0),
                ("Two died!", 0),
                ("A new paragraph here.", 1)
            ]
        );
    }
}
