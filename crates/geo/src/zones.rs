//! Named zones defined by users: a circle around a place or a point, or a
//! GeoJSON polygon. Parsed from a small JSON spec:
//!
//! ```json
//! {"name": "al-Tanf deconfliction zone", "around": "At Tanf", "radius_km": 55}
//! {"name": "box", "center": [33.5, 38.6], "radius_km": 10}
//! {"name": "area", "geometry": {"type": "Polygon", "coordinates": [[[38,33],[39,33],[39,34],[38,33]]]}}
//! ```
//! (`center` is [lat, lon]; GeoJSON coordinates are [lon, lat].)

use crate::spatial::haversine_km;
use crate::{Gazetteer, GeoError};
use serde::{Deserialize, Serialize};

/// The area of a zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ZoneShape {
    Circle {
        lat: f64,
        lon: f64,
        radius_km: f64,
    },
    /// Outer ring first, then holes; points are [lon, lat] as in GeoJSON.
    Polygon {
        rings: Vec<Vec<[f64; 2]>>,
    },
    MultiPolygon {
        polygons: Vec<Vec<Vec<[f64; 2]>>>,
    },
    /// A route (highway, corridor) as a polyline of [lon, lat] points: not
    /// an area, so it contains nothing; analytics measure distance to it.
    Route {
        points: Vec<[f64; 2]>,
    },
}

/// A named zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Zone {
    pub name: String,
    pub shape: ZoneShape,
}

#[derive(Deserialize)]
struct Spec {
    name: String,
    around: Option<String>,
    center: Option<[f64; 2]>,
    radius_km: Option<f64>,
    geometry: Option<serde_json::Value>,
    /// Places a route passes through, in order ("Baghdad", "Rutba", ...).
    through: Option<Vec<String>>,
}

fn bad(reason: impl Into<String>) -> GeoError {
    GeoError::Data {
        path: "zone".into(),
        reason: reason.into(),
    }
}

fn ring_of(v: &serde_json::Value) -> Result<Vec<[f64; 2]>, GeoError> {
    let pts = v.as_array().ok_or_else(|| bad("ring is not an array"))?;
    pts.iter()
        .map(|p| match p.as_array().map(Vec::as_slice) {
            Some([x, y, ..]) => match (x.as_f64(), y.as_f64()) {
                (Some(x), Some(y)) => Ok([x, y]),
                _ => Err(bad("coordinate is not a number")),
            },
            _ => Err(bad("point is not [lon, lat]")),
        })
        .collect()
}

fn polygon_of(v: &serde_json::Value) -> Result<Vec<Vec<[f64; 2]>>, GeoError> {
    let rings = v.as_array().ok_or_else(|| bad("polygon is not an array"))?;
    let out: Vec<_> = rings.iter().map(ring_of).collect::<Result<_, _>>()?;
    if out.first().is_none_or(|r| r.len() < 3) {
        return Err(bad("polygon needs a ring of 3+ points"));
    }
    Ok(out)
}

impl Zone {
    pub fn circle(name: &str, lat: f64, lon: f64, radius_km: f64) -> Self {
        Zone {
            name: name.to_string(),
            shape: ZoneShape::Circle {
                lat,
                lon,
                radius_km,
            },
        }
    }

    /// Parses a JSON spec; `around` names a place resolved in `gazetteer`
    /// (the most important entry of that name).
    pub fn from_json(spec: &str, gazetteer: &Gazetteer) -> Result<Self, GeoError> {
        let s: Spec = serde_json::from_str(spec).map_err(|e| bad(format!("bad zone spec: {e}")))?;
        if let Some(geom) = s.geometry {
            let coords = geom
                .get("coordinates")
                .ok_or_else(|| bad("geometry without coordinates"))?;
            let shape = match geom.get("type").and_then(|t| t.as_str()) {
                Some("Polygon") => ZoneShape::Polygon {
                    rings: polygon_of(coords)?,
                },
                Some("MultiPolygon") => ZoneShape::MultiPolygon {
                    polygons: coords
                        .as_array()
                        .ok_or_else(|| bad("multipolygon is not an array"))?
                        .iter()
                        .map(polygon_of)
                        .collect::<Result<_, _>>()?,
                },
                Some("LineString") => {
                    let points = ring_of(coords)?;
                    if points.len() < 2 {
                        return Err(bad("a route needs 2+ points"));
                    }
                    ZoneShape::Route { points }
                }
                other => return Err(bad(format!("unsupported geometry type {other:?}"))),
            };
            return Ok(Zone {
                name: s.name,
                shape,
            });
        }
        if let Some(places) = &s.through {
            let points = places
                .iter()
                .map(|p| place_point(gazetteer, p).map(|(lat, lon)| [lon, lat]))
                .collect::<Result<Vec<_>, _>>()?;
            if points.len() < 2 {
                return Err(bad("a route needs 2+ places in \"through\""));
            }
            return Ok(Zone {
                name: s.name,
                shape: ZoneShape::Route { points },
            });
        }
        let radius = s
            .radius_km
            .ok_or_else(|| bad("circle zone needs radius_km"))?;
        if !(radius > 0.0 && radius.is_finite()) {
            return Err(bad("radius_km must be positive"));
        }
        let (lat, lon) = match (s.center, s.around.as_deref()) {
            (Some([lat, lon]), _) => (lat, lon),
            (None, Some(place)) => place_point(gazetteer, place)?,
            (None, None) => return Err(bad("circle zone needs center or around")),
        };
        Ok(Zone::circle(&s.name, lat, lon, radius))
    }

    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        match &self.shape {
            ZoneShape::Circle {
                lat: c,
                lon: o,
                radius_km,
            } => haversine_km(*c, *o, lat, lon) <= *radius_km,
            ZoneShape::Polygon { rings } => in_polygon(rings, lon, lat),
            ZoneShape::MultiPolygon { polygons } => {
                polygons.iter().any(|p| in_polygon(p, lon, lat))
            }
            ZoneShape::Route { .. } => false,
        }
    }
}

/// (lat, lon) of the most important gazetteer entry named `place`.
fn place_point(gazetteer: &Gazetteer, place: &str) -> Result<(f64, f64), GeoError> {
    let e = gazetteer
        .lookup(place)
        .iter()
        .copied()
        .max_by(|&a, &b| {
            let (ea, eb) = (
                &gazetteer.entries[a as usize],
                &gazetteer.entries[b as usize],
            );
            ea.importance.total_cmp(&eb.importance)
        })
        .ok_or_else(|| bad(format!("unknown place {place:?}")))?;
    let en = &gazetteer.entries[e as usize];
    Ok((f64::from(en.lat), f64::from(en.lon)))
}

fn in_ring(ring: &[[f64; 2]], x: f64, y: f64) -> bool {
    let mut inside = false;
    let n = ring.len();
    let mut j = n.wrapping_sub(1);
    for i in 0..n {
        let ([xi, yi], [xj, yj]) = (ring[i], ring[j]);
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

fn in_polygon(rings: &[Vec<[f64; 2]>], x: f64, y: f64) -> bool {
    match rings.split_first() {
        Some((outer, holes)) => in_ring(outer, x, y) && !holes.iter().any(|h| in_ring(h, x, y)),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_through_places_or_a_linestring() {
        let g = crate::test_parser().gazetteer();
        let r = Zone::from_json(
            r#"{"name": "highway", "through": ["Damascus", "At Tanf", "Baghdad"]}"#,
            g,
        )
        .expect("route");
        match &r.shape {
            // Damascus is the first point, about 36.3 E 33.5 N.
            ZoneShape::Route { points } => {
                assert_eq!(points.len(), 3);
                assert!((points[0][0] - 36.3).abs() < 0.3 && (points[0][1] - 33.5).abs() < 0.3);
            }
            other => panic!("not a route: {other:?}"),
        }
        assert!(!r.contains(33.5, 36.3), "a route is not an area");
        let l = Zone::from_json(
            r#"{"name": "l", "geometry": {"type": "LineString", "coordinates": [[41.0, 34.4], [40.1, 35.3]]}}"#,
            g,
        )
        .expect("linestring");
        assert!(matches!(l.shape, ZoneShape::Route { ref points } if points.len() == 2));
        assert!(Zone::from_json(
            r#"{"name": "x", "through": ["Nowhere-at-all-ville", "Damascus"]}"#,
            g
        )
        .is_err());
    }

    #[test]
    fn circle_and_polygon() {
        let g = crate::test_parser().gazetteer();
        let z = Zone::from_json(
            r#"{"name": "deconfliction zone", "around": "al-Tanf", "radius_km": 55}"#,
            g,
        )
        .expect("zone");
        // The garrison lies inside; Palmyra, ~230 km away, does not.
        assert!(z.contains(33.50, 38.63));
        assert!(!z.contains(34.56, 38.28));
        let p = Zone::from_json(
            r#"{"name": "box", "geometry": {"type": "Polygon", "coordinates": [[[38,33],[39,33],[39,34],[38,34],[38,33]]]}}"#,
            g,
        )
        .expect("polygon");
        assert!(p.contains(33.5, 38.5));
        assert!(!p.contains(34.5, 38.5));
        assert!(Zone::from_json(r#"{"name": "x", "radius_km": 5}"#, g).is_err());
        assert!(Zone::from_json(
            r#"{"name": "x", "around": "Nowhereville Qqq", "radius_km": 5}"#,
            g
        )
        .is_err());
    }
}
