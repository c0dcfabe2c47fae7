//! A hash for maps keyed by small integers that the program assigns or
//! derives (indices, grid cells, weeks, interned ids).

use std::hash::{BuildHasherDefault, Hasher};

/// A multiply-rotate mix in the manner of rustc's FxHash. On keys that are
/// numbers we make, SipHash's protection against chosen keys buys nothing
/// and costs several times the work (measured in event resolution and the
/// map clustering). Not for keys taken from input text.
#[derive(Default, Clone, Copy)]
pub struct IntHash(u64);

impl IntHash {
    #[inline]
    fn add(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for IntHash {
    fn write(&mut self, bytes: &[u8]) {
        for c in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..c.len()].copy_from_slice(c);
            self.add(u64::from_le_bytes(b));
        }
    }
    fn write_u8(&mut self, x: u8) {
        self.add(u64::from(x));
    }
    fn write_u32(&mut self, x: u32) {
        self.add(u64::from(x));
    }
    fn write_i32(&mut self, x: i32) {
        self.add(u64::from(x as u32));
    }
    fn write_u64(&mut self, x: u64) {
        self.add(x);
    }
    fn write_i64(&mut self, x: i64) {
        self.add(x as u64);
    }
    fn write_usize(&mut self, x: usize) {
        self.add(x as u64);
    }
    fn write_isize(&mut self, x: isize) {
        self.add(x as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// `HashMap<K, V, IntHasher>` / `HashSet<K, IntHasher>`.
pub type IntHasher = BuildHasherDefault<IntHash>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn spreads_neighbouring_keys_and_finds_them() {
        let mut m: HashMap<(i32, i32), u32, IntHasher> = HashMap::default();
        for y in -50..50 {
            for x in -50..50 {
                m.insert((y, x), (y * 1000 + x) as u32);
            }
        }
        assert_eq!(m.len(), 10_000);
        assert_eq!(m.get(&(-3, 7)), Some(&((-3 * 1000 + 7) as u32)));
        // Neighbouring keys land in different buckets of a small table.
        let low7 = |k: (i32, i32)| {
            let mut h = IntHash::default();
            std::hash::Hash::hash(&k, &mut h);
            h.finish() >> 57
        };
        let distinct: std::collections::HashSet<u64> = (0..16).map(|x| low7((0, x))).collect();
        assert!(distinct.len() > 8);
    }
}
