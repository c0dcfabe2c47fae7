//! Gazetteer: GeoNames towns (compact binary index built from any GeoNames
//! dump), countries, first-level divisions and a curated supplement, all
//! keyed by the normalized name (see [`crate::normalize`]).
//!
//! `gazetteer.bin.gz` layout (little-endian, gzip'd), written by [`build`]:
//! `SGZ2`, u32 entry count, then length-prefixed (u32) sections: geonames
//! ids (zigzag-varint deltas), latitudes and longitudes (zigzag-varint
//! deltas in 1e-4 degrees), populations (varints), fixed 6-byte columns per
//! entry (country, u16 admin1 code index, feature, rank), entry names
//! ('\n'-separated), admin1 codes ("SY.11"), keys (sorted), posting counts
//! per key (varints) and the postings (u32 entry indices).

use crate::admin::Admin;
use crate::normalize::normalize_key;
use crate::GeoError;
use sitrep_model::Feature;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};

const DEFAULT_BIN: &[u8] = include_bytes!("../../../data/geo/gazetteer.bin.gz");
const COUNTRIES_TSV: &str = include_str!("../../../data/geo/countries.tsv");
const COUNTRY_NAMES_TSV: &str = include_str!("../../../data/geo/country_names.tsv");
const SUPPLEMENT_TSV: &str = include_str!("../../../data/geo/supplement.tsv");
const ENGLISH_WORDS_GZ: &[u8] = include_bytes!("../../../data/geo/english_words.txt.gz");
const STOPWORDS: &str = include_str!("../../../data/geo/stopwords.txt");

const MAGIC: &[u8; 4] = b"SGZ2";
/// No admin1 code / row.
pub const NO_ADMIN: u16 = u16::MAX;

/// Where an entry comes from; curated entries win close calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    GeoNames,
    Country,
    Admin1,
    Supplement,
    User,
}

/// One gazetteer entry.
#[derive(Debug, Clone)]
pub struct Entry {
    /// GeoNames id, 0 when the entry is not from GeoNames.
    pub geonames_id: u32,
    pub lat: f32,
    pub lon: f32,
    pub population: u32,
    pub cc: [u8; 2],
    /// Row in [`Admin::rows`], or [`NO_ADMIN`].
    pub admin1: u16,
    pub feature: Feature,
    /// GeoNames rank: 4 capital, 3 admin1 seat, 2 admin2 seat, 1 lower seat.
    pub rank: u8,
    pub source: Source,
    /// Prior importance (population, feature, curation), roughly 0..12.
    pub importance: f32,
    name: (u32, u32),
}

impl Entry {
    pub fn cc_str(&self) -> &str {
        std::str::from_utf8(&self.cc).unwrap_or("")
    }
}

/// Identity hasher: keys are already xxh3 hashes.
#[derive(Default)]
pub struct IdHasher(u64);
impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}
type IdMap<V> = HashMap<u64, V, BuildHasherDefault<IdHasher>>;

pub fn key_hash(key: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(key.as_bytes())
}

/// Counts from a [`build`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BuildStats {
    pub rows_read: usize,
    pub entries: usize,
    pub keys: usize,
    pub bytes: usize,
}

/// The loaded gazetteer.
pub struct Gazetteer {
    pub entries: Vec<Entry>,
    names: String,
    /// key hash → (offset, len) into `postings`.
    keys: IdMap<(u32, u32)>,
    postings: Vec<u32>,
    pub admin: Admin,
    /// Demonym / adjective key → country entry index ("syrian", "iraqi").
    demonyms: IdMap<u32>,
    /// Country code → country entry index.
    countries: HashMap<[u8; 2], u32>,
    /// Hashes of lower-case English words ("mobile", "hold", "middle"),
    /// compared with the word as written, not normalized ("Homs" is not
    /// "hums").
    common: HashSet<u64, BuildHasherDefault<IdHasher>>,
    /// Lower-case words never taken as places on their own ("may", "said").
    stop: HashSet<u64, BuildHasherDefault<IdHasher>>,
    /// Longest key in tokens, bounds the n-gram scan.
    pub max_tokens: usize,
}

impl std::fmt::Debug for Gazetteer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gazetteer")
            .field("entries", &self.entries.len())
            .field("keys", &self.keys.len())
            .finish()
    }
}

fn err(path: &str, reason: impl Into<String>) -> GeoError {
    GeoError::Data {
        path: path.to_string(),
        reason: reason.into(),
    }
}

/// Importance prior of an entry.
fn importance(population: u32, feature: Feature, rank: u8, source: Source) -> f32 {
    let mut s = (population as f32 + 10.0).log10();
    s += match feature {
        Feature::Country => 4.0,
        Feature::Admin1 => 2.0,
        _ => 0.0,
    };
    s += match rank {
        4 => 2.0,
        3 => 1.2,
        2 => 0.6,
        1 => 0.2,
        _ => 0.0,
    };
    if matches!(source, Source::Supplement | Source::User) {
        s += 2.5;
    }
    s
}

fn feature_of(fclass: &str, fcode: &str, population: u32) -> Option<(Feature, u8)> {
    let rank = match fcode {
        "PPLC" => 4,
        "PPLA" => 3,
        "PPLA2" => 2,
        "PPLA3" | "PPLA4" | "PPLA5" => 1,
        _ => 0,
    };
    let f = match (fclass, fcode) {
        ("P", "PPLX") => Feature::Other,
        ("P", _) if rank >= 2 || population >= 10_000 => Feature::City,
        ("P", _) => Feature::Village,
        ("S", "INSM" | "MILB" | "AIRB" | "NVB") => Feature::Base,
        ("S", "DAM") | ("H", "DAM") => Feature::Dam,
        ("S", "BCRS" | "PSTB") => Feature::BorderCrossing,
        ("S", "AIRP" | "OILF" | "GASF" | "CMP" | "CMPRF") => Feature::Other,
        ("L", "RGN" | "OILF" | "AREA") | ("T", "DSRT" | "VAL" | "PLN" | "PLAT" | "MTS") => {
            Feature::Region
        }
        _ => return None,
    };
    Some((f, rank))
}

/// Whether an alternate name is worth a key: Latin script, not a code.
fn usable_alt(name: &str) -> bool {
    let n = name.trim();
    if n.len() < 2 || n.len() > 60 || n.starts_with("http") {
        return false;
    }
    let latin = n
        .chars()
        .all(|c| (c as u32) < 0x0250 || (0x02B0..0x0300).contains(&(c as u32)) || c == '\u{2019}');
    let letters = n.chars().filter(|c| c.is_alphabetic()).count();
    // Airport and postal codes ("DAM", "OSDI") are all caps and short.
    let code = n.len() <= 4
        && n.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    latin && letters >= 2 && !code
}

struct RawEntry {
    id: u32,
    lat: f32,
    lon: f32,
    pop: u32,
    cc: [u8; 2],
    admin: u16,
    feature: Feature,
    rank: u8,
    name: String,
}

/// Builds the compact index from GeoNames-format dumps (the 19-column
/// allCountries / citiesNNN format; .gz accepted) into `out`.
pub fn build(inputs: &[PathBuf], out: &Path) -> Result<BuildStats, GeoError> {
    let mut stats = BuildStats::default();
    let mut entries: Vec<RawEntry> = Vec::new();
    let mut codes: Vec<String> = Vec::new();
    let mut code_idx: HashMap<String, u16> = HashMap::new();
    let mut keys: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for input in inputs {
        let p = input.display().to_string();
        let f = std::fs::File::open(input).map_err(|e| GeoError::Io {
            path: p.clone(),
            source: e,
        })?;
        let reader: Box<dyn BufRead> = if p.ends_with(".gz") {
            Box::new(std::io::BufReader::new(flate2::read::GzDecoder::new(f)))
        } else {
            Box::new(std::io::BufReader::new(f))
        };
        for (lineno, line) in reader.lines().enumerate() {
            let line = line.map_err(|e| GeoError::Io {
                path: p.clone(),
                source: e,
            })?;
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            let c: Vec<&str> = line.split('\t').collect();
            if c.len() < 15 {
                return Err(err(
                    &p,
                    format!(
                        "line {}: {} columns, expected the 19-column GeoNames format",
                        lineno + 1,
                        c.len()
                    ),
                ));
            }
            stats.rows_read += 1;
            let pop: u32 = c[14].parse().unwrap_or(0);
            let Some((feature, rank)) = feature_of(c[6], c[7], pop) else {
                continue;
            };
            let (Ok(lat), Ok(lon)) = (c[4].parse::<f32>(), c[5].parse::<f32>()) else {
                return Err(err(&p, format!("line {}: bad coordinates", lineno + 1)));
            };
            let ccb = c[8].as_bytes();
            let cc = if ccb.len() == 2 {
                [ccb[0], ccb[1]]
            } else {
                [b'-', b'-']
            };
            let admin = if c[10].is_empty() {
                NO_ADMIN
            } else {
                let code = format!("{}.{}", c[8], c[10]);
                match code_idx.get(&code) {
                    Some(&i) => i,
                    None if codes.len() < usize::from(NO_ADMIN) => {
                        let i = codes.len() as u16;
                        code_idx.insert(code.clone(), i);
                        codes.push(code);
                        i
                    }
                    None => NO_ADMIN,
                }
            };
            let idx = entries.len() as u32;
            let mut seen: Vec<String> = Vec::new();
            for n in [c[1], c[2]]
                .into_iter()
                .chain(c[3].split(',').filter(|a| usable_alt(a)))
            {
                let k = normalize_key(n);
                if k.is_empty() || seen.contains(&k) {
                    continue;
                }
                keys.entry(k.clone()).or_default().push(idx);
                seen.push(k);
            }
            entries.push(RawEntry {
                id: c[0].parse().unwrap_or(0),
                lat,
                lon,
                pop,
                cc,
                admin,
                feature,
                rank,
                name: c[1].replace('\n', " "),
            });
        }
    }
    // Columns compress far better than records: ids and coordinates as
    // zigzag-varint deltas (coordinates in 1e-4 degrees, about 11 m).
    let mut buf: Vec<u8> = Vec::with_capacity(entries.len() * 40);
    buf.extend_from_slice(MAGIC);
    buf.extend_from_slice(&(entries.len() as u32).to_le_bytes());
    let mut col = Vec::with_capacity(entries.len() * 3);
    let mut prev = 0i64;
    for e in &entries {
        put_varint(&mut col, zigzag(i64::from(e.id) - prev));
        prev = i64::from(e.id);
    }
    put_blob(&mut buf, &col);
    for coord in [0, 1] {
        col.clear();
        let mut prev = 0i64;
        for e in &entries {
            let v = if coord == 0 { e.lat } else { e.lon };
            let q = (f64::from(v) * 1e4).round() as i64;
            put_varint(&mut col, zigzag(q - prev));
            prev = q;
        }
        put_blob(&mut buf, &col);
    }
    col.clear();
    for e in &entries {
        put_varint(&mut col, u64::from(e.pop));
    }
    put_blob(&mut buf, &col);
    col.clear();
    for e in &entries {
        col.extend_from_slice(&e.cc);
        col.extend_from_slice(&e.admin.to_le_bytes());
        col.push(feature_code(e.feature));
        col.push(e.rank);
    }
    put_blob(&mut buf, &col);
    let join = |items: &mut dyn Iterator<Item = &str>| items.collect::<Vec<&str>>().join("\n");
    put_blob(
        &mut buf,
        join(&mut entries.iter().map(|e| e.name.as_str())).as_bytes(),
    );
    put_blob(
        &mut buf,
        join(&mut codes.iter().map(String::as_str)).as_bytes(),
    );
    put_blob(
        &mut buf,
        join(&mut keys.keys().map(String::as_str)).as_bytes(),
    );
    col.clear();
    for v in keys.values() {
        put_varint(&mut col, v.len() as u64);
    }
    put_blob(&mut buf, &col);
    col.clear();
    for v in keys.values() {
        for id in v {
            col.extend_from_slice(&id.to_le_bytes());
        }
    }
    put_blob(&mut buf, &col);
    let op = out.display().to_string();
    let file = std::fs::File::create(out).map_err(|e| GeoError::Io {
        path: op.clone(),
        source: e,
    })?;
    let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::best());
    gz.write_all(&buf)
        .and_then(|_| gz.finish().map(|_| ()))
        .map_err(|e| GeoError::Io {
            path: op,
            source: e,
        })?;
    stats.entries = entries.len();
    stats.keys = keys.len();
    stats.bytes = std::fs::metadata(out)
        .map(|m| m.len() as usize)
        .unwrap_or(0);
    Ok(stats)
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    (v >> 1) as i64 ^ -((v & 1) as i64)
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_blob(out: &mut Vec<u8>, b: &[u8]) {
    out.extend_from_slice(&(b.len() as u32).to_le_bytes());
    out.extend_from_slice(b);
}

/// Reads one varint from `b` at `*p`.
fn get_varint(b: &[u8], p: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let byte = *b.get(*p)?;
        *p += 1;
        v |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(v);
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
}

fn feature_code(f: Feature) -> u8 {
    match f {
        Feature::City => 0,
        Feature::Village => 1,
        Feature::BorderCrossing => 2,
        Feature::Base => 3,
        Feature::Dam => 4,
        Feature::Region => 5,
        Feature::Admin1 => 6,
        Feature::Country => 7,
        Feature::Other => 8,
    }
}

fn feature_from_code(c: u8) -> Feature {
    match c {
        0 => Feature::City,
        1 => Feature::Village,
        2 => Feature::BorderCrossing,
        3 => Feature::Base,
        4 => Feature::Dam,
        5 => Feature::Region,
        6 => Feature::Admin1,
        7 => Feature::Country,
        _ => Feature::Other,
    }
}

/// Parses a feature name as written in supplement TSVs.
pub fn parse_feature(s: &str) -> Feature {
    match s.trim() {
        "city" => Feature::City,
        "village" => Feature::Village,
        "border_crossing" => Feature::BorderCrossing,
        "base" => Feature::Base,
        "dam" => Feature::Dam,
        "region" => Feature::Region,
        "admin1" => Feature::Admin1,
        "country" => Feature::Country,
        _ => Feature::Other,
    }
}

struct Rd<'a> {
    b: &'a [u8],
    p: usize,
    path: &'a str,
}
impl<'a> Rd<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], GeoError> {
        let s = self
            .b
            .get(self.p..self.p + n)
            .ok_or_else(|| err(self.path, "truncated gazetteer"))?;
        self.p += n;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32, GeoError> {
        let s = self.take(4)?;
        Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
    fn bytes(&mut self) -> Result<&'a [u8], GeoError> {
        let n = self.u32()? as usize;
        self.take(n)
    }
    fn blob(&mut self) -> Result<&'a str, GeoError> {
        let n = self.u32()? as usize;
        let s = self.take(n)?;
        std::str::from_utf8(s).map_err(|_| err(self.path, "bad utf-8 in gazetteer"))
    }
}

impl Gazetteer {
    /// The embedded default: GeoNames cities500, countries, admin-1
    /// divisions and the curated supplement.
    pub fn load_default() -> Result<Self, GeoError> {
        Self::from_gz(DEFAULT_BIN, "data/geo/gazetteer.bin.gz")
    }

    /// A gazetteer built with [`build`] (`sitrep gazetteer build`), plus the
    /// embedded countries, divisions and supplement.
    pub fn load_from(path: &Path) -> Result<Self, GeoError> {
        let p = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| GeoError::Io {
            path: p.clone(),
            source: e,
        })?;
        Self::from_gz(&bytes, &p)
    }

    /// Adds the entries of a user TSV (same columns as
    /// data/geo/supplement.tsv).
    pub fn with_user_file(mut self, path: &Path) -> Result<Self, GeoError> {
        let p = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| GeoError::Io {
            path: p.clone(),
            source: e,
        })?;
        self.add_tsv(&text, &p, Source::User)?;
        Ok(self)
    }

    fn from_gz(gz: &[u8], path: &str) -> Result<Self, GeoError> {
        let mut raw = Vec::with_capacity(gz.len() * 3);
        flate2::read::GzDecoder::new(gz)
            .read_to_end(&mut raw)
            .map_err(|e| err(path, format!("gunzip: {e}")))?;
        let mut r = Rd {
            b: &raw,
            p: 0,
            path,
        };
        if r.take(4)? != MAGIC {
            return Err(err(path, "not a sitrep gazetteer (bad magic)"));
        }
        let n = r.u32()? as usize;
        let bad = || err(path, "corrupt gazetteer columns");
        let ids = r.bytes()?;
        let lats = r.bytes()?;
        let lons = r.bytes()?;
        let pops = r.bytes()?;
        let fixed = r.bytes()?;
        let names_blob = r.blob()?;
        let codes_blob = r.blob()?;
        let keys_blob = r.blob()?;
        let counts = r.bytes()?;
        let post_bytes = r.bytes()?;
        if fixed.len() != n.checked_mul(6).ok_or_else(bad)? {
            return Err(bad());
        }

        let admin = Admin::load_default()?;
        let code_rows: Vec<u16> = codes_blob
            .split('\n')
            .map(|c| admin.by_code.get(c).map_or(NO_ADMIN, |&r| r as u16))
            .collect();

        let mut names = String::with_capacity(names_blob.len() + 64 * 1024);
        let mut entries = Vec::with_capacity(n + 8000);
        let mut name_iter = names_blob.split('\n');
        let (mut pi, mut pa, mut po, mut pp) = (0usize, 0usize, 0usize, 0usize);
        let (mut id, mut la, mut lo) = (0i64, 0i64, 0i64);
        for rec in fixed.chunks_exact(6) {
            id += unzigzag(get_varint(ids, &mut pi).ok_or_else(bad)?);
            la += unzigzag(get_varint(lats, &mut pa).ok_or_else(bad)?);
            lo += unzigzag(get_varint(lons, &mut po).ok_or_else(bad)?);
            let population =
                u32::try_from(get_varint(pops, &mut pp).ok_or_else(bad)?).map_err(|_| bad())?;
            let nm = name_iter.next().unwrap_or("");
            let a = names.len() as u32;
            names.push_str(nm);
            let code = u16::from_le_bytes([rec[2], rec[3]]);
            let admin1 = code_rows
                .get(usize::from(code))
                .copied()
                .unwrap_or(NO_ADMIN);
            let feature = feature_from_code(rec[4]);
            let rank = rec[5];
            entries.push(Entry {
                geonames_id: u32::try_from(id).map_err(|_| bad())?,
                lat: (la as f64 * 1e-4) as f32,
                lon: (lo as f64 * 1e-4) as f32,
                population,
                cc: [rec[0], rec[1]],
                admin1,
                feature,
                rank,
                source: Source::GeoNames,
                importance: importance(population, feature, rank, Source::GeoNames),
                name: (a, names.len() as u32),
            });
        }
        let nkeys = if keys_blob.is_empty() {
            0
        } else {
            keys_blob.split('\n').count()
        };
        let npost = post_bytes.len() / 4;
        let mut keys: IdMap<(u32, u32)> =
            IdMap::with_capacity_and_hasher(nkeys + 16_000, Default::default());
        let mut postings: Vec<u32> = Vec::with_capacity(npost + 32_000);
        postings.extend(
            post_bytes
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])),
        );
        if postings.iter().any(|&e| e as usize >= n) {
            return Err(bad());
        }
        let mut pc = 0usize;
        let mut off = 0u32;
        let mut offsets = Vec::with_capacity(nkeys + 1);
        for _ in 0..nkeys {
            offsets.push(off);
            off +=
                u32::try_from(get_varint(counts, &mut pc).ok_or_else(bad)?).map_err(|_| bad())?;
        }
        offsets.push(off);
        let off = |i: usize| offsets[i];
        let mut max_tokens = 1;
        for (i, k) in keys_blob.split('\n').enumerate().take(nkeys) {
            let (a, b) = (off(i), off(i + 1));
            if b < a || b as usize > npost {
                return Err(err(path, "bad postings"));
            }
            max_tokens = max_tokens.max(k.bytes().filter(|&c| c == b' ').count() + 1);
            keys.insert(key_hash(k), (a, b - a));
        }
        let mut g = Gazetteer {
            entries,
            names,
            keys,
            postings,
            admin,
            demonyms: IdMap::default(),
            countries: HashMap::new(),
            common: HashSet::default(),
            stop: HashSet::default(),
            max_tokens: max_tokens.min(8),
        };
        g.add_countries()?;
        g.add_admin1();
        g.add_tsv(
            SUPPLEMENT_TSV,
            "data/geo/supplement.tsv",
            Source::Supplement,
        )?;
        let mut words = String::with_capacity(ENGLISH_WORDS_GZ.len() * 4);
        flate2::read::GzDecoder::new(ENGLISH_WORDS_GZ)
            .read_to_string(&mut words)
            .map_err(|e| err("data/geo/english_words.txt.gz", format!("gunzip: {e}")))?;
        g.common.reserve(70_000);
        for w in words.lines() {
            g.common.insert(key_hash(w));
        }
        for w in STOPWORDS
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            g.stop.insert(key_hash(&w.trim().to_lowercase()));
        }
        Ok(g)
    }

    fn push_entry(&mut self, name: &str, mut e: Entry) -> u32 {
        let a = self.names.len() as u32;
        self.names.push_str(name);
        e.name = (a, self.names.len() as u32);
        e.importance = importance(e.population, e.feature, e.rank, e.source);
        self.entries.push(e);
        (self.entries.len() - 1) as u32
    }

    /// Adds `idx` under the key of `name` (appending a fresh posting list).
    pub fn add_key(&mut self, name: &str, idx: u32) {
        let k = normalize_key(name);
        if k.is_empty() {
            return;
        }
        self.max_tokens = self
            .max_tokens
            .max((k.bytes().filter(|&c| c == b' ').count() + 1).min(8));
        let h = key_hash(&k);
        let start = self.postings.len() as u32;
        if let Some(&(a, l)) = self.keys.get(&h) {
            let old: Vec<u32> = self.postings[a as usize..(a + l) as usize].to_vec();
            if old.contains(&idx) {
                return;
            }
            self.postings.extend_from_slice(&old);
        }
        self.postings.push(idx);
        let len = self.postings.len() as u32 - start;
        self.keys.insert(h, (start, len));
    }

    fn add_countries(&mut self) -> Result<(), GeoError> {
        let path = "data/geo/countries.tsv";
        for line in COUNTRIES_TSV
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() < 6 || f[0].len() != 2 {
                return Err(err(path, format!("bad line: {line}")));
            }
            let cc = [f[0].as_bytes()[0], f[0].as_bytes()[1]];
            let e = Entry {
                geonames_id: f[5].parse().unwrap_or(0),
                lat: f[2].parse().map_err(|_| err(path, "bad lat"))?,
                lon: f[3].parse().map_err(|_| err(path, "bad lon"))?,
                population: f[4].parse().unwrap_or(0),
                cc,
                admin1: NO_ADMIN,
                feature: Feature::Country,
                rank: 0,
                source: Source::Country,
                importance: 0.0,
                name: (0, 0),
            };
            let idx = self.push_entry(f[1], e);
            self.add_key(f[1], idx);
            self.countries.insert(cc, idx);
        }
        let path = "data/geo/country_names.tsv";
        for line in COUNTRY_NAMES_TSV
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let f: Vec<&str> = line.split('\t').collect();
            let cc = f[0].as_bytes();
            if cc.len() != 2 {
                return Err(err(path, format!("bad line: {line}")));
            }
            let Some(&idx) = self.countries.get(&[cc[0], cc[1]]) else {
                return Err(err(path, format!("unknown country {}", f[0])));
            };
            for a in f
                .get(1)
                .map_or("", |s| s)
                .split(',')
                .filter(|s| !s.is_empty())
            {
                self.add_key(a, idx);
            }
            for d in f
                .get(2)
                .map_or("", |s| s)
                .split(',')
                .filter(|s| !s.is_empty())
            {
                self.demonyms.insert(key_hash(&normalize_key(d)), idx);
            }
            if let (Some(Ok(lat)), Some(Ok(lon))) = (
                f.get(3).map(|v| v.parse::<f32>()),
                f.get(4).map(|v| v.parse::<f32>()),
            ) {
                let e = &mut self.entries[idx as usize];
                e.lat = lat;
                e.lon = lon;
            }
        }
        Ok(())
    }

    fn add_admin1(&mut self) {
        let rows = self.admin.rows.clone();
        for (i, row) in rows.into_iter().enumerate() {
            let e = Entry {
                geonames_id: 0,
                lat: row.lat as f32,
                lon: row.lon as f32,
                population: 0,
                cc: row.cc,
                admin1: i as u16,
                feature: Feature::Admin1,
                rank: 0,
                source: Source::Admin1,
                importance: 0.0,
                name: (0, 0),
            };
            let idx = self.push_entry(&row.name, e);
            self.add_key(&row.name, idx);
            for a in &row.aliases {
                self.add_key(a, idx);
            }
        }
    }

    /// Adds rows of a supplement-format TSV:
    /// `name  lat  lon  cc  feature  aliases  geonames_id  note`.
    /// A row whose geonames_id is already loaded adds its aliases to that
    /// entry instead of creating one (a spelling list for a GeoNames town).
    fn add_tsv(&mut self, text: &str, path: &str, source: Source) -> Result<(), GeoError> {
        let mut by_gid: HashMap<u32, u32> = HashMap::new();
        let needs_gid = text
            .lines()
            .any(|l| l.split('\t').nth(6).is_some_and(|g| !g.trim().is_empty()));
        if needs_gid {
            for (i, e) in self.entries.iter().enumerate() {
                if e.geonames_id != 0 && e.source == Source::GeoNames {
                    by_gid.insert(e.geonames_id, i as u32);
                }
            }
        }
        for (lineno, line) in text.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() < 5 {
                return Err(err(path, format!("line {}: expected name, lat, lon, cc, feature[, aliases, geonames_id, note]", lineno + 1)));
            }
            let aliases: Vec<&str> = f
                .get(5)
                .map_or("", |s| s)
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            let gid: u32 = f.get(6).and_then(|g| g.trim().parse().ok()).unwrap_or(0);
            if let Some(&idx) = by_gid.get(&gid) {
                // Spellings for a GeoNames town, and a curated boost.
                self.entries[idx as usize].source = source;
                let e = &self.entries[idx as usize];
                self.entries[idx as usize].importance =
                    importance(e.population, e.feature, e.rank, source);
                self.add_key(f[0], idx);
                for a in aliases {
                    self.add_key(a, idx);
                }
                continue;
            }
            let (Ok(lat), Ok(lon)) = (f[1].trim().parse::<f64>(), f[2].trim().parse::<f64>())
            else {
                return Err(err(path, format!("line {}: bad coordinates", lineno + 1)));
            };
            if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
                return Err(err(
                    path,
                    format!("line {}: coordinates out of range", lineno + 1),
                ));
            }
            let feature = parse_feature(f[4]);
            // A town GeoNames already has (same name or alias within 20 km)
            // takes the curated spellings and keeps its GeoNames id.
            if matches!(feature, Feature::City | Feature::Village) {
                let near = std::iter::once(f[0])
                    .chain(aliases.iter().copied())
                    .flat_map(|n| self.lookup(n).to_vec())
                    .find(|&i| {
                        let e = &self.entries[i as usize];
                        e.source == Source::GeoNames
                            && crate::spatial::haversine_km(
                                lat,
                                lon,
                                f64::from(e.lat),
                                f64::from(e.lon),
                            ) < 20.0
                    });
                if let Some(idx) = near {
                    // The curated name is the common English form ("Hama",
                    // not "Ḩamāh"); the GeoNames id stays.
                    let a = self.names.len() as u32;
                    self.names.push_str(f[0].trim());
                    let b = self.names.len() as u32;
                    let e = &mut self.entries[idx as usize];
                    e.name = (a, b);
                    e.source = source;
                    e.importance = importance(e.population, e.feature, e.rank, source);
                    self.add_key(f[0], idx);
                    for a in aliases {
                        self.add_key(a, idx);
                    }
                    continue;
                }
            }
            let ccb = f[3].trim().as_bytes();
            let cc = if ccb.len() == 2 {
                [ccb[0], ccb[1]]
            } else {
                [b'-', b'-']
            };
            let admin1 = self.admin.locate(lat, lon).map_or(NO_ADMIN, |r| r as u16);
            let e = Entry {
                geonames_id: gid,
                lat: lat as f32,
                lon: lon as f32,
                population: 0,
                cc,
                admin1,
                feature,
                rank: 0,
                source,
                importance: 0.0,
                name: (0, 0),
            };
            let idx = self.push_entry(f[0].trim(), e);
            self.add_key(f[0], idx);
            for a in aliases {
                self.add_key(a, idx);
            }
        }
        Ok(())
    }

    pub fn name(&self, idx: u32) -> &str {
        let (a, b) = self.entries[idx as usize].name;
        &self.names[a as usize..b as usize]
    }

    /// Entries whose normalized name is `key` (already normalized).
    pub fn lookup_key(&self, key: &str) -> &[u32] {
        self.lookup_hash(key_hash(key))
    }

    pub fn lookup_hash(&self, h: u64) -> &[u32] {
        match self.keys.get(&h) {
            Some(&(a, l)) => &self.postings[a as usize..(a + l) as usize],
            None => &[],
        }
    }

    /// Entries for a name as written (normalized here).
    pub fn lookup(&self, name: &str) -> &[u32] {
        self.lookup_key(&normalize_key(name))
    }

    /// The country entry named by a demonym key ("syrian").
    pub fn demonym(&self, key: &str) -> Option<u32> {
        self.demonyms.get(&key_hash(key)).copied()
    }

    pub fn country(&self, cc: &str) -> Option<u32> {
        let b = cc.as_bytes();
        if b.len() != 2 {
            return None;
        }
        self.countries
            .get(&[b[0].to_ascii_uppercase(), b[1].to_ascii_uppercase()])
            .copied()
    }

    /// Whether `word` (lower-case, as written) is an English word.
    pub fn is_common_word(&self, word: &str) -> bool {
        self.common.contains(&key_hash(word))
    }

    /// Whether `word` (lower-case, as written: "Ain" is not "in") is never
    /// a place on its own.
    pub fn is_stopword(&self, word: &str) -> bool {
        self.stop.contains(&key_hash(word))
    }

    /// English name of the admin-1 row of an entry; computed by
    /// point-in-polygon when the GeoNames code did not map.
    pub fn admin1_name(&self, idx: u32) -> Option<&str> {
        let e = &self.entries[idx as usize];
        if e.feature == Feature::Country {
            return None;
        }
        let row = if e.admin1 != NO_ADMIN {
            Some(u32::from(e.admin1))
        } else {
            self.admin.locate(f64::from(e.lat), f64::from(e.lon))
        };
        row.and_then(|r| self.admin.row(r)).map(|r| r.name.as_str())
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_loads_with_conflict_places() {
        let g = crate::test_parser().gazetteer();
        assert!(g.len() > 150_000, "{} entries", g.len());
        let names = |s: &str| {
            g.lookup(s)
                .iter()
                .map(|&i| g.name(i).to_string())
                .collect::<Vec<_>>()
        };
        assert!(names("Homs").iter().any(|n| n == "Homs"));
        assert!(
            names("a-Tanf").iter().any(|n| n == "At Tanf"),
            "{:?}",
            names("a-Tanf")
        );
        assert!(names("Deir Azzour").iter().any(|n| n == "Deir ez-Zor"));
        let jo = g.demonym(&normalize_key("Jordanian")).expect("demonym");
        assert_eq!(g.name(jo), "Jordan");
        assert!(g.is_common_word("mobile"));
        assert!(g.is_common_word("middle"));
        assert!(!g.is_common_word("homs"));
        assert!(g.is_stopword("said") && !g.is_stopword("ain"));
    }

    #[test]
    fn build_and_reload_roundtrip() {
        let dir = std::env::temp_dir().join(format!("sitrep-geo-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("tmp dir");
        let src = dir.join("mini.txt");
        // Two GeoNames-format rows (19 columns), written for this test.
        let rows = "1\tTestabad\tTestabad\tTestabaad,Tistabad\t35.0\t40.0\tP\tPPLA2\tSY\t\t07\t\t\t\t12000\t\t200\tAsia/Damascus\t2020-01-01\n\
                    2\tOther Place\tOther Place\t\t34.0\t39.0\tP\tPPL\tSY\t\t11\t\t\t\t0\t\t300\tAsia/Damascus\t2020-01-01\n";
        std::fs::write(&src, rows).expect("write");
        let out = dir.join("g.bin.gz");
        let stats = build(&[src], &out).expect("build");
        assert_eq!(stats.entries, 2);
        let g = Gazetteer::load_from(&out).expect("load");
        let hits = g.lookup("Tistabad");
        assert_eq!(hits.len(), 1);
        assert_eq!(g.admin1_name(hits[0]), Some("Deir ez-Zor"));
        let user = dir.join("user.tsv");
        std::fs::write(
            &user,
            "Checkpoint 7\t34.5\t38.5\tSY\tbase\tCP7,Checkpoint Seven\n",
        )
        .expect("write");
        let g = g.with_user_file(&user).expect("user file");
        let hits = g.lookup("CP7");
        assert_eq!(hits.len(), 1);
        assert_eq!(g.admin1_name(hits[0]), Some("Homs"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
