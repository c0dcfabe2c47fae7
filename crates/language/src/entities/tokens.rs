//! A light word tokenizer shared by the entity and claim finders: words
//! (letters and digits with inner hyphens and apostrophes) and single
//! punctuation characters, with byte spans. No allocation per token.

/// One token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tok {
    pub start: usize,
    pub end: usize,
    /// True for words, false for a punctuation character.
    pub word: bool,
}

impl Tok {
    pub fn text<'a>(&self, text: &'a str) -> &'a str {
        &text[self.start..self.end]
    }
}

fn is_inner_joiner(c: char) -> bool {
    matches!(c, '-' | '\'' | '\u{2019}')
}

/// Splits `text` into tokens. Whitespace is dropped. ASCII bytes take a
/// fast path; other characters are decoded.
pub fn tokenize(text: &str) -> Vec<Tok> {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let char_at = |i: usize| text[i..].chars().next().unwrap_or(' ');
    let alnum_at = |i: usize| {
        i < n
            && (bytes[i].is_ascii_alphanumeric()
                || (bytes[i] >= 0x80 && char_at(i).is_alphanumeric()))
    };
    let mut out = Vec::with_capacity(n / 5);
    let mut i = 0;
    while i < n {
        let b = bytes[i];
        if b < 0x80 && !b.is_ascii_alphanumeric() {
            if !b.is_ascii_whitespace() {
                out.push(Tok {
                    start: i,
                    end: i + 1,
                    word: false,
                });
            }
            i += 1;
            continue;
        }
        let c = if b < 0x80 { b as char } else { char_at(i) };
        if !c.is_alphanumeric() {
            if !c.is_whitespace() {
                out.push(Tok {
                    start: i,
                    end: i + c.len_utf8(),
                    word: false,
                });
            }
            i += c.len_utf8();
            continue;
        }
        let start = i;
        i += c.len_utf8();
        while i < n {
            let b = bytes[i];
            if b.is_ascii_alphanumeric() {
                i += 1;
            } else if b < 0x80 {
                // A joiner stays inside the word only when a letter or
                // digit follows it ("al-Assad", "Iran's").
                if (b == b'-' || b == b'\'') && alnum_at(i + 1) {
                    i += 1;
                } else {
                    break;
                }
            } else {
                let d = char_at(i);
                let joined = is_inner_joiner(d) && alnum_at(i + d.len_utf8());
                if d.is_alphanumeric() || joined {
                    i += d.len_utf8();
                } else {
                    break;
                }
            }
        }
        out.push(Tok {
            start,
            end: i,
            word: true,
        });
    }
    out
}

/// True when only spaces or tabs (no line break) separate `a` and `b`.
pub fn same_line_gap(text: &str, a_end: usize, b_start: usize) -> bool {
    a_end <= b_start
        && text[a_end..b_start]
            .chars()
            .all(|c| c.is_whitespace() && c != '\n' && c != '\r')
}

/// First character is an upper-case letter, or the word is an Arabic
/// article form glued to a capitalised name ("al-Assad", "a-Sheyukh").
pub fn is_capitalised(word: &str) -> bool {
    let mut chars = word.chars();
    match chars.next() {
        Some(c) if c.is_uppercase() => true,
        Some(c) if c.is_lowercase() => {
            for prefix in [
                "al-", "a-", "el-", "as-", "ad-", "ar-", "at-", "az-", "an-", "ash-", "ibn-",
                "bin-",
            ] {
                if let Some(rest) = word.strip_prefix(prefix) {
                    return rest.chars().next().is_some_and(char::is_uppercase);
                }
            }
            false
        }
        _ => false,
    }
}

/// All letters upper case and at least two of them ("ISIS", "ADS").
pub fn is_all_caps(word: &str) -> bool {
    let mut n = 0;
    for c in word.chars() {
        if c.is_lowercase() {
            return false;
        }
        if c.is_uppercase() {
            n += 1;
        }
    }
    n >= 2
}

/// The word without a possessive ending ("Rizk's" → "Rizk").
pub fn strip_possessive(word: &str) -> &str {
    word.strip_suffix("'s")
        .or_else(|| word.strip_suffix("\u{2019}s"))
        .unwrap_or(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_punctuation() {
        let t = "Iran's al-Assad, the US-led (coalition).";
        let toks = tokenize(t);
        let words: Vec<&str> = toks.iter().map(|k| k.text(t)).collect();
        assert_eq!(
            words,
            [
                "Iran's",
                "al-Assad",
                ",",
                "the",
                "US-led",
                "(",
                "coalition",
                ")",
                "."
            ]
        );
    }

    #[test]
    fn capitalisation() {
        assert!(is_capitalised("Rizk"));
        assert!(is_capitalised("a-Sheyukh"));
        assert!(!is_capitalised("al-tanf"));
        assert!(!is_capitalised("said"));
        assert!(is_all_caps("ISIS"));
        assert!(!is_all_caps("I"));
        assert_eq!(strip_possessive("Rizk\u{2019}s"), "Rizk");
    }
}
