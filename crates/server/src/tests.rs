//! API tests over a small store written here (events in our own words).

use std::path::PathBuf;

use axum::body::Body as AxBody;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use sitrep_model::*;
use sitrep_store::NewDocument;
use sitrep_store::Store;
use tower::ServiceExt;

fn date(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

fn place(name: &str, lat: f64, lon: f64, admin1: &str) -> Place {
    Place {
        name: name.into(),
        surface: vec![name.into()],
        lat: Some(lat),
        lon: Some(lon),
        country: Some("SY".into()),
        admin1: Some(admin1.into()),
        feature: Feature::Base,
        geonames_id: None,
        mentions: 1,
        precision: GeoPrecision::Exact,
    }
}

fn event(
    id: &str,
    cat: Plover,
    day: &str,
    loc: Option<Place>,
    sources: &[&str],
    disputed: bool,
) -> Event {
    Event {
        id: id.into(),
        category: cat,
        acled: (cat == Plover::Assault).then(|| AcledType {
            event_type: "Explosions/Remote violence".into(),
            sub_event_type: "Air/drone strike".into(),
        }),
        summary: format!(
            "{} event at {}",
            cat.as_str(),
            loc.as_ref().map_or("unknown place", |l| l.name.as_str())
        ),
        date: Some(DateRange::day(date(day))),
        actors: vec![EventActor {
            name: "Global Coalition".into(),
            role: ActorRole::Actor,
            kind: ActorKind::StateMilitary,
            surface: vec!["coalition warplanes".into()],
        }],
        location: loc,
        equipment: vec![],
        quantities: vec![],
        fatalities: None,
        claimed_by: vec![],
        mentions: sources
            .iter()
            .enumerate()
            .map(|(i, o)| Provenance {
                document: format!("doc{i}"),
                outlet: Some((*o).into()),
                sentence: "Coalition aircraft struck a convoy approaching the garrison.".into(),
                start: 0,
                end: 60,
            })
            .collect(),
        sources: sources.iter().map(|s| s.to_string()).collect(),
        disputes: if disputed {
            vec![Dispute {
                field: "fatalities".into(),
                values: vec![
                    DisputeValue {
                        value: "6".into(),
                        documents: vec!["doc0".into()],
                    },
                    DisputeValue {
                        value: "8".into(),
                        documents: vec!["doc1".into()],
                    },
                ],
            }]
        } else {
            vec![]
        },
        confidence: 0.8,
        coding: vec![Coding {
            trigger: "struck".into(),
            rule: "test".into(),
        }],
    }
}

/// A test's folder, removed when the test ends, passed or failed.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "sitrep-server-{name}-{}-{}",
            std::process::id(),
            rand_suffix()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
}

impl std::ops::Deref for TempDir {
    type Target = std::path::Path;
    fn deref(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn fixture() -> (TempDir, axum::Router) {
    let dir = TempDir::new("test");
    let db = dir.join("t.db");
    let mut store = Store::open(&db).expect("open store");
    let doc = Document {
        id: "doc0".into(),
        path: "a.txt".into(),
        outlet: Some("Levant Ledger".into()),
        title: Some("Strike near the garrison".into()),
        text:
            "Coalition aircraft struck a convoy approaching the garrison near At Tanf on Thursday."
                .into(),
        ..Default::default()
    };
    store
        .insert_batch(&[NewDocument::bare(doc)])
        .expect("insert");
    let tanf = place("At Tanf", 33.49, 38.66, "Homs");
    let events = vec![
        event(
            "e1",
            Plover::Assault,
            "2017-05-18",
            Some(tanf.clone()),
            &["Levant Ledger", "Euphrates Wire"],
            true,
        ),
        event(
            "e2",
            Plover::Assault,
            "2017-06-08",
            Some(place("Near zone", 33.60, 38.90, "Homs")),
            &["Levant Ledger"],
            false,
        ),
        event(
            "e3",
            Plover::Consult,
            "2017-05-30",
            Some(place("Amman", 31.95, 35.93, "Amman")),
            &["Capital Tribune"],
            false,
        ),
        event(
            "e4",
            Plover::Threaten,
            "2017-06-01",
            None,
            &["Capital Tribune"],
            false,
        ),
    ];
    store.replace_events(&events).expect("events");
    store
        .put_zone(
            "al-Tanf deconfliction zone",
            "circle",
            &serde_json::json!({"lat": 33.49, "lon": 38.66, "radius_km": 55.0}),
        )
        .expect("zone");
    drop(store);
    let app = crate::router(&db).expect("router");
    (dir, app)
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

async fn get(app: &axum::Router, uri: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let resp = app
        .clone()
        .oneshot(Request::get(uri).body(AxBody::empty()).expect("request"))
        .await
        .expect("response");
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    (status, headers, body)
}

async fn get_json(app: &axum::Router, uri: &str) -> serde_json::Value {
    let (status, _, body) = get(app, uri).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{uri}: {}",
        String::from_utf8_lossy(&body)
    );
    serde_json::from_slice(&body).expect("json")
}

fn ids(v: &serde_json::Value) -> Vec<String> {
    let mut ids: Vec<String> = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["id"].as_str().unwrap_or("").to_string())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn event_filters() {
    let (_dir, app) = fixture();
    assert_eq!(
        ids(&get_json(&app, "/api/events").await),
        ["e1", "e2", "e3", "e4"]
    );
    assert_eq!(
        ids(&get_json(&app, "/api/events?category=ASSAULT").await),
        ["e1", "e2"]
    );
    assert_eq!(
        ids(&get_json(&app, "/api/events?from=2017-05-25&to=2017-06-05").await),
        ["e3", "e4"]
    );
    assert_eq!(
        ids(&get_json(&app, "/api/events?bbox=35,31,37,33").await),
        ["e3"]
    );
    assert_eq!(
        ids(&get_json(&app, "/api/events?disputed=true").await),
        ["e1"]
    );
    assert_eq!(
        ids(&get_json(&app, "/api/events?outlet=Capital%20Tribune").await),
        ["e3", "e4"]
    );
    assert_eq!(
        ids(&get_json(&app, "/api/events?acled=Air%2Fdrone%20strike").await),
        ["e1", "e2"]
    );
    assert_eq!(
        ids(&get_json(
            &app,
            "/api/events?actor=Global%20Coalition&category=CONSULT"
        )
        .await),
        ["e3"]
    );
    // e2 is ~25 km from the zone's centre: inside; Amman is not.
    assert_eq!(
        ids(&get_json(&app, "/api/events?zone=al-Tanf%20deconfliction%20zone").await),
        ["e1", "e2"]
    );
    let page = get_json(&app, "/api/events?limit=1&offset=1&sort=date").await;
    assert_eq!(page["total"], 4);
    assert_eq!(page["items"][0]["id"], "e3");
}

#[tokio::test]
async fn event_card_and_errors() {
    let (_dir, app) = fixture();
    let e = get_json(&app, "/api/events/e1").await;
    assert_eq!(e["sources"].as_array().map(Vec::len), Some(2));
    assert_eq!(e["mentions"][0]["title"], "Strike near the garrison");
    assert_eq!(e["disputes"][0]["field"], "fatalities");
    let (status, _, body) = get(&app, "/api/events/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(String::from_utf8_lossy(&body).contains("\"error\""));
    for bad in [
        "/api/events?bbox=1,2,3",
        "/api/events?from=May",
        "/api/events?limit=x",
        "/api/events?zone=nowhere",
        "/api/timeline?bucket=year",
    ] {
        let (status, _, body) = get(&app, bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        let v: serde_json::Value = serde_json::from_slice(&body).expect("json error");
        assert!(v["error"].as_str().is_some_and(|m| !m.is_empty()), "{bad}");
    }
}

#[tokio::test]
async fn etag_gives_not_modified() {
    let (_dir, app) = fixture();
    let (_, headers, _) = get(&app, "/api/stats").await;
    let tag = headers
        .get("etag")
        .expect("etag")
        .to_str()
        .expect("ascii")
        .to_string();
    let req = Request::get("/api/stats")
        .header("if-none-match", &tag)
        .body(AxBody::empty())
        .expect("request");
    let resp = app.clone().oneshot(req).await.expect("response");
    assert_eq!(resp.status(), StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn clusters_timeline_and_situation() {
    let (_dir, app) = fixture();
    let world = get_json(&app, "/api/events/clusters?zoom=0").await;
    let total: u64 = world["clusters"]
        .as_array()
        .expect("clusters")
        .iter()
        .map(|c| c["count"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(total, 3, "undated-place events are not on the map");
    let close = get_json(&app, "/api/events/clusters?zoom=10").await;
    assert_eq!(close["clusters"].as_array().map(Vec::len), Some(3));
    let t = get_json(&app, "/api/timeline?bucket=week").await;
    let counts: u64 = t["buckets"]
        .as_array()
        .expect("buckets")
        .iter()
        .map(|b| b["count"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(counts, 4);
    assert_eq!(t["buckets"][0]["start"], "2017-05-15");
    let z = get_json(&app, "/api/situation/zone/al-Tanf%20deconfliction%20zone").await;
    assert_eq!(z["periods"].as_array().map(Vec::len), Some(2));
    let ext = get_json(&app, "/api/events/extent").await;
    assert_eq!(ext["bbox"].as_array().map(Vec::len), Some(4));
}

#[tokio::test]
async fn exports_and_page() {
    let (_dir, app) = fixture();
    let g = get_json(&app, "/api/export/events.geojson?category=ASSAULT").await;
    assert_eq!(g["type"], "FeatureCollection");
    assert_eq!(g["features"].as_array().map(Vec::len), Some(2));
    assert_eq!(g["features"][0]["properties"]["category"], "ASSAULT");
    let (status, _, csv) = get(&app, "/api/export/events.csv").await;
    assert_eq!(status, StatusCode::OK);
    let csv = String::from_utf8(csv).expect("utf8");
    assert!(csv.starts_with(
        "event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,actor2,"
    ));
    assert_eq!(csv.lines().count(), 5);
    let (_, _, jsonl) = get(&app, "/api/export/events.jsonl?disputed=true").await;
    assert_eq!(String::from_utf8_lossy(&jsonl).lines().count(), 1);
    let (status, headers, html) = get(&app, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"]
        .to_str()
        .unwrap_or("")
        .starts_with("text/html"));
    assert!(String::from_utf8_lossy(&html).contains("/assets/app.js"));
    for a in [
        "/assets/app.js",
        "/assets/app.css",
        "/assets/countries.json",
    ] {
        assert_eq!(get(&app, a).await.0, StatusCode::OK, "{a}");
    }
    // No asset or page refers to another host: the page works offline.
    for a in ["/", "/assets/app.js", "/assets/app.css"] {
        let body = String::from_utf8(get(&app, a).await.2).expect("utf8");
        assert!(
            !body.contains("http://") && !body.contains("https://")
                || body.contains("http://www.w3.org/2000/svg"),
            "{a} loads from the network"
        );
    }
}

#[tokio::test]
async fn every_route_is_documented_and_answers() {
    let (_dir, app) = fixture();
    let doc = get_json(&app, "/api/openapi.json").await;
    let paths = doc["paths"].as_object().expect("paths");
    for route in [
        "/api/events",
        "/api/events/clusters",
        "/api/events/extent",
        "/api/events/{id}",
        "/api/timeline",
        "/api/documents",
        "/api/documents/{id}",
        "/api/places",
        "/api/zones",
        "/api/stats",
        "/api/situation/zone/{name}",
        "/api/situation/control",
        "/api/export/{file}",
        "/api/openapi.json",
    ] {
        assert!(
            paths.contains_key(route),
            "{route} missing from openapi.json"
        );
    }
    for path in paths.keys() {
        let uri = path
            .replace("{id}", "e1")
            .replace("{name}", "al-Tanf%20deconfliction%20zone")
            .replace("{file}", "events.jsonl");
        let uri = if path == "/api/documents/{id}" {
            "/api/documents/doc0".to_string()
        } else {
            uri
        };
        let (status, _, body) = get(&app, &uri).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{uri}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    let d = get_json(&app, "/api/documents/doc0").await;
    assert_eq!(d["outlet"], "Levant Ledger");
    assert!(d["spans"]["places"].is_array());
}

#[tokio::test]
async fn event_index_follows_a_new_ingest() {
    let (dir, app) = fixture();
    assert_eq!(get_json(&app, "/api/events").await["total"], 4);
    // An ingest (another connection) replaces the events.
    let mut store = Store::open(dir.join("t.db")).expect("open store");
    let only = event(
        "e9",
        Plover::Protest,
        "2017-07-01",
        None,
        &["Capital Tribune"],
        false,
    );
    store.replace_events(&[only]).expect("events");
    drop(store);
    // Past the index's check interval; a new URL so the response cache
    // (two seconds) does not answer.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let page = get_json(&app, "/api/events?limit=10").await;
    assert_eq!(page["total"], 1);
    assert_eq!(ids(&page), ["e9"]);
    let t = get_json(&app, "/api/timeline?bucket=month").await;
    assert_eq!(t["buckets"][0]["start"], "2017-07-01");
}

#[tokio::test]
async fn control_claims_come_from_the_analytics() {
    let dir = TempDir::new("control");
    let db = dir.join("t.db");
    let mut store = Store::open(&db).expect("open store");
    let mut dam = event(
        "t1",
        Plover::Assault,
        "2017-06-02",
        Some(place("Zalaf dam", 32.93, 36.95, "As-Suwayda")),
        &["Levant Ledger", "Euphrates Wire"],
        false,
    );
    dam.acled = Some(AcledType {
        event_type: "Battles".into(),
        sub_event_type: "Government regains territory".into(),
    });
    dam.actors = vec![
        EventActor {
            name: "Syrian Arab Army".into(),
            role: ActorRole::Actor,
            kind: ActorKind::StateMilitary,
            surface: vec!["government troops".into()],
        },
        EventActor {
            name: "Free Syrian Army".into(),
            role: ActorRole::Target,
            kind: ActorKind::NonStateArmed,
            surface: vec!["rebels".into()],
        },
    ];
    let strike = event(
        "s1",
        Plover::Assault,
        "2017-05-18",
        Some(place("At Tanf", 33.49, 38.66, "Homs")),
        &["Levant Ledger"],
        false,
    );
    store.replace_events(&[dam, strike]).expect("events");
    drop(store);
    let app = crate::router(&db).expect("router");
    let c = get_json(&app, "/api/situation/control").await;
    let claims = c["claims"].as_array().expect("claims");
    assert_eq!(claims.len(), 1, "{c}");
    assert_eq!(claims[0]["place"], "Zalaf dam");
    assert_eq!(claims[0]["change"], "retaken");
    assert_eq!(claims[0]["actor"], "Syrian Arab Army");
    assert_eq!(claims[0]["from"], "Free Syrian Army");
    assert_eq!(
        claims[0]["sources"],
        serde_json::json!(["Euphrates Wire", "Levant Ledger"])
    );
}
