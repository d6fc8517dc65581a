//! The CoS number: `C` followed by 10 upper-case letters or digits (domain.md decision).

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CosNumber(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("A CoS number is the letter C followed by 10 letters or numbers, for example C1A2B3C4D5E.")]
pub struct InvalidCosNumber;

impl CosNumber {
    /// Parses what a user typed: spaces are dropped and letters upper-cased.
    pub fn parse(input: &str) -> Result<CosNumber, InvalidCosNumber> {
        let s: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let ok = s.len() == 11
            && s.starts_with('C')
            && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if ok {
            Ok(CosNumber(s))
        } else {
            Err(InvalidCosNumber)
        }
    }

    /// The CoS number for a sequence number: a bijection of `0..36^10` so that numbers are
    /// unique without a lookup and do not reveal how many CoS exist.
    pub fn from_sequence(n: u64) -> CosNumber {
        const SPACE: u64 = 3_656_158_440_062_976; // 36^10
        // An odd multiplier and an offset: a permutation of Z / 36^10 (gcd(m, 36^10) = 1).
        const MUL: u64 = 1_181_783_497_276_652_981 % SPACE;
        let x = ((n as u128 * MUL as u128 + 982_451_653) % SPACE as u128) as u64;
        let mut digits = [b'0'; 10];
        let mut v = x;
        for d in digits.iter_mut().rev() {
            *d = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[(v % 36) as usize];
            v /= 36;
        }
        CosNumber(format!("C{}", std::str::from_utf8(&digits).unwrap()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CosNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn accepts_the_format_and_normalises() {
        assert_eq!(CosNumber::parse("C1A2B3C4D5E").unwrap().as_str(), "C1A2B3C4D5E");
        assert_eq!(CosNumber::parse(" c1a2b 3c4d5e ").unwrap().as_str(), "C1A2B3C4D5E");
    }

    #[test]
    fn refuses_other_shapes() {
        for bad in ["", "C", "C1A2B3C4D5", "C1A2B3C4D5EF", "D1A2B3C4D5E", "C1A2B3C4D5-", "C1A2B3C4D5É"] {
            assert!(CosNumber::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn sequence_numbers_are_valid_and_distinct() {
        let mut seen = HashSet::new();
        for n in (0..50_000u64).chain([u32::MAX as u64, 10_000_000_000]) {
            let c = CosNumber::from_sequence(n);
            assert!(CosNumber::parse(c.as_str()).is_ok(), "{c}");
            assert!(seen.insert(c.clone()), "duplicate {c}");
        }
    }
}
