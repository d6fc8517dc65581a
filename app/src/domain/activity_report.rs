//! "Report migrant activity" (SMS guide 9): the answers a report takes and the rules they meet.
//! Some activity types ask for what changed; the others ignore those answers.

use super::cos_form::{self, Field, Kind, Lists};
use super::search::parse_date;
use std::collections::BTreeMap;
use time::Date;

/// The answers as typed, by name (`report[activity]=…` in a form post).
pub type ReportForm = BTreeMap<String, String>;

pub const MAX_DETAILS: usize = 2000;

/// An answer only some activity types ask for: (name, label, hint, the type that asks).
pub struct Extra {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub for_type: &'static str,
    kind: Kind,
}

pub const EXTRAS: [Extra; 6] = [
    Extra { name: "new_start_date", label: "New start date", hint: "For example 01/05/2027", for_type: "Migrant's start date has been delayed", kind: Kind::Date },
    Extra { name: "new_line1", label: "New work address: address line 1", hint: "", for_type: "Change of work location", kind: Kind::Text },
    Extra { name: "new_town", label: "New work address: town or city", hint: "", for_type: "Change of work location", kind: Kind::Text },
    Extra { name: "new_postcode", label: "New work address: postcode", hint: "For example M1 3HE", for_type: "Change of work location", kind: Kind::Postcode },
    Extra { name: "new_salary", label: "New gross annual salary (£)", hint: "For example 41000", for_type: "Change of salary", kind: Kind::Money },
    Extra { name: "new_hours", label: "New total weekly working hours", hint: "For example 30", for_type: "Change of working hours", kind: Kind::Hours },
];

/// The lists a report needs none of.
struct NoLists;
impl Lists for NoLists {
    fn soc(&self, _: &str) -> bool {
        false
    }
    fn country(&self, _: &str) -> Option<String> {
        None
    }
}

/// A report as it will be saved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub type_id: i16,
    pub type_name: String,
    pub event: Date,
    pub details: String,
    /// (label, value) of what changed, for the types that ask.
    pub changes: Vec<(String, String)>,
}

/// Checks the answers: `types` the activity types (id, name); `assigned` the day the CoS was
/// assigned; `today` in the UK. Every problem by its field.
pub fn check(form: &ReportForm, types: &[(i16, String)], assigned: Option<Date>, today: Date) -> Result<Report, Vec<(String, String)>> {
    let get = |k: &str| form.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let mut errors = Vec::new();
    let chosen = get("activity").parse::<i16>().ok().and_then(|id| types.iter().find(|t| t.0 == id));
    if chosen.is_none() {
        errors.push(("activity".to_string(), "Select the activity you are reporting".to_string()));
    }
    let event = match parse_date(&get("event_date")) {
        _ if get("event_date").is_empty() => {
            errors.push(("event_date".into(), "Enter the date of the event".into()));
            None
        }
        None => {
            errors.push(("event_date".into(), "Enter the date of the event as a real date, like 27/03/2027".into()));
            None
        }
        Some(d) if d > today => {
            errors.push(("event_date".into(), "The date of the event cannot be in the future".into()));
            None
        }
        Some(d) if assigned.is_some_and(|a| d < a) => {
            let a = assigned.map(super::dates::uk_date).unwrap_or_default();
            errors.push(("event_date".into(), format!("The date of the event cannot be before the CoS was assigned, on {a}")));
            None
        }
        Some(d) => Some(d),
    };
    let details = form.get("details").map(|d| d.replace("\r\n", "\n")).unwrap_or_default();
    let details = details.trim().to_string();
    if details.is_empty() {
        errors.push(("details".into(), "Enter the details of the activity".into()));
    } else if details.chars().count() > MAX_DETAILS {
        errors.push(("details".into(), format!("The details must be 2,000 characters or fewer; they have {}", details.chars().count())));
    } else if super::search::has_control(&details.replace(['\n', '\t'], " ")) {
        errors.push(("details".into(), super::search::CONTROL_MESSAGE.into()));
    }
    let mut changes = Vec::new();
    if let Some((_, name)) = chosen {
        for x in EXTRAS.iter().filter(|x| x.for_type == name) {
            let field = Field { name: x.name, label: x.label, kind: x.kind, required: true, hint: x.hint };
            match cos_form::value(&field, &get(x.name), &NoLists) {
                Ok(Some(v)) => changes.push((x.label.to_string(), cos_form::typed_kind(x.kind, &v))),
                Ok(None) => errors.push((x.name.to_string(), format!("Enter the {}", x.label.to_lowercase()))),
                Err(m) => errors.push((x.name.to_string(), m)),
            }
        }
    }
    match (chosen, event, errors.is_empty()) {
        (Some((id, name)), Some(event), true) => Ok(Report { type_id: *id, type_name: name.clone(), event, details, changes }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn types() -> Vec<(i16, String)> {
        vec![(1, "Migrant has left the Sponsor".into()), (8, "Change of salary".into()), (6, "Change of work location".into())]
    }

    fn form(pairs: &[(&str, &str)]) -> ReportForm {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    const TODAY: Date = date!(2026 - 12 - 01);
    const ASSIGNED: Option<Date> = Some(date!(2026 - 06 - 01));

    #[test]
    fn a_report_and_what_changed() {
        let r = check(&form(&[("activity", "8"), ("event_date", "20/11/2026"), ("details", "Promoted.\r\nNew pay from 20 November."), ("new_salary", "£41,000"), ("new_hours", "ignored")]), &types(), ASSIGNED, TODAY).unwrap();
        assert_eq!(r.type_name, "Change of salary");
        assert_eq!(r.event, date!(2026 - 11 - 20));
        assert_eq!(r.details, "Promoted.\nNew pay from 20 November.");
        assert_eq!(r.changes, vec![("New gross annual salary (£)".to_string(), "41000.00".to_string())]);
        let r = check(&form(&[("activity", "1"), ("event_date", "01/12/2026"), ("details", "Left."), ("new_salary", "x")]), &types(), ASSIGNED, TODAY).unwrap();
        assert!(r.changes.is_empty(), "answers another type asks for are ignored");
    }

    #[test]
    fn each_problem_by_its_field() {
        let e = check(&form(&[("activity", "99"), ("event_date", "02/12/2026")]), &types(), ASSIGNED, TODAY).unwrap_err();
        assert_eq!(e.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(), ["activity", "event_date", "details"]);
        assert!(e[1].1.contains("future"));
        let e = check(&form(&[("activity", "6"), ("event_date", "31/05/2026"), ("details", "Moved."), ("new_postcode", "nowhere")]), &types(), ASSIGNED, TODAY).unwrap_err();
        assert_eq!(e.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(), ["event_date", "new_line1", "new_town", "new_postcode"]);
        assert!(e[0].1.contains("before the CoS was assigned, on 1 June 2026"));
        let long = "x".repeat(2001);
        let e = check(&form(&[("activity", "1"), ("event_date", "01/11/2026"), ("details", &long)]), &types(), ASSIGNED, TODAY).unwrap_err();
        assert!(e[0].1.contains("2,000 characters or fewer"));
    }
}
