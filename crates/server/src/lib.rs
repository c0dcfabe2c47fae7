//! Server: the read-only HTTP JSON API and the analyst's page.
//!
//! Stage 7. Architecture invariant: reads the store, never writes it; the
//! page's assets are embedded in the binary and load nothing from the
//! network. The API is described by the OpenAPI document served at
//! `/api/openapi.json` (kept in `openapi.json` beside this file; a test
//! checks every route is documented).
//!
//! ```no_run
//! # async fn run() -> Result<(), sitrep_server::ServerError> {
//! sitrep_server::serve("sitrep.db".as_ref(), "127.0.0.1:8080".parse().unwrap()).await
//! # }
//! ```

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Serialize;
use sitrep_store::read::{EventFilter, EventIndex, EventSort, Facet};
use sitrep_store::{Store, StoreError};

mod assets;
mod export;

/// Errors starting or running the server.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("{path}: {source}")]
    Store {
        path: String,
        #[source]
        source: StoreError,
    },
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("server failed: {0}")]
    Io(#[from] std::io::Error),
}

/// Read-only connections shared by request handlers. SQLite connections
/// are not `Sync`, so each sits behind its own lock and a request takes
/// the first free one.
struct Pool {
    conns: Vec<Mutex<Store>>,
    next: AtomicUsize,
}

impl Pool {
    fn open(path: &Path, size: usize) -> Result<Pool, StoreError> {
        let conns = (0..size.max(1))
            .map(|_| Store::open_read_only(path).map(Mutex::new))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Pool {
            conns,
            next: AtomicUsize::new(0),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&Store) -> T) -> T {
        let n = self.conns.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        for i in 0..n {
            if let Ok(store) = self.conns[(start + i) % n].try_lock() {
                return f(&store);
            }
        }
        // All busy: wait for our round-robin slot. A poisoned lock only
        // means another request panicked mid-read; the connection is fine.
        let guard = self.conns[start % n]
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        f(&guard)
    }
}

/// Cached response bodies: the store only changes when an ingest finishes,
/// so a short time-to-live keeps answers fresh while repeated queries from
/// many clients cost one SQLite query per second.
struct Cache {
    entries: Mutex<HashMap<String, (Instant, Arc<Body>)>>,
    /// Answers being computed: concurrent requests for the same key wait
    /// for the first one instead of all running the query (when a popular
    /// entry expires under load).
    inflight: Mutex<HashMap<String, Arc<Flight>>>,
    ttl: Duration,
    max: usize,
}

/// One computation shared by the requests that wait for it.
type Flight = tokio::sync::OnceCell<Result<Arc<Body>, (StatusCode, String)>>;

/// A prepared response body with its content type and ETag.
struct Body {
    /// Shared, so a cached answer is sent without copying it.
    bytes: axum::body::Bytes,
    content_type: &'static str,
    etag: String,
}

impl Cache {
    fn get(&self, key: &str) -> Option<Arc<Body>> {
        let map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key)
            .filter(|(t, _)| t.elapsed() < self.ttl)
            .map(|(_, b)| b.clone())
    }
    fn put(&self, key: String, body: Arc<Body>) {
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= self.max {
            let ttl = self.ttl;
            map.retain(|_, (t, _)| t.elapsed() < ttl);
            if map.len() >= self.max {
                map.clear();
            }
        }
        map.insert(key, (Instant::now(), body));
    }
}

/// The in-memory [`EventIndex`] behind event lists, clusters and the
/// timeline, reloaded when another connection (an ingest) commits.
struct IndexSlot {
    current: RwLock<Option<Arc<EventIndex>>>,
    /// A connection of its own: its data version changes only when
    /// another connection commits.
    watch: Mutex<Store>,
    /// The watch connection's data version when `current` was loaded.
    loaded_version: Mutex<Option<i64>>,
    /// Milliseconds since `epoch` of the last version check.
    last_check_ms: AtomicU64,
    epoch: Instant,
}

/// How often requests check whether the store changed. The response cache
/// already serves answers up to two seconds old.
const INDEX_CHECK: Duration = Duration::from_secs(1);

impl IndexSlot {
    fn open(db: &Path) -> Result<IndexSlot, StoreError> {
        Ok(IndexSlot {
            current: RwLock::new(None),
            watch: Mutex::new(Store::open_read_only(db)?),
            loaded_version: Mutex::new(None),
            last_check_ms: AtomicU64::new(0),
            epoch: Instant::now(),
        })
    }

    /// The index, reloaded first (with `store`) when it is missing or the
    /// store changed; `None` when it cannot be loaded (callers then use SQL).
    fn get(&self, store: &Store) -> Option<Arc<EventIndex>> {
        let now = self.epoch.elapsed().as_millis() as u64;
        let last = self.last_check_ms.load(Ordering::Relaxed);
        let have = self
            .current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let due = have.is_none() || now.saturating_sub(last) >= INDEX_CHECK.as_millis() as u64;
        // One request checks (and reloads); the others go on with the index they have.
        if due
            && self
                .last_check_ms
                .compare_exchange(last, now.max(1), Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
        {
            if let Ok(mut loaded) = self.loaded_version.try_lock() {
                let version = self
                    .watch
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .data_version();
                match version {
                    Ok(v) if have.is_some() && *loaded == Some(v) => {}
                    Ok(v) => match EventIndex::load(store) {
                        Ok(ix) => {
                            tracing::debug!(events = ix.len(), "event index loaded");
                            let ix = Arc::new(ix);
                            *self.current.write().unwrap_or_else(|e| e.into_inner()) =
                                Some(ix.clone());
                            *loaded = Some(v);
                            return Some(ix);
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "cannot load the event index; answering from SQL")
                        }
                    },
                    Err(e) => tracing::warn!(error = %e, "cannot read the store's data version"),
                }
            }
        }
        have
    }
}

struct AppState {
    pool: Pool,
    cache: Cache,
    index: IndexSlot,
}

type Shared = Arc<AppState>;

/// An API error: a status and a message, sent as `{"error": ..}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn bad_request(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }
    fn not_found(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            // Bad filter values (unknown zone...) are the client's error.
            StoreError::Query(m) => ApiError::bad_request(m),
            other => {
                tracing::error!(error = %other, "store error");
                ApiError {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    message: other.to_string(),
                }
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.message, "status": self.status.as_u16() });
        (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response()
    }
}

type ApiResult = Result<Response, ApiError>;
type Params = Query<HashMap<String, String>>;

/// Builds the router over the database at `db` (opened read-only).
pub fn router(db: &Path) -> Result<Router, ServerError> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let err = |source| ServerError::Store {
        path: db.display().to_string(),
        source,
    };
    let pool = Pool::open(db, threads * 2).map_err(err)?;
    let index = IndexSlot::open(db).map_err(err)?;
    // Load the index now so the first requests do not wait for it.
    pool.with(|s| index.get(s));
    let state = Arc::new(AppState {
        pool,
        cache: Cache {
            entries: Mutex::new(HashMap::new()),
            inflight: Mutex::new(HashMap::new()),
            ttl: Duration::from_secs(2),
            max: 4096,
        },
        index,
    });
    Ok(Router::new()
        .route("/", get(assets::index))
        .route("/assets/{file}", get(assets::asset))
        .route("/api/openapi.json", get(openapi))
        .route("/api/events", get(events))
        .route("/api/events/clusters", get(clusters))
        .route("/api/events/extent", get(extent))
        .route("/api/events/{id}", get(event))
        .route("/api/timeline", get(timeline))
        .route("/api/documents", get(documents))
        .route("/api/documents/{id}", get(document))
        .route("/api/places", get(places))
        .route("/api/zones", get(zones))
        .route("/api/stats", get(stats))
        .route("/api/situation/zone/{name}", get(situation_zone))
        .route("/api/situation/control", get(situation_control))
        .route("/api/export/{file}", get(export::export))
        .fallback(|| async { ApiError::not_found("no such route") })
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(state))
}

/// Serves the API and page on `addr` until Ctrl-C.
pub async fn serve(db: &Path, addr: SocketAddr) -> Result<(), ServerError> {
    let app = router(db)?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServerError::Bind { addr, source })?;
    tracing::info!(%addr, db = %db.display(), "serving");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Parameter parsing
// ---------------------------------------------------------------------------

fn filter_from(p: &HashMap<String, String>) -> Result<EventFilter, ApiError> {
    let get = |k: &str| {
        p.get(k)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    for k in ["from", "to"] {
        if let Some(d) = get(k) {
            if chrono_like_date(&d).is_none() {
                return Err(ApiError::bad_request(format!(
                    "{k}: expected YYYY-MM-DD, got {d:?}"
                )));
            }
        }
    }
    let bbox = match get("bbox") {
        None => None,
        Some(s) => {
            let v: Vec<f64> = s
                .split(',')
                .map(|x| x.trim().parse::<f64>())
                .collect::<Result<_, _>>()
                .map_err(|_| {
                    ApiError::bad_request(format!(
                        "bbox: expected west,south,east,north in degrees, got {s:?}"
                    ))
                })?;
            if v.len() != 4 || v[0] > v[2] || v[1] > v[3] || v.iter().any(|x| !x.is_finite()) {
                return Err(ApiError::bad_request(format!("bbox: expected west,south,east,north with west<=east and south<=north, got {s:?}")));
            }
            Some([v[0], v[1], v[2], v[3]])
        }
    };
    let disputed = match get("disputed").as_deref() {
        None | Some("false") | Some("0") => false,
        Some("true") | Some("1") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "disputed: expected true or false, got {other:?}"
            )))
        }
    };
    Ok(EventFilter {
        q: get("q"),
        from: get("from"),
        to: get("to"),
        bbox,
        zone: get("zone"),
        actor: get("actor"),
        category: get("category"),
        acled: get("acled"),
        outlet: get("outlet"),
        disputed,
    })
}

/// Validates YYYY-MM-DD without pulling a date library into the server.
fn chrono_like_date(s: &str) -> Option<()> {
    let b = s.as_bytes();
    let ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    ok.then_some(())
}

fn number(p: &HashMap<String, String>, key: &str, default: u64, max: u64) -> Result<u64, ApiError> {
    match p.get(key).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => s.parse::<u64>().map(|n| n.min(max)).map_err(|_| {
            ApiError::bad_request(format!("{key}: expected a non-negative integer, got {s:?}"))
        }),
    }
}

// ---------------------------------------------------------------------------
// Responses: JSON with ETag, cached per URL
// ---------------------------------------------------------------------------

fn etag_of(bytes: &[u8]) -> String {
    format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(bytes))
}

fn respond(headers: &HeaderMap, body: &Body) -> Response {
    let not_modified = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == body.etag)
        });
    let mut resp = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (StatusCode::OK, body.bytes.clone()).into_response()
    };
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(body.content_type),
    );
    if let Ok(v) = HeaderValue::from_str(&body.etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    resp
}

/// Runs `f` on a pooled connection off the async threads, caching its JSON
/// under `key`.
async fn cached_json<T, F>(st: &Shared, headers: &HeaderMap, key: String, f: F) -> ApiResult
where
    T: Serialize + Send + 'static,
    F: FnOnce(&Store) -> Result<T, ApiError> + Send + 'static,
{
    if let Some(body) = st.cache.get(&key) {
        return Ok(respond(headers, &body));
    }
    let flight = {
        let mut inflight = st.cache.inflight.lock().unwrap_or_else(|e| e.into_inner());
        inflight.entry(key.clone()).or_default().clone()
    };
    // The first request runs `f`; the others await its result. Should the
    // first be cancelled (client gone), the next waiter runs its own `f`.
    let result = flight
        .get_or_init(|| async {
            let st2 = st.clone();
            let computed = compute(st2, f).await;
            if let Ok(body) = &computed {
                st.cache.put(key.clone(), body.clone());
            }
            computed.map_err(|e| (e.status, e.message))
        })
        .await
        .clone();
    {
        let mut inflight = st.cache.inflight.lock().unwrap_or_else(|e| e.into_inner());
        if inflight.get(&key).is_some_and(|f| Arc::ptr_eq(f, &flight)) {
            inflight.remove(&key);
        }
    }
    match result {
        Ok(body) => Ok(respond(headers, &body)),
        Err((status, message)) => Err(ApiError { status, message }),
    }
}

/// Runs `f` on a pooled connection off the async threads and serializes
/// its answer.
async fn compute<T, F>(st: Shared, f: F) -> Result<Arc<Body>, ApiError>
where
    T: Serialize + Send + 'static,
    F: FnOnce(&Store) -> Result<T, ApiError> + Send + 'static,
{
    let value = tokio::task::spawn_blocking(move || st.pool.with(f))
        .await
        .map_err(|e| ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: e.to_string(),
        })??;
    let bytes = serde_json::to_vec(&value).map_err(|e| ApiError {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        message: e.to_string(),
    })?;
    Ok(Arc::new(Body {
        etag: etag_of(&bytes),
        bytes: bytes.into(),
        content_type: "application/json",
    }))
}

fn cache_key(route: &str, p: &HashMap<String, String>) -> String {
    let mut kv: Vec<_> = p.iter().collect();
    kv.sort();
    let mut key = route.to_string();
    for (k, v) in kv {
        key.push('&');
        key.push_str(k);
        key.push('=');
        key.push_str(v);
    }
    key
}

// ---------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------

async fn openapi(headers: HeaderMap) -> Response {
    let bytes = axum::body::Bytes::from_static(include_bytes!("openapi.json"));
    respond(
        &headers,
        &Body {
            etag: etag_of(&bytes),
            bytes,
            content_type: "application/json",
        },
    )
}

async fn events(State(st): State<Shared>, headers: HeaderMap, Query(p): Params) -> ApiResult {
    let filter = filter_from(&p)?;
    let limit = number(&p, "limit", 50, 1000)?;
    let offset = number(&p, "offset", 0, u64::MAX)?;
    let sort = match p.get("sort").map(String::as_str).unwrap_or("") {
        "" | "-date" => EventSort::DateDesc,
        "date" => EventSort::Date,
        "confidence" => EventSort::Confidence,
        "sources" => EventSort::Sources,
        other => {
            return Err(ApiError::bad_request(format!(
                "sort: expected date, -date, confidence or sources, got {other:?}"
            )))
        }
    };
    let st2 = st.clone();
    cached_json(&st, &headers, cache_key("events", &p), move |s| {
        Ok(match st2.index.get(s) {
            Some(ix) => ix.list_events(s, &filter, sort, limit, offset)?,
            None => s.list_events(&filter, sort, limit, offset)?,
        })
    })
    .await
}

async fn clusters(State(st): State<Shared>, headers: HeaderMap, Query(p): Params) -> ApiResult {
    let filter = filter_from(&p)?;
    let zoom = number(&p, "zoom", 0, 20)? as u32;
    let st2 = st.clone();
    cached_json(&st, &headers, cache_key("clusters", &p), move |s| {
        let clusters = match st2.index.get(s) {
            Some(ix) => ix.event_clusters(s, &filter, zoom)?,
            None => s.event_clusters(&filter, zoom)?,
        };
        Ok(serde_json::json!({ "zoom": zoom, "clusters": clusters }))
    })
    .await
}

async fn extent(State(st): State<Shared>, headers: HeaderMap, Query(p): Params) -> ApiResult {
    let filter = filter_from(&p)?;
    cached_json(&st, &headers, cache_key("extent", &p), move |s| {
        Ok(serde_json::json!({ "bbox": s.event_extent(&filter)? }))
    })
    .await
}

async fn event(
    State(st): State<Shared>,
    headers: HeaderMap,
    UrlPath(id): UrlPath<String>,
) -> ApiResult {
    let key = format!("event/{id}");
    cached_json(&st, &headers, key, move |s| {
        let v = s
            .event_view(&id)?
            .ok_or_else(|| ApiError::not_found(format!("no event {id:?}")))?;
        // The card wants each mention with its document's details inline.
        let mut json =
            serde_json::to_value(&v.event).map_err(|e| ApiError::bad_request(e.to_string()))?;
        json["mentions"] = serde_json::to_value(&v.mention_documents)
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
        Ok(json)
    })
    .await
}

async fn timeline(State(st): State<Shared>, headers: HeaderMap, Query(p): Params) -> ApiResult {
    let filter = filter_from(&p)?;
    let bucket = p.get("bucket").cloned().unwrap_or_else(|| "week".into());
    if !matches!(bucket.as_str(), "day" | "week" | "month") {
        return Err(ApiError::bad_request(format!(
            "bucket: expected day, week or month, got {bucket:?}"
        )));
    }
    let st2 = st.clone();
    cached_json(&st, &headers, cache_key("timeline", &p), move |s| {
        let buckets = timeline_of(&st2, s, &filter, &bucket)?;
        Ok(serde_json::json!({ "bucket": bucket, "buckets": buckets }))
    })
    .await
}

async fn documents(State(st): State<Shared>, headers: HeaderMap, Query(p): Params) -> ApiResult {
    let limit = number(&p, "limit", 50, 1000)?;
    let offset = number(&p, "offset", 0, u64::MAX)?;
    let q = p.get("q").cloned();
    let outlet = p.get("outlet").cloned();
    cached_json(&st, &headers, cache_key("documents", &p), move |s| {
        Ok(s.list_documents(q.as_deref(), outlet.as_deref(), limit, offset)?)
    })
    .await
}

async fn document(
    State(st): State<Shared>,
    headers: HeaderMap,
    UrlPath(id): UrlPath<String>,
) -> ApiResult {
    cached_json(&st, &headers, format!("document/{id}"), move |s| {
        s.document_view(&id)?
            .ok_or_else(|| ApiError::not_found(format!("no document {id:?}")))
    })
    .await
}

async fn places(State(st): State<Shared>, headers: HeaderMap) -> ApiResult {
    cached_json(&st, &headers, "places".into(), |s| {
        Ok(serde_json::json!({ "places": sitrep_store::export::aggregate_places(s)? }))
    })
    .await
}

async fn zones(State(st): State<Shared>, headers: HeaderMap) -> ApiResult {
    cached_json(&st, &headers, "zones".into(), |s| {
        Ok(serde_json::json!({ "zones": s.zone_shapes()? }))
    })
    .await
}

async fn stats(State(st): State<Shared>, headers: HeaderMap) -> ApiResult {
    cached_json(&st, &headers, "stats".into(), |s| {
        let base = s.stats()?;
        let to_map =
            |v: Vec<(String, u64)>| v.into_iter().collect::<std::collections::BTreeMap<_, _>>();
        let mut json =
            serde_json::to_value(&base).map_err(|e| ApiError::bad_request(e.to_string()))?;
        json["events_by_category"] =
            serde_json::to_value(to_map(s.facet_counts(Facet::Category)?)).unwrap_or_default();
        json["events_by_acled"] =
            serde_json::to_value(to_map(s.facet_counts(Facet::AcledSubType)?)).unwrap_or_default();
        json["documents_by_outlet"] = serde_json::to_value(
            base.outlets
                .iter()
                .map(|o| (o.name.clone(), o.count))
                .collect::<std::collections::BTreeMap<_, _>>(),
        )
        .unwrap_or_default();
        Ok(json)
    })
    .await
}

/// Events per time bucket, from the index when it is loaded.
fn timeline_of(
    st: &AppState,
    s: &Store,
    filter: &EventFilter,
    bucket: &str,
) -> Result<Vec<sitrep_store::read::Bucket>, ApiError> {
    Ok(match st.index.get(s) {
        Some(ix) => ix.event_timeline(s, filter, bucket)?,
        None => s.event_timeline(filter, bucket)?,
    })
}

/// Events inside a zone per week: incursions over time.
async fn situation_zone(
    State(st): State<Shared>,
    headers: HeaderMap,
    UrlPath(name): UrlPath<String>,
    Query(p): Params,
) -> ApiResult {
    let mut filter = filter_from(&p)?;
    filter.zone = Some(name.clone());
    let st2 = st.clone();
    cached_json(&st, &headers, cache_key(&format!("situation/zone/{name}"), &p), move |s| {
        let buckets = timeline_of(&st2, s, &filter, "week")?;
        let periods: Vec<_> = buckets
            .into_iter()
            .filter(|b| b.count > 0)
            .map(|b| serde_json::json!({ "period": format!("week of {}", b.start), "start": b.start, "end": b.end, "count": b.count }))
            .collect();
        Ok(serde_json::json!({ "zone": name, "periods": periods }))
    })
    .await
}

/// Control claims: territory changes per place over time, by whom, per
/// source (ACLED territory sub-types).
async fn situation_control(
    State(st): State<Shared>,
    headers: HeaderMap,
    Query(p): Params,
) -> ApiResult {
    let filter = filter_from(&p)?;
    cached_json(
        &st,
        &headers,
        cache_key("situation/control", &p),
        move |s| {
            let events = s.filtered_events(&filter)?;
            // The analytics give one claim per place, event and reporting
            // source; the table shows one row per event with its sources.
            let mut rows: Vec<(Option<String>, String, serde_json::Value)> = Vec::new();
            for (place, claims) in sitrep_resolve::analytics::control_claims(&events) {
                for same in claims.chunk_by(|a, b| a.event_id == b.event_id) {
                    let c = &same[0];
                    let date = c.date.map(|d| d.start.to_string());
                    let sources: Vec<&str> = same.iter().map(|c| c.source.as_str()).collect();
                    let claimed_by: Vec<&str> =
                        c.claimed_by.iter().map(|x| x.claimant.as_str()).collect();
                    rows.push((
                        date.clone(),
                        c.event_id.clone(),
                        serde_json::json!({
                            "event": c.event_id,
                            "date": date,
                            "place": place,
                            "actor": c.taker,
                            "from": c.loser,
                            "change": c.change.as_str(),
                            "sources": sources,
                            "claimed_by": claimed_by,
                        }),
                    ));
                }
            }
            rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
            let claims: Vec<serde_json::Value> = rows.into_iter().map(|r| r.2).collect();
            Ok(serde_json::json!({ "claims": claims }))
        },
    )
    .await
}

#[cfg(test)]
mod tests;
