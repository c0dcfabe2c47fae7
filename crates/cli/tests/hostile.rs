//! Hostile inputs beside good ones: each bad input is named on stderr with
//! its reason, nothing panics, the good articles are stored, exit code 1.

mod common;
use common::*;
use std::io::Write;

#[test]
fn hostile_inputs_are_rejected_one_by_one() {
    let s = Scratch::new("hostile");
    write_articles(&s, "in/good");

    // A binary file under a text name.
    let mut bin = Vec::with_capacity(4096);
    let mut x: u32 = 0x1234_5678;
    for _ in 0..4096 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        bin.push((x & 0xff) as u8);
    }
    bin[10] = 0;
    s.write("in/bad/binary.txt", &bin);

    // A 200 MB file, sparse so the test costs no disk.
    let big = s.path("in/bad/huge.txt");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(200 << 20)
        .unwrap();

    // A truncated .warc.gz: a valid gzip member cut in half.
    let record = "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://example.invalid/a\r\n\
                  Content-Type: application/http; msgtype=response\r\nContent-Length: 400\r\n\r\n\
                  HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><body><p>Half a page";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(record.repeat(20).as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    s.write("in/bad/cut.warc.gz", &gz[..gz.len() / 2]);

    // HTML nested 100,000 deep, with no article in it.
    let deep = format!(
        "<html><body>{}{}</body></html>",
        "<div>".repeat(100_000),
        "</div>".repeat(100_000)
    );
    s.write("in/bad/deep.html", deep);

    // An empty file.
    s.write("in/bad/empty.txt", "");

    // JSON Lines with one good line and one that is not JSON.
    s.write(
        "in/bad/mixed.jsonl",
        concat!(
            r#"{"outlet": "Valley Observer", "title": "Bridge reopens at Raqqa", "text": "Engineers reopened the old bridge at Raqqa on Tuesday after repairs that lasted four months. Traffic was light in the first hours."}"#,
            "\n",
            "this line is not JSON at all\n"
        ),
    );

    // Invalid UTF-8 inside an otherwise readable article: decoded leniently
    // (damaged bytes replaced), so the article is kept.
    let mut bad_utf8 = b"Power cut in Deir ez-Zor\n\nResidents of Deir ez-Zor said power was cut for a third day \
                         on Wednesday, leaving water pumps idle.\xff\xfe The council blamed damage to a \
                         transformer station south of the city.\n"
        .to_vec();
    bad_utf8.extend_from_slice(b"\xc3\x28 Repairs were expected to take a week.\n");
    s.write("in/bad/latin.txt", &bad_utf8);

    let o = sitrep(&s.0, &["--json", "ingest", "--db", "h.db", "in"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "stderr: {err}");
    assert!(!err.contains("panicked"), "a stage panicked: {err}");
    for bad in [
        "binary.txt",
        "huge.txt",
        "cut.warc.gz",
        "deep.html",
        "empty.txt",
        "mixed.jsonl",
    ] {
        let line = err
            .lines()
            .find(|l| l.starts_with("rejected: ") && l.contains(bad));
        let line = line.unwrap_or_else(|| panic!("{bad} not named on stderr: {err}"));
        // "rejected: PATH: REASON" with a non-empty reason.
        let reason = line.rsplit_once(": ").map(|(_, r)| r.trim()).unwrap_or("");
        assert!(!reason.is_empty(), "no reason given: {line}");
    }
    // Only the bad JSONL line is rejected (named by its line number).
    let jsonl: Vec<&str> = err.lines().filter(|l| l.contains("mixed.jsonl")).collect();
    assert_eq!(jsonl.len(), 1, "{err}");
    assert!(
        jsonl[0].contains("#2") || jsonl[0].contains("line 2"),
        "{}",
        jsonl[0]
    );

    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // 3 good articles + the good JSONL line + the leniently decoded one.
    assert_eq!(r["stored"], 5, "report: {r}");
    let docs = String::from_utf8(export(&s.0, "h.db", "documents", "jsonl")).unwrap();
    assert_eq!(docs.lines().count(), 5);
    assert!(docs.contains("Bridge reopens at Raqqa"));
    assert!(docs.contains("Repairs were expected to take a week."));
}
