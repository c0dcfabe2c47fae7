//! Great-circle math and the words of spatial expressions.

const EARTH_KM: f64 = 6371.0088;

/// Great-circle distance in km.
pub fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_KM * a.sqrt().min(1.0).asin()
}

/// Fast distance in km for scoring (equirectangular; within ~1% of the
/// great circle below 1,000 km, and monotonic enough beyond). `cos_lat1`
/// is `lat1.to_radians().cos()`, computed once per point by the caller.
#[inline]
pub fn approx_km(lat1: f64, lon1: f64, cos_lat1: f64, lat2: f64, lon2: f64) -> f64 {
    let dlat = (lat2 - lat1).to_radians();
    let mut dlon = (lon2 - lon1).abs();
    if dlon > 180.0 {
        dlon = 360.0 - dlon;
    }
    let x = dlon.to_radians() * cos_lat1;
    EARTH_KM * (dlat * dlat + x * x).sqrt()
}

/// The point `km` away from (lat, lon) along initial bearing `bearing_deg`.
pub fn destination(lat: f64, lon: f64, bearing_deg: f64, km: f64) -> (f64, f64) {
    let d = km / EARTH_KM;
    let (p1, l1, th) = (lat.to_radians(), lon.to_radians(), bearing_deg.to_radians());
    let p2 = (p1.sin() * d.cos() + p1.cos() * d.sin() * th.cos()).asin();
    let l2 = l1 + (th.sin() * d.sin() * p1.cos()).atan2(d.cos() - p1.sin() * p2.sin());
    let lon2 = (l2.to_degrees() + 540.0) % 360.0 - 180.0;
    (p2.to_degrees(), lon2)
}

/// Initial bearing in degrees from point 1 to point 2.
pub fn bearing(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dl = (lon2 - lon1).to_radians();
    let y = dl.sin() * p2.cos();
    let x = p1.cos() * p2.sin() - p1.sin() * p2.cos() * dl.cos();
    (y.atan2(x).to_degrees() + 360.0) % 360.0
}

/// Great-circle midpoint.
pub fn midpoint(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> (f64, f64) {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let l1 = lon1.to_radians();
    let dl = (lon2 - lon1).to_radians();
    let bx = p2.cos() * dl.cos();
    let by = p2.cos() * dl.sin();
    let p3 = (p1.sin() + p2.sin()).atan2(((p1.cos() + bx).powi(2) + by * by).sqrt());
    let l3 = l1 + by.atan2(p1.cos() + bx);
    (p3.to_degrees(), (l3.to_degrees() + 540.0) % 360.0 - 180.0)
}

/// Bearing in degrees of a compass word ("south", "north-east", "nw").
pub fn bearing_of(word: &str) -> Option<f64> {
    let w: String = word
        .chars()
        .filter(|c| c.is_ascii_alphabetic())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    Some(match w.as_str() {
        "north" | "n" | "northern" => 0.0,
        "northeast" | "ne" => 45.0,
        "east" | "e" | "eastern" => 90.0,
        "southeast" | "se" => 135.0,
        "south" | "s" | "southern" => 180.0,
        "southwest" | "sw" => 225.0,
        "west" | "w" | "western" => 270.0,
        "northwest" | "nw" => 315.0,
        _ => return None,
    })
}

/// Kilometres in one unit ("km", "kilometers", "miles", "m").
pub fn unit_km(unit: &str) -> Option<f64> {
    let u = unit.to_ascii_lowercase();
    Some(match u.trim_end_matches('.') {
        "km" | "kms" | "kilometer" | "kilometers" | "kilometre" | "kilometres" => 1.0,
        "mi" | "mile" | "miles" => 1.609_344,
        "m" | "meter" | "meters" | "metre" | "metres" => 0.001,
        "nm" | "nautical mile" | "nautical miles" => 1.852,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destination_and_distance_agree() {
        // 80 km due south of a point near Abu Kamal.
        let (lat, lon) = destination(34.45, 40.92, 180.0, 80.0);
        assert!((haversine_km(34.45, 40.92, lat, lon) - 80.0).abs() < 0.01);
        assert!(lat < 34.45 && (lon - 40.92).abs() < 1e-9);
        let (lat, lon) = destination(33.49, 38.65, 270.0, 110.0);
        assert!(
            (lat - 33.49).abs() < 0.1 && lon < 37.5 && lon > 37.3,
            "{lat} {lon}"
        );
        let (mlat, mlon) = midpoint(33.0, 36.0, 35.0, 40.0);
        assert!(
            (mlat - 34.03).abs() < 0.1 && (mlon - 37.98).abs() < 0.1,
            "{mlat} {mlon}"
        );
        assert_eq!(bearing_of("north-east"), Some(45.0));
        let fast = approx_km(34.45, 40.92, 34.45f64.to_radians().cos(), 33.49, 38.65);
        let exact = haversine_km(34.45, 40.92, 33.49, 38.65);
        assert!((fast - exact).abs() / exact < 0.01, "{fast} {exact}");
        assert_eq!(unit_km("miles"), Some(1.609_344));
    }
}
