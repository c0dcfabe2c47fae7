//! Done-when check on the shared sample corpus (read at test time, never
//! copied): every Syrian, Iraqi and Jordanian place named is found, placed
//! within 25 km of its true position (public coordinates below) with an
//! admin-1 division, and each article's primary place is al-Tanf or, for
//! one article, the Abu Kamal crossing area.

use sitrep_geo::normalize::normalize_key;
use sitrep_geo::spatial::haversine_km;
use sitrep_geo::{Gazetteer, Geoparser};
use sitrep_model::{Document, Feature};

/// Place, spellings to look for, true coordinates (public facts), expected
/// admin-1 (None: any non-empty division).
type GoldPlace = (
    &'static str,
    &'static [&'static str],
    f64,
    f64,
    Option<&'static str>,
);
const GOLD: &[GoldPlace] = &[
    (
        "al-Tanf",
        &["al-Tanf", "a-Tanf", "Tanf", "Al-Tanf"],
        33.49,
        38.65,
        Some("Homs"),
    ),
    ("Zalaf Dam", &["Zalaf Dam"], 32.96, 37.17, None),
    (
        "As-Suwayda",
        &["a-Suwayda"],
        32.709,
        36.570,
        Some("As-Suwayda"),
    ),
    (
        "Abu Kamal",
        &["Abu Kamal", "al-Bukamel"],
        34.451,
        40.919,
        Some("Deir ez-Zor"),
    ),
    ("Al-Qaim", &["al-Qaim"], 34.393, 40.989, Some("Al Anbar")),
    (
        "Deir ez-Zor",
        &["Deir ez-Zor", "Deir Azzour", "Deir e-Zor"],
        35.336,
        40.141,
        Some("Deir ez-Zor"),
    ),
    (
        "Al Mayadin",
        &["Mayedin"],
        35.020,
        40.452,
        Some("Deir ez-Zor"),
    ),
    ("Baghouz", &["Baghouz"], 34.483, 40.948, Some("Deir ez-Zor")),
    (
        "Qamishli",
        &["QAMISHLI"],
        37.052,
        41.231,
        Some("Al-Hasakah"),
    ),
    (
        "Latamneh",
        &["Lataminah", "al-Lataminah", "Latamineh"],
        35.321,
        36.621,
        Some("Hama"),
    ),
    ("Amman", &["AMMAN"], 31.955, 35.945, Some("Amman")),
    ("Damascus", &["Damascus"], 33.513, 36.292, Some("Damascus")),
    ("Baghdad", &["Baghdad"], 33.341, 44.401, Some("Baghdad")),
    ("Homs", &["Homs"], 34.727, 36.723, Some("Homs")),
];

/// Regions: found, coordinates only roughly (their extent is hundreds of km).
const REGIONS: &[(&str, &[&str])] = &[
    ("Badia", &["Badia", "Syrian Badia", "Syrian desert"]),
    ("Qalamoun", &["Qalamoun"]),
    ("Euphrates", &["Euphrates River", "Euphrates Valley"]),
];

const TANF: (f64, f64) = (33.49, 38.65);
const ABU_KAMAL: (f64, f64) = (34.451, 40.919);

#[test]
fn tanf_corpus_places_and_primary() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/tanf");
    let Ok(rd) = std::fs::read_dir(dir) else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("../shared not found");
        }
        println!("skipping: ../shared not found");
        return;
    };
    let mut files: Vec<_> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
    files.sort();
    assert!(!files.is_empty());
    let p = Geoparser::new(Gazetteer::load_default().expect("gazetteer"));
    let mut found = vec![false; GOLD.len()];
    let mut found_region = vec![false; REGIONS.len()];
    let (mut at_tanf, mut at_abu_kamal) = (0, 0);
    let mut problems = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("read article");
        let title = text
            .lines()
            .find(|l| !l.trim().is_empty())
            .map(str::to_string);
        let doc = Document {
            text,
            title,
            ..Default::default()
        };
        let a = p.analyze(&doc, None);
        for m in a.mentions.iter().filter(|m| m.relation.is_none()) {
            let sk = normalize_key(&m.surface);
            for (gi, (name, surfaces, lat, lon, admin1)) in GOLD.iter().enumerate() {
                if !surfaces.iter().any(|s| normalize_key(s) == sk) {
                    continue;
                }
                found[gi] = true;
                if m.location.feature == Feature::Admin1 {
                    // "a-Suwayda province": the governorate, not the town.
                    if admin1.is_some_and(|a| m.location.admin1.as_deref() != Some(a)) {
                        problems.push(format!("{name}: province {:?}", m.location.admin1));
                    }
                    continue;
                }
                match (m.location.lat, m.location.lon) {
                    (Some(la), Some(lo)) => {
                        let d = haversine_km(la, lo, *lat, *lon);
                        if d > 25.0 {
                            problems.push(format!("{name}: {} placed {d:.0} km off", m.surface));
                        }
                    }
                    _ => problems.push(format!("{name}: {} unresolved", m.surface)),
                }
                match (&m.location.admin1, admin1) {
                    (None, _) => problems.push(format!("{name}: {} without admin1", m.surface)),
                    (Some(got), Some(want)) if got != want => {
                        problems.push(format!("{name}: admin1 {got}, expected {want}"))
                    }
                    _ => {}
                }
            }
            for (ri, (_, surfaces)) in REGIONS.iter().enumerate() {
                if surfaces.iter().any(|s| normalize_key(s) == sk) && m.location.lat.is_some() {
                    found_region[ri] = true;
                }
            }
        }
        let pp = a.primary_place.expect("a primary place");
        let (la, lo) = (pp.lat.expect("primary lat"), pp.lon.expect("primary lon"));
        if haversine_km(la, lo, TANF.0, TANF.1) <= 25.0 {
            at_tanf += 1;
        } else if haversine_km(la, lo, ABU_KAMAL.0, ABU_KAMAL.1) <= 25.0 {
            at_abu_kamal += 1;
        } else {
            problems.push(format!("{}: primary place {}", f.display(), pp.name));
        }
    }
    for (gi, ok) in found.iter().enumerate() {
        if !ok {
            problems.push(format!("{} not found", GOLD[gi].0));
        }
    }
    for (ri, ok) in found_region.iter().enumerate() {
        if !ok {
            problems.push(format!("region {} not found", REGIONS[ri].0));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(
        at_abu_kamal, 1,
        "one article is about the Abu Kamal crossing area"
    );
    assert_eq!(at_tanf, files.len() - 1);
}
