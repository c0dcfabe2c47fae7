//! Exports per `SCHEMA.md`: documents, events and places as JSON Lines,
//! GeoJSON or CSV. Shared by `sitrep export` and the server's export
//! endpoints.
//!
//! Output is deterministic: rows are ordered by content (date, then id),
//! nothing depends on when or in which order the data was ingested, and no
//! timestamps are written, so ingesting the same inputs twice gives
//! byte-identical exports.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use serde::Serialize;
use sitrep_model::{Event, GeoPrecision, Place};

use crate::{Store, StoreError};

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Documents,
    Events,
    Places,
}

/// How to write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Geojson,
    Csv,
}

/// A document as exported (SCHEMA.md `document`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportDocument {
    pub id: String,
    pub path: String,
    pub url: Option<String>,
    pub outlet: Option<String>,
    pub reposted_by: Option<String>,
    pub title: Option<String>,
    pub byline: Vec<String>,
    pub dateline: Option<String>,
    pub published: Option<String>,
    pub published_basis: Option<String>,
    pub language: Option<String>,
    pub text: String,
    pub duplicate_of: Option<String>,
    pub primary_place: Option<Place>,
    pub places: Vec<Place>,
}

/// A place aggregated over all (non-duplicate) documents (SCHEMA.md
/// `PLACE`, plus the number of documents that name it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportPlace {
    #[serde(flatten)]
    pub place: Place,
    pub documents: u64,
}

/// Serializes `v` to `out`, keeping write failures (a closed pipe, a full
/// disk) as I/O errors rather than JSON errors.
fn write_json<T: Serialize + ?Sized>(out: &mut dyn Write, v: &T) -> Result<(), StoreError> {
    serde_json::to_writer(&mut *out, v).map_err(|e| match e.io_error_kind() {
        Some(kind) => StoreError::Io(std::io::Error::new(kind, e)),
        None => StoreError::Json(e),
    })
}

/// Coordinates to 5 decimals (about 1 m): the gazetteer keeps them as
/// 32-bit floats, whose widening shows as noise (36.20119857788086).
fn round_coord(x: f64) -> f64 {
    (x * 1e5).round() / 1e5
}

fn round_place(mut p: Place) -> Place {
    p.lat = p.lat.map(round_coord);
    p.lon = p.lon.map(round_coord);
    p
}

fn parse_places(json: &str) -> Result<Vec<Place>, StoreError> {
    let places: Vec<Place> = serde_json::from_str(json)?;
    Ok(places.into_iter().map(round_place).collect())
}

fn parse_event(json: &str) -> Result<Event, StoreError> {
    let mut e: Event = serde_json::from_str(json)?;
    e.location = e.location.map(round_place);
    Ok(e)
}

/// Writes `kind` in `format` to `out`; returns the number of records.
pub fn export(
    store: &Store,
    kind: Kind,
    format: Format,
    out: &mut dyn Write,
) -> Result<u64, StoreError> {
    let n = match (kind, format) {
        (Kind::Documents, Format::Jsonl) => {
            let mut n = 0;
            store.for_each_document(|d| {
                write_json(out, &d)?;
                out.write_all(b"\n")?;
                n += 1;
                Ok(())
            })?;
            n
        }
        (Kind::Documents, Format::Geojson) => {
            let mut fc = FeatureWriter::new(out)?;
            store.for_each_document(|d| {
                let point = d.primary_place.as_ref().and_then(|p| p.lat.zip(p.lon));
                fc.feature(Some(&d.id), point, &d)
            })?;
            fc.finish()?
        }
        (Kind::Documents, Format::Csv) => write_documents_csv(store, out)?,
        (Kind::Events, Format::Jsonl) => {
            let mut n = 0;
            store.for_each_event_json(|json| {
                write_json(out, &parse_event(json)?)?;
                out.write_all(b"\n")?;
                n += 1;
                Ok(())
            })?;
            n
        }
        (Kind::Events, Format::Geojson) => {
            let mut fc = FeatureWriter::new(out)?;
            store.for_each_event_json(|json| {
                let e = parse_event(json)?;
                let point = e.location.as_ref().and_then(|p| p.lat.zip(p.lon));
                fc.feature(Some(&e.id), point, &e)
            })?;
            fc.finish()?
        }
        (Kind::Events, Format::Csv) => write_events_csv(store, out)?,
        (Kind::Places, _) => {
            let places = aggregate_places(store)?;
            match format {
                Format::Jsonl => {
                    for p in &places {
                        write_json(out, p)?;
                        out.write_all(b"\n")?;
                    }
                }
                Format::Geojson => {
                    let mut fc = FeatureWriter::new(out)?;
                    for p in &places {
                        fc.feature(None, p.place.lat.zip(p.place.lon), p)?;
                    }
                    fc.finish()?;
                }
                Format::Csv => write_places_csv(&places, out)?,
            }
            places.len() as u64
        }
    };
    out.flush()?;
    Ok(n)
}

/// The `documents` columns [`document_from_row`] reads, in its order.
pub(crate) const DOCUMENT_COLUMNS: &str =
    "id, path, url, outlet, reposted_by, title, byline, dateline, \
     published, published_basis, language, text, duplicate_of, primary_place, places";

/// A SCHEMA `document` from a row starting with [`DOCUMENT_COLUMNS`].
pub(crate) fn document_from_row(r: &rusqlite::Row) -> Result<ExportDocument, StoreError> {
    let byline: String = r.get(6)?;
    let primary: Option<String> = r.get(13)?;
    let places: String = r.get(14)?;
    Ok(ExportDocument {
        id: r.get(0)?,
        path: r.get(1)?,
        url: r.get(2)?,
        outlet: r.get(3)?,
        reposted_by: r.get(4)?,
        title: r.get(5)?,
        byline: serde_json::from_str(&byline)?,
        dateline: r.get(7)?,
        published: r.get(8)?,
        published_basis: r.get(9)?,
        language: r.get(10)?,
        text: r.get(11)?,
        duplicate_of: r.get(12)?,
        primary_place: match primary {
            Some(p) => Some(round_place(serde_json::from_str(&p)?)),
            None => None,
        },
        places: parse_places(&places)?,
    })
}

impl Store {
    /// Calls `f` with every document in export order: by publication date
    /// (undated last), then id.
    pub fn for_each_document(
        &self,
        mut f: impl FnMut(ExportDocument) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        // Two index-ordered scans (dated, then undated) rather than one
        // ORDER BY that would sort every row, texts included, in memory.
        for sql in [
            format!("SELECT {DOCUMENT_COLUMNS} FROM documents WHERE published IS NOT NULL ORDER BY published, id"),
            format!("SELECT {DOCUMENT_COLUMNS} FROM documents WHERE published IS NULL ORDER BY id"),
        ] {
            let mut st = self.conn.prepare_cached(&sql)?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                f(document_from_row(r)?)?;
            }
        }
        Ok(())
    }
}

/// Places of all documents that are not copies of another, merged by
/// GeoNames id (or by name, country and coordinates when there is none):
/// mentions summed, surface forms united. Most mentioned first.
pub fn aggregate_places(store: &Store) -> Result<Vec<ExportPlace>, StoreError> {
    struct Acc {
        place: Place,
        surface: BTreeSet<String>,
        documents: u64,
    }
    let mut by_key: BTreeMap<String, Acc> = BTreeMap::new();
    let mut st = store
        .conn
        .prepare_cached("SELECT places FROM documents WHERE duplicate_of IS NULL ORDER BY id")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let json: String = r.get(0)?;
        let places = parse_places(&json)?;
        for p in places {
            let key = match p.geonames_id {
                Some(g) => format!("g{g}"),
                None => format!(
                    "n{}\u{1f}{}\u{1f}{:?}\u{1f}{:?}",
                    p.name,
                    p.country.as_deref().unwrap_or(""),
                    p.lat,
                    p.lon
                ),
            };
            let acc = by_key.entry(key).or_insert_with(|| Acc {
                place: Place {
                    surface: Vec::new(),
                    mentions: 0,
                    ..p.clone()
                },
                surface: BTreeSet::new(),
                documents: 0,
            });
            acc.place.mentions = acc.place.mentions.saturating_add(p.mentions);
            acc.surface.extend(p.surface);
            acc.documents += 1;
        }
    }
    let mut out: Vec<ExportPlace> = by_key
        .into_values()
        .map(|a| ExportPlace {
            place: Place {
                surface: a.surface.into_iter().collect(),
                ..a.place
            },
            documents: a.documents,
        })
        .collect();
    // by_key iteration is already stable; the sort is stable too.
    out.sort_by(|a, b| {
        b.place
            .mentions
            .cmp(&a.place.mentions)
            .then_with(|| a.place.name.cmp(&b.place.name))
    });
    Ok(out)
}

/// Streams a GeoJSON FeatureCollection, one feature per line.
struct FeatureWriter<'a> {
    out: &'a mut dyn Write,
    n: u64,
}

#[derive(Serialize)]
struct Feature<'a, T: Serialize> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    geometry: Option<Point>,
    properties: &'a T,
}

#[derive(Serialize)]
struct Point {
    #[serde(rename = "type")]
    kind: &'static str,
    coordinates: [f64; 2],
}

impl<'a> FeatureWriter<'a> {
    fn new(out: &'a mut dyn Write) -> Result<Self, StoreError> {
        out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[")?;
        Ok(FeatureWriter { out, n: 0 })
    }

    /// `point` is (lat, lon); GeoJSON wants [lon, lat].
    fn feature<T: Serialize>(
        &mut self,
        id: Option<&str>,
        point: Option<(f64, f64)>,
        props: &T,
    ) -> Result<(), StoreError> {
        self.out
            .write_all(if self.n == 0 { b"\n" } else { b",\n" })?;
        let geometry = point
            .filter(|(lat, lon)| lat.is_finite() && lon.is_finite())
            .map(|(lat, lon)| Point {
                kind: "Point",
                coordinates: [lon, lat],
            });
        write_json(
            self.out,
            &Feature {
                kind: "Feature",
                id,
                geometry,
                properties: props,
            },
        )?;
        self.n += 1;
        Ok(())
    }

    fn finish(self) -> Result<u64, StoreError> {
        self.out.write_all(b"\n]}\n")?;
        Ok(self.n)
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn write_documents_csv(store: &Store, out: &mut dyn Write) -> Result<u64, StoreError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "id",
        "path",
        "url",
        "outlet",
        "reposted_by",
        "title",
        "byline",
        "dateline",
        "published",
        "published_basis",
        "language",
        "duplicate_of",
        "primary_place",
        "primary_lat",
        "primary_lon",
        "places",
        "text",
    ])?;
    let mut n = 0;
    store.for_each_document(|d| {
        let pp = d.primary_place.as_ref();
        let places: Vec<&str> = d.places.iter().map(|p| p.name.as_str()).collect();
        w.write_record([
            d.id.as_str(),
            &d.path,
            d.url.as_deref().unwrap_or(""),
            d.outlet.as_deref().unwrap_or(""),
            d.reposted_by.as_deref().unwrap_or(""),
            d.title.as_deref().unwrap_or(""),
            &d.byline.join("; "),
            d.dateline.as_deref().unwrap_or(""),
            d.published.as_deref().unwrap_or(""),
            d.published_basis.as_deref().unwrap_or(""),
            d.language.as_deref().unwrap_or(""),
            d.duplicate_of.as_deref().unwrap_or(""),
            pp.map_or("", |p| p.name.as_str()),
            &opt(pp.and_then(|p| p.lat)),
            &opt(pp.and_then(|p| p.lon)),
            &places.join("; "),
            &d.text,
        ])?;
        n += 1;
        Ok(())
    })?;
    w.flush()?;
    Ok(n)
}

/// ACLED's geo_precision: 1 exact place, 2 near it, 3 a larger area.
fn acled_geo_precision(p: GeoPrecision) -> u8 {
    match p {
        GeoPrecision::Exact => 1,
        GeoPrecision::Near => 2,
        GeoPrecision::Admin1 | GeoPrecision::Country => 3,
    }
}

/// The ACLED-style columns of SCHEMA.md, then Sitrep's own.
pub const EVENT_CSV_COLUMNS: [&str; 19] = [
    "event_id_cnty",
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "country",
    "admin1",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
    "fatalities",
    "plover_category",
    "n_sources",
    "disputes",
];

/// One event as an ACLED-style CSV row (see [`EVENT_CSV_COLUMNS`]):
/// actor1 is the first actor, actor2 the first target; `source` lists the
/// outlets separated by "; "; `notes` is the summary; `disputes` names the
/// disputed fields; `country` is the ISO 3166-1 alpha-2 code.
pub fn event_csv_row(e: &Event) -> [String; 19] {
    use sitrep_model::ActorRole;
    let first = |role: ActorRole| {
        e.actors
            .iter()
            .find(|a| a.role == role)
            .map(|a| a.name.clone())
            .unwrap_or_default()
    };
    let loc = e.location.as_ref();
    let disputes: Vec<&str> = e.disputes.iter().map(|d| d.field.as_str()).collect();
    [
        e.id.clone(),
        opt(e.date.map(|d| d.start)),
        opt(e.date.map(|d| d.precision.acled_code())),
        e.acled
            .as_ref()
            .map(|a| a.event_type.clone())
            .unwrap_or_default(),
        e.acled
            .as_ref()
            .map(|a| a.sub_event_type.clone())
            .unwrap_or_default(),
        first(ActorRole::Actor),
        first(ActorRole::Target),
        opt(loc.and_then(|p| p.country.clone())),
        opt(loc.and_then(|p| p.admin1.clone())),
        loc.map(|p| p.name.clone()).unwrap_or_default(),
        opt(loc.and_then(|p| p.lat)),
        opt(loc.and_then(|p| p.lon)),
        opt(loc.map(|p| acled_geo_precision(p.precision))),
        e.sources.join("; "),
        e.summary.clone(),
        opt(e.fatalities),
        e.category.as_str().to_string(),
        e.sources.len().to_string(),
        disputes.join("; "),
    ]
}

fn write_events_csv(store: &Store, out: &mut dyn Write) -> Result<u64, StoreError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(EVENT_CSV_COLUMNS)?;
    let mut n = 0;
    store.for_each_event_json(|json| {
        let e = parse_event(json)?;
        w.write_record(event_csv_row(&e))?;
        n += 1;
        Ok(())
    })?;
    w.flush()?;
    Ok(n)
}

fn write_places_csv(places: &[ExportPlace], out: &mut dyn Write) -> Result<(), StoreError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "name",
        "surface",
        "lat",
        "lon",
        "country",
        "admin1",
        "feature",
        "geonames_id",
        "mentions",
        "precision",
        "documents",
    ])?;
    for p in places {
        let pl = &p.place;
        let precision = serde_json::to_value(pl.precision)?;
        w.write_record([
            pl.name.as_str(),
            &pl.surface.join("; "),
            &opt(pl.lat),
            &opt(pl.lon),
            pl.country.as_deref().unwrap_or(""),
            pl.admin1.as_deref().unwrap_or(""),
            pl.feature.as_str(),
            &opt(pl.geonames_id),
            &pl.mentions.to_string(),
            precision.as_str().unwrap_or(""),
            &p.documents.to_string(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::write::tests::{doc, event};
    use crate::NewDocument;
    use sitrep_model::{Feature, GeoAnalysis};

    fn place(name: &str, gid: u64, surface: &str, mentions: u32) -> Place {
        Place {
            name: name.into(),
            surface: vec![surface.into()],
            lat: Some(33.5),
            lon: Some(38.6),
            country: Some("SY".into()),
            admin1: Some("Homs".into()),
            feature: Feature::Base,
            geonames_id: Some(gid),
            mentions,
            precision: GeoPrecision::Exact,
        }
    }

    fn sample() -> Store {
        let mut s = Store::open_in_memory().unwrap();
        let mut a = NewDocument::bare(doc(
            "bbb",
            "Valley Courier",
            "Shelling hit the garrison at Wadi Rum.",
        ));
        a.geo = GeoAnalysis {
            places: vec![place("Garrison", 7, "the garrison", 2)],
            primary_place: Some(place("Garrison", 7, "the garrison", 2)),
            ..Default::default()
        };
        let mut b = NewDocument::bare(doc(
            "aaa",
            "Plains Herald",
            "Residents said the garrison \"was hit\".",
        ));
        b.geo.places = vec![place("Garrison", 7, "garrison", 1)];
        s.insert_batch(&[a, b]).unwrap();
        s.replace_events(&[event("e1", 4, 33.5, 38.6)]).unwrap();
        s
    }

    fn run(s: &Store, k: Kind, f: Format) -> String {
        let mut buf = Vec::new();
        export(s, k, f, &mut buf).unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn documents_jsonl_has_schema_fields_in_order() {
        let s = sample();
        let out = run(&s, Kind::Documents, Format::Jsonl);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2);
        // Same date: ordered by id.
        assert!(lines[0].starts_with("{\"id\":\"aaa\""), "{}", lines[0]);
        let v: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
        for k in [
            "id",
            "path",
            "outlet",
            "reposted_by",
            "title",
            "byline",
            "dateline",
            "published",
            "published_basis",
            "language",
            "text",
            "duplicate_of",
            "primary_place",
            "places",
        ] {
            assert!(v.get(k).is_some(), "missing {k}");
        }
        assert_eq!(v["published"], "2021-03-04");
        assert_eq!(v["published_basis"], "text");
        assert_eq!(v["primary_place"]["feature"], "base");
        assert_eq!(v["primary_place"]["precision"], "exact");
        assert_eq!(
            run(&s, Kind::Documents, Format::Jsonl),
            out,
            "deterministic"
        );
    }

    #[test]
    fn events_csv_and_geojson() {
        let s = sample();
        let csv = run(&s, Kind::Events, Format::Csv);
        let mut lines = csv.lines();
        assert_eq!(lines.next().unwrap(), EVENT_CSV_COLUMNS.join(","));
        let row = lines.next().unwrap();
        assert!(row.starts_with("e1,2021-03-04,1,Explosions/Remote violence,Shelling/artillery/missile attack,Government forces,,SY,Idlib,Kfar Nabl,33.5,38.6,"), "{row}");
        let gj: serde_json::Value =
            serde_json::from_str(&run(&s, Kind::Events, Format::Geojson)).unwrap();
        assert_eq!(gj["type"], "FeatureCollection");
        assert_eq!(
            gj["features"][0]["geometry"]["coordinates"],
            serde_json::json!([38.6, 33.5])
        );
        assert_eq!(gj["features"][0]["properties"]["category"], "ASSAULT");
        let jl = run(&s, Kind::Events, Format::Jsonl);
        let e: Event = serde_json::from_str(jl.trim()).unwrap();
        assert_eq!(e.id, "e1");
    }

    #[test]
    fn coordinates_lose_float_noise() {
        assert_eq!(round_coord(f64::from(36.2012_f32)), 36.2012);
        let mut s = Store::open_in_memory().unwrap();
        let mut e = event("e1", 4, f64::from(33.49_f32), f64::from(38.65_f32));
        e.summary = "noisy".into();
        s.replace_events(&[e]).unwrap();
        let out = run(&s, Kind::Events, Format::Jsonl);
        assert!(out.contains("\"lat\":33.49,\"lon\":38.65"), "{out}");
    }

    #[test]
    fn places_are_aggregated() {
        let s = sample();
        let out = run(&s, Kind::Places, Format::Jsonl);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 1);
        let v: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(v["mentions"], 3);
        assert_eq!(v["documents"], 2);
        assert_eq!(
            v["surface"],
            serde_json::json!(["garrison", "the garrison"])
        );
        let csv = run(&s, Kind::Places, Format::Csv);
        assert!(csv
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("Garrison,garrison; the garrison,33.5,38.6,SY,Homs,base,7,3,exact,2"));
        let docs_csv = run(&s, Kind::Documents, Format::Csv);
        // Quoted text with embedded quotes round-trips through a CSV reader.
        let mut r = csv::Reader::from_reader(docs_csv.as_bytes());
        let texts: Vec<String> = r.records().map(|x| x.unwrap()[16].to_string()).collect();
        assert_eq!(texts[0], "Residents said the garrison \"was hit\".");
    }
}
