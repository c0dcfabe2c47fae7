//! Cleaning and text metadata on articles written by us, in the forms
//! seen in the wild: a blog re-post with a hosting-site footer, a wire
//! story, a local outlet quoted by its sources, a site column.

use std::path::Path;

use chrono::NaiveDate;
use sitrep_ingest::{prepare, Body, RawItem};
use sitrep_model::{Document, PublishedBasis};

fn doc(name: &str) -> Document {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/clean")
        .join(name);
    let text = std::fs::read_to_string(&p).unwrap();
    prepare(RawItem {
        source: name.into(),
        body: Body::Text(text),
        ..Default::default()
    })
    .unwrap()
}

#[test]
fn blog_repost() {
    let d = doc("blog_repost.txt");
    assert_eq!(d.outlet.as_deref(), Some("Al Jazeera"));
    assert_eq!(d.reposted_by.as_deref(), Some("Levant Notes"));
    assert_eq!(
        d.title.as_deref(),
        Some("Displaced families face winter without fuel in northern camps")
    );
    assert!(
        d.text.ends_with("if temperatures fall below freezing."),
        "{}",
        d.text
    );
    assert!(d.text.contains("“We have nothing else,” said Umm Khaled"));
    assert!(d.text.contains("“The children cough all night.”"));
}

#[test]
fn wire_story() {
    let d = doc("wire.txt");
    assert_eq!(d.outlet.as_deref(), Some("Associated Press"));
    assert_eq!(d.dateline.as_deref(), Some("KHARKIV"));
    assert_eq!(d.reposted_by, None);
    assert_eq!(d.language.as_deref(), Some("en"));
    assert!(d.text.ends_with("contributed to this report."));
}

#[test]
fn local_outlet_quoted_by_sources() {
    let d = doc("local_told.txt");
    assert_eq!(d.outlet.as_deref(), Some("Enab Baladi"));
    assert_eq!(d.dateline.as_deref(), Some("IDLIB"));
    assert_eq!(d.published, NaiveDate::from_ymd_opt(2021, 3, 3));
    assert_eq!(d.published_basis, Some(PublishedBasis::Text));
    assert_eq!(
        d.title.as_deref(),
        Some("Teachers in rural Idlib work without pay for second year")
    );
    for junk in ["4 min read", "ADVERTISEMENT", "Related articles", "Azaz"] {
        assert!(!d.text.contains(junk), "{junk}");
    }
    assert!(d.text.ends_with("at least 2,000 teachers."));
}

#[test]
fn site_column() {
    let d = doc("column.txt");
    assert_eq!(d.outlet.as_deref(), Some("EA WorldView"));
    assert!(!d.text.contains("TOP PHOTO"));
    assert_eq!(
        d.published, None,
        "a date in a column heading is not the page's date line"
    );
}
