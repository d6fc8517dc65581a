//! The sponsor licence number: 9 upper-case letters or digits starting with a digit
//! (domain.md decision), e.g. `2XK7Q4M9B`.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LicenceNumber(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("A licence number is 9 letters or numbers starting with a number, for example 2XK7Q4M9B.")]
pub struct InvalidLicenceNumber;

impl LicenceNumber {
    pub fn parse(input: &str) -> Result<LicenceNumber, InvalidLicenceNumber> {
        let s = input.trim().to_ascii_uppercase();
        let b = s.as_bytes();
        let ok = b.len() == 9
            && b[0].is_ascii_digit()
            && b.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if ok {
            Ok(LicenceNumber(s))
        } else {
            Err(InvalidLicenceNumber)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LicenceNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises() {
        assert_eq!(LicenceNumber::parse("2XK7Q4M9B").unwrap().as_str(), "2XK7Q4M9B");
        assert_eq!(LicenceNumber::parse(" 2xk7q4m9b ").unwrap().as_str(), "2XK7Q4M9B");
        assert!(LicenceNumber::parse("000000000").is_ok());
    }

    #[test]
    fn refuses_other_shapes() {
        for bad in ["", "XK7Q4M9B2", "2XK7Q4M9", "2XK7Q4M9BB", "2XK7Q4M9-", "2XK7 Q4M9B"] {
            assert!(LicenceNumber::parse(bad).is_err(), "{bad:?}");
        }
    }
}
