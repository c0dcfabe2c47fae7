//! Metadata read from an article's cleaned text: title, byline, dateline,
//! publication date, and the outlet (attribution lines, dateline agencies,
//! column names, self-references of syndicated pieces, the outlet that
//! quotes are given to).

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::NaiveDate;
use regex::{Regex, RegexBuilder};

use super::date;
use super::masthead;
use super::outlets::{outlets, OutletDictionary};
use crate::clean::{junk_rules, Line};

/// How strongly the text says who published it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum OutletSignal {
    /// Quotes given to the outlet.
    Weak,
    /// The page's layout names it: a kicker line ("Name | Section | date"),
    /// a column of the outlet, a closing copyright line.
    Layout,
    /// The piece names its origin: "First appeared at X", "(Reuters) -",
    /// a syndicated piece naming its outlet in the third person.
    Origin,
}

/// What the text says about itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TextMeta {
    pub title: Option<String>,
    pub byline: Vec<String>,
    pub dateline: Option<String>,
    pub published: Option<NaiveDate>,
    pub outlet: Option<(String, OutletSignal)>,
    /// "X reported earlier this week": only an origin when the text is
    /// known to be hosted elsewhere.
    pub self_reference: Option<String>,
}

struct Patterns {
    byline: Regex,
    byline_tail: Regex,
    name: Regex,
    dateline: Regex,
    dateline_agency: Regex,
    attribution: Regex,
    column: Regex,
}

/// Compiles the patterns now ([`crate::warm_up`]).
pub(super) fn warm_up() {
    patterns();
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        // Fixed patterns, covered by the tests below.
        let re = |p: &str| Regex::new(p).expect("valid pattern");
        let ci = |p: &str| RegexBuilder::new(p).case_insensitive(true).build().expect("valid pattern");
        Patterns {
            byline: re(r"^(?i:by|written by|words by|reporting by|report by|author:|authors:)\s+(?P<names>\p{Lu}.{1,150})$"),
            byline_tail: re(r"\((?i:reporting by)\s+(?P<names>[^;)]{3,120})"),
            name: re(r"^\p{Lu}[\p{L}\p{M}'’.-]*(?:\s+(?:(?:al|el|bin|ibn|abu|de|del|da|van|von|der|di|le|la)[-\s])?\p{Lu}[\p{L}\p{M}'’.-]*){1,3}$"),
            dateline: re(r"^(?P<city>\p{Lu}[\p{Lu}\p{M}'’.-]+(?:[ -]\p{Lu}[\p{Lu}\p{M}'’.-]+){0,3})(?:,\s*(?P<region>\p{Lu}[\p{L}\p{M}.'’-]*(?:\s\p{Lu}[\p{L}\p{M}.'’-]*){0,2}))?(?:,?\s+(?P<date>\p{L}{3,9}\.?\s+\d{1,2}|\d{1,2}\s+\p{L}{3,9}))?\s*(?:\((?P<agency>[^()]{2,40})\))?\s*(?:[-–—:]+|\s\(|\s—)\s*\S"),
            dateline_agency: re(r"^(?:(?P<city>\p{Lu}[\p{L}\p{M}'’-]+(?:\s\p{Lu}[\p{L}\p{M}'’-]+){0,2}),?\s*)?\((?P<agency>[^()]{2,40})\)\s*[-–—:]"),
            attribution: ci(concat!(
                // "This story was originally published by X", "A version of
                // this article first appeared in X", "Republished with
                // permission from X", "X" ending at punctuation or a date.
                r"^(?:(?:this|the\s+following)\s+(?:article|story|piece|report|post|interview|analysis|op-ed|column|commentary|investigation)\s+(?:was\s+|is\s+|has\s+been\s+)?|it\s+was\s+|a\s+version\s+of\s+this\s+\w+\s+(?:was\s+)?)?",
                r"(?:(?:first|originally)\s+(?:appeared|published|posted|ran|aired)|appeared\s+(?:first|originally)|re-?published|reprinted|re-?posted|cross-?posted)",
                r"(?:\s+here)?(?:\s+with\s+(?:kind\s+)?permission)?\s+(?:at|on|in|by|with|from|of)\s+",
                r"(?P<outlet>.{2,80}?)\s*(?:$|[.,;(|]|\s+[-–—]\s|\s+on\s+(?:\p{L}+\s+)?\d|\s+and\s|\s+under\s|\s+in\s+\d|\s+as\s)",
                r"|^(?:source|via|courtesy of|republished from|reprinted from|cross-posted from|crossposted from|read the original(?:\s+(?:article|story|post))?\s+(?:at|on|in))\s*:?\s+(?P<outlet2>.{2,60}?)\s*\.?$",
            )),
            column: re(r"^(?P<col>\p{Lu}[\p{L}\p{N} '’-]{2,40}?)\s*,\s*(?P<rest>.{3,30}?)\s*:"),
        }
    })
}

/// The head of an article: lines before the second long paragraph, at most 8.
fn head(lines: &[Line]) -> &[Line] {
    let mut long = 0;
    let mut end = lines.len().min(8);
    for (i, l) in lines.iter().enumerate().take(8) {
        if l.text.len() >= 150 {
            long += 1;
            if long == 2 {
                end = i;
                break;
            }
        }
    }
    &lines[..end]
}

/// Names in a byline: "Jane Doe and John Roe", "Jane Doe, John Roe in Kyiv".
pub fn byline_names(s: &str) -> Vec<String> {
    let p = patterns();
    // Trailing "| 22 May 2017", " - Reuters", " in Beirut" go.
    let s = s
        .split(['|', '•', '·', '\u{2013}', '\u{2014}'])
        .next()
        .unwrap_or("");
    let s = s.split(" - ").next().unwrap_or("");
    let s = match s.find(" in ") {
        Some(i) => &s[..i],
        None => s,
    };
    let mut names = Vec::new();
    for part in s.split([',', '&', ';']).flat_map(|p| p.split(" and ")) {
        let n = part.trim().trim_end_matches(['.', ':']);
        if n.is_empty() {
            continue;
        }
        if p.name.is_match(n) && outlets().by_name(n).is_none() {
            names.push(n.to_string());
        } else if !names.is_empty() {
            // A role after the name ("Jane Doe, Staff Writer") ends the list.
            break;
        } else {
            return Vec::new();
        }
    }
    names
}

/// Reads title, byline, dateline, date and outlet from cleaned lines.
pub fn from_text(lines: &[Line]) -> TextMeta {
    from_text_after(lines, &[])
}

/// Sets the outlet unless a stronger or equal signal already named one.
fn offer(m: &mut TextMeta, name: String, signal: OutletSignal) {
    if m.outlet.as_ref().is_none_or(|(_, s)| *s < signal) {
        m.outlet = Some((name, signal));
    }
}

/// Prefixes a blog puts before a re-posted headline.
const REPOST_PREFIXES: &[&str] = &[
    "re-post:",
    "repost:",
    "reposted:",
    "cross-post:",
    "crosspost:",
];

/// Like [`from_text`], for an article whose leading lines `masthead` (the
/// site's name and tagline, see [`masthead::masthead`]) are not its
/// headline.
pub fn from_text_after(lines: &[Line], masthead: &[String]) -> TextMeta {
    let p = patterns();
    let rules = junk_rules();
    let dict = outlets();
    let mut m = TextMeta::default();
    let skip = lines
        .iter()
        .take_while(|l| masthead.iter().any(|x| x.trim() == l.text.trim()))
        .count();
    let lines_all = lines;
    let lines = &lines[skip..];
    let head = head(lines);

    for (i, l) in head.iter().enumerate() {
        let t = l.text.trim();
        if t.len() <= 120 {
            // A kicker line names the outlet ("Name | Section | date",
            // "Name — Region desk"); the date is read below.
            let elsewhere = |name: &str| {
                lines_all
                    .iter()
                    .enumerate()
                    .any(|(j, x)| j != i + skip && x.text.contains(name))
            };
            if let Some(o) = masthead::kicker_outlet(t, elsewhere) {
                offer(&mut m, o, OutletSignal::Layout);
                if !t.contains(" | ") {
                    continue;
                }
            }
        }
        if m.byline.is_empty() && t.len() <= 200 {
            if let Some(c) = p.byline.captures(t) {
                m.byline = byline_names(&c["names"]);
                if m.published.is_none() {
                    m.published = date::find_date(t).map(|(d, _)| d);
                }
                continue;
            }
        }
        if m.published.is_none() {
            if let Some(d) = date::date_line(t) {
                m.published = Some(d);
                continue;
            }
            // A kicker line "Outlet | Section | Fri 09 Jun 2017": a short
            // pipe-separated segment that is a date dates the piece.
            if t.len() <= 120 && t.contains(" | ") {
                let segs: Vec<&str> = t.split(" | ").map(str::trim).collect();
                if segs.len() <= 5 {
                    if let Some(d) = segs.iter().find_map(|s| date::date_line(s)) {
                        m.published = Some(d);
                        continue;
                    }
                }
            }
        }
        if m.dateline.is_none() && t.len() >= 40 {
            if let Some((city, agency)) = dateline(t, rules) {
                m.dateline = city;
                if let Some(a) = agency {
                    offer(&mut m, a, OutletSignal::Origin);
                }
                continue;
            }
        }
        if i == 0 && m.title.is_none() && is_title(t) {
            let lower = t.to_lowercase();
            let t = REPOST_PREFIXES
                .iter()
                .find_map(|p| lower.starts_with(p).then(|| t[p.len()..].trim_start()))
                .unwrap_or(t);
            m.title = Some(t.to_string());
        }
    }
    // An acronym in a dateline ("DAMASCUS, (UNA) –") spelled out in the
    // head ("Umayyad News Agency (UNA)") takes the full name.
    if let Some((a, sig)) = m.outlet.clone() {
        let full = head.iter().find_map(|l| {
            let name = l.text.trim().strip_suffix(&format!("({a})"))?.trim();
            let initials: String = name
                .split_whitespace()
                .filter_map(|w| w.chars().next().filter(|c| c.is_uppercase()))
                .collect();
            (a.len() >= 2 && initials == a && masthead::name_shaped(name, 6))
                .then(|| name.to_string())
        });
        if let Some(full) = full {
            m.outlet = Some((full, sig));
        }
    }
    if m.byline.is_empty() {
        if let Some(c) = lines
            .iter()
            .rev()
            .take(5)
            .find_map(|l| p.byline_tail.captures(&l.text))
        {
            m.byline = byline_names(&c["names"]);
        }
    }

    // Attribution lines ("First appeared at X") anywhere, short lines only.
    for l in lines.iter().filter(|l| l.text.len() <= 200) {
        if let Some(c) = p.attribution.captures(l.text.trim()) {
            let raw = c
                .name("outlet")
                .or_else(|| c.name("outlet2"))
                .map_or("", |x| x.as_str());
            if let Some(o) = outlet_name(raw, dict) {
                m.outlet = Some((o, OutletSignal::Origin));
                break;
            }
        }
    }

    // A closing copyright line names the publisher ("© 2017 Name").
    if let Some(o) = lines
        .iter()
        .rev()
        .take(3)
        .find_map(|l| masthead::copyright_holder(&l.text))
    {
        offer(&mut m, o, OutletSignal::Layout);
    }

    // Column names ("Syria Daily, May 31:") identify their outlet.
    if m.outlet.is_none() {
        for l in lines.iter().filter(|l| l.text.len() <= 300) {
            if let Some(c) = p.column.captures(&l.text) {
                if let Some(o) = dict.by_column(&c["col"]) {
                    if date::find_date(&format!("{} 2000", &c["rest"])).is_some()
                        || date::find_date(&c["rest"]).is_some()
                    {
                        m.outlet = Some((o.name.clone(), OutletSignal::Layout));
                        break;
                    }
                }
            }
        }
    }

    let (self_ref, told) = outlet_references(lines, dict);
    m.self_reference = self_ref;
    if m.outlet.is_none() {
        m.outlet = told.map(|o| (o, OutletSignal::Weak));
    }
    m
}

/// A dateline at the start of a paragraph: the city, and the agency in
/// parentheses ("QAMISHLI, Syria (North Press) –", "BEIRUT (Reuters) -").
fn dateline(t: &str, rules: &crate::clean::JunkRules) -> Option<(Option<String>, Option<String>)> {
    let p = patterns();
    if let Some(c) = p.dateline.captures(t) {
        let city = c["city"].trim_end_matches(['.', '-']).to_string();
        let letters = city.chars().filter(|c| c.is_alphabetic()).count();
        if letters >= 3 && !rules.is_not_dateline(&city) && outlets().by_name(&city).is_none() {
            let agency = c.name("agency").and_then(|a| agency_name(a.as_str()));
            return Some((Some(city), agency));
        }
    }
    let c = p.dateline_agency.captures(t)?;
    let agency = agency_name(&c["agency"])?;
    Some((
        c.name("city").map(|x| x.as_str().to_uppercase()),
        Some(agency),
    ))
}

/// An agency named in a dateline: a dictionary outlet, or a short
/// capitalised name that is not a date or a place note.
fn agency_name(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if let Some(o) = outlets().by_name(raw) {
        return Some(o.name.clone());
    }
    let words = raw.split_whitespace().count();
    let ok = (1..=4).contains(&words)
        && raw.chars().next().is_some_and(char::is_uppercase)
        && !raw.chars().any(|c| c.is_ascii_digit())
        && date::find_date(raw).is_none();
    ok.then(|| raw.to_string())
}

/// Resolves an attribution target: the dictionary outlet it starts with,
/// else a short capitalised name.
fn outlet_name(raw: &str, dict: &OutletDictionary) -> Option<String> {
    let raw = raw.trim().trim_end_matches(['.', ':']);
    if let Some(o) = dict.lookup(raw) {
        return Some(o.name.clone());
    }
    if let Some(m) = dict.mentions(raw).first().filter(|m| m.start <= 4) {
        return Some(m.outlet.name.clone());
    }
    masthead::name_shaped(raw, 6).then(|| raw.to_string())
}

/// Scans for outlets named as the source of the report: returns the
/// outlet a "X reported earlier/last ..." self-reference names, and the
/// outlet that quotes are repeatedly given to ("told X", "X reported").
fn outlet_references(lines: &[Line], dict: &OutletDictionary) -> (Option<String>, Option<String>) {
    let mut self_ref = None;
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for l in lines {
        let t = l.text.as_str();
        for m in dict.mentions(t) {
            let before = t[..m.start].trim_end().to_lowercase();
            let after = t[m.end..].trim_start();
            let after = after
                .get(..after.len().min(40))
                .unwrap_or(after)
                .to_lowercase();
            let told = TOLD_CUES.iter().any(|w| before.ends_with(w));
            let after = after.strip_prefix("has ").unwrap_or(&after);
            let reported = REPORTED_CUES.iter().any(|w| after.starts_with(w));
            if reported
                && SELF_REF_WHEN.iter().any(|w| {
                    after
                        .split_once(' ')
                        .is_some_and(|(_, rest)| rest.starts_with(w))
                })
            {
                self_ref.get_or_insert_with(|| m.outlet.name.clone());
            }
            if told || reported {
                *counts.entry(m.outlet.name.as_str()).or_default() += 1;
            }
        }
    }
    let mut best: Vec<(&str, usize)> = counts.into_iter().collect();
    best.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let told = match best.as_slice() {
        [(name, n), rest @ ..] if *n >= 2 && rest.first().is_none_or(|(_, m)| m < n) => {
            Some(name.to_string())
        }
        _ => None,
    };
    (self_ref, told)
}

/// Words before an outlet that make it the recipient of a quote.
const TOLD_CUES: &[&str] = &[
    " told",
    " told the",
    "speaking to",
    "speaking to the",
    "said to",
    "in a statement to",
    "in comments to",
];
/// Words after an outlet that make it the reporter of a finding.
const REPORTED_CUES: &[&str] = &[
    "reported",
    "revealed",
    "learned",
    "learnt",
    "first reported",
    "disclosed",
];
/// A report "earlier"/"last week": how an outlet refers back to its own work.
const SELF_REF_WHEN: &[&str] = &[
    "earlier",
    "last",
    "previously",
    "this week",
    "this month",
    "in a previous",
];

/// A first line that reads as a headline.
fn is_title(t: &str) -> bool {
    let words = t.split_whitespace().count();
    (2..=40).contains(&words)
        && t.len() <= 300
        && !(t.ends_with('.') && t.len() > 160)
        && date::find_date(t).is_none_or(|(_, r)| r.len() < t.len() / 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &str) -> Vec<Line> {
        s.split("\n\n").map(Line::para).collect()
    }

    const BODY: &str = "Officials said the crossing had been closed since the weekend, and that aid trucks were waiting on the other side of the border for permission to enter the province.";

    #[test]
    fn wire_dateline_and_byline() {
        let m = from_text(&lines(&format!("Aid convoy stuck at border\n\nBy Omar Haddad and Lena Fischer | March 3, 2022\n\nBEIRUT (Reuters) - {BODY}\n\n{BODY}")));
        assert_eq!(m.title.as_deref(), Some("Aid convoy stuck at border"));
        assert_eq!(m.byline, vec!["Omar Haddad", "Lena Fischer"]);
        assert_eq!(m.dateline.as_deref(), Some("BEIRUT"));
        assert_eq!(m.outlet, Some(("Reuters".into(), OutletSignal::Origin)));
        assert_eq!(m.published, NaiveDate::from_ymd_opt(2022, 3, 3));
    }

    #[test]
    fn local_agency_dateline() {
        let m = from_text(&lines(&format!(
            "Written by Karim Saleh\n\nHASAKAH, Syria (Hawar News) – {BODY}"
        )));
        assert_eq!(m.byline, vec!["Karim Saleh"]);
        assert_eq!(m.dateline.as_deref(), Some("HASAKAH"));
        assert_eq!(m.outlet.unwrap().0, "Hawar News");
        assert_eq!(m.title, None);
        let m = from_text(&lines(&format!("KYIV, Ukraine (Kyiv Bulletin) — {BODY}")));
        assert_eq!(
            m.outlet.unwrap().0,
            "Kyiv Bulletin",
            "unknown agencies are kept as written"
        );
        let m = from_text(&lines(&format!("Damascus, (SANA) - {BODY}")));
        assert_eq!(m.outlet.unwrap().0, "SANA");
    }

    #[test]
    fn labels_are_not_datelines() {
        let m = from_text(&lines(&format!(
            "UPDATE: {BODY}\n\nUS military: more troops for the base\n\n{BODY}"
        )));
        assert_eq!(m.dateline, None);
        let m = from_text(&lines(&format!("ERBIL: {BODY}")));
        assert_eq!(m.dateline.as_deref(), Some("ERBIL"));
    }

    #[test]
    fn attribution_lines() {
        for (line, want) in [
            (
                "This article first appeared in Middle East Eye.",
                "Middle East Eye",
            ),
            (
                "Originally published by Al Jazeera on 3 March 2022",
                "Al Jazeera",
            ),
            (
                "First published at The Lantern Review",
                "The Lantern Review",
            ),
            ("Source: Anadolu Agency", "Anadolu"),
            (
                "This story was originally published by The Harbour Herald and is republished here.",
                "The Harbour Herald",
            ),
            (
                "This article is republished from Harbour Herald under a Creative Commons license.",
                "Harbour Herald",
            ),
            (
                "Republished with permission from Harbour Herald",
                "Harbour Herald",
            ),
            (
                "A version of this report first appeared in Harbour Herald on 3 March 2022.",
                "Harbour Herald",
            ),
            ("Read the original article at Harbour Herald", "Harbour Herald"),
        ] {
            let m = from_text(&lines(&format!("Headline words here\n\n{line}\n\n{BODY}")));
            assert_eq!(
                m.outlet,
                Some((want.to_string(), OutletSignal::Origin)),
                "{line}"
            );
        }
    }

    #[test]
    fn not_attributions() {
        for line in [
            "Reposted on 19 May 2017",
            "Re-posted here because it is the clearest account of the strike.",
            "Originally published on 3 March 2022",
            "Posted in Uncategorized",
        ] {
            let m = from_text(&lines(&format!("Headline words here\n\n{line}\n\n{BODY}")));
            assert_eq!(m.outlet, None, "{line}");
        }
    }

    #[test]
    fn layout_names_the_outlet() {
        // "Name — desk" kicker, confirmed by a later sign-off, no dateline agency.
        let m = from_text(&lines(&format!(
            "Shelling hits market town\n\nHarbour Herald — Coastal desk\n\nBy Mira Said\n\n{BODY}\n\n{BODY}\n\nHarbour Herald"
        )));
        assert_eq!(
            m.outlet,
            Some(("Harbour Herald".into(), OutletSignal::Layout))
        );
        assert_eq!(m.title.as_deref(), Some("Shelling hits market town"));
        // Unlisted outlet in a kicker with a section and a date.
        let m = from_text(&lines(&format!(
            "Shelling hits market town\n\nHarbour Herald | Syria | Fri 09 Jun 2017\n\n{BODY}"
        )));
        assert_eq!(
            m.outlet,
            Some(("Harbour Herald".into(), OutletSignal::Layout))
        );
        assert_eq!(m.published, NaiveDate::from_ymd_opt(2017, 6, 9));
        // Copyright at the end; the dateline agency still wins.
        let m = from_text(&lines(&format!(
            "Headline words here\n\n{BODY}\n\n© 2021 Harbour Herald"
        )));
        assert_eq!(
            m.outlet,
            Some(("Harbour Herald".into(), OutletSignal::Layout))
        );
        let m = from_text(&lines(&format!(
            "Headline words here\n\nBEIRUT (Reuters) - {BODY}\n\n© 2021 Harbour Herald"
        )));
        assert_eq!(m.outlet, Some(("Reuters".into(), OutletSignal::Origin)));
        // A spelled-out agency name before its acronym in the dateline.
        let m = from_text(&lines(&format!(
            "Headline words here\n\nCoastal News Agency (CNA)\n\nLATAKIA, (CNA) – {BODY}"
        )));
        assert_eq!(
            m.outlet.map(|(o, _)| o).as_deref(),
            Some("Coastal News Agency")
        );
    }

    #[test]
    fn masthead_lines_are_not_the_title() {
        let masthead = vec![
            "River Notes".to_string(),
            "Maps and notes from the valley".to_string(),
        ];
        let m = from_text_after(
            &lines(&format!("River Notes\n\nMaps and notes from the valley\n\nRe-post: Bridge reopens after repairs\n\n{BODY}")),
            &masthead,
        );
        assert_eq!(m.title.as_deref(), Some("Bridge reopens after repairs"));
    }

    #[test]
    fn quotes_told_to_an_outlet() {
        let t = format!("A commander told Enab Baladi that {BODY}\n\nResidents told Enab Baladi the road was shut.\n\nA doctor told Reuters the hospital was full.");
        let m = from_text(&lines(&t));
        assert_eq!(m.outlet, Some(("Enab Baladi".into(), OutletSignal::Weak)));
        // A single mention is not enough.
        let m = from_text(&lines(&format!(
            "{BODY}\n\nAn analyst told Al Jazeera the talks would fail."
        )));
        assert_eq!(m.outlet, None);
    }

    #[test]
    fn self_reference_and_column() {
        let m = from_text(&lines(&format!(
            "{BODY}\n\nThe Washington Post reported last month that the plan had been shelved."
        )));
        assert_eq!(m.self_reference.as_deref(), Some("The Washington Post"));
        let m = from_text(&lines(&format!(
            "{BODY}\n\nIran Daily, June 2: Tehran Talks Stall\n\n{BODY}"
        )));
        assert_eq!(
            m.outlet,
            Some(("EA WorldView".into(), OutletSignal::Layout))
        );
    }

    #[test]
    fn kicker_lines_give_the_date() {
        let m = from_text(&lines(
            "Aid convoy reaches the besieged town\n\nReuters | World | Tue 14 Mar 2023\n\nThe convoy of forty trucks crossed the last checkpoint at dawn and unloaded flour and medicine.",
        ));
        assert_eq!(m.published, NaiveDate::from_ymd_opt(2023, 3, 14));
        assert_eq!(m.outlet.map(|(o, _)| o).as_deref(), Some("Reuters"));
        let m = from_text(&lines(
            "Road reopens after shelling\n\nPosted on March 2 2021 by deskeditor\n\nTraffic resumed on the highway on Tuesday after engineers cleared the debris left by the shelling.",
        ));
        assert_eq!(m.published, NaiveDate::from_ymd_opt(2021, 3, 2));
    }

    #[test]
    fn event_dates_in_sentences_are_not_publication_dates() {
        let m = from_text(&lines(&format!(
            "Strikes hit depot\n\nOn 3 March 2022 the depot was hit. {BODY}"
        )));
        assert_eq!(m.published, None);
    }
}
