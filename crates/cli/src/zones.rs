//! `sitrep zone add`: zone specs (see `sitrep_geo::zones`) into the
//! store's `zones` table format.

use sitrep_geo::zones::ZoneShape;
use sitrep_geo::{Gazetteer, GeoError, Zone};

/// Parses `arg`: an inline JSON spec (starts with `{` or `[`), or a file
/// holding one spec, a JSON array of specs, or one spec per line.
pub fn parse_specs(arg: &str, gazetteer: &Gazetteer) -> Result<Vec<Zone>, GeoError> {
    let text = if arg.trim_start().starts_with(['{', '[']) {
        arg.to_string()
    } else {
        std::fs::read_to_string(arg).map_err(|source| GeoError::Io {
            path: arg.to_string(),
            source,
        })?
    };
    let trimmed = text.trim();
    if trimmed.starts_with('[') {
        let items: Vec<serde_json::Value> =
            serde_json::from_str(trimmed).map_err(|e| GeoError::Data {
                path: arg.to_string(),
                reason: format!("not a JSON array: {e}"),
            })?;
        return items
            .iter()
            .map(|v| Zone::from_json(&v.to_string(), gazetteer))
            .collect();
    }
    if let Ok(z) = Zone::from_json(trimmed, gazetteer) {
        return Ok(vec![z]);
    }
    trimmed
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| Zone::from_json(l, gazetteer))
        .collect()
}

/// The (kind, definition) stored for a zone: a circle as
/// `{"lat","lon","radius_km"}`, an area as a GeoJSON geometry.
pub fn to_stored(z: &Zone) -> (&'static str, serde_json::Value) {
    match &z.shape {
        ZoneShape::Circle {
            lat,
            lon,
            radius_km,
        } => (
            "circle",
            serde_json::json!({"lat": lat, "lon": lon, "radius_km": radius_km}),
        ),
        ZoneShape::Polygon { rings } => (
            "polygon",
            serde_json::json!({"type": "Polygon", "coordinates": rings}),
        ),
        ZoneShape::MultiPolygon { polygons } => (
            "polygon",
            serde_json::json!({"type": "MultiPolygon", "coordinates": polygons}),
        ),
        // The page draws routes from `coordinates` ([lon, lat] points).
        ZoneShape::Route { points } => ("route", serde_json::json!({ "coordinates": points })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn circle_and_polygon_specs_round_trip_to_store_form() {
        let gaz = Gazetteer::load_default().unwrap();
        let zs = parse_specs(
            r#"[{"name": "ring", "center": [33.5, 38.6], "radius_km": 55},
                {"name": "box", "geometry": {"type": "Polygon", "coordinates": [[[38,33],[39,33],[39,34],[38,33]]]}}]"#,
            &gaz,
        )
        .unwrap();
        assert_eq!(zs.len(), 2);
        let (k, d) = to_stored(&zs[0]);
        assert_eq!((k, d["radius_km"].as_f64()), ("circle", Some(55.0)));
        let (k, d) = to_stored(&zs[1]);
        assert_eq!((k, d["type"].as_str()), ("polygon", Some("Polygon")));
        assert!(parse_specs(r#"{"name": "x", "radius_km": 5}"#, &gaz).is_err());
        // A circle around a named place takes the gazetteer's coordinates.
        let z = parse_specs(
            r#"{"name": "city", "around": "Aleppo", "radius_km": 20}"#,
            &gaz,
        )
        .unwrap();
        let (_, d) = to_stored(&z[0]);
        let (lat, lon) = (d["lat"].as_f64().unwrap(), d["lon"].as_f64().unwrap());
        assert!((lat - 36.2).abs() < 0.2 && (lon - 37.16).abs() < 0.2, "{d}");
    }
}
