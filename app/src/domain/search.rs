//! "Search for CoS": the criteria a user can give, parsed from what they typed (or from the
//! URL), with a message per field that is wrong.

use super::CosNumber;
use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// What the form sends: every field as typed, so a bad value can be shown back.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CosSearchForm {
    pub cos_number: String,
    pub family_name: String,
    pub given_name: String,
    /// DD/MM/YYYY or YYYY-MM-DD.
    pub date_of_birth: String,
    pub nationality: String,
    pub passport_number: String,
    pub page: u32,
}

/// Valid criteria; `None` means "any".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CosSearch {
    pub cos_number: Option<String>,
    pub family_name: Option<String>,
    pub given_name: Option<String>,
    pub date_of_birth: Option<Date>,
    pub nationality: Option<String>,
    pub passport_number: Option<String>,
}

pub const PAGE_SIZE: u32 = 25;

/// Tabs, line breaks, NUL and other control characters: no name or reference holds one, and
/// the database refuses a NUL outright, so a filter carrying one gets this message instead.
pub fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

pub const CONTROL_MESSAGE: &str = "Remove the tabs, line breaks or other hidden characters from this field.";

fn text(s: &str) -> Option<String> {
    let t = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!t.is_empty()).then_some(t)
}

/// Parses a date the way people in the UK write it: 31/01/1990, 31-1-1990 or 1990-01-31.
pub fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    let parts: Vec<&str> = s.split(['/', '-', '.', ' ']).filter(|p| !p.is_empty()).collect();
    if parts.len() != 3 {
        return None;
    }
    let nums: Vec<i32> = parts.iter().map(|p| p.parse().ok()).collect::<Option<_>>()?;
    let (y, m, d) = if parts[0].len() == 4 { (nums[0], nums[1], nums[2]) } else { (nums[2], nums[1], nums[0]) };
    if !(1900..=2100).contains(&y) {
        return None;
    }
    Date::from_calendar_date(y, Month::try_from(u8::try_from(m).ok()?).ok()?, u8::try_from(d).ok()?).ok()
}

/// A "from" and "to" date as typed, each optional: parsed, with a message by the field for a
/// date that cannot be read, and by the "to" field when it comes before "from".
pub fn date_range(
    (from_field, from): (&str, &str),
    (to_field, to): (&str, &str),
    errors: &mut Vec<(String, String)>,
) -> (Option<Date>, Option<Date>) {
    let mut date = |field: &str, value: &str, label: &str| {
        let v = value.trim();
        if v.is_empty() {
            return None;
        }
        let d = parse_date(v);
        if d.is_none() {
            errors.push((field.into(), format!("Enter the {label} date as day/month/year, for example 27/03/2026.")));
        }
        d
    };
    let (from, to) = (date(from_field, from, "from"), date(to_field, to, "to"));
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            errors.push((to_field.into(), "The to date must be the same as or after the from date.".into()));
        }
    }
    (from, to)
}

impl CosSearchForm {
    pub fn is_blank(&self) -> bool {
        [&self.cos_number, &self.family_name, &self.given_name, &self.date_of_birth, &self.nationality, &self.passport_number]
            .iter()
            .all(|f| f.trim().is_empty())
    }

    /// The criteria, or (field, message) for each field that is wrong.
    pub fn parse(&self) -> Result<CosSearch, Vec<(String, String)>> {
        let mut errors = Vec::new();
        let cos_number = match text(&self.cos_number) {
            None => None,
            Some(n) => match CosNumber::parse(&n) {
                Ok(n) => Some(n.as_str().to_string()),
                Err(e) => {
                    errors.push(("cos_number".into(), e.to_string()));
                    None
                }
            },
        };
        let date_of_birth = match text(&self.date_of_birth) {
            None => None,
            Some(d) => match parse_date(&d) {
                Some(d) => Some(d),
                None => {
                    errors.push((
                        "date_of_birth".into(),
                        "Enter the date of birth as day/month/year, for example 27/03/1990.".into(),
                    ));
                    None
                }
            },
        };
        for (field, value, max) in [("family_name", &self.family_name, 100), ("given_name", &self.given_name, 100),
            ("nationality", &self.nationality, 60), ("passport_number", &self.passport_number, 30)] {
            if value.chars().count() > max {
                errors.push((field.into(), format!("Enter no more than {max} characters.")));
            } else if has_control(value) {
                errors.push((field.into(), CONTROL_MESSAGE.into()));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(CosSearch {
            cos_number,
            family_name: text(&self.family_name),
            given_name: text(&self.given_name),
            date_of_birth,
            nationality: text(&self.nationality),
            passport_number: text(&self.passport_number).map(|p| p.replace(' ', "").to_uppercase()),
        })
    }

    /// The query string that reproduces this search (and page).
    pub fn to_query(&self, page: u32) -> String {
        let mut q = Vec::new();
        for (k, v) in [("cos_number", &self.cos_number), ("family_name", &self.family_name), ("given_name", &self.given_name),
            ("date_of_birth", &self.date_of_birth), ("nationality", &self.nationality), ("passport_number", &self.passport_number)] {
            if !v.trim().is_empty() {
                q.push(format!("{k}={}", encode(v.trim())));
            }
        }
        if page > 1 {
            q.push(format!("page={page}"));
        }
        q.join("&")
    }
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Percent-encodes a whole query string so it can ride inside another one.
pub fn encode_component(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Where Back returns to from a CoS: `q` is the basic search's query string, or the path it
/// was opened from: an advanced search page, a batch screen, or the Workers screen (`/`).
/// Only these, never another site.
pub fn back_to_results(q: &str) -> String {
    let batch = q.strip_prefix("/view-cos/batches/").is_some_and(|rest| {
        let id = rest.split('?').next().unwrap_or_default();
        !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())
    });
    // "Transfer all their CoS" starts from a user's screen in Manage users.
    let user = q.strip_prefix("/manage-users/user/").is_some_and(|id| crate::domain::account::check_user_id(id).is_ok());
    if q == "/" || user || ((q.starts_with("/view-cos/advanced") || batch) && !q.contains("//") && !q.contains('\\')) {
        q.to_string()
    } else {
        with_search("/view-cos", q)
    }
}

/// `path` with the search `q` (its query string) kept, or `path` alone when there is none, or
/// when `q` is a path: a search's own screen never takes one.
pub fn with_search(path: &str, q: &str) -> String {
    if q.is_empty() || q.starts_with('/') { path.to_string() } else { format!("{path}?{q}") }
}

/// `?q=…` for links that keep a search (`q` is its query string), or nothing.
pub fn keep(q: &str) -> String {
    if q.is_empty() { String::new() } else { format!("?q={}", encode_component(q)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_goes_where_the_cos_was_opened_from_and_nowhere_else() {
        assert_eq!(back_to_results("family_name=smith"), "/view-cos?family_name=smith");
        assert_eq!(back_to_results("/view-cos/advanced?status=used"), "/view-cos/advanced?status=used");
        assert_eq!(back_to_results("/view-cos/batches/12?q=reference%3DB"), "/view-cos/batches/12?q=reference%3DB");
        assert_eq!(back_to_results("/"), "/");
        assert_eq!(back_to_results("/manage-users/user/jane.smith"), "/manage-users/user/jane.smith");
        for bad in ["//evil.example", "/view-cos/batches/x", "/view-cos/batches/", "/view-cos/batches/1//x",
            "/view-cos/advanced\\evil", "/other", "", "/manage-users/user//evil.example", "/manage-users/user/a/b"] {
            assert_eq!(back_to_results(bad), "/view-cos", "{bad}");
        }
    }
    use time::macros::date;

    #[test]
    fn dates_the_uk_way() {
        assert_eq!(parse_date("27/03/1990"), Some(date!(1990 - 03 - 27)));
        assert_eq!(parse_date("7-3-1990"), Some(date!(1990 - 03 - 07)));
        assert_eq!(parse_date("1990-03-27"), Some(date!(1990 - 03 - 27)));
        assert_eq!(parse_date("31/02/1990"), None);
        assert_eq!(parse_date("27/03"), None);
        assert_eq!(parse_date("soon"), None);
    }

    #[test]
    fn bad_fields_are_named_and_good_ones_normalised() {
        let f = CosSearchForm { cos_number: "x1".into(), date_of_birth: "32/01/1990".into(), ..Default::default() };
        let errs = f.parse().unwrap_err();
        assert_eq!(errs.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(), vec!["cos_number", "date_of_birth"]);
        let f = CosSearchForm { cos_number: " c1a2b3c4d5e ".into(), family_name: "  o'brien ".into(), passport_number: "a12 345".into(), ..Default::default() };
        let s = f.parse().unwrap();
        assert_eq!(s.cos_number.as_deref(), Some("C1A2B3C4D5E"));
        assert_eq!(s.family_name.as_deref(), Some("o'brien"));
        assert_eq!(s.passport_number.as_deref(), Some("A12345"));
        assert!(CosSearchForm::default().is_blank());
    }

    #[test]
    fn the_query_string_round_trips_the_fields() {
        let f = CosSearchForm { family_name: "Nguyễn".into(), given_name: "Ana María".into(), ..Default::default() };
        assert_eq!(f.to_query(2), "family_name=Nguy%E1%BB%85n&given_name=Ana+Mar%C3%ADa&page=2");
    }
}
