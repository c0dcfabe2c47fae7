//! One normalization for gazetteer names and running text, so that
//! transliteration variants meet on the same key: "Deir ez-Zor", "Dayr az
//! Zawr" and "Deir al-Zour" all become `dir zur`.
//!
//! Text is cut into word tokens; each token keeps the byte span of its
//! original surface (including an Arabic article glued to it), so a match
//! over normalized tokens maps straight back to the original text.

/// One word of the input after normalization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Range of the normalized form in [`Tokens::buf`].
    pub norm: (u32, u32),
    /// Byte span of the word in the original text (article included).
    pub start: usize,
    pub end: usize,
    /// Start of the word itself when an article was stripped in front of it.
    pub word_start: usize,
    /// First letter upper-case (or a digit: "M4", "T4").
    pub cap: bool,
    /// Every letter upper-case ("QAMISHLI", "US").
    pub all_caps: bool,
    /// An Arabic article was stripped in front of it.
    pub article: bool,
    /// What separates this token from the previous one.
    pub gap: Gap,
}

/// The separator before a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gap {
    /// Start of text.
    Start,
    /// Spaces only.
    Space,
    /// A hyphen or dash ("Damascus-Baghdad", "Iraqi-Syrian").
    Hyphen,
    /// Comma, parenthesis, quote and the like.
    Soft,
    /// Sentence or line break: names never span it.
    Hard,
}

/// Normalized tokens of one text.
#[derive(Debug, Default, Clone)]
pub struct Tokens {
    pub buf: String,
    pub toks: Vec<Token>,
}

impl Tokens {
    pub fn norm(&self, i: usize) -> &str {
        let (a, b) = self.toks[i].norm;
        &self.buf[a as usize..b as usize]
    }
}

/// Arabic definite article forms, as written before a name.
const ARTICLES: &[&str] = &[
    "al", "el", "a", "as", "ad", "ar", "at", "az", "ash", "an", "ez", "e", "es", "ed", "er", "et",
    "ul", "il", "adh", "ath",
];

fn is_article(lower: &str) -> bool {
    ARTICLES.contains(&lower)
}

/// Apostrophe-like marks (ayn, hamza, quotes) dropped inside words.
fn is_mark(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2019}' | '\u{2018}' | '`' | '\u{02BF}' | '\u{02BE}' | '\u{02BC}' | '\u{00B4}'
    )
}

fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}'
    )
}

/// Normalizes the letters of one word (already lower-case ASCII) into `out`.
///
/// Vowel and consonant variants of Arabic transliteration collapse: o/u,
/// e/i, ou/oo → u, ee → i, dh/z, q/k, kh/k, gh/g, ph/f, a final -ah/-eh
/// loses its h, doubled letters collapse, and ay/ai/ey/ei before a
/// consonant become i (Dayr, Deir), aw before a consonant u (Zawr).
pub fn normalize_word(word: &str, out: &mut String) {
    let b = word.as_bytes();
    let mut tmp: [u8; 64] = [0; 64];
    let mut n = 0usize;
    let mut i = 0usize;
    // Drop a final h after a vowel: Raqqah, Lataminah, Latamneh.
    let mut end = b.len();
    if end >= 4 && b[end - 1] == b'h' && matches!(b[end - 2], b'a' | b'e') {
        end -= 1;
    }
    while i < end {
        let c = b[i];
        let next = if i + 1 < end { b[i + 1] } else { 0 };
        let (m, adv) = match (c, next) {
            (b'o', b'u') | (b'o', b'o') => (b'u', 2),
            (b'e', b'e') => (b'i', 2),
            (b'd', b'h') => (b'z', 2),
            (b'k', b'h') | (b'c', b'k') => (b'k', 2),
            (b'g', b'h') => (b'g', 2),
            (b'p', b'h') => (b'f', 2),
            (b't', b'h') => (b't', 2),
            (b'a' | b'e', b'y' | b'i') => {
                let after = if i + 2 < end { b[i + 2] } else { 0 };
                if after != 0 && !matches!(after, b'a' | b'e' | b'i' | b'o' | b'u' | b'y') {
                    (b'i', 2)
                } else {
                    (if c == b'e' { b'i' } else { b'a' }, 1)
                }
            }
            (b'a', b'w') => {
                let after = if i + 2 < end { b[i + 2] } else { 0 };
                if after != 0 && !matches!(after, b'a' | b'e' | b'i' | b'o' | b'u' | b'y') {
                    (b'u', 2)
                } else {
                    (b'a', 1)
                }
            }
            (b'o', _) => (b'u', 1),
            (b'e', _) => (b'i', 1),
            (b'q', _) => (b'k', 1),
            _ => (c, 1),
        };
        i += adv;
        // Collapse doubled letters.
        if n > 0 && tmp[n - 1] == m {
            continue;
        }
        if n < tmp.len() {
            tmp[n] = m;
            n += 1;
        } else {
            // Over-long "words" (URLs, hashes) are kept raw.
            out.push_str(word);
            return;
        }
    }
    // Only ASCII bytes were written.
    out.extend(tmp[..n].iter().map(|&c| c as char));
}

/// Normalizes a gazetteer name into its lookup key (tokens joined by one
/// space). Articles are stripped the same way as in running text.
pub fn normalize_key(name: &str) -> String {
    let t = tokenize(name, true);
    let mut key = String::with_capacity(name.len());
    for i in 0..t.toks.len() {
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(t.norm(i));
    }
    key
}

/// Tokenizes and normalizes `text`. With `name_mode`, every article form is
/// stripped (gazetteer names); in running text a space-separated article
/// must be capitalised, precede a capitalised word and not start a
/// sentence ("As Syria..." is English).
pub fn tokenize(text: &str, name_mode: bool) -> Tokens {
    let mut out = Tokens {
        buf: String::with_capacity(text.len()),
        toks: Vec::with_capacity(text.len() / 5),
    };
    let mut raw = String::with_capacity(32);
    let mut gap = Gap::Start;
    let mut pending_article: Option<(usize, Gap)> = None;
    let mut it = text.char_indices().peekable();
    while let Some(&(pos, c)) = it.peek() {
        if c.is_alphanumeric() {
            // Collect one word: letters, digits and inner apostrophes.
            raw.clear();
            let start = pos;
            let mut end = pos;
            let mut cap = false;
            let mut all_caps = true;
            let mut first = true;
            let mut has_alpha = false;
            while let Some(&(p, ch)) = it.peek() {
                if ch.is_alphanumeric() {
                    if first {
                        cap = ch.is_uppercase() || ch.is_numeric();
                        first = false;
                    }
                    if ch.is_alphabetic() {
                        has_alpha = true;
                        if ch.is_lowercase() {
                            all_caps = false;
                        }
                    }
                    if ch.is_ascii() {
                        raw.push(ch.to_ascii_lowercase());
                    } else if let Some(s) = deunicode::deunicode_char(ch) {
                        for d in s.chars().filter(|d| d.is_ascii_alphanumeric()) {
                            raw.push(d.to_ascii_lowercase());
                        }
                    }
                    end = p + ch.len_utf8();
                    it.next();
                } else if is_mark(ch) {
                    // Inside a word ("Dar'a", "Qa’im") the mark is dropped;
                    // a possessive "'s" ends the word.
                    let mut look = it.clone();
                    look.next();
                    match look.peek() {
                        Some(&(_, n)) if n.is_alphanumeric() => {
                            let mut look2 = look.clone();
                            look2.next();
                            let poss = (n == 's' || n == 'S')
                                && look2.peek().is_none_or(|&(_, x)| !x.is_alphanumeric());
                            if poss {
                                break;
                            }
                            it.next();
                        }
                        _ => break,
                    }
                } else {
                    break;
                }
            }
            all_caps &= has_alpha && raw.len() > 1;
            // An article: "al-", "a-", "Al " before a capitalised word.
            let next_char = it.peek().map(|&(_, ch)| ch);
            if is_article(&raw) {
                let hyphen = next_char.is_some_and(is_dash);
                let spaced = next_char == Some(' ');
                let next_word_cap = {
                    let mut look = it.clone();
                    look.next();
                    look.peek().is_some_and(|&(_, ch)| ch.is_uppercase())
                };
                let ok = if hyphen {
                    // "al-Tanf", "a-Suwayda", "ez-Zor"; never "a-" in words
                    // like "a-10": the next char must be a letter.
                    let mut look = it.clone();
                    look.next();
                    look.peek().is_some_and(|&(_, ch)| ch.is_alphabetic())
                } else if spaced && next_word_cap {
                    name_mode
                        || (cap
                            && raw.len() >= 2
                            && !matches!(gap, Gap::Start | Gap::Hard))
                        || (!cap && matches!(raw.as_str(), "al" | "el"))
                        // "Dayr az Zawr", "Jisr ash Shughur": a lower-case
                        // article between two capitalised words; never the
                        // English words "as", "at", "an" ("Kherson as Ukraine").
                        || (!cap
                            && matches!(raw.as_str(), "az" | "ash" | "ez" | "ad" | "adh" | "ath" | "ar" | "ul")
                            && out.toks.last().is_some_and(|p| p.cap && p.end + 1 == start))
                } else {
                    false
                };
                if ok && pending_article.is_none() {
                    pending_article = Some((start, gap));
                    // Skip the separator; the next word inherits the gap.
                    it.next();
                    continue;
                }
            }
            let (tstart, tgap, article) = match pending_article.take() {
                Some((s, g)) => (s, g, true),
                None => (start, gap, false),
            };
            let a = out.buf.len() as u32;
            normalize_word(&raw, &mut out.buf);
            let b = out.buf.len() as u32;
            out.toks.push(Token {
                norm: (a, b),
                start: tstart,
                end,
                word_start: start,
                cap,
                all_caps,
                article,
                gap: tgap,
            });
            gap = Gap::Space;
        } else {
            // Separator: classify the strongest one between two words.
            let g = match c {
                ' ' | '\t' | '\u{a0}' => Gap::Space,
                '.' | '!' | '?' | ';' | '\n' | '\r' | ':' | '|' | '•' => Gap::Hard,
                c if is_dash(c) => Gap::Hyphen,
                _ => Gap::Soft,
            };
            gap = match (gap, g) {
                (Gap::Start, _) => Gap::Start,
                (Gap::Hard, _) | (_, Gap::Hard) => Gap::Hard,
                (Gap::Soft, _) | (_, Gap::Soft) => Gap::Soft,
                (Gap::Hyphen, _) | (_, Gap::Hyphen) => Gap::Hyphen,
                _ => Gap::Space,
            };
            // "U.S." and "St." keep their dot without closing a sentence
            // when a lower-case word or digit follows; cheap enough here.
            if c == '.' && pos + 1 < text.len() {
                let rest = &text[pos + 1..];
                let next = rest.trim_start_matches(' ').chars().next();
                if next.is_some_and(|n| n.is_lowercase() || n.is_ascii_digit()) {
                    gap = Gap::Soft;
                }
            }
            it.next();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> String {
        normalize_key(s)
    }

    #[test]
    fn transliteration_variants_meet() {
        assert_eq!(k("al-Tanf"), k("Tanf"));
        assert_eq!(k("a-Tanf"), k("At Tanf"));
        assert_eq!(k("Deir ez-Zor"), k("Dayr az Zawr"));
        assert_eq!(k("Deir ez-Zor"), k("Deir al-Zour"));
        assert_eq!(k("Deir e-Zor"), k("Deir ez-Zor"));
        assert_eq!(k("Dayr az Zour"), k("Deir ez-Zor"));
        assert_eq!(k("al-Mayadeen"), k("Mayadin"));
        assert_eq!(k("a-Suwayda"), k("as-Suwayda"));
        assert_eq!(k("Raqqah"), k("Raqqa"));
        assert_eq!(k("Dar'a"), k("Daraa"));
        assert_eq!(k("Ḩasakah"), k("Hasaka"));
        assert_eq!(k("Qa’im"), k("Qaim"));
    }

    #[test]
    fn spans_keep_article_and_possessive() {
        let text = "near al-Tanf, Syria’s border. As Syria said";
        let t = tokenize(text, false);
        let words: Vec<&str> = t.toks.iter().map(|x| &text[x.start..x.end]).collect();
        assert_eq!(
            words,
            ["near", "al-Tanf", "Syria", "s", "border", "As", "Syria", "said"]
        );
        assert!(t.toks[1].article && t.toks[1].cap);
        assert_eq!(t.toks[5].gap, Gap::Hard);
    }

    #[test]
    fn english_words_between_capitals_stay() {
        let text = "shelling hits Kherson as Ukraine strikes; Dayr az Zawr";
        let t = tokenize(text, false);
        let words: Vec<&str> = t.toks.iter().map(|x| &text[x.start..x.end]).collect();
        assert_eq!(
            words,
            ["shelling", "hits", "Kherson", "as", "Ukraine", "strikes", "Dayr", "az Zawr"]
        );
    }

    #[test]
    fn capitalised_spaced_article_mid_sentence() {
        let text = "fighting in Al Bukamal and At Tanf";
        let t = tokenize(text, false);
        let words: Vec<&str> = t.toks.iter().map(|x| &text[x.start..x.end]).collect();
        assert_eq!(words, ["fighting", "in", "Al Bukamal", "and", "At Tanf"]);
    }
}
