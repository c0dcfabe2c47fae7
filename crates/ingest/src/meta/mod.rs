//! Metadata and preparation: turns a [`RawItem`] into a [`Document`].
//!
//! Metadata given with the item (JSONL fields, feed entries, HTML meta
//! tags) wins; what it lacks is read from the cleaned text ([`text`]).
//! The exception is the outlet: when the text says the piece first
//! appeared elsewhere, that origin is the outlet and the site carrying it
//! becomes `reposted_by`, so later stages count independent sources.

pub mod date;
pub mod outlets;
pub mod text;

pub use outlets::{domain_of, outlets, OutletDictionary};

use sitrep_model::{stable_id, Document, PublishedBasis};

use crate::clean::{self, Cleaned, Line};
use crate::{Body, IngestError, RawItem};

/// Shorter cleaned text than this is not an article.
pub const MIN_TEXT_CHARS: usize = 40;

/// Language detection reads at most this many bytes.
const LANG_SAMPLE: usize = 1200;

/// Cleans an item, extracts its metadata and derives its stable id.
pub fn prepare(item: RawItem) -> Result<Document, IngestError> {
    let RawItem {
        source,
        id,
        url,
        outlet,
        title,
        published,
        byline,
        body,
    } = item;
    let (cleaned, page) = match body {
        Body::Text(t) => (clean::clean_text(&t), None),
        Body::Html(h) => {
            let page = clean::extract_page(&h);
            let lines = page.lines.clone();
            (clean::clean_lines(lines), Some(page))
        }
    };
    let page = page.unwrap_or_default();
    let tm = text::from_text(&cleaned.lines);

    // Metadata first (item, then page tags), text last.
    let url = url.or(page.canonical.clone());
    let dict = outlets();
    let canon = |s: &str| {
        dict.lookup(s)
            .map_or_else(|| s.trim().to_string(), |o| o.name.clone())
    };
    let meta_outlet = outlet.or(page.site_name.clone()).map(|o| canon(&o));
    let url_outlet = url
        .as_deref()
        .and_then(|u| dict.by_domain(u))
        .map(|o| o.name.clone());
    let host = meta_outlet
        .clone()
        .or(url_outlet.clone())
        .or(cleaned.host.clone())
        .or_else(|| url.as_deref().and_then(domain_of));
    let origin = match (&tm.outlet, &tm.self_reference) {
        (Some((o, text::OutletSignal::Origin)), _) => Some(o.clone()),
        // "X reported earlier" names the origin only on a page hosted elsewhere.
        (_, Some(o)) if host.as_deref().is_some_and(|h| h != o) => Some(o.clone()),
        _ => None,
    };
    let weak = tm.outlet.as_ref().map(|(o, _)| o.clone());
    let (doc_outlet, reposted_by) = match origin {
        Some(o) => {
            let rp = host.filter(|h| *h != o);
            (Some(o), rp)
        }
        None => match meta_outlet.or(url_outlet) {
            Some(m) => (Some(m), None),
            None => match weak {
                Some(w) => {
                    let rp = cleaned.host.clone().filter(|h| *h != w);
                    (Some(w), rp)
                }
                None => (cleaned.host.clone(), None),
            },
        },
    };

    let (published, basis) = match published
        .as_deref()
        .and_then(date::parse_date)
        .or_else(|| page.published.as_deref().and_then(date::parse_date))
    {
        Some(d) => (Some(d), Some(PublishedBasis::Metadata)),
        None => match tm.published {
            Some(d) => (Some(d), Some(PublishedBasis::Text)),
            None => (None, None),
        },
    };
    let byline = if !byline.is_empty() {
        byline
    } else if !page.byline.is_empty() {
        page.byline.clone()
    } else {
        tm.byline.clone()
    };
    let title = title.or(page.title.clone()).or(tm.title.clone());

    let mut lines = cleaned.lines;
    // An HTML page's headline is not among its body blocks; put it first
    // so the text reads like a text-file article.
    if let Some(t) = page.title.as_deref().filter(|_| !lines.is_empty()) {
        if lines
            .first()
            .is_none_or(|l| clean::text::normalize(&l.text) != clean::text::normalize(t))
        {
            lines.insert(0, Line::para(t));
        }
    }
    let text = Cleaned {
        lines,
        ..Default::default()
    }
    .text();
    let chars = text.chars().filter(|c| !c.is_whitespace()).count();
    if chars < MIN_TEXT_CHARS {
        return Err(IngestError::invalid(
            source,
            format!("no article text: {chars} characters left after cleaning (minimum {MIN_TEXT_CHARS})"),
        ));
    }
    let language = page
        .lang
        .as_deref()
        .and_then(iso_lang)
        .filter(|_| text.len() < 200)
        .or_else(|| detect_language(&text))
        .or_else(|| page.lang.as_deref().and_then(iso_lang));
    let id = id
        .filter(|i| !i.trim().is_empty())
        .unwrap_or_else(|| stable_id(&[&normalize_for_id(&text)]));
    Ok(Document {
        id,
        path: source,
        url,
        outlet: doc_outlet,
        reposted_by,
        title,
        byline,
        dateline: tm.dateline,
        published,
        published_basis: basis,
        published_range: None,
        language,
        text,
        duplicate_of: None,
    })
}

/// Case and whitespace folded, so the same content gives the same id.
pub fn normalize_for_id(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for w in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(w.chars().flat_map(char::to_lowercase));
    }
    out
}

/// ISO 639-1 from an HTML lang attribute ("en-GB" → "en").
fn iso_lang(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    (primary.len() == 2 && primary.chars().all(|c| c.is_ascii_lowercase())).then_some(primary)
}

/// ISO 639-1 code of the text's language, when whatlang is confident.
pub fn detect_language(text: &str) -> Option<String> {
    let mut end = text.len().min(LANG_SAMPLE);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let info = whatlang::detect(&text[..end])?;
    if !info.is_reliable() && info.confidence() < 0.5 {
        return None;
    }
    iso639_1(info.lang().code()).map(str::to_string)
}

const ISO639_TSV: &str = include_str!("../../../../data/ingest/iso639.tsv");

/// ISO 639-1 for an ISO 639-3 code (whatlang's codes).
pub fn iso639_1(code3: &str) -> Option<&'static str> {
    ISO639_TSV
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .find(|(a, _)| *a == code3)
        .map(|(_, b)| b.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_table_covers_whatlang() {
        for lang in whatlang::Lang::all() {
            assert!(
                iso639_1(lang.code()).is_some_and(|c| c.len() == 2),
                "{}",
                lang.code()
            );
        }
    }

    const BODY: &str = "Officials said the crossing had been closed since the weekend, and that aid trucks were waiting on the other side of the border for permission to enter.";

    fn item(outlet: Option<&str>, url: Option<&str>, text: String) -> RawItem {
        RawItem {
            source: "t".into(),
            outlet: outlet.map(String::from),
            url: url.map(String::from),
            body: Body::Text(text),
            ..Default::default()
        }
    }

    #[test]
    fn origin_in_text_beats_hosting_site() {
        let text = format!("Crossing closed\n\nFirst appeared at Sputnik\n\n{BODY}");
        let d = prepare(item(Some("Levant Notes"), None, text.clone())).unwrap();
        assert_eq!(d.outlet.as_deref(), Some("Sputnik"));
        assert_eq!(d.reposted_by.as_deref(), Some("Levant Notes"));
        // The outlet's own copy is not a re-post.
        let d = prepare(item(Some("Sputnik News"), None, text)).unwrap();
        assert_eq!(
            (d.outlet.as_deref(), d.reposted_by.as_deref()),
            (Some("Sputnik"), None)
        );

        let wire = format!("BEIRUT (Reuters) - {BODY}");
        let d = prepare(item(
            None,
            Some("https://levant-notes.example/2020/01/x"),
            wire.clone(),
        ))
        .unwrap();
        assert_eq!(d.outlet.as_deref(), Some("Reuters"));
        assert_eq!(d.reposted_by.as_deref(), Some("levant-notes.example"));
        let d = prepare(item(None, Some("https://www.reuters.com/world/x"), wire)).unwrap();
        assert_eq!(
            (d.outlet.as_deref(), d.reposted_by.as_deref()),
            (Some("Reuters"), None)
        );
    }

    #[test]
    fn metadata_date_wins_and_short_text_is_rejected() {
        let mut it = item(
            None,
            None,
            format!("Crossing closed\n\n22 May 2017\n\n{BODY}"),
        );
        it.published = Some("2017-05-23T10:00:00Z".into());
        let d = prepare(it).unwrap();
        assert_eq!(d.published, chrono::NaiveDate::from_ymd_opt(2017, 5, 23));
        assert_eq!(d.published_basis, Some(PublishedBasis::Metadata));
        let e = prepare(item(None, None, "Advertisement\n\nToo short.".into())).unwrap_err();
        assert!(e.to_string().starts_with("t: no article text"), "{e}");
    }

    #[test]
    fn lang_tags() {
        assert_eq!(iso_lang("en-GB").as_deref(), Some("en"));
        assert_eq!(iso_lang("x"), None);
    }
}
