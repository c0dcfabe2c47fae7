//! Calendar and number words, loaded from `data/language/time_words.tsv`
//! and `data/language/number_words.tsv`, plus the number-phrase reader
//! shared with the quantity scanner.

use super::token::{lower, num_value, Kind, Tok};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

/// FNV-1a: short lexicon keys hash several times faster than with SipHash,
/// and the keys are our own data, not attacker-chosen.
#[derive(Default)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        // hashbrown indexes by the low bits and tags by the top 7: mix so
        // that both depend on every input byte.
        let h = self.0 ^ (self.0 >> 29);
        let h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
        h ^ (h >> 32)
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// Word classes, as bit flags: what a word can start.
pub(crate) const CLASS_CAL: u8 = 1;
pub(crate) const CLASS_NUM: u8 = 2;
pub(crate) const CLASS_TIME: u8 = 4;
pub(crate) const CLASS_QTY: u8 = 8;

/// Grammar words that can start a time expression ("last week",
/// "yesterday", "mid-June", "over the weekend", "days ago").
const TIME_TRIGGERS: &[&str] = &[
    "early",
    "mid",
    "middle",
    "late",
    "last",
    "next",
    "this",
    "past",
    "yesterday",
    "today",
    "tonight",
    "tomorrow",
    "over",
    "at",
    "a",
    "an",
    "one",
    "days",
    "the",
    "earlier",
    "later",
    "spring",
    "summer",
    "autumn",
    "fall",
    "winter",
];
/// Words besides number words that can start a quantity.
const QTY_TRIGGERS: &[&str] = &["a", "an", "tens"];

const TIME_WORDS: &str = include_str!("../../../../data/language/time_words.tsv");
const NUMBER_WORDS: &str = include_str!("../../../../data/language/number_words.tsv");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CalWord {
    Month(u32),
    MonthAbbr(u32),
    Weekday(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumKind {
    Unit,
    Tens,
    Scale,
    Vague,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct NumWord {
    pub value: f64,
    pub kind: NumKind,
}

pub(crate) struct Lexicon {
    cal: FastMap<&'static str, CalWord>,
    nums: FastMap<&'static str, NumWord>,
    classes: FastMap<&'static [u8], u8>,
    /// Per first letter, a bit per word length (1..=12) present among the
    /// class words: rejects most words before hashing.
    prefilter: [u16; 26],
}

fn rows(src: &'static str) -> impl Iterator<Item = (usize, Vec<&'static str>)> {
    src.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(n, l)| (n + 1, l.trim_end().split('\t').collect()))
}

impl Lexicon {
    pub(crate) fn parse(
        time_words: &'static str,
        number_words: &'static str,
    ) -> Result<Self, crate::LanguageError> {
        Self::parse_lines(time_words, number_words).map_err(|reason| {
            crate::LanguageError::Dictionary {
                path: "data/language/time_words.tsv, number_words.tsv".into(),
                reason,
            }
        })
    }

    fn parse_lines(time_words: &'static str, number_words: &'static str) -> Result<Self, String> {
        let mut cal = FastMap::default();
        for (n, cols) in rows(time_words) {
            let [word, kind, value] = cols[..] else {
                return Err(format!("time_words.tsv:{n}: expected 3 columns"));
            };
            let v: u32 = value
                .parse()
                .map_err(|_| format!("time_words.tsv:{n}: bad value"))?;
            let w = match kind {
                "month" if (1..=12).contains(&v) => CalWord::Month(v),
                "month_abbr" if (1..=12).contains(&v) => CalWord::MonthAbbr(v),
                "weekday" if v < 7 => CalWord::Weekday(v),
                _ => return Err(format!("time_words.tsv:{n}: bad kind or value")),
            };
            if cal.insert(word, w).is_some() {
                return Err(format!("time_words.tsv:{n}: duplicate {word:?}"));
            }
        }
        let mut nums = FastMap::default();
        for (n, cols) in rows(number_words) {
            let [word, value, kind] = cols[..] else {
                return Err(format!("number_words.tsv:{n}: expected 3 columns"));
            };
            let value: f64 = value
                .parse()
                .map_err(|_| format!("number_words.tsv:{n}: bad value"))?;
            let kind = match kind {
                "unit" => NumKind::Unit,
                "tens" => NumKind::Tens,
                "scale" => NumKind::Scale,
                "vague" => NumKind::Vague,
                _ => return Err(format!("number_words.tsv:{n}: bad kind")),
            };
            if nums.insert(word, NumWord { value, kind }).is_some() {
                return Err(format!("number_words.tsv:{n}: duplicate {word:?}"));
            }
        }
        let mut classes: FastMap<&'static [u8], u8> = FastMap::default();
        for w in cal.keys() {
            *classes.entry(w.as_bytes()).or_default() |= CLASS_CAL;
        }
        for w in nums.keys() {
            *classes.entry(w.as_bytes()).or_default() |= CLASS_NUM;
        }
        for w in TIME_TRIGGERS {
            *classes.entry(w.as_bytes()).or_default() |= CLASS_TIME;
        }
        for w in QTY_TRIGGERS {
            *classes.entry(w.as_bytes()).or_default() |= CLASS_QTY;
        }
        let mut prefilter = [0u16; 26];
        for w in classes.keys() {
            if w.len() > 12 || !w[0].is_ascii_lowercase() {
                return Err(format!(
                    "class word {:?} must be short lower-case ASCII",
                    String::from_utf8_lossy(w)
                ));
            }
            prefilter[usize::from(w[0] - b'a')] |= 1 << w.len();
        }
        Ok(Lexicon {
            cal,
            nums,
            classes,
            prefilter,
        })
    }

    pub(crate) fn builtin() -> &'static Lexicon {
        static LEX: OnceLock<Lexicon> = OnceLock::new();
        LEX.get_or_init(|| {
            // Tested in `builtin_lexicons_parse`; empty maps are the safe
            // fallback (nothing is found rather than a panic).
            Lexicon::parse(TIME_WORDS, NUMBER_WORDS).unwrap_or_else(|_| Lexicon {
                cal: FastMap::default(),
                nums: FastMap::default(),
                classes: FastMap::default(),
                prefilter: [0; 26],
            })
        })
    }

    pub(crate) fn cal(&self, word: &str) -> Option<CalWord> {
        let mut buf = [0u8; 24];
        self.cal.get(lower(word, &mut buf)?).copied()
    }

    /// The word's class bits (0 for a word that starts nothing).
    pub(crate) fn class(&self, word: &str) -> u8 {
        let wb = word.as_bytes();
        // Every class word is short ASCII; longer words start nothing.
        let Some(first) = wb.first().map(u8::to_ascii_lowercase) else {
            return 0;
        };
        if wb.len() > 12
            || !first.is_ascii_lowercase()
            || self.prefilter[usize::from(first - b'a')] & (1 << wb.len()) == 0
        {
            return 0;
        }
        let mut buf = [0u8; 12];
        for (d, s) in buf.iter_mut().zip(wb) {
            *d = s.to_ascii_lowercase();
        }
        self.classes.get(&buf[..wb.len()]).copied().unwrap_or(0)
    }

    pub(crate) fn num(&self, word: &str) -> Option<NumWord> {
        let mut buf = [0u8; 24];
        self.nums.get(lower(word, &mut buf)?).copied()
    }
}

/// A number phrase read from the token stream.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct NumPhrase {
    pub value: f64,
    /// Token index just past the phrase.
    pub end: usize,
    /// Read from a vague word ("several", "dozens").
    pub vague: bool,
    /// Digits were involved ("3,000", "1.5 million").
    pub digits: bool,
}

/// Reads a number phrase at token `i`: digits ("3,000"), digits with a
/// scale word ("1.5 million"), number words ("two", "twenty-five",
/// "two thousand", "a dozen", "a hundred"), vague words ("several
/// thousand", "dozens", "hundreds").
pub(crate) fn read_number(text: &str, toks: &[Tok], i: usize, lex: &Lexicon) -> Option<NumPhrase> {
    let t = toks.get(i)?;
    let s = &text[t.start..t.end];
    let scale_at = |j: usize| -> Option<f64> {
        let tk = toks.get(j)?;
        if tk.kind != Kind::Word {
            return None;
        }
        let w = lex.num(&text[tk.start..tk.end])?;
        (w.kind == NumKind::Scale).then_some(w.value)
    };
    match t.kind {
        Kind::Num => {
            let mut value = num_value(s)?;
            let mut end = i + 1;
            while let Some(sc) = scale_at(end) {
                value *= sc;
                end += 1;
            }
            Some(NumPhrase {
                value,
                end,
                vague: false,
                digits: true,
            })
        }
        Kind::Word => {
            let mut j = i;
            // "a dozen", "a hundred", "a few", "a couple of"
            let article = s.eq_ignore_ascii_case("a") || s.eq_ignore_ascii_case("an");
            if article {
                j += 1;
            }
            let tk = toks.get(j)?;
            let w = lex.num(&text[tk.start..tk.end])?;
            if article && !matches!(w.kind, NumKind::Scale | NumKind::Vague) && w.value != 12.0 {
                return None;
            }
            let mut value = w.value;
            let vague = w.kind == NumKind::Vague;
            let mut end = j + 1;
            if w.kind == NumKind::Tens {
                // "twenty-five" / "twenty five"
                if let (Some(h), Some(u)) = (toks.get(end), toks.get(end + 1)) {
                    let hyph = h.kind == Kind::Punct
                        && &text[h.start..h.end] == "-"
                        && !u.space
                        && !h.space;
                    if hyph {
                        if let Some(uw) = lex
                            .num(&text[u.start..u.end])
                            .filter(|x| x.kind == NumKind::Unit && x.value < 10.0)
                        {
                            value += uw.value;
                            end += 2;
                        }
                    }
                }
            }
            // "several thousand", "two hundred", "hundreds of thousands" is
            // left to the caller ("of" is a quantity head marker).
            while let Some(sc) = scale_at(end) {
                if vague && w.value >= 100.0 {
                    break;
                }
                value *= sc;
                end += 1;
            }
            // A bare "hundred"/"thousand" without a count ("a" or a
            // number) is not a number.
            if w.kind == NumKind::Scale && !article {
                return None;
            }
            Some(NumPhrase {
                value,
                end,
                vague,
                digits: false,
            })
        }
        Kind::Punct => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::token::tokenize;
    use super::*;

    #[test]
    fn builtin_lexicons_parse() {
        let lex = Lexicon::parse(TIME_WORDS, NUMBER_WORDS).expect("lexicons parse");
        assert_eq!(lex.cal("June"), Some(CalWord::Month(6)));
        assert_eq!(lex.cal("Aug"), Some(CalWord::MonthAbbr(8)));
        assert_eq!(lex.cal("Thursday"), Some(CalWord::Weekday(3)));
        assert_eq!(lex.num("Twenty").map(|w| w.kind), Some(NumKind::Tens));
        assert!(Lexicon::parse("may\tmonth\t13\n", "").is_err());
        assert!(Lexicon::parse("", "two\tx\tunit\n").is_err());
    }

    fn num(t: &str) -> Option<(f64, usize, bool)> {
        let toks = tokenize(t);
        read_number(t, &toks, 0, Lexicon::builtin()).map(|p| (p.value, p.end, p.vague))
    }

    #[test]
    fn number_phrases() {
        assert_eq!(num("3,000 members"), Some((3000.0, 1, false)));
        assert_eq!(num("1.5 million people"), Some((1_500_000.0, 2, false)));
        assert_eq!(num("twenty-five fighters"), Some((25.0, 3, false)));
        assert_eq!(num("two thousand"), Some((2000.0, 2, false)));
        assert_eq!(num("several thousand men"), Some((3000.0, 2, true)));
        assert_eq!(num("a dozen trucks"), Some((12.0, 2, false)));
        assert_eq!(num("dozens of"), Some((24.0, 1, true)));
        assert_eq!(num("a man"), None);
        assert_eq!(num("thousand"), None);
    }
}
