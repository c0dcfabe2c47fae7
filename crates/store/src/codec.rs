//! How the bulky per-document values (analyses, geo analyses, event
//! mentions) and events are kept on disk: LZ4-compressed BLOBs behind a
//! one-byte tag.
//!
//! Analyses, geo analyses and events are JSON, which repeats itself heavily
//! (every place mention carries its full location, every mention its
//! sentence), so compression shrinks it about 4x: fewer pages for the
//! single writer thread to write, checksum and checkpoint. Compression runs
//! in the parallel analysis workers ([`crate::NewDocument::encode`]), not in
//! the writer. Values stored as TEXT (databases written before schema 2)
//! are still read as plain JSON.
//!
//! Event mentions are read back by every resolution, all of them twice (a
//! scan, then the members of each event), so since schema 5 they are
//! binary records in postcard's format instead of JSON lines: about 3x
//! faster to decode, 2x to encode, and a third smaller once compressed
//! (measured on a 10k-article store: 28 → 18 MB). Earlier rows keep their
//! JSON, which readers accept as well; the tag says which a value holds.

use rusqlite::types::ValueRef;
use std::borrow::Cow;

use crate::StoreError;

/// First byte of a compressed JSON value: an LZ4 block with the
/// uncompressed length prepended (little-endian u32), over UTF-8 JSON.
const TAG_LZ4: u8 = 1;

/// First byte of compressed event mentions (schema 5 on): an LZ4 block as
/// for [`TAG_LZ4`], over records of a little-endian u32 length followed by
/// one mention in postcard's encoding. The length lets a reader skip to the
/// i-th mention without decoding the others.
const TAG_LZ4_RECORDS: u8 = 2;

fn tagged(tag: u8, raw: &[u8]) -> Vec<u8> {
    let body = lz4_flex::block::compress_prepend_size(raw);
    let mut out = Vec::with_capacity(body.len() + 1);
    out.push(tag);
    out.extend_from_slice(&body);
    out
}

/// Compresses a JSON text for storage.
pub(crate) fn pack(json: &str) -> Vec<u8> {
    tagged(TAG_LZ4, json.as_bytes())
}

/// Packs event mentions as binary records ([`TAG_LZ4_RECORDS`]).
pub(crate) fn pack_mentions<T: serde::Serialize>(items: &[T]) -> Result<Vec<u8>, StoreError> {
    // About 300 bytes a mention on news text (the sentence dominates).
    let mut raw = Vec::with_capacity(items.len() * 320);
    for m in items {
        let at = raw.len();
        raw.extend_from_slice(&[0; 4]);
        raw = postcard::to_extend(m, raw)
            .map_err(|e| StoreError::Encode(format!("event mention: {e}")))?;
        let len = u32::try_from(raw.len() - at - 4)
            .map_err(|_| StoreError::Encode("event mention larger than 4 GB".into()))?;
        raw[at..at + 4].copy_from_slice(&len.to_le_bytes());
    }
    Ok(tagged(TAG_LZ4_RECORDS, &raw))
}

/// What a stored value holds once decompressed.
enum Unpacked<'a> {
    Json(Cow<'a, str>),
    Records(Vec<u8>),
}

fn decompress(body: &[u8]) -> Result<Vec<u8>, StoreError> {
    // LZ4 expands at most ~255x: a larger stated length is damage, and must
    // not become a huge allocation.
    let stated = body.get(..4).map_or(u64::MAX, |p| {
        u64::from(u32::from_le_bytes([p[0], p[1], p[2], p[3]]))
    });
    if stated > (body.len() as u64).saturating_mul(255) + 64 {
        return Err(StoreError::Corrupt(format!(
            "compressed value states an impossible length {stated}"
        )));
    }
    lz4_flex::block::decompress_size_prepended(body)
        .map_err(|e| StoreError::Corrupt(format!("cannot decompress: {e}")))
}

fn utf8(bytes: Vec<u8>) -> Result<Cow<'static, str>, StoreError> {
    String::from_utf8(bytes)
        .map(Cow::Owned)
        .map_err(|e| StoreError::Corrupt(format!("stored JSON is not UTF-8: {e}")))
}

fn unpack_any(v: ValueRef<'_>) -> Result<Unpacked<'_>, StoreError> {
    match v {
        ValueRef::Text(t) => std::str::from_utf8(t)
            .map(|s| Unpacked::Json(Cow::Borrowed(s)))
            .map_err(|e| StoreError::Corrupt(format!("stored JSON is not UTF-8: {e}"))),
        ValueRef::Blob(b) => match b.split_first() {
            Some((&TAG_LZ4, body)) => Ok(Unpacked::Json(utf8(decompress(body)?)?)),
            Some((&TAG_LZ4_RECORDS, body)) => Ok(Unpacked::Records(decompress(body)?)),
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

/// The JSON text of a stored value: TEXT as is, a tagged BLOB decompressed.
pub(crate) fn unpack(v: ValueRef<'_>) -> Result<Cow<'_, str>, StoreError> {
    match unpack_any(v)? {
        Unpacked::Json(text) => Ok(text),
        Unpacked::Records(_) => Err(StoreError::Corrupt(
            "expected JSON, found binary event mentions".into(),
        )),
    }
}

/// The records of a [`TAG_LZ4_RECORDS`] value, in order; a length that runs
/// past the end is an error (and ends the iteration).
struct Records<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<&'a [u8], StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let Some((len, body)) = self.rest.split_first_chunk::<4>() else {
            self.rest = &[];
            return Some(Err(StoreError::Corrupt(
                "event mention record cut short".into(),
            )));
        };
        let len = u32::from_le_bytes(*len) as usize;
        if len > body.len() {
            self.rest = &[];
            return Some(Err(StoreError::Corrupt(format!(
                "event mention record states {len} bytes, {} left",
                body.len()
            ))));
        }
        let (record, rest) = body.split_at(len);
        self.rest = rest;
        Some(Ok(record))
    }
}

/// One record's mention; bytes left over mean the record is not what it
/// claims to be.
fn decode_record<T: serde::de::DeserializeOwned>(record: &[u8]) -> Result<T, StoreError> {
    match postcard::take_from_bytes(record) {
        Ok((m, [])) => Ok(m),
        Ok((_, left)) => Err(StoreError::Corrupt(format!(
            "event mention record has {} bytes left over",
            left.len()
        ))),
        Err(e) => Err(StoreError::Corrupt(format!(
            "cannot decode a stored event mention: {e}"
        ))),
    }
}

/// JSON mentions as written before schema 5: one JSON object per line
/// (serde_json escapes newlines inside strings, so a line is exactly one
/// mention). Kept for tests that build such rows; readers accept them, and
/// version 1's JSON arrays, as well as binary records.
#[cfg(test)]
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

/// All mentions of a stored value (binary records, JSON lines, or a
/// version 1 JSON array).
pub(crate) fn decode_mentions<T: serde::de::DeserializeOwned>(
    v: ValueRef<'_>,
) -> Result<Vec<T>, StoreError> {
    let text = match unpack_any(v)? {
        Unpacked::Records(bytes) => {
            return Records { rest: &bytes }
                .map(|r| decode_record(r?))
                .collect();
        }
        Unpacked::Json(text) => text,
    };
    if text.trim_start().starts_with('[') {
        return Ok(serde_json::from_str(&text)?);
    }
    text.split('\n')
        .filter(|l| !l.trim().is_empty())
        .map(|l| Ok(serde_json::from_str(l)?))
        .collect()
}

/// The mentions at `positions` (ascending) of a stored value, decoding only
/// those; `None` for a position past the end.
pub(crate) fn decode_mentions_at<T: serde::de::DeserializeOwned>(
    v: ValueRef<'_>,
    positions: impl Iterator<Item = usize>,
) -> Result<Vec<Option<T>>, StoreError> {
    let text = match unpack_any(v)? {
        Unpacked::Records(bytes) => {
            let mut records = Records { rest: &bytes }.enumerate();
            // The record at or after the last wanted position, kept so a
            // position asked for twice is found twice, as in JSON lines.
            let mut at: Option<(usize, &[u8])> = None;
            let mut out = Vec::new();
            for want in positions {
                while at.is_none_or(|(i, _)| i < want) {
                    match records.next() {
                        // A damaged length before a wanted record is damage too.
                        Some((i, r)) => at = Some((i, r?)),
                        None => break,
                    }
                }
                out.push(match at {
                    Some((i, r)) if i == want => Some(decode_record(r)?),
                    _ => None,
                });
            }
            return Ok(out);
        }
        Unpacked::Json(text) => text,
    };
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

/// Decodes a stored JSON value into `T`.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(v: ValueRef<'_>) -> Result<T, StoreError> {
    Ok(serde_json::from_str(&unpack(v)?)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use sitrep_model::{
        AcledType, ActorKind, ActorRole, ClaimedBy, Coding, DateRange, EventActor, EventMention,
        EventQuantity, Feature, GeoPrecision, Location, Plover, Span, Stance, TimePrecision,
    };

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

    /// A mention with every optional field set and every list filled, in
    /// text an analyst would store: non-ASCII names, a newline inside the
    /// sentence, coordinates and quantities that need every digit.
    fn full_mention(doc: &str, start: usize) -> EventMention {
        let sentence = "Local sources told Enab Baladi that two drones struck a depot \
                        near Deir ez-Zor on Thursday,\nkilling 3 — «مصدر محلي».";
        EventMention {
            document: doc.into(),
            outlet: Some("Enab Baladi".into()),
            duplicate_of: Some("d-original".into()),
            category: Plover::Assault,
            acled: Some(AcledType {
                event_type: "Explosions/Remote violence".into(),
                sub_event_type: "Air/drone strike".into(),
            }),
            span: Span::new(start, start + sentence.len()),
            sentence: sentence.into(),
            char_start: start,
            char_end: start + sentence.chars().count(),
            date: Some(DateRange {
                start: NaiveDate::from_ymd_opt(2017, 5, 18).unwrap(),
                end: NaiveDate::from_ymd_opt(2017, 5, 24).unwrap(),
                precision: TimePrecision::Week,
            }),
            location: Some(Location {
                name: "Deir ez-Zor".into(),
                lat: Some(35.336_111_111_111_1),
                lon: Some(40.140_833_333_333_3),
                country: Some("SY".into()),
                admin1: Some("Deir ez-Zor".into()),
                feature: Feature::City,
                geonames_id: Some(170_794),
                precision: GeoPrecision::Near,
            }),
            actors: vec![EventActor {
                name: "Islamic State".into(),
                role: ActorRole::Target,
                kind: ActorKind::NonStateArmed,
                surface: vec!["Daesh".into(), "ISIS".into()],
            }],
            equipment: vec!["drone".into()],
            quantities: vec![EventQuantity {
                value: 0.1 + 0.2,
                unit: "km".into(),
            }],
            fatalities: Some(3),
            claimed_by: vec![ClaimedBy {
                claimant: "Local sources".into(),
                stance: Stance::Reports,
            }],
            occurred: false,
            certainty: 0.733_333_3,
            coding: Coding {
                trigger: "struck".into(),
                rule: "strike_verb".into(),
            },
        }
    }

    #[test]
    fn binary_mentions_round_trip_and_match_their_json() {
        let mut bare = full_mention("d-2", 40);
        bare.outlet = None;
        bare.duplicate_of = None;
        bare.acled = None;
        bare.date = None;
        bare.location = None;
        bare.actors.clear();
        bare.quantities.clear();
        bare.fatalities = None;
        let items = vec![full_mention("d-1", 0), bare, full_mention("d-3", 9_000_000)];
        let packed = pack_mentions(&items).unwrap();
        let all: Vec<EventMention> = decode_mentions(ValueRef::Blob(&packed)).unwrap();
        assert_eq!(all, items);
        // The same mentions written as JSON lines (before schema 5) decode
        // to the same values: old and new rows mix in one store.
        let json = pack(&mention_lines(&items).unwrap());
        let from_json: Vec<EventMention> = decode_mentions(ValueRef::Blob(&json)).unwrap();
        assert_eq!(from_json, all);
        for positions in [vec![0, 2, 5], vec![1], vec![], vec![2, 3], vec![1, 1, 2]] {
            let want: Vec<Option<EventMention>> =
                positions.iter().map(|&i| items.get(i).cloned()).collect();
            let got: Vec<Option<EventMention>> =
                decode_mentions_at(ValueRef::Blob(&packed), positions.iter().copied()).unwrap();
            assert_eq!(got, want, "positions {positions:?}");
            let got: Vec<Option<EventMention>> =
                decode_mentions_at(ValueRef::Blob(&json), positions.iter().copied()).unwrap();
            assert_eq!(got, want, "JSON lines, positions {positions:?}");
        }
        let none: Vec<EventMention> =
            decode_mentions(ValueRef::Blob(&pack_mentions::<EventMention>(&[]).unwrap())).unwrap();
        assert!(none.is_empty());
        // Binary mentions are not JSON: asking for JSON is an error.
        assert!(matches!(
            unpack(ValueRef::Blob(&packed)),
            Err(StoreError::Corrupt(_))
        ));
    }

    /// One mention's bytes in the tag 2 format, pinned. A change to
    /// `EventMention`, or to a type in it, that moves them would make stored
    /// rows fail to decode or, worse, decode as other values: such a change
    /// needs a new tag (this one still decoded), not new bytes here.
    #[test]
    fn binary_mention_format_is_pinned() {
        const PINNED: &str = concat!(
            "03642d31010b456e61622042616c616469010a642d6f726967696e616c00011a4578706c6f73696f6e732f52",
            "656d6f74652076696f6c656e6365104169722f64726f6e6520737472696b6507870180014c6f63616c20736f",
            "757263657320746f6c6420456e61622042616c61646920746861742074776f2064726f6e6573207374727563",
            "6b2061206465706f74206e656172204465697220657a2d5a6f72206f6e2054687572736461792c0a6b696c6c",
            "696e67203320e2809420c2abd985d8b5d8afd8b120d985d8add984d98ac2bb2e077b010a323031372d30352d",
            "31380a323031372d30352d323401010b4465697220657a2d5a6f7201af055bb005ab414001356da0d3061244",
            "4001025359010b4465697220657a2d5a6f720001aab60a01010d49736c616d69632053746174650102020544",
            "616573680449534953010564726f6e6501343333333333d33f026b6d0103010d4c6f63616c20736f75726365",
            "730200bbbb3b3f0673747275636b0b737472696b655f76657262",
        );
        let m = full_mention("d-1", 7);
        let hex: String = postcard::to_allocvec(&m)
            .unwrap()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(hex, PINNED);
        let bytes: Vec<u8> = (0..PINNED.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&PINNED[i..i + 2], 16).unwrap())
            .collect();
        assert_eq!(decode_record::<EventMention>(&bytes).unwrap(), m);
    }

    #[test]
    fn damaged_binary_mentions_are_errors_not_panics() {
        let one = pack_mentions(&[full_mention("d-1", 0)]).unwrap();
        let raw = lz4_flex::block::decompress_size_prepended(&one[1..]).unwrap();
        let bad = |raw: &[u8]| -> Vec<Result<Vec<EventMention>, StoreError>> {
            let v = tagged(TAG_LZ4_RECORDS, raw);
            vec![
                decode_mentions(ValueRef::Blob(&v)),
                decode_mentions_at(ValueRef::Blob(&v), [0usize].into_iter())
                    .map(|v| v.into_iter().flatten().collect()),
            ]
        };
        let mut cases: Vec<(&str, Vec<u8>)> = vec![
            ("length cut short", raw[..2].to_vec()),
            ("record cut short", raw[..raw.len() - 7].to_vec()),
            ("length past the end", {
                let mut r = raw.clone();
                r[..4].copy_from_slice(&u32::MAX.to_le_bytes());
                r
            }),
            ("bytes left over", {
                let mut r = raw.clone();
                let n = u32::from_le_bytes(r[..4].try_into().unwrap()) + 2;
                r[..4].copy_from_slice(&n.to_le_bytes());
                r.extend_from_slice(&[0, 0]);
                r
            }),
        ];
        // A mention's bytes overwritten with an impossible enum variant.
        let mut garbage = raw.clone();
        for b in &mut garbage[4..] {
            *b = 0xff;
        }
        cases.push(("garbage", garbage));
        for (what, raw) in cases {
            for r in bad(&raw) {
                assert!(matches!(r, Err(StoreError::Corrupt(_))), "{what}: {r:?}");
            }
        }
        // A damaged record before the wanted one is damage too.
        let mut two = raw.clone();
        two.extend_from_slice(&raw);
        two[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        let v = tagged(TAG_LZ4_RECORDS, &two);
        let got: Result<Vec<Option<EventMention>>, _> =
            decode_mentions_at(ValueRef::Blob(&v), [1usize].into_iter());
        assert!(got.is_err());
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
