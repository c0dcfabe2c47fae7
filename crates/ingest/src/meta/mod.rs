//! Metadata and preparation: turns a [`RawItem`] into a [`Document`].
//!
//! Metadata given with the item (JSONL fields, feed entries, HTML meta
//! tags) wins; what it lacks is read from the cleaned text ([`text`]).
//! The exception is the outlet: when the text says the piece first
//! appeared elsewhere, that origin is the outlet and the site carrying it
//! becomes `reposted_by`, so later stages count independent sources.
//! A masthead at the top of a copied page names the hosting site.

pub mod date;
pub mod masthead;
pub mod outlets;
pub mod text;

pub use outlets::{domain_of, outlets, OutletDictionary};

use sitrep_model::{stable_id, Document, PublishedBasis};

use crate::clean::{self, Cleaned, Line};
use crate::{Body, IngestError, RawItem};

/// A masthead is looked for in this many leading non-empty lines.
const MASTHEAD_LINES: usize = 6;

/// The masthead of a plain-text article, from its first raw lines.
fn raw_masthead(raw: &str) -> Option<masthead::Masthead> {
    let head: Vec<&str> = raw
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(MASTHEAD_LINES)
        .collect();
    // Invisible characters and odd spacing would hide the name's shape.
    let head: Vec<String> = head
        .iter()
        .map(|l| clean::text::normalize(l).trim().to_string())
        .collect();
    let head: Vec<&str> = head.iter().map(String::as_str).collect();
    masthead::masthead(&head)
}

/// Shorter cleaned text than this is not an article.
pub const MIN_TEXT_CHARS: usize = 40;

/// Language detection reads at most this many bytes.
const LANG_SAMPLE: usize = 1200;

/// Builds the metadata patterns and the outlet dictionary ([`crate::warm_up`]).
pub(crate) fn warm_up() {
    text::warm_up();
    date::warm_up();
    outlets();
}

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
    // The masthead is read before cleaning, which drops the menu that
    // confirms it.
    let (cleaned, page, mast) = match body {
        Body::Text(t) => {
            let mast = raw_masthead(&t);
            (clean::clean_text(&t), None, mast)
        }
        Body::Html(h) => {
            let page = clean::extract_page(&h);
            let head: Vec<&str> = page
                .lines
                .iter()
                .take(MASTHEAD_LINES)
                .map(|l| l.text.as_str())
                .collect();
            let mast = masthead::masthead(&head);
            let lines = page.lines.clone();
            (clean::clean_lines(lines), Some(page), mast)
        }
    };
    let page = page.unwrap_or_default();
    let tm = text::from_text_after(
        &cleaned.lines,
        mast.as_ref().map_or(&[][..], |m| &m.lines[..]),
    );
    let mast = mast.map(|m| m.name);

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
    let same = |a: &str, b: &str| outlets::key(a) == outlets::key(b);
    // The cleaner takes a closing copyright line for the hosting site's
    // footer; under another site's masthead it names the publisher of a
    // re-posted piece instead.
    let mut text_outlet = tm.outlet.clone();
    let footer_host = match (&cleaned.host, &mast) {
        (Some(h), Some(m))
            if !same(h, m)
                && cleaned
                    .removed
                    .iter()
                    .rev()
                    .take(12)
                    .any(|l| masthead::copyright_holder(l).is_some_and(|c| same(&c, h))) =>
        {
            if text_outlet
                .as_ref()
                .is_none_or(|(_, s)| *s < text::OutletSignal::Layout)
            {
                text_outlet = Some((h.clone(), text::OutletSignal::Layout));
            }
            None
        }
        _ => cleaned.host.clone(),
    };
    // The site the text says it is on: a footer blurb, else the masthead.
    let text_host = footer_host.clone().or(mast.clone());
    let known_host = meta_outlet
        .clone()
        .or(url_outlet.clone())
        .or(footer_host.clone())
        .or_else(|| url.as_deref().and_then(domain_of));
    let host = known_host.clone().or(mast.clone());
    let origin = match (&text_outlet, &tm.self_reference) {
        (Some((o, text::OutletSignal::Origin)), _) => Some(o.clone()),
        // "X reported earlier" names the origin only on a page hosted
        // elsewhere; a masthead alone is too weak for that (blogs cite
        // outlets' earlier reports in their own posts).
        (_, Some(o)) if known_host.as_deref().is_some_and(|h| !same(h, o)) => Some(o.clone()),
        _ => None,
    };
    let (doc_outlet, reposted_by) = match origin {
        Some(o) => {
            let rp = host.filter(|h| !same(h, &o));
            (Some(o), rp)
        }
        None => match meta_outlet.or(url_outlet) {
            Some(m) => (Some(m), None),
            None => match &text_outlet {
                // The layout names the publisher: a page carrying another
                // outlet's kicker or copyright is a re-post.
                Some((w, text::OutletSignal::Layout)) => {
                    let rp = text_host.filter(|h| !same(h, w));
                    (Some(w.clone()), rp)
                }
                // Quotes given to an outlet do not outweigh a masthead.
                Some((w, _)) if mast.is_none() => {
                    let rp = footer_host.clone().filter(|h| !same(h, w));
                    (Some(w.clone()), rp)
                }
                _ => (text_host, None),
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
    // Most text is ASCII: one pass over its bytes (this runs over every
    // line of every article, and over each whole text for its id) instead
    // of decoding characters. The whitespace set is `char::is_whitespace`'s
    // ASCII part, vertical tab included, so both paths split alike.
    if text.is_ascii() {
        let mut gap = false;
        for &b in text.as_bytes() {
            if matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
                gap = !out.is_empty();
            } else {
                if gap {
                    out.push(' ');
                    gap = false;
                }
                out.push(char::from(b.to_ascii_lowercase()));
            }
        }
        return out;
    }
    for w in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        // Mixed text: its ASCII words are still lowercased in place.
        if w.is_ascii() {
            let start = out.len();
            out.push_str(w);
            out[start..].make_ascii_lowercase();
        } else {
            out.extend(w.chars().flat_map(char::to_lowercase));
        }
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
    if looks_english(&text[..end]) {
        return Some("en".into());
    }
    let info = whatlang::detect(&text[..end])?;
    if !info.is_reliable() && info.confidence() < 0.5 {
        return None;
    }
    iso639_1(info.lang().code()).map(str::to_string)
}

/// A cheap first test for the commonest case. whatlang scores every
/// trigram against every language profile (a tenth of the whole ingest's
/// CPU time); English prose is recognised with certainty by its function
/// words: "the" alone is 5-7 % of running English words and is not a word
/// in any other language whatlang knows, and the set below together makes
/// up 15-25 %. The sample must also be written in ASCII letters.
fn looks_english(sample: &str) -> bool {
    const FUNCTION_WORDS: [&str; 16] = [
        "the", "of", "and", "to", "was", "were", "said", "that", "with", "from", "by", "which",
        "has", "have", "had", "been",
    ];
    let (mut words, mut hits, mut the) = (0usize, 0usize, 0usize);
    let (mut ascii, mut other) = (0usize, 0usize);
    for c in sample.chars().filter(|c| c.is_alphabetic()) {
        if c.is_ascii() {
            ascii += 1;
        } else {
            other += 1;
        }
    }
    if ascii < 100 || other * 20 > ascii {
        return false;
    }
    for w in sample
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
    {
        words += 1;
        if w.eq_ignore_ascii_case("the") {
            the += 1;
            hits += 1;
        } else if FUNCTION_WORDS.iter().any(|f| w.eq_ignore_ascii_case(f)) {
            hits += 1;
        }
    }
    words >= 25 && the * 100 >= words * 3 && hits * 100 >= words * 12
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
    fn id_folding_treats_ascii_and_other_words_alike() {
        assert_eq!(
            normalize_for_id("  Shelling hit\tDEIR ez-Zor\n\nON Thursday "),
            "shelling hit deir ez-zor on thursday"
        );
        // Non-ASCII words fold character by character, next to ASCII ones.
        assert_eq!(
            normalize_for_id("ÉTAT-Major of Ürümqi said \u{a0}CAFÉ"),
            "état-major of ürümqi said café"
        );
        assert_eq!(normalize_for_id("İDLIB"), "i\u{307}dlib");
        assert_eq!(normalize_for_id(" \t\n "), "");
        // Every ASCII character `char::is_whitespace` knows separates words
        // on both paths (0x0b, vertical tab, is not `is_ascii_whitespace`).
        for ws in ["\t", "\n", "\u{b}", "\u{c}", "\r", " "] {
            let ascii = format!("One{ws}{ws}TWO{ws}");
            let mixed = format!("Ōne{ws}{ws}TWO{ws}");
            assert_eq!(normalize_for_id(&ascii), "one two", "{ascii:?}");
            assert_eq!(normalize_for_id(&mixed), "ōne two", "{mixed:?}");
        }
        // Every ASCII byte, against the definition (words split as
        // `split_whitespace` does, each lowercased), on both paths: a byte
        // wrongly added to or left out of the whitespace set shows.
        for b in 0u8..128 {
            let c = char::from(b);
            for s in [format!("A{c}{c}b{c}"), format!("Ā{c}{c}b{c}")] {
                let want: Vec<String> = s.split_whitespace().map(str::to_lowercase).collect();
                assert_eq!(normalize_for_id(&s), want.join(" "), "{b:#04x}");
            }
        }
    }

    #[test]
    fn english_fast_path_agrees_with_whatlang() {
        let en =
            "Government forces said on Tuesday that they had retaken the village of Tell Abyad \
                  from the rebels after two days of fighting, and that the road to the border was \
                  open again. Residents who fled were returning, a local official said.";
        assert!(looks_english(en));
        assert_eq!(whatlang::detect(en).map(|i| i.lang().code()), Some("eng"));
        for not_en in [
            // French, Spanish, German, Dutch, Polish (our own sentences)
            "Les forces gouvernementales ont repris mardi le village de Tell Abyad aux rebelles \
             après deux jours de combats, et la route vers la frontière est de nouveau ouverte.",
            "Las fuerzas del gobierno dijeron el martes que habían recuperado el pueblo de Tell \
             Abyad de manos de los rebeldes tras dos días de combates y que la carretera estaba abierta.",
            "Die Regierungstruppen haben am Dienstag das Dorf Tell Abyad nach zwei Tagen der \
             Kämpfe von den Rebellen zurückerobert, und die Straße zur Grenze ist wieder offen.",
            "De regeringstroepen hebben dinsdag het dorp Tell Abyad na twee dagen van gevechten \
             op de rebellen heroverd, en de weg naar de grens is weer open, zei een ambtenaar.",
            "Siły rządowe odbiły we wtorek wioskę Tell Abyad z rąk rebeliantów po dwóch dniach \
             walk, a droga do granicy jest znowu otwarta, to powiedział lokalny urzędnik.",
            "قالت القوات الحكومية يوم الثلاثاء إنها استعادت قرية تل أبيض من المتمردين بعد يومين من القتال",
            "the the the",
        ] {
            assert!(!looks_english(not_en), "{not_en}");
        }
    }

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
    fn masthead_is_the_host() {
        let own = format!("Frontline Notebook\nMaps and notes on the southern front\n\nHome | Reports | Maps | About\n\nArtillery duels resume along the river\n\nPosted on 2 May 2022 by admin\n\n{BODY}\n\n{BODY}");
        let d = prepare(item(None, None, own)).unwrap();
        assert_eq!(
            (d.outlet.as_deref(), d.reposted_by.as_deref()),
            (Some("Frontline Notebook"), None)
        );
        assert_eq!(
            d.title.as_deref(),
            Some("Artillery duels resume along the river")
        );

        // Re-posts name the origin; the masthead becomes reposted_by.
        for credit in [
            "Originally published by Harbour Herald.",
            "This article first appeared in Harbour Herald.",
            "Republished from Harbour Herald",
        ] {
            let text = format!("Frontline Notebook\n\nHome | Reports | Maps | About\n\nBridge reopens\n\n{credit}\n\n{BODY}");
            let d = prepare(item(None, None, text)).unwrap();
            assert_eq!(
                (d.outlet.as_deref(), d.reposted_by.as_deref()),
                (Some("Harbour Herald"), Some("Frontline Notebook")),
                "{credit}"
            );
        }
        let text = format!("Frontline Notebook\n\nHome | Reports | Maps | About\n\nBridge reopens\n\n{BODY}\n\n{BODY}\n\n© 2022 Harbour Herald");
        let d = prepare(item(None, None, text)).unwrap();
        assert_eq!(
            (d.outlet.as_deref(), d.reposted_by.as_deref()),
            (Some("Harbour Herald"), Some("Frontline Notebook"))
        );
        // Metadata still wins over the masthead.
        let text =
            format!("Frontline Notebook\n\nHome | Reports | About\n\nBridge reopens\n\n{BODY}");
        let d = prepare(item(Some("Al Jazeera English"), None, text)).unwrap();
        assert_eq!(d.outlet.as_deref(), Some("Al Jazeera"));
    }

    #[test]
    fn no_masthead_no_outlet() {
        // Headline first, standfirst, byline: nothing names the outlet.
        for text in [
            format!("Border Crossing Standoff\n\nTrucks wait in the heat while officials argue over permits\n\nBy Lena Fischer\n\n{BODY}"),
            format!("Rebels Retake Hilltop Village\n\nHome | World | Middle East\n\n{BODY}"),
            format!("Aid convoy stuck at border\n\n{BODY}\n\nA doctor told Reuters the hospital was full."),
        ] {
            let d = prepare(item(None, None, text.clone())).unwrap();
            assert_eq!((d.outlet, d.reposted_by), (None, None), "{text}");
        }
        // A wire story without a masthead is the agency's own.
        let d = prepare(item(
            None,
            None,
            format!("Aid convoy stuck at border\n\nBEIRUT (Reuters) - {BODY}"),
        ))
        .unwrap();
        assert_eq!(
            (d.outlet.as_deref(), d.reposted_by.as_deref()),
            (Some("Reuters"), None)
        );
        // Quotes given to an outlet do not outweigh a masthead.
        let text = format!("Frontline Notebook\n\nHome | Reports | About\n\nBridge reopens\n\nA commander told Enab Baladi that {BODY}\n\nResidents told Enab Baladi the road was shut.");
        let d = prepare(item(None, None, text)).unwrap();
        assert_eq!(d.outlet.as_deref(), Some("Frontline Notebook"));
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
