//! Seed situation analytics over resolved events: activity inside a zone
//! over time, events along a route, and who claims control of which place
//! when. Pure functions over `&[Event]`.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};
use sitrep_model::{ActorRole, ClaimedBy, DateRange, Event};

use crate::haversine_km;

const EARTH_KM: f64 = 6371.0088;

/// An area of interest. Coordinates are (lat, lon) in degrees.
#[derive(Debug, Clone, PartialEq)]
pub enum Area {
    /// A circle: "the 55-km deconfliction zone around al-Tanf".
    Circle { lat: f64, lon: f64, radius_km: f64 },
    /// A simple polygon (ring of vertices, closed or not).
    Polygon(Vec<(f64, f64)>),
}

impl Area {
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        match self {
            Area::Circle {
                lat: c0,
                lon: c1,
                radius_km,
            } => haversine_km((*c0, *c1), (lat, lon)) <= *radius_km,
            Area::Polygon(ring) => point_in_ring(ring, lat, lon),
        }
    }
}

/// Even-odd ray casting in lat/lon space; adequate for zones of a few
/// hundred km away from the poles and the antimeridian.
fn point_in_ring(ring: &[(f64, f64)], lat: f64, lon: f64) -> bool {
    let n = ring.len();
    if n < 3 {
        return false;
    }
    let mut inside = false;
    let mut j = n - 1;
    for i in 0..n {
        let (yi, xi) = ring[i];
        let (yj, xj) = ring[j];
        if (yi > lat) != (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

fn point_of(e: &Event) -> Option<(f64, f64)> {
    let l = e.location.as_ref()?;
    Some((l.lat?, l.lon?))
}

/// Events located inside `area`, optionally restricted to those whose date
/// range overlaps `[from, to]`, in date order.
pub fn events_in_zone<'a>(
    events: &'a [Event],
    area: &Area,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Vec<&'a Event> {
    let mut v: Vec<&Event> = events
        .iter()
        .filter(|e| point_of(e).is_some_and(|(la, lo)| area.contains(la, lo)))
        .filter(|e| match e.date {
            Some(d) => from.is_none_or(|f| d.end >= f) && to.is_none_or(|t| d.start <= t),
            None => from.is_none() && to.is_none(),
        })
        .collect();
    v.sort_by(|a, b| {
        a.date
            .map(|d| d.start)
            .cmp(&b.date.map(|d| d.start))
            .then(a.id.cmp(&b.id))
    });
    v
}

/// Time buckets for timelines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    Day,
    /// ISO weeks, starting on Monday.
    Week,
    Month,
}

impl Bucket {
    /// First day of the bucket that contains `d`.
    pub fn start_of(self, d: NaiveDate) -> NaiveDate {
        match self {
            Bucket::Day => d,
            Bucket::Week => d
                .checked_sub_days(Days::new(u64::from(d.weekday().num_days_from_monday())))
                .unwrap_or(d),
            Bucket::Month => d.with_day(1).unwrap_or(d),
        }
    }
}

/// One bucket of a zone timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneBucket {
    pub start: NaiveDate,
    /// Ids of the events in the bucket, by their start date.
    pub events: Vec<String>,
    /// Events per PLOVER category in the bucket.
    pub by_category: BTreeMap<String, usize>,
}

/// Activity inside `area` over time: one entry per non-empty bucket, in
/// order. Undated events are left out.
pub fn zone_timeline(events: &[Event], area: &Area, bucket: Bucket) -> Vec<ZoneBucket> {
    let mut map: BTreeMap<NaiveDate, ZoneBucket> = BTreeMap::new();
    for e in events_in_zone(events, area, None, None) {
        let Some(d) = e.date else { continue };
        let start = bucket.start_of(d.start);
        let b = map.entry(start).or_insert_with(|| ZoneBucket {
            start,
            events: Vec::new(),
            by_category: BTreeMap::new(),
        });
        b.events.push(e.id.clone());
        *b.by_category
            .entry(e.category.as_str().to_string())
            .or_default() += 1;
    }
    map.into_values().collect()
}

/// An event near a route.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteHit<'a> {
    pub event: &'a Event,
    /// Shortest distance to the route, km.
    pub distance_km: f64,
    /// Distance along the route to the closest point, km from its start.
    pub along_km: f64,
}

fn bearing(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let y = (lo2 - lo1).sin() * la2.cos();
    let x = la1.cos() * la2.sin() - la1.sin() * la2.cos() * (lo2 - lo1).cos();
    y.atan2(x)
}

/// Distance from `p` to the great-circle segment `a`–`b`, and the distance
/// from `a` along the segment to the closest point (both km).
pub fn point_segment_km(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    let d12 = haversine_km(a, b) / EARTH_KM;
    let d13 = haversine_km(a, p) / EARTH_KM;
    if d12 < 1e-12 {
        return (d13 * EARTH_KM, 0.0);
    }
    let dtheta = bearing(a, p) - bearing(a, b);
    // Behind the start: the start is closest.
    if dtheta.cos() < 0.0 {
        return (d13 * EARTH_KM, 0.0);
    }
    let xt = (d13.sin() * dtheta.sin()).clamp(-1.0, 1.0).asin();
    let at = (d13.cos() / xt.cos()).clamp(-1.0, 1.0).acos();
    if at > d12 {
        return (haversine_km(b, p), d12 * EARTH_KM);
    }
    (xt.abs() * EARTH_KM, at * EARTH_KM)
}

/// Events within `max_km` of the polyline `route` ((lat, lon) vertices,
/// e.g. the Baghdad–Damascus highway), nearest first along the route.
pub fn near_route<'a>(events: &'a [Event], route: &[(f64, f64)], max_km: f64) -> Vec<RouteHit<'a>> {
    let mut out = Vec::new();
    if route.is_empty() {
        return out;
    }
    for e in events {
        let Some(p) = point_of(e) else { continue };
        let mut best: Option<(f64, f64)> = None;
        let mut offset = 0.0;
        if route.len() == 1 {
            best = Some((haversine_km(route[0], p), 0.0));
        }
        for w in route.windows(2) {
            let (d, along) = point_segment_km(p, w[0], w[1]);
            if best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, offset + along));
            }
            offset += haversine_km(w[0], w[1]);
        }
        if let Some((d, along)) = best.filter(|(d, _)| *d <= max_km) {
            out.push(RouteHit {
                event: e,
                distance_km: d,
                along_km: along,
            });
        }
    }
    out.sort_by(|a, b| {
        a.along_km
            .total_cmp(&b.along_km)
            .then(a.event.id.cmp(&b.event.id))
    });
    out
}

/// How control of a place changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ControlChange {
    /// Taken by force by a non-state actor.
    Captured,
    /// Taken back by government forces.
    Retaken,
    /// Handed over without fighting.
    HandedOver,
}

impl ControlChange {
    /// How the change reads in a table ("captured by X").
    pub fn as_str(self) -> &'static str {
        match self {
            ControlChange::Captured => "captured",
            ControlChange::Retaken => "retaken",
            ControlChange::HandedOver => "handed over",
        }
    }
}

/// One source's claim that control of a place changed.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlClaim {
    pub date: Option<DateRange>,
    pub change: ControlChange,
    /// Who took control, and from whom, as the event names them.
    pub taker: Option<String>,
    pub loser: Option<String>,
    /// The outlet (or document) reporting it.
    pub source: String,
    pub event_id: String,
    pub claimed_by: Vec<ClaimedBy>,
}

/// Control claims per place (by location name), each place's claims in
/// date order, one entry per event and reporting source.
pub fn control_claims(events: &[Event]) -> BTreeMap<String, Vec<ControlClaim>> {
    let mut out: BTreeMap<String, Vec<ControlClaim>> = BTreeMap::new();
    for e in events {
        let Some(a) = &e.acled else { continue };
        let change = match a.sub_event_type.as_str() {
            "Non-state actor overtakes territory" => ControlChange::Captured,
            "Government regains territory" => ControlChange::Retaken,
            "Non-violent transfer of territory" => ControlChange::HandedOver,
            _ => continue,
        };
        let place = e
            .location
            .as_ref()
            .map_or_else(|| "unknown".to_string(), |p| p.name.clone());
        let name = |r: ActorRole| {
            e.actors
                .iter()
                .find(|x| x.role == r)
                .map(|x| x.name.clone())
        };
        let mut sources: Vec<String> = e
            .mentions
            .iter()
            .map(|m| m.outlet.clone().unwrap_or_else(|| m.document.clone()))
            .collect();
        sources.sort();
        sources.dedup();
        for source in sources {
            out.entry(place.clone()).or_default().push(ControlClaim {
                date: e.date,
                change,
                taker: name(ActorRole::Actor),
                loser: name(ActorRole::Target),
                source,
                event_id: e.id.clone(),
                claimed_by: e.claimed_by.clone(),
            });
        }
    }
    for v in out.values_mut() {
        v.sort_by(|a, b| {
            a.date
                .map(|d| d.start)
                .cmp(&b.date.map(|d| d.start))
                .then(a.event_id.cmp(&b.event_id))
                .then(a.source.cmp(&b.source))
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sitrep_model::*;

    fn ev(id: &str, lat: f64, lon: f64, day: u32, sub: Option<&str>) -> Event {
        Event {
            id: id.into(),
            category: Plover::Assault,
            acled: sub.map(|s| AcledType {
                event_type: "Battles".into(),
                sub_event_type: s.into(),
            }),
            summary: String::new(),
            date: NaiveDate::from_ymd_opt(2017, 5, day).map(DateRange::day),
            actors: vec![EventActor {
                name: "Rebels".into(),
                role: ActorRole::Actor,
                kind: ActorKind::NonStateArmed,
                surface: vec![],
            }],
            location: Some(Place {
                name: format!("P{id}"),
                lat: Some(lat),
                lon: Some(lon),
                ..Default::default()
            }),
            equipment: vec![],
            quantities: vec![],
            fatalities: None,
            claimed_by: vec![],
            mentions: vec![
                Provenance {
                    document: "d1".into(),
                    outlet: Some("A".into()),
                    sentence: String::new(),
                    start: 0,
                    end: 1,
                },
                Provenance {
                    document: "d2".into(),
                    outlet: Some("B".into()),
                    sentence: String::new(),
                    start: 0,
                    end: 1,
                },
            ],
            sources: vec!["A".into(), "B".into()],
            disputes: vec![],
            confidence: 0.5,
            coding: vec![],
        }
    }

    #[test]
    fn zone_membership_and_timeline() {
        let zone = Area::Circle {
            lat: 33.5,
            lon: 38.65,
            radius_km: 55.0,
        };
        let events = vec![
            ev("a", 33.6, 38.7, 18, None),
            ev("b", 33.5, 38.2, 29, None),
            ev("c", 35.0, 40.0, 18, None),
        ];
        let inside: Vec<&str> = events_in_zone(&events, &zone, None, None)
            .iter()
            .map(|e| e.id.as_str())
            .collect();
        assert_eq!(inside, vec!["a", "b"]);
        let may20 = NaiveDate::from_ymd_opt(2017, 5, 20);
        assert_eq!(events_in_zone(&events, &zone, may20, None).len(), 1);
        let tl = zone_timeline(&events, &zone, Bucket::Week);
        assert_eq!(tl.len(), 2);
        assert_eq!(tl[0].start, NaiveDate::from_ymd_opt(2017, 5, 15).unwrap());
        assert_eq!(tl[0].by_category.get("ASSAULT"), Some(&1));
        let poly = Area::Polygon(vec![(33.0, 38.0), (34.0, 38.0), (34.0, 39.0), (33.0, 39.0)]);
        assert!(poly.contains(33.5, 38.5));
        assert!(!poly.contains(32.5, 38.5));
    }

    #[test]
    fn point_to_segment_distance_on_the_sphere() {
        // A point 1 degree of latitude north of an equatorial segment: ~111 km.
        let (d, along) = point_segment_km((1.0, 5.0), (0.0, 0.0), (0.0, 10.0));
        assert!((d - 111.2).abs() < 0.5, "{d}");
        assert!((along - 556.0).abs() < 2.0, "{along}");
        // Beyond the end: distance to the end point.
        let (d, _) = point_segment_km((0.0, 11.0), (0.0, 0.0), (0.0, 10.0));
        assert!((d - 111.2).abs() < 0.5, "{d}");
        // Before the start.
        let (d, along) = point_segment_km((0.0, -1.0), (0.0, 0.0), (0.0, 10.0));
        assert!((d - 111.2).abs() < 0.5 && along == 0.0);
    }

    #[test]
    fn events_near_a_route_in_route_order() {
        let route = [(33.5, 36.3), (33.4, 38.6), (33.3, 44.4)];
        let events = vec![
            ev("far", 36.0, 40.0, 1, None),
            ev("b", 33.45, 40.0, 2, None),
            ev("a", 33.5, 37.0, 3, None),
        ];
        let hits = near_route(&events, &route, 30.0);
        let ids: Vec<&str> = hits.iter().map(|h| h.event.id.as_str()).collect();
        assert_eq!(ids, vec!["a", "b"]);
        assert!(hits[0].distance_km < 30.0 && hits[0].along_km < hits[1].along_km);
    }

    #[test]
    fn control_claims_per_place_and_source() {
        let events = vec![
            ev(
                "x",
                33.0,
                37.0,
                20,
                Some("Non-state actor overtakes territory"),
            ),
            ev("y", 33.0, 37.0, 10, Some("Government regains territory")),
            ev("z", 33.0, 37.0, 12, Some("Armed clash")),
        ];
        let claims = control_claims(&events);
        let px = &claims["Px"];
        assert_eq!(px.len(), 2);
        assert_eq!(px[0].change, ControlChange::Captured);
        assert_eq!(px[0].taker.as_deref(), Some("Rebels"));
        assert_eq!((px[0].source.as_str(), px[1].source.as_str()), ("A", "B"));
        assert_eq!(claims["Py"][0].change, ControlChange::Retaken);
        assert!(!claims.contains_key("Pz"));
    }
}
