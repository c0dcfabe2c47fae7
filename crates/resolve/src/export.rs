//! Event export helpers for `sitrep export --kind events` (SCHEMA.md):
//! the JSON object, the GeoJSON feature and the ACLED-style CSV row.

use serde_json::{json, Value};
use sitrep_model::{ActorRole, Event, GeoPrecision};

/// ACLED's event and sub-event types, exact labels.
pub const ACLED_SUBTYPES: [(&str, &str); 25] = [
    ("Battles", "Armed clash"),
    ("Battles", "Government regains territory"),
    ("Battles", "Non-state actor overtakes territory"),
    ("Explosions/Remote violence", "Chemical weapon"),
    ("Explosions/Remote violence", "Air/drone strike"),
    ("Explosions/Remote violence", "Suicide bomb"),
    (
        "Explosions/Remote violence",
        "Shelling/artillery/missile attack",
    ),
    (
        "Explosions/Remote violence",
        "Remote explosive/landmine/IED",
    ),
    ("Explosions/Remote violence", "Grenade"),
    ("Violence against civilians", "Sexual violence"),
    ("Violence against civilians", "Attack"),
    (
        "Violence against civilians",
        "Abduction/forced disappearance",
    ),
    ("Protests", "Peaceful protest"),
    ("Protests", "Protest with intervention"),
    ("Protests", "Excessive force against protesters"),
    ("Riots", "Violent demonstration"),
    ("Riots", "Mob violence"),
    ("Strategic developments", "Agreement"),
    ("Strategic developments", "Arrests"),
    ("Strategic developments", "Change to group/activity"),
    ("Strategic developments", "Disrupted weapons use"),
    ("Strategic developments", "Headquarters or base established"),
    ("Strategic developments", "Looting/property destruction"),
    (
        "Strategic developments",
        "Non-violent transfer of territory",
    ),
    ("Strategic developments", "Other"),
];

/// CSV header, in SCHEMA.md's order.
pub const CSV_HEADER: [&str; 19] = [
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

/// The event as its SCHEMA.md JSON object (one JSON Lines record).
pub fn to_json(e: &Event) -> Value {
    serde_json::to_value(e).unwrap_or(Value::Null)
}

/// A GeoJSON Feature: a Point at the event's location (null geometry when
/// it has no coordinates) with the event's fields as properties.
pub fn to_geojson_feature(e: &Event) -> Value {
    let geometry = e
        .location
        .as_ref()
        .and_then(|p| Some((p.lon?, p.lat?)))
        .map_or(
            Value::Null,
            |(lon, lat)| json!({"type": "Point", "coordinates": [lon, lat]}),
        );
    json!({"type": "Feature", "id": e.id, "geometry": geometry, "properties": to_json(e)})
}

/// ACLED's geo_precision code: 1 exact place, 2 near it, 3 province or wider.
fn geo_code(p: GeoPrecision) -> u8 {
    match p {
        GeoPrecision::Exact => 1,
        GeoPrecision::Near => 2,
        GeoPrecision::Admin1 | GeoPrecision::Country => 3,
    }
}

/// One CSV row with the columns of [`CSV_HEADER`]. Unknown values are
/// empty strings; `time_precision` and `geo_precision` use ACLED's codes
/// (1 day/exact, 2 week/near, 3 wider).
pub fn csv_row(e: &Event) -> Vec<String> {
    let loc = e.location.as_ref();
    let country = loc.and_then(|l| l.country.clone()).unwrap_or_default();
    let event_id_cnty = if country.is_empty() {
        e.id.clone()
    } else {
        format!("{country}-{}", e.id)
    };
    let actor = |role: ActorRole| {
        e.actors
            .iter()
            .find(|a| a.role == role)
            .map(|a| a.name.clone())
            .unwrap_or_default()
    };
    let num = |v: Option<f64>| v.map(|x| format!("{x}")).unwrap_or_default();
    let mut notes = e.summary.clone();
    for c in &e.claimed_by {
        notes.push_str(&format!(" [{} {}]", c.claimant, c.stance.as_str()));
    }
    let mut disputes: Vec<&str> = e.disputes.iter().map(|d| d.field.as_str()).collect();
    disputes.dedup();
    vec![
        event_id_cnty,
        e.date.map(|d| d.start.to_string()).unwrap_or_default(),
        e.date
            .map(|d| d.precision.acled_code().to_string())
            .unwrap_or_default(),
        e.acled
            .as_ref()
            .map(|a| a.event_type.clone())
            .unwrap_or_default(),
        e.acled
            .as_ref()
            .map(|a| a.sub_event_type.clone())
            .unwrap_or_default(),
        actor(ActorRole::Actor),
        actor(ActorRole::Target),
        country,
        loc.and_then(|l| l.admin1.clone()).unwrap_or_default(),
        loc.map(|l| l.name.clone()).unwrap_or_default(),
        num(loc.and_then(|l| l.lat)),
        num(loc.and_then(|l| l.lon)),
        loc.map(|l| geo_code(l.precision).to_string())
            .unwrap_or_default(),
        e.sources.join("; "),
        notes,
        e.fatalities.map(|f| f.to_string()).unwrap_or_default(),
        e.category.as_str().to_string(),
        e.sources.len().to_string(),
        disputes.join("; "),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use sitrep_model::*;

    fn event() -> Event {
        Event {
            id: "abc".into(),
            category: Plover::Assault,
            acled: Some(AcledType {
                event_type: "Explosions/Remote violence".into(),
                sub_event_type: "Air/drone strike".into(),
            }),
            summary: "US-led coalition strikes pro-Syrian government forces near At Tanf".into(),
            date: NaiveDate::from_ymd_opt(2017, 5, 18).map(DateRange::day),
            actors: vec![
                EventActor {
                    name: "US-led coalition".into(),
                    role: ActorRole::Actor,
                    kind: ActorKind::StateMilitary,
                    surface: vec![],
                },
                EventActor {
                    name: "pro-Syrian government forces".into(),
                    role: ActorRole::Target,
                    kind: ActorKind::StateMilitary,
                    surface: vec![],
                },
            ],
            location: Some(Place {
                name: "At Tanf".into(),
                lat: Some(33.49),
                lon: Some(38.65),
                country: Some("SY".into()),
                admin1: Some("Homs".into()),
                precision: GeoPrecision::Near,
                ..Default::default()
            }),
            equipment: vec![],
            quantities: vec![],
            fatalities: None,
            claimed_by: vec![ClaimedBy {
                claimant: "US military".into(),
                stance: Stance::Asserts,
            }],
            mentions: vec![],
            sources: vec!["Sputnik".into(), "The Guardian".into()],
            disputes: vec![Dispute {
                field: "date".into(),
                values: vec![],
            }],
            confidence: 0.8,
            coding: vec![],
        }
    }

    #[test]
    fn csv_row_follows_schema_columns() {
        let row = csv_row(&event());
        assert_eq!(row.len(), CSV_HEADER.len());
        let get = |c: &str| row[CSV_HEADER.iter().position(|h| *h == c).unwrap()].as_str();
        assert_eq!(get("event_id_cnty"), "SY-abc");
        assert_eq!(get("event_date"), "2017-05-18");
        assert_eq!(get("time_precision"), "1");
        assert_eq!(get("sub_event_type"), "Air/drone strike");
        assert_eq!(get("actor1"), "US-led coalition");
        assert_eq!(get("actor2"), "pro-Syrian government forces");
        assert_eq!(get("latitude"), "33.49");
        assert_eq!(get("geo_precision"), "2");
        assert_eq!(get("source"), "Sputnik; The Guardian");
        assert_eq!(get("fatalities"), "");
        assert_eq!(get("plover_category"), "ASSAULT");
        assert_eq!(get("n_sources"), "2");
        assert_eq!(get("disputes"), "date");
        let mut e = event();
        e.disputes.push(Dispute {
            field: "fatalities".into(),
            values: vec![],
        });
        let row = csv_row(&e);
        assert_eq!(row[18], "date; fatalities");
        assert!(get("notes").contains("[US military asserts]"));
    }

    #[test]
    fn geojson_feature_has_point_and_schema_properties() {
        let f = to_geojson_feature(&event());
        assert_eq!(f["type"], "Feature");
        assert_eq!(f["geometry"]["coordinates"], json!([38.65, 33.49]));
        let p = &f["properties"];
        assert_eq!(p["category"], "ASSAULT");
        assert_eq!(p["acled"]["sub_event_type"], "Air/drone strike");
        assert_eq!(p["date"]["start"], "2017-05-18");
        assert_eq!(p["date"]["precision"], "day");
        assert_eq!(p["actors"][0]["role"], "actor");
        assert_eq!(p["actors"][0]["kind"], "state_military");
        assert_eq!(p["location"]["precision"], "near");
        assert_eq!(p["claimed_by"][0]["stance"], "asserts");
        for k in [
            "id",
            "summary",
            "equipment",
            "quantities",
            "fatalities",
            "mentions",
            "sources",
            "disputes",
            "confidence",
        ] {
            assert!(p.get(k).is_some(), "{k}");
        }
        let mut e = event();
        e.location = None;
        assert_eq!(to_geojson_feature(&e)["geometry"], Value::Null);
    }
}
