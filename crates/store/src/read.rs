//! Read-side queries for the server (event filters, paging, clusters,
//! timeline, document views), against the schema in `migrations/`.
//!
//! Every query takes an [`EventFilter`]; its SQL is built once per call
//! from fixed fragments with bound parameters (never interpolated values).
//! Zone filters are pre-filtered by the zone's bounding box in the R*Tree
//! and then checked exactly in Rust.
//!
//! The server answers event lists, map clusters and the timeline from an
//! [`EventIndex`] (the same answers, from memory) and the rest from SQL.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use rusqlite::types::Value;
use rusqlite::{params_from_iter, OptionalExtension};
use serde::{Deserialize, Serialize};
use sitrep_model::{Analysis, CharIndex, Event, GeoAnalysis};

use crate::{Store, StoreError};

/// Filters shared by the event endpoints. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct EventFilter {
    /// Free text over summaries and mention sentences (FTS5, words ANDed).
    pub q: Option<String>,
    /// Events whose date range overlaps `[from, to]` (YYYY-MM-DD).
    pub from: Option<String>,
    pub to: Option<String>,
    /// `[west, south, east, north]` in degrees.
    pub bbox: Option<[f64; 4]>,
    /// Name of a stored zone; only located events inside it.
    pub zone: Option<String>,
    /// Canonical actor name (any role).
    pub actor: Option<String>,
    /// PLOVER category, e.g. `ASSAULT`.
    pub category: Option<String>,
    /// ACLED event type or sub-event type.
    pub acled: Option<String>,
    pub outlet: Option<String>,
    pub disputed: bool,
}

/// Sort orders for event lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventSort {
    /// Oldest first, undated last.
    Date,
    /// Newest first.
    #[default]
    DateDesc,
    Confidence,
    Sources,
}

/// A stored zone or route, as the page draws it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZoneShape {
    pub name: String,
    /// `circle`, `polygon` or `route`.
    pub kind: String,
    #[serde(flatten)]
    pub definition: serde_json::Value,
}

/// One row of an event list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventSummary {
    pub id: String,
    pub category: String,
    pub acled: Option<AcledLabel>,
    pub summary: String,
    pub date: Option<DateLabel>,
    pub location: Option<LocationLabel>,
    pub n_sources: u32,
    pub disputed: bool,
    pub confidence: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AcledLabel {
    pub event_type: String,
    pub sub_event_type: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DateLabel {
    pub start: String,
    pub end: String,
    pub precision: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LocationLabel {
    pub name: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub country: Option<String>,
    pub admin1: Option<String>,
}

/// A page of results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    pub total: u64,
    pub offset: u64,
    pub limit: u64,
    pub items: Vec<T>,
}

/// Events aggregated into one map cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cluster {
    pub lat: f64,
    pub lon: f64,
    pub count: u64,
    /// The most frequent PLOVER category in the cell.
    pub category: String,
    /// The event id when the cell holds exactly one event.
    pub event: Option<String>,
    pub summary: Option<String>,
}

/// Events per time bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bucket {
    pub start: String,
    pub end: String,
    pub count: u64,
}

/// An event's mention enriched with its document's title and re-post link.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MentionView {
    #[serde(flatten)]
    pub provenance: sitrep_model::Provenance,
    pub title: Option<String>,
    pub url: Option<String>,
    pub duplicate_of: Option<String>,
}

/// The full event card.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventView {
    #[serde(flatten)]
    pub event: Event,
    /// Same order as `event.mentions`, with document details.
    pub mention_documents: Vec<MentionView>,
}

/// A document in a list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentSummary {
    pub id: String,
    pub path: String,
    pub outlet: Option<String>,
    pub title: Option<String>,
    pub published: Option<String>,
    pub duplicate_of: Option<String>,
}

/// A span in character (code point) offsets with a label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelledSpan {
    pub start: usize,
    pub end: usize,
    pub label: String,
}

/// Highlightable spans of a document, per layer.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DocumentSpans {
    pub entities: Vec<LabelledSpan>,
    pub places: Vec<LabelledSpan>,
    pub times: Vec<LabelledSpan>,
    pub claims: Vec<LabelledSpan>,
    pub quantities: Vec<LabelledSpan>,
}

/// A document with its text and analysis spans, for the document view:
/// the exported document (SCHEMA.md) plus highlightable spans.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentView {
    #[serde(flatten)]
    pub document: crate::export::ExportDocument,
    pub spans: DocumentSpans,
    /// Ids of the events that cite this document.
    pub events: Vec<String>,
}

/// A zone, parsed for containment checks.
enum ZoneGeom {
    Circle {
        lat: f64,
        lon: f64,
        radius_km: f64,
    },
    /// Outer rings of polygons as (lon, lat).
    Polygons(Vec<Vec<(f64, f64)>>),
}

impl ZoneGeom {
    fn parse(kind: &str, def: &serde_json::Value) -> Option<ZoneGeom> {
        match kind {
            "circle" => Some(ZoneGeom::Circle {
                lat: def.get("lat")?.as_f64()?,
                lon: def.get("lon")?.as_f64()?,
                radius_km: def.get("radius_km")?.as_f64()?,
            }),
            "polygon" => {
                let geom = def.get("geometry").unwrap_or(def);
                let coords = geom.get("coordinates")?;
                let polys: Vec<&serde_json::Value> = match geom.get("type")?.as_str()? {
                    "Polygon" => vec![coords],
                    "MultiPolygon" => coords.as_array()?.iter().collect(),
                    _ => return None,
                };
                let rings = polys
                    .iter()
                    .filter_map(|p| p.as_array()?.first())
                    .filter_map(|ring| {
                        ring.as_array()?
                            .iter()
                            .map(|pt| Some((pt.get(0)?.as_f64()?, pt.get(1)?.as_f64()?)))
                            .collect::<Option<Vec<_>>>()
                    })
                    .collect();
                Some(ZoneGeom::Polygons(rings))
            }
            _ => None,
        }
    }

    fn bbox(&self) -> [f64; 4] {
        match self {
            ZoneGeom::Circle {
                lat,
                lon,
                radius_km,
            } => {
                let dlat = radius_km / 111.2;
                let dlon = radius_km / (111.2 * lat.to_radians().cos().max(0.01));
                [lon - dlon, lat - dlat, lon + dlon, lat + dlat]
            }
            ZoneGeom::Polygons(rings) => {
                let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
                for &(x, y) in rings.iter().flatten() {
                    b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
                }
                b
            }
        }
    }

    fn contains(&self, lat: f64, lon: f64) -> bool {
        match self {
            ZoneGeom::Circle {
                lat: clat,
                lon: clon,
                radius_km,
            } => haversine_km(lat, lon, *clat, *clon) <= *radius_km,
            ZoneGeom::Polygons(rings) => rings.iter().any(|r| point_in_ring(lon, lat, r)),
        }
    }
}

/// Great-circle distance in km (mean Earth radius).
fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0088 * a.sqrt().asin()
}

/// Even-odd rule; adequate for zone-sized polygons away from the poles.
fn point_in_ring(x: f64, y: f64, ring: &[(f64, f64)]) -> bool {
    let mut inside = false;
    let n = ring.len();
    let mut j = n.wrapping_sub(1);
    for i in 0..n {
        let (xi, yi) = ring[i];
        let (xj, yj) = ring[j];
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

/// Turns free text into an FTS5 query that cannot be a syntax error.
fn fts_query(q: &str) -> Option<String> {
    let terms: Vec<String> = q
        .split(|c: char| !c.is_alphanumeric() && c != '-' && c != '\'')
        .filter(|t| !t.is_empty())
        .map(|t| format!("\"{}\"", t.replace('"', "")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// WHERE clause and parameters for a filter, plus the zone to check in Rust.
struct Compiled {
    from: String,
    wheres: Vec<String>,
    params: Vec<Value>,
    zone: Option<ZoneGeom>,
}

impl Compiled {
    fn sql(&self, select: &str, tail: &str) -> String {
        let mut s = format!("SELECT {select} FROM {}", self.from);
        if !self.wheres.is_empty() {
            s.push_str(" WHERE ");
            s.push_str(&self.wheres.join(" AND "));
        }
        s.push(' ');
        s.push_str(tail);
        s
    }
}

impl Store {
    /// The stored zone `name`, parsed; an unknown or non-area zone is the
    /// caller's error.
    fn zone_geom(&self, name: &str) -> Result<ZoneGeom, StoreError> {
        let row: Option<(String, String)> = self
            .conn
            .prepare_cached("SELECT kind, definition FROM zones WHERE name = ?1")?
            .query_row([name], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let (kind, def) =
            row.ok_or_else(|| StoreError::Query(format!("no zone named {name:?}")))?;
        let def: serde_json::Value = serde_json::from_str(&def)
            .map_err(|e| StoreError::Query(format!("zone {name}: {e}")))?;
        ZoneGeom::parse(&kind, &def)
            .ok_or_else(|| StoreError::Query(format!("zone {name:?} ({kind}) is not an area")))
    }

    /// SQLite's data version for this connection: it changes whenever
    /// another connection commits, so a reader knows when to reload an
    /// [`EventIndex`].
    pub fn data_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    fn compile(&self, f: &EventFilter) -> Result<Compiled, StoreError> {
        let mut c = Compiled {
            from: "events e".into(),
            wheres: Vec::new(),
            params: Vec::new(),
            zone: None,
        };
        let mut bbox = f.bbox;
        if let Some(name) = f.zone.as_deref().filter(|z| !z.is_empty()) {
            let geom = self.zone_geom(name)?;
            let zb = geom.bbox();
            bbox = Some(match bbox {
                Some(b) => [
                    b[0].max(zb[0]),
                    b[1].max(zb[1]),
                    b[2].min(zb[2]),
                    b[3].min(zb[3]),
                ],
                None => zb,
            });
            c.zone = Some(geom);
        }
        if let Some([w, s, e, n]) = bbox {
            c.from.push_str(" JOIN events_rtree r ON r.id = e.rowid");
            c.wheres.push(
                "r.min_lon <= ? AND r.max_lon >= ? AND r.min_lat <= ? AND r.max_lat >= ?".into(),
            );
            c.params.extend([
                Value::Real(e),
                Value::Real(w),
                Value::Real(n),
                Value::Real(s),
            ]);
        }
        if let Some(q) = f.q.as_deref().and_then(fts_query) {
            c.wheres
                .push("e.rowid IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?)".into());
            c.params.push(Value::Text(q));
        }
        if let Some(from) = f.from.as_deref().filter(|s| !s.is_empty()) {
            c.wheres.push("e.date_end >= ?".into());
            c.params.push(Value::Text(from.into()));
        }
        if let Some(to) = f.to.as_deref().filter(|s| !s.is_empty()) {
            c.wheres.push("e.date_start <= ?".into());
            c.params.push(Value::Text(to.into()));
        }
        if let Some(cat) = f.category.as_deref().filter(|s| !s.is_empty()) {
            c.wheres.push("e.category = ?".into());
            c.params.push(Value::Text(cat.to_ascii_uppercase()));
        }
        if let Some(a) = f.acled.as_deref().filter(|s| !s.is_empty()) {
            c.wheres
                .push("(e.acled_sub_event_type = ? OR e.acled_event_type = ?)".into());
            c.params.push(Value::Text(a.into()));
            c.params.push(Value::Text(a.into()));
        }
        if let Some(a) = f.actor.as_deref().filter(|s| !s.is_empty()) {
            c.wheres
                .push("e.rowid IN (SELECT event_rowid FROM event_actors WHERE name = ?)".into());
            c.params.push(Value::Text(a.into()));
        }
        if let Some(o) = f.outlet.as_deref().filter(|s| !s.is_empty()) {
            c.wheres
                .push("e.rowid IN (SELECT event_rowid FROM event_sources WHERE outlet = ?)".into());
            c.params.push(Value::Text(o.into()));
        }
        if f.disputed {
            c.wheres.push("e.disputed = 1".into());
        }
        Ok(c)
    }

    /// Ids (and positions) of events passing the zone check, for queries
    /// that need exact containment; `None` when the filter has no zone.
    fn zone_ids(&self, c: &Compiled) -> Result<Option<Vec<String>>, StoreError> {
        let Some(zone) = &c.zone else { return Ok(None) };
        let sql = c.sql("e.id, e.lat, e.lon", "");
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(c.params.iter()), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<f64>>(1)?,
                r.get::<_, Option<f64>>(2)?,
            ))
        })?;
        let mut ids = Vec::new();
        for row in rows {
            let (id, lat, lon) = row?;
            if let (Some(lat), Some(lon)) = (lat, lon) {
                if zone.contains(lat, lon) {
                    ids.push(id);
                }
            }
        }
        Ok(Some(ids))
    }

    /// Narrows a compiled filter to the exact zone members.
    fn with_zone(&self, mut c: Compiled) -> Result<Compiled, StoreError> {
        if let Some(ids) = self.zone_ids(&c)? {
            let json = serde_json::to_string(&ids).map_err(|e| StoreError::Query(e.to_string()))?;
            c.wheres
                .push("e.id IN (SELECT value FROM json_each(?))".into());
            c.params.push(Value::Text(json));
            c.zone = None;
        }
        Ok(c)
    }

    /// A page of events matching `filter`.
    pub fn list_events(
        &self,
        filter: &EventFilter,
        sort: EventSort,
        limit: u64,
        offset: u64,
    ) -> Result<Page<EventSummary>, StoreError> {
        let c = self.with_zone(self.compile(filter)?)?;
        let total: u64 = self
            .conn
            .prepare_cached(&c.sql("COUNT(*)", ""))?
            .query_row(params_from_iter(c.params.iter()), |r| r.get::<_, i64>(0))?
            as u64;
        let order = match sort {
            EventSort::Date => "ORDER BY e.date_start IS NULL, e.date_start, e.id",
            EventSort::DateDesc => "ORDER BY e.date_start IS NULL, e.date_start DESC, e.id",
            EventSort::Confidence => "ORDER BY e.confidence DESC, e.id",
            EventSort::Sources => "ORDER BY e.n_sources DESC, e.date_start DESC, e.id",
        };
        let sql = c.sql(
            LIST_COLUMNS,
            &format!("{order} LIMIT {} OFFSET {}", limit.min(1000), offset),
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let items = st
            .query_map(params_from_iter(c.params.iter()), summary_from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page {
            total,
            offset,
            limit,
            items,
        })
    }

    /// Full events matching `filter` in date order (for exports).
    pub fn filtered_events(&self, filter: &EventFilter) -> Result<Vec<Event>, StoreError> {
        let c = self.with_zone(self.compile(filter)?)?;
        let sql = c.sql(
            "e.json",
            "ORDER BY e.date_start IS NULL, e.date_start, e.id",
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let mut rows = st.query(params_from_iter(c.params.iter()))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(crate::codec::decode(r.get_ref(0)?)?);
        }
        Ok(out)
    }

    /// Located events grouped into grid cells sized for map zoom `zoom`
    /// (0 = whole world): about 40 screen pixels per cell.
    pub fn event_clusters(
        &self,
        filter: &EventFilter,
        zoom: u32,
    ) -> Result<Vec<Cluster>, StoreError> {
        let c = self.with_zone(self.compile(filter)?)?;
        let cell = 360.0 / (2f64.powi(zoom.min(20) as i32) * 25.6);
        let mut c = c;
        c.wheres
            .push("e.lat IS NOT NULL AND e.lon IS NOT NULL".into());
        let sql = c.sql(
            // Offsets make the values non-negative so CAST truncation is floor
            // (the bundled SQLite has no math functions).
            "CAST((e.lon + 180.0) / ? AS INTEGER) AS cx, CAST((e.lat + 90.0) / ? AS INTEGER) AS cy, COUNT(*), \
             AVG(e.lat), AVG(e.lon), MIN(e.id), MIN(e.summary), e.category",
            "GROUP BY cx, cy, e.category",
        );
        let mut params = vec![Value::Real(cell), Value::Real(cell)];
        params.extend(c.params.iter().cloned());
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(params.iter()), |r| {
            Ok((
                (r.get::<_, i64>(0)?, r.get::<_, i64>(1)?),
                r.get::<_, i64>(2)? as u64,
                r.get::<_, f64>(3)?,
                r.get::<_, f64>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
            ))
        })?;
        // Merge the per-category groups of each cell; the cell's colour is
        // its most frequent category.
        struct Acc {
            count: u64,
            lat: f64,
            lon: f64,
            best: (u64, String),
            event: (String, String),
        }
        let mut cells: BTreeMap<(i64, i64), Acc> = BTreeMap::new();
        for row in rows {
            let (key, n, lat, lon, id, summary, cat) = row?;
            let acc = cells.entry(key).or_insert(Acc {
                count: 0,
                lat: 0.0,
                lon: 0.0,
                best: (0, String::new()),
                event: (id.clone(), summary.clone()),
            });
            acc.lat += lat * n as f64;
            acc.lon += lon * n as f64;
            acc.count += n;
            if n > acc.best.0 || (n == acc.best.0 && cat < acc.best.1) {
                acc.best = (n, cat);
            }
            if id < acc.event.0 {
                acc.event = (id, summary);
            }
        }
        Ok(cells
            .into_values()
            .map(|a| Cluster {
                lat: a.lat / a.count as f64,
                lon: a.lon / a.count as f64,
                count: a.count,
                category: a.best.1,
                event: (a.count == 1).then(|| a.event.0.clone()),
                summary: (a.count == 1).then_some(a.event.1),
            })
            .collect())
    }

    /// Bounding box `[w, s, e, n]` of the located events matching `filter`.
    pub fn event_extent(&self, filter: &EventFilter) -> Result<Option<[f64; 4]>, StoreError> {
        let c = self.with_zone(self.compile(filter)?)?;
        let sql = c.sql("MIN(e.lon), MIN(e.lat), MAX(e.lon), MAX(e.lat)", "");
        let row =
            self.conn
                .prepare_cached(&sql)?
                .query_row(params_from_iter(c.params.iter()), |r| {
                    Ok((
                        r.get::<_, Option<f64>>(0)?,
                        r.get::<_, Option<f64>>(1)?,
                        r.get::<_, Option<f64>>(2)?,
                        r.get::<_, Option<f64>>(3)?,
                    ))
                })?;
        Ok(match row {
            (Some(w), Some(s), Some(e), Some(n)) => Some([w, s, e, n]),
            _ => None,
        })
    }

    /// Dated events counted per `bucket` ("day", "week" — ISO weeks from
    /// Monday — or "month"), with empty buckets filled in between.
    pub fn event_timeline(
        &self,
        filter: &EventFilter,
        bucket: &str,
    ) -> Result<Vec<Bucket>, StoreError> {
        let c = self.with_zone(self.compile(filter)?)?;
        let mut c = c;
        c.wheres.push("e.date_start IS NOT NULL".into());
        let sql = c.sql(
            "e.date_start, COUNT(*)",
            "GROUP BY e.date_start ORDER BY e.date_start",
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(c.params.iter()), |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        })?;
        let mut counts: BTreeMap<chrono::NaiveDate, u64> = BTreeMap::new();
        for row in rows {
            let (d, n) = row?;
            if let Ok(d) = chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d") {
                *counts.entry(bucket_start(d, bucket)).or_default() += n;
            }
        }
        Ok(fill_buckets(&counts, bucket))
    }

    /// One event with its mentions' document details.
    pub fn event_view(&self, id: &str) -> Result<Option<EventView>, StoreError> {
        let stored: Option<rusqlite::types::Value> = self
            .conn
            .prepare_cached("SELECT json FROM events WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?;
        let Some(stored) = stored else {
            return Ok(None);
        };
        let event: Event = crate::codec::decode((&stored).into())?;
        let mut st = self
            .conn
            .prepare_cached("SELECT title, url, duplicate_of FROM documents WHERE id = ?1")?;
        let mut mention_documents = Vec::with_capacity(event.mentions.len());
        for m in &event.mentions {
            let (title, url, duplicate_of) = st
                .query_row([&m.document], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?
                .unwrap_or((None, None, None));
            mention_documents.push(MentionView {
                provenance: m.clone(),
                title,
                url,
                duplicate_of,
            });
        }
        Ok(Some(EventView {
            event,
            mention_documents,
        }))
    }

    /// A page of documents, newest first, optionally matching a text query
    /// or an outlet.
    pub fn list_documents(
        &self,
        q: Option<&str>,
        outlet: Option<&str>,
        limit: u64,
        offset: u64,
    ) -> Result<Page<DocumentSummary>, StoreError> {
        let mut wheres = Vec::new();
        let mut params: Vec<Value> = Vec::new();
        if let Some(q) = q.and_then(fts_query) {
            wheres.push("d.rowid IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)");
            params.push(Value::Text(q));
        }
        if let Some(o) = outlet.filter(|o| !o.is_empty()) {
            wheres.push("d.outlet = ?");
            params.push(Value::Text(o.into()));
        }
        let w = if wheres.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", wheres.join(" AND "))
        };
        let total = self
            .conn
            .prepare_cached(&format!("SELECT COUNT(*) FROM documents d{w}"))?
            .query_row(params_from_iter(params.iter()), |r| r.get::<_, i64>(0))?
            as u64;
        let sql = format!(
            "SELECT d.id, d.path, d.outlet, d.title, d.published, d.duplicate_of FROM documents d{w} \
             ORDER BY d.published IS NULL, d.published DESC, d.id LIMIT {} OFFSET {offset}",
            limit.min(1000)
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let items = st
            .query_map(params_from_iter(params.iter()), |r| {
                Ok(DocumentSummary {
                    id: r.get(0)?,
                    path: r.get(1)?,
                    outlet: r.get(2)?,
                    title: r.get(3)?,
                    published: r.get(4)?,
                    duplicate_of: r.get(5)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page {
            total,
            offset,
            limit,
            items,
        })
    }

    /// One document with every analysis span in character offsets.
    pub fn document_view(&self, id: &str) -> Result<Option<DocumentView>, StoreError> {
        let cols = crate::export::DOCUMENT_COLUMNS
            .split(", ")
            .map(|c| format!("d.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {cols}, a.analysis, a.geo FROM documents d \
             LEFT JOIN document_analyses a ON a.document_id = d.id WHERE d.id = ?1"
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let mut rows = st.query([id])?;
        let Some(r) = rows.next()? else {
            return Ok(None);
        };
        let document = crate::export::document_from_row(r)?;
        // A damaged analysis costs the document view its spans, not the
        // document.
        let analysis: Option<Analysis> = match r.get_ref(15)? {
            rusqlite::types::ValueRef::Null => None,
            v => crate::codec::decode(v).ok(),
        };
        let geo: Option<GeoAnalysis> = match r.get_ref(16)? {
            rusqlite::types::ValueRef::Null => None,
            v => crate::codec::decode(v).ok(),
        };
        drop(rows);
        let text = document.text.as_str();
        let idx = CharIndex::new(text);
        let span = |s: sitrep_model::Span, label: String| LabelledSpan {
            start: idx.char_offset(s.start),
            end: idx.char_offset(s.end),
            label,
        };
        let mut spans = DocumentSpans::default();
        if let Some(a) = analysis {
            spans.entities = a
                .entities
                .iter()
                .map(|e| span(e.span, e.canonical.clone()))
                .collect();
            spans.times = a
                .times
                .iter()
                .map(|t| span(t.span, format!("{} – {}", t.range.start, t.range.end)))
                .collect();
            spans.quantities = a
                .quantities
                .iter()
                .map(|q| span(q.span, format!("{} {}", q.value, q.unit)))
                .collect();
            spans.claims = a
                .claims
                .iter()
                .map(|c| {
                    span(
                        c.content,
                        format!(
                            "{} ({})",
                            c.speaker.as_deref().unwrap_or("unknown speaker"),
                            c.stance.as_str()
                        ),
                    )
                })
                .collect();
        }
        if let Some(g) = geo {
            spans.places = g
                .mentions
                .iter()
                .map(|m| span(m.span, m.location.name.clone()))
                .collect();
        }
        let events = self
            .conn
            .prepare_cached(
                "SELECT e.id FROM event_documents d JOIN events e ON e.rowid = d.event_rowid
                 WHERE d.document_id = ?1 ORDER BY e.id",
            )?
            .query_map([id], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(DocumentView {
            document,
            spans,
            events,
        }))
    }

    /// Stored zones and routes.
    pub fn zone_shapes(&self) -> Result<Vec<ZoneShape>, StoreError> {
        Ok(self
            .zones()?
            .into_iter()
            .map(|(name, kind, definition)| ZoneShape {
                name,
                kind,
                definition,
            })
            .collect())
    }

    /// Counts per facet value, for the page's filter menus.
    pub fn facet_counts(&self, column: Facet) -> Result<Vec<(String, u64)>, StoreError> {
        let sql = match column {
            Facet::Category => "SELECT category, COUNT(*) FROM events GROUP BY category ORDER BY category",
            Facet::AcledSubType => {
                "SELECT acled_sub_event_type, COUNT(*) FROM events WHERE acled_sub_event_type IS NOT NULL \
                 GROUP BY acled_sub_event_type ORDER BY acled_sub_event_type"
            }
            Facet::Outlet => "SELECT outlet, COUNT(*) FROM event_sources GROUP BY outlet ORDER BY outlet",
        };
        let mut st = self.conn.prepare_cached(sql)?;
        let rows = st.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}

// ---------------------------------------------------------------------------
// In-memory event index
// ---------------------------------------------------------------------------

/// Packs a `YYYY-MM-DD` string into the integer `YYYYMMDD`, which orders as
/// the text does; `None` for any other shape.
fn pack_date(s: &str) -> Option<u32> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let mut v = 0u32;
    for (i, &c) in b.iter().enumerate() {
        if i == 4 || i == 7 {
            continue;
        }
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

fn pack_ymd(d: chrono::NaiveDate) -> u32 {
    use chrono::Datelike;
    d.year().max(0) as u32 * 10_000 + d.month() * 100 + d.day()
}

fn unpack_date(v: u32) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::from_ymd_opt((v / 10_000) as i32, v / 100 % 100, v % 100)
}

/// Interned strings: filters compare small integers instead of text.
#[derive(Default)]
struct Names {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl Names {
    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(s.to_string());
        self.ids.insert(s.to_string(), i);
        i
    }
    fn get(&self, s: &str) -> Option<u32> {
        self.ids.get(s).copied()
    }
}

/// One event's list columns (strings interned).
struct Indexed {
    rowid: i64,
    id: Box<str>,
    /// Shown for single-event map clusters.
    summary: Box<str>,
    start: Option<u32>,
    end: Option<u32>,
    category: u32,
    acled_type: Option<u32>,
    acled_sub: Option<u32>,
    lat: Option<f64>,
    lon: Option<f64>,
    n_sources: i64,
    disputed: bool,
    /// As stored, for display (`!= 0`) where filters test `= 1`.
    disputed_raw: i64,
    confidence: f64,
    /// Display columns, interned in `EventIndex::labels`.
    precision: Option<u32>,
    location_name: Option<u32>,
    country: Option<u32>,
    admin1: Option<u32>,
}

/// The columns read per row (date window, bounding box, clusters, timeline),
/// packed into 32 bytes so that a pass over 100,000 events stays in cache.
#[derive(Clone, Copy)]
struct Hot {
    lat: f64,
    lon: f64,
    /// Packed dates; 0 when undated.
    start: u32,
    end: u32,
    category: u16,
    flags: u8,
}

const NO_NAME: u16 = u16::MAX;
const DISPUTED: u8 = 1;
/// Both coordinates stored.
const LOCATED: u8 = 2;
/// Located with finite coordinates (in the R*Tree).
const FINITE: u8 = 4;

/// The list columns of every event, held in memory so that event lists,
/// map clusters and the timeline need no scan of the `events` table (whose
/// rows carry the full JSON and span pages each; a filtered list with its
/// total took 50-1000 ms in SQL at 100,000 events). Equality filters
/// intersect posting lists as bitmaps, the date range is a slice of the
/// date-sorted rows and a bounding box a band of the longitude-sorted
/// ones, so a filtered page with its total takes a fraction of a
/// millisecond. Full-text filters still ask FTS5 (results cached per query).
/// About 400 bytes per event (the server measured 53 MB resident at
/// 100,000 events).
///
/// Answers exactly as [`Store::list_events`], [`Store::event_clusters`] and
/// [`Store::event_timeline`] do (a test checks it), except that bounding
/// boxes compare the stored coordinates rather than the R*Tree's 32-bit
/// copies. Built from one snapshot of the store: reload it after the events
/// change (see [`Store::data_version`]).
pub struct EventIndex {
    /// In the default list order: dated first, newest first, then by id.
    rows: Vec<Indexed>,
    /// `rows`' filter columns, same positions.
    hot: Vec<Hot>,
    rowid_pos: HashMap<i64, u32>,
    categories: Names,
    acled: Names,
    actors: Names,
    outlets: Names,
    labels: Names,
    /// Positions (ascending) of the events with each category, ACLED label
    /// (type or sub-type), actor and outlet, by interned id; and disputed.
    category_posts: Vec<Vec<u32>>,
    acled_posts: Vec<Vec<u32>>,
    actor_posts: Vec<Vec<u32>>,
    outlet_posts: Vec<Vec<u32>>,
    disputed_posts: Vec<u32>,
    /// The longest date range of any event, in days.
    max_span_days: i64,
    /// (lon, lat, position) of the events with finite coordinates, by
    /// longitude: a bounding box reads only its longitude band.
    by_lon: Vec<(f64, f64, u32)>,
    /// Positions in the other list orders, so every sort is one pass.
    by_date: Vec<u32>,
    by_confidence: Vec<u32>,
    by_sources: Vec<u32>,
    /// False when a stored date is not YYYY-MM-DD; every query then goes to
    /// SQL, which compares the text as stored.
    exact: bool,
    /// Full-text matches as bitmaps over `rows`, per FTS query; bounded.
    text_cache: Mutex<HashMap<String, Arc<Vec<u64>>>>,
}

/// How many full-text results [`EventIndex`] keeps.
const TEXT_CACHE_MAX: usize = 512;

/// The order of two events in a list sorted by `sort`, as the SQL
/// `ORDER BY` clauses of [`Store::list_events`] (NULL dates sort lowest).
fn list_order(sort: EventSort, x: &Indexed, y: &Indexed) -> std::cmp::Ordering {
    use std::cmp::Reverse;
    match sort {
        EventSort::Date => {
            (x.start.is_none(), x.start, &x.id).cmp(&(y.start.is_none(), y.start, &y.id))
        }
        EventSort::DateDesc => (x.start.is_none(), Reverse(x.start), &x.id).cmp(&(
            y.start.is_none(),
            Reverse(y.start),
            &y.id,
        )),
        EventSort::Confidence => y
            .confidence
            .total_cmp(&x.confidence)
            .then_with(|| x.id.cmp(&y.id)),
        EventSort::Sources => (Reverse(x.n_sources), Reverse(x.start), &x.id).cmp(&(
            Reverse(y.n_sources),
            Reverse(y.start),
            &y.id,
        )),
    }
}

/// The posting list of interned id `id`.
fn posting(posts: &[Vec<u32>], id: u32) -> &[u32] {
    posts.get(id as usize).map_or(&[], Vec::as_slice)
}

/// Sets the bits of `positions`.
fn set_bits(bits: &mut [u64], positions: &[u32]) {
    for &p in positions {
        if let Some(w) = bits.get_mut(p as usize / 64) {
            *w |= 1u64 << (p % 64);
        }
    }
}

/// Positions of the set bits, ascending.
fn ones(bits: &[u64]) -> impl Iterator<Item = usize> + '_ {
    bits.iter().enumerate().flat_map(|(w, &word)| {
        let mut word = word;
        std::iter::from_fn(move || {
            (word != 0).then(|| {
                let b = word.trailing_zeros() as usize;
                word &= word - 1;
                w * 64 + b
            })
        })
    })
}

/// A filter resolved against an [`EventIndex`].
struct IndexFilter {
    from: Option<u32>,
    to: Option<u32>,
    category: Option<u16>,
    acled: Option<u16>,
    actor: Option<u32>,
    outlet: Option<u32>,
    disputed: bool,
    bbox: Option<[f64; 4]>,
    zone: Option<ZoneGeom>,
    text: Option<Arc<Vec<u64>>>,
}

impl EventIndex {
    /// Reads the filterable columns of every event.
    pub fn load(store: &Store) -> Result<EventIndex, StoreError> {
        let mut ix = EventIndex {
            rows: Vec::new(),
            hot: Vec::new(),
            rowid_pos: HashMap::new(),
            categories: Names::default(),
            acled: Names::default(),
            actors: Names::default(),
            outlets: Names::default(),
            labels: Names::default(),
            category_posts: Vec::new(),
            acled_posts: Vec::new(),
            actor_posts: Vec::new(),
            outlet_posts: Vec::new(),
            disputed_posts: Vec::new(),
            max_span_days: 0,
            by_lon: Vec::new(),
            by_date: Vec::new(),
            by_confidence: Vec::new(),
            by_sources: Vec::new(),
            exact: true,
            text_cache: Mutex::new(HashMap::new()),
        };
        let conn = store.conn();
        // One read transaction so the events and their actor and outlet
        // rows come from the same commit.
        conn.execute_batch("BEGIN")?;
        let loaded = ix.read_rows(conn);
        let _ = conn.execute_batch("COMMIT");
        loaded?;
        Ok(ix)
    }

    fn read_rows(&mut self, conn: &rusqlite::Connection) -> Result<(), StoreError> {
        let mut st = conn.prepare(
            "SELECT rowid, id, category, acled_event_type, acled_sub_event_type, date_start, date_end, lat, lon, \
             n_sources, disputed, confidence, summary, date_precision, location_name, country, admin1 FROM events",
        )?;
        let mut q = st.query([])?;
        while let Some(r) = q.next()? {
            let date = |i: usize, exact: &mut bool| -> rusqlite::Result<Option<u32>> {
                Ok(r.get::<_, Option<String>>(i)?.and_then(|s| {
                    let v = pack_date(&s);
                    *exact &= v.is_some();
                    v
                }))
            };
            let start = date(5, &mut self.exact)?;
            let end = date(6, &mut self.exact)?;
            self.rows.push(Indexed {
                rowid: r.get(0)?,
                id: r.get::<_, String>(1)?.into_boxed_str(),
                summary: r.get::<_, String>(12)?.into_boxed_str(),
                start,
                end,
                category: self.categories.intern(&r.get::<_, String>(2)?),
                acled_type: r
                    .get::<_, Option<String>>(3)?
                    .map(|s| self.acled.intern(&s)),
                acled_sub: r
                    .get::<_, Option<String>>(4)?
                    .map(|s| self.acled.intern(&s)),
                lat: r.get(7)?,
                lon: r.get(8)?,
                n_sources: r.get(9)?,
                disputed: r.get::<_, i64>(10)? == 1,
                disputed_raw: r.get(10)?,
                precision: r
                    .get::<_, Option<String>>(13)?
                    .map(|s| self.labels.intern(&s)),
                location_name: r
                    .get::<_, Option<String>>(14)?
                    .map(|s| self.labels.intern(&s)),
                country: r
                    .get::<_, Option<String>>(15)?
                    .map(|s| self.labels.intern(&s)),
                admin1: r
                    .get::<_, Option<String>>(16)?
                    .map(|s| self.labels.intern(&s)),
                confidence: r.get(11)?,
            });
        }
        self.rows
            .sort_unstable_by(|a, b| list_order(EventSort::DateDesc, a, b));
        let small = |v: Option<u32>| {
            v.map_or(Some(NO_NAME), |v| {
                u16::try_from(v).ok().filter(|&v| v != NO_NAME)
            })
        };
        for r in &self.rows {
            let Some(category) = small(Some(r.category)) else {
                // More distinct categories than the packed column holds: use SQL.
                self.exact = false;
                break;
            };
            let located = r.lat.is_some() && r.lon.is_some();
            let (lat, lon) = (r.lat.unwrap_or(f64::NAN), r.lon.unwrap_or(f64::NAN));
            let mut flags = if r.disputed { DISPUTED } else { 0 };
            if located {
                flags |= LOCATED;
                if lat.is_finite() && lon.is_finite() {
                    flags |= FINITE;
                }
            }
            // A stored date "0000-00-00" would read as undated.
            self.exact &= r.start != Some(0) && r.end != Some(0);
            self.hot.push(Hot {
                lat,
                lon,
                start: r.start.unwrap_or(0),
                end: r.end.unwrap_or(0),
                category,
                flags,
            });
        }
        self.rowid_pos = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.rowid, i as u32))
            .collect();
        for sort in [EventSort::Date, EventSort::Confidence, EventSort::Sources] {
            let rows = &self.rows;
            let mut perm: Vec<u32> = (0..rows.len() as u32).collect();
            perm.sort_unstable_by(|a, b| list_order(sort, &rows[*a as usize], &rows[*b as usize]));
            match sort {
                EventSort::Date => self.by_date = perm,
                EventSort::Confidence => self.by_confidence = perm,
                _ => self.by_sources = perm,
            }
        }
        for (sql, names, posts) in [
            (
                "SELECT event_rowid, name FROM event_actors",
                &mut self.actors,
                &mut self.actor_posts,
            ),
            (
                "SELECT event_rowid, outlet FROM event_sources",
                &mut self.outlets,
                &mut self.outlet_posts,
            ),
        ] {
            let mut pairs: Vec<(u32, u32)> = Vec::new();
            let mut st = conn.prepare(sql)?;
            let mut q = st.query([])?;
            while let Some(r) = q.next()? {
                let event: i64 = r.get(0)?;
                let name: String = r.get(1)?;
                if let Some(&p) = self.rowid_pos.get(&event) {
                    pairs.push((names.intern(&name), p));
                }
            }
            pairs.sort_unstable();
            pairs.dedup();
            *posts = vec![Vec::new(); names.names.len()];
            for (name, p) in pairs {
                posts[name as usize].push(p);
            }
        }
        let (mut cats, mut acled) = (
            vec![Vec::new(); self.categories.names.len()],
            vec![Vec::new(); self.acled.names.len()],
        );
        for (p, r) in self.rows.iter().enumerate() {
            let p = p as u32;
            cats[r.category as usize].push(p);
            for a in [
                r.acled_type,
                r.acled_sub.filter(|&s| Some(s) != r.acled_type),
            ]
            .into_iter()
            .flatten()
            {
                acled[a as usize].push(p);
            }
            if r.disputed {
                self.disputed_posts.push(p);
            }
        }
        self.by_lon = self
            .hot
            .iter()
            .enumerate()
            .filter(|(_, h)| h.flags & FINITE != 0)
            .map(|(p, h)| (h.lon, h.lat, p as u32))
            .collect();
        self.by_lon.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        for r in &self.rows {
            if let (Some(s), Some(e)) = (r.start, r.end) {
                match (unpack_date(s), unpack_date(e)) {
                    (Some(s), Some(e)) => {
                        self.max_span_days = self.max_span_days.max((e - s).num_days())
                    }
                    // Not a calendar date: no span bound can be trusted.
                    _ => self.exact = false,
                }
            }
        }
        self.category_posts = cats;
        self.acled_posts = acled;
        Ok(())
    }

    /// Number of events indexed.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when no event is indexed.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Whether `f` can be answered here: dates must have the stored shape
    /// to compare as the SQL text comparison does.
    fn can_answer(&self, f: &EventFilter) -> bool {
        let ok = |o: &Option<String>| {
            o.as_deref()
                .is_none_or(|s| s.is_empty() || pack_date(s).is_some())
        };
        self.exact && ok(&f.from) && ok(&f.to)
    }

    /// Resolves `f`; `Ok(None)` when it cannot match any event, `Err` as
    /// the SQL path would fail (unknown zone, FTS error).
    fn resolve(&self, store: &Store, f: &EventFilter) -> Result<Option<IndexFilter>, StoreError> {
        let nonempty =
            |o: &Option<String>| o.as_deref().filter(|s| !s.is_empty()).map(str::to_string);
        // A value that no event has cannot match: answer "nothing" early.
        macro_rules! lookup {
            ($names:expr, $value:expr) => {
                match $value {
                    None => None,
                    Some(v) => match $names.get(&v) {
                        Some(id) => Some(id as _),
                        None => return Ok(None),
                    },
                }
            };
        }
        let mut bbox = f.bbox;
        let mut zone = None;
        if let Some(name) = f.zone.as_deref().filter(|z| !z.is_empty()) {
            let geom = store.zone_geom(name)?;
            let zb = geom.bbox();
            bbox = Some(match bbox {
                Some(b) => [
                    b[0].max(zb[0]),
                    b[1].max(zb[1]),
                    b[2].min(zb[2]),
                    b[3].min(zb[3]),
                ],
                None => zb,
            });
            zone = Some(geom);
        }
        let from = nonempty(&f.from).and_then(|s| pack_date(&s));
        let to = nonempty(&f.to).and_then(|s| pack_date(&s));
        let text = match f.q.as_deref().and_then(fts_query) {
            None => None,
            Some(q) => Some(self.text_matches(store, q)?),
        };
        Ok(Some(IndexFilter {
            from,
            to,
            category: lookup!(
                self.categories,
                nonempty(&f.category).map(|c| c.to_ascii_uppercase())
            ),
            acled: lookup!(self.acled, nonempty(&f.acled)),
            actor: lookup!(self.actors, nonempty(&f.actor)),
            outlet: lookup!(self.outlets, nonempty(&f.outlet)),
            disputed: f.disputed,
            bbox,
            zone,
            text,
        }))
    }

    /// Events matching an FTS query, as a bitmap over `rows`.
    fn text_matches(&self, store: &Store, q: String) -> Result<Arc<Vec<u64>>, StoreError> {
        if let Some(hit) = self
            .text_cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&q)
        {
            return Ok(hit.clone());
        }
        let mut bits = vec![0u64; self.rows.len().div_ceil(64)];
        let mut st = store
            .conn
            .prepare_cached("SELECT rowid FROM events_fts WHERE events_fts MATCH ?1")?;
        let mut rows = st.query([&q])?;
        while let Some(r) = rows.next()? {
            if let Some(&p) = self.rowid_pos.get(&r.get::<_, i64>(0)?) {
                bits[p as usize / 64] |= 1 << (p % 64);
            }
        }
        let bits = Arc::new(bits);
        let mut cache = self.text_cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= TEXT_CACHE_MAX {
            cache.clear();
        }
        cache.insert(q, bits.clone());
        Ok(bits)
    }

    /// The events matching `f`, as a bitmap over positions: equality
    /// filters intersect posting lists, the date window is a slice of the
    /// date-sorted rows, and only what survives both gets per-row checks.
    ///
    /// The bitmaps live in per-thread buffers: allocating them per query
    /// cost more than the filtering (large blocks make the allocator
    /// consolidate its free lists).
    fn with_hits<R>(&self, f: &IndexFilter, use_hits: impl FnOnce(&[u64]) -> R) -> R {
        thread_local! {
            static BUFFERS: std::cell::Cell<(Vec<u64>, Vec<u64>)> = const { std::cell::Cell::new((Vec::new(), Vec::new())) };
        }
        // Taken out while in use, so a nested call would get fresh ones.
        let (mut bits, mut scratch) = BUFFERS.take();
        self.hits(f, &mut bits, &mut scratch);
        let r = use_hits(&bits);
        BUFFERS.set((bits, scratch));
        r
    }

    fn hits(&self, f: &IndexFilter, bits: &mut Vec<u64>, scratch: &mut Vec<u64>) {
        let n = self.hot.len();
        let words = n.div_ceil(64);
        let zeroed = |v: &mut Vec<u64>| {
            v.clear();
            v.resize(words, 0);
        };
        let mut lists: Vec<&[u32]> = [
            f.category
                .map(|c| posting(&self.category_posts, u32::from(c))),
            f.acled.map(|a| posting(&self.acled_posts, u32::from(a))),
            f.actor.map(|a| posting(&self.actor_posts, a)),
            f.outlet.map(|o| posting(&self.outlet_posts, o)),
        ]
        .into_iter()
        .flatten()
        .collect();
        if f.disputed {
            lists.push(&self.disputed_posts);
        }
        lists.sort_unstable_by_key(|l| l.len());
        zeroed(bits);
        match lists.first() {
            Some(l) => set_bits(bits, l),
            None => {
                bits.iter_mut().for_each(|w| *w = !0);
                if !n.is_multiple_of(64) {
                    bits[words - 1] = (1u64 << (n % 64)) - 1;
                }
            }
        }
        if lists.len() > 1 {
            for l in lists.iter().skip(1) {
                zeroed(scratch);
                set_bits(scratch, l);
                for (b, o) in bits.iter_mut().zip(scratch.iter()) {
                    *b &= o;
                }
            }
        }
        if let Some(t) = &f.text {
            for (b, t) in bits.iter_mut().zip(t.iter()) {
                *b &= t;
            }
        }
        // Rows run newest first with the undated last: a date filter keeps
        // a slice of them (from the first start <= to, to the last dated).
        let (lo, hi) = if f.from.is_some() || f.to.is_some() {
            let mut hi = self.hot.partition_point(|h| h.start != 0);
            let lo =
                f.to.map_or(0, |to| self.hot[..hi].partition_point(|h| h.start > to));
            // No event lasts longer than `max_span_days`, so one that
            // starts that long before `from` cannot reach it.
            let cut = f.from.and_then(unpack_date).and_then(|d| {
                d.checked_sub_signed(chrono::Duration::days(self.max_span_days))
                    .map(pack_ymd)
            });
            if let Some(cut) = cut {
                hi = hi.min(self.hot[..hi].partition_point(|h| h.start >= cut));
            }
            (lo, hi.max(lo))
        } else {
            (0, n)
        };
        for (w, word) in bits.iter_mut().enumerate() {
            let (first, last) = (w * 64, w * 64 + 64);
            if last <= lo || first >= hi {
                *word = 0;
            } else {
                if first < lo {
                    *word &= !0u64 << (lo - first);
                }
                if last > hi {
                    *word &= (1u64 << (hi - first)) - 1;
                }
            }
        }
        if let Some([west, south, east, north]) = f.bbox {
            // As in the R*Tree: only events with finite coordinates.
            let lo = self.by_lon.partition_point(|e| e.0 < west);
            let hi = self.by_lon.partition_point(|e| e.0 <= east).max(lo);
            zeroed(scratch);
            for &(_, lat, p) in &self.by_lon[lo..hi] {
                if lat >= south && lat <= north {
                    scratch[p as usize / 64] |= 1u64 << (p % 64);
                }
            }
            for (b, i) in bits.iter_mut().zip(scratch.iter()) {
                *b &= i;
            }
        }
        if let Some(from) = f.from {
            // Branch-free over each 64-row block that still has candidates.
            for (w, slot) in bits.iter_mut().enumerate() {
                if *slot != 0 {
                    let mut keep = 0u64;
                    for (b, h) in self.hot[w * 64..(w * 64 + 64).min(n)].iter().enumerate() {
                        keep |= u64::from(h.end >= from) << b;
                    }
                    *slot &= keep;
                }
            }
        }
        if let Some(zone) = &f.zone {
            for (w, slot) in bits.iter_mut().enumerate() {
                let mut word = *slot;
                while word != 0 {
                    let b = word.trailing_zeros();
                    let h = &self.hot[w * 64 + b as usize];
                    if !zone.contains(h.lat, h.lon) {
                        *slot &= !(1u64 << b);
                    }
                    word &= word - 1;
                }
            }
        }
    }

    /// As [`Store::list_events`].
    pub fn list_events(
        &self,
        store: &Store,
        filter: &EventFilter,
        sort: EventSort,
        limit: u64,
        offset: u64,
    ) -> Result<Page<EventSummary>, StoreError> {
        if !self.can_answer(filter) {
            return store.list_events(filter, sort, limit, offset);
        }
        let Some(f) = self.resolve(store, filter)? else {
            return Ok(Page {
                total: 0,
                offset,
                limit,
                items: Vec::new(),
            });
        };
        let take = limit.min(1000) as usize;
        let skip = usize::try_from(offset).unwrap_or(usize::MAX);
        // Rows are stored in the default order; the others are permutations.
        let perm = match sort {
            EventSort::DateDesc => None,
            EventSort::Date => Some(&self.by_date),
            EventSort::Confidence => Some(&self.by_confidence),
            EventSort::Sources => Some(&self.by_sources),
        };
        let (total, page) = self.with_hits(&f, |hits| {
            let total: u64 = hits.iter().map(|w| u64::from(w.count_ones())).sum();
            let hit = |p: &usize| hits[p / 64] & (1u64 << (p % 64)) != 0;
            let page: Vec<usize> = match perm {
                None => ones(hits).skip(skip).take(take).collect(),
                Some(perm) => perm
                    .iter()
                    .map(|&p| p as usize)
                    .filter(hit)
                    .skip(skip)
                    .take(take)
                    .collect(),
            };
            (total, page)
        });
        let items = page.into_iter().map(|i| self.summary(i)).collect();
        Ok(Page {
            total,
            offset,
            limit,
            items,
        })
    }

    /// The list row of the event at `pos`, as [`summary_from_row`] reads it.
    fn summary(&self, pos: usize) -> EventSummary {
        let r = &self.rows[pos];
        let label = |i: Option<u32>| i.map(|i| self.labels.names[i as usize].clone());
        let date = |v: u32| format!("{:04}-{:02}-{:02}", v / 10_000, v / 100 % 100, v % 100);
        EventSummary {
            id: r.id.to_string(),
            category: self.categories.names[r.category as usize].clone(),
            acled: match (r.acled_type, r.acled_sub) {
                (Some(t), Some(s)) => Some(AcledLabel {
                    event_type: self.acled.names[t as usize].clone(),
                    sub_event_type: self.acled.names[s as usize].clone(),
                }),
                _ => None,
            },
            summary: r.summary.to_string(),
            date: match (r.start, r.end) {
                (Some(s), Some(e)) => Some(DateLabel {
                    start: date(s),
                    end: date(e),
                    precision: label(r.precision).unwrap_or_else(|| "day".into()),
                }),
                _ => None,
            },
            location: label(r.location_name).map(|name| LocationLabel {
                name,
                lat: r.lat,
                lon: r.lon,
                country: label(r.country),
                admin1: label(r.admin1),
            }),
            n_sources: r.n_sources as u32,
            disputed: r.disputed_raw != 0,
            confidence: r.confidence,
        }
    }

    /// As [`Store::event_clusters`].
    pub fn event_clusters(
        &self,
        store: &Store,
        filter: &EventFilter,
        zoom: u32,
    ) -> Result<Vec<Cluster>, StoreError> {
        if !self.can_answer(filter) {
            return store.event_clusters(filter, zoom);
        }
        let Some(f) = self.resolve(store, filter)? else {
            return Ok(Vec::new());
        };
        let cell = 360.0 / (2f64.powi(zoom.min(20) as i32) * 25.6);
        struct Acc {
            count: u64,
            lat: f64,
            lon: f64,
            categories: Vec<(u16, u64)>,
            /// The event, when the cell holds only one.
            first: usize,
        }
        let mut cells: HashMap<(i64, i64), Acc, sitrep_model::IntHasher> = HashMap::default();
        self.with_hits(&f, |hits| {
            for i in ones(hits) {
                let h = &self.hot[i];
                if h.flags & LOCATED == 0 {
                    continue;
                }
                let (lat, lon) = (h.lat, h.lon);
                // As SQL's CAST: truncation, which is floor for these non-negative values.
                let key = (((lon + 180.0) / cell) as i64, ((lat + 90.0) / cell) as i64);
                let acc = cells.entry(key).or_insert(Acc {
                    count: 0,
                    lat: 0.0,
                    lon: 0.0,
                    categories: Vec::new(),
                    first: i,
                });
                acc.count += 1;
                acc.lat += lat;
                acc.lon += lon;
                match acc.categories.iter_mut().find(|c| c.0 == h.category) {
                    Some(c) => c.1 += 1,
                    None => acc.categories.push((h.category, 1)),
                }
            }
        });
        let mut out = Vec::with_capacity(cells.len());
        // Cells in (x, y) order, as the SQL path returns them.
        let mut cells: Vec<((i64, i64), Acc)> = cells.into_iter().collect();
        cells.sort_unstable_by_key(|c| c.0);
        for (_, acc) in cells {
            // The cell's colour: its most frequent category, ties to the
            // alphabetically first.
            let name = |c: u16| self.categories.names[c as usize].as_str();
            let best = acc
                .categories
                .iter()
                .max_by(|a, b| a.1.cmp(&b.1).then_with(|| name(b.0).cmp(name(a.0))))
                .map(|c| name(c.0).to_string())
                .unwrap_or_default();
            let single = acc.count == 1;
            let first = &self.rows[acc.first];
            let summary = single.then(|| first.summary.to_string());
            out.push(Cluster {
                lat: acc.lat / acc.count as f64,
                lon: acc.lon / acc.count as f64,
                count: acc.count,
                category: best,
                event: single.then(|| first.id.to_string()),
                summary,
            });
        }
        Ok(out)
    }

    /// As [`Store::event_timeline`].
    pub fn event_timeline(
        &self,
        store: &Store,
        filter: &EventFilter,
        bucket: &str,
    ) -> Result<Vec<Bucket>, StoreError> {
        if !self.can_answer(filter) {
            return store.event_timeline(filter, bucket);
        }
        let Some(f) = self.resolve(store, filter)? else {
            return Ok(Vec::new());
        };
        let mut per_day: BTreeMap<u32, u64> = BTreeMap::new();
        self.with_hits(&f, |hits| {
            for i in ones(hits) {
                let h = &self.hot[i];
                if h.start != 0 {
                    *per_day.entry(h.start).or_default() += 1;
                }
            }
        });
        let mut counts: BTreeMap<chrono::NaiveDate, u64> = BTreeMap::new();
        for (d, n) in per_day {
            if let Some(d) = unpack_date(d) {
                *counts.entry(bucket_start(d, bucket)).or_default() += n;
            }
        }
        Ok(fill_buckets(&counts, bucket))
    }
}

/// The columns of an event list row, read by [`summary_from_row`].
const LIST_COLUMNS: &str = "e.id, e.category, e.acled_event_type, e.acled_sub_event_type, e.summary, e.date_start, e.date_end, \
     e.date_precision, e.location_name, e.lat, e.lon, e.country, e.admin1, e.n_sources, e.disputed, e.confidence";

/// The columns of [`LIST_COLUMNS`] as a list row.
fn summary_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<EventSummary> {
    let acled = match (
        r.get::<_, Option<String>>(2)?,
        r.get::<_, Option<String>>(3)?,
    ) {
        (Some(event_type), Some(sub_event_type)) => Some(AcledLabel {
            event_type,
            sub_event_type,
        }),
        _ => None,
    };
    let date = match (
        r.get::<_, Option<String>>(5)?,
        r.get::<_, Option<String>>(6)?,
    ) {
        (Some(start), Some(end)) => Some(DateLabel {
            start,
            end,
            precision: r
                .get::<_, Option<String>>(7)?
                .unwrap_or_else(|| "day".into()),
        }),
        _ => None,
    };
    let location = r.get::<_, Option<String>>(8)?.map(|name| LocationLabel {
        name,
        lat: r.get(9).ok().flatten(),
        lon: r.get(10).ok().flatten(),
        country: r.get(11).ok().flatten(),
        admin1: r.get(12).ok().flatten(),
    });
    Ok(EventSummary {
        id: r.get(0)?,
        category: r.get(1)?,
        acled,
        summary: r.get(4)?,
        date,
        location,
        n_sources: r.get::<_, i64>(13)? as u32,
        disputed: r.get::<_, i64>(14)? != 0,
        confidence: r.get(15)?,
    })
}

/// Facets the page filters on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Facet {
    Category,
    AcledSubType,
    Outlet,
}

/// Buckets from per-bucket counts, with empty buckets filled in between.
fn fill_buckets(counts: &BTreeMap<chrono::NaiveDate, u64>, bucket: &str) -> Vec<Bucket> {
    let (Some(&first), Some(&last)) = (counts.keys().next(), counts.keys().next_back()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut d = first;
    // Bounded so a stray far-future date cannot make a huge response.
    while d <= last && out.len() < 5000 {
        let next = next_bucket(d, bucket);
        out.push(Bucket {
            start: d.to_string(),
            end: (next - chrono::Duration::days(1)).to_string(),
            count: counts.get(&d).copied().unwrap_or(0),
        });
        d = next;
    }
    out
}

fn bucket_start(d: chrono::NaiveDate, bucket: &str) -> chrono::NaiveDate {
    use chrono::Datelike;
    match bucket {
        "week" => d - chrono::Duration::days(d.weekday().num_days_from_monday() as i64),
        "month" => d.with_day(1).unwrap_or(d),
        _ => d,
    }
}

fn next_bucket(d: chrono::NaiveDate, bucket: &str) -> chrono::NaiveDate {
    match bucket {
        "week" => d + chrono::Duration::days(7),
        "month" => d
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(d + chrono::Duration::days(31)),
        _ => d + chrono::Duration::days(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_containment() {
        let z = ZoneGeom::Circle {
            lat: 33.5,
            lon: 38.6,
            radius_km: 55.0,
        };
        assert!(z.contains(33.5, 38.9)); // ~28 km east
        assert!(!z.contains(34.2, 38.6)); // ~78 km north
        let sq = ZoneGeom::Polygons(vec![vec![
            (0.0, 0.0),
            (2.0, 0.0),
            (2.0, 2.0),
            (0.0, 2.0),
            (0.0, 0.0),
        ]]);
        assert!(sq.contains(1.0, 1.0));
        assert!(!sq.contains(3.0, 1.0));
    }

    #[test]
    fn fts_query_never_has_syntax() {
        assert_eq!(
            fts_query("al-Tanf \"strike"),
            Some("\"al-Tanf\" \"strike\"".into())
        );
        assert_eq!(fts_query("  ()*  "), None);
    }

    #[test]
    fn buckets() {
        let d = chrono::NaiveDate::from_ymd_opt(2017, 5, 18).unwrap(); // a Thursday
        assert_eq!(bucket_start(d, "week").to_string(), "2017-05-15");
        assert_eq!(bucket_start(d, "month").to_string(), "2017-05-01");
        assert_eq!(
            next_bucket(bucket_start(d, "month"), "month").to_string(),
            "2017-06-01"
        );
    }

    /// A store of varied events: some undated, unlocated, disputed, with
    /// week-long dates, several outlets and actors. Coordinates sit on a
    /// 0.1-degree grid offset by 0.05 so that no event lies on the
    /// integer-degree bbox edges the test uses.
    fn varied_store() -> Store {
        use sitrep_model::*;
        let mut s = Store::open_in_memory().unwrap();
        let outlets = ["Valley Courier", "Harbour Times", "Plains Observer"];
        let actors = ["Government forces", "Rebel brigade", "Civilians"];
        let cats = [
            Plover::Assault,
            Plover::Assault,
            Plover::Protest,
            Plover::Mobilize,
            Plover::Accuse,
        ];
        let mut events = Vec::new();
        for i in 0..240u32 {
            let mut e = crate::write::tests::event(
                &format!("ev{:03}", (i * 7919) % 1000),
                1 + i % 28,
                0.0,
                0.0,
            );
            e.category = cats[i as usize % cats.len()];
            if e.category != Plover::Assault {
                e.acled = None;
            } else if i % 3 == 0 {
                e.acled = Some(AcledType {
                    event_type: "Battles".into(),
                    sub_event_type: "Armed clash".into(),
                });
            }
            let day = chrono::NaiveDate::from_ymd_opt(2021, 1 + i % 12, 1 + (i * 5) % 28).unwrap();
            e.date = match i % 17 {
                0 => None,
                1 => Some(DateRange {
                    start: day,
                    end: day + chrono::Duration::days(6),
                    precision: TimePrecision::Week,
                }),
                _ => Some(DateRange::day(day)),
            };
            if i % 13 == 0 {
                e.location = None;
            } else if let Some(l) = e.location.as_mut() {
                l.lat = Some(33.05 + f64::from(i % 30) * 0.1);
                l.lon = Some(36.05 + f64::from((i * 7) % 40) * 0.1);
                l.name = format!("Village {}", i % 9);
            }
            e.sources = outlets
                .iter()
                .take(1 + i as usize % 3)
                .skip(i as usize % 2)
                .map(|o| o.to_string())
                .collect();
            e.actors[0].name = actors[i as usize % 3].into();
            if i % 5 == 0 {
                e.disputes = vec![Dispute {
                    field: "date".into(),
                    values: vec![],
                }];
            }
            e.confidence = 0.1 + f32::from((i % 9) as u8) * 0.1;
            if i % 4 == 0 {
                e.summary = format!("Drone strike on a depot near village {}", i % 9);
            }
            events.push(e);
        }
        s.replace_events(&events).unwrap();
        s.put_zone(
            "ring",
            "circle",
            &serde_json::json!({"lat": 34.0, "lon": 37.5, "radius_km": 60.0}),
        )
        .unwrap();
        s
    }

    #[test]
    fn index_answers_as_sql() {
        let s = varied_store();
        let ix = EventIndex::load(&s).unwrap();
        assert_eq!(ix.len(), 240);
        let text = |v: &str| Some(v.to_string());
        let mut filters = vec![EventFilter::default()];
        for f in [
            EventFilter {
                from: text("2021-03-01"),
                to: text("2021-06-30"),
                ..Default::default()
            },
            // Starts before `from` and lasts into it (a week-long date).
            EventFilter {
                from: text("2021-02-09"),
                to: text("2021-02-20"),
                ..Default::default()
            },
            EventFilter {
                to: text("2021-02-03"),
                ..Default::default()
            },
            EventFilter {
                category: text("assault"),
                ..Default::default()
            },
            EventFilter {
                acled: text("Armed clash"),
                ..Default::default()
            },
            EventFilter {
                acled: text("Explosions/Remote violence"),
                disputed: true,
                ..Default::default()
            },
            EventFilter {
                actor: text("Civilians"),
                ..Default::default()
            },
            EventFilter {
                outlet: text("Harbour Times"),
                from: text("2021-05-01"),
                ..Default::default()
            },
            EventFilter {
                bbox: Some([36.0, 33.0, 38.0, 34.0]),
                ..Default::default()
            },
            EventFilter {
                zone: text("ring"),
                category: text("PROTEST"),
                ..Default::default()
            },
            EventFilter {
                q: text("drone depot"),
                ..Default::default()
            },
            EventFilter {
                q: text("drone"),
                bbox: Some([37.0, 33.0, 40.0, 36.0]),
                ..Default::default()
            },
            EventFilter {
                outlet: text("Nobody's Gazette"),
                ..Default::default()
            },
            EventFilter {
                category: text("SANCTION"),
                ..Default::default()
            },
        ] {
            filters.push(f);
        }
        for f in &filters {
            for sort in [
                EventSort::DateDesc,
                EventSort::Date,
                EventSort::Confidence,
                EventSort::Sources,
            ] {
                for (limit, offset) in [(50, 0), (7, 3), (10, 200)] {
                    let want = s.list_events(f, sort, limit, offset).unwrap();
                    assert!(
                        want.total > 0
                            || f.outlet.is_some()
                            || f.category.as_deref() == Some("SANCTION"),
                        "{f:?} matches nothing"
                    );
                    assert_eq!(
                        ix.list_events(&s, f, sort, limit, offset).unwrap(),
                        want,
                        "{f:?} {sort:?} {limit} {offset}"
                    );
                }
            }
            for bucket in ["day", "week", "month"] {
                assert_eq!(
                    ix.event_timeline(&s, f, bucket).unwrap(),
                    s.event_timeline(f, bucket).unwrap(),
                    "{f:?} {bucket}"
                );
            }
            for zoom in [0, 5, 9, 14] {
                let (got, want) = (
                    ix.event_clusters(&s, f, zoom).unwrap(),
                    s.event_clusters(f, zoom).unwrap(),
                );
                assert_eq!(got.len(), want.len(), "{f:?} zoom {zoom}");
                for (g, w) in got.iter().zip(&want) {
                    assert!(
                        (g.lat - w.lat).abs() < 1e-9 && (g.lon - w.lon).abs() < 1e-9,
                        "{g:?} {w:?}"
                    );
                    assert_eq!(
                        (g.count, &g.category, &g.event, &g.summary),
                        (w.count, &w.category, &w.event, &w.summary)
                    );
                }
            }
        }
        // Errors as in SQL: an unknown zone is the caller's mistake.
        let bad = EventFilter {
            zone: text("nowhere"),
            ..Default::default()
        };
        assert!(matches!(
            ix.list_events(&s, &bad, EventSort::DateDesc, 10, 0),
            Err(StoreError::Query(_))
        ));
    }
}
