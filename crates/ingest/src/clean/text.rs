//! Plain-text cleaning: normalizes whitespace, splits the text into
//! paragraphs and drops the lines that are page furniture rather than
//! article (see `data/ingest/junk.tsv`), keeping headings, datelines and
//! short quote paragraphs.

use whatlang::Script;

use super::{junk_rules, norm_line};
use crate::meta::date;

/// One line of cleaned text: a paragraph, or a list item continuing the
/// paragraph before it (`cont`), which is joined with a single newline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub text: String,
    pub cont: bool,
}

impl Line {
    pub fn para(text: impl Into<String>) -> Self {
        Line {
            text: text.into(),
            cont: false,
        }
    }
}

/// The result of cleaning.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cleaned {
    pub lines: Vec<Line>,
    /// The hosting site named by a footer blurb that was removed.
    pub host: Option<String>,
    /// Lines removed as junk, in order (kept for diagnostics and tests).
    pub removed: Vec<String>,
}

impl Cleaned {
    /// Paragraphs separated by blank lines, list items by single newlines.
    pub fn text(&self) -> String {
        let mut out = String::with_capacity(self.lines.iter().map(|l| l.text.len() + 2).sum());
        for (i, l) in self.lines.iter().enumerate() {
            if i > 0 {
                out.push_str(if l.cont { "\n" } else { "\n\n" });
            }
            out.push_str(&l.text);
        }
        out
    }
}

/// A paragraph at least this long is article body, not furniture.
const LONG: usize = 150;

/// Cleans a plain-text article.
pub fn clean_text(raw: &str) -> Cleaned {
    let norm = normalize(raw);
    clean_lines(unwrap_paragraphs(&norm))
}

/// Whitespace and invisible characters normalized: one space between
/// words, `\n` line ends, no control or zero-width characters.
pub fn normalize(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut space = false;
    for c in raw.chars() {
        match c {
            '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}' => {
                // Trailing spaces go; "\r\n" becomes one newline below.
                while out.ends_with(' ') {
                    out.pop();
                }
                if c == '\n' && out.ends_with('\r') {
                    out.pop();
                }
                out.push(if c == '\r' { '\r' } else { '\n' });
                space = false;
            }
            '\u{feff}' | '\u{200b}' | '\u{2060}' | '\u{ad}' => {}
            c if c.is_whitespace() => {
                if !out.is_empty() && !out.ends_with(['\n', '\r']) {
                    space = true;
                }
            }
            c if c.is_control() => {}
            c => {
                if space {
                    out.push(' ');
                    space = false;
                }
                out.push(c);
            }
        }
    }
    if out.contains('\r') {
        out = out.replace('\r', "\n");
    }
    out
}

/// Splits normalized text into paragraph lines, re-joining hard-wrapped
/// paragraphs (e-mail or wire text wrapped at a fixed width).
fn unwrap_paragraphs(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    for block in text.split("\n\n") {
        let lines: Vec<&str> = block
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        if is_hard_wrapped(&lines) {
            out.push(Line::para(lines.join(" ")));
        } else {
            out.extend(lines.into_iter().map(Line::para));
        }
    }
    out
}

fn is_hard_wrapped(lines: &[&str]) -> bool {
    if lines.len() < 2 {
        return false;
    }
    let body = &lines[..lines.len() - 1];
    let lens: Vec<usize> = body.iter().map(|l| l.chars().count()).collect();
    let (min, max) = (
        lens.iter().min().copied().unwrap_or(0),
        lens.iter().max().copied().unwrap_or(0),
    );
    let open_ends = body
        .iter()
        .filter(|l| !l.ends_with(['.', '!', '?', '"', '”', ':', ';']))
        .count();
    min >= 35 && max <= 100 && max - min <= 30 && open_ends * 5 >= body.len() * 3
}

/// Removes junk lines. Works on lines from either a text file or an HTML
/// page's blocks.
pub fn clean_lines(lines: Vec<Line>) -> Cleaned {
    let rules = junk_rules();
    let n = lines.len();
    let mut drop = vec![false; n];
    let mut removed_host = None;
    // Short articles have no long paragraphs; their longest lines are the body.
    let longest = lines.iter().map(|l| l.text.len()).max().unwrap_or(0);
    let long_at = LONG.min(longest * 3 / 5).max(40);
    let is_long = |l: &Line| l.text.len() >= long_at;
    let first_long = lines.iter().position(is_long).unwrap_or(n);
    let last_long = lines.iter().rposition(is_long);
    let total: usize = lines.iter().map(|l| l.text.len()).sum();
    let doc_script = dominant_script(&lines);

    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut pos = 0usize;
    let mut cut_from = n;
    for (i, l) in lines.iter().enumerate() {
        let t = l.text.as_str();
        let after_body = last_long.is_some_and(|ll| i > ll);
        pos += t.len();
        if after_body {
            if let Some(h) = rules.footer_host(t) {
                removed_host.get_or_insert(h);
                drop[i] = true;
                continue;
            }
        }
        if cut_from == n && i > first_long && pos * 2 > total && rules.is_tail_cut(t) {
            cut_from = i;
        }
        // Separators and stray marks ("* * *", "—") carry no text.
        if !t.chars().any(char::is_alphanumeric)
            || rules.is_junk_line(t)
            || (i < first_long && rules.is_section(t))
            || (i == 0 && n > 1 && is_kicker(t, &lines[1].text))
            || is_foreign_label(t, doc_script)
            || (after_body && date::is_date_line(t))
        {
            drop[i] = true;
            continue;
        }
        // A repeated line (title printed twice, pull quote) adds nothing.
        if t.len() >= 20 && !seen.insert(norm_line(t)) {
            drop[i] = true;
        }
    }
    for d in drop.iter_mut().skip(cut_from) {
        *d = true;
    }
    // Runs of lone date lines are a listing widget, wherever they stand.
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j < n && date::is_date_line(&lines[j].text) {
            j += 1;
        }
        if j - i >= 2 {
            drop[i..j].iter_mut().for_each(|d| *d = true);
        }
        i = j.max(i + 1);
    }
    // Teasers: a truncated line that repeats the start of a later paragraph.
    for i in 0..n {
        if drop[i] {
            continue;
        }
        if let Some(prefix) = teaser_prefix(&lines[i].text) {
            let later = lines[i + 1..].iter().zip(&drop[i + 1..]);
            if later
                .filter(|(_, d)| !**d)
                .any(|(l, _)| norm_line(&l.text).starts_with(&prefix))
            {
                drop[i] = true;
            }
        }
    }

    let mut out = Cleaned {
        host: removed_host,
        ..Default::default()
    };
    let mut prev_kept = false;
    for (l, d) in lines.into_iter().zip(drop) {
        if d {
            out.removed.push(l.text);
            prev_kept = false;
        } else {
            // A list item whose predecessor went keeps its own paragraph.
            let cont = l.cont && prev_kept;
            out.lines.push(Line { text: l.text, cont });
            prev_kept = true;
        }
    }
    if out.lines.first().is_some_and(|l| l.cont) {
        out.lines[0].cont = false;
    }
    out
}

/// The normalized text before a trailing "[…]", "…" or "...", if the line
/// is a truncated teaser with enough text to recognise.
fn teaser_prefix(line: &str) -> Option<String> {
    let t = line.trim_end();
    let stem = ["[…]", "[...]", "(…)", "(...)", "…", "..."]
        .iter()
        .find_map(|e| t.strip_suffix(e))?
        .trim_end();
    let p = norm_line(stem);
    (p.chars().count() >= 20).then_some(p)
}

/// A section label above the headline: one to three words in capitals.
fn is_kicker(line: &str, next: &str) -> bool {
    let words = line.split_whitespace().count();
    let letters = line.chars().filter(|c| c.is_alphabetic());
    let upper = line.chars().any(char::is_alphabetic) && letters.clone().all(char::is_uppercase);
    upper
        && (1..=3).contains(&words)
        && line.len() <= 30
        && !line.chars().any(|c| c.is_ascii_digit())
        && next.chars().any(char::is_lowercase)
}

fn dominant_script(lines: &[Line]) -> Option<Script> {
    let mut sample = String::new();
    for l in lines.iter().filter(|l| l.text.len() >= 60) {
        sample.push_str(&l.text);
        sample.push(' ');
        if sample.len() > 1000 {
            break;
        }
    }
    whatlang::detect_script(&sample)
}

/// A short navigation label in another script than the article's
/// ("newer/older" links of an Arabic blog theme around an English text).
fn is_foreign_label(line: &str, doc: Option<Script>) -> bool {
    let Some(doc) = doc else { return false };
    if line.chars().count() > 40 || line.split_whitespace().count() > 5 {
        return false;
    }
    match whatlang::detect_script(line) {
        Some(s) => s != doc && line.chars().filter(|c| c.is_alphabetic()).count() >= 2,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(n: usize) -> String {
        (0..n)
            .map(|i| format!("Paragraph {i} of a report on shelling near the river crossing, where residents said several houses were damaged overnight and the road was closed."))
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    #[test]
    fn drops_furniture_keeps_body() {
        let raw = format!(
            "NEWS\nFighting flares near river town\n4 min read\nBy Jane Doe\n\nKHERSON: Fighting flared near the river crossing, officials said on Monday …\n\n{}\n\nKHERSON: Fighting flared near the river crossing, officials said on Monday, as both sides traded artillery fire.\n\n“We will hold the line.”\n\nShare this article\n\nFacebook Twitter Email\n\nLeave a comment\n\nGreat article!\n\ndesk@example.net\n\nNovember 3, 2023\nNovember 2, 2023\n\nRiver Desk Daily publisher Regional news and views.",
            body(3)
        );
        let c = clean_text(&raw);
        let text = c.text();
        assert!(
            text.starts_with("Fighting flares near river town\n\nBy Jane Doe\n\nParagraph 0"),
            "{text}"
        );
        assert!(text.contains("“We will hold the line.”"));
        assert!(text.contains(
            "KHERSON: Fighting flared near the river crossing, officials said on Monday, as"
        ));
        for junk in [
            "4 min read",
            "Share this",
            "Facebook",
            "Leave a",
            "Great article",
            "@",
            "November",
            "publisher",
            "…",
        ] {
            assert!(!text.contains(junk), "{junk} left in {text}");
        }
        assert_eq!(c.host.as_deref(), Some("River Desk Daily"));
    }

    #[test]
    fn foreign_script_labels_go_real_lines_stay() {
        let raw = format!("{}\n\nالتالي السابق\n\nКиев\n\nA short line.", body(2));
        let text = clean_text(&raw).text();
        assert!(!text.contains("التالي"));
        assert!(!text.contains("Киев"));
        assert!(text.ends_with("A short line."));
        // In an Arabic article, Arabic lines are content.
        let ar = "قالت مصادر محلية إن القصف استهدف أطراف المدينة صباح اليوم وأدى إلى أضرار في المنازل والطرق الرئيسية المؤدية إلى السوق.";
        let raw = format!("{ar}\n\nعاجل جدا\n\n{ar} ثانيا");
        assert!(clean_text(&raw).text().contains("عاجل جدا"));
    }

    #[test]
    fn hard_wrapped_text_is_rejoined() {
        let raw = "The convoy left the city at dawn and travelled along the\nmain highway towards the border crossing, witnesses said\nin statements to local media.\n\nSecond paragraph.";
        let c = clean_text(raw);
        assert_eq!(c.lines.len(), 2);
        assert!(c.lines[0].text.contains("along the main highway"));
    }

    #[test]
    fn normalize_handles_odd_whitespace() {
        assert_eq!(
            normalize("a\u{a0} b\r\nc\u{200b}d\t\te \r\n"),
            "a b\ncd e\n"
        );
        assert_eq!(normalize("x\ry"), "x\ny");
    }

    #[test]
    fn teaser_without_repeat_is_kept() {
        let raw = format!(
            "Title here\n\nThe story continues in a way nobody expected…\n\n{}",
            body(2)
        );
        assert!(clean_text(&raw).text().contains("nobody expected…"));
    }
}
