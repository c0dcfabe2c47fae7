//! RSS (2.0, 0.9x and 1.0/RDF) and Atom feeds: one item per `<item>` or
//! `<entry>`. The feed's own title becomes the outlet of its items.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::{encoding, Items};
use crate::{Body, IngestError, RawItem};

/// Where collected text goes. Bodies and dates are ranked: the lowest
/// rank present wins (full content before teasers, publication before
/// update).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Field {
    Outlet,
    Title,
    Link,
    Guid,
    Date(usize),
    Author,
    Body(usize, Kind),
}

/// What a body field's text is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// Decide by looking for markup (RSS description, Atom type="html").
    Sniff,
    /// Atom type="text": never HTML, even with `<` in it.
    Text,
}

const BODY_RANKS: usize = 4;
const DATE_RANKS: usize = 4;

#[derive(Default)]
struct Entry {
    title: Option<String>,
    link: Option<String>,
    guid: Option<String>,
    dates: [Option<String>; DATE_RANKS],
    authors: Vec<String>,
    bodies: [Option<(String, bool)>; BODY_RANKS],
}

pub(super) fn parse(bytes: Vec<u8>, p: &str) -> Result<Items, IngestError> {
    let text = encoding::decode(bytes, None, true).text;
    let mut reader = Reader::from_str(&text);
    // Feeds in the wild carry bare ampersands; keep them as text.
    reader.config_mut().allow_dangling_amp = true;

    let mut items: Items = Vec::new();
    let mut outlet: Option<String> = None;
    let mut stack: Vec<String> = Vec::new();
    let mut entry: Option<(Entry, usize)> = None; // and its depth
    let mut collect: Option<(Field, usize)> = None;
    let mut buf = String::new();
    let mut count = 0usize;
    // Depth of a child element whose text is not wanted.
    let mut skip: Option<usize> = None;

    loop {
        let event = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                let reason = format!("malformed XML at byte {}: {e}", reader.error_position());
                if items.is_empty() && entry.is_none() {
                    return Err(IngestError::invalid(p, reason));
                }
                items.push(Err(IngestError::invalid(
                    p,
                    format!("{reason}; the items before it were kept"),
                )));
                break;
            }
        };
        // Text is kept only inside a field being collected.
        let wanted = collect.is_some() && skip.is_none();
        match event {
            Event::Start(e) => {
                let name = key(&e);
                let depth = stack.len() + 1;
                if collect.is_none() {
                    if let Some((cur, _)) = entry.as_mut() {
                        if let Some(field) = entry_field(&name, &e) {
                            if is_xhtml(&e) && matches!(field, Field::Body(..)) {
                                // Inline XHTML content: keep its markup as is.
                                let inner = reader
                                    .read_text(e.name())
                                    .map(|t| t.into_inner().trim().to_string())
                                    .unwrap_or_default();
                                store(cur, &mut outlet, field, inner, Some(true));
                                continue;
                            }
                            collect = Some((field, depth));
                            buf.clear();
                        } else if name == "author" {
                            // Atom <author><name>; RSS <author> is text.
                            collect = Some((Field::Author, depth));
                            buf.clear();
                        }
                    } else if name == "item" || name == "entry" {
                        entry = Some((Entry::default(), depth));
                    } else if name == "title"
                        && outlet.is_none()
                        && matches!(stack.last().map(String::as_str), Some("channel" | "feed"))
                    {
                        collect = Some((Field::Outlet, depth));
                        buf.clear();
                    }
                } else if matches!(collect, Some((Field::Author, _))) && skip.is_none() {
                    // Atom author: the <name>, not the <email> or <uri>.
                    if name != "name" {
                        skip = Some(depth);
                    }
                }
                stack.push(name);
            }
            Event::Empty(e) => {
                if let Some((cur, _)) = entry.as_mut() {
                    if key(&e) == "link" && cur.link.is_none() {
                        let rel = attr(&e, "rel");
                        if rel.as_deref().is_none_or(|r| r == "alternate") {
                            cur.link = attr(&e, "href").filter(|h| !h.is_empty());
                        }
                    }
                }
            }
            Event::Text(t) if wanted => buf.push_str(&t.xml10_content()),
            Event::CData(c) if wanted => buf.push_str(&c.xml10_content()),
            Event::GeneralRef(r) if wanted => match r.resolve_char_ref() {
                Ok(Some(c)) => buf.push(c),
                _ => match entity(&r) {
                    Some(text) => buf.push_str(text),
                    None => {
                        buf.push('&');
                        buf.push_str(&r);
                        buf.push(';');
                    }
                },
            },
            Event::End(_) => {
                let depth = stack.len();
                stack.pop();
                if skip == Some(depth) {
                    skip = None;
                }
                if let Some((field, d)) = collect {
                    if d == depth {
                        collect = None;
                        let value = std::mem::take(&mut buf);
                        match entry.as_mut() {
                            Some((cur, _)) => store(cur, &mut outlet, field, value, None),
                            None => store(&mut Entry::default(), &mut outlet, field, value, None),
                        }
                    }
                }
                if entry.as_ref().is_some_and(|(_, d)| *d == depth) {
                    if let Some((cur, _)) = entry.take() {
                        count += 1;
                        items.push(finish(cur, outlet.as_deref(), p, count));
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if items.is_empty() {
        return Err(IngestError::invalid(p, "feed has no items"));
    }
    Ok(items)
}

/// Element name used for matching: Atom or RSS elements written with a
/// prefix (`atom:entry`) go by their local name; other namespaces keep
/// their prefix (`content:encoded`, `dc:creator`), so that `media:content`
/// or `media:title` are never taken for the article's content or title.
fn key(e: &BytesStart) -> String {
    let full = e.name().0;
    match full.split_once(':') {
        Some(("atom" | "rss", local)) => local.to_string(),
        _ => full.to_string(),
    }
}

fn entry_field(name: &str, e: &BytesStart) -> Option<Field> {
    let atom_kind = || match attr(e, "type").as_deref() {
        Some("text") | Some("text/plain") => Kind::Text,
        _ => Kind::Sniff,
    };
    Some(match name {
        "title" => Field::Title,
        "link" => Field::Link,
        "guid" | "id" => Field::Guid,
        "pubDate" | "published" => Field::Date(0),
        "dc:date" | "dcterms:issued" => Field::Date(1),
        "updated" | "dcterms:modified" => Field::Date(2),
        "dc:creator" => Field::Author,
        "content:encoded" => Field::Body(0, Kind::Sniff),
        "content" if attr(e, "src").is_none() => Field::Body(1, atom_kind()),
        "description" => Field::Body(2, Kind::Sniff),
        "summary" => Field::Body(3, atom_kind()),
        _ => return None,
    })
}

fn is_xhtml(e: &BytesStart) -> bool {
    attr(e, "type").as_deref() == Some("xhtml")
}

fn attr(e: &BytesStart, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.0 == name || a.key.local_name().as_ref() == name)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.trim().to_string())
        })
}

/// Stores collected text. `html` forces the body kind (inline XHTML).
fn store(
    cur: &mut Entry,
    outlet: &mut Option<String>,
    field: Field,
    value: String,
    html: Option<bool>,
) {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return;
    }
    let value = if trimmed.len() == value.len() {
        value
    } else {
        trimmed.to_string()
    };
    match field {
        Field::Outlet => *outlet = Some(value),
        Field::Title => cur.title = cur.title.take().or(Some(value)),
        Field::Link => cur.link = cur.link.take().or(Some(value)),
        Field::Guid => cur.guid = cur.guid.take().or(Some(value)),
        Field::Date(rank) => {
            let slot = &mut cur.dates[rank.min(DATE_RANKS - 1)];
            *slot = slot.take().or(Some(value));
        }
        Field::Author => {
            if let Some(name) = author_name(&value) {
                if !cur.authors.contains(&name) {
                    cur.authors.push(name);
                }
            }
        }
        Field::Body(rank, kind) => {
            let is_html = html.unwrap_or(kind == Kind::Sniff && has_markup(&value));
            let slot = &mut cur.bodies[rank.min(BODY_RANKS - 1)];
            *slot = slot.take().or(Some((value, is_html)));
        }
    }
}

/// RSS `<author>` is an e-mail address, often with the name in
/// parentheses: keep the name, drop a bare address.
fn author_name(value: &str) -> Option<String> {
    let v = value.trim();
    if let (Some(open), Some(close)) = (v.find('('), v.rfind(')')) {
        if open < close && v[..open].contains('@') {
            let name = v[open + 1..close].trim();
            return (!name.is_empty()).then(|| name.to_string());
        }
    }
    if v.contains('@') && !v.contains(' ') {
        return None;
    }
    Some(v.to_string())
}

/// Markup, as opposed to a stray `<`: a tag, end tag, comment or entity.
fn has_markup(s: &str) -> bool {
    let b = s.as_bytes();
    memchr::memchr_iter(b'<', b).any(
        |i| matches!(b.get(i + 1), Some(c) if c.is_ascii_alphabetic() || *c == b'/' || *c == b'!'),
    )
}

/// Title text without tags (Atom `type="html"` titles carry `<b>` etc.).
fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// HTML entities that show up unescaped in feeds (not defined in XML).
fn entity(name: &str) -> Option<&'static str> {
    Some(match name {
        "lt" => "<",
        "gt" => ">",
        "amp" => "&",
        "apos" => "'",
        "quot" => "\"",
        "nbsp" => "\u{a0}",
        "ndash" => "\u{2013}",
        "mdash" => "\u{2014}",
        "hellip" => "\u{2026}",
        "lsquo" => "\u{2018}",
        "rsquo" => "\u{2019}",
        "ldquo" => "\u{201c}",
        "rdquo" => "\u{201d}",
        "laquo" => "\u{ab}",
        "raquo" => "\u{bb}",
        "eacute" => "\u{e9}",
        "copy" => "\u{a9}",
        _ => return None,
    })
}

fn finish(cur: Entry, outlet: Option<&str>, p: &str, n: usize) -> Result<RawItem, IngestError> {
    let source = format!("{p}#{n}");
    let Some((text, is_html)) = cur.bodies.into_iter().flatten().next() else {
        let what = cur
            .title
            .as_deref()
            .map(|t| format!(" ({t:?})"))
            .unwrap_or_default();
        return Err(IngestError::invalid(
            source,
            format!("feed item{what} has no content (no content:encoded, content, description or summary)"),
        ));
    };
    let url = cur.link.or_else(|| {
        cur.guid
            .filter(|g| g.starts_with("http://") || g.starts_with("https://"))
    });
    Ok(RawItem {
        source,
        id: None,
        url,
        outlet: outlet.map(str::to_string),
        title: cur
            .title
            .map(|t| if has_markup(&t) { strip_tags(&t) } else { t }),
        published: cur.dates.into_iter().flatten().next(),
        byline: cur.authors,
        body: if is_html {
            Body::Html(text)
        } else {
            Body::Text(text)
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authors_and_markup() {
        assert_eq!(
            author_name("desk@example.org (Lina Haddad)").as_deref(),
            Some("Lina Haddad")
        );
        assert_eq!(author_name("desk@example.org"), None);
        assert_eq!(author_name("Omar Said").as_deref(), Some("Omar Said"));
        assert!(has_markup("<p>Shelling</p>"));
        assert!(!has_markup("casualties < 10 & rising"));
        assert_eq!(
            strip_tags("<b>Breaking:</b> talks  resume"),
            "Breaking: talks resume"
        );
    }
}
