//! Hostile HTML must give text or a clean error, never a panic, a stack
//! overflow or a hang.

use std::time::{Duration, Instant};

use sitrep_ingest::{clean, prepare, Body, IngestError, RawItem};

fn timed<T>(limit: Duration, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let r = f();
    assert!(t.elapsed() < limit, "took {:?}", t.elapsed());
    r
}

fn prep(html: String) -> Result<sitrep_model::Document, IngestError> {
    prepare(RawItem {
        source: "hostile.html".into(),
        body: Body::Html(html),
        ..Default::default()
    })
}

const ARTICLE: &str = "<p>Shelling hit the northern district overnight, residents said, damaging a school and two houses near the market square.</p>";

#[test]
fn nested_100k_deep_fails_cleanly_or_keeps_text() {
    for tag in ["div", "i><b"] {
        let open = format!("<{tag}>");
        let close = format!("</{tag}>");
        let html = format!(
            "<html><body>{}{ARTICLE}{}</body></html>",
            open.repeat(100_000),
            close.repeat(100_000)
        );
        let doc = timed(Duration::from_secs(20), || prep(html));
        match doc {
            Ok(d) => assert!(
                d.text.contains("Shelling hit the northern district"),
                "{tag}"
            ),
            Err(e) => panic!("{tag}: text inside the nesting was lost: {e}"),
        }
        // Nothing but nesting: a clear per-item error.
        let bare = format!("{}{}", open.repeat(100_000), close.repeat(100_000));
        let err = timed(Duration::from_secs(20), || prep(bare)).unwrap_err();
        assert!(
            err.to_string().contains("hostile.html") && err.to_string().contains("no article text"),
            "{err}"
        );
    }
}

#[test]
fn parser_survives_deep_tree_below_the_guard() {
    // Just under the depth guard the page is parsed; the tree is walked
    // and dropped without recursion.
    let depth = clean::html::MAX_DEPTH - 10;
    let html = format!(
        "{}{ARTICLE}{}",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    );
    let text = timed(Duration::from_secs(10), || clean::main_text(&html));
    assert!(text.contains("Shelling hit"));
    // Misnested formatting tags that the tree builder nests deeply.
    let html = format!("{}{ARTICLE}", "<b><i>x</b></i>".repeat(5_000));
    timed(Duration::from_secs(20), || clean::main_text(&html));
}

#[test]
fn garbage_inputs() {
    for html in [
        String::new(),
        "<".repeat(100_000),
        "<!--".repeat(10_000),
        "<script>".repeat(10_000),
        "&#xFFFFFFFF; &#0; &#55296; <p>\u{0}\u{1}</p>".to_string(),
        "<html><body><p>".to_string() + &"word ".repeat(50_000),
        "<script type=\"application/ld+json\">".to_string() + &"[".repeat(100_000) + "</script>",
    ] {
        let _ = timed(Duration::from_secs(20), || prep(html));
    }
}

#[test]
fn empty_and_short_are_rejected_with_reason() {
    let e = prepare(RawItem {
        source: "feed.xml#3".into(),
        body: Body::Text("Share this article\n\nok".into()),
        ..Default::default()
    })
    .unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.starts_with("feed.xml#3:") && msg.contains("no article text"),
        "{msg}"
    );
}
