//! Advanced search (manual guide 5): reported activity, route, statuses, the dates the status
//! last changed between, and owner, beside the basic fields; with a sort, a page size and a
//! keyset cursor. All of it lives in the query string: `parse_query` after `to_query` gives
//! the same search back, so reload, back/forward and a shared link show the same results.

use super::search::{date_range, encode_component, CosSearch, CosSearchForm};
use super::Status;
use serde::{Deserialize, Serialize};
use time::Date;

/// What the URL (or the form) holds, as typed, so that a bad value can be shown back.
/// (`default`: a server-function call encodes an empty list as nothing at all.)
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AdvancedForm {
    pub basic: CosSearchForm,
    /// Activity type id.
    pub activity: String,
    /// Route id.
    pub route: String,
    /// Status slugs (`assigned`, `work-in-progress`…).
    pub statuses: Vec<String>,
    pub changed_from: String,
    pub changed_to: String,
    /// The owner's user id (the internal number).
    pub owner: String,
    pub sort: String,
    pub per_page: String,
    /// Keyset cursors: the sort key of the row the page starts after (or ends before).
    pub after: String,
    pub before: String,
    /// For display only ("page 3"): keyset paging needs no page number.
    pub page: u32,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sort {
    /// Most recent status change first (the default, as in basic search).
    #[default]
    StatusDate,
    CosNumber,
    /// Worker's family name, then given names (ignoring case and accents).
    Name,
}

impl Sort {
    pub const ALL: [Sort; 3] = [Sort::StatusDate, Sort::CosNumber, Sort::Name];

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::StatusDate => "status_date",
            Sort::CosNumber => "cos_number",
            Sort::Name => "name",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sort::StatusDate => "Status date, newest first",
            Sort::CosNumber => "CoS number",
            Sort::Name => "Worker's name",
        }
    }

    fn parse(s: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

pub const PAGE_SIZES: [u32; 3] = [25, 50, 100];

/// Where a page starts: after (or before) the row with this sort key. `key` is the sort
/// value as text (microseconds since 1970 for the status date; the CoS number; the folded
/// family and given names joined by a tab) and `id` breaks ties.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub key: String,
    pub id: i64,
}

impl Cursor {
    pub fn to_param(&self) -> String {
        format!("{}~{}", self.id, self.key)
    }

    pub fn parse(s: &str) -> Option<Cursor> {
        let (id, key) = s.split_once('~')?;
        Some(Cursor { id: id.parse().ok()?, key: key.to_string() })
    }

    /// Whether the key is one this sort writes, so that a hand-edited cursor is a bad filter
    /// with a message, never a statement the database refuses.
    pub fn fits(&self, sort: Sort) -> bool {
        match sort {
            Sort::StatusDate => {
                let k = self.key.as_bytes();
                k.len() == 27
                    && k.iter().enumerate().all(|(i, c)| match i {
                        4 | 7 => *c == b'-',
                        10 => *c == b'T',
                        13 | 16 => *c == b':',
                        19 => *c == b'.',
                        26 => *c == b'Z',
                        _ => c.is_ascii_digit(),
                    })
                    && super::search::parse_date(&self.key[..10]).is_some()
                    && self.key[11..13] < *"24"
                    && self.key[14..16] < *"60"
                    && self.key[17..19] < *"60"
            }
            Sort::CosNumber => self.key.len() <= 11 && self.key.bytes().all(|b| b.is_ascii_alphanumeric()),
            // The folded family and given names, joined by one tab.
            Sort::Name => self.key.len() <= 500 && !self.key.chars().any(|c| c.is_control() && c != '\t'),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    After,
    Before,
}

/// Valid filters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvancedSearch {
    pub basic: CosSearch,
    pub activity: Option<i16>,
    pub route: Option<i16>,
    pub statuses: Vec<Status>,
    pub changed_from: Option<Date>,
    pub changed_to: Option<Date>,
    pub owner: Option<i64>,
    pub sort: Sort,
    pub per_page: u32,
    pub cursor: Option<(Direction, Cursor)>,
}

impl AdvancedSearch {
    /// Whether nothing about the CoS themselves is filtered: no filter at all, or only the
    /// owner. (Destructured so that a new filter cannot be forgotten here.)
    pub fn filters_only_owner(&self) -> bool {
        let AdvancedSearch { basic, activity, route, statuses, changed_from, changed_to, owner: _, sort: _, per_page: _, cursor: _ } = self;
        let CosSearch { cos_number, family_name, given_name, date_of_birth, nationality, passport_number } = basic;
        activity.is_none()
            && route.is_none()
            && statuses.is_empty()
            && changed_from.is_none()
            && changed_to.is_none()
            && cos_number.is_none()
            && family_name.is_none()
            && given_name.is_none()
            && date_of_birth.is_none()
            && nationality.is_none()
            && passport_number.is_none()
    }

    /// The basic search ("Search for CoS"): only its fields, most recent status change first.
    pub fn basic(basic: CosSearch, per_page: u32) -> AdvancedSearch {
        AdvancedSearch {
            basic,
            activity: None,
            route: None,
            statuses: vec![],
            changed_from: None,
            changed_to: None,
            owner: None,
            sort: Sort::StatusDate,
            per_page,
            cursor: None,
        }
    }
}

impl AdvancedForm {
    /// Whether any filter is given (the sort and page size are not filters).
    pub fn is_blank(&self) -> bool {
        self.basic.is_blank()
            && [&self.activity, &self.route, &self.changed_from, &self.changed_to, &self.owner]
                .iter()
                .all(|f| f.trim().is_empty())
            && self.statuses.is_empty()
    }

    /// The filters, or (field, message) for each that is wrong. Ids are checked to be
    /// numbers here; that they name a route, activity or user of this sponsor is the
    /// server's to check.
    pub fn parse(&self) -> Result<AdvancedSearch, Vec<(String, String)>> {
        let (basic, mut errors) = match self.basic.parse() {
            Ok(b) => (b, vec![]),
            Err(e) => (CosSearch::default(), e),
        };
        let mut id = |field: &str, value: &str, what: &str| -> Option<i64> {
            let v = value.trim();
            if v.is_empty() {
                return None;
            }
            match v.parse::<i64>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    errors.push((field.into(), format!("Select {what} from the list.")));
                    None
                }
            }
        };
        let activity = id("activity", &self.activity, "a reported activity").and_then(|n| i16::try_from(n).ok());
        let route = id("route", &self.route, "a route").and_then(|n| i16::try_from(n).ok());
        let owner = id("owner", &self.owner, "an owner");
        let mut statuses = Vec::new();
        for s in &self.statuses {
            match Status::ALL.into_iter().find(|st| st.slug() == s.trim() || st.as_str() == s.trim()) {
                Some(st) if !statuses.contains(&st) => statuses.push(st),
                Some(_) => {}
                None => {
                    errors.push(("statuses".into(), "Select statuses from the list.".into()));
                    break;
                }
            }
        }
        statuses.sort_by_key(|s| Status::ALL.iter().position(|x| x == s));
        let (changed_from, changed_to) =
            date_range(("changed_from", &self.changed_from), ("changed_to", &self.changed_to), &mut errors);
        let sort = if self.sort.is_empty() {
            Sort::default()
        } else {
            Sort::parse(&self.sort).unwrap_or_else(|| {
                errors.push(("sort".into(), "Select how to sort from the list.".into()));
                Sort::default()
            })
        };
        let per_page = if self.per_page.is_empty() {
            PAGE_SIZES[0]
        } else {
            match self.per_page.parse() {
                Ok(n) if PAGE_SIZES.contains(&n) => n,
                _ => {
                    errors.push(("per_page".into(), "Select 25, 50 or 100 results a page.".into()));
                    PAGE_SIZES[0]
                }
            }
        };
        let cursor = match (self.after.is_empty(), self.before.is_empty()) {
            (true, true) => None,
            (false, _) => Cursor::parse(&self.after).map(|c| (Direction::After, c)),
            (true, false) => Cursor::parse(&self.before).map(|c| (Direction::Before, c)),
        }
        .filter(|(_, c)| c.fits(sort));
        if cursor.is_none() && !(self.after.is_empty() && self.before.is_empty()) {
            errors.push(("page".into(), "That page of results does not exist. Start from the first page.".into()));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(AdvancedSearch { basic, activity, route, statuses, changed_from, changed_to, owner, sort, per_page, cursor })
    }

    /// The query string of these filters, sort and page size (and, when given, a cursor).
    pub fn to_query(&self, cursor: Option<(Direction, &Cursor)>, page: u32) -> String {
        let mut q = Vec::new();
        let basic = self.basic.to_query(1);
        if !basic.is_empty() {
            q.push(basic);
        }
        let mut put = |k: &str, v: &str| {
            if !v.trim().is_empty() {
                q.push(format!("{k}={}", encode_component(v.trim())));
            }
        };
        put("activity", &self.activity);
        put("route", &self.route);
        for s in &self.statuses {
            put("status", s);
        }
        put("changed_from", &self.changed_from);
        put("changed_to", &self.changed_to);
        put("owner", &self.owner);
        if self.sort != Sort::default().as_str() {
            put("sort", &self.sort);
        }
        if self.per_page != PAGE_SIZES[0].to_string() {
            put("per_page", &self.per_page);
        }
        match cursor {
            Some((Direction::After, c)) => put("after", &c.to_param()),
            Some((Direction::Before, c)) => put("before", &c.to_param()),
            None => {}
        }
        if page > 1 {
            put("page", &page.to_string());
        }
        q.join("&")
    }

    /// Reads the form from query pairs (a key may repeat: `status`).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> AdvancedForm {
        let mut f = AdvancedForm::default();
        for (k, v) in pairs {
            let v = v.to_string();
            match k {
                "cos_number" => f.basic.cos_number = v,
                "family_name" => f.basic.family_name = v,
                "given_name" => f.basic.given_name = v,
                "date_of_birth" => f.basic.date_of_birth = v,
                "nationality" => f.basic.nationality = v,
                "passport_number" => f.basic.passport_number = v,
                "activity" => f.activity = v,
                "route" => f.route = v,
                "status" => f.statuses.push(v),
                "changed_from" => f.changed_from = v,
                "changed_to" => f.changed_to = v,
                "owner" => f.owner = v,
                "sort" => f.sort = v,
                "per_page" => f.per_page = v,
                "after" => f.after = v,
                "before" => f.before = v,
                "page" => f.page = v.parse().unwrap_or(1),
                _ => {}
            }
        }
        f.page = f.page.max(1);
        f
    }
}

/// Splits a query string into decoded pairs (`+` is a space).
pub fn query_pairs(q: &str) -> Vec<(String, String)> {
    q.trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(q: &str) -> AdvancedForm {
        let pairs = query_pairs(q);
        AdvancedForm::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    #[test]
    fn reads_every_filter_from_the_url() {
        let f = form("family_name=L%C3%A9vesque&route=2&status=assigned&status=used&changed_from=1%2F10%2F2026&changed_to=2026-11-29&owner=7&activity=3&sort=name&per_page=50&page=2&after=12~abc");
        let s = f.parse().unwrap();
        assert_eq!(s.basic.family_name.as_deref(), Some("Lévesque"));
        assert_eq!(s.route, Some(2));
        assert_eq!(s.statuses, vec![Status::Assigned, Status::Used]);
        assert_eq!(s.changed_from, Some(time::macros::date!(2026 - 10 - 01)));
        assert_eq!(s.changed_to, Some(time::macros::date!(2026 - 11 - 29)));
        assert_eq!((s.owner, s.activity, s.sort, s.per_page), (Some(7), Some(3), Sort::Name, 50));
        assert_eq!(s.cursor, Some((Direction::After, Cursor { id: 12, key: "abc".into() })));
        assert_eq!(f.page, 2);
    }

    #[test]
    fn bad_filters_are_explained_by_their_field() {
        let errors = form("changed_from=29/11/2026&changed_to=1/11/2026&status=lost&route=x&per_page=7&sort=up&date_of_birth=31/02/1990")
            .parse()
            .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.0.as_str()).collect();
        for f in ["changed_to", "statuses", "route", "per_page", "sort", "date_of_birth"] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
        let e = form("changed_from=30/02/2026").parse().unwrap_err();
        assert_eq!(e[0].0, "changed_from");
        assert!(form("after=nonsense").parse().is_err());
        // A cursor whose key its sort never writes: a message, not a query.
        for bad in ["after=1~abc", "before=1~2026-13-01T00:00:00.000000Z", "after=1~2026-11-29T24:00:00.000000Z",
            "after=1~2026-11-29 00:00:00.000000Z", "sort=cos_number&after=1~C1A2%00", "sort=cos_number&after=1~C1A2B3C4D5E6",
            "sort=name&after=1~smith%00", "after=x~2026-11-29T10:00:00.000000Z", "after=99999999999999999999~a"] {
            let e = form(bad).parse().unwrap_err();
            assert_eq!(e[0].0, "page", "{bad}");
        }
        let ok = form("after=7~2026-11-29T10:11:12.123456Z").parse().unwrap();
        assert_eq!(ok.cursor, Some((Direction::After, Cursor { id: 7, key: "2026-11-29T10:11:12.123456Z".into() })));
    }

    #[test]
    fn printing_then_reading_gives_the_same_search() {
        // A small property test: every combination of a set of values survives the round trip.
        let names = ["", "O'Neill & Sons", "Zoë+Ана", "a=b?c#d"];
        let statuses: [&[&str]; 3] = [&[], &["assigned"], &["used", "expired", "withdrawn"]];
        let sorts = ["", "cos_number", "name"];
        let sizes = ["", "50", "100"];
        let cursors = [None, Some((Direction::After, Cursor { id: 5, key: "2026-11-29T10:11:12.123456Z".into() })),
            Some((Direction::Before, Cursor { id: 9, key: "smith\tjo é".into() }))];
        let mut n = 0;
        for name in names {
            for st in statuses {
                for sort in sorts {
                    for size in sizes {
                        for cursor in &cursors {
                            for page in [1, 7] {
                                let mut f = AdvancedForm {
                                    basic: CosSearchForm { family_name: name.into(), ..Default::default() },
                                    statuses: st.iter().map(|s| s.to_string()).collect(),
                                    changed_from: "01/10/2026".into(),
                                    route: if page == 7 { "3".into() } else { String::new() },
                                    sort: sort.into(),
                                    per_page: size.into(),
                                    page,
                                    ..Default::default()
                                };
                                let q = f.to_query(cursor.as_ref().map(|(d, c)| (*d, c)), page);
                                let back = form(&q);
                                match cursor {
                                    Some((Direction::After, c)) => f.after = c.to_param(),
                                    Some((Direction::Before, c)) => f.before = c.to_param(),
                                    None => {}
                                }
                                if f.sort.is_empty() { f.sort = String::new(); }
                                assert_eq!(back.parse(), f.parse(), "{q}");
                                assert_eq!(back.page, page);
                                n += 1;
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(n, 4 * 3 * 3 * 3 * 3 * 2);
    }
}
