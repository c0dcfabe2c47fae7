//! Time expressions and document dates.
//!
//! [`find`] returns every time expression with a byte span, a date range
//! and a precision; [`find_absolute`] does the same without a document date
//! (relative expressions are skipped). [`document_date`] returns the
//! document's date, inferring one from the text when the document has none.
//!
//! Resolution policy (news conventions):
//! - A bare weekday ("on Thursday", "earlier on Thursday") is the most
//!   recent such day on or before the document date (an article published
//!   on a Thursday means that same day); "last Thursday" is strictly
//!   before. When the clause speaks of the future ("will meet on
//!   Thursday", "next Thursday") it is the first such day on or after
//!   (strictly after for "next").
//! - Year-less dates ("June 8", "late May") take the year that puts them
//!   on or before the document date plus 7 days (announced events), or
//!   after it when the clause speaks of the future. They are marked
//!   `relative` because their year depends on the document date.
//! - "early"/"mid"/"late" a month cover days 1–10 / 11–20 / 21–end with
//!   month precision; of a year, Jan–Apr / May–Aug / Sep–Dec with year
//!   precision. "since 2011" is the year 2011.
//! - Weeks run Monday to Sunday. "last week" is the previous week,
//!   "this week"/"earlier this week" runs from Monday to the document
//!   date; "over the weekend" is the most recent Saturday–Sunday (week
//!   precision). "two weeks ago" is 14 days back ± 3 days (week
//!   precision); "three days ago" is a day; "N months ago" the calendar
//!   month; "days ago" two to seven days back (week precision).
//! - "the past two weeks", "the last 48 hours" run from that far back to
//!   the document date. "the end of September" is its late part, "the end
//!   of the year" December. Seasons are northern-hemisphere quarters
//!   (spring = March–May, winter = December–February) with month
//!   precision; "last summer" is the last one already over.
//! - Not resolved: anaphora ("the next day", "two days later", "later that
//!   morning"), "recently", "in recent months", and times of day.
//!
//! [`analyze`] does all of this plus [`crate::quantity::find`] from one
//! tokenization; [`batch_hint`] with [`document_date_with_hint`] dates
//! texts that state no year from the rest of their collection.

mod lexicon;
mod parse;
pub(crate) mod token;

pub(crate) use lexicon::{read_number, Lexicon as Words, CLASS_NUM, CLASS_QTY};

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use parse::{Dir, Found, Part, Raw, Unit};
use sitrep_model::{DateRange, Document, PublishedBasis, Sentence, TimeExpr, TimePrecision};

/// Parses the time lexicon now ([`crate::warm_up`]).
pub(crate) fn warm_up() {
    lexicon::Lexicon::builtin();
}

/// Days an undated-year date may lie after the document date (events
/// announced ahead, "the vote on June 8").
const FUTURE_TOLERANCE_DAYS: u64 = 7;
/// Days between the latest body date and publication when the text also
/// names past weekdays (see [`infer_document_date`]).
const AP_STYLE_LAG_DAYS: u64 = 7;
/// Length of the inferred publication window after the anchor date.
const INFERRED_WINDOW_DAYS: u64 = 30;

/// The document date used to resolve relative expressions.
///
/// With `doc.published` set, that date and its basis (default
/// `Metadata`). Otherwise inferred from the text, see
/// [`infer_document_date`]; when `doc.published_range` is set by the caller
/// (a crawl window, a batch's dates) its midpoint serves as the year hint
/// for texts that state no year.
pub fn document_date(
    doc: &Document,
    sentences: &[Sentence],
) -> (
    Option<NaiveDate>,
    Option<PublishedBasis>,
    Option<(NaiveDate, NaiveDate)>,
) {
    let hint = doc
        .published_range
        .and_then(|(a, b)| a.checked_add_signed((b - a) / 2));
    document_date_with_hint(doc, sentences, hint)
}

/// As [`document_date`], with an explicit year hint: a date near which the
/// document was written (for instance [`batch_hint`] over the other
/// documents of the same collection). Used only to give year-less dates a
/// year when the text states none.
pub fn document_date_with_hint(
    doc: &Document,
    sentences: &[Sentence],
    hint: Option<NaiveDate>,
) -> (
    Option<NaiveDate>,
    Option<PublishedBasis>,
    Option<(NaiveDate, NaiveDate)>,
) {
    if let Some(p) = doc.published {
        return (
            Some(p),
            Some(doc.published_basis.unwrap_or(PublishedBasis::Metadata)),
            doc.published_range,
        );
    }
    match infer_document_date(&doc.text, sentences, hint) {
        Some(inf) => (Some(inf.date), Some(inf.basis), Some(inf.range)),
        None => (None, None, None),
    }
}

/// A year hint for a collection: the median of the dates known for its
/// documents (published or inferred). `None` for an empty slice.
pub fn batch_hint(dates: &[NaiveDate]) -> Option<NaiveDate> {
    let mut d = dates.to_vec();
    d.sort_unstable();
    d.get(d.len() / 2).copied()
}

/// An inferred document date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InferredDate {
    pub date: NaiveDate,
    /// `Text` when a dateline states the date, else `Inferred`.
    pub basis: PublishedBasis,
    /// Inclusive range the inference allows.
    pub range: (NaiveDate, NaiveDate),
}

/// Infers a publication date from the text.
///
/// 1. A line holding only a full date (optionally with a weekday and
///    words like "Published", "Updated") is a dateline: that date, basis
///    `Text`.
/// 2. Otherwise the anchor is the latest day-precision date in the text
///    that is not spoken of as future (headings such as "Daily report,
///    May 31:" count like any other date; being the latest, a column date
///    usually wins). Year-less dates take the latest year stated with a
///    month or a full date in the text, else the year nearest the hint.
///    Reports follow their events, so the document date is the anchor
///    plus one day, and the range runs from the anchor to 30 days after.
///    When the text also names past weekdays ("on Thursday") and the
///    anchor is not a heading date, the anchor plus seven days: news style
///    uses weekday names within a week and dates beyond it.
/// 3. Without day dates, the latest month with a year: its last day, the
///    range being the month plus 30 days.
///
/// `None` when the text has no usable date.
pub fn infer_document_date(
    text: &str,
    sentences: &[Sentence],
    hint: Option<NaiveDate>,
) -> Option<InferredDate> {
    let toks = token::tokenize(text);
    infer_from(&parse::scan(text, &toks, sentences), hint)
}

fn infer_from(found: &[Found], hint: Option<NaiveDate>) -> Option<InferredDate> {
    // 1. dateline
    for f in found {
        if let (true, Raw::Date { y, m, d }) = (f.dateline, f.raw) {
            if let Some(date) = NaiveDate::from_ymd_opt(y, m, d) {
                return Some(InferredDate {
                    date,
                    basis: PublishedBasis::Text,
                    range: (date, date),
                });
            }
        }
    }
    let text_year = text_year(found);
    // 2. latest day-precision date
    let mut anchor: Option<(NaiveDate, bool)> = None;
    for f in found.iter().filter(|f| !f.future) {
        let date = match f.raw {
            Raw::Date { y, m, d } => NaiveDate::from_ymd_opt(y, m, d),
            Raw::DayMonth { m, d } => match (text_year, hint) {
                (Some(y), _) => NaiveDate::from_ymd_opt(y, m, d),
                (None, Some(h)) => nearest_year(m, d, h),
                (None, None) => None,
            },
            _ => None,
        };
        if let Some(date) = date {
            anchor = match anchor {
                Some((a, h)) if a > date => Some((a, h)),
                Some((a, h)) if a == date => Some((a, h || f.heading)),
                _ => Some((date, f.heading)),
            };
        }
    }
    if let Some((a, heading)) = anchor {
        // News style (AP and most agencies) names the weekday for events of
        // the past week and gives the date for older ones: when the text
        // speaks of past weekdays, its latest body date is a week or more
        // old. A heading or column date ("Daily Report, May 31:") dates the
        // piece itself.
        let weekdays = found
            .iter()
            .any(|f| !f.future && matches!(f.raw, Raw::Weekday { dir, .. } if dir != Dir::Future));
        let lag = if weekdays && !heading {
            AP_STYLE_LAG_DAYS
        } else {
            1
        };
        return Some(InferredDate {
            date: a + Days::new(lag),
            basis: PublishedBasis::Inferred,
            range: (a, a + Days::new(INFERRED_WINDOW_DAYS)),
        });
    }
    // 3. latest month with a year
    let (y, m) = found
        .iter()
        .filter(|f| !f.future)
        .filter_map(|f| match f.raw {
            Raw::MonthYear { y, m, .. } => Some((y, m)),
            _ => None,
        })
        .max()?;
    let first = NaiveDate::from_ymd_opt(y, m, 1)?;
    let last = month_end(first)?;
    Some(InferredDate {
        date: last,
        basis: PublishedBasis::Inferred,
        range: (first, last + Days::new(INFERRED_WINDOW_DAYS)),
    })
}

/// Everything this module and [`crate::quantity`] find in one document,
/// from a single tokenization and scan (the fast path for pipelines).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TimeLayer {
    pub doc_date: Option<NaiveDate>,
    pub doc_date_basis: Option<PublishedBasis>,
    pub doc_date_range: Option<(NaiveDate, NaiveDate)>,
    /// Resolved against `doc_date`, or [`find_absolute`]'s rules without one.
    pub times: Vec<TimeExpr>,
    pub quantities: Vec<sitrep_model::Quantity>,
}

/// Equivalent to [`document_date_with_hint`], then [`find`] (or
/// [`find_absolute`] without a date) and [`crate::quantity::find`], but
/// tokenizing and scanning the text once.
pub fn analyze(doc: &Document, sentences: &[Sentence], hint: Option<NaiveDate>) -> TimeLayer {
    let text = doc.text.as_str();
    let toks = token::tokenize(text);
    let found = parse::scan(text, &toks, sentences);
    let (doc_date, doc_date_basis, doc_date_range) = match doc.published {
        Some(p) => (
            Some(p),
            Some(doc.published_basis.unwrap_or(PublishedBasis::Metadata)),
            doc.published_range,
        ),
        None => {
            let hint = hint.or(doc
                .published_range
                .and_then(|(a, b)| a.checked_add_signed((b - a) / 2)));
            match infer_from(&found, hint) {
                Some(inf) => (Some(inf.date), Some(inf.basis), Some(inf.range)),
                None => (None, None, None),
            }
        }
    };
    let year = if doc_date.is_some() {
        None
    } else {
        text_year(&found)
    };
    let times = found
        .iter()
        .filter_map(|f| {
            let (range, relative) = resolve(f, doc_date, year)?;
            Some(TimeExpr {
                span: f.span,
                range,
                relative,
            })
        })
        .collect();
    let spans: Vec<sitrep_model::Span> = found.iter().map(|f| f.span).collect();
    let quantities = crate::quantity::find_in(text, &toks, &spans);
    TimeLayer {
        doc_date,
        doc_date_basis,
        doc_date_range,
        times,
        quantities,
    }
}

/// All time expressions, resolved against `doc_date`.
pub fn find(text: &str, sentences: &[Sentence], doc_date: NaiveDate) -> Vec<TimeExpr> {
    let toks = token::tokenize(text);
    let found = parse::scan(text, &toks, sentences);
    found
        .iter()
        .filter_map(|f| {
            let (range, relative) = resolve(f, Some(doc_date), None)?;
            Some(TimeExpr {
                span: f.span,
                range,
                relative,
            })
        })
        .collect()
}

/// Time expressions that need no document date: full dates, months with
/// years, years; year-less dates only when the text states a year (the
/// latest year given with a month or a full date). Relative expressions
/// are skipped.
pub fn find_absolute(text: &str, sentences: &[Sentence]) -> Vec<TimeExpr> {
    let toks = token::tokenize(text);
    let found = parse::scan(text, &toks, sentences);
    let year = text_year(&found);
    found
        .iter()
        .filter_map(|f| {
            let (range, relative) = resolve(f, None, year)?;
            Some(TimeExpr {
                span: f.span,
                range,
                relative,
            })
        })
        .collect()
}

/// Byte spans of every time expression, resolved or not, so that other
/// scanners (quantities) can leave dates and years alone.
pub(crate) fn spans(
    text: &str,
    toks: &[token::Tok],
    sentences: &[Sentence],
) -> Vec<sitrep_model::Span> {
    parse::scan(text, toks, sentences)
        .iter()
        .map(|f| f.span)
        .collect()
}

/// The latest year stated with a month or a full date.
fn text_year(found: &[Found]) -> Option<i32> {
    found
        .iter()
        .filter_map(|f| match f.raw {
            Raw::Date { y, .. } | Raw::MonthYear { y, .. } => Some(y),
            _ => None,
        })
        .max()
}

/// The (month, day) in the year nearest to `hint`.
fn nearest_year(m: u32, d: u32, hint: NaiveDate) -> Option<NaiveDate> {
    (hint.year() - 1..=hint.year() + 1)
        .filter_map(|y| NaiveDate::from_ymd_opt(y, m, d))
        .min_by_key(|c| (*c - hint).num_days().abs())
}

fn month_end(first: NaiveDate) -> Option<NaiveDate> {
    first.checked_add_months(Months::new(1))?.pred_opt()
}

fn range(start: NaiveDate, end: NaiveDate, precision: TimePrecision) -> DateRange {
    DateRange {
        start,
        end,
        precision,
    }
}

fn month_range(y: i32, m: u32, part: Part) -> Option<DateRange> {
    let first = NaiveDate::from_ymd_opt(y, m, 1)?;
    let last = month_end(first)?;
    let (s, e) = match part {
        Part::Whole => (first, last),
        Part::Early => (first, NaiveDate::from_ymd_opt(y, m, 10)?),
        Part::Mid => (
            NaiveDate::from_ymd_opt(y, m, 11)?,
            NaiveDate::from_ymd_opt(y, m, 20)?,
        ),
        Part::Late => (NaiveDate::from_ymd_opt(y, m, 21)?, last),
    };
    Some(range(s, e, TimePrecision::Month))
}

fn year_range(y: i32, part: Part) -> Option<DateRange> {
    let (m1, m2) = match part {
        Part::Whole => (1, 12),
        Part::Early => (1, 4),
        Part::Mid => (5, 8),
        Part::Late => (9, 12),
    };
    let s = NaiveDate::from_ymd_opt(y, m1, 1)?;
    let e = month_end(NaiveDate::from_ymd_opt(y, m2, 1)?)?;
    Some(range(s, e, TimePrecision::Year))
}

/// Year for a year-less (month, day) relative to the document date.
fn year_for(m: u32, d: u32, doc: NaiveDate, future: bool) -> Option<NaiveDate> {
    // Feb 29 falls back to a leap year nearby.
    let cand = |y: i32| {
        NaiveDate::from_ymd_opt(y, m, d).or_else(|| NaiveDate::from_ymd_opt(y, m, d.min(28)))
    };
    let this = cand(doc.year())?;
    if future {
        if this + Days::new(FUTURE_TOLERANCE_DAYS) < doc {
            return cand(doc.year() + 1);
        }
        return Some(this);
    }
    if this > doc + Days::new(FUTURE_TOLERANCE_DAYS) {
        return cand(doc.year() - 1);
    }
    Some(this)
}

fn weekday_of(n: u32) -> Weekday {
    match n {
        0 => Weekday::Mon,
        1 => Weekday::Tue,
        2 => Weekday::Wed,
        3 => Weekday::Thu,
        4 => Weekday::Fri,
        5 => Weekday::Sat,
        _ => Weekday::Sun,
    }
}

fn monday_of(d: NaiveDate) -> NaiveDate {
    d - Days::new(u64::from(d.weekday().num_days_from_monday()))
}

fn shift(d: NaiveDate, days: i64) -> Option<NaiveDate> {
    if days >= 0 {
        d.checked_add_days(Days::new(days as u64))
    } else {
        d.checked_sub_days(Days::new(days.unsigned_abs()))
    }
}

/// Resolves one expression. `doc` is the document date (needed for
/// relative expressions), `year` the text's stated year (used for
/// year-less dates when there is no document date). Returns the range and
/// whether it is relative.
fn resolve(f: &Found, doc: Option<NaiveDate>, year: Option<i32>) -> Option<(DateRange, bool)> {
    let day = |d: NaiveDate| DateRange::day(d);
    match f.raw {
        Raw::Date { y, m, d } => Some((day(NaiveDate::from_ymd_opt(y, m, d)?), false)),
        Raw::MonthYear { y, m, part } => Some((month_range(y, m, part)?, false)),
        Raw::Year { y, part } => Some((year_range(y, part)?, false)),
        Raw::DayMonth { m, d } => {
            let date = match doc {
                Some(doc) => year_for(m, d, doc, f.future)?,
                None => NaiveDate::from_ymd_opt(year?, m, d)?,
            };
            Some((day(date), true))
        }
        Raw::Season { m, y, dir } => {
            let range_of = |y: i32| -> Option<DateRange> {
                let s = NaiveDate::from_ymd_opt(y, m, 1)?;
                let e = month_end(s.checked_add_months(Months::new(2))?)?;
                Some(range(s, e, TimePrecision::Month))
            };
            if let Some(y) = y {
                return Some((range_of(y)?, false));
            }
            let r = match doc {
                Some(doc) => {
                    let future = dir == Dir::Future || (dir == Dir::Default && f.future);
                    let cands = (doc.year() - 2..=doc.year() + 1).filter_map(range_of);
                    let pick = |r: &DateRange| match dir {
                        Dir::Past => r.end < doc,
                        Dir::Future => r.start > doc,
                        Dir::Default if future => r.end >= doc,
                        Dir::Default => r.start <= doc,
                    };
                    if future {
                        cands.filter(pick).min_by_key(|r| r.start)?
                    } else {
                        cands.filter(pick).max_by_key(|r| r.start)?
                    }
                }
                None => range_of(year?)?,
            };
            Some((r, true))
        }
        Raw::Month { m, part, dir } => {
            let y = match doc {
                Some(doc) => {
                    let first = NaiveDate::from_ymd_opt(doc.year(), m, 1)?;
                    let future = f.future || dir == Dir::Future;
                    if future && month_end(first)? < doc {
                        doc.year() + 1
                    } else if !future && (first > doc || (dir == Dir::Past && m == doc.month())) {
                        doc.year() - 1
                    } else {
                        doc.year()
                    }
                }
                None => year?,
            };
            Some((month_range(y, m, part)?, true))
        }
        _ => {
            let d = doc?;
            Some((relative(f, d)?, true))
        }
    }
}

fn relative(f: &Found, d: NaiveDate) -> Option<DateRange> {
    Some(match f.raw {
        Raw::Weekday { wd, dir } => {
            let target = weekday_of(wd);
            let future = dir == Dir::Future || (dir == Dir::Default && f.future);
            let cur = d.weekday().num_days_from_monday() as i64;
            let tgt = target.num_days_from_monday() as i64;
            let date = if future {
                let mut ahead = (tgt - cur).rem_euclid(7);
                if ahead == 0 && dir == Dir::Future {
                    ahead = 7;
                }
                shift(d, ahead)?
            } else {
                let mut back = (cur - tgt).rem_euclid(7);
                if back == 0 && dir == Dir::Past {
                    back = 7;
                }
                shift(d, -back)?
            };
            DateRange::day(date)
        }
        Raw::DayOffset(n) => DateRange::day(shift(d, n)?),
        Raw::Week(off) => {
            let mon = monday_of(d);
            match off {
                0 if f.future => range(d, shift(mon, 6)?, TimePrecision::Week),
                0 => range(mon, d, TimePrecision::Week),
                n => {
                    let s = shift(mon, 7 * n as i64)?;
                    range(s, shift(s, 6)?, TimePrecision::Week)
                }
            }
        }
        Raw::Weekend(dir) => {
            let future = dir == Dir::Future || (dir == Dir::Default && f.future);
            let sat = if future {
                let ahead = (5 - d.weekday().num_days_from_monday() as i64).rem_euclid(7);
                shift(d, ahead)?
            } else {
                match d.weekday() {
                    Weekday::Sat if dir != Dir::Past => d,
                    Weekday::Sun if dir != Dir::Past => shift(d, -1)?,
                    _ => {
                        let back = (d.weekday().num_days_from_monday() as i64 - 5).rem_euclid(7);
                        let back = if back == 0 { 7 } else { back };
                        shift(d, -back)?
                    }
                }
            };
            let end = shift(sat, 1)?;
            // A weekend not yet over ends at the document date.
            let end = if !future && end > d { d } else { end };
            range(sat, end, TimePrecision::Week)
        }
        Raw::MonthRel(off) => {
            let first = NaiveDate::from_ymd_opt(d.year(), d.month(), 1)?;
            match off {
                0 if f.future => range(d, month_end(first)?, TimePrecision::Month),
                0 => range(first, d, TimePrecision::Month),
                n => {
                    let s = if n < 0 {
                        first.checked_sub_months(Months::new(n.unsigned_abs()))?
                    } else {
                        first.checked_add_months(Months::new(n as u32))?
                    };
                    range(s, month_end(s)?, TimePrecision::Month)
                }
            }
        }
        Raw::YearRel(off) => match off {
            0 if f.future => range(
                d,
                NaiveDate::from_ymd_opt(d.year(), 12, 31)?,
                TimePrecision::Year,
            ),
            0 => range(
                NaiveDate::from_ymd_opt(d.year(), 1, 1)?,
                d,
                TimePrecision::Year,
            ),
            n => year_range(d.year() + n, Part::Whole)?,
        },
        Raw::Ago { n, unit } => match (unit, n) {
            (Unit::Day, 0) => range(shift(d, -7)?, shift(d, -2)?, TimePrecision::Week),
            (Unit::Day, n) => DateRange::day(shift(d, -(n as i64))?),
            (Unit::Week, n) => {
                let c = shift(d, -7 * n as i64)?;
                range(shift(c, -3)?, shift(c, 3)?, TimePrecision::Week)
            }
            (Unit::Month, n) => {
                let c = d.checked_sub_months(Months::new(n))?;
                month_range(c.year(), c.month(), Part::Whole)?
            }
            (Unit::Year, n) => year_range(d.year() - n as i32, Part::Whole)?,
        },
        Raw::Past { days } => range(
            shift(d, -(days as i64))?,
            d,
            match days {
                0..=3 => TimePrecision::Day,
                4..=14 => TimePrecision::Week,
                15..=62 => TimePrecision::Month,
                _ => TimePrecision::Year,
            },
        ),
        Raw::Date { .. }
        | Raw::DayMonth { .. }
        | Raw::MonthYear { .. }
        | Raw::Month { .. }
        | Raw::Season { .. }
        | Raw::Year { .. } => return None,
    })
}

#[cfg(test)]
mod tests;
