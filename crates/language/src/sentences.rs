//! Sentence splitting for news text.
//!
//! One forward byte scan. Only the bytes that can end a sentence ('.', '!',
//! '?', '…', '[', line breaks) trigger any look-around, so the splitter runs
//! at memory-scan speed on ordinary prose.
//!
//! Rules, in order:
//! - a line break always ends a sentence (lists, captions, headings and
//!   datelines are their own sentences); runs of line breaks start a new
//!   paragraph;
//! - '.' inside a number ("1.5"), a dotted name ("U.S", "gmail.com") or
//!   after an abbreviation from `data/language/abbreviations.tsv` or a
//!   single capital initial ("Myles B. Caggins") does not end a sentence;
//! - closing quotes and brackets after the terminator belong to the
//!   sentence; a sentence never ends before a lower-case word, so
//!   `...?” the statement said.` stays one sentence;
//! - ellipses ("…", "...") end a sentence only before a capital letter;
//!   the bracketed elision "[…]" never does, while "[.]" acts as a period.

use sitrep_model::{Sentence, Span};
use std::collections::HashMap;
use std::collections::HashSet;
use std::sync::OnceLock;

const ABBREVIATIONS: &str = include_str!("../../../data/language/abbreviations.tsv");
const STARTERS: &str = include_str!("../../../data/language/sentence_starters.txt");

/// How an abbreviation behaves before the next word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbbrevKind {
    /// Precedes a name; never ends a sentence ("Gen.", "Dr.").
    Title,
    /// Precedes a number ("No. 5", "Aug. 23"); otherwise like `Common`.
    Number,
    /// May end a sentence ("Inc.", "U.S.").
    Common,
}

/// The abbreviation and sentence-starter lexicons.
pub struct Lexicon {
    abbrev: HashMap<&'static str, AbbrevKind>,
    starters: HashSet<&'static str>,
}

impl Lexicon {
    /// Parses the embedded lexicon files. Malformed lines are reported so a
    /// broken data file fails its test instead of degrading silently.
    pub fn parse(
        abbrev: &'static str,
        starters: &'static str,
    ) -> Result<Self, crate::LanguageError> {
        Self::parse_lines(abbrev, starters).map_err(|reason| crate::LanguageError::Dictionary {
            path: "data/language/abbreviations.tsv".into(),
            reason,
        })
    }

    fn parse_lines(abbrev: &'static str, starters: &'static str) -> Result<Self, String> {
        let mut map = HashMap::new();
        for (n, line) in abbrev.lines().enumerate() {
            let line = line.trim_end();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut cols = line.split('\t');
            let (Some(word), Some(kind), None) = (cols.next(), cols.next(), cols.next()) else {
                return Err(format!("abbreviations.tsv:{}: expected 2 columns", n + 1));
            };
            let kind = match kind {
                "title" => AbbrevKind::Title,
                "number" => AbbrevKind::Number,
                "common" => AbbrevKind::Common,
                other => {
                    return Err(format!(
                        "abbreviations.tsv:{}: unknown kind {other:?}",
                        n + 1
                    ))
                }
            };
            if map.insert(word, kind).is_some() {
                return Err(format!("abbreviations.tsv:{}: duplicate {word:?}", n + 1));
            }
        }
        let starters = starters
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        Ok(Lexicon {
            abbrev: map,
            starters,
        })
    }

    /// The built-in lexicon (parsed once).
    pub fn builtin() -> &'static Lexicon {
        static LEX: OnceLock<Lexicon> = OnceLock::new();
        LEX.get_or_init(|| {
            // The embedded files are tested (`builtin_lexicon_parses`); an
            // empty lexicon is the safe fallback for a broken build.
            Lexicon::parse(ABBREVIATIONS, STARTERS).unwrap_or_else(|_| Lexicon {
                abbrev: HashMap::new(),
                starters: HashSet::new(),
            })
        })
    }

    pub fn abbreviation(&self, word: &str) -> Option<AbbrevKind> {
        self.abbrev.get(word).copied()
    }

    pub fn is_starter(&self, word: &str) -> bool {
        self.starters.contains(word)
    }

    pub fn len(&self) -> usize {
        self.abbrev.len()
    }

    pub fn is_empty(&self) -> bool {
        self.abbrev.is_empty()
    }
}

/// Splits `text` into sentences with byte spans (trimmed of surrounding
/// whitespace) and paragraph numbers.
pub fn split(text: &str) -> Vec<Sentence> {
    Splitter {
        text,
        bytes: text.as_bytes(),
        lex: Lexicon::builtin(),
        out: Vec::new(),
    }
    .run()
}

struct Splitter<'a> {
    text: &'a str,
    bytes: &'a [u8],
    lex: &'static Lexicon,
    out: Vec<Sentence>,
}

impl Splitter<'_> {
    fn run(mut self) -> Vec<Sentence> {
        let b = self.bytes;
        let n = b.len();
        self.out.reserve(n / 120 + 1);
        let mut seg = 0usize;
        let mut para = 0u32;
        let mut para_used = false;
        let mut i = 0usize;
        while i < n {
            match b[i] {
                b'\n' | b'\r' => {
                    if self.emit(seg, i, para) {
                        para_used = true;
                    }
                    while i < n && b[i].is_ascii_whitespace() {
                        i += 1;
                    }
                    if para_used {
                        para += 1;
                        para_used = false;
                    }
                    seg = i;
                    continue;
                }
                b'.' => {
                    let mut e = i + 1;
                    while e < n && b[e] == b'.' {
                        e += 1;
                    }
                    let end = if e - i >= 2 {
                        self.after_ellipsis(e)
                    } else {
                        self.after_period(i)
                    };
                    if let Some(end) = end {
                        para_used |= self.emit(seg, end, para);
                        seg = end;
                        i = end;
                    } else {
                        i = e;
                    }
                    continue;
                }
                b'!' | b'?' => {
                    let mut e = i + 1;
                    while e < n && matches!(b[e], b'!' | b'?') {
                        e += 1;
                    }
                    if let Some(end) = self.after_terminator(e, false) {
                        para_used |= self.emit(seg, end, para);
                        seg = end;
                        i = end;
                    } else {
                        i = e;
                    }
                    continue;
                }
                0xE2 if b.get(i + 1) == Some(&0x80) && b.get(i + 2) == Some(&0xA6) => {
                    // "…"
                    if let Some(end) = self.after_ellipsis(i + 3) {
                        para_used |= self.emit(seg, end, para);
                        seg = end;
                        i = end;
                    } else {
                        i += 3;
                    }
                    continue;
                }
                b'[' => {
                    // Editorial elisions: "[…]" and "[...]" never end a
                    // sentence, "[.]" stands for a period.
                    if let Some(close) = b[i + 1..n.min(i + 6)].iter().position(|&c| c == b']') {
                        let inner = &b[i + 1..i + 1 + close];
                        let after = i + close + 2;
                        if inner == b"." {
                            if let Some(end) = self.after_terminator(after, false) {
                                para_used |= self.emit(seg, end, para);
                                seg = end;
                                i = end;
                                continue;
                            }
                            i = after;
                            continue;
                        }
                        if !inner.is_empty()
                            && (inner == "…".as_bytes() || inner.iter().all(|&c| c == b'.'))
                        {
                            i = after;
                            continue;
                        }
                    }
                    i += 1;
                    continue;
                }
                _ => i += 1,
            }
        }
        self.emit(seg, n, para);
        self.out
    }

    /// Pushes the trimmed segment; returns whether it was non-empty.
    fn emit(&mut self, start: usize, end: usize, para: u32) -> bool {
        let Some(seg) = self.text.get(start..end) else {
            return false;
        };
        let lead = seg.len() - seg.trim_start().len();
        let trimmed = seg.trim();
        if trimmed.is_empty() {
            return false;
        }
        let s = start + lead;
        self.out.push(Sentence {
            span: Span::new(s, s + trimmed.len()),
            paragraph: para,
        });
        true
    }

    /// Skips closing quotes and brackets from `i`; returns the new index.
    fn skip_closers(&self, mut i: usize) -> usize {
        let b = self.bytes;
        loop {
            match b.get(i) {
                Some(b'"' | b'\'' | b')' | b']') => i += 1,
                // ’ ” (E2 80 99 / E2 80 9D) and » (C2 BB)
                Some(0xE2)
                    if b.get(i + 1) == Some(&0x80) && matches!(b.get(i + 2), Some(0x99 | 0x9D)) =>
                {
                    i += 3
                }
                Some(0xC2) if b.get(i + 1) == Some(&0xBB) => i += 2,
                _ => return i,
            }
        }
    }

    /// The first character at or after `i` that is not a space or tab, with
    /// its index; `None` at the end of the text or a line break.
    fn next_char(&self, mut i: usize) -> Option<(usize, char)> {
        let b = self.bytes;
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        // Non-breaking space (C2 A0) is common in scraped text.
        while b.get(i) == Some(&0xC2) && b.get(i + 1) == Some(&0xA0) {
            i += 2;
            while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
                i += 1;
            }
        }
        let c = self.text.get(i..)?.chars().next()?;
        if c == '\n' || c == '\r' {
            return None;
        }
        Some((i, c))
    }

    /// After '!', '?' (or "[.]"): the sentence end, or `None` to continue.
    /// `needs_capital` demands an upper-case (or quoted upper-case) start.
    fn after_terminator(&self, e: usize, needs_capital: bool) -> Option<usize> {
        let end = self.skip_closers(e);
        match self.bytes.get(end) {
            None => return Some(end),
            Some(c) if c.is_ascii_whitespace() => {}
            Some(0xC2) if self.bytes.get(end + 1) == Some(&0xA0) => {}
            _ => return None,
        }
        let Some((q, c)) = self.next_char(end) else {
            return Some(end);
        };
        if c.is_lowercase() {
            return None;
        }
        if needs_capital && !c.is_uppercase() {
            // Allow an opening quote before the capital.
            let rest = self.text.get(q + c.len_utf8()..)?;
            let next = rest.chars().next()?;
            if !(is_open_quote(c) && next.is_uppercase()) {
                return None;
            }
        }
        Some(end)
    }

    fn after_ellipsis(&self, e: usize) -> Option<usize> {
        self.after_terminator(e, true)
    }

    /// After a single '.' at `p`.
    fn after_period(&self, p: usize) -> Option<usize> {
        let b = self.bytes;
        let next = b.get(p + 1).copied();
        // "1.5", "U.S", "gmail.com": a period glued to what follows.
        if let Some(nx) = next {
            if nx.is_ascii_alphanumeric() {
                return None;
            }
        }
        // The word before the period, letters digits and inner dots only.
        let mut s = p;
        while s > 0 && (b[s - 1].is_ascii_alphanumeric() || b[s - 1] == b'.') {
            s -= 1;
        }
        let word = self.text.get(s..p).unwrap_or("");
        // A list marker opening a line ("1. Item", "b. Item").
        let mut ls = s;
        while ls > 0 && (b[ls - 1] == b' ' || b[ls - 1] == b'\t') {
            ls -= 1;
        }
        let line_start = ls == 0 || b[ls - 1] == b'\n' || b[ls - 1] == b'\r';
        if line_start
            && !word.is_empty()
            && word.len() <= 3
            && word.bytes().all(|c| c.is_ascii_digit())
        {
            return None;
        }
        let kind = self.abbrev_kind(word);
        let end = self.skip_closers(p + 1);
        match b.get(end) {
            None => return Some(end),
            Some(c) if c.is_ascii_whitespace() => {}
            Some(0xC2) if b.get(end + 1) == Some(&0xA0) => {}
            _ => return None,
        }
        let Some((q, c)) = self.next_char(end) else {
            return Some(end);
        };
        if c.is_lowercase() {
            return None;
        }
        match kind {
            None => Some(end),
            Some(AbbrevKind::Title) => None,
            Some(AbbrevKind::Number) if c.is_ascii_digit() => None,
            Some(AbbrevKind::Number | AbbrevKind::Common) => {
                let tail = self.text.get(q..).unwrap_or("");
                let w_end = tail
                    .find(|ch: char| !ch.is_alphanumeric())
                    .unwrap_or(tail.len());
                if self.lex.is_starter(&tail[..w_end]) {
                    Some(end)
                } else {
                    None
                }
            }
        }
    }

    fn abbrev_kind(&self, word: &str) -> Option<AbbrevKind> {
        if word.is_empty() {
            return None;
        }
        if let Some(k) = self.lex.abbreviation(word) {
            return Some(k);
        }
        let wb = word.as_bytes();
        // A single capital initial: "Myles B. Caggins".
        if wb.len() == 1 && wb[0].is_ascii_uppercase() {
            return Some(AbbrevKind::Title);
        }
        // Dotted initialisms: "U.S", "U.N", "a.m" (the final period is at p).
        if wb.len() >= 3
            && wb.iter().enumerate().all(|(k, c)| {
                if k % 2 == 0 {
                    c.is_ascii_alphabetic()
                } else {
                    *c == b'.'
                }
            })
        {
            return Some(AbbrevKind::Common);
        }
        None
    }
}

fn is_open_quote(c: char) -> bool {
    matches!(c, '"' | '\'' | '“' | '‘' | '«' | '(' | '[')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(t: &str) -> Vec<&str> {
        split(t).iter().map(|s| s.span.slice(t)).collect()
    }

    #[test]
    fn builtin_lexicon_parses() {
        let lex = Lexicon::parse(ABBREVIATIONS, STARTERS).expect("lexicon parses");
        assert!(lex.len() > 80);
        assert_eq!(lex.abbreviation("Gen"), Some(AbbrevKind::Title));
        assert_eq!(lex.abbreviation("Aug"), Some(AbbrevKind::Number));
        assert!(lex.is_starter("The"));
        assert!(Lexicon::parse("Gen\ttitle\nGen\ttitle\n", "").is_err());
        assert!(Lexicon::parse("Gen\tbogus\n", "").is_err());
    }

    #[test]
    fn ranks_and_titles() {
        let t = "Col. Gen. Pavel Orlov said Lt. Sgt. Dana Reyes was hurt. Maj. Gen. Ida Holm agreed. Dr. Sami Aziz and Mr. Lee left.";
        assert_eq!(
            texts(t),
            vec![
                "Col. Gen. Pavel Orlov said Lt. Sgt. Dana Reyes was hurt.",
                "Maj. Gen. Ida Holm agreed.",
                "Dr. Sami Aziz and Mr. Lee left."
            ]
        );
    }

    #[test]
    fn initialisms_dates_numbers_initials() {
        let t = "The U.S. Army and the U.N. envoy met on Dec. 4 at No. 10 Main St. in the city. Spokesman John K. Dorran said 2.5 tonnes arrived. In the U.S. The debate goes on.";
        assert_eq!(
            texts(t),
            vec![
                "The U.S. Army and the U.N. envoy met on Dec. 4 at No. 10 Main St. in the city.",
                "Spokesman John K. Dorran said 2.5 tonnes arrived.",
                "In the U.S.",
                "The debate goes on."
            ]
        );
    }

    #[test]
    fn quotes_stay_with_their_sentence() {
        let t = "“We will hold the line. Nobody leaves,” the commander said. “Is it safe?” she asked. He added: “Not yet.” Then he left.";
        assert_eq!(
            texts(t),
            vec![
                "“We will hold the line.",
                "Nobody leaves,” the commander said.",
                "“Is it safe?” she asked.",
                "He added: “Not yet.”",
                "Then he left."
            ]
        );
    }

    #[test]
    fn ellipses_and_brackets() {
        let t = "The group […] withdrew overnight. We waited … and waited. They were leaving[.] Nobody stopped them... Later the roads opened.";
        assert_eq!(
            texts(t),
            vec![
                "The group […] withdrew overnight.",
                "We waited … and waited.",
                "They were leaving[.]",
                "Nobody stopped them...",
                "Later the roads opened."
            ]
        );
    }

    #[test]
    fn lines_captions_and_paragraphs() {
        let t = "Convoy hit near the border\n\n3 June 2021\n\nA convoy was struck. Two trucks burned\nPHOTO: a burned truck\n\nOfficials said nothing.";
        let s = split(t);
        let got: Vec<(&str, u32)> = s.iter().map(|x| (x.span.slice(t), x.paragraph)).collect();
        assert_eq!(
            got,
            vec![
                ("Convoy hit near the border", 0),
                ("3 June 2021", 1),
                ("A convoy was struck.", 2),
                ("Two trucks burned", 2),
                ("PHOTO: a burned truck", 3),
                ("Officials said nothing.", 4)
            ]
        );
    }

    #[test]
    fn numbered_lists() {
        let t = "Demands:\n1. A ceasefire.\n2. Access for aid. Talks follow.\nThe year ended in 2017. Then it resumed.";
        assert_eq!(
            texts(t),
            vec![
                "Demands:",
                "1. A ceasefire.",
                "2. Access for aid.",
                "Talks follow.",
                "The year ended in 2017.",
                "Then it resumed."
            ]
        );
    }

    #[test]
    fn spans_are_trimmed_and_in_bounds() {
        let t = "  \n  First one.   Second one!  \n\n  ";
        assert_eq!(texts(t), vec!["First one.", "Second one!"]);
        assert!(split("").is_empty());
        assert!(split("   \n\n ").is_empty());
        // Multi-byte text never splits inside a character.
        let t = "Ça va. Über alles … Ende. «Oui.» Non.";
        for s in split(t) {
            assert!(t.is_char_boundary(s.span.start) && t.is_char_boundary(s.span.end));
        }
    }

    #[test]
    fn lowercase_continuation_is_not_a_break() {
        let t = "He cited e.g. the 3 p.m. deadline and the Jr. officers. It ended.";
        assert_eq!(
            texts(t),
            vec![
                "He cited e.g. the 3 p.m. deadline and the Jr. officers.",
                "It ended."
            ]
        );
    }
}
