//! Load-test helper for the API: builds a store of synthetic events, writes
//! lists of request paths for a load tool, profiles single requests, and
//! serves the store on a loopback address.
//!
//! ```sh
//! cargo run --release -p sitrep-server --example loadgen -- build --db /tmp/load.db --events 100000
//! cargo run --release -p sitrep-server --example loadgen -- urls --out-dir /tmp/urls
//! cargo run --release -p sitrep-server --example loadgen -- profile --db /tmp/load.db --urls /tmp/urls/events.txt
//! cargo run --release -p sitrep-server --example loadgen -- serve --db /tmp/load.db --addr 127.0.0.1:8089
//! ```
//!
//! `bench/load/run.sh` drives all of it with wrk. Every summary, sentence
//! and outlet name below is made up from templates written here; the place
//! coordinates are approximate public facts (town centres).

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{Datelike, NaiveDate};
use sitrep_model::{
    AcledType, ActorKind, ActorRole, ClaimedBy, Coding, DateRange, Dispute, DisputeValue, Event,
    EventActor, EventQuantity, Feature, GeoPrecision, Place, Plover, Provenance, Stance,
    TimePrecision,
};
use sitrep_store::Store;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

// ---------------------------------------------------------------------------
// A small deterministic RNG (SplitMix64): no dependency, same store per seed.
// ---------------------------------------------------------------------------

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
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    /// Index drawn with the given relative weights.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = self.below(total as usize) as u32;
        for (i, &w) in weights.iter().enumerate() {
            if x < w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

// ---------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------

/// Theatre: country code, relative weight, actors (name, kind).
struct Theatre {
    country: &'static str,
    weight: u32,
    actors: &'static [(&'static str, ActorKind)],
    claimants: &'static [&'static str],
}

const THEATRES: &[Theatre] = &[
    Theatre {
        country: "UA",
        weight: 40,
        actors: &[
            ("Russian Armed Forces", ActorKind::StateMilitary),
            ("Ukrainian Armed Forces", ActorKind::StateMilitary),
            ("Wagner Group", ActorKind::NonStateArmed),
            ("Civilians", ActorKind::Civilians),
            ("Regional administration", ActorKind::GovernmentOfficial),
        ],
        claimants: &[
            "the regional governor",
            "the defence ministry",
            "the general staff",
            "local officials",
        ],
    },
    Theatre {
        country: "SY",
        weight: 30,
        actors: &[
            ("Syrian Arab Army", ActorKind::StateMilitary),
            ("Syrian Democratic Forces", ActorKind::NonStateArmed),
            ("Islamic State", ActorKind::NonStateArmed),
            ("Global Coalition", ActorKind::StateMilitary),
            ("Hayat Tahrir al-Sham", ActorKind::NonStateArmed),
            ("Turkish Armed Forces", ActorKind::StateMilitary),
            ("Civilians", ActorKind::Civilians),
        ],
        claimants: &[
            "a monitoring group",
            "the coalition spokesman",
            "state media",
            "local activists",
        ],
    },
    Theatre {
        country: "YE",
        weight: 15,
        actors: &[
            ("Houthi forces", ActorKind::NonStateArmed),
            ("Saudi-led coalition", ActorKind::StateMilitary),
            ("Government forces", ActorKind::StateMilitary),
            ("Southern Transitional Council", ActorKind::NonStateArmed),
            ("Civilians", ActorKind::Civilians),
        ],
        claimants: &[
            "a coalition spokesman",
            "Houthi-run media",
            "medical sources",
            "tribal sources",
        ],
    },
    Theatre {
        country: "IQ",
        weight: 15,
        actors: &[
            ("Iraqi Security Forces", ActorKind::StateMilitary),
            ("Popular Mobilization Forces", ActorKind::NonStateArmed),
            ("Islamic State", ActorKind::NonStateArmed),
            ("Global Coalition", ActorKind::StateMilitary),
            ("Civilians", ActorKind::Civilians),
        ],
        claimants: &[
            "the joint operations command",
            "security sources",
            "a provincial council member",
            "police",
        ],
    },
];

/// (name, lat, lon, country, admin1, feature)
const PLACES: &[(&str, f64, f64, &str, &str, Feature)] = &[
    ("Kyiv", 50.45, 30.52, "UA", "Kyiv City", Feature::City),
    ("Kharkiv", 49.99, 36.23, "UA", "Kharkiv", Feature::City),
    ("Izium", 49.21, 37.26, "UA", "Kharkiv", Feature::City),
    ("Kupiansk", 49.71, 37.62, "UA", "Kharkiv", Feature::City),
    ("Bakhmut", 48.60, 38.00, "UA", "Donetsk", Feature::City),
    ("Avdiivka", 48.14, 37.75, "UA", "Donetsk", Feature::City),
    ("Kramatorsk", 48.72, 37.56, "UA", "Donetsk", Feature::City),
    ("Mariupol", 47.10, 37.55, "UA", "Donetsk", Feature::City),
    ("Vuhledar", 47.78, 37.25, "UA", "Donetsk", Feature::City),
    (
        "Sievierodonetsk",
        48.95,
        38.49,
        "UA",
        "Luhansk",
        Feature::City,
    ),
    ("Kherson", 46.64, 32.61, "UA", "Kherson", Feature::City),
    (
        "Zaporizhzhia",
        47.84,
        35.14,
        "UA",
        "Zaporizhzhia",
        Feature::City,
    ),
    ("Orikhiv", 47.57, 35.79, "UA", "Zaporizhzhia", Feature::City),
    ("Odesa", 46.48, 30.72, "UA", "Odesa", Feature::City),
    ("Damascus", 33.51, 36.29, "SY", "Damascus", Feature::City),
    ("Aleppo", 36.20, 37.13, "SY", "Aleppo", Feature::City),
    ("Manbij", 36.53, 37.96, "SY", "Aleppo", Feature::City),
    ("Idlib", 35.93, 36.63, "SY", "Idlib", Feature::City),
    ("Homs", 34.73, 36.72, "SY", "Homs", Feature::City),
    ("Palmyra", 34.55, 38.27, "SY", "Homs", Feature::City),
    ("al-Tanf", 33.50, 38.66, "SY", "Homs", Feature::Base),
    ("Rukban", 33.30, 38.71, "SY", "Homs", Feature::Village),
    (
        "Deir ez-Zor",
        35.34,
        40.14,
        "SY",
        "Deir ez-Zor",
        Feature::City,
    ),
    (
        "al-Bukamal",
        34.45,
        40.92,
        "SY",
        "Deir ez-Zor",
        Feature::City,
    ),
    ("Raqqa", 35.95, 39.01, "SY", "Raqqa", Feature::City),
    ("Daraa", 32.63, 36.11, "SY", "Daraa", Feature::City),
    ("Qamishli", 37.05, 41.23, "SY", "Al-Hasakah", Feature::City),
    (
        "Sanaa",
        15.37,
        44.19,
        "YE",
        "Amanat al-Asimah",
        Feature::City,
    ),
    ("Aden", 12.79, 45.03, "YE", "Aden", Feature::City),
    ("Hodeidah", 14.80, 42.95, "YE", "Al Hudaydah", Feature::City),
    ("Taiz", 13.58, 44.02, "YE", "Taiz", Feature::City),
    ("Marib", 15.46, 45.32, "YE", "Marib", Feature::City),
    ("Saada", 16.94, 43.76, "YE", "Saada", Feature::City),
    ("Mokha", 13.32, 43.25, "YE", "Taiz", Feature::City),
    ("Baghdad", 33.32, 44.37, "IQ", "Baghdad", Feature::City),
    ("Mosul", 36.34, 43.13, "IQ", "Nineveh", Feature::City),
    ("Sinjar", 36.32, 41.87, "IQ", "Nineveh", Feature::City),
    ("Fallujah", 33.35, 43.78, "IQ", "Anbar", Feature::City),
    ("Ramadi", 33.42, 43.30, "IQ", "Anbar", Feature::City),
    (
        "al-Qaim",
        34.37,
        41.10,
        "IQ",
        "Anbar",
        Feature::BorderCrossing,
    ),
    ("Kirkuk", 35.47, 44.39, "IQ", "Kirkuk", Feature::City),
    ("Tikrit", 34.61, 43.68, "IQ", "Salah ad-Din", Feature::City),
    ("Erbil", 36.19, 44.01, "IQ", "Erbil", Feature::City),
    ("Basra", 30.51, 47.78, "IQ", "Basra", Feature::City),
];

/// PLOVER category, weight, and the ACLED (type, sub-type) pairs it codes to.
/// (ACLED event type, sub-event type)
type AcledPair = (&'static str, &'static str);

const CATEGORIES: &[(Plover, u32, &[AcledPair])] = &[
    (
        Plover::Assault,
        52,
        &[
            ("Battles", "Armed clash"),
            (
                "Explosions/Remote violence",
                "Shelling/artillery/missile attack",
            ),
            ("Explosions/Remote violence", "Air/drone strike"),
            (
                "Explosions/Remote violence",
                "Remote explosive/landmine/IED",
            ),
            ("Violence against civilians", "Attack"),
        ],
    ),
    (
        Plover::Mobilize,
        10,
        &[
            ("Strategic developments", "Change to group/activity"),
            ("Strategic developments", "Headquarters or base established"),
        ],
    ),
    (
        Plover::Coerce,
        7,
        &[
            ("Strategic developments", "Arrests"),
            (
                "Violence against civilians",
                "Abduction/forced disappearance",
            ),
        ],
    ),
    (Plover::Threaten, 5, &[]),
    (Plover::Accuse, 6, &[]),
    (
        Plover::Protest,
        5,
        &[
            ("Protests", "Peaceful protest"),
            ("Riots", "Violent demonstration"),
        ],
    ),
    (
        Plover::Retreat,
        3,
        &[
            ("Battles", "Government regains territory"),
            ("Battles", "Non-state actor overtakes territory"),
        ],
    ),
    (Plover::Consult, 4, &[]),
    (Plover::Agree, 2, &[("Strategic developments", "Agreement")]),
    (Plover::Aid, 3, &[]),
    (Plover::Support, 1, &[]),
    (Plover::Cooperate, 1, &[]),
    (Plover::Request, 1, &[]),
    (Plover::Reject, 1, &[]),
    (
        Plover::Concede,
        1,
        &[(
            "Strategic developments",
            "Non-violent transfer of territory",
        )],
    ),
    (Plover::Sanction, 1, &[]),
];

/// Invented outlets; the weights make a few outlets dominate, as in practice.
const OUTLETS: &[(&str, u32)] = &[
    ("Valley Courier", 14),
    ("Northern Dispatch", 12),
    ("Levant Monitor", 10),
    ("Euphrates Post", 8),
    ("Gulf Wire", 8),
    ("Steppe Ledger", 8),
    ("Harbour Times", 6),
    ("Frontline Daily", 6),
    ("Crossroads Radio", 5),
    ("Desert Bulletin", 5),
    ("Red Sea Herald", 4),
    ("Plains Observer", 4),
    ("Mountain Chronicle", 3),
    ("Riverbank News", 3),
    ("Capital Review", 2),
    ("Borderland Notes", 2),
];

const DAYS: &[&str] = &[
    "on Monday",
    "on Tuesday",
    "on Wednesday",
    "on Thursday",
    "on Friday",
    "on Saturday",
    "on Sunday",
    "overnight",
];

/// Phrase for an event's action, by ACLED sub-type or PLOVER category.
fn action(cat: Plover, sub: Option<&str>) -> &'static [&'static str] {
    match (cat, sub) {
        (_, Some("Armed clash")) => &["fought", "clashed with", "exchanged fire with"],
        (_, Some("Shelling/artillery/missile attack")) => {
            &["shelled", "fired rockets at", "bombarded"]
        }
        (_, Some("Air/drone strike")) => &[
            "struck",
            "launched a drone strike on",
            "carried out an airstrike on",
        ],
        (_, Some("Remote explosive/landmine/IED")) => &[
            "detonated a roadside bomb targeting",
            "planted explosives against",
        ],
        (_, Some("Attack")) => &["attacked", "opened fire on"],
        (_, Some("Arrests")) => &["detained members of", "arrested supporters of"],
        (_, Some("Abduction/forced disappearance")) => {
            &["abducted members of", "seized people linked to"]
        }
        (_, Some("Government regains territory"))
        | (_, Some("Non-state actor overtakes territory")) => &["took control from", "drove out"],
        (_, Some("Non-violent transfer of territory")) => &["handed positions over to"],
        (_, Some("Peaceful protest")) | (_, Some("Violent demonstration")) => {
            &["rallied against", "marched in protest at"]
        }
        (Plover::Mobilize, _) => &[
            "sent reinforcements against",
            "massed troops facing",
            "moved a convoy towards",
        ],
        (Plover::Threaten, _) => &["threatened", "warned of retaliation against"],
        (Plover::Accuse, _) => &["accused", "blamed"],
        (Plover::Consult, _) => &["held talks with", "met envoys of"],
        (Plover::Agree, _) => &["agreed a local truce with", "signed an exchange deal with"],
        (Plover::Aid, _) => &[
            "delivered food aid alongside",
            "evacuated wounded together with",
        ],
        _ => &["issued a statement on", "responded to"],
    }
}

const EQUIPMENT: &[&str] = &[
    "drones",
    "artillery",
    "tanks",
    "rockets",
    "armoured vehicles",
    "mortars",
    "helicopters",
];

fn id_of(n: u64, salt: u64) -> String {
    let mut r = Rng(n.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ salt);
    format!("{:016x}", r.next())
}

/// Builds event number `i` of a store drawn from `seed`.
fn make_event(i: u64, seed: u64, start: NaiveDate, span_days: i64) -> Event {
    let mut r = Rng(seed ^ i.wrapping_mul(0xD1B5_4A32_D192_ED03));
    let th = &THEATRES[r.weighted(&THEATRES.iter().map(|t| t.weight).collect::<Vec<_>>())];
    let places: Vec<_> = PLACES.iter().filter(|p| p.3 == th.country).collect();
    // Skewed towards the first places listed (the busiest fronts).
    let pi = (r.unit().powi(2) * places.len() as f64) as usize;
    let &(pname, plat, plon, country, admin1, feature) = places[pi.min(places.len() - 1)];
    let (cat, _, acleds) =
        CATEGORIES[r.weighted(&CATEGORIES.iter().map(|c| c.1).collect::<Vec<_>>())];
    let acled = (!acleds.is_empty()).then(|| {
        let (t, s) = *r.pick(acleds);
        AcledType {
            event_type: t.into(),
            sub_event_type: s.into(),
        }
    });
    // Dates: more events in the middle year, a few week/month precision.
    let t = (r.unit() + r.unit() + r.unit()) / 3.0;
    let day = start + chrono::Duration::days((t * span_days as f64) as i64);
    let date = match r.below(20) {
        0 => Some(DateRange {
            start: day,
            end: day + chrono::Duration::days(6),
            precision: TimePrecision::Week,
        }),
        1 => {
            let first = day.with_day(1).unwrap_or(day);
            let next = first
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(first);
            Some(DateRange {
                start: first,
                end: next - chrono::Duration::days(1),
                precision: TimePrecision::Month,
            })
        }
        2 if r.chance(0.1) => None,
        _ => Some(DateRange::day(day)),
    };
    // About 4% of events could not be located.
    let location = (!r.chance(0.04)).then(|| Place {
        name: pname.into(),
        surface: vec![pname.into()],
        lat: Some(plat + (r.unit() - 0.5) * 0.3),
        lon: Some(plon + (r.unit() - 0.5) * 0.3),
        country: Some(country.into()),
        admin1: Some(admin1.into()),
        feature,
        geonames_id: None,
        mentions: 1 + r.below(4) as u32,
        precision: if r.chance(0.8) {
            GeoPrecision::Exact
        } else {
            GeoPrecision::Near
        },
    });
    let a = r.below(th.actors.len());
    let mut b = r.below(th.actors.len());
    if b == a {
        b = (a + 1) % th.actors.len();
    }
    let (an, ak) = th.actors[a];
    let (bn, bk) = th.actors[b];
    let verb = *r.pick(action(
        cat,
        acled.as_ref().map(|a| a.sub_event_type.as_str()),
    ));
    let place_txt = location
        .as_ref()
        .map_or("an unnamed village", |p| p.name.as_str());
    let summary = format!("{an} {verb} {bn} near {place_txt}");
    let equipment: Vec<String> = if cat == Plover::Assault && r.chance(0.5) {
        vec![(*r.pick(EQUIPMENT)).into()]
    } else {
        vec![]
    };
    let fatalities = (cat == Plover::Assault && r.chance(0.6)).then(|| r.below(12) as u32);

    // 1-5 independent sources, most events with one or two.
    let n_sources = [1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5][r.below(11)];
    let weights: Vec<u32> = OUTLETS.iter().map(|o| o.1).collect();
    let mut sources: Vec<String> = Vec::new();
    while sources.len() < n_sources {
        let o = OUTLETS[r.weighted(&weights)].0;
        if !sources.iter().any(|s| s == o) {
            sources.push(o.into());
        }
    }
    let mut mentions = Vec::new();
    let mut coding = Vec::new();
    let mut claimed_by = Vec::new();
    for (k, outlet) in sources.iter().enumerate() {
        let claimant = *r.pick(th.claimants);
        let when = *r.pick(DAYS);
        let mut sentence = String::new();
        match r.below(4) {
            0 => {
                let _ = write!(
                    sentence,
                    "{an} {verb} {bn} near {place_txt} {when}, {claimant} said."
                );
            }
            1 => {
                let _ = write!(
                    sentence,
                    "According to {claimant}, {} {verb} {bn} in {place_txt} {when}.",
                    an.to_lowercase()
                );
            }
            2 => {
                let _ = write!(
                    sentence,
                    "Residents of {place_txt} reported that {an} {verb} {bn} {when}."
                );
            }
            _ => {
                let _ = write!(sentence, "{claimant} told reporters that {an} had {verb} {bn} outside {place_txt} {when}.");
            }
        }
        if let Some(eq) = equipment.first() {
            let _ = write!(sentence, " Witnesses described {eq} being used.");
        }
        if let Some(f) = fatalities {
            let _ = write!(sentence, " At least {f} people were killed.");
        }
        let len = sentence.chars().count();
        mentions.push(Provenance {
            document: id_of(i * 8 + k as u64, 0xD0C),
            outlet: Some(outlet.clone()),
            sentence,
            start: 100 * k,
            end: 100 * k + len,
        });
        coding.push(Coding {
            trigger: verb.split(' ').next().unwrap_or(verb).into(),
            rule: format!("{}_synthetic", cat.as_str().to_lowercase()),
        });
        if k == 0 {
            claimed_by.push(ClaimedBy {
                claimant: claimant.into(),
                stance: Stance::Reports,
            });
        }
    }
    // Disputes only possible with two or more sources; roughly 15% of those.
    let mut disputes = Vec::new();
    if n_sources >= 2 && r.chance(0.15) {
        let field = *r.pick(&["fatalities", "actors", "date", "location"]);
        disputes.push(Dispute {
            field: field.into(),
            values: vec![
                DisputeValue {
                    value: format!("{field} as first reported"),
                    documents: vec![mentions[0].document.clone()],
                },
                DisputeValue {
                    value: format!("{field} as later reported"),
                    documents: vec![mentions[1].document.clone()],
                },
            ],
        });
        if r.chance(0.3) {
            claimed_by.push(ClaimedBy {
                claimant: bn.into(),
                stance: Stance::Denies,
            });
        }
    }
    let confidence = (0.25 + 0.12 * n_sources as f32 + r.unit() as f32 * 0.2
        - if disputes.is_empty() { 0.0 } else { 0.15 })
    .clamp(0.05, 0.99);
    Event {
        id: id_of(i, seed),
        category: cat,
        acled,
        summary,
        date,
        actors: vec![
            EventActor {
                name: an.into(),
                role: ActorRole::Actor,
                kind: ak,
                surface: vec![an.to_lowercase()],
            },
            EventActor {
                name: bn.into(),
                role: ActorRole::Target,
                kind: bk,
                surface: vec![bn.to_lowercase()],
            },
        ],
        location,
        quantities: fatalities
            .map(|f| {
                vec![EventQuantity {
                    value: f as f64,
                    unit: "person".into(),
                }]
            })
            .unwrap_or_default(),
        equipment,
        fatalities,
        claimed_by,
        mentions,
        sources,
        disputes,
        confidence,
        coding,
    }
}

const FIRST_DAY: (i32, u32, u32) = (2021, 1, 1);
const SPAN_DAYS: i64 = 3 * 365;

fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(FIRST_DAY.0, FIRST_DAY.1, FIRST_DAY.2).unwrap_or_default()
}

/// The zones the URL mix filters on (names used in `?zone=`).
const ZONES: &[(&str, f64, f64, f64)] = &[
    ("al-Tanf 55 km", 33.50, 38.66, 55.0),
    ("Bakhmut front", 48.60, 38.00, 40.0),
    ("Hodeidah port", 14.80, 42.95, 30.0),
];

fn build(db: &Path, n: u64, seed: u64) -> Res<()> {
    for ext in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{ext}", db.display()));
        if p.exists() {
            std::fs::remove_file(&p)?;
        }
    }
    let t = Instant::now();
    let events: Vec<Event> = (0..n)
        .map(|i| make_event(i, seed, first_day(), SPAN_DAYS))
        .collect();
    let made = t.elapsed();
    let mut store = Store::open(db)?;
    store.replace_events(&events)?;
    for &(name, lat, lon, km) in ZONES {
        store.put_zone(
            name,
            "circle",
            &serde_json::json!({ "lat": lat, "lon": lon, "radius_km": km }),
        )?;
    }
    // Plan statistics help SQLite pick between the date, category and R*Tree indexes.
    store
        .conn()
        .execute_batch("ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);")?;
    eprintln!(
        "built {} events in {:.1} s (generation {:.1} s) -> {}",
        n,
        t.elapsed().as_secs_f64(),
        made.as_secs_f64(),
        db.display()
    );
    Ok(())
}

// ---------------------------------------------------------------------------
// Request mixes
// ---------------------------------------------------------------------------

fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b',' => {
                out.push(b as char)
            }
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

/// Country viewports as bbox (w, s, e, n).
const VIEWS: &[(f64, f64, f64, f64)] = &[
    (22.0, 44.0, 40.5, 52.5),
    (35.5, 32.3, 42.5, 37.4),
    (41.8, 12.0, 54.0, 19.0),
    (38.8, 29.0, 48.8, 37.4),
    (35.0, 12.0, 50.0, 52.0),
];

const TERMS: &[&str] = &[
    "shelled",
    "drone",
    "convoy",
    "killed",
    "reinforcements",
    "Bakhmut",
    "Hodeidah",
    "airstrike",
    "explosives",
    "protest",
    "truce",
    "Mosul",
    "talks",
    "tanks",
];

/// A random set of event filters as query parameters (no paging).
fn random_filter(r: &mut Rng) -> Vec<(String, String)> {
    let mut p: Vec<(String, String)> = Vec::new();
    let n = 1 + r.weighted(&[40, 40, 20]);
    let mut kinds: Vec<usize> = Vec::new();
    while kinds.len() < n {
        // date, category, bbox, zone, outlet, disputed, q, acled, actor
        let k = r.weighted(&[30, 22, 14, 5, 10, 6, 8, 6, 6]);
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    for k in kinds {
        match k {
            0 => {
                let len = *r.pick(&[7i64, 30, 90, 365]);
                let from = first_day()
                    + chrono::Duration::days(r.below((SPAN_DAYS - len) as usize) as i64);
                p.push(("from".into(), from.to_string()));
                p.push((
                    "to".into(),
                    (from + chrono::Duration::days(len)).to_string(),
                ));
            }
            1 => {
                let c =
                    CATEGORIES[r.weighted(&CATEGORIES.iter().map(|c| c.1).collect::<Vec<_>>())].0;
                p.push(("category".into(), c.as_str().into()));
            }
            2 => {
                let v = *r.pick(VIEWS);
                // A random sub-window of a country view.
                let f = 0.2 + r.unit() * 0.8;
                let (w, s) = (
                    v.0 + (v.2 - v.0) * (1.0 - f) * r.unit(),
                    v.1 + (v.3 - v.1) * (1.0 - f) * r.unit(),
                );
                let (e, n) = (w + (v.2 - v.0) * f, s + (v.3 - v.1) * f);
                p.push(("bbox".into(), format!("{w:.2},{s:.2},{e:.2},{n:.2}")));
            }
            3 => p.push(("zone".into(), r.pick(ZONES).0.into())),
            4 => p.push((
                "outlet".into(),
                OUTLETS[r.weighted(&OUTLETS.iter().map(|o| o.1).collect::<Vec<_>>())]
                    .0
                    .into(),
            )),
            5 => p.push(("disputed".into(), "true".into())),
            6 => p.push(("q".into(), (*r.pick(TERMS)).into())),
            7 => {
                let (_, _, acleds) = CATEGORIES[0];
                p.push(("acled".into(), r.pick(acleds).1.into()));
            }
            _ => {
                let th = r.pick(THEATRES);
                p.push(("actor".into(), r.pick(th.actors).0.into()));
            }
        }
    }
    p
}

fn to_url(route: &str, p: &[(String, String)]) -> String {
    let q: Vec<String> = p.iter().map(|(k, v)| format!("{k}={}", enc(v))).collect();
    if q.is_empty() {
        route.into()
    } else {
        format!("{route}?{}", q.join("&"))
    }
}

/// Distinct request paths: (events list, clusters, timeline).
fn url_mix(n_events: usize, seed: u64) -> (Vec<String>, Vec<String>, Vec<String>) {
    let mut r = Rng(seed ^ 0x5EED);
    let mut events = std::collections::BTreeSet::new();
    events.insert("/api/events".to_string());
    let mut guard = 0;
    while events.len() < n_events && guard < n_events * 50 {
        guard += 1;
        let mut p = random_filter(&mut r);
        // Paging: mostly the first page, sometimes deep.
        match r.weighted(&[60, 20, 12, 8]) {
            0 => {}
            1 => p.push(("offset".into(), "50".into())),
            2 => p.push(("offset".into(), (50 * (2 + r.below(18))).to_string())),
            _ => p.push(("offset".into(), (50 * (20 + r.below(180))).to_string())),
        }
        match r.weighted(&[80, 8, 6, 6]) {
            0 => {}
            1 => p.push(("sort".into(), "date".into())),
            2 => p.push(("sort".into(), "confidence".into())),
            _ => p.push(("sort".into(), "sources".into())),
        }
        events.insert(to_url("/api/events", &p));
    }
    let mut clusters = std::collections::BTreeSet::new();
    for zoom in 2..=12u32 {
        for _ in 0..12 {
            let mut p = if r.chance(0.5) {
                Vec::new()
            } else {
                random_filter(&mut r)
            };
            if zoom >= 5 {
                // The page asks for what a ~1000 px wide map shows at this zoom.
                p.retain(|(k, _)| k != "bbox");
                let v = *r.pick(VIEWS);
                let (cx, cy) = (v.0 + (v.2 - v.0) * r.unit(), v.1 + (v.3 - v.1) * r.unit());
                let half = 700.0 / 2f64.powi(zoom as i32);
                p.push((
                    "bbox".into(),
                    format!(
                        "{:.2},{:.2},{:.2},{:.2}",
                        cx - half,
                        cy - half / 2.0,
                        cx + half,
                        cy + half / 2.0
                    ),
                ));
            }
            p.push(("zoom".into(), zoom.to_string()));
            clusters.insert(to_url("/api/events/clusters", &p));
        }
    }
    let mut timeline = std::collections::BTreeSet::new();
    for bucket in ["day", "week", "month"] {
        for _ in 0..50 {
            let mut p = if r.chance(0.3) {
                Vec::new()
            } else {
                random_filter(&mut r)
            };
            p.push(("bucket".into(), bucket.into()));
            timeline.insert(to_url("/api/timeline", &p));
        }
    }
    (
        events.into_iter().collect(),
        clusters.into_iter().collect(),
        timeline.into_iter().collect(),
    )
}

fn write_urls(dir: &Path, n: usize, seed: u64) -> Res<()> {
    std::fs::create_dir_all(dir)?;
    let (e, c, t) = url_mix(n, seed);
    for (name, list) in [
        ("events.txt", &e),
        ("clusters.txt", &c),
        ("timeline.txt", &t),
    ] {
        std::fs::write(dir.join(name), list.join("\n") + "\n")?;
        eprintln!("{} paths -> {}", list.len(), dir.join(name).display());
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Profile: each path once through the router, uncached, slowest first.
// ---------------------------------------------------------------------------

/// Decodes `%XX` escapes (the URL lists use no `+`).
fn dec(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The store-level cost of each `/api/events` path in `urls`: the
/// in-memory index, no HTTP, `rounds` times; with SQL=1 also the SQL
/// queries (first 100 paths).
fn bench_index(db: &Path, urls: &Path, rounds: usize) -> Res<()> {
    use sitrep_store::read::{EventFilter, EventIndex, EventSort};
    let store = Store::open_read_only(db)?;
    let t = Instant::now();
    let ix = EventIndex::load(&store)?;
    eprintln!(
        "index of {} events loaded in {:.0} ms",
        ix.len(),
        t.elapsed().as_secs_f64() * 1e3
    );
    let mut queries = Vec::new();
    for line in std::fs::read_to_string(urls)?.lines() {
        let Some(("/api/events", q)) = line.split_once('?').or(Some((line, ""))) else {
            continue;
        };
        let mut f = EventFilter::default();
        let (mut sort, mut offset) = (EventSort::DateDesc, 0u64);
        for kv in q.split('&').filter(|kv| !kv.is_empty()) {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            let v = dec(v);
            match k {
                "from" => f.from = Some(v),
                "to" => f.to = Some(v),
                "category" => f.category = Some(v),
                "acled" => f.acled = Some(v),
                "actor" => f.actor = Some(v),
                "outlet" => f.outlet = Some(v),
                "q" => f.q = Some(v),
                "zone" => f.zone = Some(v),
                "disputed" => f.disputed = v == "true",
                "offset" => offset = v.parse()?,
                "bbox" => {
                    let b: Vec<f64> = v.split(',').map(str::parse).collect::<Result<_, _>>()?;
                    f.bbox = Some([b[0], b[1], b[2], b[3]]);
                }
                "sort" => {
                    sort = match v.as_str() {
                        "date" => EventSort::Date,
                        "confidence" => EventSort::Confidence,
                        "sources" => EventSort::Sources,
                        _ => EventSort::DateDesc,
                    }
                }
                _ => {}
            }
        }
        queries.push((f, sort, offset));
    }
    for round in 0..rounds {
        let t = Instant::now();
        for (f, sort, offset) in &queries {
            ix.list_events(&store, f, *sort, 50, *offset)?;
        }
        let per = t.elapsed().as_secs_f64() * 1e3 / queries.len() as f64;
        println!(
            "index, round {round}: {per:.3} ms per /api/events query ({} queries)",
            queries.len()
        );
    }
    if std::env::var_os("SQL").is_none() {
        return Ok(());
    }
    let t = Instant::now();
    let n = queries.len().min(100);
    for (f, sort, offset) in &queries[..n] {
        store.list_events(f, *sort, 50, *offset)?;
    }
    println!(
        "SQL: {:.3} ms per query (first {n})",
        t.elapsed().as_secs_f64() * 1e3 / n as f64
    );
    Ok(())
}

async fn profile(db: &Path, urls: &Path, top: usize) -> Res<()> {
    use tower::ServiceExt;
    let app = sitrep_server::router(db)?;
    let list = std::fs::read_to_string(urls)?;
    let mut times = Vec::new();
    for (i, path) in list.lines().filter(|l| !l.is_empty()).enumerate() {
        // A unique extra parameter keeps the response cache out of the way.
        let sep = if path.contains('?') { '&' } else { '?' };
        let uri = format!("{path}{sep}nocache={i}");
        let req = axum::http::Request::builder()
            .uri(&uri)
            .body(axum::body::Body::empty())?;
        let t = Instant::now();
        let resp = app.clone().oneshot(req).await?;
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await?;
        let ms = t.elapsed().as_secs_f64() * 1e3;
        if !status.is_success() {
            eprintln!("{status} {path}: {}", String::from_utf8_lossy(&bytes));
        }
        times.push((ms, path.to_string()));
    }
    times.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut sorted: Vec<f64> = times.iter().map(|t| t.0).collect();
    sorted.reverse();
    let pct = |p: f64| sorted[((sorted.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "{} paths, uncached, one at a time: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms, mean {:.2} ms",
        sorted.len(),
        pct(0.5),
        pct(0.9),
        pct(0.99),
        pct(1.0),
        sorted.iter().sum::<f64>() / sorted.len() as f64
    );
    for (ms, path) in times.iter().take(top) {
        println!("{ms:8.2} ms  {path}");
    }
    Ok(())
}

// ---------------------------------------------------------------------------

fn arg<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

fn usage() -> Res<()> {
    Err("usage: loadgen build --db FILE [--events N] [--seed N]\n\
         \x20      loadgen urls --out-dir DIR [--events-urls N]\n\
         \x20      loadgen profile --db FILE --urls FILE [--top N]\n\
         \x20      loadgen serve --db FILE [--addr 127.0.0.1:8089]"
        .into())
}

#[tokio::main]
async fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seed: u64 = arg(&args, "--seed").unwrap_or("7").parse()?;
    let db = arg(&args, "--db").map(PathBuf::from);
    match args.first().map(String::as_str) {
        Some("build") => {
            let n: u64 = arg(&args, "--events").unwrap_or("100000").parse()?;
            build(db.as_deref().ok_or("--db is required")?, n, seed)
        }
        Some("urls") => {
            let n: usize = arg(&args, "--events-urls").unwrap_or("1000").parse()?;
            write_urls(
                Path::new(arg(&args, "--out-dir").ok_or("--out-dir is required")?),
                n,
                seed,
            )
        }
        Some("profile") => {
            let top: usize = arg(&args, "--top").unwrap_or("15").parse()?;
            profile(
                db.as_deref().ok_or("--db is required")?,
                Path::new(arg(&args, "--urls").ok_or("--urls is required")?),
                top,
            )
            .await
        }
        Some("bench-index") => {
            let rounds: usize = arg(&args, "--rounds").unwrap_or("3").parse()?;
            bench_index(
                db.as_deref().ok_or("--db is required")?,
                Path::new(arg(&args, "--urls").ok_or("--urls is required")?),
                rounds,
            )
        }
        Some("serve") => {
            let addr: SocketAddr = arg(&args, "--addr").unwrap_or("127.0.0.1:8089").parse()?;
            // Loopback only: this is a load target, never a public server.
            if !addr.ip().is_loopback() {
                return Err(format!("{addr}: loadgen only serves on a loopback address").into());
            }
            let db = db.ok_or("--db is required")?;
            eprintln!("serving {} on http://{addr}", db.display());
            sitrep_server::serve(&db, addr).await?;
            Ok(())
        }
        _ => usage(),
    }
}
