//! JSON Lines and JSON input (SCHEMA.md): one article per object.
//!
//! Both are streamed: JSON Lines line by line, a JSON array (or a
//! pretty-printed object) value by value with a small scanner that only
//! tracks strings and nesting, so each record is parsed alone and memory
//! stays bounded by [`RECORD_CAP`].

use std::io::{self, BufRead, Cursor, Read};

use serde::Deserialize;

use super::{next_line, size_label, Items, RECORD_CAP};
use crate::{Body, IngestError, RawItem};

#[derive(Deserialize)]
struct JsonItem {
    id: Option<String>,
    url: Option<String>,
    outlet: Option<String>,
    title: Option<String>,
    published: Option<String>,
    #[serde(alias = "author", alias = "authors")]
    byline: Option<OneOrMany>,
    text: Option<String>,
    html: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// Parses one record. `label` names it in errors (`path:line N`).
fn parse_item(bytes: &[u8], source: String, label: &str) -> Result<RawItem, IngestError> {
    let lossy;
    let bytes = match std::str::from_utf8(bytes) {
        Ok(_) => bytes,
        Err(_) => {
            tracing::debug!(record = label, "invalid UTF-8 replaced");
            lossy = String::from_utf8_lossy(bytes).into_owned();
            lossy.as_bytes()
        }
    };
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => {}
        Some(b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n')
            if serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok() =>
        {
            return Err(IngestError::invalid(
                label,
                "expected a JSON object, found another JSON value",
            ));
        }
        _ => {
            let reason = match serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
                Err(e) => format!("not JSON: {e}"),
                Ok(_) => "not JSON".to_string(),
            };
            return Err(IngestError::invalid(label, reason));
        }
    }
    let item: JsonItem = serde_json::from_slice(bytes).map_err(|e| {
        let reason = if e.is_data() {
            format!("bad field: {e}")
        } else {
            format!("not JSON: {e}")
        };
        IngestError::invalid(label, reason)
    })?;
    let nonempty = |s: Option<String>| s.filter(|t| !t.trim().is_empty());
    let body = match (nonempty(item.text), nonempty(item.html)) {
        // Text the producer already extracted beats re-extracting it.
        (Some(text), _) => Body::Text(text),
        (None, Some(html)) => Body::Html(html),
        (None, None) => {
            return Err(IngestError::invalid(
                label,
                "has neither \"text\" nor \"html\"",
            ));
        }
    };
    let byline = match item.byline {
        Some(OneOrMany::One(s)) => vec![s],
        Some(OneOrMany::Many(v)) => v,
        None => Vec::new(),
    };
    let clean = |s: Option<String>| s.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    Ok(RawItem {
        source,
        id: clean(item.id),
        url: clean(item.url),
        outlet: clean(item.outlet),
        title: clean(item.title),
        published: clean(item.published),
        byline: byline
            .into_iter()
            .map(|b| b.trim().to_string())
            .filter(|b| !b.is_empty())
            .collect(),
        body,
    })
}

fn line_label(p: &str, line: usize) -> String {
    format!("{p}:line {line}")
}

fn too_long(label: String, len: u64) -> IngestError {
    IngestError::invalid(
        label,
        format!(
            "record is {}; a record must be under {}",
            size_label(len),
            size_label(RECORD_CAP as u64)
        ),
    )
}

/// Whether an I/O error is a damaged gzip stream rather than the disk.
fn read_failure(p: &str, after_line: usize, e: io::Error) -> IngestError {
    IngestError::invalid(
        p,
        format!("input ends in error after line {after_line} (truncated or corrupt gzip?): {e}; earlier records kept"),
    )
}

/// JSON Lines: every line an object; blank lines are skipped.
pub(super) fn read_lines<R: BufRead>(r: R, p: &str) -> Result<Items, IngestError> {
    let mut items = Vec::new();
    lines_into(r, p, 0, &mut items);
    finish(items, p)
}

fn lines_into<R: BufRead>(mut r: R, p: &str, first_line: usize, items: &mut Items) {
    let mut buf = Vec::new();
    let mut n = first_line;
    loop {
        let line = match next_line(&mut r, &mut buf, RECORD_CAP) {
            Ok(Some(line)) => line,
            Ok(None) => break,
            Err(e) => {
                items.push(Err(read_failure(p, n, e)));
                break;
            }
        };
        n += 1;
        if line.too_long {
            items.push(Err(too_long(line_label(p, n), line.len)));
            continue;
        }
        let bytes = if n == 1 {
            buf.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&buf)
        } else {
            &buf
        };
        if bytes.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        items.push(parse_item(bytes, format!("{p}#{n}"), &line_label(p, n)));
    }
}

fn finish(items: Items, p: &str) -> Result<Items, IngestError> {
    if items.is_empty() {
        return Err(IngestError::invalid(p, "empty file (no records)"));
    }
    Ok(items)
}

/// `.json`: an array of objects, one object (perhaps pretty-printed),
/// or JSON Lines under the wrong extension.
pub(super) fn read_json<R: BufRead>(mut r: R, p: &str) -> Result<Items, IngestError> {
    let io_err = |e| IngestError::Io {
        path: p.to_string(),
        source: e,
    };
    // Skip a BOM and leading whitespace, counting lines.
    let mut line = 1;
    let mut first = true;
    let lead = loop {
        let chunk = r.fill_buf().map_err(io_err)?;
        let Some(&b) = chunk.first() else { break None };
        if first && chunk.starts_with(b"\xEF\xBB\xBF") {
            r.consume(3);
            first = false;
            continue;
        }
        first = false;
        if b.is_ascii_whitespace() {
            line += usize::from(b == b'\n');
            r.consume(1);
        } else {
            break Some(b);
        }
    };
    let mut items = Vec::new();
    match lead {
        None => return Err(IngestError::invalid(p, "empty file (only whitespace)")),
        Some(b'[') => {
            r.consume(1);
            scan_values(r, p, line, true, &mut items);
        }
        Some(b'{') => {
            // One complete object on the first line means JSON Lines.
            let mut buf = Vec::new();
            let first_line = next_line(&mut r, &mut buf, RECORD_CAP).map_err(io_err)?;
            let is_lines = first_line.is_some_and(|l| !l.too_long)
                && serde_json::from_slice::<serde::de::IgnoredAny>(&buf).is_ok();
            if is_lines {
                items.push(parse_item(
                    &buf,
                    format!("{p}#{line}"),
                    &line_label(p, line),
                ));
                lines_into(r, p, line, &mut items);
            } else {
                buf.push(b'\n');
                scan_values(Cursor::new(buf).chain(r), p, line, false, &mut items);
                if let [Ok(only)] = items.as_mut_slice() {
                    only.source = p.to_string();
                }
            }
        }
        Some(_) => {
            return Err(IngestError::invalid(
                p,
                "not JSON: a .json file must hold an object, an array of objects or JSON Lines",
            ))
        }
    }
    finish(items, p)
}

/// Splits a stream of JSON values (the elements of an array when
/// `in_array`, else top-level values) and parses each as an item.
fn scan_values<R: BufRead>(mut r: R, p: &str, mut line: usize, in_array: bool, items: &mut Items) {
    let mut buf = Vec::new();
    let mut ordinal = 0;
    loop {
        match next_value(&mut r, &mut buf, &mut line, in_array) {
            Ok(Scan::Value {
                start_line,
                len,
                too_long: over,
            }) => {
                ordinal += 1;
                let label = format!("{}:line {start_line}", p);
                if over {
                    items.push(Err(too_long(label, len)));
                } else {
                    items.push(parse_item(&buf, format!("{p}#{ordinal}"), &label));
                }
            }
            Ok(Scan::End) => break,
            Ok(Scan::Truncated) => {
                items.push(Err(IngestError::invalid(
                    line_label(p, line),
                    "JSON ends before its closing bracket (truncated file?); earlier records kept",
                )));
                break;
            }
            Ok(Scan::Unexpected(b)) => {
                items.push(Err(IngestError::invalid(
                    line_label(p, line),
                    format!("not JSON: unexpected {:?} between values", char::from(b)),
                )));
                break;
            }
            Err(e) => {
                items.push(Err(read_failure(p, line, e)));
                break;
            }
        }
    }
}

enum Scan {
    Value {
        start_line: usize,
        len: u64,
        too_long: bool,
    },
    End,
    Truncated,
    Unexpected(u8),
}

/// Reads the next JSON value's bytes into `buf`, tracking only strings
/// and bracket depth. Keeps at most [`RECORD_CAP`] bytes.
fn next_value<R: BufRead>(
    r: &mut R,
    buf: &mut Vec<u8>,
    line: &mut usize,
    in_array: bool,
) -> io::Result<Scan> {
    buf.clear();
    // Skip separators.
    loop {
        let chunk = r.fill_buf()?;
        let Some(&b) = chunk.first() else {
            return Ok(if in_array { Scan::Truncated } else { Scan::End });
        };
        match b {
            b'\n' => *line += 1,
            b' ' | b'\t' | b'\r' => {}
            b',' if in_array => {}
            b']' if in_array => {
                r.consume(1);
                return Ok(Scan::End);
            }
            b',' | b']' | b'}' => return Ok(Scan::Unexpected(b)),
            _ => break,
        }
        r.consume(1);
    }
    let start_line = *line;
    let (mut depth, mut in_str, mut escaped, mut started) = (0usize, false, false, false);
    let (mut len, mut over) = (0u64, false);
    loop {
        let chunk = r.fill_buf()?;
        if chunk.is_empty() {
            // A complete scalar may end at end of input; anything else is cut.
            return Ok(if started && depth == 0 && !in_str {
                Scan::Value {
                    start_line,
                    len,
                    too_long: over,
                }
            } else {
                Scan::Truncated
            });
        }
        let mut used = 0;
        let mut done = false;
        for &b in chunk {
            if !in_str
                && depth == 0
                && started
                && matches!(b, b',' | b']' | b'}' | b' ' | b'\t' | b'\r' | b'\n')
            {
                done = true; // end of a top-level scalar
                break;
            }
            used += 1;
            started = true;
            if b == b'\n' {
                *line += 1;
            }
            if in_str {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_str = false;
                    done = depth == 0;
                }
            } else {
                match b {
                    b'"' => in_str = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        done = depth == 0;
                    }
                    _ => {}
                }
            }
            if done {
                break;
            }
        }
        len += used as u64;
        if !over {
            if buf.len() + used > RECORD_CAP {
                over = true;
                buf.clear();
            } else {
                buf.extend_from_slice(&chunk[..used]);
            }
        }
        r.consume(used);
        if done {
            return Ok(Scan::Value {
                start_line,
                len,
                too_long: over,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bodies(items: &Items) -> Vec<String> {
        items
            .iter()
            .map(|i| match i {
                Ok(RawItem {
                    body: Body::Text(t) | Body::Html(t),
                    ..
                }) => t.clone(),
                Err(e) => format!("ERR {e}"),
            })
            .collect()
    }

    #[test]
    fn array_and_pretty_object() {
        let arr = b"[\n {\"text\": \"one ] } \\\" tricky\"},\n {\"html\": \"<p>two</p>\", \"title\": \"T\"}\n]";
        let items = read_json(Cursor::new(arr.to_vec()), "a.json").unwrap();
        assert_eq!(bodies(&items), ["one ] } \" tricky", "<p>two</p>"]);
        assert_eq!(items[1].as_ref().unwrap().source, "a.json#2");

        let obj =
            b"{\n  \"title\": \"Convoy\",\n  \"text\": \"A convoy reached the crossing.\"\n}\n";
        let items = read_json(Cursor::new(obj.to_vec()), "b.json").unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].as_ref().unwrap().source, "b.json");

        let lines = b"{\"text\":\"a\"}\n{\"text\":\"b\"}\n";
        let items = read_json(Cursor::new(lines.to_vec()), "c.json").unwrap();
        assert_eq!(bodies(&items), ["a", "b"]);
    }

    #[test]
    fn truncated_array_keeps_complete_items() {
        let arr = b"[{\"text\": \"kept\"}, {\"text\": \"cut of";
        let items = read_json(Cursor::new(arr.to_vec()), "t.json").unwrap();
        assert!(items[0].is_ok());
        let err = items[1].as_ref().unwrap_err().to_string();
        assert!(err.contains("truncated"), "{err}");
    }

    #[test]
    fn non_object_values() {
        let items = read_lines(
            Cursor::new(b"[1,2]\n\"text\"\n{\"text\": 5}\n".to_vec()),
            "x.jsonl",
        )
        .unwrap();
        let errs = bodies(&items);
        assert!(errs[0].contains("x.jsonl:line 1") && errs[0].contains("expected a JSON object"));
        assert!(errs[1].contains("line 2"));
        assert!(errs[2].contains("bad field"), "{}", errs[2]);
    }
}
