//! Reader and dedup throughput. Ignored by default (it writes ~100 MB);
//! run with:
//!
//! ```text
//! cargo test --release -p sitrep-ingest --test read_bench -- --ignored --nocapture
//! ```

use std::fs;
use std::io::Write;
use std::time::Instant;

use sitrep_ingest::dedup::{DupIndex, Signature};
use sitrep_ingest::{discover, read_file};

const ARTICLES: usize = 10_000;

/// This thread's CPU time in seconds (Linux), so numbers stay meaningful
/// on a shared, overloaded machine; wall time is printed beside it.
fn cpu_secs() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e9)
}

/// A ~5 KB article, different for every `i`: sentences of words drawn
/// from a 4,000-word pseudo-vocabulary with a Zipf-like skew, so that, as in
/// real news, common words repeat but 5-word runs rarely do. Every 100th
/// article is a re-post of the one before it with a syndication header.
fn article(i: usize) -> String {
    if i % 100 == 99 {
        return format!("First appeared at Valley Monitor.\n\n{}", article(i - 1));
    }
    const SYL: [&str; 16] = [
        "ka", "ra", "mi", "to", "sal", "den", "hu", "bar", "el", "qa", "zun", "fi", "no", "tar",
        "li", "mo",
    ];
    let mut s = String::with_capacity(5200);
    let mut k = i as u64 * 0x9E37_79B9 + 1;
    let mut words = 0;
    while s.len() < 5000 {
        k = k
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let r = (k >> 33) as usize;
        // Zipf-like: small ids far more often.
        let id = (r % 4000) * (r % 4000) / 4000;
        let word: String = [id % 16, (id / 16) % 16, id / 256]
            .iter()
            .map(|&x| SYL[x % 16])
            .collect();
        s.push_str(&word);
        words += 1;
        s.push_str(if words % 18 == 0 { ". " } else { " " });
    }
    s
}

#[test]
#[ignore = "benchmark: run with --release -- --ignored --nocapture"]
fn reader_and_dedup_throughput() {
    let dir = std::env::temp_dir().join(format!("sitrep-read-bench-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("txt")).unwrap();

    let jsonl = dir.join("corpus.jsonl");
    let mut f = std::io::BufWriter::new(fs::File::create(&jsonl).unwrap());
    for i in 0..ARTICLES {
        let line = serde_json::json!({"id": format!("a{i}"), "outlet": "Valley Monitor", "text": article(i)});
        writeln!(f, "{line}").unwrap();
        fs::write(dir.join("txt").join(format!("{i:05}.txt")), article(i)).unwrap();
    }
    drop(f);

    let bytes = fs::metadata(&jsonl).unwrap().len() as f64;
    let (t, c) = (Instant::now(), cpu_secs());
    let items = read_file(&jsonl).unwrap();
    let (wall, secs) = (t.elapsed().as_secs_f64(), cpu_secs() - c);
    assert_eq!(items.iter().filter(|i| i.is_ok()).count(), ARTICLES);
    println!(
        "JSONL: {ARTICLES} articles, {:.1} MB in {secs:.3} s CPU ({wall:.3} s wall) = {:.0} MB/s, {:.0} articles/s",
        bytes / 1e6,
        bytes / 1e6 / secs,
        ARTICLES as f64 / secs
    );

    let (t, c) = (Instant::now(), cpu_secs());
    let (files, errors) = discover(&[dir.join("txt")]);
    assert!(errors.is_empty());
    let mut total = 0u64;
    for f in &files {
        let items = read_file(f).unwrap();
        total += items.len() as u64;
    }
    let (wall, secs) = (t.elapsed().as_secs_f64(), cpu_secs() - c);
    let bytes: u64 = files.iter().map(|f| fs::metadata(f).unwrap().len()).sum();
    assert_eq!(total as usize, ARTICLES);
    println!(
        ".txt folder: {ARTICLES} files, {:.1} MB in {secs:.3} s CPU ({wall:.3} s wall) = {:.0} MB/s, {:.0} files/s (discover + read)",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / secs,
        ARTICLES as f64 / secs
    );

    let texts: Vec<String> = (0..ARTICLES).map(article).collect();
    let (t, c) = (Instant::now(), cpu_secs());
    let sigs: Vec<Signature> = texts.iter().map(|t| Signature::of(t)).collect();
    let per = (cpu_secs() - c) / ARTICLES as f64;
    let per_wall = t.elapsed().as_secs_f64() / ARTICLES as f64;
    let avg_len = texts.iter().map(String::len).sum::<usize>() / ARTICLES;
    println!(
        "Signature::of: {:.1} µs CPU ({:.1} µs wall) per {avg_len}-byte article",
        per * 1e6,
        per_wall * 1e6
    );

    let mut idx = DupIndex::new();
    let (t, c) = (Instant::now(), cpu_secs());
    let mut dups = 0;
    for (i, sig) in sigs.into_iter().enumerate() {
        if idx.find(&sig).expect("an index in memory").is_some() {
            dups += 1;
        }
        idx.insert(&format!("a{i}"), sig)
            .expect("an index in memory");
    }
    let per = (cpu_secs() - c) / ARTICLES as f64;
    let per_wall = t.elapsed().as_secs_f64() / ARTICLES as f64;
    println!(
        "DupIndex find+insert: {:.1} µs CPU ({:.1} µs wall) per article over {ARTICLES} ({dups} of {} re-posts flagged)",
        per * 1e6,
        per_wall * 1e6,
        ARTICLES / 100
    );
    assert_eq!(dups, ARTICLES / 100);
    let _ = fs::remove_dir_all(dir);
}
