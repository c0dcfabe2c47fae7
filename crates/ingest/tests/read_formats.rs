//! Readers on fixture files: text, HTML, JSON, JSON Lines, RSS, Atom,
//! encodings, folder discovery.

use std::fs;
use std::path::{Path, PathBuf};

use sitrep_ingest::{discover, read_file, Body, RawItem};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/read")
        .join(name)
}

/// A fresh folder under the system temp dir, unique to this test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sitrep-read-{}-{test}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

fn ok_items(path: &Path) -> Vec<RawItem> {
    read_file(path)
        .expect("file readable")
        .into_iter()
        .filter_map(Result::ok)
        .collect()
}

fn text(body: &Body) -> &str {
    match body {
        Body::Text(t) | Body::Html(t) => t,
    }
}

#[test]
fn txt_is_one_text_item() {
    let items = ok_items(&fixture("article.txt"));
    assert_eq!(items.len(), 1);
    let Body::Text(t) = &items[0].body else {
        panic!("expected text")
    };
    assert!(t.starts_with("Shelling cuts power") && t.contains("AL-MANSOURA"));
    assert_eq!(
        items[0].source,
        fixture("article.txt").display().to_string()
    );
}

#[test]
fn html_is_one_html_item() {
    let items = ok_items(&fixture("article.html"));
    assert_eq!(items.len(), 1);
    assert!(
        matches!(&items[0].body, Body::Html(h) if h.contains("<article>") && h.contains("Wadi Rahma"))
    );
}

#[test]
fn jsonl_keeps_good_lines_and_names_bad_ones() {
    let path = fixture("items.jsonl");
    let p = path.display().to_string();
    let items = read_file(&path).unwrap();
    assert_eq!(items.len(), 5, "blank line skipped: {items:?}");

    let first = items[0].as_ref().unwrap();
    assert_eq!(first.source, format!("{p}#1"));
    assert_eq!(first.id.as_deref(), Some("vm-0001"));
    assert_eq!(first.outlet.as_deref(), Some("Valley Monitor"));
    assert_eq!(first.published.as_deref(), Some("2024-03-14"));
    assert_eq!(first.byline, ["Rana Khatib"]);
    assert!(matches!(first.body, Body::Text(_)));

    let second = items[1].as_ref().unwrap();
    assert!(matches!(&second.body, Body::Html(h) if h.contains("Ships docked")));
    assert_eq!(second.title.as_deref(), Some("Harbour reopens"));

    let bad = items[2].as_ref().unwrap_err().to_string();
    assert!(bad.starts_with(&format!("{p}:line 3: not JSON")), "{bad}");
    let empty = items[3].as_ref().unwrap_err().to_string();
    assert!(
        empty.contains(":line 4") && empty.contains("neither \"text\" nor \"html\""),
        "{empty}"
    );

    let last = items[4].as_ref().unwrap();
    assert_eq!(last.source, format!("{p}#6"));
    assert_eq!(last.byline, ["Samir Odeh", "Nour Halabi"]);
}

#[test]
fn json_array_object_and_lines() {
    let dir = scratch("json");
    let arr = dir.join("batch.json");
    fs::write(
        &arr,
        "\u{feff}[\n  {\"title\": \"One\", \"text\": \"First report from the crossing.\"},\n  42,\n  {\"html\": \"<p>Second report.</p>\"}\n]\n",
    )
    .unwrap();
    let items = read_file(&arr).unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0].as_ref().unwrap().title.as_deref(), Some("One"));
    assert!(items[1]
        .as_ref()
        .unwrap_err()
        .to_string()
        .contains(":line 3: expected a JSON object"));
    assert!(matches!(items[2].as_ref().unwrap().body, Body::Html(_)));

    let one = dir.join("one.json");
    fs::write(&one, "{\n  \"outlet\": \"Valley Monitor\",\n  \"text\": \"A single pretty-printed article.\"\n}\n").unwrap();
    let items = ok_items(&one);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].source, one.display().to_string());

    let lines = dir.join("lines.json");
    fs::write(&lines, "{\"text\": \"a\"}\n{\"text\": \"b\"}\n").unwrap();
    assert_eq!(ok_items(&lines).len(), 2);

    let scalar = dir.join("scalar.json");
    fs::write(&scalar, "\"just a string\"").unwrap();
    assert!(read_file(&scalar)
        .unwrap_err()
        .to_string()
        .contains("not JSON"));
    let _ = fs::remove_dir_all(dir);
}

#[test]
fn rss_items() {
    let path = fixture("feed_rss.xml");
    let items = read_file(&path).unwrap();
    assert_eq!(items.len(), 3);
    let a = items[0].as_ref().unwrap();
    assert_eq!(
        a.title.as_deref(),
        Some("Bridge at Karm al-Zaytoun closed after overnight shelling")
    );
    assert_eq!(
        a.url.as_deref(),
        Some("https://valley-monitor.example/2024/03/bridge-closed")
    );
    assert_eq!(
        a.published.as_deref(),
        Some("Tue, 12 Mar 2024 07:45:00 +0000")
    );
    assert_eq!(
        a.outlet.as_deref(),
        Some("Valley Monitor"),
        "channel title, not the image title"
    );
    assert_eq!(a.byline, ["Rana Khatib"]);
    // content:encoded beats the teaser description.
    assert!(
        matches!(&a.body, Body::Html(h) if h.contains("<p>KARM AL-ZAYTOUN") && h.contains("Adel Nasser"))
    );

    let b = items[1].as_ref().unwrap();
    assert_eq!(
        b.title.as_deref(),
        Some("Aid convoy reaches Tell Hamra & two nearby farms")
    );
    assert_eq!(b.byline, ["Samir Odeh"]);
    assert!(matches!(&b.body, Body::Text(t) if t.starts_with("Eleven trucks")));
    assert!(b.source.ends_with("#2"));

    let c = items[2].as_ref().unwrap_err().to_string();
    assert!(c.contains("#3") && c.contains("no content"), "{c}");
}

#[test]
fn atom_entries() {
    let items = read_file(&fixture("feed_atom.xml")).unwrap();
    assert_eq!(items.len(), 3);
    let a = items[0].as_ref().unwrap();
    assert_eq!(a.outlet.as_deref(), Some("Coastal Dispatch"));
    assert_eq!(
        a.url.as_deref(),
        Some("https://coastal-dispatch.example/port-night-arrivals")
    );
    assert_eq!(
        a.published.as_deref(),
        Some("2024-05-02T18:30:00+03:00"),
        "published before updated"
    );
    assert_eq!(a.byline, ["Leila Mansour"]);
    assert!(matches!(&a.body, Body::Html(h) if h.starts_with("<p>The port authority")));

    let b = items[1].as_ref().unwrap();
    assert_eq!(b.published.as_deref(), Some("2024-05-01T12:00:00Z"));
    assert_eq!(b.byline, ["Karim Haddad", "Leila Mansour"]);
    assert!(matches!(&b.body, Body::Html(h) if h.contains("<p>About forty boats")));

    // type="text" is text even with markup-like content.
    let c = items[2].as_ref().unwrap();
    assert!(
        matches!(&c.body, Body::Text(t) if t.contains("the <Safe Route> page")),
        "{:?}",
        c.body
    );
    assert_eq!(c.url, None);
}

#[test]
fn xml_that_is_not_a_feed() {
    let dir = scratch("notfeed");
    let path = dir.join("sitemap.xml");
    fs::write(
        &path,
        "<?xml version=\"1.0\"?><urlset><url><loc>https://x.example/</loc></url></urlset>",
    )
    .unwrap();
    let err = read_file(&path).unwrap_err().to_string();
    assert!(
        err.contains("<urlset> is neither an RSS 2.0 nor an Atom feed"),
        "{err}"
    );
    let broken = dir.join("broken.rss");
    fs::write(&broken, "<rss><channel><title>T</title><item><title>a</title><description>kept</description></item><item><title>b</oops></item>").unwrap();
    let items = read_file(&broken).unwrap();
    assert!(items[0].is_ok());
    assert!(items[1]
        .as_ref()
        .unwrap_err()
        .to_string()
        .contains("malformed XML"));
    let _ = fs::remove_dir_all(dir);
}

#[test]
fn utf16_with_bom() {
    let dir = scratch("utf16");
    let body =
        "Reporters in Raqqa said the checkpoint \u{2014} closed since May \u{2014} reopened.";
    let mut le = vec![0xFF, 0xFE];
    le.extend(body.encode_utf16().flat_map(u16::to_le_bytes));
    let mut be = vec![0xFE, 0xFF];
    be.extend(body.encode_utf16().flat_map(u16::to_be_bytes));
    for (name, bytes) in [("le.txt", le), ("be.txt", be)] {
        let path = dir.join(name);
        fs::write(&path, bytes).unwrap();
        let items = ok_items(&path);
        assert_eq!(text(&items[0].body), body, "{name}");
    }
    // UTF-16 JSON Lines and feeds are transcoded before parsing.
    let utf16le = |s: &str| {
        let mut v = vec![0xFF, 0xFE];
        v.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        v
    };
    let jl = dir.join("lines.jsonl");
    fs::write(
        &jl,
        utf16le(&format!(
            "{{\"text\": \"{body}\"}}\n{{\"text\": \"second\"}}\n"
        )),
    )
    .unwrap();
    let items = ok_items(&jl);
    assert_eq!(items.len(), 2);
    assert_eq!(text(&items[0].body), body);
    let feed = dir.join("feed.xml");
    let atom = fs::read_to_string(fixture("feed_atom.xml"))
        .unwrap()
        .replace("encoding=\"utf-8\"", "encoding=\"utf-16\"");
    fs::write(&feed, utf16le(&atom)).unwrap();
    assert_eq!(ok_items(&feed).len(), 3);
    let _ = fs::remove_dir_all(dir);
}

#[test]
fn windows_1256_arabic_html_with_meta_charset() {
    let dir = scratch("cp1256");
    let arabic = "\u{642}\u{627}\u{644} \u{645}\u{633}\u{624}\u{648}\u{644}\u{648}\u{646} \u{645}\u{62d}\u{644}\u{64a}\u{648}\u{646} \u{625}\u{646} \u{627}\u{644}\u{642}\u{635}\u{641} \u{627}\u{633}\u{62a}\u{647}\u{62f}\u{641} \u{627}\u{644}\u{62c}\u{633}\u{631}";
    let page = format!(
        "<html dir=\"rtl\"><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1256\">\
         <title>\u{62e}\u{628}\u{631}</title></head><body><p>{arabic}</p></body></html>"
    );
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1256.encode(&page);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "fixture must not be UTF-8"
    );
    let path = dir.join("khabar.html");
    fs::write(&path, &bytes).unwrap();
    let items = ok_items(&path);
    assert!(matches!(&items[0].body, Body::Html(h) if h.contains(arabic)));

    // Same bytes with <meta charset> form.
    let page2 = page.replace(
        "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1256\">",
        "<meta charset=\"windows-1256\">",
    );
    let path2 = dir.join("khabar2.htm");
    fs::write(&path2, encoding_rs::WINDOWS_1256.encode(&page2).0).unwrap();
    assert!(text(&ok_items(&path2)[0].body).contains(arabic));
    let _ = fs::remove_dir_all(dir);
}

#[test]
fn windows_1252_declared_and_undeclared() {
    let dir = scratch("cp1252");
    let words = "The mayor\u{2019}s office in Mont\u{e9}limar said \u{201c}calm\u{201d} had returned \u{2013} for now.";
    let declared = format!(
        "<html><head><meta charset=\"windows-1252\"></head><body><p>{words}</p></body></html>"
    );
    let path = dir.join("declared.html");
    fs::write(&path, encoding_rs::WINDOWS_1252.encode(&declared).0).unwrap();
    assert!(text(&ok_items(&path)[0].body).contains(words));

    // No declaration at all: invalid UTF-8 falls back to windows-1252.
    let plain = dir.join("legacy.txt");
    fs::write(&plain, encoding_rs::WINDOWS_1252.encode(words).0).unwrap();
    assert_eq!(text(&ok_items(&plain)[0].body), words);
    let _ = fs::remove_dir_all(dir);
}

#[test]
fn gzipped_single_files_and_sniffed_names() {
    use std::io::Write;
    let dir = scratch("gz");
    let path = dir.join("report.txt.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(b"Two families returned to the village on Friday, the mukhtar said.")
        .unwrap();
    fs::write(&path, gz.finish().unwrap()).unwrap();
    assert!(text(&ok_items(&path)[0].body).starts_with("Two families"));

    // No extension: sniffed.
    let feed = dir.join("download");
    fs::copy(fixture("feed_atom.xml"), &feed).unwrap();
    assert_eq!(ok_items(&feed).len(), 3);
    // A .txt that is a saved web page.
    let saved = dir.join("saved.txt");
    fs::write(
        &saved,
        "<!DOCTYPE html><html><body><p>Saved page.</p></body></html>",
    )
    .unwrap();
    assert!(matches!(ok_items(&saved)[0].body, Body::Html(_)));
    let _ = fs::remove_dir_all(dir);
}

#[test]
fn discover_walks_sorted_skips_hidden_and_unknown() {
    let dir = scratch("discover");
    for f in [
        "b/2.txt",
        "b/1.html",
        "b/deeper/feed.atom",
        "a.jsonl",
        "c.warc.gz",
        "notes.md",
        ".hidden.txt",
        ".git/HEAD.txt",
        "b/.cache/x.txt",
        "UPPER.TXT",
    ] {
        let p = dir.join(f);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, "x").unwrap();
    }
    let missing = dir.join("does-not-exist");
    let explicit = dir.join("notes.md");
    let (files, errors) = discover(&[dir.clone(), explicit.clone(), missing.clone()]);
    let rel: Vec<String> = files
        .iter()
        .map(|f| f.strip_prefix(&dir).unwrap().display().to_string())
        .collect();
    assert_eq!(
        rel,
        [
            "UPPER.TXT",
            "a.jsonl",
            "c.warc.gz",
            "b/1.html",
            "b/2.txt",
            "b/deeper/feed.atom",
            "notes.md"
        ]
    );
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].path(), missing.display().to_string());
    // A symlink loop is walked once; a dangling link is reported.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&dir, dir.join("b/loop")).unwrap();
        std::os::unix::fs::symlink(dir.join("gone.txt"), dir.join("dangling.txt")).unwrap();
        let (again, errors) = discover(std::slice::from_ref(&dir));
        assert_eq!(
            again.len(),
            files.len() - 1,
            "notes.md is only returned when named"
        );
        assert_eq!(errors.len(), 1);
        assert!(errors[0].path().ends_with("dangling.txt"));
        fs::remove_file(dir.join("dangling.txt")).unwrap();
        fs::remove_file(dir.join("b/loop")).unwrap();
    }
    // Same answer twice: the order is stable.
    assert_eq!(discover(&[dir.clone(), explicit]).0, files);
    let _ = fs::remove_dir_all(dir);
}
