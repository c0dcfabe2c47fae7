//! Filtered event exports in the formats of SCHEMA.md (the same rows and
//! properties as `sitrep export --kind events`).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sitrep_model::Event;
use sitrep_store::export::{event_csv_row, EVENT_CSV_COLUMNS};

use crate::{filter_from, ApiError, AppState};

/// Serializes events in one export format.
type Writer = fn(&[Event]) -> Result<Vec<u8>, ApiError>;

fn geojson(events: &[Event]) -> Result<Vec<u8>, ApiError> {
    let features: Vec<serde_json::Value> = events
        .iter()
        .map(|e| {
            let geometry = match e.location.as_ref().and_then(|l| Some((l.lon?, l.lat?))) {
                Some((lon, lat)) => serde_json::json!({ "type": "Point", "coordinates": [lon, lat] }),
                None => serde_json::Value::Null,
            };
            serde_json::json!({ "type": "Feature", "id": e.id, "geometry": geometry, "properties": e })
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({ "type": "FeatureCollection", "features": features }))
        .map_err(internal)
}

fn jsonl(events: &[Event]) -> Result<Vec<u8>, ApiError> {
    let mut out = Vec::new();
    for e in events {
        serde_json::to_writer(&mut out, e).map_err(internal)?;
        out.push(b'\n');
    }
    Ok(out)
}

fn csv(events: &[Event]) -> Result<Vec<u8>, ApiError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(EVENT_CSV_COLUMNS).map_err(internal)?;
    for e in events {
        w.write_record(event_csv_row(e)).map_err(internal)?;
    }
    w.into_inner().map_err(|e| internal(e.to_string()))
}

fn internal(e: impl ToString) -> ApiError {
    ApiError {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        message: e.to_string(),
    }
}

/// `/api/export/events.geojson|csv|jsonl` with the event filters.
pub async fn export(
    State(st): State<Arc<AppState>>,
    Path(file): Path<String>,
    Query(p): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let (writer, content_type): (Writer, &'static str) = match file.as_str() {
        "events.geojson" => (geojson, "application/geo+json"),
        "events.csv" => (csv, "text/csv; charset=utf-8"),
        "events.jsonl" => (jsonl, "application/x-ndjson"),
        other => {
            return Err(ApiError::not_found(format!(
                "no export {other:?}; use events.geojson, events.csv or events.jsonl"
            )))
        }
    };
    let filter = filter_from(&p)?;
    let st2 = st.clone();
    let events = tokio::task::spawn_blocking(move || st2.pool.with(|s| s.filtered_events(&filter)))
        .await
        .map_err(internal)??;
    let bytes = writer(&events)?;
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}
