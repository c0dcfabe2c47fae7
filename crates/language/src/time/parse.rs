//! Finds time expressions in the token stream, unresolved: what was said
//! ("Thursday", "June 8", "two weeks ago"), not yet which date it means.

use super::lexicon::{read_number, CalWord, Lexicon, CLASS_CAL, CLASS_NUM, CLASS_TIME};
use super::token::{int, Kind, Tok};
use sitrep_model::{Sentence, Span};

/// Part of a month or year: "early May", "mid-June", "late 2016".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    Whole,
    Early,
    Mid,
    Late,
}

/// "last Thursday" (Past), "next Thursday" (Future), "Thursday" (Default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dir {
    Default,
    Past,
    Future,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    Day,
    Week,
    Month,
    Year,
}

/// A time expression as written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Raw {
    /// "22 May 2017", "May 22, 2017", "2017-05-22", "Thursday, May 18, 2017".
    Date {
        y: i32,
        m: u32,
        d: u32,
    },
    /// Year-less: "June 8", "Aug. 23", "18 May".
    DayMonth {
        m: u32,
        d: u32,
    },
    /// "March 2019", "mid-June 2014".
    MonthYear {
        y: i32,
        m: u32,
        part: Part,
    },
    /// Year-less month: "in March", "late May", "last March".
    Month {
        m: u32,
        part: Part,
        dir: Dir,
    },
    /// "in 2017", "since 2011", "mid-2012".
    Year {
        y: i32,
        part: Part,
    },
    /// "Thursday", "last Thursday", "on Sunday".
    Weekday {
        wd: u32,
        dir: Dir,
    },
    /// A season (northern hemisphere), by its first month: "last summer"
    /// (6), "the winter of 2019" (12, running into the next year).
    Season {
        m: u32,
        y: Option<i32>,
        dir: Dir,
    },
    /// "yesterday" (-1), "today" (0), "tomorrow" (1).
    DayOffset(i64),
    /// "last week" (-1), "this week" (0), "next week" (1).
    Week(i32),
    Weekend(Dir),
    /// "last month" (-1), "this month" (0), "next month" (1).
    MonthRel(i32),
    /// "last year" (-1), "this year" (0), "next year" (1).
    YearRel(i32),
    /// "two weeks ago"; `n` = 0 for a vague count ("days ago").
    Ago {
        n: u32,
        unit: Unit,
    },
    /// "the past week", "the past 10 days": a window ending at the doc date.
    Past {
        days: u32,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Found {
    pub span: Span,
    pub raw: Raw,
    /// The clause speaks of the future ("will meet on Thursday").
    pub future: bool,
    /// The expression opens a line that is a heading, dateline or column
    /// title ("Syria Daily, May 31: ...", "22 May 2017").
    pub heading: bool,
    /// The expression is alone on its line, up to a few publication words
    /// ("Published 22 May 2017").
    pub dateline: bool,
}

pub(crate) fn scan(text: &str, toks: &[Tok], sentences: &[Sentence]) -> Vec<Found> {
    let sc = Scanner {
        text,
        toks,
        lex: Lexicon::builtin(),
    };
    let mut out = Vec::new();
    let mut i = 0;
    let mut sent = 0usize;
    while i < toks.len() {
        let Some((start, end, raw)) = sc.at(i) else {
            i += 1;
            continue;
        };
        let span = Span::new(toks[start].start, toks[end - 1].end);
        while sent < sentences.len() && sentences[sent].span.end <= span.start {
            sent += 1;
        }
        let bounds = sentences
            .get(sent)
            .filter(|s| s.span.start <= span.start)
            .map(|s| s.span)
            .unwrap_or(span);
        let future = sc.future_clause(start, end, bounds);
        let (heading, dateline) = sc.line_role(start, end);
        out.push(Found {
            span,
            raw,
            future,
            heading,
            dateline,
        });
        i = end;
    }
    out
}

struct Scanner<'a> {
    text: &'a str,
    toks: &'a [Tok],
    lex: &'static Lexicon,
}

/// Words that may introduce a bare year ("in 2017", "since 2011").
const YEAR_CUES: &[&str] = &[
    "in",
    "since",
    "by",
    "of",
    "until",
    "till",
    "from",
    "during",
    "after",
    "before",
    "throughout",
    "early",
    "mid",
    "late",
    "around",
    "circa",
    "to",
    "and",
    "between",
];

/// Words that make a clause future ("will meet on Thursday").
const FUTURE_CUES: &[&str] = &[
    "will",
    "shall",
    "ll",
    "scheduled",
    "due",
    "expected",
    "plans",
    "planned",
    "planning",
    "upcoming",
    "set",
    "slated",
    "expects",
    "expect",
    "aims",
    "hopes",
];

/// Words that may share a line with a publication date.
const DATELINE_WORDS: &[&str] = &[
    "published",
    "posted",
    "updated",
    "on",
    "at",
    "am",
    "pm",
    "gmt",
    "utc",
    "last",
    "modified",
    "date",
    "first",
];

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

    /// Token `i` is glued to the previous one (no whitespace).
    fn glued(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| !t.space)
    }

    fn capitalized(&self, i: usize) -> bool {
        self.s(i)
            .as_bytes()
            .first()
            .is_some_and(|c| c.is_ascii_uppercase())
    }

    fn year(&self, i: usize) -> Option<i32> {
        if self.kind(i) != Some(Kind::Num) || self.s(i).len() != 4 {
            return None;
        }
        int(self.s(i))
            .filter(|y| (1900..=2100).contains(y))
            .map(|y| y as i32)
    }

    /// A day of the month at `i`, with an optional ordinal suffix; returns
    /// the day and the index after it.
    fn day(&self, i: usize) -> Option<(u32, usize)> {
        if self.kind(i) != Some(Kind::Num) || self.s(i).len() > 2 {
            return None;
        }
        let d = int(self.s(i)).filter(|d| (1..=31).contains(d))?;
        let mut end = i + 1;
        if self.glued(end) && self.is_any(end, &["st", "nd", "rd", "th"]) {
            end += 1;
        }
        // "8:30" is a clock time, "8-10" a range, "8%" a share.
        let clock =
            self.punct(end, ":") && self.glued(end + 1) && self.kind(end + 1) == Some(Kind::Num);
        if self.glued(end) && (clock || self.punct(end, "%")) {
            return None;
        }
        Some((d, end))
    }

    /// A month word at `i` (an abbreviation only with a following number);
    /// returns the month and the index after it (past an abbreviation's '.').
    fn month(&self, i: usize) -> Option<(u32, usize, bool)> {
        if self.kind(i) != Some(Kind::Word) || !self.capitalized(i) {
            return None;
        }
        match self.lex.cal(self.s(i))? {
            CalWord::Month(m) => {
                let end = if self.punct(i + 1, ".")
                    && self.glued(i + 1)
                    && self.kind(i + 2) == Some(Kind::Num)
                {
                    i + 2
                } else {
                    i + 1
                };
                Some((m, end, false))
            }
            CalWord::MonthAbbr(m) => {
                let end = if self.punct(i + 1, ".") && self.glued(i + 1) {
                    i + 2
                } else {
                    i + 1
                };
                (self.kind(end) == Some(Kind::Num)).then_some((m, end, true))
            }
            CalWord::Weekday(_) => None,
        }
    }

    fn weekday(&self, i: usize) -> Option<u32> {
        if self.kind(i) != Some(Kind::Word) || !self.capitalized(i) {
            return None;
        }
        match self.lex.cal(self.s(i))? {
            CalWord::Weekday(w) => Some(w),
            _ => None,
        }
    }

    fn part(&self, i: usize) -> Option<(Part, usize)> {
        // "the end of September", "the start of November"
        if self.is(i, "the") && self.is(i + 2, "of") {
            let p = if self.is(i + 1, "end") {
                Part::Late
            } else if self.is_any(i + 1, &["start", "beginning"]) {
                Part::Early
            } else if self.is(i + 1, "middle") {
                Part::Mid
            } else {
                return None;
            };
            return Some((p, i + 3));
        }
        let p = if self.is(i, "early") {
            Part::Early
        } else if self.is(i, "mid") || self.is(i, "middle") {
            Part::Mid
        } else if self.is(i, "late") {
            Part::Late
        } else {
            return None;
        };
        // "mid-June", "mid June", "in the middle of June"
        let j = i + 1;
        let linked = (self.punct(j, "-") && self.glued(j)) || self.is(j, "of");
        Some((p, if linked { j + 1 } else { j }))
    }

    /// The longest expression starting at token `i`: (first token, end, raw).
    fn at(&self, i: usize) -> Option<(usize, usize, Raw)> {
        let t = self.toks.get(i)?;
        match t.kind {
            Kind::Num => self.number_first(i),
            // One lookup rules out the ordinary words.
            Kind::Word if t.class & (CLASS_CAL | CLASS_NUM | CLASS_TIME) == 0 => None,
            Kind::Word => self
                .part_first(i)
                .or_else(|| self.month_first(i, Part::Whole, Dir::Default, false))
                .or_else(|| self.weekday_first(i, Dir::Default))
                .or_else(|| self.season(i))
                .or_else(|| self.relative(i)),
            Kind::Punct => None,
        }
    }

    fn number_first(&self, i: usize) -> Option<(usize, usize, Raw)> {
        // ISO 2017-05-22
        if let Some(y) = self.year(i) {
            if self.punct(i + 1, "-")
                && self.glued(i + 1)
                && self.glued(i + 2)
                && self.punct(i + 3, "-")
                && self.glued(i + 3)
                && self.glued(i + 4)
            {
                let m = int(self.s(i + 2)).filter(|_| self.s(i + 2).len() == 2);
                let d = int(self.s(i + 4)).filter(|_| self.s(i + 4).len() == 2);
                if let (Some(m), Some(d)) = (m, d) {
                    return Some((i, i + 5, Raw::Date { y, m, d }));
                }
            }
            return self.bare_year(i, i, Part::Whole);
        }
        // 05/22/2017 or 22/05/2017, only when the order is unambiguous.
        if self.punct(i + 1, "/")
            && self.glued(i + 1)
            && self.glued(i + 2)
            && self.punct(i + 3, "/")
            && self.glued(i + 3)
            && self.glued(i + 4)
        {
            if let (Some(a), Some(b), Some(y)) =
                (int(self.s(i)), int(self.s(i + 2)), self.year(i + 4))
            {
                let (m, d) = match (a, b) {
                    (a, b) if a == b => (a, b),
                    (a, b) if a > 12 && b <= 12 => (b, a),
                    (a, b) if b > 12 && a <= 12 => (a, b),
                    _ => return None,
                };
                return Some((i, i + 5, Raw::Date { y, m, d }));
            }
            return None;
        }
        // 22 May 2017 / 22 May / 22nd of May
        let (d, mut j) = self.day(i)?;
        if self.is(j, "of") {
            j += 1;
        }
        let (m, end, _) = self.month(j)?;
        let mut k = end;
        if self.punct(k, ",") {
            k += 1;
        }
        if let Some(y) = self.year(k) {
            return Some((i, k + 1, Raw::Date { y, m, d }));
        }
        Some((i, end, Raw::DayMonth { m, d }))
    }

    /// A bare year at `y_at` with a cue before `first` ("in 2017", "mid-2012").
    fn bare_year(&self, first: usize, y_at: usize, part: Part) -> Option<(usize, usize, Raw)> {
        let y = self.year(y_at)?;
        // "2017-18" seasons and "2017/18" are left alone.
        if self.glued(y_at + 1) && (self.punct(y_at + 1, "-") || self.punct(y_at + 1, "/")) {
            return None;
        }
        if part == Part::Whole {
            let cue = first
                .checked_sub(1)
                .is_some_and(|p| self.is_any(p, YEAR_CUES));
            if !cue {
                return None;
            }
            // "by 2000 fighters": a count, not a year.
            let next_lower_word = self.kind(y_at + 1) == Some(Kind::Word)
                && self
                    .s(y_at + 1)
                    .as_bytes()
                    .first()
                    .is_some_and(|c| c.is_ascii_lowercase());
            let count_cue = first
                .checked_sub(1)
                .is_some_and(|p| self.is_any(p, &["by", "to", "of", "from", "and", "between"]));
            if next_lower_word
                && (count_cue
                    || self.s(y_at + 1).ends_with('s')
                        && !self
                            .is_any(y_at + 1, &["was", "as", "has", "is", "his", "its", "this"]))
            {
                return None;
            }
        }
        Some((first, y_at + 1, Raw::Year { y, part }))
    }

    /// "early May", "mid-June 2014", "late 2016", "mid-2012".
    fn part_first(&self, i: usize) -> Option<(usize, usize, Raw)> {
        let (part, j) = self.part(i)?;
        // "the end of the year": December of the document's year.
        if part == Part::Late && self.is(j, "the") && self.is(j + 1, "year") {
            return Some((
                i,
                j + 2,
                Raw::Month {
                    m: 12,
                    part: Part::Whole,
                    dir: Dir::Future,
                },
            ));
        }
        // "by the end of September" sets a deadline: the coming one.
        let dir = if self.is(i, "the") && i > 0 && self.is(i - 1, "by") {
            Dir::Future
        } else {
            Dir::Default
        };
        if let Some(r) = self.month_first(j, part, dir, true) {
            return Some((i, r.1, r.2));
        }
        if self.year(j).is_some() {
            return self.bare_year(i, j, part).map(|(_, e, r)| (i, e, r));
        }
        // "late on Thursday", "early Sunday"
        let k = if self.is(j, "on") { j + 1 } else { j };
        if let Some(wd) = self.weekday(k) {
            return Some((
                i,
                self.weekday_tail(k + 1),
                Raw::Weekday {
                    wd,
                    dir: Dir::Default,
                },
            ));
        }
        None
    }

    /// A month at `i`: with a day and/or year, or alone after a cue.
    fn month_first(
        &self,
        i: usize,
        part: Part,
        dir: Dir,
        cued: bool,
    ) -> Option<(usize, usize, Raw)> {
        let (m, end, _) = self.month(i)?;
        let may = self.s(i) == "May";
        if part == Part::Whole {
            if let Some((d, mut k)) = self.day(end) {
                // Not "June 8-10" ranges of days; those are left to the start day.
                let day_end = k;
                if self.punct(k, ",") {
                    k += 1;
                }
                if let Some(y) = self.year(k) {
                    return Some((i, k + 1, Raw::Date { y, m, d }));
                }
                return Some((i, day_end, Raw::DayMonth { m, d }));
            }
        }
        let mut k = end;
        if self.is(k, "of") && self.year(k + 1).is_some() {
            k += 1;
        }
        if self.punct(k, ",") && self.year(k + 1).is_some() {
            k += 1;
        }
        if let Some(y) = self.year(k) {
            return Some((i, k + 1, Raw::MonthYear { y, m, part }));
        }
        // A month alone needs a cue ("in March", "late May", "last March");
        // "May" alone is far more often the verb.
        let cue = cued
            || dir != Dir::Default
            || i.checked_sub(1).is_some_and(|p| {
                self.is_any(
                    p,
                    &[
                        "in",
                        "since",
                        "until",
                        "till",
                        "by",
                        "during",
                        "of",
                        "from",
                        "through",
                        "throughout",
                        "early",
                        "late",
                        "mid",
                        "since",
                        "before",
                        "after",
                        "last",
                        "next",
                        "this",
                    ],
                )
            });
        if !cue
            || (may
                && !cued
                && dir == Dir::Default
                && !i.checked_sub(1).is_some_and(|p| {
                    self.is_any(
                        p,
                        &[
                            "in", "since", "until", "during", "of", "early", "late", "mid", "last",
                            "next",
                        ],
                    )
                }))
        {
            return None;
        }
        Some((i, end, Raw::Month { m, part, dir }))
    }

    /// "last summer", "in the spring", "the winter of 2019", "summer 2018".
    fn season(&self, i: usize) -> Option<(usize, usize, Raw)> {
        let w = self.s(i);
        let m = [
            ("spring", 3),
            ("summer", 6),
            ("autumn", 9),
            ("fall", 9),
            ("winter", 12),
        ]
        .into_iter()
        .find(|(n, _)| w.eq_ignore_ascii_case(n))?
        .1;
        let mut end = i + 1;
        let year = if self.year(end).is_some() {
            end += 1;
            self.year(end - 1)
        } else if self.is(end, "of") && self.year(end + 1).is_some() {
            end += 2;
            self.year(end - 1)
        } else {
            None
        };
        let prev = i.checked_sub(1);
        let (first, dir) = match prev {
            Some(p) if self.is(p, "last") => (p, Dir::Past),
            Some(p) if self.is(p, "next") => (p, Dir::Future),
            Some(p) if self.is_any(p, &["this", "the"]) => (p, Dir::Default),
            // "fall" alone is far more often the verb.
            _ if m == 9 && w.eq_ignore_ascii_case("fall") && year.is_none() => return None,
            Some(p)
                if year.is_some()
                    || self.is_any(
                        p,
                        &[
                            "in", "during", "since", "until", "by", "early", "late", "mid",
                        ],
                    ) =>
            {
                (i, Dir::Default)
            }
            None if year.is_some() => (i, Dir::Default),
            _ => return None,
        };
        Some((first, end, Raw::Season { m, y: year, dir }))
    }

    /// After a weekday: "night", "morning" ... belong to it.
    fn weekday_tail(&self, k: usize) -> usize {
        if self.is_any(k, &["night", "morning", "afternoon", "evening"]) {
            k + 1
        } else {
            k
        }
    }

    fn weekday_first(&self, i: usize, dir: Dir) -> Option<(usize, usize, Raw)> {
        let wd = self.weekday(i)?;
        // "Thursday, May 18, 2017" / "Thursday (May 18)": the date wins.
        let mut k = i + 1;
        if self.punct(k, ",") || self.punct(k, "(") {
            k += 1;
        }
        if let Some((_, end, raw)) = self
            .month_first(k, Part::Whole, Dir::Default, false)
            .or_else(|| self.number_first(k))
        {
            if matches!(raw, Raw::Date { .. } | Raw::DayMonth { .. }) {
                let end = if self.punct(end, ")") && self.punct(i + 1, "(") {
                    end + 1
                } else {
                    end
                };
                return Some((i, end, raw));
            }
        }
        // "earlier on Thursday", "late on Thursday" include their modifier.
        let mut first = i;
        if i >= 2 && self.is(i - 1, "on") && self.is_any(i - 2, &["earlier", "later"]) {
            first = i - 2;
        }
        Some((first, self.weekday_tail(i + 1), Raw::Weekday { wd, dir }))
    }

    fn relative(&self, i: usize) -> Option<(usize, usize, Raw)> {
        let w = self.s(i);
        let lw = |x: &str| w.eq_ignore_ascii_case(x);
        if lw("yesterday") {
            return Some((i, i + 1, Raw::DayOffset(-1)));
        }
        if lw("today") || lw("tonight") {
            return Some((i, i + 1, Raw::DayOffset(0)));
        }
        if lw("tomorrow") {
            return Some((i, i + 1, Raw::DayOffset(1)));
        }
        if lw("last") || lw("next") || lw("this") || lw("past") {
            let off = if lw("last") || lw("past") {
                -1
            } else if lw("next") {
                1
            } else {
                0
            };
            let j = i + 1;
            // "the past week", "the past 10 days", "the last two weeks",
            // "the past 48 hours": a window ending at the document date.
            if (lw("past") || lw("last")) && i.checked_sub(1).is_some_and(|p| self.is(p, "the")) {
                let (n, k) = match read_number(self.text, self.toks, j, self.lex) {
                    Some(p) if !p.vague => (p.value, p.end),
                    _ => (1.0, j),
                };
                let u = self.s(k);
                let base = u.strip_suffix('s').unwrap_or(u);
                let per_unit = [
                    ("hour", 1.0 / 24.0),
                    ("day", 1.0),
                    ("week", 7.0),
                    ("month", 30.0),
                    ("year", 365.0),
                ]
                .into_iter()
                .find(|(w, _)| base.eq_ignore_ascii_case(w))
                .map(|(_, f)| f);
                if let Some(f) = per_unit {
                    let days = (n * f).ceil().clamp(1.0, 36_500.0) as u32;
                    return Some((i - 1, k + 1, Raw::Past { days }));
                }
                if lw("past") {
                    return None;
                }
            }
            if lw("past") {
                return None;
            }
            let dir = match off {
                -1 => Dir::Past,
                1 => Dir::Future,
                _ => Dir::Default,
            };
            if self.is(j, "week") {
                return Some((self.earlier(i), j + 1, Raw::Week(off)));
            }
            if self.is(j, "weekend") {
                return Some((i, j + 1, Raw::Weekend(dir)));
            }
            if self.is(j, "month") {
                return Some((self.earlier(i), j + 1, Raw::MonthRel(off)));
            }
            if self.is(j, "year") {
                return Some((self.earlier(i), j + 1, Raw::YearRel(off)));
            }
            if off == -1 && self.is(j, "night") {
                return Some((i, j + 1, Raw::DayOffset(-1)));
            }
            if off == 0 && self.is_any(j, &["morning", "afternoon", "evening"]) {
                return Some((i, j + 1, Raw::DayOffset(0)));
            }
            if self.weekday(j).is_some() {
                return self.weekday_first(j, dir).map(|(_, e, r)| (i, e, r));
            }
            if off != 0 {
                return self
                    .month_first(j, Part::Whole, dir, true)
                    .and_then(|(_, e, r)| matches!(r, Raw::Month { .. }).then_some((i, e, r)));
            }
            return None;
        }
        // "earlier in the week", "later in the month"
        if (lw("earlier") || lw("later")) && self.is(i + 1, "in") && self.is(i + 2, "the") {
            let raw = if self.is(i + 3, "week") {
                Raw::Week(0)
            } else if self.is(i + 3, "month") {
                Raw::MonthRel(0)
            } else if self.is(i + 3, "year") {
                Raw::YearRel(0)
            } else {
                return None;
            };
            return Some((i, i + 4, raw));
        }
        if (lw("over") || lw("at")) && self.is(i + 1, "the") && self.is(i + 2, "weekend") {
            return Some((i, i + 3, Raw::Weekend(Dir::Default)));
        }
        // "two weeks ago", "a month ago", "days ago"
        let unit_at = |j: usize| -> Option<(Unit, bool)> {
            let u = self.s(j);
            let plural = u.ends_with('s');
            let base = u.strip_suffix('s').unwrap_or(u);
            let unit = [
                ("day", Unit::Day),
                ("week", Unit::Week),
                ("month", Unit::Month),
                ("year", Unit::Year),
            ]
            .into_iter()
            .find(|(w, _)| base.eq_ignore_ascii_case(w))?
            .1;
            Some((unit, plural))
        };
        if let Some((unit, plural)) = unit_at(i) {
            if plural && self.is(i + 1, "ago") && unit == Unit::Day {
                return Some((i, i + 2, Raw::Ago { n: 0, unit }));
            }
            return None;
        }
        // "a week ago", "an hour ago" (hours are below our precision)
        if self.is_any(i, &["a", "an", "one"]) {
            if let Some((unit, false)) = unit_at(i + 1) {
                if self.is(i + 2, "ago") {
                    return Some((i, i + 3, Raw::Ago { n: 1, unit }));
                }
            }
        }
        let num = read_number(self.text, self.toks, i, self.lex)?;
        let (unit, _) = unit_at(num.end)?;
        if !self.is(num.end + 1, "ago") || num.value < 1.0 || num.value > 1000.0 {
            return None;
        }
        let n = if num.vague { 0 } else { num.value as u32 };
        if n == 0 && unit != Unit::Day {
            return None;
        }
        Some((i, num.end + 2, Raw::Ago { n, unit }))
    }

    /// Includes a preceding "earlier" / "later" ("earlier this week").
    fn earlier(&self, i: usize) -> usize {
        if i >= 1 && self.is_any(i - 1, &["earlier", "later"]) {
            i - 1
        } else {
            i
        }
    }

    /// Whether the clause around tokens `[start, end)` speaks of the future.
    /// Looks a few tokens back and forward inside the sentence, stopping at
    /// clause punctuation and at "that"/"said" (reported content).
    fn future_clause(&self, start: usize, end: usize, bounds: Span) -> bool {
        // Explicit "next Thursday" / "later this week".
        if self.is(start, "next") || self.is(start, "later") || self.is(start, "tomorrow") {
            return true;
        }
        let stop = |k: usize| {
            let t = &self.toks[k];
            t.start < bounds.start
                || t.end > bounds.end
                || (t.kind == Kind::Punct
                    && matches!(
                        self.s(k),
                        "," | ";" | ":" | "." | "“" | "”" | "\"" | "(" | ")" | "—"
                    ))
                || self.is_any(
                    k,
                    &[
                        "that", "said", "says", "told", "when", "after", "since", "and", "but",
                    ],
                )
        };
        let cue = |k: usize| {
            self.is_any(k, FUTURE_CUES)
                || (self.is(k, "to") && k >= 1 && self.is_any(k - 1, &["is", "are", "going"]))
        };
        let mut k = start;
        for _ in 0..8 {
            if k == 0 {
                break;
            }
            k -= 1;
            if stop(k) {
                break;
            }
            if cue(k) {
                return true;
            }
        }
        for k in end..self.toks.len().min(end + 6) {
            if stop(k) {
                break;
            }
            if cue(k) {
                return true;
            }
        }
        false
    }

    /// (heading, dateline): the expression opens its line within the first
    /// four tokens and the line reads as a title (no final period, or a
    /// colon after the date); a dateline holds nothing but the date and
    /// publication words.
    fn line_role(&self, start: usize, end: usize) -> (bool, bool) {
        let mut ls = start;
        while ls > 0 && !self.toks[ls].line {
            ls -= 1;
        }
        let mut le = end;
        while le < self.toks.len() && !self.toks[le].line {
            le += 1;
        }
        let weekday_or_pub = |k: usize| {
            let t = &self.toks[k];
            t.kind == Kind::Punct
                || t.kind == Kind::Num
                || self.is_any(k, DATELINE_WORDS)
                || self.weekday(k).is_some()
        };
        let dateline = (ls..start).chain(end..le).all(weekday_or_pub);
        let near_start = start - ls <= 4;
        let last_is_period = le > end && self.punct(le - 1, ".");
        let colon_after = self.punct(end, ":");
        let heading = near_start && (colon_after || !last_is_period);
        (heading || dateline, dateline)
    }
}
