//! First-level administrative divisions: names (English forms) and
//! polygons (Natural Earth admin-1, public domain) with an R-tree for
//! point-in-polygon lookups of computed points.
//!
//! `admin1_polygons.bin.gz` layout (little-endian, written by
//! tools/gazetteer/extract.py): `SGA1`, u32 region count, then per region
//! u32 admin1.tsv row, u32 polygon count; per polygon u32 ring count; per
//! ring u32 point count and zigzag-varint deltas of lon, lat in 1e-4°.

use crate::GeoError;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};
use std::collections::HashMap;
use std::io::Read;

const ADMIN1_TSV: &str = include_str!("../../../data/geo/admin1.tsv");
const ADMIN1_POLYGONS: &[u8] = include_bytes!("../../../data/geo/admin1_polygons.bin.gz");

/// One first-level division.
#[derive(Debug, Clone)]
pub struct AdminRow {
    /// ISO 3166-1 alpha-2 country.
    pub cc: [u8; 2],
    /// English name ("Deir ez-Zor", "Al Anbar").
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    /// Other spellings, for matching the division's name in text.
    pub aliases: Vec<String>,
}

impl AdminRow {
    pub fn cc_str(&self) -> &str {
        std::str::from_utf8(&self.cc).unwrap_or("")
    }
}

type Ring = Vec<[f32; 2]>;

struct Region {
    row: u32,
    /// Polygons: outer ring first, then holes; points are [lon, lat].
    polys: Vec<Vec<Ring>>,
}

/// Admin-1 names and polygons.
pub struct Admin {
    pub rows: Vec<AdminRow>,
    /// GeoNames admin1 code ("SY.11") → row.
    pub by_code: HashMap<String, u32>,
    regions: Vec<Region>,
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, u32>>,
}

fn data_err(reason: impl Into<String>) -> GeoError {
    GeoError::Data {
        path: "data/geo/admin1".into(),
        reason: reason.into(),
    }
}

struct Cursor<'a> {
    b: &'a [u8],
    p: usize,
}

impl Cursor<'_> {
    fn u32(&mut self) -> Result<u32, GeoError> {
        let s = self
            .b
            .get(self.p..self.p + 4)
            .ok_or_else(|| data_err("truncated polygons"))?;
        self.p += 4;
        Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
    fn varint(&mut self) -> Result<i64, GeoError> {
        let mut v: u64 = 0;
        let mut shift = 0;
        loop {
            let byte = *self
                .b
                .get(self.p)
                .ok_or_else(|| data_err("truncated varint"))?;
            self.p += 1;
            v |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                break;
            }
            shift += 7;
            if shift > 63 {
                return Err(data_err("bad varint"));
            }
        }
        // Zigzag decode.
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }
}

impl Admin {
    /// Loads the embedded admin-1 table and polygons.
    pub fn load_default() -> Result<Self, GeoError> {
        let mut rows = Vec::new();
        let mut by_code = HashMap::new();
        for line in ADMIN1_TSV.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() < 5 {
                return Err(data_err(format!("bad admin1 line: {line}")));
            }
            let cc = f[1].as_bytes();
            let cc = if cc.len() == 2 {
                [cc[0], cc[1]]
            } else {
                [b'-', b'-']
            };
            let lat: f64 = f[3].parse().map_err(|_| data_err("bad lat"))?;
            let lon: f64 = f[4].parse().map_err(|_| data_err("bad lon"))?;
            let idx = rows.len() as u32;
            for code in f[0].split(',') {
                by_code.entry(code.to_string()).or_insert(idx);
            }
            let aliases = f
                .get(5)
                .map(|a| {
                    a.split(',')
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default();
            rows.push(AdminRow {
                cc,
                name: f[2].to_string(),
                lat,
                lon,
                aliases,
            });
        }
        let mut raw = Vec::with_capacity(ADMIN1_POLYGONS.len() * 2);
        flate2::read::GzDecoder::new(ADMIN1_POLYGONS)
            .read_to_end(&mut raw)
            .map_err(|e| data_err(format!("gunzip polygons: {e}")))?;
        if raw.get(..4) != Some(b"SGA1") {
            return Err(data_err("bad polygon magic"));
        }
        let mut c = Cursor { b: &raw, p: 4 };
        let n = c.u32()? as usize;
        let mut regions = Vec::with_capacity(n);
        let mut boxes = Vec::with_capacity(n);
        for _ in 0..n {
            let row = c.u32()?;
            if row as usize >= rows.len() {
                return Err(data_err("polygon row out of range"));
            }
            let npoly = c.u32()? as usize;
            let mut polys = Vec::with_capacity(npoly);
            let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
            for _ in 0..npoly {
                let nring = c.u32()? as usize;
                let mut rings = Vec::with_capacity(nring);
                for _ in 0..nring {
                    let npt = c.u32()? as usize;
                    let mut ring = Vec::with_capacity(npt.min(1 << 20));
                    let (mut px, mut py) = (0i64, 0i64);
                    for _ in 0..npt {
                        px += c.varint()?;
                        py += c.varint()?;
                        let (x, y) = (px as f64 * 1e-4, py as f64 * 1e-4);
                        x0 = x0.min(x);
                        y0 = y0.min(y);
                        x1 = x1.max(x);
                        y1 = y1.max(y);
                        ring.push([x as f32, y as f32]);
                    }
                    rings.push(ring);
                }
                polys.push(rings);
            }
            let id = regions.len() as u32;
            regions.push(Region { row, polys });
            if x0 <= x1 {
                boxes.push(GeomWithData::new(
                    Rectangle::from_aabb(AABB::from_corners([x0, y0], [x1, y1])),
                    id,
                ));
            }
        }
        Ok(Admin {
            rows,
            by_code,
            regions,
            tree: RTree::bulk_load(boxes),
        })
    }

    /// The admin-1 row containing the point, if any.
    pub fn locate(&self, lat: f64, lon: f64) -> Option<u32> {
        let p = [lon, lat];
        for cand in self.tree.locate_all_at_point(&p) {
            let r = &self.regions[cand.data as usize];
            if r.polys.iter().any(|rings| in_polygon(rings, lon, lat)) {
                return Some(r.row);
            }
        }
        None
    }

    /// The point of country `cc`'s territory nearest to (lat, lon), for a
    /// point outside it: then it lies on the country's border. None when
    /// the point is inside the country or the country has no polygons.
    pub fn nearest_border_point(&self, cc: [u8; 2], lat: f64, lon: f64) -> Option<(f64, f64)> {
        if self
            .locate(lat, lon)
            .and_then(|r| self.row(r))
            .is_some_and(|r| r.cc == cc)
        {
            return None;
        }
        // Local equirectangular frame around the point: fine at border scale.
        let k = lat.to_radians().cos();
        let mut best: Option<(f64, f64, f64)> = None;
        for r in self.regions.iter().filter(|r| {
            self.rows
                .get(r.row as usize)
                .is_some_and(|row| row.cc == cc)
        }) {
            for ring in r.polys.iter().flatten() {
                for w in ring.windows(2) {
                    let (ax, ay) = ((f64::from(w[0][0]) - lon) * k, f64::from(w[0][1]) - lat);
                    let (bx, by) = ((f64::from(w[1][0]) - lon) * k, f64::from(w[1][1]) - lat);
                    let (dx, dy) = (bx - ax, by - ay);
                    let len2 = dx * dx + dy * dy;
                    let t = if len2 > 0.0 {
                        (-(ax * dx + ay * dy) / len2).clamp(0.0, 1.0)
                    } else {
                        0.0
                    };
                    let (px, py) = (ax + t * dx, ay + t * dy);
                    let d2 = px * px + py * py;
                    if best.is_none_or(|b| d2 < b.0) {
                        best = Some((d2, lat + py, lon + px / k));
                    }
                }
            }
        }
        best.map(|(_, la, lo)| (la, lo))
    }

    pub fn row(&self, i: u32) -> Option<&AdminRow> {
        self.rows.get(i as usize)
    }
}

fn in_ring(ring: &[[f32; 2]], x: f64, y: f64) -> bool {
    let mut inside = false;
    let n = ring.len();
    if n < 3 {
        return false;
    }
    let mut j = n - 1;
    for i in 0..n {
        let (xi, yi) = (f64::from(ring[i][0]), f64::from(ring[i][1]));
        let (xj, yj) = (f64::from(ring[j][0]), f64::from(ring[j][1]));
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

fn in_polygon(rings: &[Ring], x: f64, y: f64) -> bool {
    match rings.split_first() {
        Some((outer, holes)) => in_ring(outer, x, y) && !holes.iter().any(|h| in_ring(h, x, y)),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_governorates() {
        let a = Admin::load_default().expect("admin data loads");
        let name = |lat, lon| {
            a.locate(lat, lon)
                .and_then(|r| a.row(r))
                .map(|r| r.name.clone())
        };
        // Palmyra lies in Homs governorate; Mosul in Nineveh; Mafraq town in Mafraq.
        assert_eq!(name(34.56, 38.28).as_deref(), Some("Homs"));
        assert_eq!(name(36.34, 43.13).as_deref(), Some("Nineveh"));
        assert_eq!(name(32.34, 36.21).as_deref(), Some("Mafraq"));
        assert_eq!(name(0.0, -30.0), None);
        assert_eq!(a.rows[a.by_code["SY.07"] as usize].name, "Deir ez-Zor");
        // From a point in southern Syria, Jordan's border lies a few km south.
        let (la, lo) = a
            .nearest_border_point(*b"JO", 32.75, 36.3)
            .expect("border point");
        assert!(
            la < 32.75 && la > 32.5 && (lo - 36.3).abs() < 0.3,
            "{la} {lo}"
        );
        assert!(
            a.nearest_border_point(*b"JO", 31.95, 35.93).is_none(),
            "Amman is inside"
        );
    }
}
