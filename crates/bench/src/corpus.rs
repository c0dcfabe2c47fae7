//! The synthetic benchmark corpus: our own writing, recombined.
//!
//! Article `i` is one of three kinds, all deterministic in (seed, i):
//! - 7 in 10: a `.txt` article from `sitrep::synth` (the sentence bank the
//!   Sitrep authors wrote, `crates/cli/data/synth.txt`, with real place
//!   names and invented outlets and incidents);
//! - 2 in 10 (i % 5 == 2): the same kind of article rendered as an `.html`
//!   page with the boilerplate real pages carry (cookie banner, menu, share
//!   bar, related links, footer), so HTML cleaning is part of the cost;
//! - 1 in 10 (i % 10 == 9): a `.txt` article whose body recombines
//!   paragraphs of our example articles (`examples/corpus/*.txt`).
//!
//! Files go 1,000 to a folder. A corpus is generated once per (seed, size,
//! generator version) under the work folder and reused by later runs; a
//! `.json` file beside the folder records what it holds and is written
//! last, so an interrupted generation is redone.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sitrep::synth::{self, Bank};

use crate::measure::BenchError;

/// Bump when the generated text changes, so cached corpora are not reused.
const GENERATOR: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Corpus {
    pub dir: PathBuf,
    pub articles: u64,
    pub bytes: u64,
    pub txt: u64,
    pub html: u64,
    pub remixed: u64,
    /// Seconds it took to generate (0 when reused from an earlier run).
    #[serde(default)]
    pub gen_s: f64,
}

/// SplitMix64 for our own choices (sentence counts, paragraphs).
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
}

/// Body paragraphs of our example `.txt` articles: blank-line separated
/// blocks long enough to be prose (headers, bylines and share lines are
/// shorter or lack a full stop).
pub fn example_paragraphs(dir: &Path) -> Vec<String> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .collect(),
        Err(_) => return Vec::new(),
    };
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        let text = text.replace("\r\n", "\n");
        for para in text.split("\n\n") {
            let p = para.trim();
            if p.len() >= 120 && p.contains(". ") && p.ends_with(['.', '"', '”']) {
                out.push(p.replace('\n', " "));
            }
        }
    }
    out
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            _ => o.push(c),
        }
    }
    o
}

/// An article as an HTML page with typical boilerplate around the text.
fn html_page(a: &synth::Article, related: &[&str]) -> String {
    let reporter = a
        .text
        .lines()
        .find_map(|l| l.strip_prefix("By "))
        .unwrap_or("Staff");
    let mut h = String::with_capacity(a.body.len() * 2 + 2048);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>{t} | {o}</title>\n\
         <meta property=\"og:site_name\" content=\"{o}\">\n\
         <meta property=\"article:published_time\" content=\"{d}T07:30:00+00:00\">\n\
         <link rel=\"stylesheet\" href=\"/static/site.css\"></head>\n<body>\n\
         <div class=\"cookie-notice\">We use cookies to understand how you use our site and to improve \
         your experience. <button>Accept all</button> <button>Manage settings</button></div>\n\
         <header><a class=\"logo\" href=\"/\">{o}</a><nav><ul><li><a href=\"/\">Home</a></li>\
         <li><a href=\"/world\">World</a></li><li><a href=\"/region\">Middle East</a></li>\
         <li><a href=\"/analysis\">Analysis</a></li><li><a href=\"/video\">Video</a></li>\
         <li><a href=\"/subscribe\">Subscribe</a></li></ul></nav></header>\n<main><article>\n\
         <h1>{t}</h1>\n<p class=\"byline\">By <a href=\"/author\">{r}</a> · {d}</p>\n",
        t = esc(&a.title),
        o = esc(&a.outlet),
        d = a.published,
        r = esc(reporter),
    );
    for (k, para) in a
        .body
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .enumerate()
    {
        let _ = writeln!(h, "<p>{}</p>", esc(para.trim()));
        if k == 1 {
            h.push_str("<div class=\"ad-slot\">Advertisement</div>\n");
        }
    }
    h.push_str(
        "<div class=\"share\">Share this article <a href=\"#\">Facebook</a> <a href=\"#\">X</a> \
         <a href=\"#\">WhatsApp</a> <a href=\"#\">Email</a></div>\n</article>\n\
         <aside class=\"related\"><h2>Related stories</h2><ul>\n",
    );
    for r in related {
        let _ = writeln!(h, "<li><a href=\"/story\">{}</a></li>", esc(r));
    }
    let _ = write!(
        h,
        "</ul></aside></main>\n<footer><p>© {y} {o}. All rights reserved.</p>\
         <p><a href=\"/about\">About us</a> · <a href=\"/privacy\">Privacy policy</a> · \
         <a href=\"/contact\">Contact</a></p></footer>\n</body></html>\n",
        y = &a.published[..4],
        o = esc(&a.outlet),
    );
    h
}

/// Article `i`: (file extension, file content, kind 0 txt / 1 html / 2 remix).
fn make(bank: &Bank, paras: &[String], seed: u64, i: u64) -> (&'static str, String, u8) {
    let mut rng = Rng(seed.rotate_left(17) ^ i.wrapping_mul(0xD1B5_4A32_D192_ED03));
    // 12–28 body sentences: 2–4 KB, the size of a typical news story.
    let sentences = 12 + rng.below(17);
    let a = synth::article(bank, seed, i, sentences);
    if i % 10 == 9 && !paras.is_empty() {
        let head_len = a.text.len() - a.body.len();
        let mut text = String::with_capacity(a.text.len() + 2048);
        text.push_str(&a.text[..head_len]);
        let n = 4 + rng.below(5);
        let mut used = Vec::with_capacity(n);
        for _ in 0..n {
            let k = rng.below(paras.len());
            if used.contains(&k) {
                continue;
            }
            used.push(k);
            text.push_str(&paras[k]);
            text.push_str("\n\n");
        }
        // Unique content per article, so none is an exact duplicate.
        let _ = writeln!(
            text,
            "This is dispatch number {} from the {} desk.",
            i + 1,
            a.outlet
        );
        return ("txt", text, 2);
    }
    if i % 5 == 2 {
        let related: Vec<&str> = (0..3)
            .map(|_| bank.titles[rng.below(bank.titles.len())])
            .collect();
        return ("html", html_page(&a, &related), 1);
    }
    ("txt", a.text, 0)
}

/// The corpus of `n` articles, generated unless a complete one is cached.
pub fn ensure(work: &Path, n: u64, seed: u64, examples: &Path) -> Result<Corpus, BenchError> {
    let paras = example_paragraphs(examples);
    let tag = if paras.is_empty() { "-noex" } else { "" };
    let dir = work.join(format!("corpus-v{GENERATOR}-s{seed}-n{n}{tag}"));
    let meta = dir.with_extension("json");
    if let Ok(s) = std::fs::read_to_string(&meta) {
        if let Ok(mut c) = serde_json::from_str::<Corpus>(&s) {
            if c.dir == dir && c.articles == n && dir.is_dir() {
                c.gen_s = 0.0;
                return Ok(c);
            }
        }
    }
    eprintln!("generating {n} articles in {} ...", dir.display());
    let t0 = Instant::now();
    if dir.exists() {
        std::fs::remove_dir_all(&dir)
            .map_err(BenchError::io(format!("removing {}", dir.display())))?;
    }
    let bank = Bank::load();
    let folders = n.div_ceil(1000);
    let totals = (0..folders)
        .into_par_iter()
        .map(|f| -> Result<[u64; 4], BenchError> {
            let sub = dir.join(format!("{f:04}"));
            std::fs::create_dir_all(&sub)
                .map_err(BenchError::io(format!("creating {}", sub.display())))?;
            let mut t = [0u64; 4];
            for i in f * 1000..((f + 1) * 1000).min(n) {
                let (ext, content, kind) = make(&bank, &paras, seed, i);
                let path = sub.join(format!("{i:07}.{ext}"));
                std::fs::write(&path, content.as_bytes())
                    .map_err(BenchError::io(format!("writing {}", path.display())))?;
                t[0] += content.len() as u64;
                t[1 + kind as usize] += 1;
            }
            Ok(t)
        })
        .try_reduce(
            || [0u64; 4],
            |a, b| Ok([a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]]),
        )?;
    let c = Corpus {
        dir: dir.clone(),
        articles: n,
        bytes: totals[0],
        txt: totals[1],
        html: totals[2],
        remixed: totals[3],
        gen_s: t0.elapsed().as_secs_f64(),
    };
    let s = serde_json::to_string_pretty(&c).map_err(BenchError::json("corpus metadata"))?;
    std::fs::write(&meta, s).map_err(BenchError::io(format!("writing {}", meta.display())))?;
    Ok(c)
}

/// The first `max` files of a corpus, in name order.
pub fn first_files(c: &Corpus, max: u64) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for f in 0..c.articles.div_ceil(1000) {
        let sub = c.dir.join(format!("{f:04}"));
        let Ok(rd) = std::fs::read_dir(&sub) else {
            continue;
        };
        let mut files: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        for p in files {
            if out.len() as u64 >= max {
                return out;
            }
            out.push(p);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn examples() -> PathBuf {
        PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/corpus"
        ))
    }

    #[test]
    fn kinds_are_deterministic_and_well_formed() {
        let bank = Bank::load();
        let paras = example_paragraphs(&examples());
        assert!(paras.len() >= 10, "example paragraphs: {}", paras.len());
        let mut kinds = [0; 3];
        for i in 0..50 {
            let (ext, text, kind) = make(&bank, &paras, 3, i);
            assert_eq!((ext, text.clone(), kind), make(&bank, &paras, 3, i));
            kinds[kind as usize] += 1;
            assert!(text.len() > 800, "article {i} is only {} bytes", text.len());
            assert!(text.contains(&format!("dispatch number {}", i + 1)));
            if kind == 1 {
                assert!(text.starts_with("<!DOCTYPE html>") && text.ends_with("</html>\n"));
            }
        }
        assert_eq!(kinds, [35, 10, 5]);
    }

    #[test]
    fn generates_once_then_reuses() {
        let work = std::env::temp_dir().join(format!("sitrep-bench-corpus-{}", std::process::id()));
        let c = ensure(&work, 1203, 5, &examples()).unwrap();
        assert_eq!(c.txt + c.html + c.remixed, 1203);
        assert!(c.gen_s > 0.0);
        assert_eq!(first_files(&c, 5000).len(), 1203);
        assert_eq!(first_files(&c, 10).len(), 10);
        let again = ensure(&work, 1203, 5, &examples()).unwrap();
        assert_eq!((again.gen_s, again.bytes), (0.0, c.bytes));
        let _ = std::fs::remove_dir_all(&work);
    }
}
