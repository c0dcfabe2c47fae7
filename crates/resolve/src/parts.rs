//! Resolution's mention summaries, one partition per category, kept on
//! disk past a memory budget.
//!
//! Mentions of different categories are never one incident: [`crate::pair`]
//! refuses them, and anchor blocks and the attach step's indexes are keyed
//! by category. So each category is clustered on its own, and only the
//! partition being clustered needs to be in memory: the scan writes every
//! partition's summaries out once more than `budget` bytes of them are
//! held, and each partition is read back when its turn comes. On millions
//! of mentions the summaries were most of resolution's memory; a partition
//! is at most the share of its category (about 30 % for the largest on our
//! corpora).

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use sitrep_model::{GeoPrecision, Plover, TimePrecision};

use crate::{Name, ShortName, Spill, ARENA_MAX, M};

/// A record's fixed part on disk: doc, pos, canonical position (u32 each),
/// ACLED type (u16), province and country (u32), days (i32 each), point
/// (f64 each), word count (u16), side counts, time and place precision and
/// flags (u8 each). Its feature words follow.
pub(crate) const FIXED: usize = 4 * 3 + 2 + 4 * 2 + 4 * 2 + 8 * 2 + 2 + 5;

/// One category's summaries: those not yet written out in memory, the rest
/// in a file.
struct Part {
    category: Plover,
    ms: Vec<M>,
    /// Each mention's position among its document's mentions in canonical
    /// order (the scan's order), from which its canonical index follows
    /// once every document is known.
    k: Vec<u32>,
    /// Features of `ms`, whose offsets index this arena.
    feat: Vec<u32>,
    file: Option<SpillFile>,
    on_disk: usize,
    words_on_disk: usize,
}

impl Part {
    fn len(&self) -> usize {
        self.on_disk + self.ms.len()
    }
}

/// A partition read back: its summaries, their canonical indices among
/// all mentions, and their feature arena.
pub(crate) struct Loaded {
    pub(crate) ms: Vec<M>,
    pub(crate) gi: Vec<u32>,
    pub(crate) feat: Vec<u32>,
}

/// The partitions, by category (in [`Plover::ALL`] order).
pub(crate) struct Parts<'s, E> {
    spill: Option<&'s Spill<E>>,
    budget: usize,
    /// Bytes of summaries and features held in memory.
    held: usize,
    parts: Vec<Part>,
    /// Words dropped because an arena would pass `ARENA_MAX`: warned once.
    warned_full: bool,
}

impl<'s, E> Parts<'s, E> {
    pub(crate) fn new(spill: Option<&'s Spill<E>>, budget: usize) -> Self {
        Parts {
            spill,
            budget,
            held: 0,
            parts: Plover::ALL
                .iter()
                .map(|&category| Part {
                    category,
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

    /// Adds a summary (its `feat` an offset into `words`' arena) at
    /// canonical position `k` of its document. Past the budget, with a
    /// folder to spill to, every partition's summaries go to disk.
    pub(crate) fn push(&mut self, mut m: M, k: u32, arena: &[u32]) -> Result<(), E> {
        let n = m.n_feat();
        let words = &arena[m.feat as usize..m.feat as usize + n];
        let at = plover_index(m.category);
        let part = &mut self.parts[at];
        if part.feat.len() + n > ARENA_MAX {
            // Offsets are u32 (4 bytes a mention less): past 2^32 words,
            // about 450 million mentions of one category held at once,
            // mentions are compared without their words and sides.
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
                self.write_out().map_err(spill.error)?;
            }
        }
        Ok(())
    }

    /// Writes every partition's summaries in memory to its file.
    fn write_out(&mut self) -> std::io::Result<()> {
        let Some(spill) = self.spill else {
            return Ok(());
        };
        let mut buf = Vec::with_capacity(FIXED + 64);
        for part in &mut self.parts {
            if part.ms.is_empty() {
                continue;
            }
            if part.file.is_none() {
                part.file = Some(SpillFile::create(&spill.dir)?);
            }
            let file = &mut part.file.as_mut().expect("created above").file;
            let mut w = BufWriter::with_capacity(1 << 20, file);
            for (m, &k) in part.ms.iter().zip(&part.k) {
                buf.clear();
                encode(m, k, &part.feat, &mut buf);
                w.write_all(&buf)?;
            }
            w.flush()?;
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
    /// buffers go, so that no category's buffer (about the budget in all,
    /// capacity kept for the next window) stays resident while another is
    /// clustered. Below the budget everything stays in memory.
    pub(crate) fn end_scan(&mut self) -> Result<(), E> {
        let Some(spill) = self.spill else {
            return Ok(());
        };
        if self.parts.iter().all(|p| p.file.is_none()) {
            return Ok(());
        }
        self.write_out().map_err(spill.error)?;
        for part in &mut self.parts {
            part.ms = Vec::new();
            part.k = Vec::new();
            part.feat = Vec::new();
        }
        Ok(())
    }

    /// Categories that have mentions, the largest first: the partitions
    /// read back later meet the canonical-index lists growing, so the
    /// largest goes when those are smallest.
    pub(crate) fn order(&self) -> Vec<usize> {
        let mut v: Vec<usize> = (0..self.parts.len())
            .filter(|&i| self.parts[i].len() > 0)
            .collect();
        v.sort_by_key(|&i| (std::cmp::Reverse(self.parts[i].len()), i));
        v
    }

    /// Mentions in all partitions.
    pub(crate) fn len(&self) -> usize {
        self.parts.iter().map(Part::len).sum()
    }

    /// Takes partition `i` out: what was written to disk, then what is in
    /// memory, with one feature arena for all of them. `doc_start` is the
    /// canonical index of each document's first mention, by scan position.
    pub(crate) fn take(&mut self, i: usize, doc_start: &[u32]) -> Result<Loaded, E> {
        let part = &mut self.parts[i];
        let (category, on_disk) = (part.category, part.on_disk);
        let mem_ms = std::mem::take(&mut part.ms);
        let mem_k = std::mem::take(&mut part.k);
        let mem_feat = std::mem::take(&mut part.feat);
        let file = part.file.take();
        let n = on_disk + mem_ms.len();
        let mut out = Loaded {
            ms: Vec::with_capacity(n),
            gi: Vec::with_capacity(n),
            feat: Vec::with_capacity((part.words_on_disk + mem_feat.len()).min(ARENA_MAX)),
        };
        if let (Some(mut f), Some(spill)) = (file, self.spill) {
            read_back(
                &mut f.file,
                on_disk,
                category,
                doc_start,
                &mut out,
                &mut self.warned_full,
            )
            .map_err(spill.error)?;
        }
        for (mut m, k) in mem_ms.into_iter().zip(mem_k) {
            let s = m.feat as usize;
            let n = m.n_feat();
            add_words(
                &mut out.feat,
                &mut m,
                &mem_feat[s..s + n],
                &mut self.warned_full,
            );
            out.gi.push(doc_start[m.doc as usize] + k);
            out.ms.push(m);
        }
        Ok(out)
    }
}

/// Appends a summary's words to `arena` and points it there, or drops them
/// when the arena is full.
fn add_words(arena: &mut Vec<u32>, m: &mut M, words: &[u32], warned: &mut bool) {
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

fn plover_index(p: Plover) -> usize {
    Plover::ALL.iter().position(|&q| q == p).unwrap_or(0)
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
        tprec_code(m.tprec),
        gprec_code(m.gprec),
        m.flags,
    ]);
    let s = m.feat as usize;
    for w in &arena[s..s + m.n_feat()] {
        out.extend_from_slice(&w.to_le_bytes());
    }
}

/// Reads `n` records of `category` back from the start of `file`.
fn read_back(
    file: &mut File,
    n: usize,
    category: Plover,
    doc_start: &[u32],
    out: &mut Loaded,
    warned: &mut bool,
) -> std::io::Result<()> {
    file.seek(SeekFrom::Start(0))?;
    let mut r = BufReader::with_capacity(1 << 20, file);
    let mut fixed = [0u8; FIXED];
    let mut words: Vec<u32> = Vec::new();
    let mut raw: Vec<u8> = Vec::new();
    for _ in 0..n {
        r.read_exact(&mut fixed)?;
        let (mut m, k) = decode(&fixed, category)?;
        let Some(&start) = doc_start.get(m.doc as usize) else {
            return Err(damaged());
        };
        raw.resize(4 * m.n_feat(), 0);
        r.read_exact(&mut raw)?;
        words.clear();
        words.extend(
            raw.chunks_exact(4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        );
        add_words(&mut out.feat, &mut m, &words, warned);
        out.gi.push(start + k);
        out.ms.push(m);
    }
    Ok(())
}

pub(crate) fn decode(b: &[u8; FIXED], category: Plover) -> std::io::Result<(M, u32)> {
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
    let t = take(5);
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
        tprec: tprec_of(t[2]).ok_or_else(damaged)?,
        gprec: gprec_of(t[3]).ok_or_else(damaged)?,
        flags: t[4],
    };
    Ok((m, k))
}

fn damaged() -> std::io::Error {
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

/// A temporary file in the spill folder, removed when dropped (under Unix
/// at once: the open handle keeps it, and a killed process leaves nothing
/// behind).
struct SpillFile {
    file: File,
    /// Still to remove on drop (not under Unix).
    path: Option<PathBuf>,
}

impl SpillFile {
    fn create(dir: &std::path::Path) -> std::io::Result<SpillFile> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let path = dir.join(format!(
            ".sitrep-resolve-{}-{}.tmp",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!(
                        "cannot create resolution spill file {}: {e}",
                        path.display()
                    ),
                )
            })?;
        let keep = !cfg!(unix) || std::fs::remove_file(&path).is_err();
        Ok(SpillFile {
            file,
            path: keep.then_some(path),
        })
    }
}

impl Drop for SpillFile {
    fn drop(&mut self) {
        if let Some(p) = &self.path {
            let _ = std::fs::remove_file(p);
        }
    }
}
