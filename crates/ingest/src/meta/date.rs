//! Publication dates in the common written forms: "22 May 2017",
//! "May 22, 2017", "2017-05-22", "Posted on April 19 2017",
//! "Wed 05 Apr 2017", "05/22/2017" (numeric day/month only when
//! unambiguous), RFC 3339 and RFC 2822 timestamps.

use std::sync::OnceLock;

use chrono::NaiveDate;
use regex::{Regex, RegexBuilder};

const MONTHS: &str = "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?";

struct Patterns {
    iso: Regex,
    dmy: Regex,
    mdy: Regex,
    numeric: Regex,
    label: Regex,
    filler: Regex,
}

/// Compiles the patterns now ([`crate::warm_up`]).
pub(super) fn warm_up() {
    patterns();
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let ci = |p: &str| {
            // Fixed patterns, covered by the tests below.
            RegexBuilder::new(p).case_insensitive(true).build().expect("valid date pattern")
        };
        Patterns {
            iso: ci(r"\b(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)?\b"),
            dmy: ci(&format!(r"\b(\d{{1,2}})(?:st|nd|rd|th)?(?:\s+|-|\s+of\s+)({MONTHS})\.?,?(?:\s+|-)(\d{{4}})\b")),
            mdy: ci(&format!(r"\b({MONTHS})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b")),
            numeric: ci(r"\b(\d{1,2})([./])(\d{1,2})[./](\d{4})\b"),
            label: ci(r"^(?:(?:first\s+)?(?:posted|published|updated|last\s+updated|last\s+modified|modified|date|dated|released|issued)(?:\s+(?:on|at))?\s*:?\s*)"),
            filler: ci(r"(?:\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?|\b\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?|\b(?:gmt|utc|bst|cet|cest|est|edt|pst|pdt|ast|eet|eest|msk)(?:\s*[+-]\s*\d{1,2}(?::?\d{2})?)?|\b[ap]\.?m\.?\b|\bat\b|\bon\b|[|,•·/()\[\]–—-])"),
        }
    })
}

fn month(s: &str) -> Option<u32> {
    let m = s.get(..3)?.to_ascii_lowercase();
    let i = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    .iter()
    .position(|x| *x == m)?;
    u32::try_from(i + 1).ok()
}

fn ymd(y: &str, m: u32, d: &str) -> Option<NaiveDate> {
    let y: i32 = y.parse().ok()?;
    let d: u32 = d.parse().ok()?;
    if !(1900..=2100).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d)
}

/// The first date written in `s`, with its byte range.
pub fn find_date(s: &str) -> Option<(NaiveDate, std::ops::Range<usize>)> {
    let p = patterns();
    let mut best: Option<(NaiveDate, std::ops::Range<usize>)> = None;
    let mut consider = |d: Option<NaiveDate>, r: std::ops::Range<usize>| {
        if let Some(d) = d {
            if best.as_ref().is_none_or(|(_, b)| r.start < b.start) {
                best = Some((d, r));
            }
        }
    };
    if let Some(c) = p.iso.captures(s) {
        let m = c[2].parse().ok();
        consider(
            m.and_then(|m| ymd(&c[1], m, &c[3])),
            c.get(0).map_or(0..0, |m| m.range()),
        );
    }
    if let Some(c) = p.dmy.captures(s) {
        consider(
            month(&c[2]).and_then(|m| ymd(&c[3], m, &c[1])),
            c.get(0).map_or(0..0, |m| m.range()),
        );
    }
    if let Some(c) = p.mdy.captures(s) {
        consider(
            month(&c[1]).and_then(|m| ymd(&c[3], m, &c[2])),
            c.get(0).map_or(0..0, |m| m.range()),
        );
    }
    if let Some(c) = p.numeric.captures(s) {
        let a: u32 = c[1].parse().unwrap_or(0);
        let b: u32 = c[3].parse().unwrap_or(0);
        // Dots are day.month.year by convention; with slashes only a
        // component above 12 (or equal ones) tells day from month.
        let dm = if &c[2] == "." || a > 12 {
            Some((a, b))
        } else if b > 12 || a == b {
            Some((b, a))
        } else {
            None
        };
        let d = dm.and_then(|(d, m)| ymd(&c[4], m, &d.to_string()));
        consider(d, c.get(0).map_or(0..0, |m| m.range()));
    }
    best
}

/// Parses a metadata date string (RFC 3339, RFC 2822, or any form above).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(dt.date_naive());
    }
    if let Ok(dt) = chrono::DateTime::parse_from_rfc2822(s) {
        return Some(dt.date_naive());
    }
    find_date(s).map(|(d, _)| d)
}

/// A line that is a date and little else: "22 May 2017",
/// "Posted on April 19 2017", "Wed 05 Apr 2017 10.11 BST".
pub fn is_date_line(line: &str) -> bool {
    date_line(line).is_some()
}

/// The date of a date line (see [`is_date_line`]).
pub fn date_line(line: &str) -> Option<NaiveDate> {
    let t = line.trim();
    if t.len() > 80 {
        return None;
    }
    let p = patterns();
    let (d, r) = find_date(t)?;
    let rest = format!("{} {}", &t[..r.start], &t[r.end..]);
    let rest = p.label.replace(rest.trim(), "");
    let rest = p.filler.replace_all(&rest, " ");
    // "Posted on June 9 2017 by badiawatcher": a trailing author is still
    // a date line (the byline is read separately).
    let rest = match rest.trim().strip_prefix("by ") {
        Some(author) if author.split_whitespace().count() <= 4 => "",
        _ => rest.trim(),
    };
    let leftover = rest.chars().filter(|c| c.is_alphanumeric()).count();
    (leftover == 0).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn common_forms() {
        for (s, want) in [
            ("3 March 2022", d(2022, 3, 3)),
            ("March 3, 2022", d(2022, 3, 3)),
            ("2022-03-03", d(2022, 3, 3)),
            ("Posted on October 9 2019", d(2019, 10, 9)),
            ("Thu 14 Nov 2019 10.11 GMT", d(2019, 11, 14)),
            ("Published: 1st Sept. 2021 | 09:30 AM", d(2021, 9, 1)),
            ("Updated 2023-01-05T08:00:00Z", d(2023, 1, 5)),
            ("25/12/2020", d(2020, 12, 25)),
            ("12/25/2020", d(2020, 12, 25)),
            ("05.06.2020", d(2020, 6, 5)),
            ("Sunday, 7 August 2016", d(2016, 8, 7)),
            ("Posted on March 2 2021 by deskeditor", d(2021, 3, 2)),
        ] {
            assert_eq!(date_line(s), Some(want), "{s}");
        }
    }

    #[test]
    fn not_date_lines() {
        assert_eq!(date_line("05/06/2020"), None, "ambiguous day/month");
        assert_eq!(
            date_line("The strike on 3 March 2022 killed four people."),
            None
        );
        assert_eq!(date_line("31 February 2020"), None);
        assert!(find_date("talks began on 3 March 2022 in Geneva").is_some());
    }

    #[test]
    fn metadata_dates() {
        assert_eq!(
            parse_date("2019-04-19T08:15:00+03:00"),
            Some(d(2019, 4, 19))
        );
        assert_eq!(
            parse_date("Fri, 19 Apr 2019 08:15:00 +0000"),
            Some(d(2019, 4, 19))
        );
        assert_eq!(parse_date("April 19, 2019"), Some(d(2019, 4, 19)));
        assert_eq!(parse_date("soon"), None);
    }
}
