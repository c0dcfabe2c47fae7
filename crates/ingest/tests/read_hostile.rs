//! Hostile inputs: each is a clear per-file (or per-record) error, never a
//! panic, never unbounded memory.

use std::fs::{self, File};
use std::io::{Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use sitrep_ingest::{discover, read_file, Body};

fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sitrep-read-{}-{test}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

const BIG: u64 = 200 << 20;

#[test]
fn binary_files() {
    let dir = scratch("binary");
    let png = dir.join("photo.txt");
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend((0..4000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    fs::write(&png, &bytes).unwrap();
    let err = read_file(&png).unwrap_err().to_string();
    assert!(err.contains("binary file (PNG image), not text"), "{err}");

    let blob = dir.join("data.html");
    let mut bytes = b"<html>".to_vec();
    bytes.extend([0u8, 1, 2, 3, 0, 0, 7, 8].repeat(100));
    fs::write(&blob, &bytes).unwrap();
    assert!(read_file(&blob)
        .unwrap_err()
        .to_string()
        .ends_with("binary file, not text"));

    let jsonl = dir.join("dump.jsonl");
    fs::write(&jsonl, [0x00u8, 0x13, 0x02, 0xff, 0x10].repeat(300)).unwrap();
    assert!(read_file(&jsonl)
        .unwrap_err()
        .to_string()
        .contains("binary file"));
    let _ = fs::remove_dir_all(dir);
}

/// A 200 MB sparse file: rejected from its size alone, without reading.
#[test]
fn huge_article_file_rejected_quickly() {
    let dir = scratch("huge-txt");
    for name in ["huge.txt", "huge.html"] {
        let path = dir.join(name);
        let f = File::create(&path).unwrap();
        f.set_len(BIG).unwrap();
        let t = Instant::now();
        let err = read_file(&path).unwrap_err().to_string();
        assert!(
            err.ends_with("file is 200 MiB; an article file must be under 32 MiB"),
            "{err}"
        );
        assert!(
            t.elapsed() < Duration::from_millis(200),
            "took {:?}",
            t.elapsed()
        );
    }
    let _ = fs::remove_dir_all(dir);
}

/// A 200 MB JSON Lines file whose first line is ~200 MB: the line is
/// skipped with an error while streaming, the lines after it are kept.
#[test]
fn huge_jsonl_is_streamed() {
    let dir = scratch("huge-jsonl");
    let path = dir.join("big.jsonl");
    let mut f = File::create(&path).unwrap();
    f.write_all(b"{\"text\": \"").unwrap();
    let words = b"convoy checkpoint shelling crossing ".repeat(300);
    f.write_all(&words).unwrap();
    // The hole reads back as zero bytes: part of the same (huge) line.
    f.seek(SeekFrom::Start(BIG)).unwrap();
    f.write_all(b"\"}\n{\"text\": \"After the huge line, a normal article.\"}\n")
        .unwrap();
    drop(f);
    let t = Instant::now();
    let items = read_file(&path).unwrap();
    assert_eq!(items.len(), 2, "{items:?}");
    let err = items[0].as_ref().unwrap_err().to_string();
    assert!(
        err.contains(":line 1: record is 200 MiB; a record must be under 32 MiB"),
        "{err}"
    );
    assert!(
        matches!(&items[1].as_ref().unwrap().body, Body::Text(t) if t.starts_with("After the huge line"))
    );
    println!("200 MB JSONL streamed in {:?}", t.elapsed());
    // Peak memory of the whole test process stays far below the file size.
    if let Ok(status) = fs::read_to_string("/proc/self/status") {
        let peak_kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0);
        println!("peak RSS {} MiB", peak_kb >> 10);
        assert!(peak_kb < 150 << 10, "peak RSS {peak_kb} kB");
    }
    let _ = fs::remove_dir_all(dir);
}

#[test]
fn empty_files() {
    let dir = scratch("empty");
    for name in ["a.txt", "b.jsonl", "c.json", "d.xml", "e.warc", "f.html"] {
        let path = dir.join(name);
        fs::write(&path, "").unwrap();
        assert!(
            read_file(&path)
                .unwrap_err()
                .to_string()
                .ends_with(": empty file"),
            "{name}"
        );
    }
    let blank = dir.join("blank.txt");
    fs::write(&blank, "\n  \n\t\n").unwrap();
    assert!(read_file(&blank)
        .unwrap_err()
        .to_string()
        .contains("empty file (only whitespace)"));
    let blank_lines = dir.join("blank.jsonl");
    fs::write(&blank_lines, "\n\n").unwrap();
    assert!(read_file(&blank_lines)
        .unwrap_err()
        .to_string()
        .contains("empty file"));
    let empty_gz = dir.join("nothing.txt.gz");
    fs::write(
        &empty_gz,
        flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast())
            .finish()
            .unwrap(),
    )
    .unwrap();
    assert!(read_file(&empty_gz)
        .unwrap_err()
        .to_string()
        .contains("empty file"));
    let _ = fs::remove_dir_all(dir);
}

#[test]
fn invalid_utf8_is_decoded_not_rejected() {
    let dir = scratch("bad-utf8");
    let path = dir.join("damaged.txt");
    let mut bytes =
        "Sources in Dar\u{2019}a said the curfew \u{2014} imposed on Monday \u{2014} was lifted."
            .as_bytes()
            .to_vec();
    bytes.extend_from_slice(b" Stray bytes: \xC3\x28 \xFF end.");
    fs::write(&path, &bytes).unwrap();
    let items = read_file(&path).unwrap();
    let Ok(item) = &items[0] else { panic!("kept") };
    let Body::Text(t) = &item.body else {
        panic!("text")
    };
    assert!(t.contains("Dar\u{2019}a") && t.contains('\u{fffd}') && t.ends_with("end."));

    // JSON Lines with a damaged byte inside a string: the line is kept.
    let jl = dir.join("damaged.jsonl");
    fs::write(&jl, b"{\"text\": \"Homs \xFF market\"}\n").unwrap();
    assert!(read_file(&jl).unwrap()[0].is_ok());
    let _ = fs::remove_dir_all(dir);
}

#[test]
fn non_json_lines_and_truncated_json() {
    let dir = scratch("nonjson");
    let path = dir.join("mixed.jsonl");
    fs::write(
        &path,
        "{\"text\": \"First article.\"}\n<html>oops</html>\n{\"text\": \"unterminated\n{\"text\": \"Last article.\"}",
    )
    .unwrap();
    let items = read_file(&path).unwrap();
    let p = path.display().to_string();
    assert_eq!(items.len(), 4);
    assert!(items[0].is_ok() && items[3].is_ok());
    assert!(items[1]
        .as_ref()
        .unwrap_err()
        .to_string()
        .starts_with(&format!("{p}:line 2: not JSON")));
    assert!(items[2]
        .as_ref()
        .unwrap_err()
        .to_string()
        .starts_with(&format!("{p}:line 3: not JSON")));
    let _ = fs::remove_dir_all(dir);
}

#[test]
fn deeply_nested_html_reads_fine() {
    let dir = scratch("nested");
    let path = dir.join("nested.html");
    let mut html = String::from("<html><body>");
    html.push_str(&"<div>".repeat(100_000));
    html.push_str("<p>Deep text.</p>");
    html.push_str(&"</div>".repeat(100_000));
    html.push_str("</body></html>");
    fs::write(&path, &html).unwrap();
    let items = read_file(&path).unwrap();
    assert!(matches!(&items[0].as_ref().unwrap().body, Body::Html(h) if h.len() == html.len()));

    // The same depth inside a feed item and in a JSON array.
    let feed = dir.join("deep.rss");
    let deep = format!("<rss><channel><item><title>t</title><description>{}x{}</description></item></channel></rss>",
        "<b>".repeat(50_000), "</b>".repeat(50_000));
    fs::write(&feed, deep).unwrap();
    assert!(read_file(&feed).is_ok());
    let json = dir.join("deep.json");
    fs::write(
        &json,
        format!("[{}{}]", "[".repeat(100_000), "]".repeat(100_000)),
    )
    .unwrap();
    let items = read_file(&json).unwrap();
    assert!(
        items[0]
            .as_ref()
            .unwrap_err()
            .to_string()
            .contains("expected a JSON object")
            || items[0]
                .as_ref()
                .unwrap_err()
                .to_string()
                .contains("not JSON")
    );
    let _ = fs::remove_dir_all(dir);
}

#[test]
fn truncated_gzip_single_file() {
    let dir = scratch("gz-cut");
    let path = dir.join("story.html.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    for i in 0..200 {
        write!(
            gz,
            "<p>Paragraph {i} of a long report on the ceasefire talks in the capital.</p>"
        )
        .unwrap();
    }
    let bytes = gz.finish().unwrap();
    fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let err = read_file(&path).unwrap_err().to_string();
    assert!(err.contains("truncated or corrupt gzip"), "{err}");
    let _ = fs::remove_dir_all(dir);
}

/// A folder mixing good and hostile files: each bad one fails alone.
#[test]
fn folder_with_hostile_files() {
    let dir = scratch("mixed-folder");
    fs::write(
        dir.join("good.txt"),
        "Residents said the market reopened on Saturday.",
    )
    .unwrap();
    fs::write(dir.join("empty.txt"), "").unwrap();
    fs::write(dir.join("bin.html"), [0u8; 64]).unwrap();
    fs::write(dir.join("lines.jsonl"), "{\"text\": \"ok\"}\nnot json\n").unwrap();
    let (files, errors) = discover(std::slice::from_ref(&dir));
    assert!(errors.is_empty());
    let mut ok = 0;
    let mut bad = Vec::new();
    for f in &files {
        match read_file(f) {
            Ok(items) => {
                for it in items {
                    match it {
                        Ok(_) => ok += 1,
                        Err(e) => bad.push(e.to_string()),
                    }
                }
            }
            Err(e) => bad.push(e.to_string()),
        }
    }
    assert_eq!(ok, 2);
    assert_eq!(bad.len(), 3, "{bad:?}");
    let _ = fs::remove_dir_all(dir);
}
