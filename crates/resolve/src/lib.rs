//! Resolve: merges event mentions from many documents into real-world
//! incidents, records where sources disagree, and scores confidence.
//!
//! Stage 5. Architecture invariant: deterministic (same input, same output
//! and ids, whatever the order), near-linear (blocks by date and place),
//! and explainable; knows nothing of text processing or storage.
//!
//! How mentions become events:
//! 1. Mentions are sorted by a content key, so input order does not matter.
//! 2. **Anchors** (dated to a day or week, placed to a point or province)
//!    are compared only within blocks of the same category, week and
//!    1° cell (or province). Blocks are resolved one at a time, in key
//!    order: members are sorted by day and place and each is compared with
//!    its next `WINDOW` (24) neighbours only, so a crowded block costs linear
//!    time; pairs that pass the hard constraints (dates overlap, places
//!    within 50 km or the same province, actors on compatible sides) are
//!    scored and merged best-first with union-find, checking that the
//!    merged event stays consistent. No pair list outlives its block, and
//!    a week's blocks are made only when it comes.
//! 3. The other mentions (undated, or placed only to a country) are first
//!    grouped within their document, then each group joins the one anchor
//!    event it fits clearly better than any other, or stands alone. They
//!    never enter week blocks: they look up a few anchors of their cell or
//!    province and time (or country and month) in a sorted index, which
//!    holds only the keys some of them look up.
//! 4. Each event takes the best-supported value of every field; fields on
//!    which mentions disagree are kept as disputes with their documents.
//!
//! ```
//! use sitrep_model::*;
//! let m = |doc: &str, outlet: &str| EventMention {
//!     document: doc.into(), outlet: Some(outlet.into()), duplicate_of: None,
//!     category: Plover::Assault, acled: None, span: Span::new(0, 10),
//!     sentence: "Jets struck a convoy near the town.".into(), char_start: 0, char_end: 10,
//!     date: Some(DateRange::day(chrono::NaiveDate::from_ymd_opt(2017, 5, 18).unwrap())),
//!     location: Some(Location { name: "At Tanf".into(), lat: Some(33.5), lon: Some(38.6),
//!         precision: GeoPrecision::Near, ..Default::default() }),
//!     actors: vec![], equipment: vec![], quantities: vec![], fatalities: None,
//!     claimed_by: vec![], occurred: true, certainty: 0.8, coding: Coding::default(),
//! };
//! let events = sitrep_resolve::resolve(&[m("a", "Sputnik"), m("b", "The Guardian")]);
//! assert_eq!(events.len(), 1);
//! assert_eq!(events[0].sources, vec!["Sputnik", "The Guardian"]);
//! ```

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;
use sitrep_model::{
    stable_id, ActorRole, ClaimedBy, Coding, DateRange, Dispute, DisputeValue, Event, EventActor,
    EventMention, EventQuantity, GeoPrecision, IntHasher, Location, Place, Plover, Provenance,
    TimePrecision,
};

pub mod analytics;
mod parts;
mod sides;
mod spilled;
mod summary;

pub use sides::Sides;

/// Errors loading the resolution data files.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("{path}: line {line}: {reason}")]
    Data {
        path: String,
        line: usize,
        reason: String,
    },
}

/// Maximum distance between two point locations of one incident.
pub const MAX_KM: f64 = 50.0;
/// Latitude difference beyond which two points are surely more than
/// [`MAX_KM`] apart (one degree of latitude is at least 111.19 km on the
/// sphere [`haversine_km`] uses), with a small margin for rounding.
const MAX_LAT_DEG: f64 = MAX_KM / 111.19 * 1.0001;
/// Score an anchor pair needs to merge.
const MERGE_SCORE: f32 = 1.2;
/// Score a same-document pair of non-anchors needs to merge.
const DOC_SCORE: f32 = 0.6;
/// Score a non-anchor group needs to join an event, and its lead over the
/// runner-up.
const ATTACH_SCORE: f32 = 0.9;
const ATTACH_MARGIN: f32 = 0.4;
/// Bonus for the earliest candidate when a report says "the first".
const FIRST_BONUS: f32 = 0.75;
/// Beyond this many candidate events a non-anchor is too vague to place.
const MAX_CANDIDATES: usize = 256;
/// Mentions compared per candidate event when attaching.
const MAX_COMPARE: usize = 16;

/// Words too common to tell incidents apart. A `match` rather than a list
/// searched word by word: it runs for every word of every mention.
#[rustfmt::skip] // one line per 12 words, not one per word
fn is_stopword(w: &str) -> bool {
    matches!(
        w,
        "the" | "a" | "an" | "of" | "in" | "on" | "at" | "to" | "and" | "or" | "by" | "for"
            | "with" | "from" | "near" | "that" | "this" | "was" | "were" | "is" | "are" | "has"
            | "have" | "had" | "it" | "its" | "their" | "they" | "he" | "she" | "said" | "says"
            | "as" | "after" | "be" | "been" | "which" | "who" | "into" | "about"
    )
}

/// One mention prepared for comparison. It does not hold the mention:
/// on large corpora only these stay in memory, and the full mentions are
/// read back from the [`MentionSource`] when events are built.
#[derive(Clone, Copy)]
struct M {
    /// Position of the mention's document in scan order, and of the mention
    /// among its document's mentions as the source gave them.
    doc: u32,
    pos: u32,
    /// ACLED event type, interned apart from places (a handful of
    /// types, so 16 bits; see [`ShortName`]).
    acled_type: ShortName,
    /// Province and country, interned (see [`Interner`]) so comparisons and
    /// block keys are integers rather than per-mention strings.
    admin1: Name,
    country: Name,
    /// First and last day (inclusive) as day numbers, when `tprec` is set
    /// (see [`M::date`]).
    day0: i32,
    day1: i32,
    /// Latitude and longitude; NaN when there is no point (see
    /// [`M::point`]): 8 bytes less than an `Option` per mention.
    point: [f64; 2],
    /// Where this mention's features start in the feature arena (see
    /// [`M::words`]): sorted 32-bit hashes of the sentence's content words,
    /// then its actors' sides, then its targets' sides (32-bit). One shared
    /// arena instead of three boxes per mention: millions of these stay in
    /// memory.
    feat: u32,
    n_words: u16,
    n_actor: u8,
    n_target: u8,
    category: Plover,
    tprec: Option<TimePrecision>,
    gprec: Option<GeoPrecision>,
    /// [`GUESSED`] and [`FIRST`].
    flags: u8,
}

/// The ACLED type was coded by the fallback rule (see [`guessed`]).
const GUESSED: u8 = 1;
/// "the first strike": the earliest of its kind.
const FIRST: u8 = 2;

/// Maps keyed by mention indices, weeks, grid cells and interned names:
/// millions of lookups.
type IntMap<K, V> = HashMap<K, V, IntHasher>;

/// Values grouped by key in one array, with an index by key: `each` is
/// called twice, once to count each key's values and once to place them,
/// so the array is exactly the values' size. A list per key grown by
/// pushing held up to twice its values; these groups (a week's anchor
/// blocks, anchors by first week, the attach step's indexes) hold up to an
/// entry or more per anchor on millions of mentions. Keys are numbered in
/// sorted order and each group keeps the order `each` gave.
struct Groups<K, V> {
    index: IntMap<K, u32>,
    keys: Vec<K>,
    start: Vec<usize>,
    vals: Vec<V>,
}

impl<K: Copy + Eq + std::hash::Hash + Ord, V: Copy + Default> Groups<K, V> {
    fn build(each: impl Fn(&mut dyn FnMut(K, V))) -> Self {
        let mut counts = Counts::default();
        each(&mut |k, _| counts.add(k));
        let mut g = counts.into_groups();
        each(&mut |k, v| g.place(k, v));
        let (g, complete) = g.done();
        debug_assert!(complete, "the two passes gave different values");
        g
    }
    fn get(&self, k: &K) -> Option<&[V]> {
        let g = *self.index.get(k)? as usize;
        Some(&self.vals[self.start[g]..self.start[g + 1]])
    }
    /// Each group's values, mutably, in key order.
    fn groups_mut(&mut self) -> impl Iterator<Item = &mut [V]> {
        let mut rest: &mut [V] = &mut self.vals;
        self.start.windows(2).map(move |w| {
            let (group, tail) = std::mem::take(&mut rest).split_at_mut(w[1] - w[0]);
            rest = tail;
            group
        })
    }
}

/// The first pass of building [`Groups`]: each key's number of values.
struct Counts<K>(IntMap<K, u32>);

impl<K> Default for Counts<K> {
    fn default() -> Self {
        Counts(IntMap::default())
    }
}

impl<K: Copy + Eq + std::hash::Hash + Ord> Counts<K> {
    fn add(&mut self, k: K) {
        *self.0.entry(k).or_default() += 1;
    }
    /// The groups sized, for the second pass to [`Placing::place`] the
    /// same values in.
    fn into_groups<V: Copy + Default>(self) -> Placing<K, V> {
        let mut index = self.0;
        let mut keys: Vec<K> = index.keys().copied().collect();
        keys.sort_unstable();
        let mut start: Vec<usize> = Vec::with_capacity(keys.len() + 1);
        start.push(0);
        for (g, k) in keys.iter().enumerate() {
            let n = index.insert(*k, g as u32).unwrap_or(0) as usize;
            start.push(start[g] + n);
        }
        let fill: Vec<usize> = start[..keys.len()].to_vec();
        let vals = vec![V::default(); start[keys.len()]];
        Placing {
            groups: Groups {
                index,
                keys,
                start,
                vals,
            },
            fill,
        }
    }
}

/// The second pass of building [`Groups`]: values placed in their key's
/// group, in the order given.
struct Placing<K, V> {
    groups: Groups<K, V>,
    fill: Vec<usize>,
}

impl<K: Copy + Eq + std::hash::Hash, V: Copy> Placing<K, V> {
    fn place(&mut self, k: K, v: V) {
        if let Some(&g) = self.groups.index.get(&k) {
            let at = &mut self.fill[g as usize];
            // A key counted fewer times than placed (only a source that
            // changed between passes) keeps the values that fit.
            if *at < self.groups.start[g as usize + 1] {
                self.groups.vals[*at] = v;
                *at += 1;
            }
        }
    }
    /// The groups, and whether every group was filled as counted (false
    /// only when the two passes were given different values).
    fn done(self) -> (Groups<K, V>, bool) {
        let start = &self.groups.start;
        let complete = self
            .fill
            .iter()
            .enumerate()
            .all(|(g, &f)| f == start[g + 1]);
        (self.groups, complete)
    }
}

/// An interned name's number, or none: a `u32` with a reserved value
/// rather than an `Option<u32>` (half the size; three per mention).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Name(u32);

impl Name {
    const NONE: Name = Name(u32::MAX);
    fn of(id: Option<u32>) -> Name {
        id.map_or(Name::NONE, Name)
    }
    fn get(self) -> Option<u32> {
        (self != Name::NONE).then_some(self.0)
    }
    /// Renumbers through `table` (old number -> new); none stays none.
    fn remap(&mut self, table: &[u32]) {
        if let Some(i) = self.get() {
            self.0 = table[i as usize];
        }
    }
}

/// A name interned apart in 16 bits (ACLED types), or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ShortName(u16);

impl ShortName {
    const NONE: ShortName = ShortName(u16::MAX);
    fn of(id: Option<u32>) -> ShortName {
        ShortName(id.and_then(|i| u16::try_from(i).ok()).unwrap_or(u16::MAX))
    }
    fn get(self) -> Option<u32> {
        (self != ShortName::NONE).then_some(u32::from(self.0))
    }
    /// Renumbers through `table` (old number -> new); none stays none, and
    /// a new number past 16 bits becomes none.
    fn remap(&mut self, table: &[u32]) {
        if let Some(i) = self.get() {
            *self = ShortName::of(Some(table[i as usize]));
        }
    }
}

fn day_num(d: NaiveDate) -> i32 {
    d.num_days_from_ce()
}

fn words_of(s: &str) -> (Vec<u32>, bool) {
    let mut v = Vec::new();
    let mut first = false;
    // One buffer for the lower-cased word: this runs for every mention.
    let mut l = String::new();
    for w in s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 1)
    {
        l.clear();
        if w.is_ascii() {
            l.push_str(w);
            l.make_ascii_lowercase();
        } else {
            l.extend(w.chars().flat_map(char::to_lowercase));
        }
        if l == "first" {
            first = true;
        }
        if is_stopword(&l) {
            continue;
        }
        // Crude stemming so "strikes" meets "strike" and "attacked" "attack".
        let stem = l
            .strip_suffix("ed")
            .or_else(|| l.strip_suffix('s'))
            .filter(|s| s.len() > 2)
            .unwrap_or(&l);
        v.push(xxhash_rust::xxh3::xxh3_64(stem.as_bytes()) as u32);
    }
    v.sort_unstable();
    v.dedup();
    (v, first)
}

/// Interns normalised province and country names.
#[derive(Default)]
struct Interner(HashMap<String, u32>);

impl Interner {
    fn id(&mut self, s: String) -> u32 {
        let n = self.0.len() as u32;
        *self.0.entry(s).or_insert(n)
    }
    /// For each id, the rank of its name in sorted order.
    fn spelling_order(&self) -> Vec<u32> {
        let mut by_name: Vec<(&String, u32)> = self.0.iter().map(|(k, &v)| (k, v)).collect();
        by_name.sort_unstable();
        let mut remap = vec![0u32; by_name.len()];
        for (rank, (_, id)) in by_name.into_iter().enumerate() {
            remap[id as usize] = rank as u32;
        }
        remap
    }
}

/// A document's own names while it is prepared (a handful, so a list):
/// the scan interns them globally afterwards, on one thread.
#[derive(Default)]
struct LocalNames(Vec<String>);

impl LocalNames {
    fn id(&mut self, s: String) -> u32 {
        match self.0.iter().position(|n| *n == s) {
            Some(i) => i as u32,
            None => {
                self.0.push(s);
                (self.0.len() - 1) as u32
            }
        }
    }
}

/// One document's mentions prepared for resolution: what
/// [`MentionSource::scan`] hands back. Opaque; made by the `prepare`
/// function resolution gives the scan, on any thread.
pub struct PreparedDoc {
    id: String,
    /// In canonical order; places are indices into `names`, ACLED types
    /// into `types`, `doc` unset.
    ms: Vec<M>,
    names: Vec<String>,
    types: Vec<String>,
    /// The features of `ms`, which index from 0 here.
    feat: Vec<u32>,
}

/// Prepares one document's mentions (all of them, in the order the source
/// will give them to [`MentionSource::fetch`] positions).
fn prepare_doc(doc_ms: &[&EventMention]) -> PreparedDoc {
    let mut names = LocalNames::default();
    let mut types = LocalNames::default();
    let mut feat = Vec::new();
    let ms = canonical(doc_ms)
        .into_iter()
        .map(|i| prepare(doc_ms[i], i as u32, [&mut names, &mut types], &mut feat))
        .collect();
    PreparedDoc {
        id: doc_ms
            .first()
            .map(|m| m.document.clone())
            .unwrap_or_default(),
        ms,
        names: names.0,
        types: types.0,
        feat,
    }
}

/// `local` are the document's place names and ACLED types.
fn prepare(m: &EventMention, pos: u32, local: [&mut LocalNames; 2], feat: &mut Vec<u32>) -> M {
    let [names, types] = local;
    let sides = sides::builtin();
    let side_list = |role: ActorRole| {
        // 32 bits tell a mention's few sides apart as well as 64.
        let mut v: Vec<u32> = m
            .actors
            .iter()
            .filter(|a| a.role == role)
            .filter_map(|a| sides.side_of(a))
            .map(|s| s as u32)
            .collect();
        v.sort_unstable();
        v.dedup();
        v.truncate(u8::MAX as usize);
        v
    };
    let loc = m.location.as_ref();
    let point = loc
        .and_then(|l| Some((l.lat?, l.lon?)))
        .filter(|(a, b)| a.is_finite() && b.is_finite());
    let (mut words, first) = words_of(&m.sentence);
    words.truncate(u16::MAX as usize);
    let (actors, targets) = (side_list(ActorRole::Actor), side_list(ActorRole::Target));
    let start = feat.len() as u32;
    feat.extend_from_slice(&words);
    feat.extend_from_slice(&actors);
    feat.extend_from_slice(&targets);
    let date = m.date.map(|d| {
        (
            day_num(d.start),
            day_num(d.end).max(day_num(d.start)),
            d.precision,
        )
    });
    M {
        // The document's place in scan order is known only to the scan.
        doc: 0,
        pos,
        acled_type: ShortName::of(m.acled.as_ref().map(|a| types.id(a.event_type.clone()))),
        admin1: Name::of(
            loc.and_then(|l| l.admin1.as_ref())
                .map(|a| names.id(a.to_lowercase())),
        ),
        country: Name::of(
            loc.and_then(|l| l.country.as_ref())
                .map(|c| names.id(c.to_uppercase())),
        ),
        day0: date.map_or(0, |d| d.0),
        day1: date.map_or(0, |d| d.1),
        point: point.map_or([f64::NAN; 2], |(a, b)| [a, b]),
        feat: start,
        n_words: words.len() as u16,
        n_actor: actors.len() as u8,
        n_target: targets.len() as u8,
        category: m.category,
        tprec: date.map(|d| d.2),
        gprec: loc.map(|l| l.precision),
        flags: (if guessed(m) { GUESSED } else { 0 }) | (if first { FIRST } else { 0 }),
    }
}

/// A sub-type coded by the fallback rule (no weapon, no civilian target in
/// the sentence) is a guess, not evidence either way.
fn guessed(m: &EventMention) -> bool {
    m.coding.rule.starts_with("violence:armed")
}

impl M {
    fn words<'f>(&self, feat: &'f [u32]) -> &'f [u32] {
        let s = self.feat as usize;
        &feat[s..s + usize::from(self.n_words)]
    }
    fn actor_sides<'f>(&self, feat: &'f [u32]) -> &'f [u32] {
        let s = self.feat as usize + usize::from(self.n_words);
        &feat[s..s + usize::from(self.n_actor)]
    }
    fn target_sides<'f>(&self, feat: &'f [u32]) -> &'f [u32] {
        let s = self.feat as usize + usize::from(self.n_words) + usize::from(self.n_actor);
        &feat[s..s + usize::from(self.n_target)]
    }
    /// Words and sides in the arena.
    fn n_feat(&self) -> usize {
        usize::from(self.n_words) + usize::from(self.n_actor) + usize::from(self.n_target)
    }
    fn is_anchor(&self) -> bool {
        let dated = matches!(
            self.date(),
            Some((_, _, TimePrecision::Day | TimePrecision::Week))
        );
        let placed = match self.gprec {
            Some(GeoPrecision::Exact | GeoPrecision::Near) => self.point().is_some(),
            Some(GeoPrecision::Admin1) => self.admin1.get().is_some(),
            _ => false,
        };
        dated && placed
    }
    fn precise_point(&self) -> Option<(f64, f64)> {
        match self.gprec {
            Some(GeoPrecision::Exact | GeoPrecision::Near) => self.point(),
            _ => None,
        }
    }
    /// The point, if any (the scan keeps only finite coordinates).
    fn point(&self) -> Option<(f64, f64)> {
        let [lat, lon] = self.point;
        (!lat.is_nan()).then_some((lat, lon))
    }
    /// First day, last day and precision, if dated.
    fn date(&self) -> Option<(i32, i32, TimePrecision)> {
        self.tprec.map(|p| (self.day0, self.day1, p))
    }
    fn guessed(&self) -> bool {
        self.flags & GUESSED != 0
    }
    fn first(&self) -> bool {
        self.flags & FIRST != 0
    }
}

/// Great-circle distance in km.
pub fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0088 * h.sqrt().min(1.0).asin()
}

fn disjoint(a: &[u32], b: &[u32]) -> bool {
    !a.is_empty() && !b.is_empty() && !a.iter().any(|x| b.contains(x))
}

fn jaccard(a: &[u32], b: &[u32]) -> f32 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut inter) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                inter += 1;
                i += 1;
                j += 1;
            }
        }
    }
    inter as f32 / (a.len() + b.len() - inter) as f32
}

/// Pair score, or `None` when the two cannot be one incident.
fn pair(f: &[u32], a: &M, b: &M) -> Option<f32> {
    if a.category != b.category {
        return None;
    }
    let mut s = 0.0f32;
    if let (Some((a0, a1, ap)), Some((b0, b1, bp))) = (a.date(), b.date()) {
        let tol = if ap == TimePrecision::Day && bp == TimePrecision::Day {
            1
        } else {
            0
        };
        if a1 + tol < b0 || b1 + tol < a0 {
            return None;
        }
        s += match (ap, bp) {
            (TimePrecision::Day, TimePrecision::Day) if a0 == b0 => 1.0,
            (TimePrecision::Day, TimePrecision::Day) => 0.3,
            _ => 0.5,
        };
    }
    match (a.precise_point(), b.precise_point()) {
        (Some(p), Some(q)) => {
            // Most pairs a block compares are too far apart by latitude
            // alone (a great circle is at least as long as its north-south
            // part): that needs no trigonometry. The margin keeps the
            // shortcut from deciding a pair rounding could put either side
            // of the limit; those go to the exact test, as do latitudes off
            // the globe, for which the bound does not hold.
            if p.0.abs() <= 90.0 && q.0.abs() <= 90.0 && (p.0 - q.0).abs() > MAX_LAT_DEG {
                return None;
            }
            let d = haversine_km(p, q);
            if d > MAX_KM {
                return None;
            }
            s += 1.0 - (d / MAX_KM) as f32 * 0.5;
        }
        _ => {
            if let (Some(x), Some(y)) = (a.country.get(), b.country.get()) {
                if x != y {
                    return None;
                }
            }
            let admin1_level = matches!(a.gprec, Some(GeoPrecision::Admin1))
                || matches!(b.gprec, Some(GeoPrecision::Admin1));
            if let (Some(x), Some(y)) = (a.admin1.get(), b.admin1.get()) {
                if admin1_level && x != y {
                    return None;
                }
                if x == y {
                    s += 0.3;
                }
            } else if a.country.get().is_some() && a.country == b.country {
                s += 0.1;
            }
        }
    }
    let (aa, ba) = (a.actor_sides(f), b.actor_sides(f));
    let (at, bt) = (a.target_sides(f), b.target_sides(f));
    if disjoint(aa, ba) || disjoint(at, bt) {
        return None;
    }
    if !aa.is_empty() && !disjoint(aa, ba) && !ba.is_empty() {
        s += 0.5;
    }
    if !at.is_empty() && !bt.is_empty() {
        s += 0.3;
    }
    s += 2.0 * jaccard(a.words(f), b.words(f));
    if a.doc == b.doc {
        s += 0.3;
    }
    // Reports may word one incident differently ("clashes", "air strikes"),
    // but different ACLED event types are one incident only when both are
    // dated to the same day.
    if let (Some(x), Some(y)) = (a.acled_type.get(), b.acled_type.get()) {
        if x != y && !a.guessed() && !b.guessed() {
            let same_day = matches!((a.date(), b.date()), (Some((a0, _, TimePrecision::Day)), Some((b0, _, TimePrecision::Day))) if a0 == b0);
            if !same_day {
                return None;
            }
            s -= 1.0;
        }
    }
    Some(s)
}

/// What an event under construction must keep consistent.
#[derive(Debug, Clone)]
struct Summary {
    /// Earliest and latest day-precision date.
    days: Option<(i32, i32)>,
    /// Intersection of all date ranges.
    range: Option<(i32, i32)>,
    /// Sum and count of precise points, for the centroid.
    lat: f64,
    lon: f64,
    n_points: u32,
    actor_sides: SideSet,
    target_sides: SideSet,
}

/// A cluster's actor or target sides, in the order first met: a few
/// inline, more on the heap. One summary per merged cluster stays in
/// memory (millions on a large store), and a singleton's is made for every
/// merge it is tested for: two `Vec`s cost 48 bytes and two allocations.
#[derive(Debug, Clone)]
enum SideSet {
    Few(u8, [u32; 3]),
    // Boxed: a thin pointer keeps the set 16 bytes (a `Vec` would make it
    // 32); more than three sides is rare.
    #[allow(clippy::box_collection)]
    Many(Box<Vec<u32>>),
}

impl SideSet {
    fn of(v: &[u32]) -> SideSet {
        match v {
            [] => SideSet::Few(0, [0; 3]),
            [a] => SideSet::Few(1, [*a, 0, 0]),
            [a, b] => SideSet::Few(2, [*a, *b, 0]),
            [a, b, c] => SideSet::Few(3, [*a, *b, *c]),
            _ => SideSet::Many(Box::new(v.to_vec())),
        }
    }
    fn as_slice(&self) -> &[u32] {
        match self {
            SideSet::Few(n, v) => &v[..usize::from(*n)],
            SideSet::Many(v) => v,
        }
    }
    /// Adds `s` at the end unless present.
    fn add(&mut self, s: u32) {
        if self.as_slice().contains(&s) {
            return;
        }
        match self {
            SideSet::Few(n, v) if usize::from(*n) < v.len() => {
                v[usize::from(*n)] = s;
                *n += 1;
            }
            SideSet::Few(_, v) => {
                let mut all = v.to_vec();
                all.push(s);
                *self = SideSet::Many(Box::new(all));
            }
            SideSet::Many(v) => v.push(s),
        }
    }
}

impl Summary {
    fn of(f: &[u32], m: &M) -> Summary {
        let p = m.precise_point();
        Summary {
            days: match m.date() {
                Some((a, _, TimePrecision::Day)) => Some((a, a)),
                _ => None,
            },
            range: m.date().map(|(a, b, _)| (a, b)),
            lat: p.map_or(0.0, |p| p.0),
            lon: p.map_or(0.0, |p| p.1),
            n_points: u32::from(p.is_some()),
            actor_sides: SideSet::of(m.actor_sides(f)),
            target_sides: SideSet::of(m.target_sides(f)),
        }
    }
    fn centroid(&self) -> Option<(f64, f64)> {
        (self.n_points > 0).then(|| {
            (
                self.lat / f64::from(self.n_points),
                self.lon / f64::from(self.n_points),
            )
        })
    }
    fn compatible(&self, o: &Summary) -> bool {
        if let (Some(a), Some(b)) = (self.days, o.days) {
            if a.1.max(b.1) - a.0.min(b.0) > 1 {
                return false;
            }
        }
        if let (Some(a), Some(b)) = (self.range, o.range) {
            if a.0.max(b.0) > a.1.min(b.1) + 1 {
                return false;
            }
        }
        if let (Some(p), Some(q)) = (self.centroid(), o.centroid()) {
            if haversine_km(p, q) > MAX_KM {
                return false;
            }
        }
        !disjoint(self.actor_sides.as_slice(), o.actor_sides.as_slice())
            && !disjoint(self.target_sides.as_slice(), o.target_sides.as_slice())
    }
    fn absorb(&mut self, o: Summary) {
        self.days = match (self.days, o.days) {
            (Some(a), Some(b)) => Some((a.0.min(b.0), a.1.max(b.1))),
            (a, b) => a.or(b),
        };
        self.range = match (self.range, o.range) {
            (Some(a), Some(b)) => Some((a.0.max(b.0), a.1.min(b.1).max(a.0.max(b.0)))),
            (a, b) => a.or(b),
        };
        self.lat += o.lat;
        self.lon += o.lon;
        self.n_points += o.n_points;
        for &s in o.actor_sides.as_slice() {
            self.actor_sides.add(s);
        }
        for &s in o.target_sides.as_slice() {
            self.target_sides.add(s);
        }
    }
}

/// Union-find over mention indices with a consistency summary per root.
///
/// Only merged clusters store a summary; a singleton's is derived from its
/// mention when needed, so memory grows with merges, not with mentions. It
/// holds no mentions: callers give a singleton's summary (see
/// [`Clusters::try_union`]), so the mentions being merged are all that
/// needs to be in memory (see [`spilled`]).
struct Clusters {
    /// u32: one per mention, millions of them.
    parent: Vec<u32>,
    /// By root; u32 keys, as the parents.
    merged: IntMap<u32, Summary>,
}

impl Clusters {
    fn new(n: usize) -> Clusters {
        Clusters {
            parent: (0..n as u32).collect(),
            merged: IntMap::default(),
        }
    }
    fn find(&mut self, i: usize) -> usize {
        let mut i = i as u32;
        while self.parent[i as usize] != i {
            self.parent[i as usize] = self.parent[self.parent[i as usize] as usize];
            i = self.parent[i as usize];
        }
        i as usize
    }
    /// Each index's root, in the parents' memory, with the summaries freed
    /// first: on a large partition both are a good share of resolution's
    /// memory, and the roots are what is left of them.
    fn into_roots(mut self) -> Vec<u32> {
        self.merged = IntMap::default();
        for i in 0..self.parent.len() {
            self.parent[i] = self.find(i) as u32;
        }
        self.parent
    }
    /// The summary of root `r`; `single` makes it when `r` is alone.
    fn summary(&self, r: usize, single: impl FnOnce() -> Summary) -> Cow<'_, Summary> {
        match self.merged.get(&(r as u32)) {
            Some(s) => Cow::Borrowed(s),
            None => Cow::Owned(single()),
        }
    }
    /// Merges the clusters of `a` and `b` if they stay consistent. `of(r)`
    /// is a lone mention's summary: only `a` or `b` can be one (a root
    /// with members has its summary stored).
    fn try_union(&mut self, a: usize, b: usize, of: impl Fn(usize) -> Summary) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return true;
        }
        let lone = |r: usize| {
            debug_assert!(r == a || r == b);
            of(r)
        };
        if !self
            .summary(ra, || lone(ra))
            .compatible(&self.summary(rb, || lone(rb)))
        {
            return false;
        }
        // The smaller index stays root so results do not depend on merge order.
        let (root, child) = if ra < rb { (ra, rb) } else { (rb, ra) };
        let cs = self
            .merged
            .remove(&(child as u32))
            .unwrap_or_else(|| lone(child));
        self.parent[child] = root as u32;
        self.merged
            .entry(root as u32)
            .or_insert_with(|| lone(root))
            .absorb(cs);
        true
    }
}

/// Mentions of one partition by their index in it: all of them (`ix` none,
/// `ms` in canonical order), or only some (`ix` their sorted indices, `ms`
/// theirs), when the partition is clustered from disk (see [`spilled`]).
struct View<'a> {
    ix: Option<&'a [u32]>,
    ms: &'a [M],
    feat: &'a [u32],
}

impl<'a> View<'a> {
    fn all(ms: &'a [M], feat: &'a [u32]) -> Self {
        View { ix: None, ms, feat }
    }
    /// The mention at index `i`, which must be in the view.
    fn m(&self, i: usize) -> &'a M {
        match self.ix {
            None => &self.ms[i],
            Some(ix) => match ix.binary_search(&(i as u32)) {
                Ok(p) => &self.ms[p],
                Err(_) => unreachable!("mention {i} is not in the view"),
            },
        }
    }
    fn summary(&self, i: usize) -> Summary {
        Summary::of(self.feat, self.m(i))
    }
    /// (index, mention) in index order.
    fn iter(&self) -> impl Iterator<Item = (usize, &'a M)> + '_ {
        let ms = self.ms;
        (0..ms.len()).map(move |p| (self.ix.map_or(p, |ix| ix[p] as usize), &ms[p]))
    }
}

/// The 1° cell of a point. Coordinates far off the globe are clamped so
/// a neighbour's index (±1) cannot overflow.
fn cell(p: (f64, f64)) -> (i32, i32) {
    const FAR: f64 = (i32::MAX / 2) as f64;
    (
        p.0.floor().clamp(-FAR, FAR) as i32,
        p.1.floor().clamp(-FAR, FAR) as i32,
    )
}

/// Weeks an anchor's block keys cover: its date range widened by the one
/// day of tolerance. Anchors are dated to a day or a week, so this is two or
/// three weeks; the cap keeps a malformed long range from flooding blocks.
fn weeks(m: &M) -> impl Iterator<Item = i32> {
    let (a, b) = m.date().map_or((0, -1), |(a, b, _)| (a - 1, b + 1));
    (a.div_euclid(7)..=b.div_euclid(7)).take(4)
}

/// An anchor's first week (see [`weeks`]): a pair of anchors that share
/// several weeks is scored only in the first of them.
fn first_week(m: &M) -> i32 {
    weeks(m).next().unwrap_or(i32::MIN)
}

/// Each mention is compared with this many successors in its block's
/// (date, place) order. Small blocks are compared all against all; crowded
/// ones (a busy town in a busy week) only against their nearest
/// neighbours, which keeps resolution linear in the number of mentions.
const WINDOW: usize = 24;

/// An anchor block: mentions of one category and week, near one 1° cell or
/// in one province.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Block {
    Cell(i32, i32),
    Admin1(u32),
}

/// Where a mention sits in a block's comparison order: day, then a 0.1°
/// grid position, so window neighbours are close in time and place.
fn order_key(m: &M, i: usize) -> OrderKey {
    let (lat, lon) = m.precise_point().map_or((i32::MIN, i32::MIN), |p| {
        ((p.0 * 10.0) as i32, (p.1 * 10.0) as i32)
    });
    (m.date().map_or(0, |d| d.0), lat, lon, i)
}

/// (start day, 0.1° latitude, 0.1° longitude, canonical index)
type OrderKey = (i32, i32, i32, usize);

/// Blocks scored at a time, in parallel, before their pairs are merged
/// in block order: enough to keep both cores busy, few enough that the
/// pair lists stay small.
const BLOCKS_AT_ONCE: usize = 512;

/// Reusable buffers for scoring a block.
#[derive(Default)]
struct BlockScratch {
    /// (order key, the mention's slot in the week's anchors, belongs to the
    /// block itself rather than a neighbour cell, the mention's first week)
    list: Vec<(OrderKey, u32, bool, i32)>,
    /// The mentions' summaries in `list` order.
    local: Vec<M>,
}

/// The anchor pairs of one block that score enough to merge, best first,
/// as (score, index, index, slot, slot): `ms` are the week's anchors (its
/// slots), `ix` a slot's index in the partition, which orders ties.
///
/// `own` are the block's members; `others` members of neighbouring cells
/// that come later in block order (each pair of cells is visited once).
/// A pair that shares several weeks is scored only in the first of them,
/// and point-located pairs meet only through cells, never in a province.
/// Scoring reads only the summaries, so blocks are scored in parallel;
/// merging ([`Clusters::try_union`]) depends on earlier merges and stays
/// sequential, in block order.
#[allow(clippy::too_many_arguments)]
fn score_block(
    ms: &[M],
    feat: &[u32],
    ix: &(dyn Fn(u32) -> u32 + Sync),
    week: i32,
    block: Block,
    own: &[u32],
    others: &[&[u32]],
    sc: &mut BlockScratch,
) -> Vec<Scored> {
    sc.list.clear();
    sc.local.clear();
    let mut scored: Vec<Scored> = Vec::new();
    let ordered = |s: u32, own: bool| {
        let m = &ms[s as usize];
        (order_key(m, ix(s) as usize), s, own, first_week(m))
    };
    sc.list.extend(own.iter().map(|&s| ordered(s, true)));
    for o in others {
        sc.list.extend(o.iter().map(|&s| ordered(s, false)));
    }
    sc.list.sort_unstable_by_key(|e| e.0);
    // Each mention meets its next WINDOW neighbours: copies in list order
    // make those reads sequential instead of one cache miss per pair.
    sc.local.extend(sc.list.iter().map(|e| ms[e.1 as usize]));
    let province = matches!(block, Block::Admin1(_));
    let (list, local) = (&sc.list, &sc.local);
    for (k, &(key_i, si, own_i, fw_i)) in list.iter().enumerate() {
        let a = &local[k];
        let a_precise = a.precise_point().is_some();
        for (dk, &(key_j, sj, own_j, fw_j)) in list[k + 1..].iter().take(WINDOW).enumerate() {
            if !own_i && !own_j {
                continue;
            }
            if fw_i.max(fw_j) != week {
                continue;
            }
            let b = &local[k + 1 + dk];
            if province && a_precise && b.precise_point().is_some() {
                continue;
            }
            if let Some(s) = pair(feat, a, b).filter(|s| *s >= MERGE_SCORE) {
                // The order key ends with the index.
                let (i, j) = (key_i.3 as u32, key_j.3 as u32);
                scored.push(if i < j {
                    (s, i, j, si, sj)
                } else {
                    (s, j, i, sj, si)
                });
            }
        }
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    scored
}

/// A scored pair: (score, index, larger index, their slots).
type Scored = (f32, u32, u32, u32, u32);

/// Scores and merges one week's anchor blocks (see [`cluster`]): `active`
/// the slots in `ms` of the anchors whose weeks include `week`, `ix` a
/// slot's index in the partition.
fn anchor_week(
    week: i32,
    active: &[u32],
    ms: &[M],
    feat: &[u32],
    ix: &(dyn Fn(u32) -> u32 + Sync),
    cl: &mut Clusters,
) {
    let blocks: Groups<(Plover, Block), u32> = Groups::build(|f| {
        for &s in active {
            let m = &ms[s as usize];
            if let Some(p) = m.precise_point() {
                let (cy, cx) = cell(p);
                f((m.category, Block::Cell(cy, cx)), s);
            }
            if let Some(a1) = m.admin1.get() {
                f((m.category, Block::Admin1(a1)), s);
            }
        }
    });
    let score = |sc: &mut BlockScratch, key: &(Plover, Block)| {
        let (cat, kind) = *key;
        let own = blocks.get(key).unwrap_or(&[]);
        let mut others: Vec<&[u32]> = Vec::new();
        if let Block::Cell(cy, cx) = kind {
            // The four neighbours after this cell in (row, column) order.
            for (dy, dx) in [(0, 1), (1, -1), (1, 0), (1, 1)] {
                if let Some(v) = blocks.get(&(cat, Block::Cell(cy + dy, cx + dx))) {
                    others.push(v);
                }
            }
        }
        score_block(ms, feat, ix, week, kind, own, &others, sc)
    };
    for chunk in blocks.keys.chunks(BLOCKS_AT_ONCE) {
        let scored: Vec<Vec<Scored>> = chunk
            .par_iter()
            .map_init(BlockScratch::default, |sc, key| score(sc, key))
            .collect();
        for &(_, i, j, si, sj) in scored.iter().flatten() {
            cl.try_union(i as usize, j as usize, |r| {
                Summary::of(feat, &ms[if r == i as usize { si } else { sj } as usize])
            });
        }
    }
}

/// Where resolution reads its mentions from (see [`resolve_from`]).
///
/// Resolution makes two passes: one [`scan`](MentionSource::scan) over all
/// documents, keeping only a compact summary of each mention, and then
/// [`fetch`](MentionSource::fetch)es of the documents whose mentions make up
/// the events being built, a slice of events at a time.
pub trait MentionSource {
    type Error;
    /// Calls `prepare` with each document's mentions (all of one document
    /// in one call, the mentions in a fixed order) and `f` with what it
    /// returns, documents in any order. `prepare` may run on other threads
    /// (it is most of the scan's work); `f` runs on the caller's.
    fn scan(
        &mut self,
        prepare: &(dyn Fn(&[&EventMention]) -> PreparedDoc + Sync),
        f: &mut dyn FnMut(PreparedDoc),
    ) -> Result<(), Self::Error>;
    /// Where resolution may write temporary files, and how a failure to
    /// write or read them becomes this source's error. With a folder, past
    /// 64 MB of mention summaries only one category's are in memory at a
    /// time after the scan (see [`resolve_from`]); without one (the
    /// default), all are.
    fn spill(&self) -> Option<Spill<Self::Error>> {
        None
    }
    /// Calls `f` once with the mentions at these (document position in
    /// scan order, mention position within the document as `scan` gave it)
    /// pairs, sorted and distinct, in that order.
    fn fetch(
        &mut self,
        wanted: &[(u32, u32)],
        f: &mut dyn FnMut(&[&EventMention]),
    ) -> Result<(), Self::Error>;
}

/// A folder for resolution's temporary files (see [`MentionSource::spill`]).
pub struct Spill<E> {
    pub dir: std::path::PathBuf,
    pub error: fn(std::io::Error) -> E,
}

/// A [`MentionSource`] over mentions in memory.
struct SliceSource<'a> {
    docs: Vec<Vec<&'a EventMention>>,
}

impl<'a> SliceSource<'a> {
    fn new(mentions: &'a [EventMention]) -> Self {
        let mut by_doc: BTreeMap<&str, Vec<&EventMention>> = BTreeMap::new();
        for m in mentions {
            by_doc.entry(m.document.as_str()).or_default().push(m);
        }
        SliceSource {
            docs: by_doc.into_values().collect(),
        }
    }
}

impl MentionSource for SliceSource<'_> {
    type Error = std::convert::Infallible;
    fn scan(
        &mut self,
        prepare: &(dyn Fn(&[&EventMention]) -> PreparedDoc + Sync),
        f: &mut dyn FnMut(PreparedDoc),
    ) -> Result<(), Self::Error> {
        let prepared: Vec<PreparedDoc> = self.docs.par_iter().map(|d| prepare(d)).collect();
        for p in prepared {
            f(p);
        }
        Ok(())
    }
    fn fetch(
        &mut self,
        wanted: &[(u32, u32)],
        f: &mut dyn FnMut(&[&EventMention]),
    ) -> Result<(), Self::Error> {
        let picked: Vec<&EventMention> = wanted
            .iter()
            .map(|&(d, i)| self.docs[d as usize][i as usize])
            .collect();
        f(&picked);
        Ok(())
    }
}

/// A document's mentions in canonical order: indices into `ms`, sorted by
/// [`mention_key`] (stable, so identical keys keep the source's order).
fn canonical(ms: &[&EventMention]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..ms.len()).collect();
    order.sort_by(|&i, &j| mention_key(ms[i]).cmp(&mention_key(ms[j])));
    order
}

/// The feature arena's most words: its positions are u32.
const ARENA_MAX: usize = u32::MAX as usize;

/// Bytes of mention summaries resolution holds while it scans before it
/// writes them to its spill folder, when the source gives one (see
/// [`MentionSource::spill`]).
const SPILL_BUDGET: usize = 64 << 20;

/// Events built per slice: the documents a slice's events cite are fetched
/// together, and only one slice of events is in memory at a time.
const BUILD_CHUNK: usize = 4096;

/// Resolves the mentions of `source` into events and hands them to `emit`,
/// in no particular order (callers that need one sort; [`resolve`] does).
///
/// Memory, when the source gives a spill folder and past 64 MB of compact
/// per-mention summaries (56 bytes each plus word hashes): the clustering
/// state of one category at a time (4 bytes a mention and a summary per
/// merged event), four weeks of its anchors' summaries, its non-anchors and
/// the events they could join (see [`spilled`]), then one slice of events
/// with their documents' mentions; so a store of millions of mentions
/// resolves without holding them. Below that, or without a folder, all
/// summaries are held, and small inputs cluster their categories side by
/// side. Deterministic: the same mentions give the same events and ids.
pub fn resolve_from<S: MentionSource>(
    source: &mut S,
    emit: impl FnMut(Event),
) -> Result<(), S::Error> {
    resolve_within(source, SPILL_BUDGET, true, emit)
}

/// Time spent in each clustering step, over all categories (for the log).
#[derive(Default)]
struct Phases {
    anchors: std::time::Duration,
    grouped: std::time::Duration,
    attach: std::time::Duration,
    merged: usize,
    /// Anchors and feature words of partitions clustered from disk (for
    /// the log).
    anchor_mentions: usize,
    feature_words: usize,
}

impl Phases {
    /// Adds another clustering's times (categories clustered side by side
    /// add up to more than the wall time they took).
    fn add(&mut self, o: &Phases) {
        self.anchors += o.anchors;
        self.grouped += o.grouped;
        self.attach += o.attach;
        self.merged += o.merged;
        self.anchor_mentions += o.anchor_mentions;
        self.feature_words += o.feature_words;
    }
}

/// [`resolve_from`] holding up to `budget` bytes of summaries while it
/// scans; all categories clustered together unless `by_category` (which
/// must not change the result: the tests compare the two).
fn resolve_within<S: MentionSource>(
    source: &mut S,
    budget: usize,
    by_category: bool,
    mut emit: impl FnMut(Event),
) -> Result<(), S::Error> {
    let t0 = std::time::Instant::now();
    let spill = source.spill();
    // 1. Canonical order: documents by id, mentions by content key.
    let mut names = Interner::default();
    // ACLED types apart, so their numbers fit 16 bits.
    let mut types = Interner::default();
    let mut parts = parts::Parts::new(spill.as_ref(), budget, by_category);
    let mut doc_ids: Vec<String> = Vec::new();
    // Each document's number of mentions, by scan position.
    let mut doc_len: Vec<u32> = Vec::new();
    // Each non-anchor's (document, place in the document's canonical
    // order): a non-anchor is compared with the next non-anchors of its
    // document whatever their category (see [`cluster`]).
    let mut non_anchor_at: Vec<(u32, u32)> = Vec::new();
    let (mut ids, mut type_ids): (Vec<u32>, Vec<u32>) = (Vec::new(), Vec::new());
    let mut failed: Option<S::Error> = None;
    source.scan(&prepare_doc, &mut |p| {
        let doc = doc_ids.len() as u32;
        ids.clear();
        ids.extend(p.names.into_iter().map(|n| names.id(n)));
        type_ids.clear();
        type_ids.extend(p.types.into_iter().map(|n| types.id(n)));
        doc_len.push(p.ms.len() as u32);
        doc_ids.push(p.id);
        if failed.is_some() {
            return;
        }
        // `k`: the mention's place among its document's, canonical order.
        for (k, mut m) in p.ms.into_iter().enumerate() {
            m.doc = doc;
            for id in [&mut m.admin1, &mut m.country] {
                id.remap(&ids);
            }
            m.acled_type.remap(&type_ids);
            if !m.is_anchor() {
                non_anchor_at.push((doc, k as u32));
            }
            if let Err(e) = parts.push(m, k as u32, &p.feat) {
                failed = Some(e);
                return;
            }
        }
    })?;
    if let Some(e) = failed {
        return Err(e);
    }
    parts.end_scan()?;
    // Sources may scan in any order (the store reads its table in storage
    // order, which is fast): a mention's canonical index follows from its
    // document's rank by id and its place within the document, and
    // interned names are numbered by their spelling, so the result cannot
    // depend on scan order.
    let n_docs = doc_ids.len();
    let mut by_id: Vec<u32> = (0..n_docs as u32).collect();
    by_id.sort_by(|&a, &b| doc_ids[a as usize].cmp(&doc_ids[b as usize]));
    drop(doc_ids);
    // The canonical index of each document's first mention, by scan
    // position.
    let mut doc_start = vec![0u32; n_docs];
    let mut at = 0u32;
    for &d in &by_id {
        doc_start[d as usize] = at;
        at += doc_len[d as usize];
    }
    // The canonical indices of all non-anchors, in order.
    let mut non_anchors: Vec<u32> = non_anchor_at
        .iter()
        .map(|&(d, k)| doc_start[d as usize] + k)
        .collect();
    drop(non_anchor_at);
    non_anchors.sort_unstable();
    let n_mentions = parts.len();
    let remap = names.spelling_order();
    if types.0.len() >= usize::from(u16::MAX) {
        tracing::warn!(
            types = types.0.len(),
            "more ACLED event types than 16 bits number: some are compared as untyped"
        );
    }
    let remap_types = types.spelling_order();
    drop((names, types));
    let canon = parts::Canon {
        doc_start: &doc_start,
        doc_len: &doc_len,
        names: remap.len(),
        types: remap_types.len(),
    };
    let scanned = t0.elapsed();

    // 2–3. Each category clustered on its own (see [`parts`]): each
    // mention's event as (root's canonical index, its canonical index).
    let mut members: Vec<(u32, u32)> = Vec::with_capacity(n_mentions);
    // Each mention's position as the source gave it, by canonical index.
    let mut pos_of = vec![0u32; n_mentions];
    // Each document's earliest mentioned day, by scan position.
    let mut doc_day = vec![i32::MAX; n_docs];
    let (mut phases, mut anchors, mut n_feat) = (Phases::default(), 0usize, 0usize);
    let order = parts.order();
    let side_by_side = parts.within_budget();
    // What is kept of every summary read back: its names renumbered, its
    // position and its document's day noted.
    let mut fix = |m: &mut M, g: u32| {
        for id in [&mut m.admin1, &mut m.country] {
            id.remap(&remap);
        }
        m.acled_type.remap(&remap_types);
        pos_of[g as usize] = m.pos;
        if let Some((start, _, _)) = m.date() {
            let d = &mut doc_day[m.doc as usize];
            *d = (*d).min(start);
        }
    };
    // A category taken out, each summary fixed.
    let mut load = |parts: &mut parts::Parts<'_, S::Error>,
                    fix: &mut dyn FnMut(&mut M, u32),
                    part: usize|
     -> Result<parts::Loaded, S::Error> {
        let parts::Loaded { mut ms, gi, feat } = parts.take(part, &canon)?;
        for (m, &g) in ms.iter_mut().zip(&gi) {
            fix(m, g);
        }
        if tracing::enabled!(tracing::Level::DEBUG) {
            anchors += ms.iter().filter(|m| m.is_anchor()).count();
        }
        n_feat += feat.len();
        tracing::debug!(
            category = ?ms.first().map(|m| m.category),
            mentions = ms.len(),
            feature_words = feat.len(),
            "clustering one category"
        );
        Ok(parts::Loaded { ms, gi, feat })
    };
    if side_by_side {
        // All in memory and small (summaries within the spill budget):
        // categories are clustered side by side, as their merges are
        // sequential and would leave a core idle. Independent, so the
        // result is the same; the clustering state of several categories
        // is held at once, bounded by the small input. Each category's
        // "clustering one category" line is logged as it is taken out,
        // all before clustering starts.
        let loaded = order
            .into_iter()
            .map(|part| load(&mut parts, &mut fix, part))
            .collect::<Result<Vec<_>, _>>()?;
        let done: Vec<(Vec<u32>, Vec<u32>, Phases)> = loaded
            .into_par_iter()
            .map(|parts::Loaded { ms, gi, feat }| {
                let mut ph = Phases::default();
                let roots = cluster(&ms, &feat, &gi, &non_anchors, &mut ph);
                (roots, gi, ph)
            })
            .collect();
        for (roots, gi, ph) in done {
            members.extend(roots.iter().zip(&gi).map(|(&r, &g)| (gi[r as usize], g)));
            phases.add(&ph);
        }
    } else {
        for part in order {
            let (roots, gi) = match (parts.all_on_disk(part), spill.as_ref()) {
                // Clustered from disk: past the budget, a category's
                // summaries are not all held (see [`spilled`]).
                (Some(n), Some(sp)) => {
                    tracing::debug!(mentions = n, "clustering one category from disk");
                    spilled::cluster(
                        &mut parts,
                        part,
                        n,
                        &canon,
                        &sp.dir,
                        &mut fix,
                        &non_anchors,
                        &mut phases,
                    )
                    .map_err(|e| (sp.error)(parts::in_spill(e, &sp.dir)))?
                }
                _ => {
                    let parts::Loaded { ms, gi, feat } = load(&mut parts, &mut fix, part)?;
                    let roots = cluster(&ms, &feat, &gi, &non_anchors, &mut phases);
                    (roots, gi)
                }
            };
            members.extend(roots.iter().zip(&gi).map(|(&r, &g)| (gi[r as usize], g)));
        }
    }
    drop((parts, doc_len, non_anchors));
    let clustered = t0.elapsed();

    // 4. Build events: members grouped by root (a cluster's root is its
    // smallest index, so groups come in canonical order), a slice of
    // groups at a time, in parallel.
    members.sort_unstable();
    // Each event's members, a range of `members`, in root order.
    let mut groups: Vec<(usize, usize)> = Vec::new();
    for run in members.chunk_by(|a, b| a.0 == b.0) {
        let start = groups.last().map_or(0, |g| g.1);
        groups.push((start, start + run.len()));
    }
    // From here each member is its mention's (document, position): the
    // document is the last in id order whose first index is not past the
    // member's.
    for e in &mut members {
        let g = e.1;
        let rank = by_id.partition_point(|&d| doc_start[d as usize] <= g) - 1;
        *e = (by_id[rank], pos_of[g as usize]);
    }
    drop((pos_of, doc_start, by_id));
    // Slices follow time: reports of one incident are published close to
    // it and to each other, so a slice of events of neighbouring dates
    // reads back a few thousand neighbouring documents, where slices in
    // canonical (document id) order each touched documents from the whole
    // store. An event's time here is that of its documents (the earliest
    // date any of them mentions), not its own: events that share an id
    // (below) have the same documents, so they keep their canonical order
    // (group starts are in root order) and the same one keeps the
    // plain id whatever the slicing.
    let when = |&(s, e): &(usize, usize)| {
        members[s..e]
            .iter()
            .map(|&(d, _)| doc_day[d as usize])
            .min()
            .unwrap_or(i32::MAX)
    };
    groups.sort_by_cached_key(|g| (when(g), g.0));
    drop(doc_day);
    // Two events can share an id only when their mentions are identical
    // (the same sentence coded twice alike); number the later ones so no
    // event is lost downstream, where ids are keys.
    // Ids are remembered by their 64-bit hash: should two different ids
    // ever share one, the later is renumbered, which loses nothing.
    let mut seen: HashSet<u64, IntHasher> = HashSet::default();
    let (mut fetch_time, mut emit_time) = (std::time::Duration::ZERO, std::time::Duration::ZERO);
    let mut doc_reads = 0usize;
    for slice in groups.chunks(BUILD_CHUNK) {
        // Only the mentions this slice's events are made of are read back.
        let mut wanted: Vec<(u32, u32)> = slice
            .iter()
            .flat_map(|&(s, e)| members[s..e].iter().copied())
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        doc_reads += wanted.chunk_by(|a, b| a.0 == b.0).count();
        let mut built: Vec<Event> = Vec::new();
        let tf = std::time::Instant::now();
        let mut fetched_at = tf;
        source.fetch(&wanted, &mut |fetched| {
            fetched_at = std::time::Instant::now();
            let mention = |at: &(u32, u32)| -> Option<&EventMention> {
                let k = wanted.binary_search(at).ok()?;
                fetched.get(k).copied()
            };
            built = slice
                .par_iter()
                .filter_map(|&(s, e)| {
                    let mems: Vec<&EventMention> =
                        members[s..e].iter().filter_map(mention).collect();
                    (!mems.is_empty()).then(|| {
                        let id = event_id(&mems);
                        build_event(&mems, id)
                    })
                })
                .collect();
        })?;
        fetch_time += fetched_at - tf;
        let te = std::time::Instant::now();
        for mut e in built {
            let mut n = 1u32;
            while !seen.insert(xxhash_rust::xxh3::xxh3_64(e.id.as_bytes())) {
                n += 1;
                e.id = stable_id(&[e.id.as_str(), &n.to_string()]);
            }
            emit(e);
        }
        emit_time += te.elapsed();
    }
    tracing::debug!(
        mentions = n_mentions,
        anchors = anchors + phases.anchor_mentions,
        merged_clusters = phases.merged,
        feature_words = n_feat + phases.feature_words,
        doc_reads,
        fetch_ms = fetch_time.as_millis() as u64,
        emit_ms = emit_time.as_millis() as u64,
        scan_ms = scanned.as_millis() as u64,
        cluster_ms = (clustered - scanned).as_millis() as u64,
        // Summed over categories, which may have been clustered side by
        // side: these can add up to more than `cluster_ms`.
        anchors_ms = phases.anchors.as_millis() as u64,
        grouped_ms = phases.grouped.as_millis() as u64,
        attach_ms = phases.attach.as_millis() as u64,
        build_ms = (t0.elapsed() - clustered).as_millis() as u64,
        "resolution phases"
    );
    Ok(())
}

/// Clusters one partition's mentions (`ms` in canonical order, `feat`
/// their arena, `gi` their canonical indices; `non_anchors` the sorted
/// canonical indices of every partition's non-anchors): each mention's
/// root, the smallest index of its event. [`spilled::cluster`] does the
/// same for a partition on disk without holding it.
fn cluster(
    ms: &[M],
    feat: &[u32],
    gi: &[u32],
    non_anchors: &[u32],
    phases: &mut Phases,
) -> Vec<u32> {
    let t = std::time::Instant::now();
    let mut cl = Clusters::new(ms.len());
    // 2. Anchors, blocked by (week, category, cell) and (week, category,
    // province), then scored and merged block by block in that order: no
    // pair list outlives its block. The blocks are made a week at a time,
    // from the anchors whose weeks include it: an anchor covers at most
    // four weeks from its first (see [`weeks`]), so only anchors that begin
    // in the four weeks up to it can. The blocks of every week at once
    // (several entries per anchor) were a large part of resolution's
    // memory on millions of mentions; this index is one entry per anchor.
    let by_first_week: Groups<i32, u32> = Groups::build(|f| {
        for (i, m) in ms.iter().enumerate().filter(|(_, m)| m.is_anchor()) {
            f(first_week(m), i as u32);
        }
    });
    let mut active: Vec<u32> = Vec::new();
    for w in block_weeks(&by_first_week.keys) {
        active.clear();
        for fw in w.saturating_sub(3)..=w {
            let starting = by_first_week.get(&fw).unwrap_or(&[]);
            active.extend(
                starting
                    .iter()
                    .filter(|&&i| weeks(&ms[i as usize]).any(|x| x == w)),
            );
        }
        if !active.is_empty() {
            anchor_week(w, &active, ms, feat, &|i| i, &mut cl);
        }
    }
    drop(by_first_week);
    phases.anchors += t.elapsed();
    let view = View::all(ms, feat);
    let t = std::time::Instant::now();
    group_within_documents(&view, gi, non_anchors, &mut cl);
    phases.grouped += t.elapsed();
    let t = std::time::Instant::now();
    let (index, complete) = AttachIndex::build(&view, |f| {
        for (i, m) in ms.iter().enumerate().filter(|(_, m)| m.is_anchor()) {
            f(i, m);
        }
    });
    // Both passes walked the same slice.
    debug_assert!(complete);
    let marked = index.marked(&view, &mut cl);
    let members = Joinable::of(&marked, &mut cl, |f| {
        for (i, m) in ms.iter().enumerate().filter(|(_, m)| m.is_anchor()) {
            f(i, m);
        }
    });
    attach(&view, &index, members, &mut cl);
    phases.attach += t.elapsed();
    phases.merged += cl.merged.len();
    cl.into_roots()
}

/// The weeks whose blocks can hold anchors, in order, from the anchors'
/// first weeks (sorted): each first week and the three after it.
fn block_weeks(first_weeks: &[i32]) -> Vec<i32> {
    let mut v: Vec<i32> = first_weeks
        .iter()
        .flat_map(|&w| w..=w.saturating_add(3))
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// 3a. Non-anchors grouped within their document; a document's mentions
/// are in text order, and each is compared with the next WINDOW
/// non-anchors of its document, whatever their category: those of other
/// partitions are never a match, but they count towards the window, as
/// when all were clustered together. `view` holds the partition's
/// non-anchors (and maybe more); `gi` is the partition's canonical indices.
fn group_within_documents(view: &View, gi: &[u32], non_anchors: &[u32], cl: &mut Clusters) {
    let mut by_doc: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (i, m) in view.iter().filter(|(_, m)| !m.is_anchor()) {
        by_doc.entry(m.doc).or_default().push(i);
    }
    let mut local: Vec<(f32, usize, usize)> = Vec::new();
    // Each non-anchor's place among all non-anchors.
    let mut place: Vec<usize> = Vec::new();
    for idx in by_doc.values() {
        local.clear();
        place.clear();
        place.extend(
            idx.iter()
                .map(|&i| non_anchors.partition_point(|&g| g < gi[i])),
        );
        for (k, &i) in idx.iter().enumerate() {
            let within = |&(_, &p): &(&usize, &usize)| p - place[k] <= WINDOW;
            for (&j, _) in idx[k + 1..].iter().zip(&place[k + 1..]).take_while(within) {
                if let Some(s) = pair(view.feat, view.m(i), view.m(j)).filter(|s| *s >= DOC_SCORE) {
                    local.push((s, i, j));
                }
            }
        }
        local.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        for &(_, i, j) in &local {
            cl.try_union(i, j, |r| view.summary(r));
        }
    }
}

/// Resolves event mentions into events and hands them to `emit` as they are
/// built, in no particular order, holding no more than a slice of them: the
/// events of [`resolve`], for callers that write them out.
pub fn resolve_each(mentions: &[EventMention], emit: impl FnMut(Event)) {
    let Ok(()) = resolve_from(&mut SliceSource::new(mentions), emit);
}

/// Resolves all event mentions into events, sorted by date then id.
pub fn resolve(mentions: &[EventMention]) -> Vec<Event> {
    let mut events = Vec::new();
    resolve_each(mentions, |e| events.push(e));
    sort_events(&mut events);
    events
}

/// The order [`resolve`] returns: by start date (undated first), then id.
pub fn sort_events(events: &mut [Event]) {
    events.sort_by(|a, b| {
        a.date
            .map(|d| d.start)
            .cmp(&b.date.map(|d| d.start))
            .then_with(|| a.id.cmp(&b.id))
    });
}

/// The stable id of the event made of `mems`.
fn event_id(mems: &[&EventMention]) -> String {
    let keys: Vec<String> = mems
        .iter()
        .map(|m| {
            format!(
                "{}:{}:{}:{}:{}",
                m.document,
                m.char_start,
                m.char_end,
                m.category.as_str(),
                m.coding.trigger
            )
        })
        .collect();
    let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    stable_id(&key_refs)
}

fn mention_key(m: &EventMention) -> (&str, usize, usize, Plover, &str, &str) {
    (
        m.document.as_str(),
        m.char_start,
        m.char_end,
        m.category,
        m.coding.trigger.as_str(),
        m.sentence.as_str(),
    )
}

/// An anchor's entry in one of [`AttachIndex`]'s indexes.
enum Key {
    Cell((Plover, (i32, i32)), (i32, u32)),
    Province((Plover, u32), (i32, u32)),
    Month((Plover, u32, i32), u32),
    Doc((u32, Plover), u32),
}

/// The attach step's indexes of anchors (see [`attach`]), by category and
/// cell / province / country-month, and the anchors of the documents that
/// have non-anchors. Cell and province lists are sorted by start day so a
/// dated mention looks only at anchors of its own time. Indices are u32 and
/// the lists one array each. Only the keys some non-anchor will look up
/// are indexed: where most mentions are anchors, indexes of every anchor
/// were resolution's memory peak on millions of mentions, and mostly held
/// keys no lookup reads.
struct AttachIndex {
    cells: Groups<(Plover, (i32, i32)), (i32, u32)>,
    provinces: Groups<(Plover, u32), (i32, u32)>,
    months: Groups<(Plover, u32, i32), u32>,
    /// By document and category: its anchors of a category one of its
    /// non-anchors has.
    docs: Groups<(u32, Plover), u32>,
}

impl AttachIndex {
    /// The indexes of the anchors `each_anchor` gives (index, mention; any
    /// order, each once, the same on both of the two calls) that the
    /// non-anchors of `view` look up; false with them when the two calls
    /// gave different anchors.
    fn build(view: &View, mut each_anchor: impl FnMut(&mut dyn FnMut(usize, &M))) -> (Self, bool) {
        let mut want_cell: HashSet<(Plover, (i32, i32)), IntHasher> = HashSet::default();
        let mut want_admin: HashSet<(Plover, u32), IntHasher> = HashSet::default();
        let mut want_month: HashSet<(Plover, u32, i32), IntHasher> = HashSet::default();
        let mut want_doc: HashSet<(u32, Plover), IntHasher> = HashSet::default();
        for (_, m) in view.iter().filter(|(_, m)| !m.is_anchor()) {
            let cat = m.category;
            want_doc.insert((m.doc, cat));
            if let Some(p) = m.precise_point() {
                let (cy, cx) = cell(p);
                for dy in -1..=1 {
                    for dx in -1..=1 {
                        want_cell.insert((cat, (cy + dy, cx + dx)));
                    }
                }
            } else if let Some(a) = m.admin1.get() {
                want_admin.insert((cat, a));
            } else if let (Some(c), Some((a, b, _))) = (m.country.get(), m.date()) {
                for mo in month_of(a)..=month_of(b).min(month_of(a) + 12) {
                    want_month.insert((cat, c, mo));
                }
            }
        }
        // Which of the indexes want an anchor, under which keys.
        let route = |i: usize, m: &M, to: &mut dyn FnMut(Key)| {
            let (i, cat) = (i as u32, m.category);
            let start = m.date().map_or(0, |d| d.0);
            if let Some(p) = m.precise_point() {
                let key = (cat, cell(p));
                if want_cell.contains(&key) {
                    to(Key::Cell(key, (start, i)));
                }
            }
            if let Some(a) = m.admin1.get() {
                if want_admin.contains(&(cat, a)) {
                    to(Key::Province((cat, a), (start, i)));
                }
            }
            if let (Some(c), Some((a, b, _))) = (m.country.get(), m.date()) {
                for mo in month_of(a)..=month_of(b) {
                    if want_month.contains(&(cat, c, mo)) {
                        to(Key::Month((cat, c, mo), i));
                    }
                }
            }
            if want_doc.contains(&(m.doc, cat)) {
                to(Key::Doc((m.doc, cat), i));
            }
        };
        // Two passes, one to count and one to place: `each_anchor` may
        // read a file, and a list of every key and value before grouping
        // them was twice the groups' size.
        let mut counts = (
            Counts::default(),
            Counts::default(),
            Counts::default(),
            Counts::default(),
        );
        each_anchor(&mut |i, m| {
            route(i, m, &mut |key| match key {
                Key::Cell(k, _) => counts.0.add(k),
                Key::Province(k, _) => counts.1.add(k),
                Key::Month(k, _) => counts.2.add(k),
                Key::Doc(k, _) => counts.3.add(k),
            })
        });
        let mut placing = (
            counts.0.into_groups(),
            counts.1.into_groups(),
            counts.2.into_groups(),
            counts.3.into_groups(),
        );
        each_anchor(&mut |i, m| {
            route(i, m, &mut |key| match key {
                Key::Cell(k, v) => placing.0.place(k, v),
                Key::Province(k, v) => placing.1.place(k, v),
                Key::Month(k, v) => placing.2.place(k, v),
                Key::Doc(k, v) => placing.3.place(k, v),
            })
        });
        // Start day, then index; or index: the order whatever the order
        // anchors came in.
        drop((want_cell, want_admin, want_month, want_doc));
        fn sorted<K, V>(p: Placing<K, V>, complete: &mut bool) -> Groups<K, V>
        where
            K: Copy + Eq + std::hash::Hash + Ord,
            V: Copy + Default + Ord,
        {
            let (mut g, full) = p.done();
            *complete &= full;
            for v in g.groups_mut() {
                v.sort_unstable();
            }
            g
        }
        let mut complete = true;
        let cells = sorted(placing.0, &mut complete);
        let provinces = sorted(placing.1, &mut complete);
        let months = sorted(placing.2, &mut complete);
        let docs = sorted(placing.3, &mut complete);
        let index = AttachIndex {
            cells,
            provinces,
            months,
            docs,
        };
        (index, complete)
    }

    /// Adds the anchors non-anchor `m` could join to `out`: those of its
    /// document and category, and those near it in place and time unless
    /// there are more than [`MAX_CANDIDATES`] (a vague mention in a busy
    /// cell is left alone).
    fn candidates(&self, m: &M, out: &mut Vec<u32>) {
        let cat = m.category;
        out.extend(self.docs.get(&(m.doc, cat)).unwrap_or(&[]));
        // Candidate lists by reference first: a vague mention in a busy
        // cell is left alone without copying thousands of indices.
        let mut wide: Vec<&[(i32, u32)]> = Vec::new();
        let mut by_month: Vec<&[u32]> = Vec::new();
        if let Some(p) = m.precise_point() {
            let (cy, cx) = cell(p);
            for dy in -1..=1 {
                for dx in -1..=1 {
                    if let Some(v) = self.cells.get(&(cat, (cy + dy, cx + dx))) {
                        wide.push(in_time(v, m.date()));
                    }
                }
            }
        } else if let Some(a) = m.admin1.get() {
            if let Some(v) = self.provinces.get(&(cat, a)) {
                wide.push(in_time(v, m.date()));
            }
        } else if let (Some(c), Some((a, b, _))) = (m.country.get(), m.date()) {
            for mo in month_of(a)..=month_of(b).min(month_of(a) + 12) {
                by_month.extend(self.months.get(&(cat, c, mo)));
            }
        }
        let n = wide.iter().map(|v| v.len()).sum::<usize>()
            + by_month.iter().map(|v| v.len()).sum::<usize>();
        if n <= MAX_CANDIDATES {
            out.extend(wide.into_iter().flatten().map(|x| x.1));
            out.extend(by_month.into_iter().flatten());
        }
    }

    /// A bit per index, set on the roots of the events some non-anchor of
    /// `view` could join: only their members are read by [`attach`], and
    /// only they need be in the view. Groups joining events later move
    /// members between marked roots only.
    fn marked(&self, view: &View, cl: &mut Clusters) -> Vec<u64> {
        let mut bits = vec![0u64; cl.parent.len().div_ceil(64)];
        let mut cands = Vec::new();
        for (_, m) in view.iter().filter(|(_, m)| !m.is_anchor()) {
            cands.clear();
            self.candidates(m, &mut cands);
            for &j in &cands {
                let r = cl.find(j as usize);
                bits[r / 64] |= 1u64 << (r % 64);
            }
        }
        bits
    }
}

/// What the attach step reads of an event a group could join: its first
/// [`MAX_COMPARE`] members in index order (anchors, then the groups that
/// joined it, in the order they did), which it compares with the group,
/// and the earliest middle day of all its members, which "the first
/// strike" reports go by. The rest of its members need not be held.
struct Joinable {
    head: Vec<u32>,
    earliest: i32,
}

impl Default for Joinable {
    fn default() -> Self {
        Joinable {
            head: Vec::new(),
            earliest: i32::MAX,
        }
    }
}

impl Joinable {
    /// Adds anchor member `i` (in any order: the head keeps the smallest).
    fn add(&mut self, i: u32, m: &M) {
        if let Some((a, b, _)) = m.date() {
            self.earliest = self.earliest.min((a + b) / 2);
        }
        if self.head.len() < MAX_COMPARE {
            let at = self.head.partition_point(|&h| h < i);
            self.head.insert(at, i);
        } else if self.head.last().is_some_and(|&h| i < h) {
            self.head.pop();
            let at = self.head.partition_point(|&h| h < i);
            self.head.insert(at, i);
        }
    }
    /// Adds member `i` of a group that joined the event: after all the
    /// event's earlier members, as the groups join in canonical order.
    fn join(&mut self, i: u32, m: &M) {
        if let Some((a, b, _)) = m.date() {
            self.earliest = self.earliest.min((a + b) / 2);
        }
        if self.head.len() < MAX_COMPARE {
            self.head.push(i);
        }
    }
    /// The events of the roots `marked` (see [`AttachIndex::marked`]), from
    /// their anchors, which `each_anchor` gives (index, mention; any order).
    fn of(
        marked: &[u64],
        cl: &mut Clusters,
        each_anchor: impl FnOnce(&mut dyn FnMut(usize, &M)),
    ) -> IntMap<u32, Joinable> {
        let mut events: IntMap<u32, Joinable> = IntMap::default();
        each_anchor(&mut |i, m| {
            let r = cl.find(i);
            if marked[r / 64] & (1u64 << (r % 64)) != 0 {
                events.entry(r as u32).or_default().add(i as u32, m);
            }
        });
        events
    }
}

/// 3b. Each non-anchor group joins the anchor event it fits clearly best.
/// `view` holds the partition's non-anchors and the heads of `members`, the
/// events they could join (see [`Joinable::of`]).
fn attach(view: &View, index: &AttachIndex, mut members: IntMap<u32, Joinable>, cl: &mut Clusters) {
    // Non-anchor groups, by root, in canonical order.
    let mut grouped: Vec<(u32, u32)> = Vec::new();
    for (i, m) in view.iter() {
        if !m.is_anchor() {
            grouped.push((cl.find(i) as u32, i as u32));
        }
    }
    grouped.sort_unstable();
    let mut g: Vec<usize> = Vec::new();
    let mut cands: Vec<u32> = Vec::new();
    for run in grouped.chunk_by(|a, b| a.0 == b.0) {
        g.clear();
        g.extend(run.iter().map(|&(_, i)| i as usize));
        // Skip groups already tied to an anchor through a within-document merge.
        let root = cl.find(g[0]);
        if view.m(root).is_anchor() {
            continue;
        }
        cands.clear();
        for &i in &g {
            index.candidates(view.m(i), &mut cands);
        }
        let mut roots: Vec<u32> = cands.iter().map(|&j| cl.find(j as usize) as u32).collect();
        roots.sort_unstable();
        roots.dedup();
        if roots.is_empty() || roots.len() > MAX_CANDIDATES {
            continue;
        }
        let empty = Joinable::default();
        let cand_members: Vec<&Joinable> = roots
            .iter()
            .map(|r| members.get(r).unwrap_or(&empty))
            .collect();
        let gsum = {
            let mut s = view.summary(g[0]);
            for &i in &g[1..] {
                s.absorb(view.summary(i));
            }
            s
        };
        let first = g.iter().any(|&i| view.m(i).first());
        let mut scores: Vec<(f32, u32, i32)> = Vec::new();
        for (&r, mem) in roots.iter().zip(&cand_members) {
            if !cl
                .summary(r as usize, || view.summary(r as usize))
                .compatible(&gsum)
            {
                continue;
            }
            // The best-matching pair speaks for the group (the event's
            // consistency was checked on the summaries above).
            let mut best: Option<f32> = None;
            for &i in g.iter().take(MAX_COMPARE) {
                for &j in &mem.head {
                    if let Some(s) = pair(view.feat, view.m(i), view.m(j as usize)) {
                        best = Some(best.map_or(s, |b: f32| b.max(s)));
                    }
                }
            }
            // When the event happened: the middle of its members' ranges.
            if let Some(b) = best {
                scores.push((b, r, mem.earliest));
            }
        }
        if first {
            // "The first strike on ...": the earliest of the candidates.
            if let Some(e) = scores.iter().map(|s| s.2).min() {
                for s in scores.iter_mut().filter(|s| s.2 == e) {
                    s.0 += FIRST_BONUS;
                }
            }
        }
        scores.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let Some(&(best, r, _)) = scores.first() else {
            continue;
        };
        let runner_up = scores.get(1).map_or(f32::MIN, |s| s.0);
        if best >= ATTACH_SCORE
            && best - runner_up >= ATTACH_MARGIN
            && cl.try_union(r as usize, g[0], |x| view.summary(x))
        {
            let root = cl.find(r as usize) as u32;
            let mut joined = members.remove(&r).unwrap_or_default();
            for &i in &g {
                joined.join(i as u32, view.m(i));
            }
            members.insert(root, joined);
        }
    }
}

/// The anchors of a start-day-sorted list that can overlap `date`: anchors
/// span at most about two weeks, so their start lies within 15 days before
/// the range. Undated mentions see the whole list.
fn in_time(v: &[(i32, u32)], date: Option<(i32, i32, TimePrecision)>) -> &[(i32, u32)] {
    match date {
        Some((a, b, _)) => {
            let lo = v.partition_point(|x| x.0 < a - 15);
            let hi = v.partition_point(|x| x.0 <= b + 1);
            &v[lo..hi.max(lo)]
        }
        None => v,
    }
}

fn month_of(day: i32) -> i32 {
    NaiveDate::from_num_days_from_ce_opt(day).map_or(0, |d| d.year() * 12 + d.month0() as i32)
}

fn build_event(mems: &[&EventMention], id: String) -> Event {
    let category = mems[0].category;

    // ACLED type: certainty-weighted vote; default-rule codings count less.
    let mut votes: BTreeMap<(&str, &str), f32> = BTreeMap::new();
    for m in mems {
        if let Some(a) = &m.acled {
            let w = if m.coding.rule.starts_with("violence:armed") {
                0.5
            } else {
                1.0
            };
            *votes
                .entry((a.event_type.as_str(), a.sub_event_type.as_str()))
                .or_default() += w * m.certainty;
        }
    }
    let acled = votes
        .iter()
        .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)))
        .map(|((e, s), _)| sitrep_model::AcledType {
            event_type: e.to_string(),
            sub_event_type: s.to_string(),
        });

    let date = pick_date(mems);
    let location = pick_location(mems);
    let actors = merge_actors(mems);
    let mut equipment: Vec<String> = Vec::new();
    for m in mems {
        for e in &m.equipment {
            if !equipment.iter().any(|x| x.eq_ignore_ascii_case(e)) {
                equipment.push(e.clone());
            }
        }
    }
    let quantities = pick_quantities(mems);
    let fatalities = mems.iter().filter_map(|m| m.fatalities).min();
    let mut claimed_by: Vec<ClaimedBy> = Vec::new();
    for m in mems {
        for c in &m.claimed_by {
            if !claimed_by.contains(c) {
                claimed_by.push(c.clone());
            }
        }
    }
    claimed_by.sort_by(|a, b| a.claimant.cmp(&b.claimant).then(a.stance.cmp(&b.stance)));

    let mut mentions: Vec<Provenance> = Vec::new();
    for m in mems {
        let p = Provenance {
            document: m.document.clone(),
            outlet: m.outlet.clone(),
            sentence: m.sentence.clone(),
            start: m.char_start,
            end: m.char_end,
        };
        if !mentions.contains(&p) {
            mentions.push(p);
        }
    }
    let sources = sources_of(mems);
    let disputes = disputes_of(mems, date.as_ref(), location.as_ref());
    let confidence = confidence(mems, date.as_ref(), location.as_ref(), &disputes);
    let coding: Vec<Coding> = mems.iter().map(|m| m.coding.clone()).collect();
    let location = location.map(|loc| {
        let mut surface: Vec<String> = Vec::new();
        for m in mems {
            if let Some(l) = &m.location {
                if !surface.contains(&l.name) {
                    surface.push(l.name.clone());
                }
            }
        }
        let n = mems
            .iter()
            .filter(|m| m.location.as_ref().is_some_and(|l| l.name == loc.name))
            .count();
        Place::from_location(&loc, surface, n as u32)
    });
    let mut ev = Event {
        id,
        category,
        acled,
        summary: String::new(),
        date,
        actors,
        location,
        equipment,
        quantities,
        fatalities,
        claimed_by,
        mentions,
        sources,
        disputes,
        confidence,
        coding,
    };
    ev.summary = summary::summarize(&ev);
    ev
}

fn pick_date(mems: &[&EventMention]) -> Option<DateRange> {
    let best_prec = mems
        .iter()
        .filter_map(|m| m.date.map(|d| d.precision))
        .min()?;
    let mut counts: BTreeMap<(NaiveDate, NaiveDate), usize> = BTreeMap::new();
    for d in mems
        .iter()
        .filter_map(|m| m.date)
        .filter(|d| d.precision == best_prec)
    {
        *counts.entry((d.start, d.end)).or_default() += 1;
    }
    // Most reported; ties go to the earliest.
    let ((start, end), _) = counts
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))?;
    Some(DateRange {
        start: *start,
        end: *end,
        precision: best_prec,
    })
}

fn pick_location(mems: &[&EventMention]) -> Option<Location> {
    let placed: Vec<&Location> = mems.iter().filter_map(|m| m.location.as_ref()).collect();
    let best_prec = placed
        .iter()
        .filter(|l| l.lat.is_some())
        .map(|l| l.precision)
        .min();
    let pool: Vec<&Location> = match best_prec {
        Some(p) => placed
            .iter()
            .copied()
            .filter(|l| l.lat.is_some() && l.precision == p)
            .collect(),
        None => placed,
    };
    let mut counts: BTreeMap<&str, (usize, &Location)> = BTreeMap::new();
    for l in pool {
        counts.entry(l.name.as_str()).or_insert((0, l)).0 += 1;
    }
    counts
        .iter()
        .max_by(|a, b| a.1 .0.cmp(&b.1 .0).then(b.0.cmp(a.0)))
        .map(|(_, (_, l))| (*l).clone())
}

fn merge_actors(mems: &[&EventMention]) -> Vec<EventActor> {
    // (actor, independent sources naming it)
    let mut out: Vec<(EventActor, Vec<&str>)> = Vec::new();
    for m in mems {
        let src = m.duplicate_of.as_deref().unwrap_or(m.document.as_str());
        for a in &m.actors {
            match out
                .iter_mut()
                .find(|(x, _)| x.name == a.name && x.role == a.role)
            {
                Some((x, n)) => {
                    if !n.contains(&src) {
                        n.push(src);
                    }
                    for s in &a.surface {
                        if !x.surface.contains(s) {
                            x.surface.push(s.clone());
                        }
                    }
                }
                None => out.push((a.clone(), vec![src])),
            }
        }
    }
    // Most reported first; among equals the fuller name ("United States" before "US").
    out.sort_by(|a, b| {
        a.0.role
            .cmp(&b.0.role)
            .then(b.1.len().cmp(&a.1.len()))
            .then(b.0.name.len().cmp(&a.0.name.len()))
            .then(a.0.name.cmp(&b.0.name))
    });
    out.into_iter().map(|(a, _)| a).collect()
}

fn pick_quantities(mems: &[&EventMention]) -> Vec<EventQuantity> {
    let mut by_unit: BTreeMap<&str, BTreeMap<u64, (usize, f64)>> = BTreeMap::new();
    for m in mems {
        for q in &m.quantities {
            by_unit
                .entry(q.unit.as_str())
                .or_default()
                .entry(q.value.to_bits())
                .or_insert((0, q.value))
                .0 += 1;
        }
    }
    by_unit
        .into_iter()
        .filter_map(|(unit, vals)| {
            let (_, value) = vals
                .values()
                .max_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)))
                .copied()?;
            Some(EventQuantity {
                value,
                unit: unit.to_string(),
            })
        })
        .collect()
}

/// Independent outlets: a re-posted copy counts as its original.
fn sources_of(mems: &[&EventMention]) -> Vec<String> {
    let mut by_key: BTreeMap<&str, Option<&str>> = BTreeMap::new();
    for m in mems {
        let key = m.duplicate_of.as_deref().unwrap_or(m.document.as_str());
        let own = m.duplicate_of.is_none();
        let e = by_key.entry(key).or_insert(None);
        if own || e.is_none() {
            if let Some(o) = m.outlet.as_deref() {
                *e = Some(o);
            }
        }
    }
    let mut out: Vec<String> = by_key
        .into_iter()
        .map(|(k, o)| o.unwrap_or(k).to_string())
        .collect();
    out.sort();
    out.dedup();
    out
}

fn dispute(field: &str, values: BTreeMap<String, Vec<String>>) -> Option<Dispute> {
    (values.len() > 1).then(|| Dispute {
        field: field.to_string(),
        values: values
            .into_iter()
            .map(|(value, mut documents)| {
                documents.sort();
                documents.dedup();
                DisputeValue { value, documents }
            })
            .collect(),
    })
}

fn disputes_of(
    mems: &[&EventMention],
    date: Option<&DateRange>,
    loc: Option<&Location>,
) -> Vec<Dispute> {
    let mut out = Vec::new();
    let doc = |m: &EventMention| m.document.clone();
    // Date: day-precise reports of other days, or ranges excluding the chosen date.
    if let Some(d) = date {
        let mut vals: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for m in mems {
            let Some(md) = m.date else { continue };
            let v = if md.precision == TimePrecision::Day {
                md.start.to_string()
            } else if md.start <= d.start && d.end <= md.end {
                continue;
            } else {
                format!("{}/{}", md.start, md.end)
            };
            vals.entry(v).or_default().push(doc(m));
        }
        if vals.len() > 1 || (vals.len() == 1 && !vals.contains_key(&d.start.to_string())) {
            vals.entry(d.start.to_string()).or_default();
            let chosen = d.start.to_string();
            for m in mems {
                if m.date.is_some_and(|md| {
                    md.start <= d.start && d.end <= md.end && md.precision != TimePrecision::Day
                }) {
                    vals.entry(chosen.clone()).or_default().push(doc(m));
                }
            }
        }
        vals.retain(|_, v| !v.is_empty());
        out.extend(dispute("date", vals));
    }
    // Location: precise places more than 10 km from the chosen one.
    if let Some(l) = loc {
        if let (Some(la), Some(lo)) = (l.lat, l.lon) {
            let mut vals: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for m in mems {
                let Some(ml) = &m.location else { continue };
                let (Some(a), Some(b)) = (ml.lat, ml.lon) else {
                    continue;
                };
                if !matches!(ml.precision, GeoPrecision::Exact | GeoPrecision::Near) {
                    continue;
                }
                let name = if haversine_km((la, lo), (a, b)) > 10.0 {
                    ml.name.clone()
                } else {
                    l.name.clone()
                };
                vals.entry(name).or_default().push(doc(m));
            }
            out.extend(dispute("location", vals));
        }
    }
    // Actors: the acting side named differently by different reports.
    let sides = sides::builtin();
    let mut by_side: BTreeMap<u64, (String, Vec<String>)> = BTreeMap::new();
    for m in mems {
        for a in m.actors.iter().filter(|a| a.role == ActorRole::Actor) {
            if let Some(s) = sides.side_of(a) {
                let e = by_side
                    .entry(s)
                    .or_insert_with(|| (a.name.clone(), Vec::new()));
                e.1.push(doc(m));
            }
        }
    }
    if by_side.len() > 1 {
        out.extend(dispute("actors", by_side.into_values().collect()));
    }
    let mut fat: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for m in mems {
        if let Some(f) = m.fatalities {
            fat.entry(f.to_string()).or_default().push(doc(m));
        }
    }
    out.extend(dispute("fatalities", fat));
    let mut units: BTreeMap<&str, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for m in mems {
        for q in &m.quantities {
            units
                .entry(q.unit.as_str())
                .or_default()
                .entry(format!("{} {}", q.value, q.unit))
                .or_default()
                .push(doc(m));
        }
    }
    let mut qvals: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for vals in units.into_values().filter(|v| v.len() > 1) {
        qvals.extend(vals);
    }
    out.extend(dispute("quantities", qvals));
    let mut occ: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for m in mems {
        occ.entry(m.occurred.to_string()).or_default().push(doc(m));
    }
    out.extend(dispute("occurred", occ));
    out
}

fn confidence(
    mems: &[&EventMention],
    date: Option<&DateRange>,
    loc: Option<&Location>,
    disputes: &[Dispute],
) -> f32 {
    let mut per_source: BTreeMap<&str, f32> = BTreeMap::new();
    for m in mems {
        let key = m.duplicate_of.as_deref().unwrap_or(m.document.as_str());
        let e = per_source.entry(key).or_insert(0.0);
        *e = e.max(m.certainty.clamp(0.0, 1.0));
    }
    let miss: f32 = per_source.values().map(|c| 1.0 - 0.6 * c).product();
    let time = match date.map(|d| d.precision) {
        Some(TimePrecision::Day) => 1.0,
        Some(TimePrecision::Week) => 0.9,
        Some(TimePrecision::Month) => 0.8,
        Some(TimePrecision::Year) => 0.7,
        None => 0.6,
    };
    let place = match loc.map(|l| (l.precision, l.lat.is_some())) {
        Some((GeoPrecision::Exact, true)) => 1.0,
        Some((GeoPrecision::Near, true)) => 0.95,
        Some((GeoPrecision::Admin1, true)) => 0.85,
        Some((GeoPrecision::Country, true)) => 0.75,
        _ => 0.65,
    };
    let mut c = (1.0 - miss) * time * place;
    if disputes.iter().any(|d| d.field == "occurred") {
        c *= 0.8;
    }
    if mems.iter().all(|m| !m.occurred) {
        c *= 0.5;
    }
    // Known only through one party's claims.
    let claimants: Vec<&str> = mems
        .iter()
        .flat_map(|m| m.claimed_by.iter().map(|c| c.claimant.as_str()))
        .collect();
    if mems.iter().all(|m| !m.claimed_by.is_empty()) && claimants.windows(2).all(|w| w[0] == w[1]) {
        c *= 0.85;
    }
    (c * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests;
