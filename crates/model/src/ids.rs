//! Stable identifiers and offset conversion.

use xxhash_rust::xxh3::xxh3_128;

/// A stable, content-derived id: 16 lowercase hex digits of the XXH3-128
/// hash of `parts` joined by a separator that cannot occur in text.
///
/// Used for document ids (over normalized content), event ids and others;
/// the same input always gives the same id across runs and machines.
pub fn stable_id(parts: &[&str]) -> String {
    let mut buf = Vec::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            buf.push(0x1f);
        }
        buf.extend_from_slice(p.as_bytes());
    }
    let h = xxh3_128(&buf);
    format!("{:016x}", (h >> 64) as u64 ^ h as u64)
}

/// Converts byte offsets of a text into character (code point) offsets.
///
/// Build once per text; each lookup is O(log n) over the non-ASCII
/// characters only, so ASCII-heavy news text costs almost nothing.
#[derive(Debug, Clone)]
pub struct CharIndex {
    /// Byte offsets of every multi-byte character, with the number of extra
    /// bytes seen up to and including it.
    multi: Vec<(usize, usize)>,
    len: usize,
}

impl CharIndex {
    pub fn new(text: &str) -> Self {
        let mut multi = Vec::new();
        let mut extra = 0usize;
        for (i, c) in text.char_indices() {
            let l = c.len_utf8();
            if l > 1 {
                extra += l - 1;
                multi.push((i, extra));
            }
        }
        CharIndex {
            multi,
            len: text.len(),
        }
    }

    /// Character offset of byte offset `byte` (which should lie on a char
    /// boundary; offsets past the end are clamped).
    pub fn char_offset(&self, byte: usize) -> usize {
        let byte = byte.min(self.len);
        // Extra bytes of all multi-byte chars that start before `byte`.
        let n = self.multi.partition_point(|&(b, _)| b < byte);
        let extra = if n == 0 { 0 } else { self.multi[n - 1].1 };
        byte - extra
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_offsets_match_char_count() {
        let t = "Deir ez-Zor’s “al-Tanf” — دير الزور and more";
        let idx = CharIndex::new(t);
        for (b, _) in t.char_indices() {
            assert_eq!(idx.char_offset(b), t[..b].chars().count(), "byte {b}");
        }
        assert_eq!(idx.char_offset(t.len()), t.chars().count());
    }

    #[test]
    fn ids_are_stable_and_distinct() {
        assert_eq!(stable_id(&["a", "b"]), stable_id(&["a", "b"]));
        assert_ne!(stable_id(&["a", "b"]), stable_id(&["ab"]));
        assert_eq!(stable_id(&["x"]).len(), 16);
    }
}
