//! WARC and .warc.gz archives, built at test time: response and resource
//! records, non-HTML and non-200 records skipped, charsets, chunked and
//! gzip-encoded bodies, truncated records and truncated gzip.

use std::fs;
use std::io::Write;
use std::path::PathBuf;

use sitrep_ingest::{read_file, Body};

fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sitrep-read-{}-{test}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

fn record(kind: &str, uri: &str, content_type: &str, block: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{:08x}-0000-4000-8000-000000000000>\r\n\
         WARC-Date: 2024-03-12T08:00:00Z\r\nWARC-Target-URI: {uri}\r\nContent-Type: {content_type}\r\n\
         Content-Length: {}\r\n\r\n",
        uri.len(),
        block.len()
    )
    .into_bytes();
    r.extend_from_slice(block);
    r.extend_from_slice(b"\r\n\r\n");
    r
}

fn response(uri: &str, status: &str, headers: &str, body: &[u8]) -> Vec<u8> {
    let mut http = format!(
        "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    http.extend_from_slice(body);
    record("response", uri, "application/http; msgtype=response", &http)
}

fn page(title: &str, para: &str) -> String {
    format!("<!DOCTYPE html><html><head><title>{title}</title></head><body><article><p>{para}</p></article></body></html>")
}

/// A small crawl: warcinfo, request, a page, a redirect, an image, a
/// windows-1256 page, a chunked+gzipped page and a resource record.
fn crawl() -> Vec<Vec<u8>> {
    let arabic = "\u{648}\u{635}\u{644}\u{62a} \u{642}\u{627}\u{641}\u{644}\u{629} \u{627}\u{644}\u{645}\u{633}\u{627}\u{639}\u{62f}\u{627}\u{62a}";
    let cp1256 = encoding_rs::WINDOWS_1256
        .encode(&page("x", arabic))
        .0
        .into_owned();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(
        page(
            "Checkpoint",
            "The checkpoint on the coast road reopened at noon.",
        )
        .as_bytes(),
    )
    .unwrap();
    let gz = gz.finish().unwrap();
    let mut chunked = format!("{:x}\r\n", 10).into_bytes();
    chunked.extend_from_slice(&gz[..10]);
    chunked.extend_from_slice(format!("\r\n{:x}\r\n", gz.len() - 10).as_bytes());
    chunked.extend_from_slice(&gz[10..]);
    chunked.extend_from_slice(b"\r\n0\r\n\r\n");
    vec![
        record(
            "warcinfo",
            "",
            "application/warc-fields",
            b"software: test-writer\r\nformat: WARC 1.1\r\n",
        ),
        record(
            "request",
            "https://valley.example/a",
            "application/http; msgtype=request",
            b"GET /a HTTP/1.1\r\nHost: valley.example\r\n\r\n",
        ),
        response(
            "https://valley.example/a",
            "200 OK",
            "Content-Type: text/html; charset=utf-8\r\n",
            page(
                "Bridge",
                "Engineers inspected the damaged bridge on Wednesday.",
            )
            .as_bytes(),
        ),
        response(
            "https://valley.example/old",
            "301 Moved Permanently",
            "Location: /a\r\nContent-Type: text/html\r\n",
            b"<a href=/a>moved</a>",
        ),
        response(
            "https://valley.example/logo.png",
            "200 OK",
            "Content-Type: image/png\r\n",
            b"\x89PNG\r\n\x1a\n\0\0\0binary",
        ),
        response(
            "https://valley.example/ar",
            "200 OK",
            "Content-Type: text/html; charset=windows-1256\r\n",
            &cp1256,
        ),
        response(
            "https://valley.example/coast",
            "200 OK",
            "Content-Type: text/html\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n",
            &chunked,
        ),
        record(
            "resource",
            "file:///archive/notice.html",
            "text/html",
            page("Notice", "Office hours changed.").as_bytes(),
        ),
    ]
}

fn check_crawl(items: &[Result<sitrep_ingest::RawItem, sitrep_ingest::IngestError>], p: &str) {
    let ok: Vec<_> = items
        .iter()
        .map(|i| i.as_ref().expect("all pages readable"))
        .collect();
    let urls: Vec<_> = ok.iter().map(|i| i.url.as_deref().unwrap()).collect();
    assert_eq!(
        urls,
        [
            "https://valley.example/a",
            "https://valley.example/ar",
            "https://valley.example/coast",
            "file:///archive/notice.html"
        ]
    );
    assert_eq!(ok[0].source, format!("{p}#3"));
    let html = |i: usize| match &ok[i].body {
        Body::Html(h) => h.clone(),
        Body::Text(_) => panic!("expected HTML"),
    };
    assert!(html(0).contains("damaged bridge"));
    assert!(
        html(1).contains("\u{648}\u{635}\u{644}\u{62a} \u{642}\u{627}\u{641}\u{644}\u{629}"),
        "HTTP charset honoured"
    );
    assert!(
        html(2).contains("coast road reopened"),
        "dechunked and gunzipped"
    );
    assert!(html(3).contains("Office hours"));
}

#[test]
fn plain_warc() {
    let dir = scratch("warc-plain");
    let path = dir.join("crawl.warc");
    fs::write(&path, crawl().concat()).unwrap();
    check_crawl(&read_file(&path).unwrap(), &path.display().to_string());
    let _ = fs::remove_dir_all(dir);
}

#[test]
fn gzip_warc_one_member_per_record() {
    let dir = scratch("warc-gz");
    let path = dir.join("crawl.warc.gz");
    let mut bytes = Vec::new();
    for rec in crawl() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&rec).unwrap();
        bytes.extend(gz.finish().unwrap());
    }
    fs::write(&path, &bytes).unwrap();
    check_crawl(&read_file(&path).unwrap(), &path.display().to_string());
    let _ = fs::remove_dir_all(dir);
}

#[test]
fn truncated_gzip_keeps_complete_records() {
    let dir = scratch("warc-trunc-gz");
    let path = dir.join("cut.warc.gz");
    // One gzip stream for the whole file, cut in the middle of the last record.
    let all = crawl().concat();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&all).unwrap();
    let whole = gz.finish().unwrap();
    fs::write(&path, &whole[..whole.len() - 60]).unwrap();
    let items = read_file(&path).unwrap();
    let ok = items.iter().filter(|i| i.is_ok()).count();
    assert!((1..4).contains(&ok), "complete pages kept: {items:?}");
    let err = items.last().unwrap().as_ref().unwrap_err().to_string();
    println!("{err}");
    assert!(
        err.contains("truncated or corrupt gzip") || err.contains("truncated WARC"),
        "{err}"
    );

    // Cut so early that no page survives: the whole file is rejected.
    let early = dir.join("early.warc.gz");
    fs::write(&early, &whole[..40]).unwrap();
    let err = read_file(&early).unwrap_err().to_string();
    println!("{err}");
    assert!(err.contains("truncated or corrupt gzip"), "{err}");
    let _ = fs::remove_dir_all(dir);
}

#[test]
fn truncated_final_record() {
    let dir = scratch("warc-trunc");
    let path = dir.join("cut.warc");
    let mut bytes = crawl()[..3].concat();
    let last = response(
        "https://valley.example/b",
        "200 OK",
        "Content-Type: text/html\r\n",
        page("B", "Cut off here").as_bytes(),
    );
    bytes.extend_from_slice(&last[..last.len() - 30]);
    fs::write(&path, &bytes).unwrap();
    let items = read_file(&path).unwrap();
    assert_eq!(items.len(), 2);
    assert!(items[0].is_ok());
    let err = items[1].as_ref().unwrap_err().to_string();
    println!("{err}");
    assert!(
        err.contains("truncated WARC")
            && err.contains("record 4")
            && err.contains("valley.example/b"),
        "{err}"
    );
    let _ = fs::remove_dir_all(dir);
}

#[test]
fn not_a_warc_and_no_pages() {
    let dir = scratch("warc-bad");
    let bad = dir.join("fake.warc");
    fs::write(&bad, "this is a text file with the wrong extension\n").unwrap();
    assert!(read_file(&bad)
        .unwrap_err()
        .to_string()
        .contains("not a WARC file"));
    let images = dir.join("images.warc");
    fs::write(&images, crawl()[4].clone()).unwrap();
    assert!(
        read_file(&images).unwrap().is_empty(),
        "a WARC without pages is not an error"
    );
    let _ = fs::remove_dir_all(dir);
}

/// A 200 MB WARC: a huge video record and an oversized HTML page are
/// streamed past; the pages around them are kept; memory stays bounded.
#[test]
fn huge_warc_is_streamed() {
    use std::io::{Seek, SeekFrom};
    let dir = scratch("warc-huge");
    let path = dir.join("big.warc");
    let mut f = fs::File::create(&path).unwrap();
    f.write_all(&crawl()[2]).unwrap();
    let video_len: u64 = 160 << 20;
    f.write_all(
        format!(
            "WARC/1.1\r\nWARC-Type: resource\r\nWARC-Target-URI: https://valley.example/clip.mp4\r\n\
             Content-Type: video/mp4\r\nContent-Length: {video_len}\r\n\r\n"
        )
        .as_bytes(),
    )
    .unwrap();
    f.seek(SeekFrom::Current(video_len as i64)).unwrap();
    f.write_all(b"\r\n\r\n").unwrap();
    // An HTML page over the 32 MiB record cap (mostly a sparse hole).
    let html_len: u64 = 40 << 20;
    let http = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {html_len}\r\n\r\n<html><body>");
    f.write_all(
        format!(
            "WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: https://valley.example/huge\r\n\
             Content-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
            http.len() as u64 + html_len - 12
        )
        .as_bytes(),
    )
    .unwrap();
    f.write_all(http.as_bytes()).unwrap();
    f.seek(SeekFrom::Current(html_len as i64 - 12)).unwrap();
    f.write_all(b"\r\n\r\n").unwrap();
    f.write_all(&crawl()[7]).unwrap();
    drop(f);

    let items = read_file(&path).unwrap();
    assert_eq!(items.len(), 3, "{items:?}");
    assert!(items[0].is_ok() && items[2].is_ok());
    let err = items[1].as_ref().unwrap_err().to_string();
    println!("{err}");
    assert!(
        err.contains("#3") && err.contains("valley.example/huge") && err.contains("over 32 MiB"),
        "{err}"
    );
    if let Ok(status) = fs::read_to_string("/proc/self/status") {
        let peak_kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0);
        assert!(peak_kb < 150 << 10, "peak RSS {peak_kb} kB");
    }
    let _ = fs::remove_dir_all(dir);
}
