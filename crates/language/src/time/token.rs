//! A small tokenizer shared by the time and quantity scanners: words
//! (alphabetic runs), numbers (digit runs with inner ',' or '.' before a
//! digit: "90,000", "1.5") and single punctuation characters, each with a
//! byte span and whether whitespace or a line break precedes it.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Word,
    Num,
    Punct,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Tok {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    /// Whitespace precedes the token.
    pub space: bool,
    /// A line break (or the start of the text) precedes the token.
    pub line: bool,
    /// Lexicon class bits of a word (see `lexicon::CLASS_*`), looked up
    /// once here so each scanner rejects ordinary words for free.
    pub class: u8,
}

pub(crate) fn tokenize(text: &str) -> Vec<Tok> {
    let lex = super::lexicon::Lexicon::builtin();
    let b = text.as_bytes();
    let n = b.len();
    let mut out = Vec::with_capacity(n / 5 + 1);
    let mut i = 0;
    let mut space = true;
    let mut line = true;
    while i < n {
        let c = b[i];
        if c.is_ascii_whitespace() {
            space = true;
            line |= c == b'\n' || c == b'\r';
            i += 1;
            continue;
        }
        let start = i;
        let kind = if c.is_ascii_digit() {
            i += 1;
            while i < n {
                if b[i].is_ascii_digit() {
                    i += 1;
                } else if (b[i] == b',' || b[i] == b'.') && i + 1 < n && b[i + 1].is_ascii_digit() {
                    i += 2;
                } else {
                    break;
                }
            }
            Kind::Num
        } else if c.is_ascii_alphabetic() {
            i += 1;
            i = word_end(text, i);
            Kind::Word
        } else if c < 0x80 {
            i += 1;
            Kind::Punct
        } else {
            let Some(ch) = text[i..].chars().next() else {
                break;
            };
            i += ch.len_utf8();
            if ch.is_whitespace() {
                space = true;
                continue;
            }
            if ch.is_alphabetic() {
                i = word_end(text, i);
                Kind::Word
            } else {
                Kind::Punct
            }
        };
        let class = if kind == Kind::Word {
            lex.class(&text[start..i])
        } else {
            0
        };
        out.push(Tok {
            start,
            end: i,
            kind,
            space,
            line,
            class,
        });
        space = false;
        line = false;
    }
    out
}

fn word_end(text: &str, mut i: usize) -> usize {
    let b = text.as_bytes();
    while i < b.len() {
        if b[i].is_ascii_alphabetic() {
            i += 1;
        } else if b[i] >= 0x80 {
            match text[i..].chars().next() {
                Some(ch) if ch.is_alphabetic() => i += ch.len_utf8(),
                _ => break,
            }
        } else {
            break;
        }
    }
    i
}

/// Case-insensitive lookup key: the ASCII-lowercased word in a stack
/// buffer (no allocation); `None` for long or non-ASCII words.
pub(crate) fn lower<'b>(word: &str, buf: &'b mut [u8; 24]) -> Option<&'b str> {
    let wb = word.as_bytes();
    if wb.len() > buf.len() || !word.is_ascii() {
        return None;
    }
    for (d, s) in buf.iter_mut().zip(wb) {
        *d = s.to_ascii_lowercase();
    }
    std::str::from_utf8(&buf[..wb.len()]).ok()
}

/// Integer value of a plain digit token ("2017", "08"); `None` if it has
/// separators or is too long.
pub(crate) fn int(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 9 || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Value of a number token with thousands commas ("90,000") or a decimal
/// point ("1.5"); a comma followed by other than three digits is read as a
/// decimal comma.
pub(crate) fn num_value(s: &str) -> Option<f64> {
    let groups: Vec<&str> = s.split(',').collect();
    if groups.len() > 1
        && groups[1..]
            .iter()
            .all(|g| g.len() == 3 || (g.len() > 3 && g.as_bytes()[3] == b'.'))
    {
        let joined: String = groups.concat();
        return joined.parse().ok();
    }
    if groups.len() == 2 && !s.contains('.') {
        return format!("{}.{}", groups[0], groups[1]).parse().ok();
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_values() {
        let t = "On Aug. 23, 90,000 leaflets (1.5 tonnes) fell\non al-Tanf’s 55-km zone";
        let toks = tokenize(t);
        let s: Vec<&str> = toks.iter().map(|k| &t[k.start..k.end]).collect();
        assert_eq!(
            s,
            vec![
                "On", "Aug", ".", "23", ",", "90,000", "leaflets", "(", "1.5", "tonnes", ")",
                "fell", "on", "al", "-", "Tanf", "’", "s", "55", "-", "km", "zone"
            ]
        );
        assert!(toks[0].line && toks[12].line && !toks[11].line);
        assert!(!toks[2].space && toks[3].space);
        assert_eq!(num_value("90,000"), Some(90000.0));
        assert_eq!(num_value("1,100.5"), Some(1100.5));
        assert_eq!(num_value("2,5"), Some(2.5));
        assert_eq!(int("2017"), Some(2017));
        assert_eq!(int("1,100"), None);
        let mut buf = [0u8; 24];
        assert_eq!(lower("June", &mut buf), Some("june"));
    }
}
