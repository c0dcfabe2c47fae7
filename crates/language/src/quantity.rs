//! Quantities: numbers with their unit or head noun, qualifiers, ranges
//! and casualty counts.
//!
//! "more than 60 soldiers" → 60, MoreThan, "soldier";
//! "1,100 square km" → 1100, "square km"; "55-km" → 55, "km";
//! "668 people have been killed" → casualty Killed;
//! "about 2000 injured" → 2000, About, "people", casualty Injured.
//!
//! Vague counts (Approx::Vague) use the estimates in
//! `data/language/number_words.tsv`: "several" = 3 ("several thousand" =
//! 3000), "dozens" = 24, "scores" = 40, "hundreds" = 200, "thousands" =
//! 2000, "tens of thousands" = 20,000; "a dozen" is 12, About.
//!
//! Not quantities: numbers inside time expressions (dates, years, "two
//! weeks ago"), clock times, ages ("a 25-year-old", "25 years old"),
//! ordinals ("18th"), numbers glued to names ("F-16"), and numbers with
//! no head noun or unit ("Kurdistan 24,").

use crate::time::token::{lower, tokenize, Kind, Tok};
use crate::time::{read_number, Words, CLASS_NUM, CLASS_QTY};
use sitrep_model::{Approx, CasualtyKind, Quantity, Sentence, Span};
use std::collections::HashMap;
use std::sync::OnceLock;

const UNITS: &str = include_str!("../../../data/language/units.tsv");

/// Units of measure, keyed by lower-case surface (one or two words).
pub struct Units {
    map: HashMap<&'static str, &'static str>,
}

impl Units {
    pub fn parse(src: &'static str) -> Result<Self, crate::LanguageError> {
        Self::parse_lines(src).map_err(|reason| crate::LanguageError::Dictionary {
            path: "data/language/units.tsv".into(),
            reason,
        })
    }

    fn parse_lines(src: &'static str) -> Result<Self, String> {
        let mut map = HashMap::new();
        for (n, line) in src.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let mut cols = line.trim_end().split('\t');
            let (Some(surface), Some(canon), None) = (cols.next(), cols.next(), cols.next()) else {
                return Err(format!("units.tsv:{}: expected 2 columns", n + 1));
            };
            if map.insert(surface, canon).is_some() {
                return Err(format!("units.tsv:{}: duplicate {surface:?}", n + 1));
            }
        }
        Ok(Units { map })
    }

    pub fn builtin() -> &'static Units {
        static U: OnceLock<Units> = OnceLock::new();
        // Tested in `builtin_units_parse`; empty is the safe fallback.
        U.get_or_init(|| {
            Units::parse(UNITS).unwrap_or_else(|_| Units {
                map: HashMap::new(),
            })
        })
    }

    pub fn get(&self, surface: &str) -> Option<&'static str> {
        self.map.get(surface).copied()
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// Words that end a head noun phrase.
const NP_STOP: &[&str] = &[
    "of", "from", "to", "in", "on", "at", "near", "with", "by", "for", "into", "toward", "towards",
    "across", "along", "against", "during", "since", "as", "than", "and", "or", "but", "who",
    "which", "that", "were", "was", "are", "is", "have", "has", "had", "been", "being", "will",
    "would", "could", "said", "the", "a", "an", "were", "while", "when", "where", "inside",
    "outside", "south", "north", "east", "west", "ago", "old", "more", "less", "each", "per",
    "between", "under", "over", "after", "before", "this", "these", "those", "it", "they", "he",
    "she", "we", "its", "their",
];

/// Time units: "three years", "40 minutes" are durations, not counts.
const DURATIONS: &[&str] = &[
    "year", "month", "week", "day", "hour", "minute", "min", "second", "sec", "decade", "century",
    "night",
];

/// Heads that make a number no quantity worth reporting.
/// Clock words ("10 pm", "0600 GMT") are times of day, not counts.
const BAD_HEADS: &[&str] = &[
    "time", "times", "way", "ways", "other", "others", "another", "one", "ones", "pm", "am", "gmt",
    "utc", "hrs", "o", "local",
];

const KILLED: &[&str] = &[
    "killed",
    "dead",
    "died",
    "deaths",
    "death",
    "fatalities",
    "killing",
    "lives",
    "perished",
    "slain",
    "dying",
];
const INJURED: &[&str] = &[
    "injured", "wounded", "injuries", "injuring", "wounding", "hurt", "wounds",
];

/// All quantities in `text`.
pub fn find(text: &str, sentences: &[Sentence]) -> Vec<Quantity> {
    let toks = tokenize(text);
    let times = crate::time::spans(text, &toks, sentences);
    find_in(text, &toks, &times)
}

/// Quantities from tokens, skipping the given time-expression spans
/// (sorted by start).
pub(crate) fn find_in(text: &str, toks: &[Tok], times: &[Span]) -> Vec<Quantity> {
    let sc = Scanner {
        text,
        toks,
        words: Words::builtin(),
        units: Units::builtin(),
    };
    let mut out: Vec<Quantity> = Vec::new();
    let mut ti = 0usize;
    let mut i = 0usize;
    while i < toks.len() {
        let t = toks[i];
        while ti < times.len() && times[ti].end <= t.start {
            ti += 1;
        }
        if times
            .get(ti)
            .is_some_and(|s| s.start <= t.start && t.end <= s.end)
        {
            i += 1;
            continue;
        }
        match sc.at(i) {
            Some((mut q, end)) => {
                // "killed five civilians, including two children": the
                // included count shares the casualty kind.
                if q.casualty.is_none() {
                    if let Some(prev) = out.last() {
                        let between = text.get(prev.span.end..q.span.start).unwrap_or("");
                        if between.len() < 16 && between.contains("including") {
                            q.casualty = prev.casualty;
                        }
                    }
                }
                out.push(q);
                i = end.max(i + 1);
            }
            None => i += 1,
        }
    }
    out
}

struct Scanner<'a> {
    text: &'a str,
    toks: &'a [Tok],
    words: &'static Words,
    units: &'static Units,
}

impl<'a> Scanner<'a> {
    fn s(&self, i: usize) -> &'a str {
        self.toks.get(i).map_or("", |t| &self.text[t.start..t.end])
    }

    fn kind(&self, i: usize) -> Option<Kind> {
        self.toks.get(i).map(|t| t.kind)
    }

    fn is(&self, i: usize, w: &str) -> bool {
        self.kind(i) == Some(Kind::Word) && self.s(i).eq_ignore_ascii_case(w)
    }

    fn is_any(&self, i: usize, ws: &[&str]) -> bool {
        self.kind(i) == Some(Kind::Word) && ws.iter().any(|w| self.s(i).eq_ignore_ascii_case(w))
    }

    fn punct(&self, i: usize, p: &str) -> bool {
        self.kind(i) == Some(Kind::Punct) && self.s(i) == p
    }

    fn glued(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| !t.space)
    }

    /// A qualifier ending just before `i`: (approx, first token).
    fn qualifier(&self, i: usize) -> (Approx, usize) {
        let w = |k: usize| i.checked_sub(k).map_or("", |j| self.s(j));
        let eq = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
        let two = |a: &str, b: &str| eq(w(2), a) && eq(w(1), b);
        if eq(w(3), "no") && two("fewer", "than") || eq(w(3), "no") && two("less", "than") {
            return (Approx::AtLeast, i - 3);
        }
        if eq(w(3), "as") && two("many", "as") {
            return (Approx::UpTo, i - 3);
        }
        for (a, b, ap) in [
            ("more", "than", Approx::MoreThan),
            ("at", "least", Approx::AtLeast),
            ("up", "to", Approx::UpTo),
            ("at", "most", Approx::UpTo),
            ("fewer", "than", Approx::LessThan),
            ("less", "than", Approx::LessThan),
            ("upwards", "of", Approx::MoreThan),
            ("an", "estimated", Approx::About),
            ("close", "to", Approx::About),
        ] {
            if two(a, b) {
                return (ap, i - 2);
            }
        }
        let one = w(1);
        let ap = match one.to_ascii_lowercase().as_str() {
            "about" | "around" | "approximately" | "roughly" | "some" | "nearly" | "almost"
            | "estimated" | "circa" | "approx" | "~" => Approx::About,
            "over" => Approx::MoreThan,
            "under" => Approx::LessThan,
            _ => return (Approx::Exact, i),
        };
        (ap, i - 1)
    }

    /// A quantity starting at token `i`; returns it and the token after it.
    fn at(&self, i: usize) -> Option<(Quantity, usize)> {
        let t = self.toks[i];
        if t.kind == Kind::Punct || (t.kind == Kind::Word && t.class & (CLASS_NUM | CLASS_QTY) == 0)
        {
            return None;
        }
        // "F-16", "Resolution-2254": a number glued to a word before it.
        if t.kind == Kind::Num && !t.space && i > 0 && self.kind(i - 1) != Some(Kind::Punct) {
            return None;
        }
        if t.kind == Kind::Num && !t.space && i >= 2 && self.punct(i - 1, "-") && self.glued(i - 1)
        {
            return None;
        }
        // "tens of thousands of"
        let (num, vague_tens) =
            if self.is(i, "tens") && self.is(i + 1, "of") && self.is(i + 2, "thousands") {
                (Some((20_000.0, i + 3, true)), true)
            } else {
                (
                    read_number(self.text, self.toks, i, self.words)
                        .map(|p| (p.value, p.end, p.vague)),
                    false,
                )
            };
        let (value, mut end, vague) = num?;
        let digits = t.kind == Kind::Num;
        let first_word = self.s(i);
        // Ordinals "18th", clock times "8:30", "No. 5", money "$5" is fine.
        if digits && self.glued(i + 1) && self.is_any(i + 1, &["st", "nd", "rd", "th"]) {
            return None;
        }
        if digits
            && self.punct(i + 1, ":")
            && self.glued(i + 2)
            && self.kind(i + 2) == Some(Kind::Num)
        {
            return None;
        }
        if digits && i >= 2 && self.punct(i - 1, ".") && self.is_any(i - 2, &["no", "nos"]) {
            return None;
        }
        if self.is_any(i, &["one"])
            && (self.is_any(i + 1, &["of", "another"])
                || i > 0
                    && self.is_any(
                        i - 1,
                        &["no", "the", "any", "each", "every", "this", "that"],
                    ))
        {
            return None;
        }
        if i > 0 && self.is_any(i - 1, &["aged", "age", "ages"]) {
            return None;
        }
        // "$350 million", "US$ 20", "€5": the currency is the unit.
        let currency = if digits && i > 0 && (self.glued(i) || self.is(i - 1, "US")) {
            match self.s(i - 1) {
                "$" => Some("usd"),
                "€" => Some("eur"),
                "£" => Some("gbp"),
                _ => None,
            }
        } else {
            None
        };
        let q_at = if currency.is_some() {
            if i >= 2 && self.is(i - 2, "US") && self.glued(i - 1) {
                i - 2
            } else {
                i - 1
            }
        } else {
            i
        };
        let (mut approx, mut first) = self.qualifier(q_at);
        // A bare 4-digit year-like number is a count only when qualified or
        // followed by a casualty word or a plural noun.
        let yearish = digits && self.s(i).len() == 4 && (1900.0..=2100.0).contains(&value);
        if vague || vague_tens {
            approx = if approx == Approx::Exact {
                Approx::Vague
            } else {
                approx
            };
        }
        if first_word.eq_ignore_ascii_case("a")
            && (value - 12.0).abs() < f64::EPSILON
            && approx == Approx::Exact
        {
            approx = Approx::About;
        }
        // Ranges: "20 to 30", "20-30", "20–30", "between 20 and 30".
        let mut value_max = None;
        if self.is_any(end, &["to", "and"]) || (self.punct(end, "-") || self.punct(end, "–")) {
            let is_and = self.is(end, "and");
            let between = i > 0 && self.is(i - 1, "between");
            if !is_and || between {
                if let Some(p) = read_number(self.text, self.toks, end + 1, self.words) {
                    let hy = !self.is_any(end, &["to", "and"]);
                    let glued_ok = !hy || (self.glued(end) && self.glued(end + 1));
                    if glued_ok && p.value > value && p.digits == digits {
                        value_max = Some(p.value);
                        end = p.end;
                        if between {
                            first = first.min(i - 1);
                        }
                    }
                }
            }
        }
        // "of" after a vague count or a scale: "dozens of civilians".
        let vague_of = (vague || vague_tens) && self.is(end, "of");
        if vague_of {
            end += 1;
        }
        // "55-km", "12-member", but not ages or durations ("25-year-old",
        // "two-day").
        let (unit, head_end) = if let Some(c) = currency {
            (c.to_string(), end)
        } else if self.punct(end, "-")
            && self.glued(end)
            && self.glued(end + 1)
            && self.kind(end + 1) == Some(Kind::Word)
        {
            let w = self.s(end + 1);
            if self.is_any(
                end + 1,
                &["year", "month", "week", "day", "hour", "minute", "second"],
            ) {
                return None;
            }
            let mut buf = [0u8; 24];
            let lw = lower(w, &mut buf).unwrap_or("");
            (
                self.units
                    .get(lw)
                    .map(str::to_string)
                    .unwrap_or_else(|| singular(lw)),
                end + 2,
            )
        } else if self.punct(end, "%") && self.glued(end) {
            ("%".to_string(), end + 1)
        } else if self.kind(end) == Some(Kind::Word) && self.glued(end) {
            // "110km", "5kg"
            let mut buf = [0u8; 24];
            let lw = lower(self.s(end), &mut buf).unwrap_or("");
            (self.units.get(lw)?.to_string(), end + 1)
        } else {
            match self.head(end) {
                Some(h) => h,
                // "injured more than 300": people, by the verb before.
                None => match first.checked_sub(1).and_then(|k| self.casualty_word(k)) {
                    Some(CasualtyKind::Killed) => ("people:killed".to_string(), end),
                    Some(CasualtyKind::Injured) => ("people:injured".to_string(), end),
                    None => return None,
                },
            }
        };
        if BAD_HEADS.contains(&unit.as_str()) {
            return None;
        }
        // Ages: "25 years old".
        if self.is_any(head_end, &["old"]) && unit == "year" {
            return None;
        }
        // "Thousands return": a vague count without "of" needs a plural head.
        if (vague || vague_tens)
            && !vague_of
            && !unit.starts_with("people:")
            && !unit_is_plural(self.s(head_end - 1))
        {
            return None;
        }
        if DURATIONS.contains(&unit.as_str()) {
            // Durations are time, not counts of things ("three years").
            return None;
        }
        let casualty_head = unit == "people:killed" || unit == "people:injured";
        if yearish && approx == Approx::Exact && !casualty_head && !unit_is_plural(self.s(end)) {
            return None;
        }
        let (unit, mut casualty) = match unit.as_str() {
            "people:killed" => ("people".to_string(), Some(CasualtyKind::Killed)),
            "people:injured" => ("people".to_string(), Some(CasualtyKind::Injured)),
            _ => (unit, None),
        };
        if casualty.is_none() && self.units.get(&unit).is_none() && !unit.contains('%') {
            casualty = self.casualty(first, head_end);
        }
        let span = Span::new(self.toks[first].start, self.toks[head_end - 1].end);
        Some((
            Quantity {
                span,
                value,
                value_max,
                approx,
                unit,
                casualty,
            },
            head_end,
        ))
    }

    /// The head noun phrase at `j`: (unit, end).
    fn head(&self, j: usize) -> Option<(String, usize)> {
        let mut buf = [0u8; 24];
        // Units, longest first ("square km", "per cent").
        if self.kind(j) == Some(Kind::Word) && self.kind(j + 1) == Some(Kind::Word) {
            let mut two = String::with_capacity(24);
            two.push_str(&self.s(j).to_ascii_lowercase());
            two.push(' ');
            two.push_str(&self.s(j + 1).to_ascii_lowercase());
            if let Some(u) = self.units.get(&two) {
                return Some((u.to_string(), j + 2));
            }
        }
        if self.kind(j) == Some(Kind::Word) {
            if let Some(u) = lower(self.s(j), &mut buf).and_then(|w| self.units.get(w)) {
                // A one-letter unit ("m") only right after the number.
                if self.s(j).len() > 1 || self.toks[j].space {
                    return Some((u.to_string(), j + 1));
                }
            }
        }
        // "2000 injured", "22 dead": the casualty word is the head.
        if self.is_any(j, INJURED) && !self.is(j, "injuries") {
            return Some(("people:injured".into(), j + 1));
        }
        if self.is_any(j, &["dead", "killed"]) {
            return Some(("people:killed".into(), j + 1));
        }
        // Collect the noun phrase.
        let mut k = j;
        while k < self.toks.len()
            && k < j + 6
            && self.kind(k) == Some(Kind::Word)
            && !self.is_any(k, NP_STOP)
        {
            // A new line ends the phrase.
            if k > j && self.toks[k].line {
                break;
            }
            k += 1;
            // Hyphenated compounds continue it: "anti-tank missiles".
            if self.punct(k, "-")
                && self.glued(k)
                && self.glued(k + 1)
                && self.kind(k + 1) == Some(Kind::Word)
            {
                k += 1;
            }
        }
        if k == j {
            return None;
        }
        // All capitalised ("High Mobility Artillery Rocket Systems"): the
        // whole name, last word singular.
        let caps = (j..k).all(|x| self.s(x).chars().next().is_some_and(char::is_uppercase));
        if caps {
            // A single capitalised word right after a number is more often a
            // name ("Kurdistan 24 TV") unless it is plural.
            if k - j == 1 && !unit_is_plural(self.s(j)) {
                return None;
            }
            let mut s = String::new();
            for x in j..k {
                if x > j {
                    s.push(' ');
                }
                let w = self.s(x).to_lowercase();
                if x + 1 == k {
                    s.push_str(&singular(&w));
                } else {
                    s.push_str(&w);
                }
            }
            return Some((s, k));
        }
        // First plural word, else the last word.
        for x in j..k {
            if self.s(x).chars().next().is_some_and(char::is_lowercase) && unit_is_plural(self.s(x))
            {
                return Some((singular(&self.s(x).to_lowercase()), x + 1));
            }
        }
        // Singular heads: the last lower-case word before any participle or
        // adverb ("one senior official", "one group seen").
        let mut x = None;
        for y in j..k {
            let w = self.s(y);
            if !w.chars().next().is_some_and(char::is_lowercase) {
                continue;
            }
            if x.is_some() && (w.ends_with("ing") || w.ends_with("ed") || w.ends_with("ly")) {
                break;
            }
            x = Some(y);
        }
        let x = x?;
        let w = self.s(x).to_lowercase();
        if w.ends_with("ing") || w.ends_with("ed") || w.ends_with("ly") {
            return None;
        }
        Some((singular(&w), x + 1))
    }

    fn casualty_word(&self, k: usize) -> Option<CasualtyKind> {
        if self.is_any(k, KILLED) {
            Some(CasualtyKind::Killed)
        } else if self.is_any(k, INJURED) {
            Some(CasualtyKind::Injured)
        } else {
            None
        }
    }

    /// Casualty words in the quantity's clause: the verb right before it
    /// ("killed 19 people and injured 300"), else forward to the clause end
    /// ("22 people were killed"), else a few tokens back.
    fn casualty(&self, first: usize, end: usize) -> Option<CasualtyKind> {
        let classify = |k: usize| self.casualty_word(k);
        if let Some(c) = first.checked_sub(1).and_then(classify) {
            return Some(c);
        }
        let clause_end = |k: usize| {
            self.kind(k) == Some(Kind::Punct)
                && matches!(self.s(k), "," | ";" | "." | ":" | "(" | "”" | "\"")
                || self.kind(k) == Some(Kind::Num)
        };
        let mut k = end;
        while k < self.toks.len() && k < end + 8 && !clause_end(k) {
            if let Some(c) = classify(k) {
                return Some(c);
            }
            k += 1;
        }
        let mut k = first;
        for _ in 0..3 {
            if k == 0 {
                break;
            }
            k -= 1;
            if clause_end(k) {
                break;
            }
            if let Some(c) = classify(k) {
                return Some(c);
            }
            if self.is(k, "toll") {
                return Some(CasualtyKind::Killed);
            }
        }
        None
    }
}

fn unit_is_plural(w: &str) -> bool {
    let lw = w.to_ascii_lowercase();
    (lw.len() > 3
        && lw.ends_with('s')
        && !lw.ends_with("ss")
        && !lw.ends_with("us")
        && !lw.ends_with("is"))
        || lw.ends_with("men")
        || matches!(
            lw.as_str(),
            "people" | "children" | "personnel" | "police" | "troops" | "civilians"
        )
}

/// A plural noun's singular, by English spelling rules good enough for
/// heads ("militiamen" → "militiaman", "casualties" → "casualty").
fn singular(w: &str) -> String {
    if matches!(
        w,
        "people" | "personnel" | "police" | "news" | "series" | "species" | "aircraft"
    ) {
        return w.to_string();
    }
    if w == "children" {
        return "child".into();
    }
    if let Some(s) = w.strip_suffix("men") {
        return format!("{s}man");
    }
    if let Some(s) = w.strip_suffix("ies") {
        if s.len() > 1 {
            return format!("{s}y");
        }
    }
    for suf in ["sses", "shes", "ches", "xes", "zes"] {
        if let Some(s) = w.strip_suffix(suf) {
            return format!("{s}{}", &suf[..suf.len() - 2]);
        }
    }
    if w.len() > 3
        && w.ends_with('s')
        && !w.ends_with("ss")
        && !w.ends_with("us")
        && !w.ends_with("is")
    {
        return w[..w.len() - 1].to_string();
    }
    w.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sentences;

    type Row = (
        String,
        f64,
        Option<f64>,
        Approx,
        String,
        Option<CasualtyKind>,
    );

    fn q(text: &str) -> Vec<Row> {
        find(text, &sentences::split(text))
            .into_iter()
            .map(|q| {
                (
                    q.span.slice(text).to_string(),
                    q.value,
                    q.value_max,
                    q.approx,
                    q.unit,
                    q.casualty,
                )
            })
            .collect()
    }

    fn one(text: &str) -> Row {
        let v = q(text);
        assert_eq!(v.len(), 1, "{text:?}: {v:?}");
        v[0].clone()
    }

    #[test]
    fn builtin_units_parse() {
        let u = Units::parse(UNITS).expect("units parse");
        assert!(u.len() > 40);
        assert_eq!(u.get("square kilometres"), Some("square km"));
        assert!(Units::parse("km\tkm\nkm\tkm\n").is_err());
    }

    #[test]
    fn counts_with_heads_and_qualifiers() {
        use Approx::*;
        assert_eq!(
            one("Aircraft dropped 90,000 leaflets over the town."),
            (
                "90,000 leaflets".into(),
                90000.0,
                None,
                Exact,
                "leaflet".into(),
                None
            )
        );
        assert_eq!(
            one("The column included more than 60 soldiers and a tank.").0,
            "more than 60 soldiers"
        );
        assert_eq!(
            one("The column included more than 60 soldiers and a tank.").3,
            MoreThan
        );
        assert_eq!(
            one("The group claimed 3,000 members of the militia had arrived.").4,
            "member"
        );
        assert_eq!(
            one("Rebels hold about 1,100 square km of desert.").4,
            "square km"
        );
        assert_eq!(one("Rebels hold about 1,100 square km of desert.").3, About);
        assert_eq!(
            one("They moved two Medium Range Air Defense Systems north.").4,
            "medium range air defense system"
        );
        assert_eq!(one("An estimated 1.5 million people fled.").1, 1_500_000.0);
        assert_eq!(one("Twenty-five trucks crossed at dawn.").1, 25.0);
        let v = one("Several thousand militiamen massed near the border.");
        assert_eq!((v.1, v.3, v.4.as_str()), (3000.0, Vague, "militiaman"));
        let v = one("Dozens of families returned.");
        assert_eq!((v.1, v.3, v.4.as_str()), (24.0, Vague, "family"));
        assert_eq!(one("A dozen drones were shot down.").3, About);
        let v = one("Between 20 and 30 fighters surrendered.");
        assert_eq!((v.1, v.2), (20.0, Some(30.0)));
        assert_eq!(one("Some 20-30 fighters surrendered.").2, Some(30.0));
        assert_eq!(one("Up to 40 vehicles were seen.").3, UpTo);
    }

    #[test]
    fn units_glued_and_hyphenated() {
        let v = q("A 55-km (34-mile) zone surrounds the base, 80km south of the river.");
        let got: Vec<(f64, &str)> = v.iter().map(|x| (x.1, x.4.as_str())).collect();
        assert_eq!(got, vec![(55.0, "km"), (34.0, "mile"), (80.0, "km")]);
        assert_eq!(one("Officials said 85% of the town was damaged.").4, "%");
        assert_eq!(one("The convoy moved 140 miles south.").4, "mile");
    }

    #[test]
    fn casualties() {
        use CasualtyKind::*;
        assert_eq!(
            one("At least 22 people were killed in the blast.").5,
            Some(Killed)
        );
        assert_eq!(
            one("At least 22 people were killed in the blast.").3,
            Approx::AtLeast
        );
        let v = q("A doctor said 412 residents have been killed and about 1500 injured, with more than 90 amputees.");
        let got: Vec<(f64, &str, Option<CasualtyKind>)> =
            v.iter().map(|x| (x.1, x.4.as_str(), x.5)).collect();
        assert_eq!(
            got,
            vec![
                (412.0, "resident", Some(Killed)),
                (1500.0, "people", Some(Injured)),
                (90.0, "amputee", None)
            ]
        );
        assert_eq!(one("The strike killed 14 civilians.").5, Some(Killed));
        assert_eq!(one("Medics treated 9 wounded soldiers.").5, Some(Injured));
        assert_eq!(one("The raid left 30 fighters dead.").5, Some(Killed));
    }

    #[test]
    fn currency_implied_heads_and_inclusions() {
        use CasualtyKind::*;
        let v = one("Rebuilding will cost $350 million, officials said.");
        assert_eq!((v.1, v.4.as_str()), (350_000_000.0, "usd"));
        assert_eq!(
            one("Sugar sold for more than $20 a kilo.").3,
            Approx::MoreThan
        );
        let v = q("The blast killed 19 people and injured more than 300.");
        let got: Vec<(f64, &str, Option<CasualtyKind>)> =
            v.iter().map(|x| (x.1, x.4.as_str(), x.5)).collect();
        assert_eq!(
            got,
            vec![
                (19.0, "people", Some(Killed)),
                (300.0, "people", Some(Injured))
            ]
        );
        let v = q("Shelling killed five civilians, including two children, on the road.");
        assert_eq!(
            v.iter().map(|x| x.5).collect::<Vec<_>>(),
            vec![Some(Killed), Some(Killed)]
        );
    }

    #[test]
    fn compounds_durations_and_vague_heads() {
        assert_eq!(one("The boat carried 20 anti-tank missiles.").4, "missile");
        assert_eq!(one("Only one senior official attended.").4, "official");
        assert!(q("The firefight lasted about 40 minutes.").is_empty());
        assert!(q("Thousands return to their villages.").is_empty());
        assert_eq!(one("Thousands of people returned.").1, 2000.0);
        let v = one("Police fired, injuring dozens.");
        assert_eq!(
            (v.1, v.3, v.4.as_str(), v.5),
            (24.0, Approx::Vague, "people", Some(CasualtyKind::Injured))
        );
    }

    #[test]
    fn not_quantities() {
        for t in [
            "In 2017, the brigade moved east.",
            "The attack on June 8 came two weeks ago.",
            "A 25-year-old medic was hurt at 8:30.",
            "He is 25 years old.",
            "It was the 18th attack.",
            "She told Kurdistan 24, a broadcaster.",
            "One of the last bastions fell.",
            "The F-16 crashed.",
            "A two-day truce began.",
            "The curfew starts at 10 pm and ends at 0600 GMT.",
        ] {
            assert!(q(t).is_empty(), "{t:?}: {:?}", q(t));
        }
    }
}
