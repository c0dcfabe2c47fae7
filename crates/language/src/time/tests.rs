use super::*;
use crate::sentences;

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

/// (surface, start, end, precision) for every expression.
fn run(text: &str, doc: NaiveDate) -> Vec<(String, NaiveDate, NaiveDate, TimePrecision, bool)> {
    let s = sentences::split(text);
    find(text, &s, doc)
        .into_iter()
        .map(|t| {
            (
                t.span.slice(text).to_string(),
                t.range.start,
                t.range.end,
                t.range.precision,
                t.relative,
            )
        })
        .collect()
}

fn one(text: &str, doc: NaiveDate) -> (String, NaiveDate, NaiveDate, TimePrecision) {
    let v = run(text, doc);
    assert_eq!(v.len(), 1, "{text:?}: {v:?}");
    let (s, a, b, p, _) = v[0].clone();
    (s, a, b, p)
}

#[test]
fn absolute_dates() {
    let doc = ymd(2021, 3, 10);
    let day = TimePrecision::Day;
    assert_eq!(
        one("The talks opened on 22 May 2017 in Geneva.", doc),
        (
            "22 May 2017".into(),
            ymd(2017, 5, 22),
            ymd(2017, 5, 22),
            day
        )
    );
    assert_eq!(
        one("The talks opened on May 22, 2017, in Geneva.", doc).1,
        ymd(2017, 5, 22)
    );
    assert_eq!(
        one("Records dated 2017-05-22 were leaked.", doc).1,
        ymd(2017, 5, 22)
    );
    assert_eq!(
        one("A memo dated 05/22/2017 surfaced.", doc).1,
        ymd(2017, 5, 22)
    );
    assert_eq!(
        one("A memo dated 22/05/2017 surfaced.", doc).1,
        ymd(2017, 5, 22)
    );
    assert!(
        run("A memo dated 05/06/2017 surfaced.", doc).is_empty(),
        "ambiguous day/month order"
    );
    assert_eq!(
        one("Shelling resumed on Thursday, May 18, 2017.", doc).1,
        ymd(2017, 5, 18)
    );
}

#[test]
fn months_years_and_parts() {
    let doc = ymd(2021, 3, 10);
    let m = TimePrecision::Month;
    let y = TimePrecision::Year;
    assert_eq!(
        one("The militia lost the town in March 2019.", doc),
        ("March 2019".into(), ymd(2019, 3, 1), ymd(2019, 3, 31), m)
    );
    assert_eq!(
        one("In mid-June 2014, the group seized the crossing.", doc),
        (
            "mid-June 2014".into(),
            ymd(2014, 6, 11),
            ymd(2014, 6, 20),
            m
        )
    );
    assert_eq!(
        one("The army withdrew in mid-2012 after heavy losses.", doc),
        ("mid-2012".into(), ymd(2012, 5, 1), ymd(2012, 8, 31), y)
    );
    assert_eq!(
        one("In 2017, the brigade moved east.", doc),
        ("2017".into(), ymd(2017, 1, 1), ymd(2017, 12, 31), y)
    );
    assert_eq!(
        one("The base has hosted advisers since 2016.", doc).1,
        ymd(2016, 1, 1)
    );
    assert_eq!(
        one("Officials met in late May to discuss a truce.", doc),
        ("late May".into(), ymd(2020, 5, 21), ymd(2020, 5, 31), m)
    );
    assert_eq!(
        one("The hospital closed in January.", doc),
        ("January".into(), ymd(2021, 1, 1), ymd(2021, 1, 31), m)
    );
    // "May" the verb is not a month.
    assert!(run("The convoy May be delayed, and he may return.", doc).is_empty());
    // Counts are not years.
    assert!(run("Aid reached 2000 families by Monday", ymd(2021, 3, 10))
        .iter()
        .all(|t| t.0 != "2000"));
}

#[test]
fn year_less_dates_take_the_doc_year() {
    let doc = ymd(2017, 6, 16);
    assert_eq!(
        one("On June 8, jets struck a convoy.", doc).1,
        ymd(2017, 6, 8)
    );
    assert_eq!(
        one("On Aug. 23, the envoy spoke.", doc).1,
        ymd(2016, 8, 23),
        "after the doc date: previous year"
    );
    assert_eq!(
        one("The vote is on June 20.", doc).1,
        ymd(2017, 6, 20),
        "within the tolerance"
    );
    assert_eq!(
        one("Elections will be held on March 3.", doc).1,
        ymd(2018, 3, 3),
        "future clause"
    );
    assert_eq!(
        one("The strike on 18 May killed four.", doc).1,
        ymd(2017, 5, 18)
    );
    let v = run("On June 8, jets struck.", doc);
    assert!(v[0].4, "year-less dates are relative");
}

#[test]
fn weekdays_refer_to_the_past_unless_future() {
    // 2017-05-22 is a Monday.
    let doc = ymd(2017, 5, 22);
    assert_eq!(
        one("On Thursday, warplanes hit a convoy.", doc).1,
        ymd(2017, 5, 18)
    );
    assert_eq!(
        one("Earlier on Thursday, the agency claimed a victory.", doc).0,
        "Earlier on Thursday"
    );
    assert_eq!(
        one("The offensive stalled on Monday.", doc).1,
        ymd(2017, 5, 22),
        "same day"
    );
    assert_eq!(
        one("The envoy spoke to reporters on Sunday.", doc).1,
        ymd(2017, 5, 21)
    );
    assert_eq!(
        one("The ministers will meet on Thursday in Amman.", doc).1,
        ymd(2017, 5, 25)
    );
    assert_eq!(
        one("Talks are scheduled for Friday.", doc).1,
        ymd(2017, 5, 26)
    );
    assert_eq!(one("He arrived last Monday.", doc).1, ymd(2017, 5, 15));
    assert_eq!(one("They meet again next Monday.", doc).1, ymd(2017, 5, 29));
    assert_eq!(
        one(
            "The spokesman said on Thursday that the army will respond.",
            doc
        )
        .1,
        ymd(2017, 5, 18)
    );
    assert_eq!(
        one("Fighting broke out Saturday night near the dam.", doc),
        (
            "Saturday night".into(),
            ymd(2017, 5, 20),
            ymd(2017, 5, 20),
            TimePrecision::Day
        )
    );
}

#[test]
fn relative_periods() {
    // 2017-06-01 is a Thursday.
    let doc = ymd(2017, 6, 1);
    let w = TimePrecision::Week;
    assert_eq!(
        one("Two weeks ago the jets struck.", doc),
        (
            "Two weeks ago".into(),
            ymd(2017, 5, 15),
            ymd(2017, 5, 21),
            w
        )
    );
    assert_eq!(
        one("The militia attacked three days ago.", doc).1,
        ymd(2017, 5, 29)
    );
    assert_eq!(one("The town fell a month ago.", doc).1, ymd(2017, 5, 1));
    assert_eq!(one("The town fell days ago.", doc).3, w);
    assert_eq!(
        one("The group was routed almost three years ago.", doc).1,
        ymd(2014, 1, 1)
    );
    assert_eq!(
        one(
            "The paper reported earlier this week that talks stalled.",
            doc
        ),
        (
            "earlier this week".into(),
            ymd(2017, 5, 29),
            ymd(2017, 6, 1),
            w
        )
    );
    assert_eq!(
        one("A video released last week showed the raid.", doc).1,
        ymd(2017, 5, 22)
    );
    assert_eq!(
        one("Rebels captured two villages over the weekend.", doc),
        (
            "over the weekend".into(),
            ymd(2017, 5, 27),
            ymd(2017, 5, 28),
            w
        )
    );
    assert_eq!(
        one("Last month, the ministry accused the coalition.", doc),
        (
            "Last month".into(),
            ymd(2017, 5, 1),
            ymd(2017, 5, 31),
            TimePrecision::Month
        )
    );
    assert_eq!(one("Casualties have doubled this year.", doc).2, doc);
    assert_eq!(one("Exports fell last year.", doc).1, ymd(2016, 1, 1));
    assert_eq!(
        one("The camp was shelled yesterday.", doc).1,
        ymd(2017, 5, 31)
    );
    assert_eq!(
        one("The camp was shelled over the past week.", doc).1,
        ymd(2017, 5, 25)
    );
}

#[test]
fn parts_and_deadlines() {
    let doc = ymd(2024, 8, 30);
    let m = TimePrecision::Month;
    assert_eq!(
        one("Numbers will fall by the end of September.", doc),
        (
            "the end of September".into(),
            ymd(2024, 9, 21),
            ymd(2024, 9, 30),
            m
        )
    );
    assert_eq!(
        one("Shelling has continued since the start of March.", doc),
        (
            "the start of March".into(),
            ymd(2024, 3, 1),
            ymd(2024, 3, 10),
            m
        )
    );
    assert_eq!(
        one("A deal could come before the end of the year.", doc).1,
        ymd(2024, 12, 1)
    );
    assert_eq!(
        one("Rebels attacked earlier in the week.", doc),
        (
            "earlier in the week".into(),
            ymd(2024, 8, 26),
            doc,
            TimePrecision::Week
        )
    );
}

#[test]
fn seasons() {
    let doc = ymd(2024, 2, 27);
    let m = TimePrecision::Month;
    assert_eq!(
        one("Talks began in the summer and stalled.", doc),
        ("the summer".into(), ymd(2023, 6, 1), ymd(2023, 8, 31), m)
    );
    assert_eq!(one("The front froze last winter.", doc).1, ymd(2022, 12, 1));
    assert_eq!(one("The front froze this winter.", doc).1, ymd(2023, 12, 1));
    assert_eq!(
        one("A new offensive is expected in the spring.", doc).1,
        ymd(2024, 3, 1)
    );
    assert_eq!(
        one("The town fell in the autumn of 2019.", doc).2,
        ymd(2019, 11, 30)
    );
    assert!(run("Prices may fall in March if supplies fall short.", doc)
        .iter()
        .all(|x| x.0 != "fall"));
}

#[test]
fn windows_ending_at_the_doc_date() {
    let doc = ymd(2022, 5, 19);
    let v = run(
        "Police made 17 arrests in the past two weeks and 3 in the past 48 hours.",
        doc,
    );
    let got: Vec<(&str, NaiveDate, TimePrecision)> =
        v.iter().map(|x| (x.0.as_str(), x.1, x.3)).collect();
    assert_eq!(
        got,
        vec![
            ("the past two weeks", ymd(2022, 5, 5), TimePrecision::Week),
            ("the past 48 hours", ymd(2022, 5, 17), TimePrecision::Day)
        ]
    );
    assert_eq!(
        one("Arrivals doubled over the last month.", doc).3,
        TimePrecision::Month
    );
    assert!(run("It was the last bastion of the group.", doc).is_empty());
}

#[test]
fn analyze_matches_the_separate_calls() {
    let text = "Convoy hit\n\nDaily Report, March 14: Shelling\n\nOn Thursday, 40 trucks were hit. Two weeks ago 3 people were killed.\n\nPHOTO: March 2022";
    let doc = Document {
        text: text.into(),
        ..Default::default()
    };
    let s = sentences::split(text);
    let layer = analyze(&doc, &s, None);
    let (d, b, r) = document_date(&doc, &s);
    assert_eq!(
        (layer.doc_date, layer.doc_date_basis, layer.doc_date_range),
        (d, b, r)
    );
    assert_eq!(layer.times, find(text, &s, d.expect("inferred")));
    assert_eq!(layer.quantities, crate::quantity::find(text, &s));
    assert_eq!(layer.quantities.len(), 2);
}

#[test]
fn find_absolute_skips_relative_and_needs_a_year() {
    let text =
        "On Thursday the army advanced. On June 8 it took the town. The photo dates from May 2017.";
    let s = sentences::split(text);
    let v = find_absolute(text, &s);
    let got: Vec<(&str, NaiveDate)> = v
        .iter()
        .map(|t| (t.span.slice(text), t.range.start))
        .collect();
    assert_eq!(
        got,
        vec![("June 8", ymd(2017, 6, 8)), ("May 2017", ymd(2017, 5, 1))]
    );
    let text = "On June 8 it took the town.";
    assert!(find_absolute(text, &sentences::split(text)).is_empty());
}

#[test]
fn inferred_document_dates() {
    // A dateline line states the date.
    let text = "Convoy struck near the border\n\nPublished 3 June 2021\n\nJets struck a convoy on Thursday.";
    let doc = Document {
        text: text.into(),
        ..Default::default()
    };
    let (d, basis, range) = document_date(&doc, &sentences::split(text));
    assert_eq!(d, Some(ymd(2021, 6, 3)));
    assert_eq!(basis, Some(PublishedBasis::Text));
    assert_eq!(range, Some((ymd(2021, 6, 3), ymd(2021, 6, 3))));

    // A column header date plus a month-year elsewhere.
    let text = "Jets struck a convoy.\n\nDaily Report, March 14: Shelling Resumes in the North\n\nThree weeks ago the offensive began.\n\nPHOTO: fighters near the front, March 2022";
    let doc = Document {
        text: text.into(),
        ..Default::default()
    };
    let (d, basis, range) = document_date(&doc, &sentences::split(text));
    assert_eq!(d, Some(ymd(2022, 3, 15)));
    assert_eq!(basis, Some(PublishedBasis::Inferred));
    assert_eq!(range, Some((ymd(2022, 3, 14), ymd(2022, 4, 13))));

    // Past weekdays in the text: the latest body date is a week or more old.
    let text = "Troops withdrew on Thursday. The offensive began on 3 March 2022.";
    let doc = Document {
        text: text.into(),
        ..Default::default()
    };
    let (d, _, range) = document_date(&doc, &sentences::split(text));
    assert_eq!(d, Some(ymd(2022, 3, 10)));
    assert_eq!(range, Some((ymd(2022, 3, 3), ymd(2022, 4, 2))));

    // No year anywhere: only a hint can date it.
    let text = "On June 8, jets struck. On June 6, the army advanced.";
    let doc = Document {
        text: text.into(),
        ..Default::default()
    };
    let s = sentences::split(text);
    assert_eq!(document_date(&doc, &s), (None, None, None));
    let (d, _, _) = document_date_with_hint(&doc, &s, Some(ymd(2019, 5, 2)));
    assert_eq!(d, Some(ymd(2019, 6, 9)));
    // Published wins.
    let doc = Document {
        text: text.into(),
        published: Some(ymd(2020, 1, 2)),
        ..Default::default()
    };
    assert_eq!(document_date(&doc, &s).1, Some(PublishedBasis::Metadata));
    assert_eq!(
        batch_hint(&[ymd(2017, 5, 22), ymd(2019, 1, 1), ymd(2017, 6, 1)]),
        Some(ymd(2017, 6, 1))
    );
    assert_eq!(batch_hint(&[]), None);
}

#[test]
fn spans_are_in_bounds_on_odd_input() {
    for text in [
        "",
        "May",
        "On",
        "12/",
        "2017-",
        "last",
        "Thursday",
        "3 May,",
        "Aug.",
        "…Sunday’s",
        "two weeks",
    ] {
        let s = sentences::split(text);
        for t in find(text, &s, ymd(2020, 1, 1)) {
            assert!(t.span.end <= text.len() && text.is_char_boundary(t.span.start));
        }
    }
}

/// Random sequences of tricky pieces: nothing panics, every span is on
/// character boundaries inside the text.
#[test]
fn random_input_never_panics() {
    const PIECES: &[&str] = &[
        "May", "3", ",", "2017", "-", "Thursday", "last", "week", "ago", "two", "…", "“", "”", ".",
        " ", "\n", "$", "%", "é", "1,000", "the", "end", "of", "U.S.", "Gen.", "[…]", "[.]",
        "dozens", "killed", "/", "12", "31", "Feb", "29", "mid", "early", "past", "hours", "a",
        "dozen", "km", "’s", "?", "!", "\n\n", ":", "9999",
    ];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let rounds = std::env::var("FUZZ_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400);
    for _ in 0..rounds {
        let n = (next() % 40) as usize;
        let mut text = String::new();
        for _ in 0..n {
            text.push_str(PIECES[(next() % PIECES.len() as u64) as usize]);
            if next() % 3 == 0 {
                text.push(' ');
            }
        }
        let s = sentences::split(&text);
        let doc = Document {
            text: text.clone(),
            ..Default::default()
        };
        let layer = analyze(&doc, &s, Some(ymd(2020, 2, 29)));
        let mut spans: Vec<sitrep_model::Span> = s.iter().map(|x| x.span).collect();
        spans.extend(find(&text, &s, ymd(2020, 2, 29)).iter().map(|t| t.span));
        spans.extend(find_absolute(&text, &s).iter().map(|t| t.span));
        spans.extend(layer.quantities.iter().map(|q| q.span));
        for sp in spans {
            assert!(sp.start <= sp.end && sp.end <= text.len(), "{text:?}");
            assert!(
                text.is_char_boundary(sp.start) && text.is_char_boundary(sp.end),
                "{text:?}"
            );
        }
    }
}
