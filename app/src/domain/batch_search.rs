//! "Search for batch(es) of CoS": by batch reference, owner, route and the dates the batch
//! was created between. The form is kept as typed so that a bad value can be shown back.

use super::search::{date_range, encode_component};
use serde::{Deserialize, Serialize};
use time::Date;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BatchSearchForm {
    pub reference: String,
    /// The owner's user id (internal number).
    pub owner: String,
    /// Route id.
    pub route: String,
    pub created_from: String,
    pub created_to: String,
    pub page: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchSearch {
    /// Matches references that start with it, ignoring case.
    pub reference: Option<String>,
    pub owner: Option<i64>,
    pub route: Option<i16>,
    pub created_from: Option<Date>,
    pub created_to: Option<Date>,
}

pub const PAGE_SIZE: u32 = 25;

impl BatchSearchForm {
    pub fn is_blank(&self) -> bool {
        [&self.reference, &self.owner, &self.route, &self.created_from, &self.created_to].iter().all(|f| f.trim().is_empty())
    }

    pub fn parse(&self) -> Result<BatchSearch, Vec<(String, String)>> {
        let mut errors = Vec::new();
        let reference = Some(self.reference.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|r| !r.is_empty());
        if reference.as_ref().is_some_and(|r| r.chars().count() > 60) {
            errors.push(("reference".into(), "Enter no more than 60 characters.".into()));
        } else if super::search::has_control(&self.reference) {
            errors.push(("reference".into(), super::search::CONTROL_MESSAGE.into()));
        }
        let owner = match self.owner.trim() {
            "" => None,
            o => match o.parse::<i64>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    errors.push(("owner".into(), "Select an owner from the list.".into()));
                    None
                }
            },
        };
        let route = match self.route.trim() {
            "" => None,
            r => match r.parse::<i16>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    errors.push(("route".into(), "Select a route from the list.".into()));
                    None
                }
            },
        };
        let (created_from, created_to) =
            date_range(("created_from", &self.created_from), ("created_to", &self.created_to), &mut errors);
        if errors.is_empty() {
            Ok(BatchSearch { reference, owner, route, created_from, created_to })
        } else {
            Err(errors)
        }
    }

    /// The query string of this search at `page`.
    pub fn to_query(&self, page: u32) -> String {
        let mut q: Vec<String> = [("reference", &self.reference), ("owner", &self.owner), ("route", &self.route),
            ("created_from", &self.created_from), ("created_to", &self.created_to)]
            .iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| format!("{k}={}", encode_component(v.trim())))
            .collect();
        if page > 1 {
            q.push(format!("page={page}"));
        }
        q.join("&")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_explains() {
        let f = BatchSearchForm { reference: "  b-2026 ".into(), route: "3".into(), created_from: "1/10/2026".into(), ..Default::default() };
        let s = f.parse().unwrap();
        assert_eq!(s.reference.as_deref(), Some("b-2026"));
        assert_eq!(s.route, Some(3));
        assert_eq!(s.created_from, Some(time::macros::date!(2026 - 10 - 01)));
        let bad = BatchSearchForm { owner: "x".into(), created_from: "2/10/2026".into(), created_to: "1/10/2026".into(), ..Default::default() };
        let fields: Vec<String> = bad.parse().unwrap_err().into_iter().map(|e| e.0).collect();
        assert_eq!(fields, vec!["owner", "created_to"]);
        assert!(BatchSearchForm::default().is_blank());
        assert_eq!(f.to_query(2), "reference=b-2026&route=3&created_from=1%2F10%2F2026&page=2");
    }
}
