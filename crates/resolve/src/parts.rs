//! Resolution's mention summaries, one partition per category, kept on
//! disk past a memory budget.
//!
//! Mentions of different categories are never one incident: [`crate::pair`]
//! refuses them, and anchor blocks and the attach step's indexes are keyed
//! by category. So each category is clustered on its own, and only the
//! partition being clustered needs to be in memory: past `budget` bytes of
//! summaries held, the scan writes every partition's out, and each
//! partition is read back, in canonical order, when its turn comes. On
//! millions of mentions the summaries were most of resolution's memory; a
//! partition is its category's share (47 % for the largest on our
//! synthetic corpus, which is mostly about strikes).

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

use sitrep_model::scratch::ScratchFile;
use sitrep_model::{GeoPrecision, Plover, TimePrecision};

use crate::{Name, ShortName, Spill, ARENA_MAX, M};

/// A record's fixed part on disk: doc, pos, canonical position (u32 each),
/// ACLED type (u16), province and country (u32), days (i32 each), point
/// (f64 each), word count (u16), side counts, category, time and place
/// precision and flags (u8 each). Its feature words follow.
pub(crate) const FIXED: usize = 4 * 3 + 2 + 4 * 2 + 4 * 2 + 8 * 2 + 2 + 6;

/// One partition's summaries: those not yet written out in memory, the
/// rest in a file.
struct Part {
    ms: Vec<M>,
    /// Each mention's position among its document's mentions in the
    /// document's canonical order, from which its canonical index follows
    /// once every document is known.
    k: Vec<u32>,
    /// Features of `ms`, whose offsets index this arena.
    feat: Vec<u32>,
    file: Option<ScratchFile>,
    on_disk: usize,
    words_on_disk: usize,
}

impl Part {
    fn len(&self) -> usize {
        self.on_disk + self.ms.len()
    }
}

/// A partition read back, in canonical order: its summaries, their
/// canonical indices among all mentions, and their feature arena.
pub(crate) struct Loaded {
    pub(crate) ms: Vec<M>,
    pub(crate) gi: Vec<u32>,
    pub(crate) feat: Vec<u32>,
}

/// What the scan learnt that reading a partition back needs, and checks
/// records from disk against (a damaged file is an error, not a panic).
pub(crate) struct Canon<'a> {
    /// Canonical index of each document's first mention, and its number of
    /// mentions, by scan position.
    pub(crate) doc_start: &'a [u32],
    pub(crate) doc_len: &'a [u32],
    /// Interned place names and ACLED types.
    pub(crate) names: usize,
    pub(crate) types: usize,
}

/// The partitions: one per category, or one for all when `by_category` is
/// off (the unpartitioned algorithm the tests compare with).
pub(crate) struct Parts<'s, E> {
    spill: Option<&'s Spill<E>>,
    budget: usize,
    by_category: bool,
    /// Bytes of summaries and features pushed since they last went to
    /// disk (buffers keep their capacity between windows, which may be up
    /// to twice this).
    held: usize,
    parts: Vec<Part>,
    /// Words dropped because an arena would pass `ARENA_MAX`: warned once.
    warned_full: bool,
}

impl<'s, E> Parts<'s, E> {
    pub(crate) fn new(spill: Option<&'s Spill<E>>, budget: usize, by_category: bool) -> Self {
        let n = if by_category { Plover::ALL.len() } else { 1 };
        Parts {
            spill,
            budget,
            by_category,
            held: 0,
            parts: (0..n)
                .map(|_| Part {
                    ms: Vec::new(),
                    k: Vec::new(),
                    feat: Vec::new(),
                    file: None,
                    on_disk: 0,
                    words_on_disk: 0,
                })
                .collect(),
            warned_full: false,
        }
    }

    /// Adds a summary (its `feat` an offset into `arena`) at canonical
    /// position `k` of its document. Past the budget, with a folder to
    /// spill to, every partition's summaries go to disk.
    pub(crate) fn push(&mut self, mut m: M, k: u32, arena: &[u32]) -> Result<(), E> {
        let n = m.n_feat();
        let words = &arena[m.feat as usize..m.feat as usize + n];
        let at = if self.by_category {
            plover_code(m.category) as usize
        } else {
            0
        };
        let part = &mut self.parts[at];
        if part.feat.len() + n > ARENA_MAX {
            // Offsets are u32 (4 bytes a mention less): past 2^32 words,
            // about 450 million mentions of one category held at once,
            // mentions are compared without their words and sides (which
            // ones depends on the scan's order: the one case where the
            // result does).
            warn_full(&mut self.warned_full);
            (m.feat, m.n_words, m.n_actor, m.n_target) = (0, 0, 0, 0);
        } else {
            m.feat = part.feat.len() as u32;
            part.feat.extend_from_slice(words);
        }
        part.ms.push(m);
        part.k.push(k);
        self.held += std::mem::size_of::<M>() + 4 + 4 * m.n_feat();
        if self.held > self.budget {
            if let Some(spill) = self.spill {
                self.write_out(&spill.dir).map_err(spill.error)?;
            }
        }
        Ok(())
    }

    /// Writes every partition's summaries in memory to its file.
    fn write_out(&mut self, dir: &Path) -> std::io::Result<()> {
        let mut buf = Vec::with_capacity(FIXED + 64);
        for part in &mut self.parts {
            if part.ms.is_empty() {
                continue;
            }
            let file = match &mut part.file {
                Some(f) => f,
                None => part
                    .file
                    .insert(ScratchFile::create(dir, "resolution spill")?),
            };
            let mut w = BufWriter::with_capacity(1 << 20, file.file_mut());
            for (m, &k) in part.ms.iter().zip(&part.k) {
                buf.clear();
                encode(m, k, &part.feat, &mut buf);
                w.write_all(&buf).map_err(|e| in_spill(e, dir))?;
            }
            w.flush().map_err(|e| in_spill(e, dir))?;
            part.on_disk += part.ms.len();
            part.words_on_disk += part.feat.len();
            // Capacity is kept: the next window of the scan refills it.
            part.ms.clear();
            part.k.clear();
            part.feat.clear();
        }
        self.held = 0;
        Ok(())
    }

    /// Ends the scan: once anything went to disk, the rest follows and the
    /// buffers go, so that no partition's buffer (up to about twice the
    /// budget in all, capacity kept for the next window) stays resident
    /// while another is clustered. Below the budget everything stays in
    /// memory.
    pub(crate) fn end_scan(&mut self) -> Result<(), E> {
        let Some(spill) = self.spill else {
            return Ok(());
        };
        if self.parts.iter().all(|p| p.file.is_none()) {
            return Ok(());
        }
        self.write_out(&spill.dir).map_err(spill.error)?;
        for part in &mut self.parts {
            part.ms = Vec::new();
            part.k = Vec::new();
            part.feat = Vec::new();
        }
        Ok(())
    }

    /// Partitions that have mentions, the largest first: the partitions
    /// read back later meet the canonical-index lists growing, so the
    /// largest goes when those are smallest.
    pub(crate) fn order(&self) -> Vec<usize> {
        let mut v: Vec<usize> = (0..self.parts.len())
            .filter(|&i| self.parts[i].len() > 0)
            .collect();
        v.sort_by_key(|&i| (std::cmp::Reverse(self.parts[i].len()), i));
        v
    }

    /// True when every partition is in memory and within the budget
    /// (nothing was, nor would have been, spilled): the input is small
    /// enough to cluster its categories side by side (their summaries within
    /// the budget; their clustering state on top of it).
    pub(crate) fn within_budget(&self) -> bool {
        self.held <= self.budget && self.parts.iter().all(|p| p.file.is_none())
    }

    /// Mentions in all partitions.
    pub(crate) fn len(&self) -> usize {
        self.parts.iter().map(Part::len).sum()
    }

    /// Partition `i`'s mentions, if they are all on disk (the scan spilled):
    /// [`crate::spilled`] clusters it from there.
    pub(crate) fn all_on_disk(&self, i: usize) -> Option<usize> {
        let part = &self.parts[i];
        (part.file.is_some() && part.ms.is_empty() && self.spill.is_some()).then_some(part.on_disk)
    }

    /// Calls `f` with each of partition `i`'s records on disk, in the order
    /// written (see [`read_records`]); the file stays for another pass.
    pub(crate) fn each_on_disk(
        &mut self,
        i: usize,
        canon: &Canon,
        f: impl FnMut(M, u32, &[u32]),
    ) -> std::io::Result<()> {
        let part = &mut self.parts[i];
        match &mut part.file {
            Some(file) => read_records(file.file_mut(), part.on_disk, canon, f),
            None => Ok(()),
        }
    }

    /// Drops partition `i`'s file.
    pub(crate) fn release(&mut self, i: usize) {
        self.parts[i].file = None;
        self.parts[i].on_disk = 0;
    }

    /// Takes partition `i` out, in canonical order: what was written to
    /// disk and what is in memory, with one feature arena for all of them.
    pub(crate) fn take(&mut self, i: usize, canon: &Canon) -> Result<Loaded, E> {
        let part = &mut self.parts[i];
        let on_disk = part.on_disk;
        let mut ms = std::mem::take(&mut part.ms);
        let mut k = std::mem::take(&mut part.k);
        let mem_feat = std::mem::take(&mut part.feat);
        let file = part.file.take();
        let (Some(mut f), Some(spill)) = (file, self.spill) else {
            // Nothing on disk: the buffers are the partition (their
            // offsets already index their arena), and their indices are
            // distinct by construction.
            for (g, m) in k.iter_mut().zip(&ms) {
                *g += canon.doc_start[m.doc as usize];
            }
            let ordered = in_canonical_order(&mut ms, &mut k);
            debug_assert!(ordered);
            return Ok(Loaded {
                ms,
                gi: k,
                feat: mem_feat,
            });
        };
        let n = on_disk + ms.len();
        let mut out = Loaded {
            ms: Vec::with_capacity(n),
            gi: Vec::with_capacity(n),
            feat: Vec::with_capacity((part.words_on_disk + mem_feat.len()).min(ARENA_MAX)),
        };
        read_back(
            f.file_mut(),
            on_disk,
            canon,
            &mut out,
            &mut self.warned_full,
        )
        .map_err(|e| (spill.error)(in_spill(e, &spill.dir)))?;
        drop(f);
        for (mut m, k) in ms.drain(..).zip(k.drain(..)) {
            let s = m.feat as usize;
            let n = m.n_feat();
            add_words(
                &mut out.feat,
                &mut m,
                &mem_feat[s..s + n],
                &mut self.warned_full,
            );
            out.gi.push(canon.doc_start[m.doc as usize] + k);
            out.ms.push(m);
        }
        if !in_canonical_order(&mut out.ms, &mut out.gi) {
            return Err((spill.error)(in_spill(damaged(), &spill.dir)));
        }
        Ok(out)
    }
}

/// Puts a partition's summaries in canonical order (`gi`, their canonical
/// indices, with them) by moving each straight to its place: a u32 per
/// mention, where a sort by key would copy them. False, with nothing
/// moved, when two indices are the same (only a damaged file can do that).
pub(crate) fn in_canonical_order(ms: &mut [M], gi: &mut [u32]) -> bool {
    // A summary's place is the number of the partition's indices below its
    // own: a bit per index of all mentions and a count before each word of
    // bits give it, in about a sixth of a byte per mention of the store.
    let n_bits = gi.iter().max().map_or(0, |&g| g as usize + 1);
    let mut bits = vec![0u64; n_bits.div_ceil(64)];
    for &g in gi.iter() {
        let (w, b) = (g as usize / 64, 1u64 << (g % 64));
        if bits[w] & b != 0 {
            return false;
        }
        bits[w] |= b;
    }
    let mut before: Vec<u32> = Vec::with_capacity(bits.len());
    let mut count = 0u32;
    for w in &bits {
        before.push(count);
        count += w.count_ones();
    }
    let mut dest: Vec<u32> = gi
        .iter()
        .map(|&g| {
            let (w, b) = (g as usize / 64, g % 64);
            before[w] + (bits[w] & ((1u64 << b) - 1)).count_ones()
        })
        .collect();
    drop((bits, before));
    // `dest` is a permutation (the indices are distinct), so each swap
    // puts one summary in its final place.
    for i in 0..ms.len() {
        while dest[i] as usize != i {
            let j = dest[i] as usize;
            ms.swap(i, j);
            gi.swap(i, j);
            dest.swap(i, j);
        }
    }
    true
}

/// Appends a summary's words to `arena` and points it there, or drops them
/// when the arena is full.
pub(crate) fn add_words(arena: &mut Vec<u32>, m: &mut M, words: &[u32], warned: &mut bool) {
    if arena.len() + words.len() > ARENA_MAX {
        warn_full(warned);
        (m.feat, m.n_words, m.n_actor, m.n_target) = (0, 0, 0, 0);
    } else {
        m.feat = arena.len() as u32;
        arena.extend_from_slice(words);
    }
}

fn warn_full(warned: &mut bool) {
    if !*warned {
        *warned = true;
        tracing::warn!(
            "feature arena full: some mentions are resolved without their words and sides"
        );
    }
}

/// A category's position in [`Plover::ALL`], which numbers partitions and
/// the category byte on disk.
pub(crate) fn plover_code(p: Plover) -> u8 {
    Plover::ALL.iter().position(|&q| q == p).unwrap_or(0) as u8
}

pub(crate) fn encode(m: &M, k: u32, arena: &[u32], out: &mut Vec<u8>) {
    out.extend_from_slice(&m.doc.to_le_bytes());
    out.extend_from_slice(&m.pos.to_le_bytes());
    out.extend_from_slice(&k.to_le_bytes());
    out.extend_from_slice(&m.acled_type.0.to_le_bytes());
    out.extend_from_slice(&m.admin1.0.to_le_bytes());
    out.extend_from_slice(&m.country.0.to_le_bytes());
    out.extend_from_slice(&m.day0.to_le_bytes());
    out.extend_from_slice(&m.day1.to_le_bytes());
    out.extend_from_slice(&m.point[0].to_le_bytes());
    out.extend_from_slice(&m.point[1].to_le_bytes());
    out.extend_from_slice(&m.n_words.to_le_bytes());
    out.extend_from_slice(&[
        m.n_actor,
        m.n_target,
        plover_code(m.category),
        tprec_code(m.tprec),
        gprec_code(m.gprec),
        m.flags,
    ]);
    let s = m.feat as usize;
    for w in &arena[s..s + m.n_feat()] {
        out.extend_from_slice(&w.to_le_bytes());
    }
}

/// Reads `n` records back from the start of `file`, checking each against
/// what the scan knows.
fn read_back(
    file: &mut File,
    n: usize,
    canon: &Canon,
    out: &mut Loaded,
    warned: &mut bool,
) -> std::io::Result<()> {
    read_records(file, n, canon, |mut m, g, words| {
        add_words(&mut out.feat, &mut m, words, warned);
        out.gi.push(g);
        out.ms.push(m);
    })
}

/// Calls `f` with each of the `n` records from the start of `file`: the
/// summary (its `feat` not set), its canonical index and its words, each
/// checked against what the scan knows.
fn read_records(
    file: &mut File,
    n: usize,
    canon: &Canon,
    mut f: impl FnMut(M, u32, &[u32]),
) -> std::io::Result<()> {
    file.seek(SeekFrom::Start(0))?;
    let mut r = BufReader::with_capacity(1 << 20, file);
    let mut fixed = [0u8; FIXED];
    let mut words: Vec<u32> = Vec::new();
    let mut raw: Vec<u8> = Vec::new();
    for _ in 0..n {
        r.read_exact(&mut fixed)?;
        let (m, k) = decode(&fixed)?;
        let d = m.doc as usize;
        let (Some(&start), Some(&len)) = (canon.doc_start.get(d), canon.doc_len.get(d)) else {
            return Err(damaged());
        };
        let known = |n: Name, of: usize| n.get().is_none_or(|i| (i as usize) < of);
        if k >= len
            || !known(m.admin1, canon.names)
            || !known(m.country, canon.names)
            || m.acled_type
                .get()
                .is_some_and(|i| i as usize >= canon.types)
        {
            return Err(damaged());
        }
        read_words(&mut r, m.n_feat(), &mut raw, &mut words)?;
        f(m, start + k, &words);
    }
    Ok(())
}

/// Reads `n` feature words into `words` (`raw` a buffer).
pub(crate) fn read_words(
    r: &mut impl Read,
    n: usize,
    raw: &mut Vec<u8>,
    words: &mut Vec<u32>,
) -> std::io::Result<()> {
    raw.resize(4 * n, 0);
    r.read_exact(raw)?;
    words.clear();
    words.extend(
        raw.chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])),
    );
    Ok(())
}

/// A record's fixed part, or an error when it cannot be one we wrote.
pub(crate) fn decode(b: &[u8; FIXED]) -> std::io::Result<(M, u32)> {
    let mut at = 0;
    let mut take = |n: usize| {
        let s = &b[at..at + n];
        at += n;
        s
    };
    let u32_ = |s: &[u8]| u32::from_le_bytes([s[0], s[1], s[2], s[3]]);
    let f64_ = |s: &[u8]| f64::from_le_bytes([s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]]);
    let doc = u32_(take(4));
    let pos = u32_(take(4));
    let k = u32_(take(4));
    let t = take(2);
    let acled_type = ShortName(u16::from_le_bytes([t[0], t[1]]));
    let admin1 = Name(u32_(take(4)));
    let country = Name(u32_(take(4)));
    let day0 = u32_(take(4)) as i32;
    let day1 = u32_(take(4)) as i32;
    let point = [f64_(take(8)), f64_(take(8))];
    let t = take(2);
    let n_words = u16::from_le_bytes([t[0], t[1]]);
    let t = take(6);
    let category = *Plover::ALL.get(usize::from(t[2])).ok_or_else(damaged)?;
    let tprec = tprec_of(t[3]).ok_or_else(damaged)?;
    // Dates come from calendar dates, within chrono's range: later steps
    // add and subtract weeks and months without checking.
    let (min_day, max_day) = (
        crate::day_num(chrono::NaiveDate::MIN),
        crate::day_num(chrono::NaiveDate::MAX),
    );
    if tprec.is_some() && (day0 > day1 || day0 < min_day || day1 > max_day) {
        return Err(damaged());
    }
    let m = M {
        doc,
        pos,
        acled_type,
        admin1,
        country,
        day0,
        day1,
        point,
        feat: 0,
        n_words,
        n_actor: t[0],
        n_target: t[1],
        category,
        tprec,
        gprec: gprec_of(t[4]).ok_or_else(damaged)?,
        flags: t[5],
    };
    Ok((m, k))
}

/// An I/O error with where it happened: the files are unlinked at once,
/// so their folder is all there is to name.
pub(crate) fn in_spill(e: std::io::Error, dir: &Path) -> std::io::Error {
    std::io::Error::new(
        e.kind(),
        format!("resolution spill file in {}: {e}", dir.display()),
    )
}

pub(crate) fn damaged() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        "damaged resolution spill record",
    )
}

fn tprec_code(p: Option<TimePrecision>) -> u8 {
    match p {
        None => 0,
        Some(TimePrecision::Day) => 1,
        Some(TimePrecision::Week) => 2,
        Some(TimePrecision::Month) => 3,
        Some(TimePrecision::Year) => 4,
    }
}

fn tprec_of(c: u8) -> Option<Option<TimePrecision>> {
    Some(match c {
        0 => None,
        1 => Some(TimePrecision::Day),
        2 => Some(TimePrecision::Week),
        3 => Some(TimePrecision::Month),
        4 => Some(TimePrecision::Year),
        _ => return None,
    })
}

fn gprec_code(p: Option<GeoPrecision>) -> u8 {
    match p {
        None => 0,
        Some(GeoPrecision::Exact) => 1,
        Some(GeoPrecision::Near) => 2,
        Some(GeoPrecision::Admin1) => 3,
        Some(GeoPrecision::Country) => 4,
    }
}

fn gprec_of(c: u8) -> Option<Option<GeoPrecision>> {
    Some(match c {
        0 => None,
        1 => Some(GeoPrecision::Exact),
        2 => Some(GeoPrecision::Near),
        3 => Some(GeoPrecision::Admin1),
        4 => Some(GeoPrecision::Country),
        _ => return None,
    })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::FileExt;

    /// Three summaries of one document written out, then `damage` done to
    /// the file, then read back.
    fn read_damaged(name: &str, damage: impl Fn(&File)) -> std::io::Result<Loaded> {
        let dir = std::env::temp_dir().join(format!("sitrep-parts-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let spill = Spill {
            dir: dir.clone(),
            error: |e| e,
        };
        let mut parts = Parts::new(Some(&spill), 0, true);
        for k in 0..3 {
            let mut m = crate::tests::blank_m();
            m.pos = k;
            let arena: Vec<u32> = (0..m.n_feat() as u32).collect();
            m.feat = 0;
            parts.push(m, k, &arena)?;
        }
        parts.end_scan()?;
        let at = parts.order()[0];
        damage(parts.parts[at].file.as_ref().unwrap().file());
        let canon = Canon {
            doc_start: &[0],
            doc_len: &[3],
            names: 0,
            types: 1,
        };
        let got = parts.take(at, &canon);
        std::fs::remove_dir_all(&dir)?;
        got
    }

    #[test]
    fn a_damaged_spill_file_is_an_error_not_a_panic() {
        let fine = read_damaged("fine", |_| {}).unwrap();
        assert_eq!(fine.gi, [0, 1, 2]);
        assert_eq!(fine.ms.iter().map(|m| m.pos).collect::<Vec<_>>(), [0, 1, 2]);
        let is_spill_error = |name: &str, got: std::io::Result<Loaded>| {
            let err = got.err().unwrap_or_else(|| panic!("{name} read back"));
            assert!(
                err.to_string().contains("resolution spill file"),
                "{name}: {err}"
            );
        };
        is_spill_error(
            "truncated",
            read_damaged("truncated", |f| {
                f.set_len(f.metadata().unwrap().len() - 9).unwrap()
            }),
        );
        // The first record's place in its document past its length; two
        // records at the same place; a province the scan never named.
        for (name, at, value) in [("k", 8, 9u32), ("twice", 8, 1), ("name", 14, 7)] {
            let got = read_damaged(name, |f| f.write_all_at(&value.to_le_bytes(), at).unwrap());
            is_spill_error(name, got);
        }
    }
}
