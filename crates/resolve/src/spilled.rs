//! Clustering a partition that the scan wrote to disk, without holding it.
//!
//! On millions of mentions one category (strikes, on our synthetic corpus)
//! is about half of them, and holding its summaries and feature words to
//! cluster it was resolution's memory peak: over 600 MB at a million
//! articles. Clustering does not need them all at once:
//!
//! - the anchor step (see [`crate::cluster`]) compares anchors a week at a
//!   time, and a week's anchors begin in it or in the three weeks before
//!   it; so anchors are written to a scratch file grouped by first week, and
//!   read back four weeks at a time;
//! - the within-document step reads only non-anchors, which are few (most
//!   reports are dated and placed): they stay in memory;
//! - the attach step reads the events non-anchors could join: its indexes
//!   are made in two passes over the anchors (count, then place), and of
//!   those events only the members it compares are read back, with the
//!   earliest day of the rest.
//!
//! What stays is the union-find (4 bytes a mention), the merged clusters'
//! summaries, each mention's canonical index (4 bytes), four weeks of
//! anchors twice over at most (the weeks read and the copy of those active
//! in the week being compared), and for the attach step its indexes (an
//! entry per anchor under a key some non-anchor looks up) and the events
//! it could join (at most [`crate::MAX_COMPARE`] members each, the rest
//! summed up as their earliest day). A corpus whose reports all fall in a
//! few weeks (a day of world news) holds all its anchors in those four
//! weeks, as much as clustering in memory does. The result is that of
//! [`crate::cluster`] on the whole partition: the tests compare them. One
//! difference is out of reach: past 2^32 feature words held at once
//! (about 450 million mentions), both drop words, but not of the same
//! mentions.

use std::collections::VecDeque;
use std::path::Path;

use sitrep_model::scratch::ScratchFile;

use crate::parts::{self, Canon, Parts, FIXED};
use crate::{
    anchor_week, attach, block_weeks, first_week, group_within_documents, weeks, AttachIndex,
    Clusters, IntMap, Joinable, Phases, View, M,
};

/// What takes each anchor (index, summary).
type Anchor<'m> = dyn FnMut(usize, &M) + 'm;

/// Bytes of write buffers for the week groups, over all weeks: each week's
/// records are gathered and written at the week's place in the file.
const WRITE_BUFFERS: usize = 16 << 20;

/// Summaries with their indices and one feature arena, in index order.
#[derive(Default)]
struct Held {
    ix: Vec<u32>,
    ms: Vec<M>,
    feat: Vec<u32>,
    /// Words were dropped: the arena was full (warned once).
    full: bool,
}

impl Held {
    fn push(&mut self, i: u32, mut m: M, words: &[u32]) {
        parts::add_words(&mut self.feat, &mut m, words, &mut self.full);
        self.ix.push(i);
        self.ms.push(m);
    }
    /// Puts the summaries in index order, in place (the view of the
    /// attach step can be a good share of a partition).
    fn sort(&mut self) -> std::io::Result<()> {
        if parts::in_canonical_order(&mut self.ms, &mut self.ix) {
            Ok(())
        } else {
            Err(parts::damaged())
        }
    }
    fn view(&self) -> View<'_> {
        View {
            ix: Some(&self.ix),
            ms: &self.ms,
            feat: &self.feat,
        }
    }
}

/// The anchors grouped by first week in a scratch file: each week's
/// records at `(first week, offset, bytes)`, weeks in order.
struct Weeks {
    file: ScratchFile,
    at: Vec<(i32, u64, u64)>,
}

impl Weeks {
    /// One week's anchors, in index order if `sort`; indices checked
    /// against `n`.
    fn read(&self, k: usize, n: usize, sort: bool) -> std::io::Result<Held> {
        let (_, start, len) = self.at[k];
        let mut bytes = vec![0u8; usize::try_from(len).map_err(|_| parts::damaged())?];
        self.file.read_exact_at(&mut bytes, start)?;
        let mut r: &[u8] = &bytes;
        let mut held = Held::default();
        let (mut raw, mut words) = (Vec::new(), Vec::new());
        while !r.is_empty() {
            let fixed: &[u8; FIXED] = r
                .get(..FIXED)
                .and_then(|b| b.try_into().ok())
                .ok_or_else(parts::damaged)?;
            r = &r[FIXED..];
            let (m, i) = parts::decode(fixed)?;
            if i as usize >= n {
                return Err(parts::damaged());
            }
            parts::read_words(&mut r, m.n_feat(), &mut raw, &mut words)?;
            held.push(i, m, &words);
        }
        if sort {
            held.sort()?;
        }
        Ok(held)
    }
    /// [`Weeks::each`] as the anchor feed [`AttachIndex::build`] and
    /// [`Joinable::of`] take: a read error is kept in `failed` (the first
    /// one; later calls then read nothing).
    fn feed<'a>(
        &'a self,
        n: usize,
        failed: &'a mut Option<std::io::Error>,
    ) -> impl FnMut(&mut Anchor) + 'a {
        move |f| {
            if failed.is_none() {
                if let Err(e) = self.each(n, |i, m, _| f(i, m)) {
                    *failed = Some(e);
                }
            }
        }
    }
    /// Calls `f` with every anchor (index, summary, its words' arena).
    fn each(&self, n: usize, mut f: impl FnMut(usize, &M, &[u32])) -> std::io::Result<()> {
        for k in 0..self.at.len() {
            let w = self.read(k, n, false)?;
            for (&i, m) in w.ix.iter().zip(&w.ms) {
                f(i as usize, m, &w.feat);
            }
        }
        Ok(())
    }
}

/// Clusters partition `part` of `parts`, all `n` of its mentions on disk,
/// as [`crate::cluster`] would once it was read back: each mention's root
/// and canonical index, in canonical order. `fix` renumbers a summary's
/// names and notes what resolution keeps of it (given its canonical
/// index); it is called on every summary read from the spill, once per
/// pass. Scratch files go in `dir`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn cluster<E>(
    parts: &mut Parts<'_, E>,
    part: usize,
    n: usize,
    canon: &Canon,
    dir: &Path,
    fix: &mut dyn FnMut(&mut M, u32),
    non_anchors: &[u32],
    phases: &mut Phases,
) -> std::io::Result<(Vec<u32>, Vec<u32>)> {
    let t = std::time::Instant::now();
    // 1. Canonical indices, each first week's bytes, and the non-anchors.
    let mut gi: Vec<u32> = Vec::with_capacity(n);
    let mut week_bytes: IntMap<i32, u64> = IntMap::default();
    let mut lone = Held::default();
    parts.each_on_disk(part, canon, |mut m, g, words| {
        fix(&mut m, g);
        gi.push(g);
        phases.feature_words += words.len();
        if m.is_anchor() {
            *week_bytes.entry(first_week(&m)).or_default() += (FIXED + 4 * words.len()) as u64;
        } else {
            // Its index in the partition is known once all are read.
            lone.push(g, m, words);
        }
    })?;
    gi.sort_unstable();
    if gi.len() != n || gi.windows(2).any(|w| w[0] == w[1]) {
        return Err(parts::damaged());
    }
    let index_of = |g: u32| gi.binary_search(&g).map_err(|_| parts::damaged());
    for i in &mut lone.ix {
        *i = index_of(*i)? as u32;
    }
    lone.sort()?;
    phases.anchor_mentions += n - lone.ms.len();

    // 2. Anchors written out grouped by first week.
    let weeks_on_disk = write_weeks(parts, part, canon, dir, fix, &week_bytes, &index_of)?;
    drop(week_bytes);

    // 3. The anchor step, four weeks of anchors in memory at a time.
    let mut cl = Clusters::new(n);
    let first_weeks: Vec<i32> = weeks_on_disk.at.iter().map(|w| w.0).collect();
    let mut open: VecDeque<(i32, Held)> = VecDeque::new();
    let mut next = 0;
    let mut window = Held::default();
    let (mut active, mut most) = (Vec::new(), 0usize);
    for w in block_weeks(&first_weeks) {
        while next < first_weeks.len() && first_weeks[next] <= w {
            open.push_back((first_weeks[next], weeks_on_disk.read(next, n, true)?));
            next += 1;
        }
        while open.front().is_some_and(|o| o.0 < w.saturating_sub(3)) {
            open.pop_front();
        }
        // The anchors whose weeks include `w`, in the order of
        // [`crate::cluster`]'s: by first week, then index.
        window.ix.clear();
        window.ms.clear();
        window.feat.clear();
        for (_, held) in &open {
            for (&i, m) in held.ix.iter().zip(&held.ms) {
                if weeks(m).any(|x| x == w) {
                    let s = m.feat as usize;
                    window.push(i, *m, &held.feat[s..s + m.n_feat()]);
                }
            }
        }
        most = most.max(open.iter().map(|o| o.1.ms.len()).sum());
        if window.ms.is_empty() {
            continue;
        }
        active.clear();
        active.extend(0..window.ms.len() as u32);
        let ix = &window.ix;
        anchor_week(
            w,
            &active,
            &window.ms,
            &window.feat,
            &|s| ix[s as usize],
            &mut cl,
        );
    }
    drop((open, window, active));
    phases.anchors += t.elapsed();

    // 4. Non-anchors within their documents.
    let t = std::time::Instant::now();
    group_within_documents(&lone.view(), &gi, non_anchors, &mut cl);
    phases.grouped += t.elapsed();

    // 5. The attach step, with the members of the events non-anchors could
    // join read back.
    let t = std::time::Instant::now();
    let mut failed = None;
    let (index, complete) = AttachIndex::build(&lone.view(), weeks_on_disk.feed(n, &mut failed));
    if let Some(e) = failed {
        return Err(e);
    }
    if !complete {
        return Err(parts::damaged());
    }
    let marked = index.marked(&lone.view(), &mut cl);
    let members = Joinable::of(&marked, &mut cl, weeks_on_disk.feed(n, &mut failed));
    if let Some(e) = failed {
        return Err(e);
    }
    drop(marked);
    // Only the members the attach step compares are read back.
    let mut compared = vec![0u64; n.div_ceil(64)];
    for i in members.values().flat_map(|e| &e.head) {
        compared[*i as usize / 64] |= 1u64 << (i % 64);
    }
    // Sized at once: growing it would hold two copies for a moment, at
    // what is already resolution's peak.
    let wanted: usize = compared.iter().map(|w| w.count_ones() as usize).sum();
    let mut view = Held {
        ix: Vec::with_capacity(wanted + lone.ix.len()),
        ms: Vec::with_capacity(wanted + lone.ms.len()),
        ..Held::default()
    };
    weeks_on_disk.each(n, |i, m, feat| {
        if compared[i / 64] & (1u64 << (i % 64)) != 0 {
            let s = m.feat as usize;
            view.push(i as u32, *m, &feat[s..s + m.n_feat()]);
        }
    })?;
    let read_back = view.ms.len();
    // The two passes read the same anchors: every compared member is held.
    if read_back != wanted {
        return Err(parts::damaged());
    }
    drop(compared);
    for (&i, m) in lone.ix.iter().zip(&lone.ms) {
        let s = m.feat as usize;
        view.push(i, *m, &lone.feat[s..s + m.n_feat()]);
    }
    drop(lone);
    view.sort()?;
    attach(&view.view(), &index, members, &mut cl);
    phases.attach += t.elapsed();
    phases.merged += cl.merged.len();
    tracing::debug!(
        mentions = n,
        most_anchors_held = most,
        attach_read_back = read_back,
        "clustered from disk"
    );
    drop((view, index, weeks_on_disk));
    parts.release(part);
    Ok((cl.into_roots(), gi))
}

/// Pass 2: writes each anchor, with its index in the partition in place of
/// its place in its document, at its first week's place in a new scratch
/// file.
fn write_weeks<E>(
    parts: &mut Parts<'_, E>,
    part: usize,
    canon: &Canon,
    dir: &Path,
    fix: &mut dyn FnMut(&mut M, u32),
    week_bytes: &IntMap<i32, u64>,
    index_of: &dyn Fn(u32) -> std::io::Result<usize>,
) -> std::io::Result<Weeks> {
    let file = ScratchFile::create(dir, "resolution weeks")?;
    let mut order: Vec<(i32, u64)> = week_bytes.iter().map(|(&w, &b)| (w, b)).collect();
    order.sort_unstable();
    let mut at = Vec::with_capacity(order.len());
    // Per week: where its next bytes go, where it ends, and its buffer.
    let mut out: IntMap<i32, (u64, u64, Vec<u8>)> = IntMap::default();
    let mut offset = 0u64;
    for &(w, bytes) in &order {
        at.push((w, offset, bytes));
        out.insert(w, (offset, offset + bytes, Vec::new()));
        offset += bytes;
    }
    let cap = (WRITE_BUFFERS / order.len().max(1)).clamp(4 << 10, 256 << 10);
    let mut failed: Option<std::io::Error> = None;
    let write = |buf: &mut Vec<u8>, pos: &mut u64, end: u64| -> std::io::Result<()> {
        if *pos + buf.len() as u64 > end {
            return Err(parts::damaged());
        }
        file.write_all_at(buf, *pos)?;
        *pos += buf.len() as u64;
        buf.clear();
        Ok(())
    };
    parts.each_on_disk(part, canon, |mut m, g, words| {
        fix(&mut m, g);
        if failed.is_some() || !m.is_anchor() {
            return;
        }
        let done = index_of(g).and_then(|i| {
            let (pos, end, buf) = out.get_mut(&first_week(&m)).ok_or_else(parts::damaged)?;
            m.feat = 0;
            parts::encode(&m, i as u32, words, buf);
            if buf.len() >= cap {
                write(buf, pos, *end)?;
            }
            Ok(())
        });
        if let Err(e) = done {
            failed = Some(e);
        }
    })?;
    if let Some(e) = failed {
        return Err(e);
    }
    for (_, (pos, end, buf)) in out.iter_mut() {
        write(buf, pos, *end)?;
        // Every week filled exactly: the two passes read the same records.
        if *pos != *end {
            return Err(parts::damaged());
        }
    }
    Ok(Weeks { file, at })
}
