//! Character encodings: byte-order marks, charsets declared by the document
//! or its HTTP response, and UTF-8 with a windows-1252 fallback.
//!
//! Order of precedence (as in browsers, plus one news-specific rule): BOM,
//! then the HTTP `charset`, then `<?xml encoding>` / `<meta charset>`. A
//! declared single-byte charset loses to bytes that are valid, non-ASCII
//! UTF-8, because pages that declare iso-8859-1 but serve UTF-8 are common
//! while legacy text that happens to be valid UTF-8 is vanishingly rare.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

/// How far into a document we look for a declared charset. Browsers use
/// 1024 bytes; CMS pages often put `<meta charset>` after long comment and
/// script blocks, so we look further.
const PRESCAN: usize = 8192;

/// The text and the encoding it was decoded from.
pub(crate) struct Decoded {
    pub text: String,
    pub encoding: &'static Encoding,
}

/// Decodes a document. `header` is a charset from the transport (HTTP
/// `Content-Type` in a WARC record); `markup` enables the `<meta>` /
/// XML-declaration prescan.
pub(crate) fn decode(bytes: Vec<u8>, header: Option<&'static Encoding>, markup: bool) -> Decoded {
    if let Some((enc, bom_len)) = Encoding::for_bom(&bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return Decoded {
            text: text.into_owned(),
            encoding: enc,
        };
    }
    let declared = header.or_else(|| {
        if markup {
            declared_charset(&bytes)
        } else {
            None
        }
    });
    if let Some(enc) = declared.filter(|e| !e.is_ascii_compatible()) {
        // ISO-2022-JP and friends: ASCII-looking bytes mean something else.
        let (text, _) = enc.decode_without_bom_handling(&bytes);
        return Decoded {
            text: text.into_owned(),
            encoding: enc,
        };
    }
    match String::from_utf8(bytes) {
        Ok(text) => {
            if let Some(enc) = declared.filter(|e| *e != UTF_8 && !text.is_ascii()) {
                tracing::debug!(
                    declared = enc.name(),
                    "declared charset ignored: content is valid UTF-8"
                );
            }
            Decoded {
                text,
                encoding: UTF_8,
            }
        }
        Err(err) => {
            let bytes = err.into_bytes();
            if let Some(enc) = declared.filter(|e| *e != UTF_8) {
                let (text, _) = enc.decode_without_bom_handling(&bytes);
                return Decoded {
                    text: text.into_owned(),
                    encoding: enc,
                };
            }
            let (valid_multibyte, invalid) = utf8_stats(&bytes);
            if valid_multibyte >= invalid && valid_multibyte > 0 {
                // Mostly UTF-8 with a few damaged sequences: keep the UTF-8.
                tracing::debug!(invalid, "invalid UTF-8 sequences replaced");
                Decoded {
                    text: String::from_utf8_lossy(&bytes).into_owned(),
                    encoding: UTF_8,
                }
            } else {
                // No real UTF-8 at all: an undeclared legacy Western page.
                tracing::debug!(invalid, "not UTF-8; decoded as windows-1252");
                let (text, _) = WINDOWS_1252.decode_without_bom_handling(&bytes);
                Decoded {
                    text: text.into_owned(),
                    encoding: WINDOWS_1252,
                }
            }
        }
    }
}

/// Counts valid multi-byte UTF-8 sequences and invalid ones.
fn utf8_stats(mut bytes: &[u8]) -> (usize, usize) {
    let (mut multibyte, mut invalid) = (0, 0);
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) => return (multibyte + count_multibyte(s.as_bytes()), invalid),
            Err(e) => {
                multibyte += count_multibyte(&bytes[..e.valid_up_to()]);
                invalid += 1;
                let skip = e.valid_up_to() + e.error_len().unwrap_or(bytes.len() - e.valid_up_to());
                bytes = &bytes[skip.min(bytes.len())..];
            }
        }
    }
}

fn count_multibyte(valid: &[u8]) -> usize {
    valid.iter().filter(|&&b| b >= 0xC0).count()
}

/// A charset declared in the document itself: the XML declaration's
/// `encoding`, else the first `<meta>` carrying `charset=`.
pub(crate) fn declared_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(PRESCAN)];
    xml_decl_encoding(head).or_else(|| meta_charset(head))
}

/// Maps a charset label as browsers do: a document that could be read as
/// ASCII to find its label cannot be UTF-16, so that label means UTF-8.
pub(crate) fn for_label(label: &[u8]) -> Option<&'static Encoding> {
    Encoding::for_label(label).map(Encoding::output_encoding)
}

fn xml_decl_encoding(head: &[u8]) -> Option<&'static Encoding> {
    let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
    let rest = &head[start..];
    if !rest.starts_with(b"<?xml") {
        return None;
    }
    let end = find(rest, b"?>")?;
    let decl = &rest[..end];
    let at = find_ci(decl, b"encoding")? + b"encoding".len();
    attr_value(&decl[at..])
}

fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let mut pos = 0;
    while let Some(off) = find_ci(&head[pos..], b"<meta") {
        let tag_start = pos + off + b"<meta".len();
        let tag_end = head[tag_start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(head.len(), |e| tag_start + e);
        let tag = &head[tag_start..tag_end];
        let mut at = 0;
        while let Some(c) = find_ci(&tag[at..], b"charset") {
            at += c + b"charset".len();
            if let Some(enc) = attr_value(&tag[at..]) {
                return Some(enc);
            }
        }
        pos = tag_end;
    }
    None
}

/// Parses `= "value"` (quotes optional) and maps it to an encoding.
fn attr_value(s: &[u8]) -> Option<&'static Encoding> {
    let s = trim_start(s);
    let s = trim_start(s.strip_prefix(b"=")?);
    let s = match s.first() {
        Some(b'"' | b'\'') => &s[1..],
        _ => s,
    };
    let end = s
        .iter()
        .position(|&b| matches!(b, b'"' | b'\'' | b';' | b'>' | b'/') || b.is_ascii_whitespace())
        .unwrap_or(s.len());
    for_label(&s[..end])
}

fn trim_start(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &s[n..]
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// ASCII case-insensitive search; `needle` must be lowercase.
fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    let first = needle[0];
    let mut i = 0;
    while i + needle.len() <= hay.len() {
        let rel = memchr::memchr2(
            first,
            first.to_ascii_uppercase(),
            &hay[i..=hay.len() - needle.len()],
        )?;
        let at = i + rel;
        if hay[at..at + needle.len()].eq_ignore_ascii_case(needle) {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_charset_forms() {
        let a = b"<html><head><meta charset=\"windows-1256\"><title>x</title>";
        assert_eq!(declared_charset(a), Some(encoding_rs::WINDOWS_1256));
        let b =
            b"<HEAD><META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=iso-8859-6\">";
        assert_eq!(declared_charset(b), Some(encoding_rs::ISO_8859_6));
        let c = b"<meta name=\"description\" content=\"charset talk\"><meta charset=utf-8>";
        assert_eq!(declared_charset(c), Some(UTF_8));
        let d = b"<?xml version=\"1.0\" encoding='ISO-8859-1'?><rss>";
        assert_eq!(declared_charset(d), Some(WINDOWS_1252));
        // A page claiming UTF-16 was readable as ASCII, so it is UTF-8.
        assert_eq!(declared_charset(b"<meta charset=\"utf-16\">"), Some(UTF_8));
        assert_eq!(declared_charset(b"<p>no declaration</p>"), None);
    }

    #[test]
    fn fallback_rules() {
        // Plain ASCII with one stray windows-1252 curly apostrophe.
        let d = decode(b"the army\x92s statement".to_vec(), None, false);
        assert_eq!(d.text, "the army\u{2019}s statement");
        // Real UTF-8 with one damaged byte stays UTF-8.
        let mut bytes = "Dar\u{2019}a and Quneitra \u{2014} \u{0627}\u{0644}"
            .as_bytes()
            .to_vec();
        bytes.push(0xff);
        let d = decode(bytes, None, false);
        assert_eq!(d.encoding, UTF_8);
        assert!(d.text.starts_with("Dar\u{2019}a") && d.text.ends_with('\u{fffd}'));
        // A declared legacy charset loses to valid non-ASCII UTF-8.
        let page = "<meta charset=iso-8859-1><p>Homs \u{2013} Palmyra</p>"
            .as_bytes()
            .to_vec();
        assert_eq!(decode(page, None, true).encoding, UTF_8);
        // UTF-16LE with BOM.
        let mut u16 = vec![0xFF, 0xFE];
        u16.extend("Idlib".encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(decode(u16, None, false).text, "Idlib");
    }
}
