//! Readers: files and folders into [`RawItem`]s.
//!
//! [`read_file`] picks a reader by extension, then checks the content:
//! gzip is recognised by its magic bytes whatever the name, `.xml` is told
//! apart as RSS, Atom or XHTML by its root element, `.json` as one object,
//! an array or JSON Lines, and a file with an unknown extension is sniffed.
//!
//! Memory is bounded for every input: single-article files (`.txt`,
//! `.html`) and feeds are capped and rejected up front when larger;
//! JSON Lines, JSON arrays and WARC are streamed record by record with a
//! per-record cap, so a multi-gigabyte archive never sits in memory.
//!
//! Item sources are `path` for single-article files and `path#N` otherwise:
//! N is the line for JSON Lines, the record number for WARC and the item
//! number for feeds and JSON arrays.

mod encoding;
mod feed;
mod jsonl;
mod warc;

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};

use flate2::bufread::MultiGzDecoder;

use crate::{Body, IngestError, RawItem};

/// Largest single-article file (`.txt`, `.html`), also after decompression.
pub const ARTICLE_CAP: u64 = 32 << 20;
/// Largest feed file: feeds are parsed whole.
pub const FEED_CAP: u64 = 64 << 20;
/// Largest record in a streamed format (a JSON line, a WARC HTML body).
pub const RECORD_CAP: usize = 32 << 20;
/// Bytes looked at to sniff binary content and formats.
const SNIFF: usize = 8192;
const BUF: usize = 64 << 10;

/// The result of reading one file: its items, each kept or rejected alone.
pub type Items = Vec<Result<RawItem, IngestError>>;

/// Extensions we read from folders (a trailing `.gz` is also accepted).
const EXTENSIONS: &[&str] = &[
    "txt", "html", "htm", "xhtml", "jsonl", "ndjson", "json", "xml", "rss", "atom", "warc",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Html,
    Json,
    Jsonl,
    Feed,
    Warc,
    Unknown,
}

/// Format from the file name, and whether the name ends in `.gz`.
fn format_from_name(path: &Path) -> (Format, bool) {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let (stem, gz) = match name.strip_suffix(".gz") {
        Some(stem) => (stem, true),
        None => (name.as_str(), false),
    };
    let ext = stem.rsplit_once('.').map_or("", |(_, e)| e);
    let format = match ext {
        "txt" => Format::Text,
        "html" | "htm" | "xhtml" => Format::Html,
        "json" => Format::Json,
        "jsonl" | "ndjson" => Format::Jsonl,
        "xml" | "rss" | "atom" => Format::Feed,
        "warc" => Format::Warc,
        _ => Format::Unknown,
    };
    (format, gz)
}

fn accepted(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let stem = name.strip_suffix(".gz").unwrap_or(&name);
    stem.rsplit_once('.')
        .is_some_and(|(base, ext)| !base.is_empty() && EXTENSIONS.contains(&ext))
}

fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
}

/// Expands files and folders into input files: folders depth-first with
/// entries sorted by name, hidden entries and unknown extensions skipped.
/// A file named explicitly is always returned (its reader sniffs it).
pub fn discover(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<IngestError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let mut seen_files = HashSet::new();
    // Canonical folders already walked: symlink loops end here.
    let mut seen_dirs = HashSet::new();
    for root in paths {
        let meta = match fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                errors.push(IngestError::Io {
                    path: root.display().to_string(),
                    source: e,
                });
                continue;
            }
        };
        if !meta.is_dir() {
            if seen_files.insert(root.clone()) {
                files.push(root.clone());
            }
            continue;
        }
        // Explicit stack, not recursion: deep trees cannot overflow it.
        let mut stack = vec![root.clone()];
        while let Some(dir) = stack.pop() {
            if let Ok(canon) = fs::canonicalize(&dir) {
                if !seen_dirs.insert(canon) {
                    continue;
                }
            }
            let entries = match fs::read_dir(&dir).and_then(|rd| rd.collect::<Result<Vec<_>, _>>())
            {
                Ok(e) => e,
                Err(e) => {
                    errors.push(IngestError::Io {
                        path: dir.display().to_string(),
                        source: e,
                    });
                    continue;
                }
            };
            let mut entries: Vec<PathBuf> = entries
                .into_iter()
                .map(|e| e.path())
                .filter(|p| !is_hidden(p))
                .collect();
            entries.sort();
            let mut subdirs = Vec::new();
            for path in entries {
                match fs::metadata(&path) {
                    Ok(m) if m.is_dir() => subdirs.push(path),
                    Ok(_) if accepted(&path) => {
                        if seen_files.insert(path.clone()) {
                            files.push(path);
                        }
                    }
                    Ok(_) => {
                        tracing::debug!(path = %path.display(), "skipped: not an input extension")
                    }
                    Err(e) => errors.push(IngestError::Io {
                        path: path.display().to_string(),
                        source: e,
                    }),
                }
            }
            // Files of a folder come before its subfolders, all in name order.
            stack.extend(subdirs.into_iter().rev());
        }
    }
    (files, errors)
}

/// Reads one file into its items (see the module docs for the formats).
pub fn read_file(path: &Path) -> Result<Items, IngestError> {
    let p = path.display().to_string();
    let io_err = |e: io::Error| IngestError::Io {
        path: p.clone(),
        source: e,
    };
    let meta = fs::metadata(path).map_err(io_err)?;
    if meta.is_dir() {
        return Err(IngestError::invalid(&p, "is a folder, not a file"));
    }
    if meta.len() == 0 {
        return Err(IngestError::invalid(&p, "empty file"));
    }
    let (mut format, _) = format_from_name(path);
    let mut raw = BufReader::with_capacity(BUF, File::open(path).map_err(io_err)?);
    let gz = raw.fill_buf().map_err(io_err)?.starts_with(&[0x1f, 0x8b]);
    if !gz {
        // Reject oversized single-article files before reading a byte.
        if let Some(cap) = size_cap(format).filter(|&c| meta.len() > c) {
            return Err(IngestError::invalid(&p, too_big(meta.len(), cap, format)));
        }
    }
    let mut reader: Box<dyn BufRead> = if gz {
        Box::new(BufReader::with_capacity(BUF, MultiGzDecoder::new(raw)))
    } else {
        Box::new(raw)
    };
    let mut head = Vec::with_capacity(SNIFF);
    if let Err(e) = reader.by_ref().take(SNIFF as u64).read_to_end(&mut head) {
        if !gz || head.is_empty() {
            return Err(if gz { gzip_error(&p, &e) } else { io_err(e) });
        }
        // A gzip cut short within the first bytes: what was decompressed
        // may still hold complete records; the readers report the error.
        reader = Box::new(FailingReader(Some(e)));
    }
    if head.is_empty() {
        return Err(IngestError::invalid(
            &p,
            "empty file (the archive holds no data)",
        ));
    }
    // UTF-16 files are sniffed on their UTF-8 transcoding.
    let utf16 = encoding_rs::Encoding::for_bom(&head).is_some_and(|(e, _)| e != encoding_rs::UTF_8);
    let sniff_head = if utf16 {
        std::borrow::Cow::Owned(
            encoding::decode(head.clone(), None, false)
                .text
                .into_bytes(),
        )
    } else {
        std::borrow::Cow::Borrowed(head.as_slice())
    };
    if format == Format::Unknown {
        format = sniff_format(&sniff_head);
        if let Some(cap) = size_cap(format).filter(|&c| !gz && meta.len() > c) {
            return Err(IngestError::invalid(&p, too_big(meta.len(), cap, format)));
        }
    }
    if format == Format::Warc || (format != Format::Text && head.starts_with(b"WARC/")) {
        let reader = Cursor::new(head).chain(reader);
        return warc::read(reader, &p, gz);
    }
    if let Some(why) = binary_reason(&head) {
        return Err(IngestError::invalid(&p, why));
    }
    if format == Format::Feed {
        match xml_root(&sniff_head).as_deref() {
            Some("rss" | "rdf:RDF" | "feed" | "atom:feed") => {}
            Some("html") => format = Format::Html,
            Some(root) => {
                return Err(IngestError::invalid(
                    &p,
                    format!("XML root <{root}> is neither an RSS 2.0 nor an Atom feed"),
                ))
            }
            None => {
                return Err(IngestError::invalid(
                    &p,
                    "not XML: no root element in the first 8 KB",
                ))
            }
        }
    }
    drop(sniff_head);
    let reader = Cursor::new(head).chain(reader);
    if utf16 && matches!(format, Format::Json | Format::Jsonl) {
        // The line and value scanners work on UTF-8 bytes: transcode first.
        let bytes = read_capped(reader, FEED_CAP, &p, gz, format)?;
        let utf8 = Cursor::new(encoding::decode(bytes, None, false).text.into_bytes());
        return match format {
            Format::Json => jsonl::read_json(utf8, &p),
            _ => jsonl::read_lines(utf8, &p),
        };
    }
    match format {
        Format::Json => jsonl::read_json(reader, &p),
        Format::Jsonl => jsonl::read_lines(reader, &p),
        Format::Feed => {
            let bytes = read_capped(reader, FEED_CAP, &p, gz, format)?;
            feed::parse(bytes, &p)
        }
        _ => {
            let bytes = read_capped(reader, ARTICLE_CAP, &p, gz, format)?;
            let html = format == Format::Html || looks_like_html(&bytes);
            let decoded = encoding::decode(bytes, None, html);
            tracing::debug!(path = %p, encoding = decoded.encoding.name(), "decoded");
            let mut text = decoded.text;
            if text.contains('\0') {
                text.retain(|c| c != '\0');
            }
            if text.trim().is_empty() {
                return Err(IngestError::invalid(&p, "empty file (only whitespace)"));
            }
            let body = if html {
                Body::Html(text)
            } else {
                Body::Text(text)
            };
            Ok(vec![Ok(RawItem {
                source: p,
                body,
                ..Default::default()
            })])
        }
    }
}

/// Largest file of a format that is read whole, if it is.
fn size_cap(format: Format) -> Option<u64> {
    match format {
        Format::Text | Format::Html => Some(ARTICLE_CAP),
        Format::Feed => Some(FEED_CAP),
        _ => None,
    }
}

fn too_big(len: u64, cap: u64, format: Format) -> String {
    let what = if format == Format::Feed {
        "a feed file"
    } else {
        "an article file"
    };
    format!(
        "file is {} MiB; {what} must be under {} MiB",
        len >> 20,
        cap >> 20
    )
}

/// Reads a whole (possibly decompressed) input, refusing more than `cap`.
fn read_capped(
    reader: impl Read,
    cap: u64,
    p: &str,
    gz: bool,
    format: Format,
) -> Result<Vec<u8>, IngestError> {
    let mut bytes = Vec::new();
    if let Err(e) = reader.take(cap + 1).read_to_end(&mut bytes) {
        return Err(if gz {
            gzip_error(p, &e)
        } else {
            IngestError::Io {
                path: p.to_string(),
                source: e,
            }
        });
    }
    if bytes.len() as u64 > cap {
        let what = if format == Format::Feed {
            "a feed file"
        } else {
            "an article file"
        };
        return Err(IngestError::invalid(
            p,
            format!(
                "decompressed content is over {} MiB; {what} must be under {} MiB",
                cap >> 20,
                cap >> 20
            ),
        ));
    }
    Ok(bytes)
}

fn gzip_error(p: &str, e: &io::Error) -> IngestError {
    IngestError::invalid(p, format!("truncated or corrupt gzip: {e}"))
}

/// Why the first bytes of a file say it is not text, if they do.
fn binary_reason(head: &[u8]) -> Option<String> {
    if encoding_rs::Encoding::for_bom(head).is_some_and(|(e, _)| e != encoding_rs::UTF_8) {
        return None; // UTF-16 text is full of NUL bytes.
    }
    const MAGIC: &[(&[u8], &str)] = &[
        (b"%PDF-", "PDF"),
        (b"PK\x03\x04", "ZIP or Office document"),
        (b"\x89PNG", "PNG image"),
        (b"\xFF\xD8\xFF", "JPEG image"),
        (b"GIF8", "GIF image"),
        (b"\x7FELF", "executable"),
        (b"BZh", "bzip2 archive"),
        (b"\xFD7zXZ", "xz archive"),
        (b"\x28\xB5\x2F\xFD", "zstd archive"),
    ];
    if let Some((_, what)) = MAGIC.iter().find(|(m, _)| head.starts_with(m)) {
        return Some(format!("binary file ({what}), not text"));
    }
    // A stray NUL or two happens in damaged text; binary formats have many.
    let nuls = head.iter().filter(|&&b| b == 0).count();
    let control = head
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b)) || b == 0x7f)
        .count();
    if nuls * 200 > head.len() || nuls >= 16 || control * 10 > head.len() {
        return Some("binary file, not text".to_string());
    }
    None
}

/// Format of a file whose name does not tell.
fn sniff_format(head: &[u8]) -> Format {
    if head.starts_with(b"WARC/") {
        return Format::Warc;
    }
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{' | b'[') => Format::Json,
        Some(b'<') => match xml_root(body).as_deref() {
            Some("rss" | "rdf:RDF" | "feed" | "atom:feed") => Format::Feed,
            _ => Format::Html,
        },
        _ => Format::Text,
    }
}

/// A `.txt` that is really a saved web page.
fn looks_like_html(bytes: &[u8]) -> bool {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    let lead = &body[start..body.len().min(start + 15)];
    lead.len() >= 5
        && (lead[..lead.len().min(14)].eq_ignore_ascii_case(b"<!doctype html")
            || lead[..5].eq_ignore_ascii_case(b"<html"))
}

/// Name of the first element, skipping the XML declaration, comments,
/// processing instructions and the doctype.
fn xml_root(head: &[u8]) -> Option<String> {
    let mut rest = head;
    loop {
        let lt = memchr::memchr(b'<', rest)?;
        rest = &rest[lt + 1..];
        match rest.first()? {
            b'?' | b'!' => {
                let end = if rest.starts_with(b"!--") {
                    memchr::memmem::find(rest, b"-->")?
                } else {
                    memchr::memchr(b'>', rest)?
                };
                rest = &rest[end..];
            }
            _ => {
                let end = rest
                    .iter()
                    .position(|&b| b.is_ascii_whitespace() || b == b'>' || b == b'/')
                    .unwrap_or(rest.len());
                let name = String::from_utf8_lossy(&rest[..end]).into_owned();
                return if name.eq_ignore_ascii_case("html") {
                    Some("html".into())
                } else {
                    Some(name)
                };
            }
        }
    }
}

/// A reader whose next read fails with a stored error, then ends.
struct FailingReader(Option<io::Error>);

impl Read for FailingReader {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        self.fill_buf().map(|_| 0)
    }
}

impl BufRead for FailingReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match self.0.take() {
            Some(e) => Err(e),
            None => Ok(&[]),
        }
    }
    fn consume(&mut self, _: usize) {}
}

/// One line, without its terminator, read with bounded memory.
pub(crate) struct Line {
    /// Length of the whole line in bytes, including what was not kept.
    pub len: u64,
    /// The line was longer than the cap: `buf` is empty, the line skipped.
    pub too_long: bool,
}

/// Reads the next line into `buf` (cleared first), keeping at most `cap`
/// bytes; a longer line is consumed but not kept. `None` at end of input.
pub(crate) fn next_line<R: BufRead + ?Sized>(
    r: &mut R,
    buf: &mut Vec<u8>,
    cap: usize,
) -> io::Result<Option<Line>> {
    buf.clear();
    let (mut len, mut too_long, mut any) = (0u64, false, false);
    loop {
        let chunk = match r.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            break;
        }
        any = true;
        let (take, done) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        if !too_long {
            if buf.len() + take > cap + 1 {
                too_long = true;
                buf.clear();
                buf.shrink_to(BUF); // do not hold a huge buffer for the rest of the file
            } else {
                buf.extend_from_slice(&chunk[..take]);
            }
        }
        len += take as u64;
        r.consume(take);
        if done {
            break;
        }
    }
    if !any {
        return Ok(None);
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(Some(Line { len, too_long }))
}

/// "12 MiB" or "900 KiB" for messages.
pub(crate) fn size_label(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{} KiB", bytes.div_ceil(1024))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_sniffing() {
        assert_eq!(
            format_from_name(Path::new("a/crawl.WARC.gz")),
            (Format::Warc, true)
        );
        assert_eq!(
            format_from_name(Path::new("feed.atom")),
            (Format::Feed, false)
        );
        assert_eq!(
            format_from_name(Path::new("README")),
            (Format::Unknown, false)
        );
        assert!(accepted(Path::new("x/news.jsonl.gz")) && !accepted(Path::new("x/photo.jpg")));
        assert!(!accepted(Path::new("x/.txt")));
        assert_eq!(
            sniff_format(b"<?xml version=\"1.0\"?>\n<!-- c --><rss version=\"2.0\">"),
            Format::Feed
        );
        assert_eq!(sniff_format(b"\n<!DOCTYPE html><html>"), Format::Html);
        assert_eq!(sniff_format(b"  [{\"text\":1}]"), Format::Json);
        assert_eq!(sniff_format(b"AMMAN, Jordan"), Format::Text);
        assert!(looks_like_html(b"\n<!doctype html>\n<p>x"));
        assert!(!looks_like_html(b"<b> is a tag"));
    }

    #[test]
    fn binary_detection() {
        assert!(binary_reason(b"%PDF-1.7 ...").unwrap().contains("PDF"));
        assert!(binary_reason(&b"abc\0def".repeat(20)).is_some());
        let mut damaged = b"Aleppo ".repeat(400);
        damaged[100] = 0;
        assert!(
            binary_reason(&damaged).is_none(),
            "one stray NUL is not binary"
        );
        assert!(binary_reason(&[1u8, 2, 3, 4, 5, 6, b'a', b'b']).is_some());
        assert!(binary_reason("Raqqa \u{2014} tab\there".as_bytes()).is_none());
        assert!(binary_reason(&[0xFF, 0xFE, b'a', 0]).is_none());
    }

    #[test]
    fn capped_lines() {
        let mut r = Cursor::new(b"short\r\n0123456789abc\nlast".to_vec());
        let mut buf = Vec::new();
        let l = next_line(&mut r, &mut buf, 8).unwrap().unwrap();
        assert_eq!((buf.as_slice(), l.too_long), (&b"short"[..], false));
        let l = next_line(&mut r, &mut buf, 8).unwrap().unwrap();
        assert!(l.too_long && buf.is_empty() && l.len == 14);
        next_line(&mut r, &mut buf, 8).unwrap().unwrap();
        assert_eq!(buf, b"last");
        assert!(next_line(&mut r, &mut buf, 8).unwrap().is_none());
    }
}
