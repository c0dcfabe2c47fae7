//! `sitrep geoparse`: toponyms in raw text files, one JSON object per
//! mention, with offsets in code points of the file's text as given.

use serde::Serialize;
use sitrep_geo::{GeoContext, Geoparser};
use sitrep_model::CharIndex;

/// One mention as SCHEMA.md prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GeoparseRecord<'a> {
    pub file: &'a str,
    pub start: usize,
    pub end: usize,
    pub surface: &'a str,
    pub name: &'a str,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub country: Option<&'a str>,
    pub admin1: Option<&'a str>,
    pub feature: &'static str,
    pub geonames_id: Option<u64>,
}

/// Reads a file's text as given: UTF-8 (a BOM is kept, it is a character
/// of the file), with invalid bytes replaced by U+FFFD (one character per
/// invalid sequence, so later offsets stay close to the file's).
pub fn read_raw(path: &std::path::Path) -> std::io::Result<String> {
    let bytes = std::fs::read(path)?;
    Ok(match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// Coordinates to 5 decimals (about 1 m), as in the exports: the
/// gazetteer's 32-bit floats otherwise print with noise digits.
fn round_coord(x: f64) -> f64 {
    (x * 1e5).round() / 1e5
}

/// Geoparses `text` and returns one JSON line per mention (without the
/// trailing newline), in text order.
pub fn geoparse_text(geo: &Geoparser, file: &str, text: &str) -> Vec<String> {
    let mut mentions = geo.parse(text, &GeoContext::default());
    mentions.sort_by_key(|m| (m.span.start, m.span.end));
    let idx = CharIndex::new(text);
    mentions
        .iter()
        .filter_map(|m| {
            let loc = &m.location;
            let rec = GeoparseRecord {
                file,
                start: idx.char_offset(m.span.start),
                end: idx.char_offset(m.span.end),
                surface: &m.surface,
                name: &loc.name,
                lat: loc.lat.map(round_coord),
                lon: loc.lon.map(round_coord),
                country: loc.country.as_deref(),
                admin1: loc.admin1.as_deref(),
                feature: loc.feature.as_str(),
                geonames_id: loc.geonames_id,
            };
            serde_json::to_string(&rec).ok()
        })
        .collect()
}
