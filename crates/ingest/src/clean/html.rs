//! Main-text extraction from an HTML page, and the page's metadata.
//!
//! The page is parsed with html5ever (via scraper) and walked iteratively
//! (ego-tree's `traverse`, no recursion), so any nesting depth is safe;
//! pages nested deeper than [`MAX_DEPTH`] are not even parsed (tree
//! building degrades badly on such input) and fall back to tag stripping.
//!
//! Content is found by scoring, after Readability: every paragraph-like
//! block adds to its parent, grandparent and great-grandparent; class and
//! id names of furniture ("share", "related", "comment") weigh down,
//! article names weigh up; link-heavy containers are discounted. The best
//! container and its well-scored siblings are kept. A JSON-LD
//! `articleBody` is used when the page carries more text there.
//!
//! Set `SITREP_DEBUG_EXTRACT=1` to print the best-scored containers to
//! stderr when tuning (see `eval/extraction/run.py`).

use std::collections::HashMap;

use ego_tree::iter::Edge;
use ego_tree::{NodeId, NodeRef};
use scraper::{Html, Node};

use super::text::{normalize, Line};
use super::{junk_rules, norm_line, ClassHint};

/// Pages nested deeper than this are reduced to their text without parsing.
pub const MAX_DEPTH: usize = 1500;
/// Larger inputs are cut (at a character boundary) before parsing.
pub const MAX_HTML_BYTES: usize = 16 << 20;

/// An HTML page's metadata and main text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    pub title: Option<String>,
    pub site_name: Option<String>,
    /// Publication date as written in the page's metadata, unparsed.
    pub published: Option<String>,
    pub byline: Vec<String>,
    pub canonical: Option<String>,
    pub lang: Option<String>,
    /// The article body: paragraphs, headings, list items (continuations).
    pub lines: Vec<Line>,
}

/// The cleaned main text of a page: paragraphs separated by blank lines.
pub fn main_text(html: &str) -> String {
    super::text::clean_lines(extract_page(html).lines).text()
}

const SKIP_TAGS: &[&str] = &[
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "math",
    "iframe",
    "object",
    "embed",
    "canvas",
    "video",
    "audio",
    "button",
    "select",
    "option",
    "input",
    "textarea",
    "nav",
    "aside",
    "figure",
    "figcaption",
    "picture",
    "dialog",
    "menu",
    "head",
    "link",
    "meta",
];
const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "table",
    "tr",
    "td",
    "th",
    "tbody",
    "thead",
    "tfoot",
    "header",
    "footer",
    "form",
    "fieldset",
    "address",
    "hr",
    "center",
    "details",
    "summary",
    "body",
    "html",
    "caption",
    "hgroup",
];
const VOID_TAGS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "keygen",
];
const OPTIONAL_END: &[&str] = &[
    "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "tbody", "thead", "tfoot",
    "colgroup", "rb", "rt", "rp", "html", "head", "body",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Para,
    Heading,
    Item(NodeId),
}

#[derive(Debug)]
struct Block {
    text: String,
    link_len: usize,
    owner: NodeId,
    seq: u32,
    kind: Kind,
    /// Starts after a single line break inside the same element.
    cont: bool,
}

/// Extracts metadata and main text. Never panics; malformed or hostile
/// markup gives less text, not an error.
pub fn extract_page(html: &str) -> Page {
    let html = cut(html, MAX_HTML_BYTES);
    if nesting_depth(html) > MAX_DEPTH {
        return Page {
            lines: strip_tags(html),
            ..Default::default()
        };
    }
    let doc = Html::parse_document(html);
    let mut page = Page::default();
    let ld = read_meta(&doc, &mut page);
    let mut lines = body_lines(&doc, &page);
    let body_chars: usize = lines.iter().map(|l| l.text.len()).sum();
    if let Some(body) = ld.body.as_deref() {
        // Pages that render from script carry the body only in JSON-LD.
        if body.len() >= 200 && body.len() * 10 > body_chars * 13 {
            lines = normalize(body)
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(Line::para)
                .collect();
        }
    }
    page.lines = lines;
    page
}

fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Element nesting depth as written (void and optional-end tags do not
/// nest), from a byte scan that costs far less than parsing.
pub fn nesting_depth(html: &str) -> usize {
    let b = html.as_bytes();
    let (mut depth, mut max, mut i) = (0usize, 0usize, 0usize);
    while let Some(off) = memchr_lt(&b[i..]) {
        i += off + 1;
        if b[i..].starts_with(b"!--") {
            i = find(b, i, b"-->").unwrap_or(b.len());
            continue;
        }
        let close = b.get(i) == Some(&b'/');
        let s = if close { i + 1 } else { i };
        let mut e = s;
        while e < b.len() && (b[e].is_ascii_alphanumeric() || b[e] == b'-') {
            e += 1;
        }
        if e == s {
            continue;
        }
        let name = &b[s..e];
        let gt = find(b, e, b">").unwrap_or(b.len());
        let self_closing = gt > 0 && b.get(gt - 1) == Some(&b'/');
        let flat = is_one_of(name, OPTIONAL_END) || is_one_of(name, VOID_TAGS);
        if close {
            if !flat {
                depth = depth.saturating_sub(1);
            }
        } else if name.eq_ignore_ascii_case(b"script") || name.eq_ignore_ascii_case(b"style") {
            // Raw text: skip to the end tag.
            let end_tag: &[u8] = if name.len() == 6 {
                b"</script"
            } else {
                b"</style"
            };
            i = find_ci(b, gt, end_tag).unwrap_or(b.len());
            continue;
        } else if !self_closing && !flat {
            depth += 1;
            max = max.max(depth);
        }
        i = gt.min(b.len());
    }
    max
}

fn memchr_lt(b: &[u8]) -> Option<usize> {
    memchr::memchr(b'<', b)
}

fn find(b: &[u8], from: usize, pat: &[u8]) -> Option<usize> {
    memchr::memmem::find(b.get(from..)?, pat).map(|p| p + from)
}

/// Case-insensitive search for an ASCII end tag ("</script").
fn find_ci(b: &[u8], from: usize, pat: &[u8]) -> Option<usize> {
    let mut at = from;
    loop {
        let p = at + memchr::memchr(b'<', b.get(at..)?)?;
        if b.get(p..p + pat.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(pat))
        {
            return Some(p);
        }
        at = p + 1;
    }
}

fn is_one_of(name: &[u8], list: &[&str]) -> bool {
    list.iter().any(|t| t.as_bytes().eq_ignore_ascii_case(name))
}

/// Text of a page too deeply nested to parse: tags removed, block tags
/// and line breaks become line ends, script and style dropped.
fn strip_tags(html: &str) -> Vec<Line> {
    let b = html.as_bytes();
    let mut out = String::with_capacity(html.len() / 4);
    let mut i = 0;
    while i < b.len() {
        let Some(off) = memchr_lt(&b[i..]) else {
            out.push_str(&html[i..]);
            break;
        };
        out.push_str(&html[i..i + off]);
        let t = i + off;
        let gt = find(b, t, b">").map_or(b.len(), |g| g + 1);
        let tag = &b[t..gt.min(b.len()).min(t + 8)];
        let starts =
            |p: &str| tag.len() >= p.len() && tag[..p.len()].eq_ignore_ascii_case(p.as_bytes());
        i = gt;
        if starts("<script") || starts("<style") {
            let end: &[u8] = if starts("<script") {
                b"</script"
            } else {
                b"</style"
            };
            i = find_ci(b, i, end).unwrap_or(b.len());
        } else if [
            "<p", "</p", "<br", "<div", "</div", "<li", "<h", "</h", "<tr",
        ]
        .iter()
        .any(|p| starts(p))
        {
            out.push('\n');
        }
    }
    let text = normalize(&decode_entities(&out));
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(Line::para)
        .collect()
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        let end = rest[..rest.len().min(12)].find(';');
        let decoded = end.and_then(|e| {
            let ent = &rest[1..e];
            let c = match ent {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => ent
                    .strip_prefix("#x")
                    .or_else(|| ent.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| ent.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[derive(Default)]
struct LdArticle {
    body: Option<String>,
}

/// Reads title, site, date, author, canonical URL and language from meta
/// tags and JSON-LD; returns the JSON-LD article body if any.
fn read_meta(doc: &Html, page: &mut Page) -> LdArticle {
    let mut og_title = None;
    let mut title_tag = None;
    let mut h1 = None;
    let mut authors: Vec<String> = Vec::new();
    let mut rel_authors: Vec<String> = Vec::new();
    let mut time_tag = None;
    let mut ld = LdArticle::default();
    let mut ld_meta = LdMeta::default();
    for node in doc.tree.root().descendants() {
        let Some(el) = node.value().as_element() else {
            continue;
        };
        match el.name() {
            "html" => {
                page.lang = el
                    .attr("lang")
                    .map(|l| l.trim().to_string())
                    .filter(|l| !l.is_empty())
            }
            "title" if title_tag.is_none() => title_tag = Some(node_text(node)),
            "h1" if h1.is_none() => h1 = Some(node_text(node)).filter(|t| !t.is_empty()),
            "meta" => {
                let key = el
                    .attr("property")
                    .or(el.attr("name"))
                    .or(el.attr("itemprop"))
                    .unwrap_or("")
                    .to_ascii_lowercase();
                let val = el
                    .attr("content")
                    .or(el.attr("datetime"))
                    .map(str::trim)
                    .filter(|v| !v.is_empty());
                let Some(val) = val else { continue };
                match key.as_str() {
                    "og:title" | "twitter:title" => {
                        og_title.get_or_insert_with(|| val.to_string());
                    }
                    "og:site_name" | "application-name" | "publisher" => {
                        page.site_name.get_or_insert_with(|| val.to_string());
                    }
                    "article:published_time"
                    | "og:published_time"
                    | "datepublished"
                    | "pubdate"
                    | "publishdate"
                    | "publish-date"
                    | "date"
                    | "dc.date"
                    | "dc.date.issued"
                    | "dcterms.date"
                    | "sailthru.date"
                    | "parsely-pub-date"
                    | "article.published"
                    | "published_time" => {
                        page.published.get_or_insert_with(|| val.to_string());
                    }
                    "author" | "article:author" | "dc.creator" | "parsely-author"
                    | "sailthru.author"
                        if !val.contains("://") && !val.starts_with("www.") =>
                    {
                        authors.push(val.to_string());
                    }
                    "og:url" => {
                        page.canonical.get_or_insert_with(|| val.to_string());
                    }
                    _ => {}
                }
            }
            "link"
                if el
                    .attr("rel")
                    .is_some_and(|r| r.eq_ignore_ascii_case("canonical")) =>
            {
                if let Some(h) = el.attr("href").filter(|h| h.contains("://")) {
                    page.canonical = Some(h.to_string());
                }
            }
            "a" if el.attr("rel").is_some_and(|r| {
                r.split_whitespace()
                    .any(|x| x.eq_ignore_ascii_case("author"))
            }) =>
            {
                let t = node_text(node);
                if (3..60).contains(&t.len()) {
                    rel_authors.push(t);
                }
            }
            "time" if time_tag.is_none() => time_tag = el.attr("datetime").map(str::to_string),
            "script"
                if el
                    .attr("type")
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json")) =>
            {
                let raw = node_text_raw(node);
                if raw.len() < 4 << 20 {
                    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&raw) {
                        read_json_ld(&v, &mut ld_meta);
                    }
                }
            }
            _ => {}
        }
    }
    if page.published.is_none() {
        page.published = ld_meta.published.clone().or(time_tag);
    }
    if page.site_name.is_none() {
        page.site_name = ld_meta.publisher.clone();
    }
    page.title = og_title
        .or(ld_meta.headline.clone())
        .or(h1)
        .or_else(|| title_tag.map(|t| strip_site(&t, page.site_name.as_deref())));
    page.title = page
        .title
        .take()
        .map(|t| normalize(&t).replace('\n', " "))
        .filter(|t| !t.is_empty());
    page.byline = if !authors.is_empty() {
        authors
    } else if !ld_meta.authors.is_empty() {
        ld_meta.authors.clone()
    } else {
        rel_authors
    };
    page.byline.dedup();
    ld.body = ld_meta.body;
    ld
}

/// "Headline | Site" → "Headline".
fn strip_site(title: &str, site: Option<&str>) -> String {
    let t = title.trim();
    let is_site = |part: &str| {
        site.map_or(part.split_whitespace().count() <= 4, |s| {
            norm_line(part) == norm_line(s)
        })
    };
    for sep in [" | ", " - ", " – ", " — ", " :: ", " » "] {
        if let Some((head, tail)) = t.rsplit_once(sep) {
            if is_site(tail) && head.split_whitespace().count() >= 3 {
                return strip_site(head, site);
            }
        }
        if let Some((head, tail)) = t.split_once(sep) {
            if is_site(head) && tail.split_whitespace().count() >= 3 {
                return tail.trim().to_string();
            }
        }
    }
    t.to_string()
}

#[derive(Default)]
struct LdMeta {
    headline: Option<String>,
    body: Option<String>,
    published: Option<String>,
    publisher: Option<String>,
    authors: Vec<String>,
}

/// Walks JSON-LD (iteratively) for the first article-typed object.
fn read_json_ld(v: &serde_json::Value, out: &mut LdMeta) {
    use serde_json::Value;
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::Array(a) => stack.extend(a.iter().rev()),
            Value::Object(o) => {
                let is_article = match o.get("@type") {
                    Some(Value::String(t)) => {
                        t.contains("Article") || t.contains("Posting") || t == "Report"
                    }
                    Some(Value::Array(ts)) => ts.iter().any(|t| {
                        t.as_str()
                            .is_some_and(|t| t.contains("Article") || t.contains("Posting"))
                    }),
                    _ => false,
                };
                if is_article && out.headline.is_none() && out.body.is_none() {
                    let s = |k: &str| {
                        o.get(k)
                            .and_then(Value::as_str)
                            .map(str::trim)
                            .filter(|x| !x.is_empty())
                            .map(String::from)
                    };
                    out.headline = s("headline").or_else(|| s("name"));
                    out.body = s("articleBody");
                    out.published = s("datePublished").or_else(|| s("dateCreated"));
                    out.publisher = o
                        .get("publisher")
                        .and_then(|p| p.get("name"))
                        .and_then(Value::as_str)
                        .map(String::from);
                    let mut names = Vec::new();
                    match o.get("author") {
                        Some(Value::String(a)) => names.push(a.clone()),
                        Some(Value::Object(a)) => {
                            names.extend(a.get("name").and_then(Value::as_str).map(String::from))
                        }
                        Some(Value::Array(a)) => names.extend(a.iter().filter_map(|x| {
                            x.as_str()
                                .map(String::from)
                                .or_else(|| x.get("name").and_then(Value::as_str).map(String::from))
                        })),
                        _ => {}
                    }
                    out.authors = names
                        .into_iter()
                        .map(|n| n.trim().to_string())
                        .filter(|n| !n.is_empty() && !n.contains("://"))
                        .collect();
                }
                if let Some(g) = o.get("@graph") {
                    stack.push(g);
                }
                if let Some(m) = o.get("mainEntity") {
                    stack.push(m);
                }
            }
            _ => {}
        }
    }
}

fn node_text(node: NodeRef<'_, Node>) -> String {
    let mut s = String::new();
    for d in node.descendants() {
        if let Node::Text(t) = d.value() {
            s.push_str(t);
            s.push(' ');
        }
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn node_text_raw(node: NodeRef<'_, Node>) -> String {
    node.descendants()
        .filter_map(|d| d.value().as_text().map(|t| t.to_string()))
        .collect()
}

/// Whether an element is hidden from readers.
fn is_hidden(el: &scraper::node::Element) -> bool {
    el.attr("hidden").is_some()
        || el
            .attr("aria-hidden")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        || el.attr("style").is_some_and(|s| {
            let s = s.to_ascii_lowercase().replace(' ', "");
            s.contains("display:none") || s.contains("visibility:hidden")
        })
}

/// Per-element text totals (characters, of which inside links).
#[derive(Debug, Default, Clone, Copy)]
struct Totals {
    text: usize,
    link: usize,
}

/// Pass 1: text totals of every element, so that furniture-named
/// containers holding most of the page's text are not dropped wholesale.
fn totals(doc: &Html) -> (HashMap<NodeId, Totals>, usize) {
    let mut map = HashMap::new();
    let mut stack: Vec<(NodeId, Totals)> = Vec::new();
    let mut skip: Option<NodeId> = None;
    let mut link_depth = 0usize;
    for edge in doc.tree.root().traverse() {
        match edge {
            Edge::Open(n) => {
                if skip.is_some() {
                    continue;
                }
                match n.value() {
                    Node::Element(el) => {
                        let name = el.name();
                        if matches!(name, "script" | "style" | "noscript" | "template" | "head") {
                            skip = Some(n.id());
                            continue;
                        }
                        if name == "a" {
                            link_depth += 1;
                        }
                        stack.push((n.id(), Totals::default()));
                    }
                    Node::Text(t) => {
                        if let Some((_, tot)) = stack.last_mut() {
                            let c = t.chars().filter(|c| !c.is_whitespace()).count();
                            tot.text += c;
                            if link_depth > 0 {
                                tot.link += c;
                            }
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(n) => {
                if skip == Some(n.id()) {
                    skip = None;
                    continue;
                }
                if skip.is_some() || !n.value().is_element() {
                    continue;
                }
                if n.value().as_element().is_some_and(|e| e.name() == "a") {
                    link_depth = link_depth.saturating_sub(1);
                }
                if let Some((id, tot)) = stack.pop() {
                    if let Some((_, parent)) = stack.last_mut() {
                        parent.text += tot.text;
                        parent.link += tot.link;
                    }
                    map.insert(id, tot);
                }
            }
        }
    }
    let total = doc
        .tree
        .root()
        .children()
        .filter_map(|c| map.get(&c.id()))
        .map(|t| t.text)
        .sum();
    (map, total)
}

struct Walker {
    blocks: Vec<Block>,
    buf: String,
    buf_link: usize,
    link_depth: usize,
    pre_depth: usize,
    seq: u32,
}

impl Walker {
    fn push_text(&mut self, t: &str) {
        // Invisible characters (BOM, zero-width space, soft hyphen) go.
        let cleaned;
        let t = if t.contains(['\u{feff}', '\u{200b}', '\u{ad}', '\u{2060}']) {
            cleaned = t.replace(['\u{feff}', '\u{200b}', '\u{ad}', '\u{2060}'], "");
            cleaned.as_str()
        } else {
            t
        };
        if self.pre_depth > 0 {
            self.buf.push_str(t);
            if self.link_depth > 0 {
                self.buf_link += t.len();
            }
            return;
        }
        let starts_ws = t.starts_with(char::is_whitespace);
        let ends_ws = t.ends_with(char::is_whitespace);
        let mut first = true;
        for w in t.split_whitespace() {
            if (!first || starts_ws) && !self.buf.is_empty() && !self.buf.ends_with([' ', '\n']) {
                self.buf.push(' ');
            }
            first = false;
            self.buf.push_str(w);
            if self.link_depth > 0 {
                self.buf_link += w.len();
            }
        }
        if ends_ws && !self.buf.is_empty() && !self.buf.ends_with([' ', '\n']) {
            self.buf.push(' ');
        }
    }

    fn flush(&mut self, owner: NodeId, kind: Kind) {
        if self.buf.trim().is_empty() {
            self.buf.clear();
            self.buf_link = 0;
            return;
        }
        let buf = std::mem::take(&mut self.buf);
        let total = buf.len().max(1);
        let mut cont = false;
        for (i, seg) in buf.split("\n\n").enumerate() {
            for (j, line) in seg.split('\n').enumerate() {
                let line = line.trim();
                if line.is_empty() {
                    continue;
                }
                let link_len = self.buf_link * line.len() / total;
                self.blocks.push(Block {
                    text: line.to_string(),
                    link_len,
                    owner,
                    seq: self.seq,
                    kind,
                    cont: cont && (j > 0 || i == 0),
                });
                cont = true;
            }
            cont = false;
        }
        self.buf_link = 0;
    }
}

/// Pass 2: the page's blocks in document order, furniture skipped, then
/// the main content chosen by scoring.
fn body_lines(doc: &Html, page: &Page) -> Vec<Line> {
    let rules = junk_rules();
    let (tot, page_total) = totals(doc);
    let mut w = Walker {
        blocks: Vec::new(),
        buf: String::new(),
        buf_link: 0,
        link_depth: 0,
        pre_depth: 0,
        seq: 0,
    };
    let mut ranges: HashMap<NodeId, (u32, u32)> = HashMap::new();
    let mut skip: Option<NodeId> = None;
    let mut owners: Vec<(NodeId, Kind)> = Vec::new();
    let mut hints: HashMap<NodeId, ClassHint> = HashMap::new();
    let root = doc.tree.root();
    let root_id = root.id();
    let mut inside_article = 0usize;

    for edge in root.traverse() {
        match edge {
            Edge::Open(n) => {
                if skip.is_some() {
                    continue;
                }
                match n.value() {
                    Node::Text(t) => w.push_text(t),
                    Node::Element(el) => {
                        let name = el.name();
                        w.seq += 1;
                        let hint = rules.class_hint(el.attr("class"), el.attr("id"));
                        let share = tot.get(&n.id()).map_or(0, |t| t.text);
                        let big = page_total > 0 && share * 10 >= page_total * 6;
                        // Headings are too small to hide furniture; their classes ("subheader") mislead.
                        let structural = matches!(
                            name,
                            "html"
                                | "body"
                                | "main"
                                | "article"
                                | "h1"
                                | "h2"
                                | "h3"
                                | "h4"
                                | "h5"
                                | "h6"
                        );
                        let furniture_tag = matches!(name, "header" | "footer")
                            && inside_article == 0
                            || (name == "form"
                                && (hint == ClassHint::Junk
                                    || el.attr("action").is_some_and(|a| {
                                        let a = a.to_ascii_lowercase();
                                        ["comment", "search", "subscribe", "login", "newsletter"]
                                            .iter()
                                            .any(|x| a.contains(x))
                                    })));
                        if SKIP_TAGS.contains(&name)
                            || is_hidden(el)
                            || (!structural && !big && (hint == ClassHint::Junk || furniture_tag))
                        {
                            skip = Some(n.id());
                            continue;
                        }
                        if hint != ClassHint::Neutral {
                            hints.insert(n.id(), hint);
                        }
                        match name {
                            "br" => w.buf.push('\n'),
                            "a" => w.link_depth += 1,
                            "pre" => w.pre_depth += 1,
                            "article" | "main" => inside_article += 1,
                            _ => {}
                        }
                        if BLOCK_TAGS.contains(&name) {
                            let (owner, kind) =
                                owners.last().copied().unwrap_or((root_id, Kind::Para));
                            w.flush(owner, kind);
                            let kind = match name {
                                "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => Kind::Heading,
                                "li" | "dt" | "dd" => {
                                    Kind::Item(n.parent().map_or(n.id(), |p| p.id()))
                                }
                                _ => Kind::Para,
                            };
                            owners.push((n.id(), kind));
                            ranges.insert(n.id(), (w.seq, u32::MAX));
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(n) => {
                if skip == Some(n.id()) {
                    skip = None;
                    continue;
                }
                if skip.is_some() {
                    continue;
                }
                let Some(el) = n.value().as_element() else {
                    continue;
                };
                let name = el.name();
                match name {
                    "a" => w.link_depth = w.link_depth.saturating_sub(1),
                    "pre" => w.pre_depth = w.pre_depth.saturating_sub(1),
                    "article" | "main" => inside_article = inside_article.saturating_sub(1),
                    _ => {}
                }
                if BLOCK_TAGS.contains(&name) {
                    if let Some((owner, kind)) = owners.pop() {
                        w.flush(owner, kind);
                    }
                    w.seq += 1;
                    if let Some(r) = ranges.get_mut(&n.id()) {
                        r.1 = w.seq;
                    }
                }
            }
        }
    }
    let (owner, kind) = owners.last().copied().unwrap_or((root_id, Kind::Para));
    w.flush(owner, kind);
    select(doc, w.blocks, &tot, &ranges, &hints, page)
}

fn tag_weight(name: &str) -> f64 {
    match name {
        "div" | "article" | "section" | "main" => 5.0,
        "pre" | "td" | "blockquote" => 3.0,
        "address" | "ol" | "ul" | "dl" | "dd" | "dt" | "li" | "form" => -3.0,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th" => -5.0,
        _ => 0.0,
    }
}

fn select(
    doc: &Html,
    blocks: Vec<Block>,
    tot: &HashMap<NodeId, Totals>,
    ranges: &HashMap<NodeId, (u32, u32)>,
    hints: &HashMap<NodeId, ClassHint>,
    page: &Page,
) -> Vec<Line> {
    let mut scores: HashMap<NodeId, f64> = HashMap::new();
    let init = |id: NodeId| -> f64 {
        let Some(node) = doc.tree.get(id) else {
            return 0.0;
        };
        let Some(el) = node.value().as_element() else {
            return 0.0;
        };
        let mut s = tag_weight(el.name());
        s += match hints.get(&id) {
            Some(ClassHint::Content) => 25.0,
            Some(ClassHint::Junk) => -25.0,
            _ => 0.0,
        };
        if el.attr("itemprop").is_some_and(|p| {
            p.split_whitespace()
                .any(|x| x.eq_ignore_ascii_case("articleBody"))
        }) {
            s += 50.0;
        }
        s
    };
    for b in &blocks {
        let len = b.text.chars().count();
        if len < 25 || matches!(b.kind, Kind::Heading) {
            continue;
        }
        let commas = b.text.matches([',', '،', '，']).count() as f64;
        let score = 1.0 + commas + (len as f64 / 100.0).min(3.0);
        let mut node = doc.tree.get(b.owner);
        // A paragraph scores for its container, not for itself, unless it
        // is a text-bearing div (no paragraph tags).
        let is_p = node
            .and_then(|n| n.value().as_element().map(|e| e.name() != "div"))
            .unwrap_or(true);
        if is_p {
            node = node.and_then(|n| n.parent());
        }
        for level in 0..3 {
            let Some(n) = node else { break };
            if !n.value().is_element() {
                break;
            }
            let div = match level {
                0 => 1.0,
                1 => 2.0,
                _ => 3.0 * level as f64,
            };
            let e = scores.entry(n.id()).or_insert_with(|| init(n.id()));
            *e += score / div;
            node = n.parent();
        }
    }
    let final_score = |id: NodeId, s: f64| {
        let t = tot.get(&id).copied().unwrap_or_default();
        let ld = if t.text == 0 {
            0.0
        } else {
            t.link as f64 / t.text as f64
        };
        s * (1.0 - ld)
    };
    let mut best = scores
        .iter()
        .map(|(&id, &s)| (id, final_score(id, s)))
        .filter(|(id, _)| ranges.contains_key(id))
        .max_by(|a, b| a.1.total_cmp(&b.1).then_with(|| b.0.cmp(&a.0)));
    // A marked-up article body with real text is the body, whatever wraps it.
    if let Some((_, top)) = best {
        let marked = scores
            .iter()
            .map(|(&id, &s)| (id, final_score(id, s)))
            .filter(|(id, f)| {
                *f >= top * 0.5
                    && tot.get(id).is_some_and(|t| t.text >= 300)
                    && doc
                        .tree
                        .get(*id)
                        .and_then(|n| n.value().as_element().and_then(|e| e.attr("itemprop")))
                        .is_some_and(|p| {
                            p.split_whitespace()
                                .any(|x| x.eq_ignore_ascii_case("articleBody"))
                        })
            });
        if let Some(m) = marked.max_by(|a, b| a.1.total_cmp(&b.1)) {
            best = Some(m);
        }
    }

    let mut keep_ranges: Vec<(u32, u32)> = Vec::new();
    if std::env::var_os("SITREP_DEBUG_EXTRACT").is_some() {
        let mut v: Vec<_> = scores
            .iter()
            .map(|(&id, &s)| (final_score(id, s), s, id))
            .collect();
        v.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (f, s, id) in v.iter().take(6) {
            let el = doc.tree.get(*id).and_then(|n| {
                n.value()
                    .as_element()
                    .map(|e| format!("{}.{}", e.name(), e.attr("class").unwrap_or("")))
            });
            eprintln!("cand {f:.1} raw {s:.1} {el:?}");
        }
    }
    if let Some((top, top_score)) = best {
        if let Some(r) = ranges.get(&top) {
            keep_ranges.push(*r);
        }
        let threshold = (top_score * 0.2).max(10.0);
        if let Some(parent) = doc.tree.get(top).and_then(|n| n.parent()) {
            for sib in parent.children().filter(|c| c.id() != top) {
                let Some(el) = sib.value().as_element() else {
                    continue;
                };
                let Some(r) = ranges.get(&sib.id()) else {
                    continue;
                };
                let t = tot.get(&sib.id()).copied().unwrap_or_default();
                let ld = if t.text == 0 {
                    1.0
                } else {
                    t.link as f64 / t.text as f64
                };
                let s = scores
                    .get(&sib.id())
                    .map(|&s| final_score(sib.id(), s))
                    .unwrap_or(0.0);
                let good_p =
                    el.name() == "p" && ((t.text > 80 && ld < 0.25) || (t.text > 0 && ld == 0.0));
                if s >= threshold
                    || good_p
                    || (matches!(el.name(), "h2" | "h3" | "blockquote") && ld < 0.5)
                {
                    keep_ranges.push(*r);
                }
            }
        }
    } else {
        keep_ranges.push((0, u32::MAX));
    }

    let title_key = page.title.as_deref().map(norm_line);
    let mut out: Vec<Line> = Vec::new();
    let mut prev_item: Option<NodeId> = None;
    for b in blocks {
        if !keep_ranges.iter().any(|&(a, z)| b.seq >= a && b.seq <= z) {
            continue;
        }
        let len = b.text.len();
        if b.link_len * 2 > len {
            continue;
        }
        // The headline is page metadata, not body.
        if out.len() < 3 && title_key.as_deref() == Some(norm_line(&b.text).as_str()) {
            continue;
        }
        let cont = match b.kind {
            Kind::Item(list) => {
                let c = prev_item == Some(list) || b.cont;
                prev_item = Some(list);
                c
            }
            _ => {
                prev_item = None;
                b.cont
            }
        };
        out.push(Line { text: b.text, cont });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities() {
        assert_eq!(
            decode_entities("a &amp; b &#8211; c &#x41; &bogus; &"),
            "a & b – c A &bogus; &"
        );
    }

    #[test]
    fn depth_scan() {
        assert_eq!(nesting_depth("<div><p>a<p>b<br><img src=x></div>"), 1);
        assert_eq!(
            nesting_depth("<div><div><span>x</span></div></div><!-- <div><div><div> -->"),
            3
        );
        assert_eq!(
            nesting_depth("<script>if (a<b) { '<div><div>' }</script><b>x</b>"),
            1
        );
    }

    #[test]
    fn site_suffix() {
        assert_eq!(
            strip_site(
                "Troops withdraw from the hill | The Daily Post",
                Some("The Daily Post")
            ),
            "Troops withdraw from the hill"
        );
        assert_eq!(strip_site("Breaking - News", None), "Breaking - News");
    }
}
