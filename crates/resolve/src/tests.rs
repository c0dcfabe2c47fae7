use chrono::NaiveDate;
use sitrep_model::*;

use crate::resolve;

fn day(m: u32, d: u32) -> Option<DateRange> {
    NaiveDate::from_ymd_opt(2017, m, d).map(DateRange::day)
}

fn week_ending(m: u32, d: u32) -> Option<DateRange> {
    let end = NaiveDate::from_ymd_opt(2017, m, d)?;
    Some(DateRange {
        start: end - chrono::Days::new(6),
        end,
        precision: TimePrecision::Week,
    })
}

fn place(name: &str, lat: f64, lon: f64, precision: GeoPrecision) -> Option<Location> {
    Some(Location {
        name: name.into(),
        lat: Some(lat),
        lon: Some(lon),
        country: Some("SY".into()),
        admin1: Some("Homs".into()),
        precision,
        ..Default::default()
    })
}

fn actor(name: &str, role: ActorRole) -> EventActor {
    EventActor {
        name: name.into(),
        role,
        kind: ActorKind::StateMilitary,
        surface: vec![name.into()],
    }
}

fn mention(doc: &str, outlet: &str, start: usize, sentence: &str) -> EventMention {
    EventMention {
        document: doc.into(),
        outlet: Some(outlet.into()),
        duplicate_of: None,
        category: Plover::Assault,
        acled: Some(AcledType {
            event_type: "Explosions/Remote violence".into(),
            sub_event_type: "Air/drone strike".into(),
        }),
        span: Span::new(start, start + sentence.len()),
        sentence: sentence.into(),
        char_start: start,
        char_end: start + sentence.len(),
        date: None,
        location: None,
        actors: vec![],
        equipment: vec![],
        quantities: vec![],
        fatalities: None,
        claimed_by: vec![],
        occurred: true,
        certainty: 0.8,
        coding: Coding {
            trigger: "strike".into(),
            rule: "fixed".into(),
        },
    }
}

const TOWN: (f64, f64) = (33.50, 38.62);

/// Four outlets report one strike, with different precision; two later
/// strikes at the same place are different incidents.
fn scenario() -> Vec<EventMention> {
    let mut v = Vec::new();
    let mut a = mention(
        "d1",
        "Outlet A",
        100,
        "The first similar strike on government forces near the town took place on May 18.",
    );
    a.date = day(5, 18);
    a.location = place("Town", TOWN.0, TOWN.1, GeoPrecision::Near);
    a.actors = vec![actor("pro-Syrian government forces", ActorRole::Target)];
    v.push(a);
    let mut b = mention(
        "d1",
        "Outlet A",
        400,
        "On June 8, the US-led coalition bombed government forces near the town.",
    );
    b.date = day(6, 8);
    b.location = place("Town", TOWN.0, TOWN.1, GeoPrecision::Near);
    b.actors = vec![actor("US-led coalition", ActorRole::Actor)];
    v.push(b);
    let mut c = mention(
        "d1",
        "Outlet A",
        300,
        "On June 6, the coalition conducted a strike on forces entering the zone.",
    );
    c.date = day(6, 6);
    c.location = place("Town", TOWN.0 + 0.05, TOWN.1, GeoPrecision::Near);
    c.actors = vec![actor("coalition", ActorRole::Actor)];
    v.push(c);
    let mut d = mention(
        "d2",
        "Outlet B",
        50,
        "On Thursday coalition warplanes attacked a convoy of tanks advancing towards the outpost.",
    );
    d.date = day(5, 18);
    d.location = place("Town", TOWN.0, TOWN.1 + 0.1, GeoPrecision::Near);
    d.actors = vec![actor("coalition", ActorRole::Actor)];
    d.fatalities = Some(3);
    v.push(d);
    let mut e = mention(
        "d3",
        "Outlet C",
        70,
        "A fortnight back American jets hit pro-Assad units for the first time inside the zone.",
    );
    e.date = week_ending(5, 21);
    e.location = Some(Location {
        precision: GeoPrecision::Admin1,
        ..place("Homs", 34.7, 36.7, GeoPrecision::Admin1).unwrap_or_default()
    });
    e.actors = vec![
        actor("United States", ActorRole::Actor),
        actor("pro-Assad forces", ActorRole::Target),
    ];
    e.fatalities = Some(6);
    v.push(e);
    // An undated report: joins the earliest strike because it says "first".
    let mut f = mention("d4", "Outlet D", 10, "US jets have attacked a convoy of militiamen in the first clash with forces loyal to Tehran.");
    f.location = place("Town", TOWN.0, TOWN.1, GeoPrecision::Near);
    f.actors = vec![actor("US", ActorRole::Actor)];
    v.push(f);
    // A re-posted copy of d2.
    let mut g = v[3].clone();
    g.document = "d2-copy".into();
    g.outlet = Some("Aggregator".into());
    g.duplicate_of = Some("d2".into());
    v.push(g);
    // Same place and day, but the other side attacking: a different incident.
    let mut h = mention(
        "d4",
        "Outlet D",
        200,
        "Syrian and Russian jets attacked opposition forces near the town.",
    );
    h.date = day(5, 18);
    h.location = place("Town", TOWN.0, TOWN.1, GeoPrecision::Near);
    h.actors = vec![
        actor("Russia", ActorRole::Actor),
        actor("Syrian opposition forces", ActorRole::Target),
    ];
    v.push(h);
    v
}

fn event_with<'a>(events: &'a [Event], doc: &str, start: usize) -> &'a Event {
    events
        .iter()
        .find(|e| {
            e.mentions
                .iter()
                .any(|m| m.document == doc && m.start == start)
        })
        .unwrap_or_else(|| panic!("no event with {doc}@{start}"))
}

/// An air strike on a depot as one outlet dates and places it.
fn depot_strike(doc: &str, date: Option<DateRange>, at: (f64, f64)) -> EventMention {
    let mut m = mention(
        doc,
        "A",
        0,
        "Jets struck an ammunition depot outside the town.",
    );
    m.date = date;
    m.location = place("Depot", at.0, at.1, GeoPrecision::Exact);
    m.actors = vec![actor("Syrian Air Force", ActorRole::Actor)];
    m
}

/// The same report as another outlet's document.
fn retold(m: &EventMention, doc: &str, outlet: &str) -> EventMention {
    let mut r = m.clone();
    r.document = doc.into();
    r.outlet = Some(outlet.into());
    r
}

/// The 7-day block resolution puts a 2017 date's day before in (see
/// `weeks`), in days from the Common Era as it counts them.
fn block_of(month: u32, day: u32) -> i32 {
    let d = NaiveDate::from_ymd_opt(2017, month, day).unwrap();
    (chrono::Datelike::num_days_from_ce(&d) - 1).div_euclid(7)
}

#[test]
fn one_incident_across_outlets_and_precisions() {
    let events = resolve(&scenario());
    let may18 = event_with(&events, "d1", 100);
    let docs: Vec<&str> = may18.mentions.iter().map(|m| m.document.as_str()).collect();
    for d in ["d1", "d2", "d2-copy", "d3", "d4"] {
        assert!(docs.contains(&d), "{d} missing from {docs:?}");
    }
    assert_eq!(may18.date, day(5, 18));
    // The re-posted copy counts once.
    assert_eq!(
        may18.sources,
        vec!["Outlet A", "Outlet B", "Outlet C", "Outlet D"]
    );
    // Fatalities disagree: the lowest is kept, both sides are recorded.
    assert_eq!(may18.fatalities, Some(3));
    let fat = may18
        .disputes
        .iter()
        .find(|d| d.field == "fatalities")
        .expect("fatalities dispute");
    assert_eq!(fat.values.len(), 2);
    assert_eq!(fat.values[1].value, "6");
    assert_eq!(fat.values[1].documents, vec!["d3"]);
    assert_eq!(
        may18.summary,
        "United States strikes pro-Syrian government forces near Town"
    );
    assert!(may18.summary.contains("near Town"), "{}", may18.summary);
    // June 6 and June 8 stay apart, and apart from May 18.
    let j6 = event_with(&events, "d1", 300);
    let j8 = event_with(&events, "d1", 400);
    assert_ne!(j6.id, j8.id);
    assert_ne!(j6.id, may18.id);
    // The other side's strike is its own event.
    let other = event_with(&events, "d4", 200);
    assert_ne!(other.id, may18.id);
    assert_eq!(events.len(), 4);
}

#[test]
fn deterministic_and_order_independent() {
    let a = resolve(&scenario());
    let mut rev = scenario();
    rev.reverse();
    let b = resolve(&rev);
    let mut rot = scenario();
    rot.rotate_left(3);
    let c = resolve(&rot);
    assert_eq!(a, b);
    assert_eq!(a, c);
}

#[test]
fn confidence_grows_with_independent_sources() {
    let events = resolve(&scenario());
    let may18 = event_with(&events, "d1", 100);
    let j6 = event_with(&events, "d1", 300);
    assert!(
        may18.confidence > j6.confidence,
        "{} vs {}",
        may18.confidence,
        j6.confidence
    );
    assert!(may18.confidence <= 1.0 && j6.confidence > 0.0);
}

#[test]
fn undated_report_without_a_clear_match_stays_alone() {
    let mut v = scenario();
    // Without "first", the undated report fits three strikes equally: no guess.
    if let Some(f) = v
        .iter_mut()
        .find(|m| m.document == "d4" && m.char_start == 10)
    {
        f.sentence = "US jets have attacked militiamen near the town.".into();
    }
    let events = resolve(&v);
    let f = event_with(&events, "d4", 10);
    assert_eq!(f.mentions.len(), 1);
}

/// An anchor's blocks run for at most four weeks from its first: a report
/// dated inside a long range, in its fourth week, still meets it there.
#[test]
fn a_long_range_anchor_meets_a_report_in_its_fourth_week() {
    assert_eq!(block_of(6, 11), block_of(5, 21) + 3);
    let long = DateRange {
        start: NaiveDate::from_ymd_opt(2017, 5, 21).unwrap(),
        end: NaiveDate::from_ymd_opt(2017, 6, 11).unwrap(),
        precision: TimePrecision::Week,
    };
    let a = depot_strike("l1", Some(long), TOWN);
    let mut b = retold(&a, "l2", "B");
    b.date = day(6, 11);
    let events = resolve(&[a, b]);
    assert_eq!(events.len(), 1, "{events:#?}");
}

/// Province names and ACLED types are numbered apart: a province whose
/// name looks like a type is still only a province.
#[test]
fn a_province_named_like_an_event_type_stays_a_province() {
    let mut a = mention("p1", "A", 0, "Shelling hit the market in the province.");
    a.date = day(4, 1);
    a.location = Some(Location {
        name: "North".into(),
        country: Some("SY".into()),
        // Both a type's name and the form types once took among names.
        admin1: Some("Acled:Explosions/Remote violence".into()),
        precision: GeoPrecision::Admin1,
        ..Default::default()
    });
    let mut b = a.clone();
    b.document = "p2".into();
    b.location = Some(Location {
        admin1: Some("Homs".into()),
        ..b.location.clone().unwrap()
    });
    let mut c = b.clone();
    c.document = "p3".into();
    assert_eq!(resolve(&[a, b, c]).len(), 2);
}

/// An undated report looks for its event in its own 1° cell and the eight
/// around it: a town a few km across a cell line is still the same place.
#[test]
fn an_undated_report_joins_an_event_across_a_cell_line() {
    let a = depot_strike("c1", day(6, 8), (33.99, 38.99));
    let b = retold(&a, "c2", "B");
    let mut c = retold(&a, "c3", "C");
    c.date = None;
    // About 2 km north-east, in the next cell both ways.
    c.location = place("Depot", 34.005, 39.005, GeoPrecision::Exact);
    let events = resolve(&[a, b, c]);
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0].mentions.len(), 3);
}

/// A report placed only to a country and undated has no index to look in:
/// it can still join an event its own document reports precisely.
#[test]
fn a_vague_report_joins_its_own_documents_event() {
    let a = depot_strike("v1", day(6, 8), TOWN);
    let b = retold(&a, "v2", "B");
    let mut c = a.clone();
    c.span = Span::new(400, 450);
    c.char_start = 400;
    c.char_end = 450;
    c.sentence = "The strike on the ammunition depot set off fires for hours.".into();
    c.date = None;
    c.location = Some(Location {
        name: "Syria".into(),
        country: Some("SY".into()),
        precision: GeoPrecision::Country,
        ..Default::default()
    });
    let events = resolve(&[a, b, c]);
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0].mentions.len(), 3);
}

#[test]
fn denials_and_occurrence_disputes() {
    let mut a = mention(
        "x1",
        "Agency",
        0,
        "Rebels said they shot down a helicopter over the valley.",
    );
    a.category = Plover::Coerce;
    a.date = day(3, 2);
    a.location = place("Valley", 35.0, 37.0, GeoPrecision::Near);
    a.claimed_by = vec![ClaimedBy {
        claimant: "Rebels".into(),
        stance: Stance::Asserts,
    }];
    let mut b = a.clone();
    b.document = "x2".into();
    b.outlet = Some("State TV".into());
    b.occurred = false;
    b.claimed_by = vec![ClaimedBy {
        claimant: "Ministry of Defence".into(),
        stance: Stance::Denies,
    }];
    let events = resolve(&[a, b]);
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e.claimed_by.len(), 2);
    let occ = e
        .disputes
        .iter()
        .find(|d| d.field == "occurred")
        .expect("occurred dispute");
    assert_eq!(occ.values[0].value, "false");
    assert_eq!(occ.values[0].documents, vec!["x2"]);
}

#[test]
fn far_apart_places_or_days_do_not_merge() {
    let mut a = mention("y1", "A", 0, "Shelling hit the market.");
    a.date = day(4, 1);
    a.location = place("One", 33.0, 36.0, GeoPrecision::Exact);
    let mut b = a.clone();
    b.document = "y2".into();
    b.location = place("Two", 34.0, 36.0, GeoPrecision::Exact); // ~111 km away
    let mut c = a.clone();
    c.document = "y3".into();
    c.date = day(4, 5);
    assert_eq!(resolve(&[a, b, c]).len(), 3);
}

/// Anchors are blocked a week at a time: a report whose blocks begin a
/// week after another's still meets it in the week they share.
#[test]
fn anchors_whose_first_weeks_differ_meet_in_the_week_they_share() {
    // 21 May 2017 widened by a day begins in one block, 22 May in the next.
    assert_ne!(block_of(5, 21), block_of(5, 22));
    let a = depot_strike("w1", day(5, 21), TOWN);
    let mut b = retold(&a, "w2", "B");
    b.date = day(5, 22);
    let events = resolve(&[a, b]);
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0].mentions.len(), 2);
}

#[test]
fn acled_types_must_agree_unless_guessed_or_same_day() {
    let mut air = mention("z1", "A", 0, "Jets bombed a depot near the town.");
    air.date = day(7, 3);
    air.location = place("Town", TOWN.0, TOWN.1, GeoPrecision::Near);
    let mut clash = mention(
        "z2",
        "B",
        0,
        "Fighting raged around the depot near the town.",
    );
    clash.acled = Some(AcledType {
        event_type: "Battles".into(),
        sub_event_type: "Armed clash".into(),
    });
    clash.coding.rule = "violence:trigger-default [fighting]".into();
    clash.date = week_ending(7, 6);
    clash.location = place("Town", TOWN.0, TOWN.1, GeoPrecision::Near);
    assert_eq!(resolve(&[air.clone(), clash.clone()]).len(), 2);
    // A sub-type guessed by the fallback rule is no evidence against merging.
    clash.coding.rule = "violence:armed [attack]".into();
    assert_eq!(resolve(&[air, clash]).len(), 1);
}

/// Forty strikes on one town, two days apart, ten reports each: blocks
/// hold more mentions than the comparison window, yet each strike becomes
/// one event, none mixes strikes, and input order does not matter.
#[test]
fn crowded_blocks_are_windowed_without_losing_incidents() {
    let base = NaiveDate::from_ymd_opt(2017, 3, 1).unwrap_or_default();
    let mut v = Vec::new();
    for k in 0..40u64 {
        for r in 0..10usize {
            let doc = format!("k{k}r{r}");
            let mut m = mention(
                &doc,
                &format!("Outlet {r}"),
                10,
                "Aircraft bombed a fuel depot on the edge of the town.",
            );
            m.date = Some(DateRange::day(base + chrono::Days::new(2 * k)));
            let jitter = r as f64 * 0.001;
            m.location = place("Town", TOWN.0 + jitter, TOWN.1, GeoPrecision::Near);
            v.push(m);
        }
    }
    let events = resolve(&v);
    assert_eq!(events.len(), 40);
    for e in &events {
        assert_eq!(e.mentions.len(), 10);
        let strike = |d: &str| d.split('r').next().map(str::to_string);
        let first = strike(&e.mentions[0].document);
        assert!(e.mentions.iter().all(|p| strike(&p.document) == first));
    }
    v.reverse();
    assert_eq!(resolve(&v), events);
}

#[test]
fn resolve_each_streams_what_resolve_returns() {
    let all = resolve(&scenario());
    let mut streamed = Vec::new();
    crate::resolve_each(&scenario(), |e| streamed.push(e));
    // Streamed in build order; `resolve` sorts by date, then id.
    streamed.sort_by(|a, b| {
        a.date
            .map(|d| d.start)
            .cmp(&b.date.map(|d| d.start))
            .then_with(|| a.id.cmp(&b.id))
    });
    assert_eq!(streamed, all);
}

#[test]
fn per_mention_summary_stays_compact() {
    // Millions of these are in memory at once on a large store: the
    // documented 56 bytes (ARCHITECTURE.md, BENCHMARKS.md) must stay true.
    assert!(std::mem::size_of::<crate::M>() <= 56);
    assert_eq!(std::mem::size_of::<crate::SideSet>(), 16);
    assert_eq!(crate::Name::of(None).get(), None);
    assert_eq!(crate::Name::of(Some(7)).get(), Some(7));
    let mut n = crate::Name::of(Some(1));
    n.remap(&[5, 9]);
    assert_eq!(n.get(), Some(9));
    let mut none = crate::Name::NONE;
    none.remap(&[5, 9]);
    assert_eq!(none.get(), None);
}

#[test]
fn a_repeated_sentence_key_keeps_its_plain_id_on_the_first_in_text_order() {
    // One sentence, two hits of the same trigger with different dates (the
    // later date first in the text): two events whose mention keys, and so
    // ids, coincide. The first in text order keeps the plain id and the
    // other is numbered, whatever order events are built and emitted in.
    let sentence = "The strike on Wednesday followed a strike on Monday near the town.";
    let mut first = mention("d1", "Outlet A", 40, sentence);
    first.date = day(5, 24);
    first.location = place("Town", TOWN.0, TOWN.1, GeoPrecision::Exact);
    let mut second = first.clone();
    second.date = day(5, 15);
    let events = resolve(&[first, second]);
    assert_eq!(events.len(), 2);
    let on = |d: u32| {
        events
            .iter()
            .find(|e| e.date.map(|r| r.start) == NaiveDate::from_ymd_opt(2017, 5, d))
            .expect("one event per date")
    };
    assert_eq!(on(15).id, stable_id(&[on(24).id.as_str(), "2"]));
}

/// A partition's mentions move to canonical order, each carrying its
/// index along, whatever order the scan and the spill gave them in; a
/// repeated index (a damaged file) moves nothing and is refused.
#[test]
fn a_partition_is_put_in_canonical_order_in_place() {
    use crate::{parts::in_canonical_order, M};
    let gi_scan: Vec<u32> = vec![40, 3, 17, 0, 99, 18, 5, 41];
    let mut ms: Vec<M> = gi_scan
        .iter()
        .map(|&g| {
            let mut m = blank_m();
            m.pos = g + 1000; // travels with its index
            m
        })
        .collect();
    let mut gi = gi_scan.clone();
    assert!(in_canonical_order(&mut ms, &mut gi));
    let mut sorted = gi_scan;
    sorted.sort_unstable();
    assert_eq!(gi, sorted);
    assert!(ms.iter().zip(&gi).all(|(m, &g)| m.pos == g + 1000));
    let mut twice = vec![7, 2, 7];
    let mut three = vec![blank_m(); 3];
    assert!(!in_canonical_order(&mut three, &mut twice));
    assert_eq!(twice, [7, 2, 7]);
}

/// Reports of several categories, days and places in many documents, some
/// retold by other outlets, and one document whose undated reports of one
/// category are further apart than the within-document window, with
/// another category's between them.
fn mixed() -> Vec<EventMention> {
    let mut v = scenario();
    let cats = [
        Plover::Assault,
        Plover::Protest,
        Plover::Consult,
        Plover::Coerce,
        Plover::Mobilize,
    ];
    for n in 0..90usize {
        let at = (33.4 + 0.02 * (n % 9) as f64, 38.5 + 0.3 * (n % 4) as f64);
        let date = match n % 6 {
            5 => None,
            4 => week_ending(5, 21),
            d => day(5, 15 + d as u32),
        };
        let mut m = depot_strike(&format!("m{:02}", n % 23), date, at);
        m.category = cats[n % cats.len()];
        m.char_start = n * 100;
        m.span = Span::new(m.char_start, m.char_start + m.sentence.len());
        if n % 7 == 3 {
            m.location = Some(Location {
                precision: GeoPrecision::Admin1,
                ..place("Homs", 34.7, 36.7, GeoPrecision::Admin1).unwrap_or_default()
            });
        }
        let retelling = retold(&m, &format!("r{:02}", n % 11), "Outlet R");
        v.push(m);
        if n % 3 == 0 {
            v.push(retelling);
        }
    }
    v.extend(interleaved());
    v
}

/// One document: two undated reports of the same strike with 24 undated
/// protest reports between them in the text, one more than fits in the
/// window a report is compared with.
fn interleaved() -> Vec<EventMention> {
    (0..26usize)
        .map(|n| {
            let (cat, sentence) = if n == 0 || n == 25 {
                (Plover::Assault, "Jets struck the grain silos by the river.")
            } else {
                (
                    Plover::Protest,
                    "Traders marched against the closure of the market.",
                )
            };
            let mut m = mention("wide", "Outlet W", n * 100, sentence);
            m.category = cat;
            m.location = None;
            m
        })
        .collect()
}

/// [`crate::SliceSource`] with a spill folder, optionally scanning its
/// documents in reverse (a store scans in storage order, not by id).
struct Spilling<'a> {
    inner: crate::SliceSource<'a>,
    dir: Option<std::path::PathBuf>,
    reverse: bool,
}

impl crate::MentionSource for Spilling<'_> {
    type Error = std::io::Error;
    fn scan(
        &mut self,
        prepare: &(dyn Fn(&[&EventMention]) -> crate::PreparedDoc + Sync),
        f: &mut dyn FnMut(crate::PreparedDoc),
    ) -> Result<(), Self::Error> {
        let mut docs = Vec::new();
        let Ok(()) = self.inner.scan(prepare, &mut |p| docs.push(p));
        if self.reverse {
            docs.reverse();
        }
        docs.into_iter().for_each(f);
        Ok(())
    }
    fn fetch(
        &mut self,
        wanted: &[(u32, u32)],
        f: &mut dyn FnMut(&[&EventMention]),
    ) -> Result<(), Self::Error> {
        let n = self.inner.docs.len() as u32;
        let inner: Vec<(u32, u32)> = wanted
            .iter()
            .map(|&(d, i)| (if self.reverse { n - 1 - d } else { d }, i))
            .collect();
        let Ok(()) = self.inner.fetch(&inner, f);
        Ok(())
    }
    fn spill(&self) -> Option<crate::Spill<Self::Error>> {
        Some(crate::Spill {
            dir: self.dir.clone()?,
            error: |e| e,
        })
    }
}

fn scratch_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sitrep-resolve-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Resolves with or without a spill folder, scanning in id order or
/// reversed, by category or (the unpartitioned algorithm) all together.
fn resolve_with(
    ms: &[EventMention],
    dir: Option<&std::path::Path>,
    budget: usize,
    reverse: bool,
    by_category: bool,
) -> std::io::Result<Vec<Event>> {
    let mut source = Spilling {
        inner: crate::SliceSource::new(ms),
        dir: dir.map(|d| d.to_path_buf()),
        reverse,
    };
    let mut events = Vec::new();
    crate::resolve_within(&mut source, budget, by_category, |e| events.push(e))?;
    crate::sort_events(&mut events);
    Ok(events)
}

/// Asserts that resolving `ms` with a spill folder gives `expected` for
/// each budget, documents scanned in id order or reversed, by category or
/// all together.
fn same_every_way(
    ms: &[EventMention],
    dir: &std::path::Path,
    budgets: &[usize],
    expected: &[Event],
) {
    for &budget in budgets {
        for reverse in [false, true] {
            for by_category in [true, false] {
                let got = resolve_with(ms, Some(dir), budget, reverse, by_category).unwrap();
                assert_eq!(
                    got, expected,
                    "budget {budget}, reverse {reverse}, by category {by_category}"
                );
            }
        }
    }
}

#[test]
fn clustering_by_category_and_spilling_change_no_event() {
    let ms = mixed();
    // The unpartitioned algorithm: every category clustered together.
    let together = resolve_with(&ms, None, usize::MAX, false, false).unwrap();
    // Several categories, merged events and events left alone: the
    // comparisons below mean something.
    let cats: std::collections::BTreeSet<&str> =
        together.iter().map(|e| e.category.as_str()).collect();
    assert!(cats.len() >= 4, "{cats:?}");
    assert!(together.iter().any(|e| e.mentions.len() >= 3));
    assert!(together.iter().any(|e| e.mentions.len() == 1));
    // The protests between them keep the two silo strikes from being
    // compared within their document (a window of 24).
    let silos: Vec<&Event> = together
        .iter()
        .filter(|e| {
            e.mentions.iter().any(|m| m.document == "wide") && e.category == Plover::Assault
        })
        .collect();
    assert_eq!(silos.len(), 2, "{silos:?}");
    assert_eq!(resolve(&ms), together);
    let dir = scratch_dir("spill");
    // Written out after every mention, after some, or never; documents
    // scanned in id order or reversed; with and without partitions.
    same_every_way(&ms, &dir, &[0, 3_000, usize::MAX], &together);
    let mut rev = ms.clone();
    rev.reverse();
    assert_eq!(
        resolve_with(&rev, Some(&dir), 0, true, true).unwrap(),
        together
    );
    // Temporary files go with the resolution.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_spill_folder_that_cannot_be_written_is_an_error_naming_it() {
    let parent = scratch_dir("missing");
    let dir = parent.join("not-there");
    let err = resolve_with(&mixed(), Some(&dir), 0, false, true).unwrap_err();
    assert!(err.to_string().contains("not-there"), "{err}");
    // With room to spare it never needs the folder.
    assert_eq!(
        resolve_with(&mixed(), Some(&dir), usize::MAX, false, true).unwrap(),
        resolve(&mixed())
    );
    std::fs::remove_dir_all(&parent).unwrap();
}

/// A summary written to the spill reads back as it was; a damaged one is
/// an error, not a panic or a wrong value.
#[test]
fn spill_records_round_trip_and_damage_is_an_error() {
    use crate::parts::{decode, encode, FIXED};
    let mut m = blank_m();
    (m.doc, m.pos, m.day0, m.day1) = (7, 3, 736_000, 736_006);
    m.point = [33.512_345_678_9, -38.6];
    m.tprec = Some(TimePrecision::Week);
    m.gprec = Some(GeoPrecision::Near);
    m.flags = crate::FIRST;
    let arena: Vec<u32> = (0..m.n_feat() as u32 + 5).map(|w| w * 7919).collect();
    m.feat = 5;
    let mut buf = Vec::new();
    encode(&m, 11, &arena, &mut buf);
    assert_eq!(buf.len(), FIXED + 4 * m.n_feat());
    let fixed: [u8; FIXED] = buf[..FIXED].try_into().unwrap();
    let (back, k) = decode(&fixed).unwrap();
    assert_eq!(k, 11);
    // Two tuples: the standard traits stop at twelve fields.
    let fields = |m: &crate::M| {
        (
            (
                m.doc,
                m.pos,
                m.acled_type,
                m.admin1,
                m.country,
                m.day0,
                m.day1,
            ),
            (
                m.point[0].to_bits(),
                m.point[1].to_bits(),
                m.n_words,
                m.n_actor,
            ),
            (m.n_target, m.category, m.tprec, m.gprec, m.flags),
        )
    };
    assert_eq!(fields(&back), fields(&m));
    let words: Vec<u32> = buf[FIXED..]
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes(b.try_into().unwrap()))
        .collect();
    assert_eq!(words, arena[5..5 + m.n_feat()]);
    for (at, byte) in [(FIXED - 3, 9), (FIXED - 4, 200), (FIXED - 2, 9)] {
        // No such time precision, category or place precision.
        let mut damaged = fixed;
        damaged[at] = byte;
        assert!(decode(&damaged).is_err(), "byte {at}");
    }
    // A range that ends before it starts.
    let mut damaged = fixed;
    damaged[26..30].copy_from_slice(&1i32.to_le_bytes());
    assert!(decode(&damaged).is_err());
}

pub(crate) fn blank_m() -> crate::M {
    crate::prepare(
        &mention("d", "o", 0, "Shelling hit the market."),
        0,
        [
            &mut crate::LocalNames::default(),
            &mut crate::LocalNames::default(),
        ],
        &mut Vec::new(),
    )
}

/// Grouped values come back per key in the order they were given, groups
/// in key order when walked; a key never given has no group.
#[test]
fn groups_hold_each_keys_values_in_order() {
    use crate::Groups;
    let input = [(3u32, 30u32), (1, 10), (3, 31), (2, 20), (1, 11), (3, 32)];
    let mut g: Groups<u32, u32> = Groups::build(|f| {
        for &(k, v) in &input {
            f(k, v);
        }
    });
    assert_eq!(g.keys, vec![1, 2, 3]);
    assert_eq!(g.get(&3), Some(&[30, 31, 32][..]));
    assert_eq!(g.get(&1), Some(&[10, 11][..]));
    assert_eq!(g.get(&4), None);
    for v in g.groups_mut() {
        v.reverse();
    }
    assert_eq!(g.get(&1), Some(&[11, 10][..]));
    assert_eq!(g.get(&2), Some(&[20][..]));
    assert_eq!(g.get(&3), Some(&[32, 31, 30][..]));
    let empty: Groups<u32, u32> = Groups::build(|_| {});
    assert!(empty.keys.is_empty() && empty.get(&0).is_none());
}

/// A side set keeps the order sides were first met and no repeats, inline
/// or past three on the heap.
#[test]
fn side_sets_keep_first_met_order_without_repeats() {
    use crate::SideSet;
    let mut s = SideSet::of(&[7, 3]);
    s.add(3);
    s.add(9);
    assert_eq!(s.as_slice(), &[7, 3, 9]);
    s.add(1);
    s.add(7);
    s.add(4);
    assert_eq!(s.as_slice(), &[7, 3, 9, 1, 4]);
    assert!(SideSet::of(&[]).as_slice().is_empty());
    assert_eq!(SideSet::of(&[1, 2, 3, 4]).as_slice(), &[1, 2, 3, 4]);
}

/// Twenty weeks of reports, made up: incidents in a few towns (two astride
/// a 1° cell line) and provinces, each told by two to five outlets that
/// date it to the day, to a week, to the three weeks up to it or not at all, and
/// place it exactly, to a province, to a country or not at all; some
/// documents tell their incident twice, the second time vaguely; and one
/// crowded town whose 300 strikes in a fortnight leave a vague report
/// there more candidates than the attach step weighs.
fn season() -> Vec<EventMention> {
    const TOWNS: [(f64, f64); 5] = [
        (33.50, 38.62),
        (33.99, 38.99),
        (34.01, 39.01),
        (35.33, 40.14),
        (36.20, 37.16),
    ];
    const SAYS: [&str; 4] = [
        "Jets struck an ammunition depot outside the town.",
        "Warplanes bombed the depot on the edge of the town overnight.",
        "Protesters marched to the governor's office over the closures.",
        "Shelling hit the market and the bakery near the bus station.",
    ];
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let base = NaiveDate::from_ymd_opt(2017, 2, 6).unwrap_or_default();
    let mut v = Vec::new();
    for k in 0..70u64 {
        let when = base + chrono::Days::new(next(140));
        let town = TOWNS[next(5) as usize];
        let says = SAYS[(k % 4) as usize];
        for r in 0..2 + next(4) {
            let doc = format!("s{k:02}r{r}");
            let mut m = mention(&doc, &format!("Outlet {r}"), 20, says);
            if k % 4 == 2 {
                m.category = Plover::Protest;
            }
            m.actors = vec![actor(
                ["Syrian Air Force", "coalition"][(k % 2) as usize],
                ActorRole::Actor,
            )];
            m.date = match next(20) {
                0..=13 => Some(DateRange::day(when)),
                14..=16 => {
                    let start = when - chrono::Days::new(next(7));
                    Some(DateRange {
                        start,
                        end: start + chrono::Days::new(6),
                        precision: TimePrecision::Week,
                    })
                }
                // Three weeks up to the day: the others' week can be its
                // fourth.
                17 => Some(DateRange {
                    start: when - chrono::Days::new(20),
                    end: when,
                    precision: TimePrecision::Week,
                }),
                _ => None,
            };
            let jitter = next(20) as f64 * 0.002;
            m.location = match next(20) {
                0..=13 => place("Town", town.0 + jitter, town.1, GeoPrecision::Exact),
                14..=16 => Some(Location {
                    precision: GeoPrecision::Admin1,
                    ..place("Homs", 34.7, 36.7, GeoPrecision::Admin1).unwrap_or_default()
                }),
                17 | 18 => Some(Location {
                    name: "Syria".into(),
                    country: Some("SY".into()),
                    precision: GeoPrecision::Country,
                    ..Default::default()
                }),
                _ => None,
            };
            if next(4) == 0 {
                // Told again, vaguely, later in the same document.
                let mut again = m.clone();
                again.span = Span::new(900, 900 + says.len());
                again.char_start = 900;
                again.char_end = 900 + says.len();
                again.date = None;
                again.location = None;
                v.push(again);
            }
            v.push(m);
        }
    }
    let crowded = (32.10, 36.10);
    for k in 0..300u64 {
        let mut m = depot_strike(&format!("c{k:03}"), None, crowded);
        m.date = Some(DateRange::day(base + chrono::Days::new(30 + k % 14)));
        m.location = place(
            "Crowded",
            crowded.0 + 0.001 * (k % 7) as f64,
            crowded.1,
            GeoPrecision::Exact,
        );
        v.push(m);
    }
    let mut vague = depot_strike("c-vague", None, crowded);
    vague.date = None;
    v.push(vague);
    v
}

/// A category too large to hold is clustered from disk (anchors a few
/// weeks at a time, the attach step's events read back): the events are
/// those of clustering it in memory.
#[test]
fn clustering_from_disk_matches_clustering_in_memory() {
    let ms = season();
    let in_memory = resolve(&ms);
    // The comparison means something: merged events, events whose reports
    // begin days apart (in different weeks, some of them), and reports
    // without a date or place that joined an anchor event.
    assert!(in_memory.len() < ms.len() / 2, "{} events", in_memory.len());
    let by_place: std::collections::HashMap<(&str, usize), &EventMention> = ms
        .iter()
        .map(|m| ((m.document.as_str(), m.char_start), m))
        .collect();
    let reports = |e: &Event| -> Vec<&EventMention> {
        e.mentions
            .iter()
            .map(|p| by_place[&(p.document.as_str(), p.start)])
            .collect()
    };
    let dated = |m: &&EventMention| m.date.is_some() && m.location.is_some();
    assert!(in_memory.iter().any(|e| {
        let r = reports(e);
        r.iter().any(|m| !dated(m)) && r.iter().any(dated)
    }));
    assert!(in_memory.iter().any(|e| {
        let starts: Vec<NaiveDate> = reports(e)
            .iter()
            .filter_map(|m| m.date)
            .map(|d| d.start)
            .collect();
        let (lo, hi) = (starts.iter().min(), starts.iter().max());
        matches!((lo, hi), (Some(a), Some(b)) if (*b - *a).num_days() >= 3)
    }));
    let dir = scratch_dir("from-disk");
    // Spilled at the end of the scan, or during it as well.
    same_every_way(&ms, &dir, &[0, 20_000], &in_memory);
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// An event's members as the attach step reads them: given in any order
/// (the disk path reads them by week), the head is the smallest indices
/// and the earliest day is over all of them, dated or not.
#[test]
fn a_joinable_event_keeps_its_smallest_members_and_earliest_day() {
    use crate::{Joinable, MAX_COMPARE};
    let dated = |d0: i32, d1: i32| {
        let mut m = blank_m();
        m.tprec = Some(TimePrecision::Day);
        (m.day0, m.day1) = (d0, d1);
        m
    };
    let undated = blank_m();
    let n = 3 * MAX_COMPARE as u32;
    // Scattered: 0, 7, 14, ... wrapping, every index once.
    let order: Vec<u32> = (0..n).map(|k| (k * 7) % n).collect();
    let mut e = Joinable::default();
    for &i in &order {
        // The latest indices carry the earliest day, and one is undated.
        let m = match i {
            i if i == n - 1 => dated(100, 110),
            i if i == n - 2 => undated,
            i => dated(500 + i as i32, 500 + i as i32),
        };
        e.add(i, &m);
    }
    assert_eq!(e.head, (0..MAX_COMPARE as u32).collect::<Vec<_>>());
    assert_eq!(e.earliest, 105);
    let mut in_order = Joinable::default();
    for i in 0..n {
        in_order.add(i, &dated(500, 500));
    }
    assert_eq!(in_order.head, e.head);
    assert_eq!(Joinable::default().earliest, i32::MAX);
    // A group joining an event of fewer anchors than are compared fills
    // the head after them, in its own order; all its days count.
    let mut small = Joinable::default();
    for i in [5, 2, 9] {
        small.add(i, &dated(300, 300));
    }
    for i in 20..40 {
        small.join(i, &if i == 39 { dated(10, 20) } else { undated });
    }
    let mut head = vec![2, 5, 9];
    head.extend(20..20 + MAX_COMPARE as u32 - 3);
    assert_eq!(small.head, head);
    assert_eq!(small.earliest, 15);
    // A full head stays as it is.
    let full = e.head.clone();
    e.join(1000, &dated(0, 0));
    assert_eq!((e.head, e.earliest), (full, 0));
}

/// The events of [`season`] and [`mixed`] as the algorithm gave them
/// before clustering from disk and the attach step's smaller view came
/// in (a digest of their ids and sizes, taken with the code of a2c7d5d):
/// both paths share the scoring, the indexes and the attach step, so
/// comparing them with each other cannot see a change they share. A
/// deliberate change to how events are formed updates these.
#[test]
fn the_seasons_events_are_those_of_the_algorithm_before_the_disk_path() {
    for (name, ms, events, digest) in [
        ("season", season(), 110, 0x46fd_b164_eeec_19fbu64),
        ("mixed", mixed(), 40, 0x9a0f_9b8c_da33_28d2),
    ] {
        let got = resolve(&ms);
        let mut ids: Vec<String> = got
            .iter()
            .map(|e| format!("{} {}", e.id, e.mentions.len()))
            .collect();
        ids.sort();
        let h = xxhash_rust::xxh3::xxh3_64(ids.join("\n").as_bytes());
        assert_eq!((got.len(), h), (events, digest), "{name}");
    }
}
