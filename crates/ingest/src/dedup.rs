//! Near-duplicate detection: re-posts and syndicated copies of a story.
//!
//! A [`Signature`] is a 128-value MinHash over word 5-shingles of the
//! normalized text, computed by *one-permutation hashing* (Li, Owen &
//! Zhang 2012): each shingle is hashed once, the top 7 bits pick one of 128
//! bins and the bin keeps its minimum. Empty bins (short texts) are filled
//! by *optimal densification* (Shrivastava 2017), which keeps
//! P(bin i equal) = Jaccard(A, B). One hash per shingle instead of 128
//! makes a 5 KB article's signature cost about 16 µs of CPU.
//!
//! MinHash rather than SimHash: it estimates Jaccard directly, so the
//! threshold reads as "half the shingles are shared", and LSH banding
//! gives candidate lookups in O(bands).
//!
//! [`DupIndex`] bands the 128 values into 32 bands of 4: two documents
//! become candidates when any band agrees (probability 1-(1-J⁴)³² — 95 % at
//! J = 0.55, 0.3 % at J = 0.1); candidates are then checked on the full
//! signature (the low 16 bits of each value) against the threshold. The
//! index lives in memory (about 650 bytes a document when sized up front,
//! up to twice the band entries when it grows by doubling) or, past a
//! budget, in scratch files with about 80 bytes a document in memory
//! ([`DupIndex::spill_to`]): a store rebuilds it by inserting the persisted
//! signatures ([`Signature::to_bytes`]) in their original order, so
//! "earliest" keeps its meaning.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use sitrep_model::scratch::ScratchFile;

/// Values per signature.
pub const SIG_LEN: usize = 128;
const BIN_BITS: u32 = 7; // 2^7 = SIG_LEN
const BANDS: usize = 32;
const ROWS: usize = SIG_LEN / BANDS;
/// Words per shingle.
const SHINGLE: usize = 5;
/// Empty-bin marker; real values are clamped below it.
const EMPTY: u32 = u32::MAX;
const FORMAT_VERSION: u8 = 1;
/// Estimated Jaccard at or above which a document is a copy.
pub const DEFAULT_THRESHOLD: f32 = 0.5;

/// MinHash signature of a text (see the module docs).
#[derive(Clone, PartialEq, Eq)]
pub struct Signature {
    mins: [u32; SIG_LEN],
}

impl std::fmt::Debug for Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signature({:08x}{:08x}…)", self.mins[0], self.mins[1])
    }
}

/// A stored signature that cannot be read back.
#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    #[error("signature is {0} bytes, expected {expected}", expected = 2 + 4 * SIG_LEN)]
    Length(usize),
    #[error("signature format {0} is not supported (expected {FORMAT_VERSION})")]
    Version(u8),
}

impl Signature {
    /// The signature of `text`. Texts with no words get an empty signature
    /// that matches nothing.
    pub fn of(text: &str) -> Signature {
        let mut mins = [EMPTY; SIG_LEN];
        let mut any = false;
        for_each_shingle(text, |h| {
            any = true;
            let bin = (h >> (64 - BIN_BITS)) as usize;
            let v = (h as u32).min(EMPTY - 1);
            if v < mins[bin] {
                mins[bin] = v;
            }
        });
        if any {
            densify(&mut mins);
        }
        Signature { mins }
    }

    /// Whether the text had no words.
    pub fn is_empty(&self) -> bool {
        self.mins[0] == EMPTY
    }

    /// Estimated Jaccard similarity of the two texts' shingle sets.
    pub fn similarity(&self, other: &Signature) -> f32 {
        if self.is_empty() || other.is_empty() {
            return 0.0;
        }
        let same = self
            .mins
            .iter()
            .zip(&other.mins)
            .filter(|(a, b)| a == b)
            .count();
        same as f32 / SIG_LEN as f32
    }

    /// Compact, versioned form for storage (514 bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(2 + 4 * SIG_LEN);
        out.push(FORMAT_VERSION);
        out.push(SHINGLE as u8);
        for v in &self.mins {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Signature, SignatureError> {
        if bytes.len() != 2 + 4 * SIG_LEN {
            return Err(SignatureError::Length(bytes.len()));
        }
        if bytes[0] != FORMAT_VERSION || bytes[1] as usize != SHINGLE {
            return Err(SignatureError::Version(bytes[0]));
        }
        let mut mins = [EMPTY; SIG_LEN];
        for (v, chunk) in mins.iter_mut().zip(bytes[2..].chunks_exact(4)) {
            *v = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        }
        Ok(Signature { mins })
    }

    /// The low 16 bits of each value: what [`DupIndex`] keeps.
    fn low_bits(&self) -> [u16; SIG_LEN] {
        self.mins.map(|v| v as u16)
    }

    fn band_key(&self, band: usize) -> u64 {
        let rows = &self.mins[band * ROWS..(band + 1) * ROWS];
        let mut h = band as u64;
        for &v in rows {
            h = mix(h.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ u64::from(v));
        }
        h
    }
}

/// Fills empty bins from non-empty ones chosen by a hash of (bin, attempt)
/// that is the same for every document, so equal sources stay equal.
fn densify(mins: &mut [u32; SIG_LEN]) {
    let original = *mins;
    for (i, slot) in mins.iter_mut().enumerate() {
        if *slot != EMPTY {
            continue;
        }
        let mut attempt = 0u64;
        loop {
            let j = (mix(((i as u64) << 32) | attempt) >> (64 - BIN_BITS)) as usize;
            if original[j] != EMPTY {
                *slot = original[j];
                break;
            }
            attempt += 1;
        }
    }
}

/// Murmur3's 64-bit finalizer: full avalanche for cheap combined hashes.
#[inline]
fn mix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Calls `f` with the hash of every word 5-shingle of the normalized text
/// (lowercase letters and digits; combining marks such as Arabic harakat
/// dropped; each CJK ideograph its own word). A text of fewer than five
/// words is one shingle. Words are hashed on the fly (FNV-1a, then a
/// finalizer): no per-word buffer or allocation.
fn for_each_shingle(text: &str, mut f: impl FnMut(u64)) {
    const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut ring = [0u64; SHINGLE];
    let mut n = 0usize;
    let mut h = FNV_OFFSET;
    let mut in_word = false;
    let mut end_word = |h: &mut u64, in_word: &mut bool| {
        if *in_word {
            ring[n % SHINGLE] = mix(*h);
            n += 1;
            if n >= SHINGLE {
                f(shingle_hash(&ring, n));
            }
            *h = FNV_OFFSET;
            *in_word = false;
        }
    };
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            i += 1;
            if b.is_ascii_alphanumeric() {
                h = (h ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(FNV_PRIME);
                in_word = true;
            } else {
                end_word(&mut h, &mut in_word);
            }
            continue;
        }
        // Non-ASCII: decode one char (text is valid UTF-8).
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        i += c.len_utf8();
        if is_mark(c) {
            // dropped: vowel marks and tatweel do not separate words
        } else if is_ideograph(c) {
            end_word(&mut h, &mut in_word);
            h = (h ^ u64::from(c)).wrapping_mul(FNV_PRIME);
            in_word = true;
            end_word(&mut h, &mut in_word);
        } else if c.is_alphanumeric() {
            for l in c.to_lowercase() {
                h = (h ^ u64::from(l)).wrapping_mul(FNV_PRIME);
            }
            in_word = true;
        } else {
            end_word(&mut h, &mut in_word);
        }
    }
    end_word(&mut h, &mut in_word);
    if (1..SHINGLE).contains(&n) {
        f(shingle_hash(&ring, n));
    }
}

/// Order-sensitive hash of the last `min(n, 5)` words in the ring.
#[inline]
fn shingle_hash(ring: &[u64; SHINGLE], n: usize) -> u64 {
    let k = n.min(SHINGLE);
    let mut h = 0u64;
    for i in 0..k {
        h = h
            .wrapping_mul(0x2545_F491_4F6C_DD1D)
            .wrapping_add(ring[(n - k + i) % SHINGLE]);
    }
    mix(h)
}

fn is_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x0591..=0x05C7 | 0x0610..=0x061A | 0x0640 | 0x064B..=0x065F
        | 0x0670 | 0x06D6..=0x06ED | 0x200C | 0x200D | 0xFE20..=0xFE2F)
}

fn is_ideograph(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF)
}

/// Finds earlier copies of a document by LSH over [`Signature`]s.
///
/// Memory is what a million-article ingest holds for every document:
/// about 340 bytes of band entries when [`DupIndex::reserve`] sized the
/// table for them (340 to 680 when it grew by doubling), 256 of signature
/// and the id. Given a scratch folder ([`DupIndex::spill_to`]), an index
/// that would hold more than its budget keeps band entries and signatures
/// in files there instead, and about 72 to 80 bytes a document plus the id in
/// memory; the verdicts are the same.
pub struct DupIndex {
    threshold: f32,
    /// Every document id, concatenated; `ends[doc]` is where doc's ends.
    /// One buffer rather than a String per document (and a second copy as
    /// a map key): an ingest of a million articles holds all of them.
    ids: String,
    ends: Vec<u32>,
    /// Hash of an id → its entry; ids whose hash another id already took
    /// go to `collided`.
    by_id: HashMap<u64, u32>,
    collided: HashMap<String, u32>,
    /// Ids added after the index filled up (past 4 billion documents or
    /// 4 GB of ids): still known, so they are skipped when seen again, but
    /// never matched as originals.
    overflow: std::collections::HashSet<String>,
    tier: Tier,
    /// Where band entries and signatures go past `budget` bytes.
    scratch: Option<(PathBuf, usize)>,
    /// A scratch file failed partway through a change: what is on disk may
    /// be incomplete, so every later call fails too.
    broken: bool,
}

/// Band entries and signature bits, in memory or on disk.
enum Tier {
    Memory(Memory),
    Disk(Box<Disk>),
}

#[derive(Default)]
struct Memory {
    bands: BandTable,
    /// The low 16 bits of each signature value. Two different values
    /// agree there once in 65,536, so the estimate of a pair with `d`
    /// differing values rises by about d / 8.4 million: a verdict flips only
    /// for a pair a hair under the threshold, and memory halves.
    sigs: Vec<Low>,
}

/// What the index keeps of a signature (see [`Memory::sigs`]).
type Low = [u16; SIG_LEN];

/// The low 4 bits of each value of a [`Low`], 16 to a word.
type Nibbles = [u64; SIG_LEN / 16];

/// The index of a large ingest, on disk but for about 72 to 80 bytes a
/// document (its nibbles, below, and a bit or two of [`Table::taken`]).
///
/// Band entries are an open-addressing [`Table`] in a scratch file, and the
/// documents' [`Low`] bits a second file, by document. What changes
/// between [`DupIndex::flush`]es stays in memory: the entries and bits of
/// the documents added since, which are the ones a batch's in-order pass
/// searches. A candidate's 4 low bits per value stay in memory: values that
/// agree in 16 bits agree in 4, so a candidate whose 4-bit agreement is
/// already under the threshold cannot reach it, and most are dropped
/// without a read. Lookups are as fast as the page cache holds the files
/// (about 770 bytes a document).
struct Disk {
    dir: PathBuf,
    table: Table,
    /// [`Low`] bits of documents `0..flushed`, [`LOW_BYTES`] each.
    sigs: ScratchFile,
    nibbles: Vec<Nibbles>,
    flushed: u32,
    /// Entries of documents `flushed..`, capped at [`MAX_BUCKET`] among
    /// themselves and, for documents inserted with a fresh [`Probe`], with
    /// the entries on disk too. `uncapped` when some were not: a search then
    /// counts a key's entries on disk to keep only the ones the cap keeps,
    /// and a flush drops the others.
    recent: BandTable,
    recent_sigs: Vec<Low>,
    uncapped: bool,
    /// Changes at every flush and is unique in the process: a [`Probe`] of
    /// another flush, or of another index, is stale.
    generation: u64,
    /// Flushes so far (tests alternate the two ways of writing on it).
    flushes: u64,
}

/// Band entries on disk: an open-addressing table of
/// `key << 32 | (document + 1)` per slot, 0 free, so a new file's zeros are
/// an empty table. At most half full: a lookup's run is then short enough
/// that one read of [`RUN_READ`] slots usually covers it. Read and written
/// in place with positioned reads and writes, so lookups run on all cores.
struct Table {
    file: ScratchFile,
    slots: u64,
    entries: u64,
    /// A bit per slot, set when it is taken: a key whose first slot is
    /// free has no entries, known without a read (half of all keys).
    taken: Vec<u64>,
}

/// Source of [`Disk::generation`]s.
static GENERATIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

fn next_generation() -> u64 {
    GENERATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

const LOW_BYTES: u64 = 2 * SIG_LEN as u64;
/// Slots read at once along a lookup's run.
const RUN_READ: u64 = 8;
/// A flush goes block by block when it has more than one entry per this
/// many slots: a slot's share of the pass (reading and writing 8 bytes
/// within 4 MiB blocks) costs about 1/600 of an entry's positioned read
/// and write.
const BLOCK_PASS_RATIO: u64 = 600;
/// Slots per block of that pass (4 MiB; a few in tests, so that runs
/// cross blocks and wrap).
const BLOCK_SLOTS: u64 = if cfg!(test) { 16 } else { 1 << 19 };
/// Bytes a document costs the in-memory index (band entries at 3/4 load
/// plus its [`Low`] bits): what [`DupIndex::spill_to`]'s budget is
/// compared with.
const MEMORY_PER_DOC: usize = BANDS * 8 * 4 / 3 + 2 * SIG_LEN;
/// Documents added between flushes when no one calls [`DupIndex::flush`]
/// (an index being rebuilt from a store): bounds what stays in memory.
const RECENT_MAX: usize = if cfg!(test) { 50 } else { 1 << 16 };

/// Where an index's scratch files go past a budget; what a caller with a
/// database folder passes to [`DupIndex::spill_to`]. 96 MiB is about
/// 168,000 documents: smaller ingests stay in memory, where lookups cost
/// no system calls.
pub const DEFAULT_MEMORY_BUDGET: usize = 96 << 20;

/// The duplicate index's scratch files failed.
#[derive(Debug, thiserror::Error)]
#[error("duplicate index files in {dir}: {source}")]
pub struct DupError {
    dir: PathBuf,
    source: std::io::Error,
}

/// What [`DupIndex::probe`] found: a document's earliest original before
/// the batch and, on disk, how full its buckets were, which
/// [`DupIndex::insert_probed`] then need not read again.
#[derive(Debug, Clone, Default)]
pub struct Probe {
    pub original: Option<(String, f32)>,
    /// Entries already on disk under each band key, and the flush they
    /// were counted after.
    counts: Option<([u8; BANDS], u64)>,
}

/// A bucket keeps only the first documents that fall in it. On a corpus
/// where many articles share stock paragraphs, some band keys are shared
/// by thousands of documents: walking and checking all of them on every
/// lookup made deduplication quadratic (a third of the CPU at 600,000
/// articles). The earliest members are the ones `find` prefers, and a
/// near-copy shares most of its 32 bands with its original, not only
/// crowded ones.
const MAX_BUCKET: u32 = 32;

/// Entry numbers and id offsets are u32: the index refuses documents past
/// this rather than wrap.
const NIL: u32 = u32::MAX;

/// Band buckets as one open-addressing table of (band key, document)
/// pairs, a key's documents side by side on its probe run.
///
/// 8 bytes an entry at most 3/4 full, where a map of bucket heads plus
/// linked entries cost 21 to 40 (a map entry, its control byte and load,
/// doubling, and the list entry). Band keys are the low 32 bits of the
/// band hash: a false match only adds a candidate, which the similarity
/// check drops.
#[derive(Default)]
struct BandTable {
    /// `key << 32 | document`, or [`BandTable::FREE`]. No real entry is
    /// FREE: documents are below [`NIL`].
    slots: Vec<u64>,
    len: usize,
}

/// First slot of `key`'s run in a table of `size` slots: keys are hashes
/// already, so the multiply-shift maps them onto a table of any size, not
/// only powers of two.
fn home(key: u32, size: u64) -> u64 {
    ((u128::from(key) * u128::from(size)) >> 32) as u64
}

impl BandTable {
    const FREE: u64 = u64::MAX;

    fn home(&self, key: u32) -> usize {
        home(key, self.slots.len() as u64) as usize
    }

    /// The slot after `at` along a probe run, wrapping past the end.
    fn next(&self, at: usize) -> usize {
        if at + 1 == self.slots.len() {
            0
        } else {
            at + 1
        }
    }

    /// Calls `f` with each document filed under `key`, in no order.
    fn each(&self, key: u32, mut f: impl FnMut(u32)) {
        if self.slots.is_empty() {
            return;
        }
        let mut at = self.home(key);
        loop {
            let e = self.slots[at];
            if e == Self::FREE {
                return;
            }
            if (e >> 32) as u32 == key {
                f(e as u32);
            }
            at = self.next(at);
        }
    }

    /// Files `doc` under `key` unless the bucket already holds `room`
    /// documents ([`MAX_BUCKET`] less those filed elsewhere).
    fn insert(&mut self, key: u32, doc: u32, room: u32) {
        if room == 0 {
            return;
        }
        self.reserve(1);
        let mut at = self.home(key);
        let mut n = 0u32;
        loop {
            let e = self.slots[at];
            if e == Self::FREE {
                break;
            }
            if (e >> 32) as u32 == key {
                n += 1;
                if n >= room {
                    return;
                }
            }
            at = self.next(at);
        }
        self.slots[at] = (u64::from(key) << 32) | u64::from(doc);
        self.len += 1;
    }

    /// Room for `more` entries with the table at most 3/4 full (linear
    /// probing slows past that). Growing rehashes into a table twice the
    /// size, both held at once: [`DupIndex::reserve`] sizes it up front.
    fn reserve(&mut self, more: usize) {
        let need = self.len.saturating_add(more);
        if need.saturating_mul(4) <= self.slots.len() * 3 {
            return;
        }
        let size = (need.saturating_mul(4) / 3 + 1)
            .max(self.slots.len() * 2)
            .max(64);
        let old = std::mem::replace(&mut self.slots, vec![Self::FREE; size]);
        self.len = 0;
        for e in old {
            if e != Self::FREE {
                self.put(e);
            }
        }
    }

    /// Places an entry without the cap (it was applied when it was filed).
    fn put(&mut self, e: u64) {
        let mut at = self.home((e >> 32) as u32);
        while self.slots[at] != Self::FREE {
            at = self.next(at);
        }
        self.slots[at] = e;
        self.len += 1;
    }

    fn entries(&self) -> impl Iterator<Item = u64> + '_ {
        self.slots.iter().copied().filter(|&e| e != Self::FREE)
    }
}

fn nibbles(low: &Low) -> Nibbles {
    let mut out = [0u64; SIG_LEN / 16];
    for (i, &v) in low.iter().enumerate() {
        out[i / 16] |= u64::from(v & 0xF) << (4 * (i % 16));
    }
    out
}

/// Values whose low 4 bits agree: at least as many as agree in 16.
fn same_nibbles(a: &Nibbles, b: &Nibbles) -> usize {
    a.iter()
        .zip(b)
        .map(|(x, y)| {
            let d = x ^ y;
            // Bit 4k set when nibble k differs anywhere.
            let t = (d | d >> 1 | d >> 2 | d >> 3) & 0x1111_1111_1111_1111;
            16 - t.count_ones() as usize
        })
        .sum()
}

/// The estimated Jaccard of two signatures' low bits when it reaches
/// `threshold`. Most candidates share a band and little else: the count
/// stops once the values left could not make up the difference.
fn similar(threshold: f32, a: &Low, b: &Low) -> Option<f32> {
    const STEP: usize = 32;
    // Whole steps, and a step's count fits the u8 it is summed in.
    const _: () = assert!(SIG_LEN.is_multiple_of(STEP) && STEP <= 255);
    let mut same = 0usize;
    for (k, (x, y)) in a.chunks_exact(STEP).zip(b.chunks_exact(STEP)).enumerate() {
        same += usize::from(x.iter().zip(y).map(|(p, q)| u8::from(p == q)).sum::<u8>());
        let left = SIG_LEN - STEP * (k + 1);
        // The same division as the verdict below, so stopping early
        // never changes one.
        if ((same + left) as f32 / SIG_LEN as f32) < threshold {
            return None;
        }
    }
    let s = same as f32 / SIG_LEN as f32;
    (s >= threshold).then_some(s)
}

/// `key << 32 | document` as a slot holds it.
fn slot_of(e: u64) -> u64 {
    (e & !u64::from(u32::MAX)) | ((e & u64::from(u32::MAX)) + 1)
}

fn full_table() -> std::io::Error {
    std::io::Error::other("the duplicate index's table is full")
}

impl Table {
    fn create(dir: &Path, slots: u64) -> std::io::Result<Table> {
        let file = ScratchFile::create(dir, "duplicate index")?;
        file.file().set_len(table_bytes(slots)?)?;
        Ok(Table {
            file,
            slots,
            entries: 0,
            taken: vec![0; slots.div_ceil(64) as usize],
        })
    }

    fn is_taken(&self, slot: u64) -> bool {
        self.taken[(slot / 64) as usize] & (1 << (slot % 64)) != 0
    }

    fn mark(&mut self, slot: u64) {
        self.taken[(slot / 64) as usize] |= 1 << (slot % 64);
        self.entries += 1;
    }

    /// Walks `key`'s run from its first slot, calling `f` with each
    /// document filed under `key` until it returns false; the free slot
    /// that ends the run, unless `f` stopped first.
    fn run(&self, key: u32, mut f: impl FnMut(u32) -> bool) -> std::io::Result<Option<u64>> {
        let mut at = home(key, self.slots);
        if !self.is_taken(at) {
            return Ok(Some(at));
        }
        let mut buf = [0u8; 8 * RUN_READ as usize];
        let mut walked = 0;
        loop {
            let n = (self.slots - at).min(RUN_READ);
            let run = &mut buf[..8 * n as usize];
            self.file.read_exact_at(run, at * 8)?;
            for (i, slot) in run.chunks_exact(8).enumerate() {
                let e = u64::from_le_bytes(slot.try_into().unwrap_or([0; 8]));
                if e == 0 {
                    return Ok(Some(at + i as u64));
                }
                if (e >> 32) as u32 == key && !f((e as u32).wrapping_sub(1)) {
                    return Ok(None);
                }
            }
            walked += n;
            if walked >= self.slots {
                return Err(full_table());
            }
            at = (at + n) % self.slots;
        }
    }

    /// Calls `f` with each document filed under `key`.
    fn each(&self, key: u32, mut f: impl FnMut(u32)) -> std::io::Result<()> {
        self.run(key, |doc| {
            f(doc);
            true
        })
        .map(drop)
    }

    /// Entries under `key`.
    fn count(&self, key: u32) -> std::io::Result<u32> {
        let mut n = 0u32;
        self.each(key, |_| n += 1)?;
        Ok(n)
    }

    /// Writes an entry (`key << 32 | document`) into the first free slot
    /// of its run, unless the run already holds `cap` entries of its key.
    fn put(&mut self, e: u64, cap: u32) -> std::io::Result<()> {
        let mut same = 0u32;
        let free = self.run((e >> 32) as u32, |_| {
            same += 1;
            same < cap
        })?;
        match free {
            Some(at) if cap > 0 => {
                self.file.write_all_at(&slot_of(e).to_le_bytes(), at * 8)?;
                self.mark(at);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// [`Table::put`] of many entries in one pass: each block of the table
    /// is read, filled in memory and written back. Entries go in order of
    /// their first slot, a key's in document order, so the cap keeps a
    /// key's first documents; an entry whose run reaches past a block
    /// goes on in the next (the last block's, in the first again), with
    /// the count of its key's entries met so far. Blocks no entry reaches
    /// are not read. (`taken` is marked before a block is written: a failed
    /// write leaves the index broken, see [`DupIndex::broke`].)
    fn put_in_blocks(&mut self, mut entries: Vec<u64>) -> std::io::Result<()> {
        let slots = self.slots;
        entries.sort_unstable_by_key(|&e| (home((e >> 32) as u32, slots), e as u32));
        let block = BLOCK_SLOTS.min(slots);
        let mut buf = vec![0u8; (block * 8) as usize];
        // (entry, where its search goes on, same-key entries met)
        let mut carried: Vec<(u64, u64, u32)> = Vec::new();
        let mut next = entries.into_iter().peekable();
        let mut start = 0u64;
        let mut wrapped = 0u64;
        loop {
            let len = block.min(slots - start);
            let end = start + len;
            let mut todo: Vec<(u64, u64, u32)> = std::mem::take(&mut carried);
            while let Some(&e) = next.peek() {
                let h = home((e >> 32) as u32, slots);
                if h >= end {
                    break;
                }
                todo.push((e, h, 0));
                next.next();
            }
            if !todo.is_empty() {
                let bytes = &mut buf[..(len * 8) as usize];
                self.file.read_exact_at(bytes, start * 8)?;
                for (e, from, mut same) in todo {
                    let key = (e >> 32) as u32;
                    let mut at = from;
                    loop {
                        if at == end {
                            carried.push((e, end % slots, same));
                            break;
                        }
                        let i = ((at - start) * 8) as usize;
                        let cur = u64::from_le_bytes(bytes[i..i + 8].try_into().unwrap_or([0; 8]));
                        if cur == 0 {
                            bytes[i..i + 8].copy_from_slice(&slot_of(e).to_le_bytes());
                            self.mark(at);
                            break;
                        }
                        if (cur >> 32) as u32 == key {
                            same += 1;
                            if same >= MAX_BUCKET {
                                break;
                            }
                        }
                        at += 1;
                    }
                }
                self.file.write_all_at(bytes, start * 8)?;
            }
            if next.peek().is_none() && carried.is_empty() {
                return Ok(());
            }
            if end == slots {
                // Past the end once with entries still to place: a second
                // time round would mean a full table.
                wrapped += 1;
                if wrapped > 1 {
                    return Err(full_table());
                }
                start = 0;
            } else {
                start = end;
            }
        }
    }

    /// Every entry (`key << 32 | document`), read a block at a time, to
    /// `f` with each block's.
    fn for_each_block(
        &self,
        mut f: impl FnMut(Vec<u64>) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let block = BLOCK_SLOTS.min(self.slots.max(1));
        let mut buf = vec![0u8; (block * 8) as usize];
        let mut start = 0;
        while start < self.slots {
            let len = block.min(self.slots - start);
            let bytes = &mut buf[..(len * 8) as usize];
            self.file.read_exact_at(bytes, start * 8)?;
            let entries: Vec<u64> = bytes
                .chunks_exact(8)
                .map(|s| u64::from_le_bytes(s.try_into().unwrap_or([0; 8])))
                .filter(|&e| e != 0)
                .map(|e| e - 1)
                .collect();
            f(entries)?;
            start += len;
        }
        Ok(())
    }
}

impl Disk {
    fn create(dir: &Path, slots: u64) -> std::io::Result<Disk> {
        Ok(Disk {
            dir: dir.to_path_buf(),
            table: Table::create(dir, slots)?,
            sigs: ScratchFile::create(dir, "duplicate index")?,
            nibbles: Vec::new(),
            flushed: 0,
            recent: BandTable::default(),
            recent_sigs: Vec::new(),
            uncapped: false,
            generation: next_generation(),
            flushes: 0,
        })
    }

    /// Room for `more` entries at most half full: a table twice the size
    /// or more, every entry moved over a block of the old one at a time
    /// (none is dropped: no key holds more than the cap). The old file is
    /// kept until the new one is whole.
    fn reserve(&mut self, more: u64) -> std::io::Result<()> {
        let need = self.table.entries.checked_add(more).ok_or_else(too_large)?;
        if need.saturating_mul(2) <= self.table.slots {
            return Ok(());
        }
        let slots = need
            .checked_mul(2)
            .ok_or_else(too_large)?
            .max(self.table.slots.saturating_mul(2));
        let mut grown = Table::create(&self.dir, slots)?;
        self.table
            .for_each_block(|entries| grown.put_in_blocks(entries))?;
        self.table = grown;
        Ok(())
    }

    /// Writes the documents added since the last flush to disk, each key's
    /// in document order, so that a key's first [`MAX_BUCKET`] documents
    /// are the ones kept. `recent` is cleared only once all are written.
    fn flush(&mut self) -> std::io::Result<()> {
        if self.recent_sigs.is_empty() {
            return Ok(());
        }
        self.reserve(self.recent.len as u64)?;
        let mut entries: Vec<u64> = self.recent.entries().collect();
        // Many entries (a rebuild's) go in one pass over the table, block by
        // block; a chunk's few, each with a system call or two. Tests take
        // both ways in turn.
        let in_blocks = if cfg!(test) {
            self.flushes.is_multiple_of(2)
        } else {
            (entries.len() as u64).saturating_mul(BLOCK_PASS_RATIO) > self.table.slots
        };
        if in_blocks {
            self.table.put_in_blocks(entries)?;
        } else {
            entries.sort_unstable_by_key(|&e| (e as u32, e >> 32));
            for e in entries {
                self.table.put(e, MAX_BUCKET)?;
            }
        }
        let mut bytes = Vec::with_capacity(self.recent_sigs.len() * LOW_BYTES as usize);
        for low in &self.recent_sigs {
            for v in low {
                bytes.extend_from_slice(&v.to_le_bytes());
            }
        }
        self.sigs
            .write_all_at(&bytes, u64::from(self.flushed) * LOW_BYTES)?;
        self.flushed += self.recent_sigs.len() as u32;
        self.recent = BandTable::default();
        self.recent_sigs.clear();
        self.uncapped = false;
        self.generation = next_generation();
        self.flushes += 1;
        Ok(())
    }

    fn low(&self, doc: u32) -> std::io::Result<Low> {
        if let Some(low) = doc
            .checked_sub(self.flushed)
            .and_then(|i| self.recent_sigs.get(i as usize))
        {
            return Ok(*low);
        }
        let mut buf = [0u8; LOW_BYTES as usize];
        self.sigs
            .read_exact_at(&mut buf, u64::from(doc) * LOW_BYTES)?;
        let mut low = [0u16; SIG_LEN];
        for (v, b) in low.iter_mut().zip(buf.chunks_exact(2)) {
            *v = u16::from_le_bytes([b[0], b[1]]);
        }
        Ok(low)
    }
}

fn too_large() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        "more documents than the index can hold",
    )
}

fn table_bytes(slots: u64) -> std::io::Result<u64> {
    slots.checked_mul(8).ok_or_else(too_large)
}

#[cfg(test)]
impl DupIndex {
    fn memory(&self) -> &Memory {
        match &self.tier {
            Tier::Memory(m) => m,
            Tier::Disk(_) => panic!("the index is on disk"),
        }
    }
}

impl Default for DupIndex {
    fn default() -> Self {
        Self::new()
    }
}

impl DupIndex {
    pub fn new() -> Self {
        Self::with_threshold(DEFAULT_THRESHOLD)
    }

    pub fn with_threshold(threshold: f32) -> Self {
        DupIndex {
            threshold,
            ids: String::new(),
            ends: Vec::new(),
            by_id: HashMap::new(),
            collided: HashMap::new(),
            overflow: Default::default(),
            tier: Tier::Memory(Memory::default()),
            scratch: None,
            broken: false,
        }
    }

    fn dir(&self) -> PathBuf {
        self.scratch
            .as_ref()
            .map(|(dir, _)| dir.clone())
            .unwrap_or_default()
    }

    /// The error of a failed change, after which the index refuses work.
    fn broke(&mut self, source: std::io::Error) -> DupError {
        self.broken = true;
        DupError {
            dir: self.dir(),
            source,
        }
    }

    fn check(&self) -> Result<(), DupError> {
        if self.broken {
            return Err(DupError {
                dir: self.dir(),
                source: std::io::Error::other("an earlier error left the index incomplete"),
            });
        }
        Ok(())
    }

    /// Past `budget` bytes of band entries and signature bits (see
    /// [`DEFAULT_MEMORY_BUDGET`]), keeps them in scratch files in `dir`
    /// (unlinked once created where the system allows, else removed when
    /// the index is dropped) instead of memory. What is added between
    /// [`DupIndex::flush`]es stays in memory: a caller that searches
    /// batches flushes before each, which bounds it and leaves the
    /// in-order search of a batch's own documents to memory (but for the
    /// counts on disk of keys that a document inserted without a fresh
    /// probe filed).
    pub fn spill_to(&mut self, dir: &Path, budget: usize) -> Result<(), DupError> {
        self.check()?;
        self.scratch = Some((dir.to_path_buf(), budget));
        self.spill_if_over(0)
    }

    /// Whether band entries and signatures are on disk.
    pub fn on_disk(&self) -> bool {
        matches!(self.tier, Tier::Disk(_))
    }

    /// Moves the index to disk when `more` documents would take it past
    /// the budget.
    fn spill_if_over(&mut self, more: usize) -> Result<(), DupError> {
        let (Some((dir, budget)), Tier::Memory(mem)) = (&self.scratch, &mut self.tier) else {
            return Ok(());
        };
        let docs = self.ends.len().saturating_add(more);
        if docs.saturating_mul(MEMORY_PER_DOC) <= *budget {
            return Ok(());
        }
        // Room for twice the documents held now: an index that outgrew
        // memory unreserved keeps growing.
        let room = docs.max(self.ends.len().saturating_mul(2));
        let slots = (room as u64).saturating_mul(2 * BANDS as u64).max(64);
        let mut disk = match Disk::create(dir, slots) {
            Ok(d) => d,
            Err(e) => {
                return Err(DupError {
                    dir: dir.clone(),
                    source: e,
                })
            }
        };
        let mem = std::mem::take(mem);
        disk.recent = mem.bands;
        disk.nibbles = mem.sigs.iter().map(nibbles).collect();
        disk.recent_sigs = mem.sigs;
        let flushed = disk.flush();
        self.tier = Tier::Disk(Box::new(disk));
        flushed.map_err(|e| self.broke(e))
    }

    /// Room for `docs` more documents, so that a large ingest sizes the
    /// index once instead of doubling it (which holds both copies) as it
    /// grows; past the budget, the index moves to disk.
    pub fn reserve(&mut self, docs: usize) -> Result<(), DupError> {
        self.check()?;
        self.ends.reserve(docs);
        self.by_id.reserve(docs);
        self.spill_if_over(docs)?;
        match &mut self.tier {
            Tier::Memory(mem) => {
                mem.sigs.reserve(docs);
                mem.bands.reserve(docs.saturating_mul(BANDS));
            }
            Tier::Disk(disk) => {
                disk.nibbles.reserve(docs);
                let more = (docs as u64).saturating_mul(BANDS as u64);
                if let Err(e) = disk.reserve(more) {
                    return Err(self.broke(e));
                }
            }
        }
        Ok(())
    }

    /// Writes what was added since the last flush to disk (nothing in
    /// memory). [`Probe`]s made before it are stale.
    pub fn flush(&mut self) -> Result<(), DupError> {
        self.check()?;
        match &mut self.tier {
            Tier::Memory(_) => Ok(()),
            Tier::Disk(disk) => disk.flush().map_err(|e| self.broke(e)),
        }
    }

    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    fn id_of(&self, doc: u32) -> &str {
        let start = match doc {
            0 => 0,
            d => self.ends[d as usize - 1] as usize,
        };
        &self.ids[start..self.ends[doc as usize] as usize]
    }

    fn key(id: &str) -> u64 {
        xxhash_rust::xxh3::xxh3_64(id.as_bytes())
    }

    pub fn contains(&self, id: &str) -> bool {
        match self.by_id.get(&Self::key(id)) {
            Some(&doc) if self.id_of(doc) == id => true,
            _ => self.collided.contains_key(id) || self.overflow.contains(id),
        }
    }

    /// Adds a document. Returns false (and changes nothing) when `id` is
    /// already known, so re-ingesting is harmless. A document with an empty
    /// signature, or one added after the index filled up (past 4 billion
    /// documents or 4 GB of ids), is remembered by id and matches nothing.
    pub fn insert(&mut self, id: &str, sig: Signature) -> Result<bool, DupError> {
        self.insert_counted(id, sig, None)
    }

    /// [`DupIndex::insert`] of a document [`DupIndex::probe`]d since the
    /// last flush: on disk, the probe's bucket counts cap its entries at
    /// once. A stale probe's entries, like a plain insert's, are capped
    /// later, by searches (which then count the key's entries on disk) and
    /// the flush.
    pub fn insert_probed(
        &mut self,
        id: &str,
        sig: Signature,
        probe: &Probe,
    ) -> Result<bool, DupError> {
        self.insert_counted(id, sig, probe.counts)
    }

    fn insert_counted(
        &mut self,
        id: &str,
        sig: Signature,
        counts: Option<([u8; BANDS], u64)>,
    ) -> Result<bool, DupError> {
        self.check()?;
        if self.contains(id) {
            return Ok(false);
        }
        if self.ends.len() + 1 >= NIL as usize || self.ids.len() + id.len() >= NIL as usize {
            self.overflow.insert(id.to_string());
            return Ok(true);
        }
        self.spill_if_over(1)?;
        let doc = self.ends.len() as u32;
        let low = sig.low_bits();
        match &mut self.tier {
            Tier::Memory(mem) => {
                if !sig.is_empty() {
                    for band in 0..BANDS {
                        mem.bands.insert(sig.band_key(band) as u32, doc, MAX_BUCKET);
                    }
                }
                mem.sigs.push(low);
            }
            Tier::Disk(disk) => {
                if disk.recent_sigs.len() >= RECENT_MAX {
                    if let Err(e) = disk.flush() {
                        return Err(self.broke(e));
                    }
                }
                let Tier::Disk(disk) = &mut self.tier else {
                    unreachable!("the tier is disk")
                };
                if !sig.is_empty() {
                    // A fresh probe's counts cap the entries here as on
                    // disk. Without them (a stale probe, or an index being
                    // rebuilt, which needs no reads this way) the entries
                    // are capped among the recent ones only, and the cap
                    // on disk is applied by searches and the flush.
                    let on_disk = match counts {
                        Some((c, generation)) if generation == disk.generation => Some(c),
                        _ => None,
                    };
                    for band in 0..BANDS {
                        let room = match on_disk {
                            Some(c) => MAX_BUCKET.saturating_sub(u32::from(c[band])),
                            None => MAX_BUCKET,
                        };
                        disk.recent.insert(sig.band_key(band) as u32, doc, room);
                    }
                    disk.uncapped |= on_disk.is_none();
                }
                disk.nibbles.push(nibbles(&low));
                disk.recent_sigs.push(low);
            }
        }
        self.ids.push_str(id);
        self.ends.push(self.ids.len() as u32);
        match self.by_id.entry(Self::key(id)) {
            // Another id with the same hash (`contains` ruled out this one).
            Entry::Occupied(_) => {
                self.collided.insert(id.to_string(), doc);
            }
            Entry::Vacant(v) => {
                v.insert(doc);
            }
        }
        Ok(true)
    }

    /// The earliest-inserted document whose estimated Jaccard with `sig`
    /// reaches the threshold, with that similarity.
    pub fn find(&self, sig: &Signature) -> Result<Option<(String, f32)>, DupError> {
        self.find_from(sig, 0)
    }

    /// [`DupIndex::find`], and on disk the counts that
    /// [`DupIndex::insert_probed`] needs: what a batch's parallel search
    /// makes for each document.
    pub fn probe(&self, sig: &Signature) -> Result<Probe, DupError> {
        let mut counts = [0u8; BANDS];
        let original = self.search(sig, 0, Some(&mut counts))?;
        let counts = match &self.tier {
            Tier::Disk(disk) if !sig.is_empty() => Some((counts, disk.generation)),
            _ => None,
        };
        Ok(Probe { original, counts })
    }

    /// [`DupIndex::find`] among the documents inserted from the `from`th
    /// on ([`DupIndex::len`] before them; documents are numbered as they
    /// are inserted).
    ///
    /// This is how a batch is checked in parallel without changing any
    /// verdict: each document is first looked up with `find` against the
    /// index as it was before the batch (shared, so on all cores); then,
    /// in batch order, a document that matched nothing is looked up with
    /// `find_from(sig, len_before_batch)` among the batch's earlier
    /// documents, inserted meanwhile. An earlier document always has a
    /// smaller number, so a match before the batch is the earliest.
    pub fn find_from(
        &self,
        sig: &Signature,
        from: usize,
    ) -> Result<Option<(String, f32)>, DupError> {
        self.search(sig, from, None)
    }

    /// The search behind `find_from` and `probe`: on disk, `counts` gets
    /// the entries under each band key (from any document).
    fn search(
        &self,
        sig: &Signature,
        from: usize,
        mut counts: Option<&mut [u8; BANDS]>,
    ) -> Result<Option<(String, f32)>, DupError> {
        self.check()?;
        if sig.is_empty() {
            return Ok(None);
        }
        let from = u32::try_from(from).unwrap_or(NIL);
        let mut candidates: Vec<u32> = Vec::new();
        let low = sig.low_bits();
        let found = match &self.tier {
            Tier::Memory(mem) => {
                for band in 0..BANDS {
                    mem.bands.each(sig.band_key(band) as u32, |doc| {
                        if doc >= from {
                            candidates.push(doc);
                        }
                    });
                }
                candidates.sort_unstable();
                candidates.dedup();
                candidates.into_iter().find_map(|doc| {
                    let s = similar(self.threshold, &mem.sigs[doc as usize], &low)?;
                    Some((doc, s))
                })
            }
            Tier::Disk(disk) => {
                let err = |source| DupError {
                    dir: disk.dir.clone(),
                    source,
                };
                let mut recent: Vec<u32> = Vec::new();
                for band in 0..BANDS {
                    let key = sig.band_key(band) as u32;
                    // The disk holds documents below `flushed` only.
                    let mut on_disk = None;
                    if from < disk.flushed || counts.is_some() {
                        let mut n = 0u32;
                        disk.table
                            .each(key, |doc| {
                                n += 1;
                                if doc >= from {
                                    candidates.push(doc);
                                }
                            })
                            .map_err(err)?;
                        if let Some(c) = counts.as_deref_mut() {
                            c[band] = n.min(u32::from(u8::MAX)) as u8;
                        }
                        on_disk = Some(n);
                    }
                    if !disk.uncapped {
                        disk.recent.each(key, |doc| {
                            if doc >= from {
                                candidates.push(doc);
                            }
                        });
                        continue;
                    }
                    // Some recent entries were filed without the count on
                    // disk: the cap keeps a key's first documents, so only
                    // the first of them that fit after those on disk count
                    // (the flush drops the rest).
                    recent.clear();
                    disk.recent.each(key, |doc| recent.push(doc));
                    if recent.is_empty() {
                        continue;
                    }
                    let n = match on_disk {
                        Some(n) => n,
                        None => disk.table.count(key).map_err(err)?,
                    };
                    recent.sort_unstable();
                    recent.truncate(MAX_BUCKET.saturating_sub(n) as usize);
                    candidates.extend(recent.iter().filter(|&&doc| doc >= from));
                }
                candidates.sort_unstable();
                candidates.dedup();
                let nib = nibbles(&low);
                let mut found = None;
                for doc in candidates {
                    // Fewer agreeing nibbles than the threshold needs:
                    // fewer agreeing values too (the same division as
                    // `similar`'s verdict).
                    let agree = same_nibbles(&disk.nibbles[doc as usize], &nib);
                    if (agree as f32 / SIG_LEN as f32) < self.threshold {
                        continue;
                    }
                    if let Some(s) = similar(self.threshold, &disk.low(doc).map_err(err)?, &low) {
                        found = Some((doc, s));
                        break;
                    }
                }
                found
            }
        };
        Ok(found.map(|(doc, s)| (self.id_of(doc).to_string(), s)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shingles(text: &str) -> Vec<u64> {
        let mut v = Vec::new();
        for_each_shingle(text, |h| v.push(h));
        v
    }

    #[test]
    fn normalization() {
        assert_eq!(
            shingles("The Army, said: it WAS over."),
            shingles("the army said it was over")
        );
        assert_eq!(shingles("a b c d e f").len(), 2);
        assert_eq!(shingles("two words").len(), 1);
        assert!(shingles(" -- ").is_empty());
        // Arabic vowel marks do not change the words.
        assert_eq!(shingles("قَصْف مدينة"), shingles("قصف مدينة"));
        assert_ne!(shingles("a b c d e"), shingles("e d c b a"));
    }

    #[test]
    fn roundtrip_and_empty() {
        let s = Signature::of("Shelling hit the eastern districts of the town on Tuesday night.");
        assert_eq!(Signature::from_bytes(&s.to_bytes()).unwrap(), s);
        assert!(Signature::from_bytes(&[1, 2, 3]).is_err());
        let e = Signature::of("...");
        assert!(e.is_empty() && e.similarity(&e) == 0.0);
        assert!((s.similarity(&s) - 1.0).abs() < f32::EPSILON);
    }

    /// Four stories of our own, each re-posted (a new first line, or a
    /// sentence added), one twice: originals both in earlier batches and
    /// earlier in the same batch, for every batch size below.
    fn stream() -> Vec<String> {
        const STORIES: [&str; 4] = [
            "Residents of the river district said the bakery on the main square had \
             reopened on Monday after a week without flour, and that queues formed \
             before dawn as families waited for the first bread in days.",
            "The council announced that the bridge linking the two halves of the town \
             would stay closed to trucks until engineers finish checking the damage \
             left by last month's floods, diverting traffic to the northern road.",
            "Teachers at the secondary school in the eastern quarter held lessons in \
             tents this week because the main building still has no glass in its \
             windows, a parent told reporters outside the gate on Wednesday.",
            "Farmers near the dam complained that irrigation water arrived three weeks \
             late this season, and several said they had planted barley instead of \
             wheat because it needs less water during the hot months.",
        ];
        let repost = |i: usize| format!("Republished with permission. {}", STORIES[i]);
        let edited = |i: usize| format!("{} Officials did not respond to questions.", STORIES[i]);
        vec![
            STORIES[0].to_string(),
            repost(0),
            STORIES[1].to_string(),
            STORIES[2].to_string(),
            repost(1),
            edited(0),
            STORIES[3].to_string(),
            repost(2),
            edited(3),
            repost(3),
            edited(1),
        ]
    }

    #[test]
    fn batch_search_gives_the_verdicts_of_a_search_in_turn() {
        let sigs: Vec<Signature> = stream().iter().map(|t| Signature::of(t)).collect();
        let mut idx = DupIndex::new();
        let mut in_turn = Vec::new();
        for (i, sig) in sigs.iter().enumerate() {
            in_turn.push(idx.find(sig).unwrap().map(|(orig, _)| orig));
            idx.insert(&format!("d{i}"), sig.clone()).unwrap();
        }
        let expected: Vec<Option<&str>> = vec![
            None,
            Some("d0"),
            None,
            None,
            Some("d2"),
            Some("d0"),
            None,
            Some("d3"),
            Some("d6"),
            Some("d6"),
            Some("d2"),
        ];
        assert_eq!(
            in_turn.iter().map(Option::as_deref).collect::<Vec<_>>(),
            expected
        );
        for batch in [1, 2, 3, 4, 5, 16] {
            let mut idx = DupIndex::new();
            let mut got = Vec::new();
            for (c, chunk) in sigs.chunks(batch).enumerate() {
                // As the pipeline does: the earlier batches searched for
                // every document first (in parallel there), then the
                // batch's own earlier documents, in order.
                let before = idx.len();
                let found: Vec<Option<String>> = chunk
                    .iter()
                    .map(|sig| idx.find(sig).unwrap().map(|(orig, _)| orig))
                    .collect();
                for (k, (sig, found)) in chunk.iter().zip(found).enumerate() {
                    got.push(
                        found.or_else(|| idx.find_from(sig, before).unwrap().map(|(orig, _)| orig)),
                    );
                    idx.insert(&format!("d{}", c * batch + k), sig.clone())
                        .unwrap();
                }
            }
            assert_eq!(got, in_turn, "batches of {batch}");
        }
    }

    fn scratch_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("sitrep-dedup-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// Every (band key, document) entry an index keeps, wherever it is,
    /// once flushed.
    fn entries(idx: &mut DupIndex) -> Vec<u64> {
        idx.flush().unwrap();
        let mut v: Vec<u64> = match &idx.tier {
            Tier::Memory(m) => m.bands.entries().collect(),
            Tier::Disk(d) => {
                let mut buf = vec![0u8; d.table.slots as usize * 8];
                d.table.file.read_exact_at(&mut buf, 0).unwrap();
                buf.chunks_exact(8)
                    .map(|s| u64::from_le_bytes(s.try_into().unwrap()))
                    .filter(|&e| e != 0)
                    .map(|e| e - 1)
                    .chain(d.recent.entries())
                    .collect()
            }
        };
        v.sort_unstable();
        v
    }

    /// Stories of our own, their copies (a line added), and a stock
    /// paragraph that a third of the documents carry with a line of their
    /// own, so its bands' buckets fill past the cap.
    fn big_stream() -> Vec<Signature> {
        let story = |i: usize| {
            format!(
                "Report {i}: the council of district {i} met on day {} to count the homes \
                 damaged when storm {i} crossed the coast, and asked province {} for {} \
                 tents and {} tonnes of flour before the rains of week {}.",
                i * 7 + 3,
                i % 13,
                i * 11 + 5,
                i * 3 + 2,
                i % 52
            )
        };
        const STOCK: &str = "The agency said its teams would keep visiting the villages on \
            the eastern road every morning, handing out water, blankets and medicine, and \
            asked families who had moved to schools to register at the nearest office.";
        (0..600)
            .map(|j| match j % 3 {
                0 => Signature::of(&story(j)),
                1 => Signature::of(&format!("{} Updated at noon.", story(j - 1))),
                _ => Signature::of(&format!(
                    "{STOCK} Item {j} of the bulletin, desk {}.",
                    j % 17
                )),
            })
            .collect()
    }

    /// Runs `sigs` through `idx` as the pipeline does, in batches:
    /// flush, probe every document, then in order search the batch's
    /// earlier documents and insert. `stale` flushes between the probes and
    /// the inserts, so that every probe's counts are stale.
    fn run_batches(
        idx: &mut DupIndex,
        sigs: &[Signature],
        batch: usize,
        stale: bool,
    ) -> Vec<Option<String>> {
        let mut got = Vec::new();
        for (c, chunk) in sigs.chunks(batch).enumerate() {
            idx.flush().unwrap();
            let before = idx.len();
            let probes: Vec<Probe> = chunk.iter().map(|sig| idx.probe(sig).unwrap()).collect();
            if stale {
                assert!(idx
                    .insert(&format!("stale-maker-{c}"), Signature::of(""))
                    .unwrap());
                idx.flush().unwrap();
            }
            for (k, (sig, probe)) in chunk.iter().zip(probes).enumerate() {
                let found = probe
                    .original
                    .clone()
                    .map(|(orig, _)| orig)
                    .or_else(|| idx.find_from(sig, before).unwrap().map(|(orig, _)| orig));
                got.push(found);
                assert!(idx
                    .insert_probed(&format!("d{}", c * batch + k), sig.clone(), &probe)
                    .unwrap());
            }
        }
        got
    }

    #[test]
    fn on_disk_the_verdicts_and_kept_entries_are_those_in_memory() {
        let sigs = big_stream();
        let mut mem = DupIndex::new();
        let mut in_turn = Vec::new();
        for (i, sig) in sigs.iter().enumerate() {
            in_turn.push(mem.find(sig).unwrap().map(|(orig, _)| orig));
            mem.insert(&format!("d{i}"), sig.clone()).unwrap();
        }
        // The stream has copies and crowded buckets.
        let copies = in_turn.iter().filter(|v| v.is_some()).count();
        assert!(copies > 300, "{copies} copies");
        let mut per_key: HashMap<u32, u32> = HashMap::new();
        for e in entries(&mut mem) {
            *per_key.entry((e >> 32) as u32).or_default() += 1;
        }
        assert_eq!(per_key.values().max(), Some(&MAX_BUCKET));
        let dir = scratch_dir("verdicts");
        for (batch, stale) in [
            (1, false),
            (7, false),
            (64, true),
            (600, false),
            (600, true),
        ] {
            let mut disk = DupIndex::new();
            disk.spill_to(&dir, 0).unwrap();
            let got = run_batches(&mut disk, &sigs, batch, stale);
            assert!(disk.on_disk());
            let mut twin = DupIndex::new();
            let want = run_batches(&mut twin, &sigs, batch, stale);
            assert_eq!(got, want, "batches of {batch}, stale {stale}");
            assert_eq!(got, in_turn, "batches of {batch}, stale {stale}");
            assert_eq!(entries(&mut disk), entries(&mut twin), "batches of {batch}");
        }
        // One at a time with plain inserts and no flushes but the
        // automatic ones: entries filed without counts from disk, which
        // searches and flushes cap.
        let mut plain = DupIndex::new();
        plain.spill_to(&dir, 0).unwrap();
        for (i, sig) in sigs.iter().enumerate() {
            let found = plain.find(sig).unwrap().map(|(orig, _)| orig);
            assert_eq!(found, in_turn[i], "document {i}");
            plain.insert(&format!("d{i}"), sig.clone()).unwrap();
        }
        assert_eq!(entries(&mut plain), entries(&mut mem));
        // An index that outgrows its budget moves to disk midway (and its
        // table grows there, unreserved) with nothing lost.
        let mut moved = DupIndex::new();
        moved.spill_to(&dir, 50 * MEMORY_PER_DOC).unwrap();
        let got = run_batches(&mut moved, &sigs, 16, false);
        assert!(moved.on_disk());
        assert_eq!(got, in_turn);
        assert_eq!(entries(&mut moved), entries(&mut mem));
        drop((moved, plain));
        // Scratch files go with their index.
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        std::fs::remove_dir(&dir).unwrap();
    }

    /// With a threshold below zero every candidate passes, so searching
    /// from each candidate on lists them all: the candidate sets (which
    /// documents each band key keeps under the cap) are those in memory
    /// whether entries were filed with counts from disk or not.
    #[test]
    fn on_disk_the_candidates_are_those_in_memory() {
        let sigs = big_stream();
        let dir = scratch_dir("candidates");
        let all = |idx: &DupIndex, sig: &Signature| {
            let mut out: Vec<usize> = Vec::new();
            let mut from = 0;
            while let Some((id, _)) = idx.find_from(sig, from).unwrap() {
                let doc: usize = id[1..].parse().unwrap();
                out.push(doc);
                from = doc + 1;
            }
            out
        };
        for probed in [false, true] {
            let mut mem = DupIndex::with_threshold(-1.0);
            let mut disk = DupIndex::with_threshold(-1.0);
            disk.spill_to(&dir, 0).unwrap();
            let mut crowded = false;
            for (i, sig) in sigs.iter().enumerate() {
                if i % 37 == 0 || i % 41 == 0 {
                    for q in &sigs[i..(i + 3).min(sigs.len())] {
                        let want = all(&mem, q);
                        crowded |= want.len() > 2 * MAX_BUCKET as usize;
                        assert_eq!(all(&disk, q), want, "before document {i}, probed {probed}");
                    }
                }
                let id = format!("d{i}");
                mem.insert(&id, sig.clone()).unwrap();
                if probed {
                    let probe = disk.probe(sig).unwrap();
                    disk.insert_probed(&id, sig.clone(), &probe).unwrap();
                } else {
                    disk.insert(&id, sig.clone()).unwrap();
                }
            }
            assert!(crowded);
            assert_eq!(entries(&mut disk), entries(&mut mem));
        }
        std::fs::remove_dir(&dir).unwrap();
    }

    /// The block pass keeps what writing an entry at a time keeps: a
    /// crowded key its first documents, keys at the top of the table their
    /// runs wrapped round to the start, and a bit set for every slot
    /// taken.
    #[test]
    fn writing_in_blocks_keeps_what_writing_one_at_a_time_keeps() {
        let dir = scratch_dir("blocks");
        const CROWDED: u32 = 0x8000_0000;
        let entries: Vec<u64> = (0..300u32)
            .map(|d| {
                let key = match d % 5 {
                    0 => 0xFFFF_FFF0 | (d % 3),
                    1 => CROWDED,
                    _ => mix(u64::from(d)) as u32,
                };
                (u64::from(key) << 32) | u64::from(d)
            })
            .collect();
        let mut one = Table::create(&dir, 640).unwrap();
        let mut blocks = Table::create(&dir, 640).unwrap();
        // Two flushes' worth, each in document order.
        for part in entries.chunks(150) {
            let mut sorted = part.to_vec();
            sorted.sort_unstable_by_key(|&e| (e as u32, e >> 32));
            for &e in &sorted {
                one.put(e, MAX_BUCKET).unwrap();
            }
            blocks.put_in_blocks(part.to_vec()).unwrap();
        }
        let read = |t: &Table| {
            let mut v = Vec::new();
            t.for_each_block(|e| {
                v.extend(e);
                Ok(())
            })
            .unwrap();
            v.sort_unstable();
            v
        };
        let kept = read(&one);
        assert_eq!(read(&blocks), kept);
        for t in [&one, &blocks] {
            assert_eq!(t.entries, kept.len() as u64);
            let bits: u64 = t.taken.iter().map(|w| u64::from(w.count_ones())).sum();
            assert_eq!(bits, t.entries);
        }
        let crowded: Vec<u32> = kept
            .iter()
            .filter(|&&e| (e >> 32) as u32 == CROWDED)
            .map(|&e| e as u32)
            .collect();
        let first: Vec<u32> = (0..300)
            .filter(|d| d % 5 == 1)
            .take(MAX_BUCKET as usize)
            .collect();
        assert_eq!(crowded, first);
        // The top keys' runs wrapped: some sit in the table's first slots,
        // and lookups find all of them.
        let mut head = vec![0u8; 64 * 8];
        blocks.file.read_exact_at(&mut head, 0).unwrap();
        assert!(head
            .chunks_exact(8)
            .map(|s| u64::from_le_bytes(s.try_into().unwrap()))
            .any(|e| e != 0 && (e >> 32) as u32 >= 0xFFFF_FFF0));
        for k in 0..3 {
            let filed = (0..300).filter(|d| d % 5 == 0 && d % 3 == k).count();
            assert_eq!(blocks.count(0xFFFF_FFF0 | k).unwrap() as usize, filed);
        }
        drop((one, blocks));
        std::fs::remove_dir(&dir).unwrap();
    }

    #[test]
    fn a_scratch_folder_that_cannot_be_used_is_an_error_naming_it() {
        let dir = std::env::temp_dir().join(format!("sitrep-dedup-missing-{}", std::process::id()));
        let mut idx = DupIndex::new();
        idx.spill_to(&dir, 0).unwrap();
        let err = idx
            .insert("a", Signature::of("some words of a story"))
            .unwrap_err();
        assert!(err.to_string().contains(&*dir.to_string_lossy()), "{err}");
        // Nothing was added.
        assert!(idx.is_empty() && !idx.contains("a"));
    }

    #[test]
    fn nibble_agreement_bounds_value_agreement() {
        let a = Signature::of(&stream()[0]).low_bits();
        for same in [0, 1, 40, 64, 100, 128] {
            let mut b = a;
            for v in b.iter_mut().skip(same) {
                // Changes only the high bits of some, the low of others.
                *v ^= if *v % 2 == 0 { 0x0100 } else { 0x0003 };
            }
            let values = a.iter().zip(&b).filter(|(x, y)| x == y).count();
            let nib = same_nibbles(&nibbles(&a), &nibbles(&b));
            assert_eq!(values, same);
            assert!(nib >= values);
            let low_changed = a.iter().skip(same).filter(|v| *v % 2 == 1).count();
            assert_eq!(nib, SIG_LEN - low_changed, "{same}");
        }
    }

    #[test]
    fn find_from_skips_earlier_documents() {
        let text = stream()[3].clone();
        let mut idx = DupIndex::new();
        for id in ["a", "b"] {
            idx.insert(id, Signature::of(&text)).unwrap();
        }
        let sig = Signature::of(&text);
        let found = |from| idx.find_from(&sig, from).unwrap().map(|(orig, _)| orig);
        assert_eq!(found(0).as_deref(), Some("a"));
        assert_eq!(found(1).as_deref(), Some("b"));
        assert_eq!(found(2), None);
        assert_eq!(found(usize::MAX), None);
    }

    #[test]
    fn stopping_early_never_changes_a_verdict() {
        let a = Signature::of(&stream()[0]).low_bits();
        for same in 0..=SIG_LEN {
            // The differing values as one run starting at several places,
            // so the count can stop after any of its steps.
            for offset in [0, 17, 64, 111] {
                let mut b = a;
                for k in 0..SIG_LEN - same {
                    let i = (offset + same + k) % SIG_LEN;
                    b[i] = b[i].wrapping_add(1);
                }
                assert_eq!(a.iter().zip(&b).filter(|(x, y)| x == y).count(), same);
                for threshold in [-0.5, 0.0, 0.25, 0.5, 0.51, 0.9, 1.0, 1.5, f32::NAN] {
                    let s = same as f32 / SIG_LEN as f32;
                    let want = (s >= threshold).then_some(s);
                    assert_eq!(similar(threshold, &a, &b), want, "{same} same, {threshold}");
                }
            }
        }
    }

    #[test]
    fn index_is_idempotent_and_earliest_first() {
        let text = "Local officials said the water station in the northern district stopped \
                    pumping after the power line that feeds it was cut during the night.";
        let mut idx = DupIndex::new();
        assert!(idx.insert("first", Signature::of(text)).unwrap());
        assert!(idx.insert("second", Signature::of(text)).unwrap());
        assert!(!idx.insert("first", Signature::of("other")).unwrap());
        assert_eq!(
            idx.find(&Signature::of(text))
                .unwrap()
                .map(|(id, _)| id)
                .as_deref(),
            Some("first")
        );
        assert_eq!(idx.len(), 2);
    }

    /// A document whose signature is missing (stored without one, or in an
    /// older format) is known by id but is never anyone's original.
    #[test]
    fn an_id_without_signature_is_known_and_matches_nothing() {
        let text = "The ferry across the lake resumed its morning crossings after the \
                    storm damage to the northern pier was repaired over the weekend.";
        let mut idx = DupIndex::new();
        assert!(idx
            .insert("stored-without-signature", Signature::of(""))
            .unwrap());
        assert!(idx.contains("stored-without-signature"));
        assert!(!idx
            .insert("stored-without-signature", Signature::of(text))
            .unwrap());
        assert!(idx.find(&Signature::of(text)).unwrap().is_none());
        assert!(idx.insert("later", Signature::of(text)).unwrap());
        assert_eq!(
            idx.find(&Signature::of(text))
                .unwrap()
                .map(|(id, _)| id)
                .as_deref(),
            Some("later")
        );
    }

    /// Ids live in one buffer: each comes back whole, whatever its length,
    /// and membership is exact (prefixes and extensions of an id are not
    /// members).
    #[test]
    fn many_ids_are_kept_apart() {
        let mut idx = DupIndex::new();
        let ids: Vec<String> = (0..500)
            .map(|i| format!("{}{i}", "d".repeat(i % 7)))
            .collect();
        for (i, id) in ids.iter().enumerate() {
            let text = format!(
                "Report {i}: the council in district {i} met on day {} to count damaged homes \
                 after the storm number {i} moved inland.",
                i * 7
            );
            assert!(idx.insert(id, Signature::of(&text)).unwrap());
        }
        assert_eq!(idx.len(), 500);
        assert!(ids.iter().all(|id| idx.contains(id)));
        assert!(!idx.contains("d"));
        assert!(!idx.contains("dd12x"));
        assert!(!idx.insert(&ids[42], Signature::of("again")).unwrap());
        let text = "Report 321: the council in district 321 met on day 2247 to count damaged \
                    homes after the storm number 321 moved inland.";
        assert_eq!(
            idx.find(&Signature::of(text)).unwrap().map(|(id, _)| id),
            Some(ids[321].clone())
        );
    }

    /// Every entry stays findable as the table grows, including runs that
    /// wrap past its end (keys near `u32::MAX` start there), and a key's
    /// bucket stops at the cap however its entries are spread.
    #[test]
    fn band_table_keeps_entries_across_growth_and_wrap() {
        let mut t = BandTable::default();
        let key = |i: u32| {
            (mix(u64::from(i)) as u32)
                | if i.is_multiple_of(500) {
                    0xFFFF_0000
                } else {
                    0
                }
        };
        for i in 0..5000u32 {
            t.insert(key(i), i, MAX_BUCKET);
            // Every tenth key is also shared by the next 40 documents.
            if i.is_multiple_of(10) {
                for d in 0..40 {
                    t.insert(key(i), 10_000 + d, MAX_BUCKET);
                }
            }
        }
        assert!(t.len * 4 <= t.slots.len() * 3);
        for i in (0..5000u32).step_by(7) {
            let mut got = Vec::new();
            t.each(key(i), |d| got.push(d));
            assert!(got.contains(&i), "key {i} lost its document");
            if i.is_multiple_of(10) {
                assert_eq!(got.len(), MAX_BUCKET as usize);
            }
        }
        let mut none = Vec::new();
        t.each(0xFFFF_FFFF, |d| none.push(d));
        assert!(none.is_empty());
        // Reserved up front, the table does not move while it fills.
        let mut idx = DupIndex::new();
        idx.reserve(100).unwrap();
        let size = idx.memory().bands.slots.len();
        for i in 0..100 {
            let text = format!(
                "Convoy {i} left the depot at dawn and crossed the river by the old ferry {i}."
            );
            assert!(idx
                .insert(&format!("doc{i}"), Signature::of(&text))
                .unwrap());
        }
        assert_eq!(idx.memory().bands.slots.len(), size);
    }

    /// A story re-posted hundreds of times fills its buckets; later copies
    /// still find the original (the earliest), and the buckets stop
    /// growing.
    #[test]
    fn crowded_buckets_keep_the_original() {
        let story = "The provincial council said the bridge over the canal reopened on \
                     Monday after engineers repaired the damage from last week's flood, \
                     and buses resumed their routes to the market.";
        let mut idx = DupIndex::new();
        for i in 0..300 {
            let copy = format!("{story} Posted by outlet {i}.");
            assert!(idx
                .insert(&format!("copy{i:03}"), Signature::of(&copy))
                .unwrap());
        }
        // Shared bands are full; no bucket holds more than the cap.
        let mut per_key: HashMap<u32, u32> = HashMap::new();
        for &e in idx
            .memory()
            .bands
            .slots
            .iter()
            .filter(|&&e| e != BandTable::FREE)
        {
            *per_key.entry((e >> 32) as u32).or_default() += 1;
        }
        assert!(per_key.values().any(|&n| n == MAX_BUCKET));
        assert!(per_key.values().all(|&n| n <= MAX_BUCKET));
        assert_eq!(
            per_key.values().sum::<u32>() as usize,
            idx.memory().bands.len
        );
        assert!(idx.memory().bands.len < 300 * BANDS / 2);
        let late = format!("{story} Shared by a late blog.");
        assert_eq!(
            idx.find(&Signature::of(&late))
                .unwrap()
                .map(|(id, _)| id)
                .as_deref(),
            Some("copy000")
        );
        let unrelated = "Farmers in the valley began the wheat harvest two weeks early \
                         because of the dry spring, the agriculture office said.";
        assert!(idx.find(&Signature::of(unrelated)).unwrap().is_none());
    }
}
