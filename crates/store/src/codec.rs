//! How the bulky per-document JSON (analyses, geo analyses, event mentions)
//! is kept on disk: LZ4-compressed BLOBs behind a one-byte tag.
//!
//! That JSON repeats itself heavily (every place mention carries its full
//! location, every mention its sentence), so compression shrinks it about
//! 4x, which is what the single writer thread spends its time on: fewer
//! pages to write, checksum and checkpoint. Compression runs in the
//! parallel analysis workers ([`crate::NewDocument::encode`]), not in the
//! writer. Values stored as TEXT (databases written before schema 2) are
//! still read as plain JSON.

use rusqlite::types::ValueRef;
use std::borrow::Cow;

use crate::StoreError;

/// First byte of a compressed value: format version 1 (LZ4 block with the
/// uncompressed length prepended, little-endian u32).
const TAG_LZ4: u8 = 1;

/// Compresses a JSON text for storage.
pub(crate) fn pack(json: &str) -> Vec<u8> {
    let body = lz4_flex::block::compress_prepend_size(json.as_bytes());
    let mut out = Vec::with_capacity(body.len() + 1);
    out.push(TAG_LZ4);
    out.extend_from_slice(&body);
    out
}

/// The JSON text of a stored value: TEXT as is, a tagged BLOB decompressed.
pub(crate) fn unpack(v: ValueRef<'_>) -> Result<Cow<'_, str>, StoreError> {
    match v {
        ValueRef::Text(t) => std::str::from_utf8(t)
            .map(Cow::Borrowed)
            .map_err(|e| StoreError::Corrupt(format!("stored JSON is not UTF-8: {e}"))),
        ValueRef::Blob(b) => match b.split_first() {
            Some((&TAG_LZ4, body)) => {
                // LZ4 expands at most ~255x: a larger stated length is damage,
                // and must not become a huge allocation.
                let stated = body.get(..4).map_or(u64::MAX, |p| {
                    u64::from(u32::from_le_bytes([p[0], p[1], p[2], p[3]]))
                });
                if stated > (body.len() as u64).saturating_mul(255) + 64 {
                    return Err(StoreError::Corrupt(format!(
                        "compressed value states an impossible length {stated}"
                    )));
                }
                let bytes = lz4_flex::block::decompress_size_prepended(body)
                    .map_err(|e| StoreError::Corrupt(format!("cannot decompress: {e}")))?;
                String::from_utf8(bytes)
                    .map(Cow::Owned)
                    .map_err(|e| StoreError::Corrupt(format!("stored JSON is not UTF-8: {e}")))
            }
            Some((tag, _)) => Err(StoreError::Corrupt(format!(
                "unknown value encoding {tag} (written by a newer sitrep?)"
            ))),
            None => Err(StoreError::Corrupt("empty stored value".into())),
        },
        other => Err(StoreError::Corrupt(format!(
            "expected JSON text or a compressed blob, found {:?}",
            other.data_type()
        ))),
    }
}

/// Event mentions are stored one JSON object per line (serde_json escapes
/// newlines inside strings, so a line is exactly one mention): reading
/// back the i-th of a document's mentions needs no parse of the others.
/// Version 1 rows hold a JSON array instead, which both readers accept.
pub(crate) fn mention_lines<T: serde::Serialize>(items: &[T]) -> Result<String, StoreError> {
    let mut out = String::new();
    for (i, m) in items.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&serde_json::to_string(m)?);
    }
    Ok(out)
}

/// All mentions of a stored value (lines, or a version 1 JSON array).
pub(crate) fn decode_mentions<T: serde::de::DeserializeOwned>(
    v: ValueRef<'_>,
) -> Result<Vec<T>, StoreError> {
    let text = unpack(v)?;
    if text.trim_start().starts_with('[') {
        return Ok(serde_json::from_str(&text)?);
    }
    text.split('\n')
        .filter(|l| !l.trim().is_empty())
        .map(|l| Ok(serde_json::from_str(l)?))
        .collect()
}

/// The mentions at `positions` (ascending) of a stored value, parsing only
/// those; `None` for a position past the end.
pub(crate) fn decode_mentions_at<T: serde::de::DeserializeOwned>(
    v: ValueRef<'_>,
    positions: impl Iterator<Item = usize>,
) -> Result<Vec<Option<T>>, StoreError> {
    let text = unpack(v)?;
    if text.trim_start().starts_with('[') {
        let raw: Vec<&serde_json::value::RawValue> = serde_json::from_str(&text)?;
        return positions
            .map(|i| {
                raw.get(i)
                    .map(|r| serde_json::from_str(r.get()))
                    .transpose()
            })
            .map(|r| r.map_err(StoreError::from))
            .collect();
    }
    let mut lines = text.split('\n').enumerate().peekable();
    let mut out = Vec::new();
    for want in positions {
        while lines.peek().is_some_and(|(i, _)| *i < want) {
            lines.next();
        }
        out.push(match lines.peek() {
            Some((i, l)) if *i == want => Some(serde_json::from_str(l)?),
            _ => None,
        });
    }
    Ok(out)
}

/// Decodes a stored value into `T`.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(v: ValueRef<'_>) -> Result<T, StoreError> {
    Ok(serde_json::from_str(&unpack(v)?)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_legacy_text() {
        let json = r#"{"mentions":[{"surface":"Deir ez-Zor","location":{"name":"Deir ez-Zor","lat":35.33}},{"surface":"Deir ez-Zor","location":{"name":"Deir ez-Zor","lat":35.33}}]}"#;
        let packed = pack(json);
        assert!(
            packed.len() < json.len(),
            "{} vs {}",
            packed.len(),
            json.len()
        );
        assert_eq!(unpack(ValueRef::Blob(&packed)).unwrap(), json);
        assert_eq!(unpack(ValueRef::Text(json.as_bytes())).unwrap(), json);
    }

    #[test]
    fn mentions_as_lines_or_legacy_array() {
        let items = vec![
            serde_json::json!({"sentence": "Shelling hit the market.\nAgain."}),
            serde_json::json!({"sentence": "Two killed"}),
            serde_json::json!({"sentence": "Convoy turned back"}),
        ];
        let packed = pack(&mention_lines(&items).unwrap());
        let all: Vec<serde_json::Value> = decode_mentions(ValueRef::Blob(&packed)).unwrap();
        assert_eq!(all, items);
        let some: Vec<Option<serde_json::Value>> =
            decode_mentions_at(ValueRef::Blob(&packed), [0, 2, 5].into_iter()).unwrap();
        assert_eq!(
            some,
            vec![Some(items[0].clone()), Some(items[2].clone()), None]
        );
        let legacy = serde_json::to_string(&items).unwrap();
        let v = ValueRef::Text(legacy.as_bytes());
        assert_eq!(decode_mentions::<serde_json::Value>(v).unwrap(), items);
        let some: Vec<Option<serde_json::Value>> = decode_mentions_at(v, [1].into_iter()).unwrap();
        assert_eq!(some, vec![Some(items[1].clone())]);
        let none: Vec<serde_json::Value> = decode_mentions(ValueRef::Blob(&pack(""))).unwrap();
        assert!(none.is_empty());
    }

    #[test]
    fn damaged_values_are_errors_not_panics() {
        let mut packed = pack("{\"a\": \"a long enough value to compress, a long enough value\"}");
        packed.truncate(packed.len() / 2);
        assert!(matches!(
            unpack(ValueRef::Blob(&packed)),
            Err(StoreError::Corrupt(_))
        ));
        assert!(unpack(ValueRef::Blob(&[9, 1, 2])).is_err());
        assert!(unpack(ValueRef::Blob(&[])).is_err());
        assert!(unpack(ValueRef::Integer(3)).is_err());
        // A length prefix claiming 4 GB must not allocate it.
        assert!(unpack(ValueRef::Blob(&[TAG_LZ4, 0xff, 0xff, 0xff, 0xff, 0])).is_err());
    }
}
