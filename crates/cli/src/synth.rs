//! A synthetic news corpus for benchmarks and the durability tests.
//!
//! Articles are recombinations of sentences the Sitrep authors wrote for
//! this purpose (`data/synth.txt`), with real place names and invented
//! outlets, reporters and incidents. Generation is deterministic: the same
//! seed and count always give the same files, byte for byte.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

const BANK: &str = include_str!("../data/synth.txt");

/// The parsed sentence bank.
#[derive(Debug, Clone, Default)]
pub struct Bank {
    pub titles: Vec<&'static str>,
    pub sentences: Vec<&'static str>,
    pub places: Vec<&'static str>,
    pub actors: Vec<&'static str>,
    pub outlets: Vec<&'static str>,
    pub reporters: Vec<&'static str>,
    pub directions: Vec<&'static str>,
}

impl Bank {
    /// The embedded bank. Sections are `[name]` lines; `#` starts a comment.
    pub fn load() -> Self {
        let mut b = Bank::default();
        let mut section = "";
        for line in BANK.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(s) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = s;
                continue;
            }
            let v = match section {
                "titles" => &mut b.titles,
                "sentences" => &mut b.sentences,
                "places" => &mut b.places,
                "actors" => &mut b.actors,
                "outlets" => &mut b.outlets,
                "reporters" => &mut b.reporters,
                "directions" => &mut b.directions,
                _ => continue,
            };
            v.push(line);
        }
        b
    }
}

/// SplitMix64: tiny, fast and good enough to shuffle sentences.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        if v.is_empty() {
            ""
        } else {
            v[self.below(v.len())]
        }
    }
}

/// One generated article.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    pub title: String,
    pub outlet: String,
    /// YYYY-MM-DD.
    pub published: String,
    /// The full text as a `.txt` file would hold it: title, byline,
    /// date line, dateline-led body.
    pub text: String,
    /// The body alone (for JSON Lines input, where title and date are
    /// metadata).
    pub body: String,
}

const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Generates article `i` of the corpus with `seed`, with `sentences`
/// body sentences (at least 1).
pub fn article(bank: &Bank, seed: u64, i: u64, sentences: usize) -> Article {
    let mut rng = Rng(seed ^ i.wrapping_mul(0xA076_1D64_78BD_642F));
    let outlet = rng.pick(&bank.outlets).to_string();
    let reporter = rng.pick(&bank.reporters);
    let place = rng.pick(&bank.places);
    let mut place2 = rng.pick(&bank.places);
    if place2 == place {
        place2 = bank.places.first().copied().unwrap_or(place);
    }
    let actor = rng.pick(&bank.actors);
    let mut actor2 = rng.pick(&bank.actors);
    if actor2 == actor {
        actor2 = bank.actors.last().copied().unwrap_or(actor);
    }
    // Dates spread over 2016–2019; days 1..=28 are valid in every month.
    let (y, mo, d) = (2016 + rng.below(4), rng.below(12), 1 + rng.below(28));
    let published = format!("{y}-{:02}-{d:02}", mo + 1);
    let day = WEEKDAYS[rng.below(7)];
    let fill = |s: &str, rng: &mut Rng| -> String {
        let mut out = String::with_capacity(s.len() + 32);
        let mut rest = s;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            let slot = &rest[open + 1..open + close];
            match slot {
                "place" => out.push_str(place),
                "place2" => out.push_str(place2),
                "actor" => out.push_str(actor),
                "actor2" => out.push_str(actor2),
                "outlet" => out.push_str(&outlet),
                "day" => out.push_str(day),
                "dir" => out.push_str(rng.pick(&bank.directions)),
                "n" => {
                    let _ = write!(out, "{}", 2 + rng.below(40));
                }
                "m" => {
                    let _ = write!(out, "{}", 3 + rng.below(120));
                }
                "km" => {
                    let _ = write!(out, "{}", 5 + rng.below(80));
                }
                other => {
                    out.push('{');
                    out.push_str(other);
                    out.push('}');
                }
            }
            rest = &rest[open + close + 1..];
        }
        out.push_str(rest);
        // Sentences may start with a slot that is lower case ("government forces").
        let mut c = out.chars();
        match c.next() {
            Some(f) if f.is_lowercase() => f.to_uppercase().chain(c).collect(),
            _ => out,
        }
    };
    let title = fill(rng.pick(&bank.titles), &mut rng);
    let mut body = String::new();
    let _ = write!(body, "{} ({}) – ", place.to_uppercase(), outlet);
    let n = sentences.max(1);
    let mut used: Vec<usize> = Vec::with_capacity(n);
    for k in 0..n {
        // Avoid repeating a sentence within one article.
        let mut idx = rng.below(bank.sentences.len());
        for _ in 0..4 {
            if !used.contains(&idx) {
                break;
            }
            idx = rng.below(bank.sentences.len());
        }
        used.push(idx);
        body.push_str(&fill(bank.sentences[idx], &mut rng));
        body.push_str(if k % 3 == 2 { "\n\n" } else { " " });
    }
    // A closing line that makes every article's content unique.
    let _ = writeln!(
        body,
        "This is dispatch number {} from the {} desk.",
        i + 1,
        outlet
    );
    let text = format!("{title}\n\nBy {reporter}\n{d} {} {y}\n\n{body}", MONTHS[mo],);
    Article {
        title,
        outlet,
        published,
        text,
        body,
    }
}

/// Writes `n` articles under `dir` as `.txt` files (1,000 per subfolder)
/// or as one `corpus.jsonl`. Returns the bytes written.
pub fn write_corpus(
    dir: &Path,
    n: u64,
    seed: u64,
    jsonl: bool,
    sentences: usize,
) -> std::io::Result<u64> {
    std::fs::create_dir_all(dir)?;
    let bank = Bank::load();
    let mut bytes = 0u64;
    if jsonl {
        let f = std::fs::File::create(dir.join("corpus.jsonl"))?;
        let mut w = std::io::BufWriter::new(f);
        for i in 0..n {
            let a = article(&bank, seed, i, sentences);
            let line = serde_json::json!({
                "outlet": a.outlet, "title": a.title, "published": a.published, "text": a.body,
            });
            let s = line.to_string();
            w.write_all(s.as_bytes())?;
            w.write_all(b"\n")?;
            bytes += s.len() as u64 + 1;
        }
        w.flush()?;
    } else {
        for i in 0..n {
            let sub = dir.join(format!("{:03}", i / 1000));
            if i % 1000 == 0 {
                std::fs::create_dir_all(&sub)?;
            }
            let a = article(&bank, seed, i, sentences);
            std::fs::write(sub.join(format!("{i:06}.txt")), a.text.as_bytes())?;
            bytes += a.text.len() as u64;
        }
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bank_loads_all_sections() {
        let b = Bank::load();
        assert!(b.sentences.len() >= 30);
        assert!(b.titles.len() >= 5);
        assert!(b.places.len() >= 20);
        assert!(!b.actors.is_empty() && !b.outlets.is_empty() && !b.reporters.is_empty());
        assert!(!b.directions.is_empty());
    }

    #[test]
    fn articles_are_deterministic_unique_and_filled() {
        let b = Bank::load();
        let a = article(&b, 7, 3, 8);
        assert_eq!(a, article(&b, 7, 3, 8));
        assert_ne!(a.text, article(&b, 7, 4, 8).text);
        assert!(!a.text.contains('{'), "unfilled slot in {}", a.text);
        assert!(a.text.contains("By "));
        let mut seen = std::collections::HashSet::new();
        for i in 0..2000 {
            assert!(seen.insert(article(&b, 1, i, 3).text));
        }
    }
}
