//! "Create a CoS" (SMS guide 8): the form's sections and fields, and the rules a saved CoS
//! meets. Save works at any point: what is missing makes it WORK IN PROGRESS, and it is
//! READY TO GO once every mandatory field is filled; anything filled but wrong is refused
//! with a message by its field, and nothing is saved until it is put right.

use super::search::{has_control, parse_date, CONTROL_MESSAGE};
use super::work_address::Postcode;
use std::collections::BTreeMap;
use time::Date;

/// The official lists a form is checked against (the server's; tests bring their own).
pub trait Lists {
    /// Whether `code` is a SOC 2020 unit group.
    fn soc(&self, code: &str) -> bool;
    /// The ISO 3166 name of the country `name` names, whatever its case.
    fn country(&self, name: &str) -> Option<String>;
}

/// What a field holds, which decides how it is shown, checked and stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// Several lines (up to 2,000 characters).
    Long,
    /// dd/mm/yyyy
    Date,
    Gender,
    Hours,
    Money,
    /// A SOC 2020 unit group (4 digits, one of the ONS list).
    Soc,
    /// A country by its ISO 3166 name.
    Country,
    Postcode,
    YesNo,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    /// The form field's name, and the column it is stored in.
    pub name: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    pub required: bool,
    pub hint: &'static str,
}

pub struct Section {
    pub title: &'static str,
    pub fields: &'static [Field],
}

const fn f(name: &'static str, label: &'static str, kind: Kind, required: bool, hint: &'static str) -> Field {
    Field { name, label, kind, required, hint }
}

use Kind::*;

/// The sections of domain.md, in the order of the form.
pub const SECTIONS: &[Section] = &[
    Section {
        title: "Personal information",
        fields: &[
            f("family_name", "Family name", Text, true, ""),
            f("given_names", "Given names", Text, true, ""),
            f("other_names", "Other names", Text, false, "Any other names the worker uses or has used"),
            f("nationality", "Nationality", Country, true, "The country of the worker's passport, as ISO 3166 names it, for example India"),
            f("place_of_birth", "Place of birth", Text, true, "Town or city"),
            f("country_of_birth", "Country of birth", Country, true, "As ISO 3166 names it, for example Nigeria"),
            f("date_of_birth", "Date of birth", Date, true, "For example 27/03/1990"),
            f("gender", "Gender", Gender, true, ""),
            f("country_of_residence", "Country of residence", Country, true, "As ISO 3166 names it, for example Nigeria"),
            f("ni_number", "UK National Insurance number", Text, false, "If the worker has one"),
            f("employee_number", "Employee number", Text, false, "If you give the worker one"),
        ],
    },
    Section {
        title: "Passport or travel document",
        fields: &[
            f("passport_number", "Passport or travel document number", Text, true, ""),
            f("passport_issue_date", "Issue date", Date, true, "For example 14/02/2022"),
            f("passport_expiry_date", "Expiry date", Date, true, "For example 13/02/2032"),
            f("passport_place_of_issue", "Place of issue", Text, true, ""),
        ],
    },
    Section {
        title: "Current home address (outside the UK)",
        fields: &[f("home_address", "Home address", Long, true, "The full address, with the country")],
    },
    Section {
        title: "Work dates and hours",
        fields: &[
            f("work_start_date", "Work start date", Date, true, "For example 01/03/2027"),
            f("work_end_date", "Work end date", Date, true, "For example 28/02/2030"),
            f("weekly_hours", "Total weekly working hours", Hours, true, "For example 37.5"),
        ],
    },
    Section {
        title: "Main work address in the UK",
        fields: &[
            f("work_address_line1", "Address line 1", Text, true, ""),
            f("work_address_line2", "Address line 2", Text, false, ""),
            f("work_address_line3", "Address line 3", Text, false, ""),
            f("work_address_town", "Town or city", Text, true, ""),
            f("work_address_county", "County", Text, false, ""),
            f("work_address_postcode", "Postcode", Postcode, true, "For example M1 3HE"),
        ],
    },
    Section {
        title: "Job",
        fields: &[
            f("job_title", "Job title", Text, true, ""),
            f("soc_code", "Occupation code (SOC 2020)", Soc, true, "The 4-digit code of the job's SOC 2020 unit group, for example 2134"),
            f("job_description", "Job description", Long, true, ""),
            f("gross_salary", "Gross annual salary (£)", Money, true, "For example 38700"),
            f("allowances", "Allowances included in the salary", Text, false, "For example London weighting £3,000"),
        ],
    },
    Section {
        title: "Certify maintenance",
        fields: &[f("certify_maintenance", "Do you certify maintenance for the worker?", YesNo, true, "")],
    },
];

pub fn fields() -> impl Iterator<Item = &'static Field> {
    SECTIONS.iter().flat_map(|s| s.fields.iter())
}

pub fn field(name: &str) -> Option<&'static Field> {
    fields().find(|f| f.name == name)
}

/// The form as typed, by field name (`cos[family_name]=…` in a form post).
pub type CosForm = BTreeMap<String, String>;

/// The most other regular work addresses a CoS can have.
pub const MAX_OTHER: usize = 10;

/// The parts of an other regular work address: (key, label, required).
pub const OTHER_PARTS: [(&str, &str, bool); 6] = [
    ("line1", "Address line 1", true),
    ("line2", "Address line 2", false),
    ("line3", "Address line 3", false),
    ("town", "Town or city", true),
    ("county", "County", false),
    ("postcode", "Postcode", true),
];

/// The form's name of part `part` of other address `n` (1-based): `other2_town`.
pub fn other_key(n: usize, part: &str) -> String {
    format!("other{n}_{part}")
}

/// Whether a form key belongs to the other regular work addresses.
pub fn is_other_key(k: &str) -> bool {
    k.strip_prefix("other").and_then(|r| r.split_once('_')).is_some_and(|(n, p)| {
        n.parse::<usize>().is_ok_and(|n| (1..=MAX_OTHER).contains(&n))
            && (p == "remove" || p == "address_id" || OTHER_PARTS.iter().any(|o| o.0 == p))
    })
}

/// An other regular work address as stored (`cos.other_work_addresses`, one object each).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OtherAddress {
    pub line1: String,
    #[serde(default)]
    pub line2: String,
    #[serde(default)]
    pub line3: String,
    pub town: String,
    #[serde(default)]
    pub county: String,
    pub postcode: String,
}

impl OtherAddress {
    /// The address on one line, its empty parts left out, as View CoS and the PDF show it.
    pub fn one_line(&self) -> String {
        OTHER_PARTS.iter().map(|(p, _, _)| self.part(p)).filter(|v| !v.is_empty()).collect::<Vec<_>>().join(", ")
    }

    fn part(&self, p: &str) -> &str {
        match p {
            "line1" => &self.line1,
            "line2" => &self.line2,
            "line3" => &self.line3,
            "town" => &self.town,
            "county" => &self.county,
            _ => &self.postcode,
        }
    }
}

/// Stored other addresses as the form's fields, numbered from 1.
pub fn others_typed(stored: &[OtherAddress]) -> Vec<(String, String)> {
    stored
        .iter()
        .enumerate()
        .flat_map(|(i, a)| OTHER_PARTS.iter().map(move |(p, _, _)| (other_key(i + 1, p), a.part(p).to_string())))
        .collect()
}

/// How many other address blocks the form holds something in.
pub fn others_in(form: &CosForm) -> usize {
    (1..=MAX_OTHER).filter(|&n| OTHER_PARTS.iter().any(|(p, _, _)| form.get(&other_key(n, p)).is_some_and(|v| !v.trim().is_empty()))).count()
}

/// The other addresses of a form: those filled in and not marked for removal, in order; or
/// what is wrong, by field.
fn check_others(form: &CosForm) -> (Vec<OtherAddress>, Vec<(String, String)>) {
    let (mut out, mut errors) = (Vec::new(), Vec::new());
    for n in 1..=MAX_OTHER {
        let get = |p: &str| form.get(&other_key(n, p)).map(|v| v.trim().to_string()).unwrap_or_default();
        if get("remove") == "yes" || OTHER_PARTS.iter().all(|(p, _, _)| get(p).is_empty()) {
            continue;
        }
        let mut a = OtherAddress::default();
        for (p, label, required) in OTHER_PARTS {
            let v = get(p);
            let key = other_key(n, p);
            if v.chars().count() > SHORT {
                errors.push((key, format!("{label} must be {SHORT} characters or fewer")));
            } else if has_control(&v) {
                errors.push((key, CONTROL_MESSAGE.into()));
            } else if required && v.is_empty() {
                errors.push((key, format!("Enter the {} of other address {n}, or remove the address", lower(label))));
            } else if p == "postcode" {
                match Postcode::parse(&v) {
                    Ok(pc) => a.postcode = pc.as_str().to_string(),
                    Err(m) => errors.push((key, m.to_string())),
                }
            } else {
                match p {
                    "line1" => a.line1 = v,
                    "line2" => a.line2 = v,
                    "line3" => a.line3 = v,
                    "town" => a.town = v,
                    _ => a.county = v,
                }
            }
        }
        out.push(a);
    }
    (out, errors)
}

/// A form checked: each field's value as stored (`None`: empty; dates ISO, numbers plain),
/// the labels of mandatory fields still empty, and what is wrong by field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Checked {
    pub values: Vec<(&'static Field, Option<String>)>,
    /// The other regular work addresses, as stored.
    pub others: Vec<OtherAddress>,
    pub missing: Vec<&'static str>,
    pub errors: Vec<(String, String)>,
}

impl Checked {
    /// READY TO GO when nothing is missing; saving is refused while `errors` is not empty.
    pub fn complete(&self) -> bool {
        self.missing.is_empty() && self.errors.is_empty()
    }
    fn date(&self, name: &str) -> Option<Date> {
        self.values.iter().find(|(f, _)| f.name == name).and_then(|(_, v)| v.as_deref()).and_then(parse_date)
    }
}

const SHORT: usize = 200;
const LONG: usize = 2000;

pub fn value(f: &Field, raw: &str, lists: &dyn Lists) -> Result<Option<String>, String> {
    let max = if f.kind == Long { LONG } else { SHORT };
    if raw.chars().count() > max {
        return Err(format!("{} must be {max} characters or fewer", f.label));
    }
    // Line breaks are fine in the long fields; nowhere any other hidden character.
    let cleaned: String = if f.kind == Long { raw.replace("\r\n", "\n") } else { raw.to_string() };
    if has_control(&cleaned.replace('\n', " ")) || (f.kind != Long && cleaned.contains('\n')) {
        return Err(CONTROL_MESSAGE.into());
    }
    let t = cleaned.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let v = match f.kind {
        Text | Long => t.to_string(),
        Date => parse_date(t).map(|d| d.to_string()).ok_or_else(|| format!("Enter {} as a real date, like 27/03/1990", lower(f.label)))?,
        Gender => ["Female", "Male", "Unspecified"]
            .into_iter()
            .find(|g| g.eq_ignore_ascii_case(t))
            .map(str::to_string)
            .ok_or("Select the worker's gender")?,
        Hours => {
            let h: f64 = t.parse().ok().filter(|h: &f64| h.is_finite()).ok_or("Enter the weekly hours as a number, like 37.5")?;
            if h <= 0.0 || h > 168.0 {
                return Err("Weekly hours must be more than 0 and no more than 168".into());
            }
            if (h * 10.0).fract() != 0.0 {
                return Err("Enter the weekly hours to one decimal place at most, like 37.5".into());
            }
            format!("{h}")
        }
        Money => {
            let plain: String = t.trim_start_matches('£').chars().filter(|c| *c != ',').collect();
            let m: f64 = plain.trim().parse().ok().filter(|m: &f64| m.is_finite()).ok_or("Enter the salary in pounds, like 38700")?;
            if m <= 0.0 {
                return Err("The gross annual salary must be more than £0".into());
            }
            if m >= 100_000_000.0 {
                return Err("The gross annual salary must be less than £100,000,000".into());
            }
            if (m * 100.0).round() != m * 100.0 && ((m * 100.0).round() - m * 100.0).abs() > 1e-6 {
                return Err("Enter the salary in pounds and pence at most, like 38700.50".into());
            }
            format!("{:.2}", m)
        }
        Soc => {
            if !(t.len() == 4 && t.chars().all(|c| c.is_ascii_digit())) || !lists.soc(t) {
                return Err("Enter the 4-digit code of a SOC 2020 unit group, like 2136".into());
            }
            t.to_string()
        }
        Country => lists.country(t).ok_or_else(|| format!("Enter {} as ISO 3166 names it, for example Nigeria or Viet Nam", lower(f.label)))?,
        Postcode => Postcode::parse(t).map(|p| p.as_str().to_string()).map_err(str::to_string)?,
        YesNo => match t.to_ascii_lowercase().as_str() {
            "yes" => "true".into(),
            "no" => "false".into(),
            _ => return Err("Select yes or no".into()),
        },
    };
    Ok(Some(v))
}

fn lower(label: &str) -> String {
    let mut c = label.chars();
    c.next().map(|f| f.to_lowercase().chain(c).collect()).unwrap_or_default()
}

/// Checks a form on `today` (UK) against the official `lists`.
pub fn check(form: &CosForm, today: Date, lists: &dyn Lists) -> Checked {
    let mut out = Checked::default();
    for f in fields() {
        let raw = form.get(f.name).map(String::as_str).unwrap_or("");
        match value(f, raw, lists) {
            Ok(v) => {
                if v.is_none() && f.required {
                    out.missing.push(f.label);
                }
                out.values.push((f, v));
            }
            Err(m) => {
                out.errors.push((f.name.to_string(), m));
                out.values.push((f, None));
            }
        }
    }
    let (others, other_errors) = check_others(form);
    out.others = others;
    out.errors.extend(other_errors);
    // Dates that are real but cannot be right.
    let (dob, issue, expiry) = (out.date("date_of_birth"), out.date("passport_issue_date"), out.date("passport_expiry_date"));
    let (start, end) = (out.date("work_start_date"), out.date("work_end_date"));
    let mut wrong = |name: &str, m: &str| {
        if !out.errors.iter().any(|(n, _)| n == name) {
            out.errors.push((name.to_string(), m.to_string()));
        }
    };
    if dob.is_some_and(|d| d >= today) {
        wrong("date_of_birth", "The date of birth must be in the past");
    }
    if issue.is_some_and(|d| d > today) {
        wrong("passport_issue_date", "The issue date must be today or in the past");
    }
    if expiry.is_some_and(|d| d <= today) {
        wrong("passport_expiry_date", "The passport has expired: the expiry date must be in the future");
    } else if let (Some(i), Some(e)) = (issue, expiry) {
        if e <= i {
            wrong("passport_expiry_date", "The expiry date must be after the issue date");
        }
    }
    if start.is_some_and(|d| d < today) {
        wrong("work_start_date", "The work start date cannot be in the past");
    }
    if let (Some(s), Some(e)) = (start, end) {
        if e <= s {
            wrong("work_end_date", "The work end date must be after the start date");
        }
    }
    // In the order of the form, so the error summary reads top to bottom (the other addresses
    // straight after the main one).
    let postcode = fields().position(|f| f.name == "work_address_postcode").unwrap_or(0);
    let order = |n: &str| fields().position(|f| f.name == n).map(|i| i * 100).unwrap_or(if is_other_key(n) { postcode * 100 + 1 } else { usize::MAX });
    out.errors.sort_by_key(|(n, _)| order(n));
    out
}

/// The fee for assigning a CoS of a route category (paid to the Home Office outside SMS).
pub fn fee_pounds(category: &str) -> u32 {
    if category == "Temporary Worker" { 55 } else { 525 }
}

/// The form of a stored CoS: stored values as a user types them.
pub fn typed(name: &str, stored: Option<&str>) -> String {
    let Some(v) = stored else { return String::new() };
    match field(name) {
        Some(f) => typed_kind(f.kind, v),
        None => v.to_string(),
    }
}

/// A stored value of a kind as a user types it (dates dd/mm/yyyy, yes or no).
pub fn typed_kind(kind: Kind, stored: &str) -> String {
    match kind {
        Date => parse_date(stored).map(super::dates::typed).unwrap_or_else(|| stored.into()),
        YesNo => if stored == "true" { "yes".into() } else { "no".into() },
        _ => stored.to_string(),
    }
}

/// The sections every CoS of a batch shares; the others are each worker's own.
pub const COMMON: [&str; 4] = ["Work dates and hours", "Main work address in the UK", "Job", "Certify maintenance"];

pub fn common_fields() -> impl Iterator<Item = &'static Field> {
    SECTIONS.iter().filter(|s| COMMON.contains(&s.title)).flat_map(|s| s.fields.iter())
}

pub fn worker_fields() -> impl Iterator<Item = &'static Field> {
    SECTIONS.iter().filter(|s| !COMMON.contains(&s.title)).flat_map(|s| s.fields.iter())
}

/// The largest file of workers one upload may be.
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;
/// What a file over `MAX_FILE_BYTES` is told, by the server and (before it is sent) the page.
pub const FILE_TOO_BIG: &str = "The file is larger than 5 MB. Split it into smaller batches";
/// The most workers one upload may hold.
pub const MAX_ROWS: usize = 10_000;
/// How many problems of an upload are listed (the rest are counted).
pub const PROBLEMS_SHOWN: usize = 100;

/// A problem with an uploaded file: its row (the header is row 1), the column, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    pub row: usize,
    pub column: String,
    pub message: String,
}

/// Checks an upload of workers, each row merged with the batch's `common` details: every CoS
/// as it would be saved, or every problem (all of them, by row and column). The header must
/// name worker fields as the template does; the common details themselves are checked on the
/// form, not here.
pub fn check_upload(
    header: &[String],
    rows: &[Vec<String>],
    common: &CosForm,
    today: Date,
    lists: &dyn Lists,
) -> Result<Vec<Checked>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut columns: Vec<Option<&'static Field>> = Vec::new();
    for (i, h) in header.iter().enumerate() {
        let name = h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase();
        let found = worker_fields().find(|f| f.name == name);
        match found {
            None => problems.push(Problem {
                row: 1,
                column: h.clone(),
                message: format!("Column {} is not one of the template's: remove it, or use the template's header row", i + 1),
            }),
            Some(f) if columns.contains(&Some(f)) => problems.push(Problem {
                row: 1,
                column: f.name.into(),
                message: "This column appears twice".into(),
            }),
            Some(_) => {}
        }
        columns.push(found);
    }
    if !columns.iter().flatten().any(|f| f.name == "family_name") {
        problems.push(Problem { row: 1, column: "family_name".into(), message: "The header row must name the columns, as the template does".into() });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if rows.is_empty() {
        return Err(vec![Problem { row: 2, column: String::new(), message: "The file has no workers in it".into() }]);
    }
    if rows.len() > MAX_ROWS {
        return Err(vec![Problem {
            row: MAX_ROWS + 2,
            column: String::new(),
            message: format!("A file can hold at most {MAX_ROWS} workers; this one has {}. Split it into batches", rows.len()),
        }]);
    }
    let common_names: Vec<&str> = common_fields().map(|f| f.name).collect();
    let mut checked = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let mut form: CosForm =
            common.iter().filter(|(k, _)| common_names.contains(&k.as_str()) || is_other_key(k)).map(|(k, v)| (k.clone(), v.clone())).collect();
        if row.len() != columns.len() {
            problems.push(Problem {
                row: i + 2,
                column: String::new(),
                message: format!("This row has {} values; the header has {}", row.len(), columns.len()),
            });
            continue;
        }
        for (f, v) in columns.iter().zip(row) {
            if let Some(f) = f {
                form.insert(f.name.to_string(), v.clone());
            }
        }
        let c = check(&form, today, lists);
        for (name, message) in &c.errors {
            if !common_names.contains(&name.as_str()) && !is_other_key(name) {
                problems.push(Problem { row: i + 2, column: name.clone(), message: message.clone() });
            }
        }
        checked.push(c);
    }
    if problems.is_empty() { Ok(checked) } else { Err(problems) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    struct Known;
    impl Lists for Known {
        fn soc(&self, c: &str) -> bool {
            c == "2136"
        }
        fn country(&self, name: &str) -> Option<String> {
            ["Nigeria", "Viet Nam"].into_iter().find(|c| c.eq_ignore_ascii_case(name.trim())).map(str::to_string)
        }
    }
    const SOC: Known = Known;

    fn complete() -> CosForm {
        [
            ("family_name", "Okafor"), ("given_names", "Chidi"), ("nationality", "Nigeria"), ("place_of_birth", "Lagos"),
            ("country_of_birth", "Nigeria"), ("date_of_birth", "27/03/1990"), ("gender", "male"), ("country_of_residence", "Nigeria"),
            ("passport_number", "A1234567"), ("passport_issue_date", "14/02/2022"), ("passport_expiry_date", "13/02/2032"),
            ("passport_place_of_issue", "Abuja"), ("home_address", "12 Marina Road\r\nLagos\r\nNigeria"),
            ("work_start_date", "01/02/2027"), ("work_end_date", "31/01/2030"), ("weekly_hours", "37.5"),
            ("work_address_line1", "1 Piccadilly"), ("work_address_town", "Manchester"), ("work_address_postcode", "m1 3he"),
            ("job_title", "Software engineer"), ("soc_code", "2136"), ("job_description", "Builds systems"),
            ("gross_salary", "£38,700"), ("certify_maintenance", "yes"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    const TODAY: Date = date!(2026 - 12 - 01);

    #[test]
    fn an_other_address_on_one_line_leaves_out_its_empty_parts() {
        let a: OtherAddress =
            serde_json::from_str(r#"{"line1": "2 Quay Street", "line2": "", "line3": "", "town": "Leeds", "county": "West Yorkshire", "postcode": "LS1 4AB"}"#).unwrap();
        assert_eq!(a.one_line(), "2 Quay Street, Leeds, West Yorkshire, LS1 4AB");
        let a: OtherAddress = serde_json::from_str(r#"{"line1": "Unit 4", "line2": "Mill Lane", "town": "Hull", "postcode": "HU1 2AA"}"#).unwrap();
        assert_eq!(a.one_line(), "Unit 4, Mill Lane, Hull, HU1 2AA");
    }

    #[test]
    fn a_full_form_is_ready_to_go_with_values_as_stored() {
        let c = check(&complete(), TODAY, &SOC);
        assert_eq!(c.errors, vec![]);
        assert!(c.complete(), "{:?}", c.missing);
        let v = |n: &str| c.values.iter().find(|(f, _)| f.name == n).unwrap().1.clone();
        assert_eq!(v("date_of_birth").as_deref(), Some("1990-03-27"));
        assert_eq!(v("gender").as_deref(), Some("Male"));
        assert_eq!(v("gross_salary").as_deref(), Some("38700.00"));
        assert_eq!(v("weekly_hours").as_deref(), Some("37.5"));
        assert_eq!(v("work_address_postcode").as_deref(), Some("M1 3HE"));
        assert_eq!(v("certify_maintenance").as_deref(), Some("true"));
        assert_eq!(v("home_address").as_deref(), Some("12 Marina Road\nLagos\nNigeria"));
        assert_eq!(v("other_names"), None);
    }

    #[test]
    fn an_empty_form_saves_as_a_draft_listing_what_is_missing() {
        let c = check(&CosForm::new(), TODAY, &SOC);
        assert_eq!(c.errors, vec![]);
        assert!(!c.complete());
        assert_eq!(c.missing.len(), fields().filter(|f| f.required).count());
        assert_eq!(c.missing[0], "Family name");
    }

    #[test]
    fn what_is_filled_but_wrong_is_told_by_its_field() {
        let mut form = complete();
        for (k, v) in [
            ("date_of_birth", "31/02/1990"), ("weekly_hours", "170"), ("gross_salary", "0"), ("soc_code", "9999"),
            ("work_address_postcode", "nowhere"), ("gender", "x"), ("certify_maintenance", "perhaps"), ("family_name", "a\tb"),
            ("work_end_date", "01/01/2027"),
        ] {
            form.insert(k.into(), v.into());
        }
        let c = check(&form, TODAY, &SOC);
        let names: Vec<&str> = c.errors.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["family_name", "date_of_birth", "gender", "work_end_date", "weekly_hours", "work_address_postcode", "soc_code", "gross_salary", "certify_maintenance"]
        );
        assert!(!c.complete());
    }

    #[test]
    fn nationality_is_a_country_of_the_list_spelt_as_the_list_spells_it() {
        let mut form = complete();
        form.insert("nationality".into(), "Nigerian".into());
        let c = check(&form, TODAY, &SOC);
        assert_eq!(c.errors, vec![("nationality".to_string(), "Enter nationality as ISO 3166 names it, for example Nigeria or Viet Nam".to_string())]);
        form.insert("nationality".into(), " viet nam ".into());
        let c = check(&form, TODAY, &SOC);
        assert_eq!(c.errors, vec![]);
        let v = c.values.iter().find(|(f, _)| f.name == "nationality").unwrap().1.clone();
        assert_eq!(v.as_deref(), Some("Viet Nam"));
    }

    #[test]
    fn dates_that_cannot_be_right() {
        let mut form = complete();
        form.insert("date_of_birth".into(), "01/12/2026".into());
        form.insert("passport_expiry_date".into(), "30/11/2026".into());
        form.insert("work_start_date".into(), "30/11/2026".into());
        let c = check(&form, TODAY, &SOC);
        let names: Vec<&str> = c.errors.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["date_of_birth", "passport_expiry_date", "work_start_date"]);
    }

    #[test]
    fn stored_values_come_back_as_typed() {
        assert_eq!(typed("date_of_birth", Some("1990-03-07")), "07/03/1990");
        assert_eq!(typed("certify_maintenance", Some("false")), "no");
        assert_eq!(typed("job_title", None), "");
        assert_eq!(fee_pounds("Temporary Worker"), 55);
        assert_eq!(fee_pounds("Worker"), 525);
    }

    #[test]
    fn an_upload_is_checked_whole_by_row_and_column() {
        let common: CosForm = complete().into_iter().filter(|(k, _)| common_fields().any(|f| f.name == k)).collect();
        let header: Vec<String> = ["family_name", "given_names", "date_of_birth", "gender"].map(String::from).to_vec();
        let rows = vec![
            vec!["Okafor".to_string(), "Chidi".into(), "27/03/1990".into(), "Male".into()],
            vec!["Eze".to_string(), "Ada".into(), "31/02/1991".into(), "Female".into()],
            vec!["Bello".to_string(), "Musa".into(), "01/01/1985".into(), "x".into()],
        ];
        let problems = check_upload(&header, &rows, &common, TODAY, &SOC).unwrap_err();
        assert_eq!(
            problems.iter().map(|p| (p.row, p.column.as_str())).collect::<Vec<_>>(),
            [(3, "date_of_birth"), (4, "gender")]
        );
        // Fixed, every row is a CoS: WORK IN PROGRESS, as the passport is still to come.
        let rows = vec![rows[0].clone()];
        let checked = check_upload(&header, &rows, &common, TODAY, &SOC).unwrap();
        assert_eq!(checked.len(), 1);
        assert!(checked[0].missing.contains(&"Passport or travel document number"));
        assert!(!checked[0].missing.contains(&"Job title"), "the common details fill the job");

        // A header that is not the template's, and rows of the wrong length.
        let bad = check_upload(&["surname".to_string()], &[vec!["x".into()]], &common, TODAY, &SOC).unwrap_err();
        assert_eq!(bad[0].row, 1);
        let short = check_upload(&header, &[vec!["Okafor".into()]], &common, TODAY, &SOC).unwrap_err();
        assert!(short[0].message.contains("has 1 values"));
        assert!(check_upload(&header, &[], &common, TODAY, &SOC).is_err());
    }

    #[test]
    fn other_regular_work_addresses() {
        let mut form = complete();
        for (k, v) in [("other1_line1", "2 Quay Street"), ("other1_town", "Bristol"), ("other1_postcode", "bs1 4dj"),
            ("other2_line1", "Gone Road"), ("other2_town", "Leeds"), ("other2_postcode", "LS1 1AA"), ("other2_remove", "yes"),
            ("other3_town", "Hull")] {
            form.insert(k.into(), v.into());
        }
        let c = check(&form, TODAY, &SOC);
        assert_eq!(c.errors.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(), ["other3_line1", "other3_postcode"]);
        form.remove("other3_town");
        let c = check(&form, TODAY, &SOC);
        assert_eq!(c.errors, vec![]);
        assert_eq!(c.others.len(), 1);
        assert_eq!((c.others[0].town.as_str(), c.others[0].postcode.as_str()), ("Bristol", "BS1 4DJ"));
        let typed = others_typed(&c.others);
        assert!(typed.contains(&("other1_postcode".to_string(), "BS1 4DJ".to_string())));
        assert!(is_other_key("other10_county") && !is_other_key("other11_town") && !is_other_key("other1_evil"));
    }
}
