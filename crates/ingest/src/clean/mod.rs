//! Cleaning: the article's main text from an HTML page ([`html`]) and junk
//! removal from plain text ([`text`]).
//!
//! What counts as junk (share buttons, comment prompts, reading-time labels,
//! footer blurbs, class names of page furniture) is data, in
//! `data/ingest/junk.tsv`, loaded once into [`JunkRules`].

pub mod html;
pub mod text;

use std::collections::HashSet;
use std::sync::OnceLock;

use regex::{Regex, RegexBuilder};

pub use html::{extract_page, main_text, Page};
pub use text::{clean_lines, clean_text, Cleaned, Line};

const JUNK_TSV: &str = include_str!("../../../../data/ingest/junk.tsv");

/// A malformed row in an embedded data file.
#[derive(Debug, thiserror::Error)]
#[error("{file} line {line}: {reason}")]
pub struct DataError {
    pub file: &'static str,
    pub line: usize,
    pub reason: String,
}

/// The longest host a footer blurb names, in characters.
const FOOTER_HOST_CHARS: usize = 61;

/// Junk patterns, compiled.
#[derive(Debug)]
pub struct JunkRules {
    lines: HashSet<String>,
    line_regex: Regex,
    share: HashSet<String>,
    tail_cut: HashSet<String>,
    section: HashSet<String>,
    caption: Regex,
    footers: Vec<Regex>,
    class_neg: ClassWords,
    class_pos: ClassWords,
    not_dateline: HashSet<String>,
}

/// Class/id words: short ones must equal a token, longer ones may be part
/// of one ("commentform"), as short words would match inside unrelated
/// names ("ad" in "header").
#[derive(Debug, Default)]
struct ClassWords {
    exact: HashSet<String>,
    partial: Vec<String>,
}

impl ClassWords {
    fn parse(spec: &str) -> Self {
        let mut w = ClassWords::default();
        for word in spec.split('|').map(str::trim).filter(|s| !s.is_empty()) {
            let word = word.to_lowercase();
            let forms: Vec<String> = match word.strip_suffix("s?") {
                Some(stem) => vec![stem.to_string(), format!("{stem}s")],
                None => vec![word],
            };
            for f in forms {
                if f.len() >= 5 && !f.contains('-') {
                    w.partial.push(f.clone());
                }
                w.exact.insert(f);
            }
        }
        w
    }
    /// Whether a part of a class token ("share" in "post-share") matches.
    fn matches_part(&self, part: &str) -> bool {
        self.exact.contains(part) || self.partial.iter().any(|p| part.contains(p.as_str()))
    }
}

/// How an element's class/id reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassHint {
    Junk,
    Content,
    Neutral,
}

impl JunkRules {
    pub fn parse(tsv: &str) -> Result<Self, DataError> {
        let err = |line: usize, reason: String| DataError {
            file: "junk.tsv",
            line,
            reason,
        };
        let mut lines = HashSet::new();
        let mut regexes = Vec::new();
        let mut share = HashSet::new();
        let mut tail_cut = HashSet::new();
        let mut section = HashSet::new();
        let mut captions = Vec::new();
        let mut footers = Vec::new();
        let mut class_neg = ClassWords::default();
        let mut class_pos = ClassWords::default();
        let mut not_dateline = HashSet::new();
        for (i, row) in tsv.lines().enumerate() {
            let n = i + 1;
            if row.trim().is_empty() || row.starts_with('#') {
                continue;
            }
            let (kind, pat) = row
                .split_once('\t')
                .ok_or_else(|| err(n, "expected kind<TAB>pattern".into()))?;
            let pat = pat.trim();
            match kind {
                "line" => {
                    lines.insert(norm_line(pat));
                }
                "regex" => {
                    check_pattern(pat).map_err(|e| err(n, e))?;
                    regexes.push(format!("(?:{pat})"));
                }
                "share" => {
                    share.insert(pat.to_lowercase());
                }
                "tail_cut" => {
                    tail_cut.insert(norm_line(pat));
                }
                "section" => {
                    section.insert(norm_line(pat));
                }
                "caption" => {
                    check_pattern(pat).map_err(|e| err(n, e))?;
                    captions.push(format!("(?:{pat})"));
                }
                "footer" => {
                    let re = RegexBuilder::new(pat)
                        .case_insensitive(true)
                        .build()
                        .map_err(|e| err(n, e.to_string()))?;
                    if re.capture_names().all(|c| c != Some("host")) {
                        return Err(err(n, "footer pattern needs a (?P<host>...) group".into()));
                    }
                    footers.push(re);
                }
                "class_neg" => class_neg = ClassWords::parse(pat),
                "class_pos" => class_pos = ClassWords::parse(pat),
                "not_dateline" => {
                    not_dateline.extend(pat.split('|').map(|w| w.trim().to_lowercase()));
                }
                other => return Err(err(n, format!("unknown kind {other:?}"))),
            }
        }
        let build = |parts: &[String], anchored: bool| {
            let body = parts.join("|");
            let pat = if anchored {
                format!("^(?:{body})$")
            } else {
                body
            };
            RegexBuilder::new(&pat)
                .case_insensitive(true)
                .size_limit(1 << 24)
                .build()
        };
        Ok(JunkRules {
            lines,
            line_regex: build(&regexes, true).map_err(|e| err(0, e.to_string()))?,
            share,
            tail_cut,
            section,
            caption: build(&captions, false).map_err(|e| err(0, e.to_string()))?,
            footers,
            class_neg,
            class_pos,
            not_dateline,
        })
    }

    /// A line that is page furniture wherever it stands.
    pub fn is_junk_line(&self, line: &str) -> bool {
        let t = line.trim();
        if t.is_empty() {
            return true;
        }
        if t.len() > 400 {
            return false;
        }
        let n = norm_line(t);
        if n.is_empty() || self.lines.contains(&n) || self.line_regex.is_match(&n) {
            return true;
        }
        self.is_share_line(&n) || (t.len() < 300 && self.caption.is_match(t))
    }

    /// "Facebook Twitter WhatsApp Email": every word a share-button word.
    fn is_share_line(&self, n: &str) -> bool {
        let mut words = 0;
        for w in n.split(|c: char| c.is_whitespace() || matches!(c, '|' | '/' | '·' | '•' | ','))
        {
            if w.is_empty() {
                continue;
            }
            if !self.share.contains(w) {
                return false;
            }
            words += 1;
        }
        words > 0
    }

    pub fn is_tail_cut(&self, line: &str) -> bool {
        line.len() < 60 && self.tail_cut.contains(&norm_line(line))
    }

    pub fn is_section(&self, line: &str) -> bool {
        line.len() < 40 && self.section.contains(&norm_line(line))
    }

    /// The hosting site named by a footer blurb ("X Magazine publisher ...").
    pub fn footer_host(&self, line: &str) -> Option<String> {
        if line.len() > 300 {
            return None;
        }
        self.footers.iter().find_map(|re| {
            let host = re.captures(line.trim())?.name("host")?.as_str();
            // The bound the patterns leave out (see `junk.tsv`). Each
            // pattern's host starts at one place and is lazy, so the match
            // holds the shortest host that fits: a longer one is no match,
            // as with the bound.
            if host.chars().count() > FOOTER_HOST_CHARS {
                return None;
            }
            let host = host.trim().trim_end_matches([',', '.', ' ']);
            (host.chars().count() >= 2).then(|| host.to_string())
        })
    }

    /// Whether a word opening a "WORD:" line is a label rather than a place.
    pub fn is_not_dateline(&self, word: &str) -> bool {
        self.not_dateline.contains(&word.trim().to_lowercase())
    }

    /// Reads an element's class and id attributes.
    pub fn class_hint(&self, class: Option<&str>, id: Option<&str>) -> ClassHint {
        let mut neg = false;
        let mut pos = false;
        for token in class.into_iter().chain(id).flat_map(str::split_whitespace) {
            let token = token.to_ascii_lowercase();
            let whole_neg = self.class_neg.exact.contains(&token);
            let whole_pos = self.class_pos.exact.contains(&token);
            let mut part_neg = false;
            let mut part_pos = false;
            for part in token.split(['-', '_', ':']).filter(|p| !p.is_empty()) {
                part_neg |= self.class_neg.matches_part(part);
                part_pos |= self.class_pos.matches_part(part);
            }
            // "post-share" and "related-posts" are furniture; "entry-content" is not.
            if whole_neg || (part_neg && !whole_pos) {
                neg = true;
            } else if whole_pos || part_pos {
                pos = true;
            }
        }
        match (neg, pos) {
            (_, true) => ClassHint::Content,
            (true, false) => ClassHint::Junk,
            _ => ClassHint::Neutral,
        }
    }
}

/// Lower case, spaces collapsed, bullets and trailing arrows or colons gone.
pub(crate) fn norm_line(s: &str) -> String {
    let s = s
        .trim()
        .trim_start_matches(['•', '·', '-', '*', '–', '—', '|', '»', '›', ' ']);
    let s = s.trim_end_matches([':', '»', '>', '›', '|', ' ', '→', '…']);
    crate::meta::normalize_for_id(s)
}

/// Whether one rule's pattern is a valid regex on its own, so an error names
/// its line. Parsing is enough: the rules are compiled once, joined, and
/// compiling each alone as well doubled the cost of loading them.
fn check_pattern(pat: &str) -> Result<(), String> {
    regex_syntax::Parser::new()
        .parse(pat)
        .map(drop)
        .map_err(|e| e.to_string())
}

/// The junk rules from `data/ingest/junk.tsv`.
pub fn junk_rules() -> &'static JunkRules {
    static RULES: OnceLock<JunkRules> = OnceLock::new();
    RULES.get_or_init(|| {
        // Embedded data, validated by the loader test: a failure is a build defect.
        JunkRules::parse(JUNK_TSV).expect("data/ingest/junk.tsv is valid")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn junk_data_loads() {
        let r = JunkRules::parse(JUNK_TSV).unwrap();
        assert!(r.lines.len() > 50);
        assert!(r.is_junk_line("Share this story"));
        assert!(r.is_junk_line("  5 minute read "));
        assert!(r.is_junk_line("press.office@example.org"));
        assert!(r.is_junk_line("Facebook  Twitter  WhatsApp"));
        assert!(!r.is_junk_line("Share prices fell sharply in Moscow on Monday."));
        assert!(!r.is_junk_line("Comments by the minister drew criticism from the opposition."));
        assert_eq!(
            r.footer_host("Desert Post Weekly publisher Stories from the region.")
                .as_deref(),
            Some("Desert Post Weekly")
        );
        assert_eq!(
            r.footer_host("© 2024 Desert Post Weekly. All rights reserved.")
                .as_deref(),
            Some("Desert Post Weekly")
        );
        // A "host" past 61 characters is a sentence, not a masthead.
        let long = "The Regional Council Of Desert Towns And Their Many Friends Abroad Weekly";
        assert!(long.chars().count() > FOOTER_HOST_CHARS);
        assert_eq!(
            r.footer_host(&format!("{long} publisher of local news")),
            None
        );
        // 61 characters fit, 62 do not, in both patterns.
        let edge = "Ab".repeat(30) + "c";
        let over = format!("{edge}d");
        let blurbs: [fn(&str) -> String; 2] = [
            |h| format!("{h} publisher of local news"),
            |h| format!("© 2024 {h}. All rights reserved."),
        ];
        for blurb in blurbs {
            assert_eq!(r.footer_host(&blurb(&edge)).as_deref(), Some(edge.as_str()));
            assert_eq!(r.footer_host(&blurb(&over)), None, "{}", blurb(&over));
        }
    }

    #[test]
    fn bad_rows_are_reported() {
        assert!(JunkRules::parse("line\n").is_err());
        assert!(JunkRules::parse("regex\t(unclosed\n").is_err());
        assert!(JunkRules::parse("footer\tno host group\n").is_err());
        assert!(JunkRules::parse("bogus\tx\n").is_err());
        // A broken pattern is reported at its own line, though the rules
        // are compiled only once, joined.
        for kind in ["regex", "caption"] {
            let tsv = format!("# rules\nregex\tshare (this|it)\n{kind}\tphoto: [a-z+\n");
            let e = JunkRules::parse(&tsv).unwrap_err();
            assert_eq!((e.file, e.line), ("junk.tsv", 3), "{kind}: {}", e.reason);
        }
    }

    #[test]
    fn class_hints() {
        let r = junk_rules();
        assert_eq!(
            r.class_hint(Some("post-share clearfix"), None),
            ClassHint::Junk
        );
        assert_eq!(r.class_hint(Some("related-posts"), None), ClassHint::Junk);
        assert_eq!(
            r.class_hint(Some("entry-content"), None),
            ClassHint::Content
        );
        assert_eq!(r.class_hint(None, Some("commentform")), ClassHint::Junk);
        assert_eq!(
            r.class_hint(Some("article has-sidebar"), None),
            ClassHint::Content
        );
        assert_eq!(
            r.class_hint(Some("overflow-hidden shadow"), None),
            ClassHint::Neutral
        );
        assert_eq!(r.class_hint(Some("header-ad"), None), ClassHint::Junk);
    }
}
