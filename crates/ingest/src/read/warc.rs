//! WARC 1.0/1.1 archives, plain or gzip (one member per record or one for
//! all): `response` records with a 200 HTML page and `resource` records
//! holding HTML become items. Records are streamed one at a time; only an
//! HTML body (capped at [`RECORD_CAP`]) is ever held in memory.

use std::io::{self, BufRead, Read};

use super::{encoding, next_line, size_label, Items, RECORD_CAP};
use crate::{Body, IngestError, RawItem};

/// Longest header line we accept in WARC and HTTP headers.
const HEADER_LINE_CAP: usize = 64 << 10;
/// Most header lines in one WARC or HTTP header block.
const MAX_HEADERS: usize = 1000;

#[derive(Default)]
struct WarcHeader {
    kind: String,
    uri: Option<String>,
    content_type: Option<String>,
    length: Option<u64>,
}

/// Why reading stopped early.
enum Stop {
    /// The input itself failed (a damaged gzip stream, a disk error).
    Io(io::Error),
    /// The input ended inside a record.
    Truncated(String),
    /// Not WARC where a record should start.
    Malformed(String),
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Self {
        Stop::Io(e)
    }
}

pub(super) fn read<R: BufRead>(mut r: R, p: &str, gz: bool) -> Result<Items, IngestError> {
    let mut items: Items = Vec::new();
    let mut record = 0usize;
    let mut line = Vec::new();
    let stop = loop {
        match next_record(&mut r, &mut line, record, p) {
            Ok(None) => break None,
            Ok(Some((header, item))) => {
                record += 1;
                if let Some(item) = item {
                    items.push(item.map(|mut it| {
                        it.source = format!("{p}#{record}");
                        it
                    }));
                }
                tracing::trace!(record, kind = %header.kind, "WARC record");
            }
            Err(stop) => break Some(stop),
        }
    };
    let Some(stop) = stop else {
        if record == 0 {
            return Err(IngestError::invalid(p, "empty WARC file (no records)"));
        }
        if items.is_empty() {
            tracing::debug!(path = p, record, "WARC holds no HTML pages");
        }
        return Ok(items);
    };
    let reason = match stop {
        Stop::Io(e) if gz => {
            format!("truncated or corrupt gzip after {record} complete records: {e}")
        }
        Stop::Io(e) => format!("read error after {record} complete records: {e}"),
        Stop::Truncated(what) => format!("truncated WARC after {record} complete records: {what}"),
        Stop::Malformed(what) if record == 0 => what,
        Stop::Malformed(what) => format!("{what} (after {record} complete records)"),
    };
    // Nothing usable read: the whole file is rejected.
    if !items.iter().any(Result::is_ok) {
        return Err(IngestError::invalid(p, reason));
    }
    items.push(Err(IngestError::invalid(
        p,
        format!("{reason}; the pages before it were kept"),
    )));
    Ok(items)
}

/// Reads one record: its header and, for an HTML page, the item.
#[allow(clippy::type_complexity)]
fn next_record<R: BufRead>(
    r: &mut R,
    line: &mut Vec<u8>,
    done: usize,
    p: &str,
) -> Result<Option<(WarcHeader, Option<Result<RawItem, IngestError>>)>, Stop> {
    // Version line, after the blank lines that end the previous record.
    loop {
        let Some(l) = next_line(r, line, HEADER_LINE_CAP)? else {
            return Ok(None);
        };
        if l.too_long || !line.iter().all(u8::is_ascii_whitespace) {
            if !l.too_long && line.starts_with(b"WARC/") {
                break;
            }
            return Err(Stop::Malformed(if done == 0 {
                "not a WARC file: it does not start with a WARC/1.x header".to_string()
            } else {
                format!(
                    "malformed WARC: record {} does not start with a WARC/1.x header",
                    done + 1
                )
            }));
        }
    }
    let header = read_warc_header(r, line, done + 1)?;
    let Some(length) = header.length else {
        return Err(Stop::Malformed(format!(
            "malformed WARC: record {} has no Content-Length",
            done + 1
        )));
    };
    let mut block = r.by_ref().take(length);
    let item = match header.kind.as_str() {
        "response" | "resource" => page(&mut block, &header, line, done + 1, p)?,
        _ => None,
    };
    io::copy(&mut block, &mut io::sink())?;
    if block.limit() > 0 {
        return Err(Stop::Truncated(format!(
            "record {} ({}) declares {length} bytes but the file ends {} bytes short",
            done + 1,
            header.uri.as_deref().unwrap_or("no URI"),
            block.limit()
        )));
    }
    Ok(Some((header, item)))
}

fn read_warc_header<R: BufRead>(
    r: &mut R,
    line: &mut Vec<u8>,
    n: usize,
) -> Result<WarcHeader, Stop> {
    let mut h = WarcHeader::default();
    for _ in 0..MAX_HEADERS {
        let Some(l) = next_line(r, line, HEADER_LINE_CAP)? else {
            return Err(Stop::Truncated(format!(
                "record {n} ends inside its header"
            )));
        };
        if l.too_long {
            return Err(Stop::Malformed(format!(
                "malformed WARC: record {n} has a header line over 64 KiB"
            )));
        }
        if line.is_empty() {
            return Ok(h);
        }
        let Some((name, value)) = split_header(line) else {
            continue;
        };
        if name.eq_ignore_ascii_case("WARC-Type") {
            h.kind = value.to_ascii_lowercase();
        } else if name.eq_ignore_ascii_case("WARC-Target-URI") {
            // WARC 1.0 examples wrap the URI in angle brackets.
            let v = value.trim_start_matches('<').trim_end_matches('>');
            h.uri = Some(v.to_string()).filter(|v| !v.is_empty());
        } else if name.eq_ignore_ascii_case("Content-Type") {
            h.content_type = Some(value.to_string());
        } else if name.eq_ignore_ascii_case("Content-Length") {
            h.length = value.parse().ok();
        }
    }
    Err(Stop::Malformed(format!(
        "malformed WARC: record {n} has over {MAX_HEADERS} header lines"
    )))
}

fn split_header(line: &[u8]) -> Option<(&str, &str)> {
    let s = std::str::from_utf8(line).ok()?;
    let (name, value) = s.split_once(':')?;
    Some((name.trim(), value.trim()))
}

fn is_html(content_type: &str) -> bool {
    let mime = content_type.split(';').next().unwrap_or("").trim();
    mime.eq_ignore_ascii_case("text/html") || mime.eq_ignore_ascii_case("application/xhtml+xml")
}

fn charset(content_type: &str) -> Option<&'static encoding_rs::Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (k, v) = param.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| encoding::for_label(v.trim().trim_matches('"').as_bytes()))?
    })
}

/// The HTML page in a response or resource record's block, if it is one.
fn page<R: BufRead>(
    block: &mut R,
    h: &WarcHeader,
    line: &mut Vec<u8>,
    n: usize,
    p: &str,
) -> Result<Option<Result<RawItem, IngestError>>, Stop> {
    let label = || format!("{p}#{n}");
    let uri = h.uri.as_deref().unwrap_or("no URI");
    let wct = h.content_type.as_deref().unwrap_or("");
    let (content_type, chunked, coding) = if h.kind == "response" && !is_html(wct) {
        if !wct.is_empty() && !wct.to_ascii_lowercase().starts_with("application/http") {
            return Ok(None); // e.g. a DNS response record
        }
        // HTTP status line and headers.
        let Some(l) = next_line(block, line, HEADER_LINE_CAP)? else {
            return Ok(None);
        };
        let status = if l.too_long { None } else { http_status(line) };
        if status != Some(200) {
            tracing::debug!(record = n, uri, ?status, "WARC response skipped: not 200");
            return Ok(None);
        }
        let (mut ct, mut chunked, mut coding) = (String::new(), false, String::new());
        let mut ended = false;
        for _ in 0..MAX_HEADERS {
            let Some(l) = next_line(block, line, HEADER_LINE_CAP)? else {
                break;
            };
            if l.too_long {
                continue;
            }
            if line.is_empty() {
                ended = true;
                break;
            }
            if let Some((name, value)) = split_header(line) {
                if name.eq_ignore_ascii_case("Content-Type") {
                    ct = value.to_string();
                } else if name.eq_ignore_ascii_case("Transfer-Encoding") {
                    chunked = value.to_ascii_lowercase().contains("chunked");
                } else if name.eq_ignore_ascii_case("Content-Encoding") {
                    coding = value.to_ascii_lowercase();
                }
            }
        }
        if !ended {
            return Ok(None); // the truncation check after the block reports a cut record
        }
        (ct, chunked, coding)
    } else {
        (wct.to_string(), false, String::new())
    };
    if !is_html(&content_type) {
        return Ok(None);
    }
    let mut body = Vec::new();
    block.take(RECORD_CAP as u64 + 1).read_to_end(&mut body)?;
    if body.len() > RECORD_CAP {
        return Ok(Some(Err(IngestError::invalid(
            label(),
            format!(
                "{uri}: HTML body is over {}; a page must be under that",
                size_label(RECORD_CAP as u64)
            ),
        ))));
    }
    if chunked {
        if let Some(plain) = dechunk(&body) {
            body = plain;
        }
    }
    match coding.as_str() {
        "" | "identity" => {}
        "gzip" | "x-gzip" | "deflate" => {
            if let Some(plain) = inflate(&body, &coding) {
                body = plain;
            }
        }
        other => {
            return Ok(Some(Err(IngestError::invalid(
                label(),
                format!("{uri}: unsupported Content-Encoding {other:?}"),
            ))))
        }
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        tracing::debug!(record = n, uri, "WARC record skipped: empty HTML body");
        return Ok(None);
    }
    let text = encoding::decode(body, charset(&content_type), true).text;
    Ok(Some(Ok(RawItem {
        url: h.uri.clone(),
        body: Body::Html(text),
        ..Default::default()
    })))
}

fn http_status(line: &[u8]) -> Option<u16> {
    let s = std::str::from_utf8(line).ok()?;
    let mut parts = s.split_ascii_whitespace();
    parts.next().filter(|v| v.starts_with("HTTP/"))?;
    parts.next()?.parse().ok()
}

/// Undoes HTTP chunked transfer coding; `None` when the body is not
/// actually chunked (some crawlers store it decoded but keep the header).
fn dechunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    loop {
        let eol = memchr::memchr(b'\n', body)?;
        let size_line = std::str::from_utf8(&body[..eol]).ok()?;
        let size_hex = size_line.split(';').next()?.trim();
        let size = usize::from_str_radix(size_hex, 16).ok()?;
        body = &body[eol + 1..];
        if size == 0 {
            return Some(out);
        }
        let chunk = body.get(..size)?;
        out.extend_from_slice(chunk);
        body = &body[size..];
        body = body
            .strip_prefix(b"\r\n")
            .or_else(|| body.strip_prefix(b"\n"))
            .unwrap_or(body);
        if body.is_empty() {
            return Some(out); // last chunk marker missing: keep what came
        }
    }
}

/// Decompresses a gzip/deflate HTTP body, capped; `None` when it is not
/// compressed after all or is damaged.
fn inflate(body: &[u8], coding: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let cap = RECORD_CAP as u64 + 1;
    let res = if body.starts_with(&[0x1f, 0x8b]) {
        flate2::read::MultiGzDecoder::new(body)
            .take(cap)
            .read_to_end(&mut out)
    } else if coding == "deflate" {
        let zlib = flate2::read::ZlibDecoder::new(body)
            .take(cap)
            .read_to_end(&mut out);
        if zlib.is_err() {
            out.clear();
            flate2::read::DeflateDecoder::new(body)
                .take(cap)
                .read_to_end(&mut out)
        } else {
            zlib
        }
    } else {
        return None;
    };
    (res.is_ok() && out.len() <= RECORD_CAP).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_bodies() {
        assert_eq!(
            dechunk(b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").unwrap(),
            b"hello world"
        );
        assert!(dechunk(b"<html>not chunked</html>").is_none());
    }

    #[test]
    fn content_types() {
        assert!(is_html("text/html; charset=windows-1256"));
        assert!(!is_html("image/jpeg"));
        assert_eq!(
            charset("text/html; charset=\"windows-1256\""),
            Some(encoding_rs::WINDOWS_1256)
        );
        assert_eq!(http_status(b"HTTP/1.1 301 Moved Permanently"), Some(301));
    }
}
