//! HTML extraction on the evaluation pages (written by us, each with a
//! gold text): the main text must match the gold closely, and page
//! metadata must reach the document.

use std::collections::HashSet;
use std::path::Path;

use chrono::NaiveDate;
use sitrep_ingest::{clean, prepare, Body, RawItem};
use sitrep_model::PublishedBasis;

const PAGES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../eval/extraction/pages");

fn shingles(text: &str) -> HashSet<Vec<String>> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    words.windows(5).map(<[String]>::to_vec).collect()
}

fn f1(pred: &str, gold: &str) -> f64 {
    let (p, g) = (shingles(pred), shingles(gold));
    let tp = p.intersection(&g).count() as f64;
    if tp == 0.0 {
        return 0.0;
    }
    let (prec, rec) = (tp / p.len() as f64, tp / g.len() as f64);
    2.0 * prec * rec / (prec + rec)
}

fn page(name: &str) -> String {
    std::fs::read_to_string(Path::new(PAGES).join(name)).unwrap()
}

#[test]
fn main_text_matches_gold_on_every_layout() {
    let mut names: Vec<_> = std::fs::read_dir(PAGES)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".html"))
        .collect();
    names.sort();
    assert!(names.len() >= 7);
    let mut total = 0.0;
    for n in &names {
        let gold = page(&n.replace(".html", ".txt"));
        let got = clean::main_text(&page(n));
        let f = f1(&got, &gold);
        assert!(f >= 0.8, "{n}: F1 {f:.3}\n{got}");
        total += f;
    }
    let mean = total / names.len() as f64;
    assert!(mean >= 0.93, "mean F1 {mean:.3}");
}

#[test]
fn furniture_is_gone() {
    let text = clean::main_text(&page("wordpress_news.html"));
    for junk in [
        "Leave a Reply",
        "Share this",
        "Recent Posts",
        "Finally! Our street",
        "Skip to content",
        "Bridge repairs",
    ] {
        assert!(!text.contains(junk), "{junk}");
    }
    // Lists stay lines of one paragraph; paragraphs are blank-line separated.
    assert!(text.contains("bridge;\ninstalling a backup generator"));
    assert!(text.contains("\n\nUpper districts still waiting\n\n"));
}

#[test]
fn page_metadata_reaches_the_document() {
    let d = prepare(RawItem {
        source: "p.html".into(),
        body: Body::Html(page("agency_wire.html")),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(
        d.title.as_deref(),
        Some("Drone attack hits fuel depot near port city")
    );
    assert_eq!(d.outlet.as_deref(), Some("Meridian Wire"));
    assert_eq!(d.byline, vec!["Ines Valdivia"]);
    assert_eq!(d.published, NaiveDate::from_ymd_opt(2022, 7, 19));
    assert_eq!(d.published_basis, Some(PublishedBasis::Metadata));
    assert_eq!(d.dateline.as_deref(), Some("PORT HALDEN"));
    assert!(d
        .text
        .starts_with("Drone attack hits fuel depot near port city\n\nPORT HALDEN"));

    let d = prepare(RawItem {
        source: "a.html".into(),
        body: Body::Html(page("amp_page.html")),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(d.language.as_deref(), Some("fr"));
    assert_eq!(
        d.url.as_deref(),
        Some("https://quotidien-littoral.example/societe/ecoles-rouvrent")
    );

    let d = prepare(RawItem {
        source: "j.html".into(),
        body: Body::Html(page("jsonld_only.html")),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(d.byline, vec!["Yusuf Demirel"]);
    assert_eq!(d.published, NaiveDate::from_ymd_opt(2021, 5, 30));

    // Item metadata wins over the page's.
    let item = RawItem {
        source: "n.html".into(),
        title: Some("Feed title".into()),
        outlet: Some("Reuters".into()),
        body: Body::Html(page("newspaper_related_cookie.html")),
        ..Default::default()
    };
    let d = prepare(item).unwrap();
    assert_eq!(d.title.as_deref(), Some("Feed title"));
    assert_eq!(d.outlet.as_deref(), Some("Reuters"));
    assert_eq!(d.byline, vec!["Tomasz Reyes"]);
}

#[test]
fn reposts_name_origin_and_host() {
    let body = "<html><head><meta property=\"og:site_name\" content=\"Hillside Blog\"></head><body><article>\
        <h1>Talks resume in the capital</h1><p>This article first appeared in Middle East Eye.</p>\
        <p>Negotiators returned to the table on Tuesday after a two-week pause, officials said, with aid access and prisoner releases at the top of the agenda for the new round.</p>\
        <p>The previous round ended without agreement after a dispute over the sequencing of the releases.</p></article></body></html>";
    let d = prepare(RawItem {
        source: "b.html".into(),
        body: Body::Html(body.into()),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(d.outlet.as_deref(), Some("Middle East Eye"));
    assert_eq!(d.reposted_by.as_deref(), Some("Hillside Blog"));
}

#[test]
fn same_content_same_id() {
    let a = prepare(RawItem { source: "a".into(), body: Body::Text("Title of the story here\n\nShelling hit the town overnight, residents said, and two houses burned.".into()), ..Default::default() }).unwrap();
    let b = prepare(RawItem { source: "b".into(), body: Body::Text("TITLE OF THE STORY HERE\r\n\r\n  Shelling hit the town   overnight, residents said,\nand two houses burned.".into()), ..Default::default() }).unwrap();
    assert_eq!(a.id, b.id);
    let given = prepare(RawItem {
        source: "c".into(),
        id: Some("my-id".into()),
        body: Body::Text(a.text.clone()),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(given.id, "my-id");
}
