//! Test-only helpers shared by the unit tests of every module: a deterministic xorshift
//! generator for random-input ("never panics, stays bounded") tests, and the table check of
//! the lenient decoders. Not compiled outside `cfg(test)`; the core itself has no randomness.

use crate::codec::{Decoded, DefectKind};

/// A decoder table row: input, expected octets, expected defects (kind, start, end).
pub(crate) type DecodeCase = (
    &'static str,
    &'static [u8],
    &'static [(DefectKind, usize, usize)],
);

/// The defects of `d` as (kind, start, end).
pub(crate) fn defect_kinds(d: &Decoded) -> Vec<(DefectKind, usize, usize)> {
    d.defects
        .iter()
        .map(|x| (x.kind, x.span.start, x.span.end))
        .collect()
}

/// Runs `decode` over `cases`, checking the octets and the defects of each.
pub(crate) fn check_decoder(decode: fn(&[u8]) -> Decoded, cases: &[DecodeCase]) {
    for (input, want, defects) in cases {
        let d = decode(input.as_bytes());
        assert_eq!(
            d.bytes,
            *want,
            "bytes of {input:?}: expected {:?}, got {:?}",
            String::from_utf8_lossy(want),
            String::from_utf8_lossy(&d.bytes)
        );
        assert_eq!(defect_kinds(&d), *defects, "defects of {input:?}");
    }
}

/// Marsaglia's xorshift64 (shifts 13, 7, 17): deterministic, seedable, no dependencies.
pub(crate) struct XorShift(u64);

impl XorShift {
    /// A generator started at `seed` (0 is replaced, as xorshift would stay at 0).
    pub(crate) fn new(seed: u64) -> XorShift {
        XorShift(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        match n {
            0 => 0,
            n => (self.next_u64() >> 16) as usize % n,
        }
    }

    /// `len` bytes: uniformly random when `raw`, otherwise drawn from `alphabet`.
    pub(crate) fn bytes(&mut self, len: usize, alphabet: &[u8], raw: bool) -> Vec<u8> {
        (0..len)
            .map(|_| {
                if raw || alphabet.is_empty() {
                    self.next_u64() as u8
                } else {
                    alphabet[self.below(alphabet.len())]
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn deterministic_bounded_and_from_the_alphabet() {
        let (mut a, mut b) = (XorShift::new(42), XorShift::new(42));
        let first: Vec<u64> = (0..8).map(|_| a.next_u64()).collect();
        let second: Vec<u64> = (0..8).map(|_| b.next_u64()).collect();
        assert_eq!(first, second, "same seed, same sequence");
        assert!(first.windows(2).all(|w| w[0] != w[1]), "{first:?}");
        let mut z = XorShift::new(0);
        assert_ne!(z.next_u64(), 0, "seed 0 must not stick at 0");
        for n in [1usize, 2, 7, 1000] {
            let v = a.below(n);
            assert!(v < n, "below({n}) gave {v}");
        }
        assert_eq!(a.below(0), 0);
        let bytes = a.bytes(500, b"xyz", false);
        assert!(bytes.iter().all(|b| b"xyz".contains(b)), "{bytes:?}");
        assert_eq!(a.bytes(300, b"", false).len(), 300);
        let raw = a.bytes(2000, b"x", true);
        assert!(
            raw.iter().any(|&b| b >= 0x80),
            "raw bytes cover the high half"
        );
    }
}
