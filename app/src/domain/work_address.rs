//! Pre-stored work addresses (manual Guide 4): the form as typed, the rules it must meet, and
//! the UK postcode in its normal form. The browser runs the same rules to enable Save.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A UK postcode in its normal form: upper case, one space before the inward code ("M1 3HE").
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Postcode(String);

impl Postcode {
    /// Accepts any case and any spacing ("m1 3he", " M13HE "); refuses anything that is not
    /// shaped like a UK postcode. The shapes are the six outward forms (A9, A99, AA9, AA99, A9A,
    /// AA9A) with the letters each position may hold, then a digit and two letters, plus the
    /// special GIR 0AA.
    pub fn parse(s: &str) -> Result<Postcode, &'static str> {
        let compact: String = s.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect();
        if compact.is_empty() {
            return Err("Enter a postcode");
        }
        if compact.chars().count() > 7 {
            return Err("That postcode is too long. Enter a UK postcode, like SW1A 2AA");
        }
        // Only ASCII from here: the checks below slice by byte position.
        if !compact.is_ascii() {
            return Err("Enter a real UK postcode, like M1 3HE");
        }
        if compact == "GIR0AA" || (compact.len() >= 5 && valid_outward(&compact[..compact.len() - 3]) && valid_inward(&compact[compact.len() - 3..])) {
            let (outward, inward) = compact.split_at(compact.len() - 3);
            Ok(Postcode(format!("{outward} {inward}")))
        } else {
            Err("Enter a real UK postcode, like M1 3HE")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A postcode read back from the database, which only ever stores the normal form.
    pub fn from_db(stored: String) -> Postcode {
        Postcode::parse(&stored).unwrap_or(Postcode(stored))
    }
}

impl fmt::Display for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn valid_outward(o: &str) -> bool {
    let c: Vec<char> = o.chars().collect();
    let first = |x: char| x.is_ascii_uppercase() && !"QVX".contains(x);
    let second = |x: char| x.is_ascii_uppercase() && !"IJZ".contains(x);
    let digit = |x: char| x.is_ascii_digit();
    match *c.as_slice() {
        [a, n] => first(a) && digit(n),
        [a, x, y] => first(a) && ((digit(x) && (digit(y) || "ABCDEFGHJKPSTUW".contains(y))) || (second(x) && digit(y))),
        [a, b, n, y] => first(a) && second(b) && digit(n) && (digit(y) || "ABEHMNPRVWXY".contains(y)),
        _ => false,
    }
}

fn valid_inward(i: &str) -> bool {
    let c: Vec<char> = i.chars().collect();
    let unit = |x: char| x.is_ascii_uppercase() && !"CIKMOV".contains(x);
    matches!(c.as_slice(), [n, a, b] if n.is_ascii_digit() && unit(*a) && unit(*b))
}

/// A work address as checked and stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkAddress {
    pub identifier: String,
    pub line1: String,
    pub line2: Option<String>,
    pub line3: Option<String>,
    pub town: String,
    pub county: Option<String>,
    pub postcode: Postcode,
}

/// The form's fields: (name, label, required, most characters).
pub const FIELDS: [(&str, &str, bool, usize); 7] = [
    ("identifier", "Address identifier", true, 50),
    ("line1", "Address line 1", true, 100),
    ("line2", "Address line 2", false, 100),
    ("line3", "Address line 3", false, 100),
    ("town", "Town or city", true, 60),
    ("county", "County", false, 60),
    ("postcode", "Postcode", true, 8),
];

/// What was typed, kept as typed so that a form with errors shows it again.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressForm {
    pub identifier: String,
    pub line1: String,
    pub line2: String,
    pub line3: String,
    pub town: String,
    pub county: String,
    pub postcode: String,
}

/// Shown when Save is sent without a change (the browser disables it; the server says so).
pub const NO_CHANGE: &str = "Change at least one detail of the address before you select Save";

impl AddressForm {
    pub fn get(&self, name: &str) -> &str {
        match name {
            "identifier" => &self.identifier,
            "line1" => &self.line1,
            "line2" => &self.line2,
            "line3" => &self.line3,
            "town" => &self.town,
            "county" => &self.county,
            _ => &self.postcode,
        }
    }

    pub fn set(&mut self, name: &str, value: String) {
        match name {
            "identifier" => self.identifier = value,
            "line1" => self.line1 = value,
            "line2" => self.line2 = value,
            "line3" => self.line3 = value,
            "town" => self.town = value,
            "county" => self.county = value,
            _ => self.postcode = value,
        }
    }

    /// The address, or a message per wrong field, in the form's order.
    pub fn parse(&self) -> Result<WorkAddress, Vec<(String, String)>> {
        let mut errors = Vec::new();
        for (name, label, required, max) in FIELDS {
            let v = self.get(name).trim();
            if name == "postcode" {
                if let Err(m) = Postcode::parse(v) {
                    errors.push((name.to_string(), m.to_string()));
                }
            } else if required && v.is_empty() {
                let message = match name {
                    "identifier" => "Enter an address identifier".to_string(),
                    "town" => "Enter a town or city".to_string(),
                    _ => format!("Enter {}", label.to_lowercase()),
                };
                errors.push((name.to_string(), message));
            } else if v.chars().count() > max {
                errors.push((name.to_string(), format!("{label} must be {max} characters or fewer")));
            } else if super::search::has_control(v) {
                errors.push((name.to_string(), format!("{label} must not hold tabs, line breaks or other hidden characters")));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let optional = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        Ok(WorkAddress {
            identifier: self.identifier.trim().to_string(),
            line1: self.line1.trim().to_string(),
            line2: optional(&self.line2),
            line3: optional(&self.line3),
            town: self.town.trim().to_string(),
            county: optional(&self.county),
            postcode: Postcode::parse(&self.postcode).expect("checked above"),
        })
    }

    /// Whether saving this over `saved` would change anything, compared as it would be stored
    /// ("m1 3he" is no change from "M1 3HE"). A form with errors counts as a change, so that
    /// Save shows them.
    pub fn changes(&self, saved: &AddressForm) -> bool {
        match (self.parse(), saved.parse()) {
            (Ok(a), Ok(b)) => a != b,
            _ => true,
        }
    }
}

impl WorkAddress {
    pub fn to_form(&self) -> AddressForm {
        let o = |s: &Option<String>| s.clone().unwrap_or_default();
        AddressForm {
            identifier: self.identifier.clone(),
            line1: self.line1.clone(),
            line2: o(&self.line2),
            line3: o(&self.line3),
            town: self.town.clone(),
            county: o(&self.county),
            postcode: self.postcode.to_string(),
        }
    }

    /// One line, for lists and confirmations.
    pub fn one_line(&self) -> String {
        [Some(&self.line1), self.line2.as_ref(), self.line3.as_ref(), Some(&self.town), self.county.as_ref()]
            .into_iter()
            .flatten()
            .cloned()
            .chain([self.postcode.to_string()])
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pc(s: &str) -> Result<String, &'static str> {
        Postcode::parse(s).map(|p| p.to_string())
    }

    #[test]
    fn postcodes_are_stored_in_their_normal_form() {
        assert_eq!(pc("m1 3he"), Ok("M1 3HE".into()));
        assert_eq!(pc("  M13HE "), Ok("M1 3HE".into()));
        assert_eq!(pc("sw1a   2aa"), Ok("SW1A 2AA".into()));
        assert_eq!(pc("SW1A\t2AA"), Ok("SW1A 2AA".into()));
        assert_eq!(pc("gir 0aa"), Ok("GIR 0AA".into()));
        assert_eq!(pc("GIR0AA"), Ok("GIR 0AA".into()));
    }

    #[test]
    fn every_outward_shape_is_accepted() {
        for ok in ["M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "W1A 0AX", "EC1A 1BB", "BT1 1AA", "L1 8JQ"] {
            assert_eq!(pc(ok), Ok(ok.to_string()), "{ok}");
        }
    }

    #[test]
    fn what_is_not_a_postcode_is_refused() {
        for bad in ["M1", "3HE", "M1 3H", "M1 3HEE", "MMM1 3HE", "11 3HE", "M1 HE3", "Q1 1AA", "AI1 1AA", "M1 1CA", "M1 1AV",
            "W1I 1AA", "M1-3HE", "M1 3HÉ", "SW1A2AA!", "ZZ", "A€A", "M€1 3HE", "€€€€€", "Ｍ1 3HE", "M1 3Hé"] {
            assert!(pc(bad).is_err(), "{bad} should be refused");
        }
        assert_eq!(pc(""), Err("Enter a postcode"));
        assert_eq!(pc("   "), Err("Enter a postcode"));
        assert!(pc("SW1A 2AAA").unwrap_err().contains("too long"));
        assert!(pc("SW1A 2AA SW1A 2AA").unwrap_err().contains("too long"));
    }

    fn form() -> AddressForm {
        AddressForm {
            identifier: " Head office ".into(),
            line1: "1 Piccadilly".into(),
            line2: "".into(),
            line3: "  ".into(),
            town: "Manchester".into(),
            county: "".into(),
            postcode: "m1 3he".into(),
        }
    }

    #[test]
    fn a_good_form_is_trimmed_and_blank_optional_lines_are_none() {
        let a = form().parse().unwrap();
        assert_eq!(a.identifier, "Head office");
        assert_eq!(a.postcode.as_str(), "M1 3HE");
        assert_eq!(a.to_form().parse().unwrap().to_form(), a.to_form());
        assert_eq!((a.line2, a.line3, a.county), (None, None, None));
    }

    #[test]
    fn each_mandatory_field_is_named_when_missing() {
        let empty = AddressForm::default().parse().unwrap_err();
        let names: Vec<&str> = empty.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(names, ["identifier", "line1", "town", "postcode"]);
        assert_eq!(empty[0].1, "Enter an address identifier");
        assert_eq!(empty[1].1, "Enter address line 1");
        let mut long = form();
        long.line2 = "x".repeat(101);
        assert_eq!(long.parse().unwrap_err(), vec![("line2".to_string(), "Address line 2 must be 100 characters or fewer".to_string())]);
    }

    #[test]
    fn a_change_is_judged_as_it_would_be_stored() {
        let saved = form().parse().unwrap().to_form();
        let mut same = saved.clone();
        same.postcode = "m13he".into();
        same.identifier = "Head office  ".into();
        assert!(!same.changes(&saved));
        let mut other = saved.clone();
        other.county = "Greater Manchester".into();
        assert!(other.changes(&saved));
        let mut broken = saved.clone();
        broken.town = "".into();
        assert!(broken.changes(&saved), "errors are a reason to let Save show them");
    }
}
