//! Which CoS a "transfer many" is about: the ones ticked in a list (`cos=…`, repeated), or
//! every CoS a search matches (`all=1` and the search's own parameters). Carried in the
//! query string from the results to the transfer screen and its form.

use super::advanced_search::{query_pairs, AdvancedForm, AdvancedSearch};
use super::CosNumber;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Selection {
    Numbers(Vec<String>),
    AllMatching(AdvancedSearch),
}

/// The most CoS that can be ticked one by one (the "all matching" choice has no limit).
pub const MAX_TICKED: usize = 500;

impl Selection {
    /// Reads a selection from a query string; a message when there is none or it is bad.
    pub fn from_query(q: &str) -> Result<Selection, String> {
        let pairs = query_pairs(q);
        if pairs.iter().any(|(k, v)| k == "all" && v == "1") {
            let mut form = AdvancedForm::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            (form.after, form.before) = (String::new(), String::new());
            return form
                .parse()
                .map(Selection::AllMatching)
                .map_err(|_| "That search is not valid. Go back to it and try again.".to_string());
        }
        // The cap before any work per number: a forged list of thousands costs one count.
        let ticked: Vec<&str> = pairs.iter().filter(|(k, _)| k == "cos").map(|(_, v)| v.as_str()).collect();
        if ticked.len() > MAX_TICKED {
            return Err(format!("Select no more than {MAX_TICKED} CoS, or transfer all that match the search."));
        }
        let mut numbers = std::collections::BTreeSet::new();
        for v in ticked {
            let n = CosNumber::parse(v).map_err(|_| "Select CoS from the list.".to_string())?;
            numbers.insert(n.as_str().to_string());
        }
        if numbers.is_empty() {
            return Err("Select at least one CoS to transfer.".into());
        }
        Ok(Selection::Numbers(numbers.into_iter().collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ticked_numbers_and_whole_searches() {
        assert_eq!(
            Selection::from_query("cos=c2g7k9q4r8t&cos=C1A2B3C4D5E&cos=C2G7K9Q4R8T"),
            Ok(Selection::Numbers(vec!["C1A2B3C4D5E".into(), "C2G7K9Q4R8T".into()]))
        );
        assert!(Selection::from_query("").is_err());
        assert!(Selection::from_query("cos=nonsense").is_err());
        match Selection::from_query("all=1&status=used&family_name=smith&after=1~x") {
            Ok(Selection::AllMatching(s)) => {
                assert_eq!(s.statuses, vec![super::super::Status::Used]);
                assert_eq!(s.basic.family_name.as_deref(), Some("smith"));
                assert_eq!(s.cursor, None, "a page cursor means nothing here");
            }
            other => panic!("{other:?}"),
        }
        assert!(Selection::from_query("all=1&changed_from=31/02/2026").is_err());
        // Over the cap is refused before any number is read, even when they repeat.
        let many = vec!["cos=C1A2B3C4D5E"; MAX_TICKED + 1].join("&");
        assert!(Selection::from_query(&many).unwrap_err().contains("no more than"));
        let most = vec!["cos=C1A2B3C4D5E"; MAX_TICKED].join("&");
        assert_eq!(Selection::from_query(&most), Ok(Selection::Numbers(vec!["C1A2B3C4D5E".into()])));
    }
}
