//! Accuracy on a small gold set, scored the same way for Sitrep and the
//! peer: persons (precision, recall, F1 over distinct names per paragraph)
//! and places (toponym recall and precision over occurrences, Acc@161 km).
//!
//! Both systems hand in [`Prediction`]s with character offsets into the
//! gold paragraph; the gold names each toponym by its surface, and every
//! whole-word occurrence of that surface is one gold toponym.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::measure::BenchError;

#[derive(Debug, Clone, Deserialize)]
pub struct Gold {
    pub documents: Vec<GoldDoc>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GoldDoc {
    pub id: String,
    pub published: Option<String>,
    pub text: String,
    pub persons: Vec<String>,
    pub toponyms: Vec<GoldToponym>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GoldToponym {
    pub surface: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// city / locality (scored for distance), country / region (recall only).
    pub kind: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PredSpan {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PredPlace {
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// One system's output for one gold paragraph (character offsets).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Prediction {
    pub persons: Vec<PredSpan>,
    pub places: Vec<PredPlace>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Scores {
    pub documents: usize,
    pub person_gold: usize,
    pub person_precision: f64,
    pub person_recall: f64,
    pub person_f1: f64,
    pub toponym_gold: usize,
    pub toponym_recall: f64,
    pub toponym_precision: f64,
    /// Gold city/locality occurrences whose prediction lies within 161 km,
    /// over all of them (a missed toponym counts as wrong: end to end).
    pub acc161: f64,
    pub acc161_n: usize,
}

pub fn load(path: &Path) -> Result<Gold, BenchError> {
    let s = std::fs::read_to_string(path)
        .map_err(BenchError::io(format!("reading {}", path.display())))?;
    serde_json::from_str(&s).map_err(BenchError::json(format!("parsing {}", path.display())))
}

/// Lower-case word tokens of a name, without titles and ranks ("Col.",
/// "Lt.") or a possessive.
fn name_tokens(s: &str) -> Vec<String> {
    let s = s.trim().trim_end_matches("'s").trim_end_matches("’s");
    s.split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty() && !w.ends_with('.'))
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// A predicted name refers to a gold person when they share the surname
/// and one's words are a subset of the other's ("Haddad" or "Rania Haddad"
/// for Rania Haddad).
fn same_person(pred: &[String], gold: &[String]) -> bool {
    match (pred.last(), gold.last()) {
        (Some(p), Some(g)) if p == g => {
            pred.iter().all(|w| gold.contains(w)) || gold.iter().all(|w| pred.contains(w))
        }
        _ => false,
    }
}

/// Whole-word occurrences of `needle` in `text`, as character ranges.
fn occurrences(text: &str, needle: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if needle.is_empty() {
        return out;
    }
    let mut from = 0;
    while let Some(rel) = text[from..].find(needle) {
        let b = from + rel;
        let e = b + needle.len();
        let before_ok = !text[..b]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric);
        let after_ok = !text[e..].chars().next().is_some_and(char::is_alphanumeric);
        if before_ok && after_ok {
            let cs = text[..b].chars().count();
            out.push((cs, cs + needle.chars().count()));
        }
        from = b + needle.len();
    }
    out
}

/// Great-circle distance in km.
pub fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0 * a.sqrt().asin()
}

fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 {
        0.0
    } else {
        n as f64 / d as f64
    }
}

/// Scores predictions (by document id) against the gold.
pub fn score(gold: &Gold, preds: &HashMap<String, Prediction>) -> Scores {
    let empty = Prediction::default();
    let (mut p_tp, mut p_pred, mut p_found, mut p_gold) = (0, 0, 0, 0);
    let (mut t_gold, mut t_found, mut t_pred, mut t_pred_ok, mut a_n, mut a_ok) =
        (0, 0, 0, 0, 0, 0);
    for doc in &gold.documents {
        let pred = preds.get(&doc.id).unwrap_or(&empty);
        // Persons: distinct names per paragraph.
        let golds: Vec<Vec<String>> = doc.persons.iter().map(|g| name_tokens(g)).collect();
        let mut names: Vec<Vec<String>> = Vec::new();
        for p in &pred.persons {
            let t = name_tokens(&p.text);
            if !t.is_empty() && !names.contains(&t) {
                names.push(t);
            }
        }
        p_gold += golds.len();
        p_pred += names.len();
        p_tp += names
            .iter()
            .filter(|n| golds.iter().any(|g| same_person(n, g)))
            .count();
        p_found += golds
            .iter()
            .filter(|g| names.iter().any(|n| same_person(n, g)))
            .count();

        // Places: every whole-word occurrence of a gold surface.
        let mut gold_occ: Vec<((usize, usize), &GoldToponym)> = Vec::new();
        for t in &doc.toponyms {
            for o in occurrences(&doc.text, &t.surface) {
                if !gold_occ.iter().any(|(g, _)| *g == o) {
                    gold_occ.push((o, t));
                }
            }
        }
        let overlaps = |a: (usize, usize), p: &PredPlace| p.start < a.1 && a.0 < p.end;
        for ((s, e), t) in &gold_occ {
            t_gold += 1;
            let hits: Vec<&PredPlace> = pred
                .places
                .iter()
                .filter(|p| overlaps((*s, *e), p))
                .collect();
            if !hits.is_empty() {
                t_found += 1;
            }
            if let (Some(glat), Some(glon), true) =
                (t.lat, t.lon, t.kind == "city" || t.kind == "locality")
            {
                a_n += 1;
                let near = hits.iter().any(|p| match (p.lat, p.lon) {
                    (Some(la), Some(lo)) => haversine_km(glat, glon, la, lo) <= 161.0,
                    _ => false,
                });
                if near {
                    a_ok += 1;
                }
            }
        }
        t_pred += pred.places.len();
        t_pred_ok += pred
            .places
            .iter()
            .filter(|p| gold_occ.iter().any(|(o, _)| overlaps(*o, p)))
            .count();
    }
    let (pp, pr) = (ratio(p_tp, p_pred), ratio(p_found, p_gold));
    Scores {
        documents: gold.documents.len(),
        person_gold: p_gold,
        person_precision: pp,
        person_recall: pr,
        person_f1: if pp + pr > 0.0 {
            2.0 * pp * pr / (pp + pr)
        } else {
            0.0
        },
        toponym_gold: t_gold,
        toponym_recall: ratio(t_found, t_gold),
        toponym_precision: ratio(t_pred_ok, t_pred),
        acc161: ratio(a_ok, a_n),
        acc161_n: a_n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gold() -> Gold {
        serde_json::from_str(
            r#"{"documents":[{"id":"a","published":null,
            "text":"ALEPPO, Syria — Col. Rania Haddad said shelling hit Aleppo and the Syrian coast; Haddad left.",
            "persons":["Rania Haddad"],
            "toponyms":[{"surface":"ALEPPO","lat":36.2,"lon":37.13,"kind":"city"},
                        {"surface":"Aleppo","lat":36.2,"lon":37.13,"kind":"city"},
                        {"surface":"Syria","lat":null,"lon":null,"kind":"country"}]}]}"#,
        )
        .unwrap()
    }

    fn place(text: &str, start: usize, lat: Option<f64>) -> PredPlace {
        PredPlace {
            start,
            end: start + text.chars().count(),
            text: text.into(),
            lat,
            lon: lat.map(|_| 37.2),
        }
    }

    #[test]
    fn perfect_and_partial_predictions() {
        let g = gold();
        let text = &g.documents[0].text;
        let at = |s: &str| text[..text.find(s).unwrap()].chars().count();
        // "Syria" inside "Syrian" is not a gold occurrence.
        assert_eq!(occurrences(text, "Syria").len(), 1);
        let perfect = Prediction {
            persons: vec![
                PredSpan {
                    start: 0,
                    end: 0,
                    text: "Col. Rania Haddad".into(),
                },
                PredSpan {
                    start: 0,
                    end: 0,
                    text: "Haddad".into(),
                },
            ],
            places: vec![
                place("ALEPPO", 0, Some(36.3)),
                place("Syria", at("Syria"), None),
                place("Aleppo", at("Aleppo"), Some(36.1)),
            ],
        };
        let s = score(&g, &HashMap::from([("a".to_string(), perfect)]));
        assert_eq!((s.person_precision, s.person_recall), (1.0, 1.0));
        assert_eq!(
            (s.toponym_recall, s.toponym_precision, s.acc161, s.acc161_n),
            (1.0, 1.0, 1.0, 2)
        );

        let partial = Prediction {
            persons: vec![PredSpan {
                start: 0,
                end: 0,
                text: "Shelling".into(),
            }],
            // Aleppo placed 1,000+ km away; a false place; ALEPPO missed.
            places: vec![
                place("Aleppo", at("Aleppo"), Some(46.0)),
                place("coast", at("coast"), None),
            ],
        };
        let s = score(&g, &HashMap::from([("a".to_string(), partial)]));
        assert_eq!((s.person_precision, s.person_recall), (0.0, 0.0));
        assert!((s.toponym_recall - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!((s.toponym_precision, s.acc161), (0.5, 0.0));
        assert_eq!(score(&g, &HashMap::new()).toponym_recall, 0.0);
    }

    #[test]
    fn distance_is_great_circle() {
        // Damascus to Amman: about 175 km.
        let d = haversine_km(33.51, 36.29, 31.95, 35.93);
        assert!((170.0..180.0).contains(&d), "{d}");
    }

    #[test]
    fn shipped_gold_is_consistent() {
        let g = load(Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../bench/gold/gold.json"
        )))
        .unwrap();
        assert_eq!(g.documents.len(), 10);
        for d in &g.documents {
            for t in &d.toponyms {
                assert!(
                    !occurrences(&d.text, &t.surface).is_empty(),
                    "{}: {}",
                    d.id,
                    t.surface
                );
                if t.kind == "city" || t.kind == "locality" {
                    assert!(
                        t.lat.is_some() && t.lon.is_some(),
                        "{}: {}",
                        d.id,
                        t.surface
                    );
                }
            }
            for p in &d.persons {
                assert!(d.text.contains(p.as_str()), "{}: {p}", d.id);
            }
        }
    }
}
