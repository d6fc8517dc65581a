//! View CoS: search, and one CoS with every field.

use crate::domain::search::CosSearchForm;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHit {
    pub cos_number: String,
    pub worker_name: String,
    pub route: String,
    pub status: String,
    pub status_date: String,
    pub owner: String,
}

impl SearchHit {
    /// A row of a results list (basic or advanced search), as the screen words it.
    #[cfg(feature = "ssr")]
    pub fn new(
        cos_number: String,
        family: Option<String>,
        given: Option<String>,
        route: String,
        status: String,
        status_date: time::OffsetDateTime,
        owner: String,
    ) -> SearchHit {
        SearchHit {
            worker_name: worker_name(family.as_deref(), given.as_deref()),
            status_date: crate::domain::dates::uk_date(status_date.date()),
            cos_number,
            route,
            status,
            owner,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SearchOutcome {
    /// No criteria were given.
    Blank,
    /// (field, message) for each field that is wrong; nothing was searched.
    Invalid(Vec<(String, String)>),
    Results { hits: Vec<SearchHit>, total: i64, page: u32, pages: u32 },
}

/// One CoS, grouped as the printed certificate is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CosView {
    pub cos_number: String,
    pub status: String,
    pub sections: Vec<Section>,
    pub notes: Vec<(String, String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub title: String,
    pub rows: Vec<(String, String)>,
}

#[server(endpoint = "cos/search")]
pub async fn search_cos(form: CosSearchForm) -> Result<SearchOutcome, AppError> {
    use crate::api::ssr::{actor, pool};
    use crate::db;
    use crate::domain::{advanced_search::AdvancedSearch, permissions, search::PAGE_SIZE};

    let (actor, _) = actor().await?;
    if form.is_blank() {
        return Ok(SearchOutcome::Blank);
    }
    let criteria = match form.parse() {
        Ok(c) => c,
        Err(errors) => return Ok(SearchOutcome::Invalid(errors)),
    };
    let page = form.page.max(1);
    let owner_only = permissions::sees_only_own(&actor).then_some(actor.user_id);
    // The advanced search's query with only the basic fields, its pages numbered.
    let s = AdvancedSearch::basic(criteria, PAGE_SIZE);
    let pool = pool()?;
    // One connection and one snapshot for the page and its count (see `db::snapshot`).
    let mut tx = db::snapshot(&pool).await?;
    let hits = db::advanced_search::numbered_page(&mut *tx, actor.sponsor_id, owner_only, &s, page).await?;
    let total = db::advanced_search::count(&mut *tx, actor.sponsor_id, owner_only, &s).await?;
    tx.commit().await?;
    Ok(SearchOutcome::Results {
        total,
        page,
        pages: ((total as u32).div_ceil(PAGE_SIZE)).max(1),
        hits: hits
            .into_iter()
            .map(|h| SearchHit::new(h.cos_number, h.family_name, h.given_names, h.route, h.status, h.status_date, h.owner_name))
            .collect(),
    })
}

/// "FAMILY, Given" as SMS lists workers; blank parts are left out.
pub fn worker_name(family: Option<&str>, given: Option<&str>) -> String {
    match (family, given) {
        (Some(f), Some(g)) => format!("{}, {g}", f.to_uppercase()),
        (Some(f), None) => f.to_uppercase(),
        (None, Some(g)) => g.to_string(),
        (None, None) => "Not given yet".to_string(),
    }
}

#[server(endpoint = "cos/view")]
pub async fn view_cos(cos_number: String) -> Result<CosView, AppError> {
    use crate::api::ssr::reachable_cos;
    use crate::domain::permissions;

    let (_, _, c) = reachable_cos(&cos_number, permissions::can_view).await?;
    Ok(ssr::cos_view(c))
}

/// What just happened to a CoS, in the words of the live banner on its screens; `kind` is
/// the change's kind as the live stream named it (`owner`, `note`, `activity`, `cos`). None
/// when the user made that change themselves (this tab or another): nothing to tell them.
#[server(endpoint = "cos/latest_change")]
pub async fn latest_change(cos_number: String, kind: String) -> Result<Option<String>, AppError> {
    use crate::api::ssr::reachable_cos;
    use crate::domain::permissions;

    let (me, pool, c) = reachable_cos(&cos_number, permissions::can_view).await?;
    if crate::db::cos::latest_actor(&pool, c.sponsor_id, c.id, &kind).await? == Some(me.user_id) {
        return Ok(None);
    }
    Ok(Some(match kind.as_str() {
        "owner" => match crate::db::cos::latest_transfer(&pool, c.sponsor_id, c.id).await? {
            Some((to, by)) => format!("This CoS was just transferred to {to} by {by}."),
            None => "This CoS was just transferred.".into(),
        },
        "note" => "A sponsor note was just added to this CoS.".into(),
        "activity" => "Activity was just reported on this CoS.".into(),
        _ => format!("This CoS is now {}.", c.status),
    }))
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::{CosView, Section};
    use crate::db;

    /// Every field of a CoS as View CoS shows it, and as its PDF prints it.
    pub fn cos_view(c: db::cos::Record) -> CosView {
        use crate::domain::dates::uk_date;

        let notes = c
            .notes
            .0
            .into_iter()
            .map(|n| (uk_date(n.added_at.to_offset(time::UtcOffset::UTC).date()), n.added_by, n.note))
            .collect();
        let d = |d: Option<time::Date>| d.map(uk_date).unwrap_or_default();
        let t = |s: Option<String>| s.unwrap_or_default();
        let row = |label: &str, value: String| (label.to_string(), value);
        let sections = vec![
            Section {
                title: "Certificate".into(),
                rows: vec![
                    row("CoS number", c.cos_number.clone()),
                    row("Status", c.status.clone()),
                    row("Status date", uk_date(c.status_date.date())),
                    row("Date assigned", d(c.date_assigned)),
                    row("Expiry date", d(c.expiry_date)),
                    row("Route", c.route),
                    row("Owner", c.owner_name),
                    row("Batch", t(c.batch_reference)),
                ],
            },
            Section {
                title: "Worker".into(),
                rows: vec![
                    row("Family name", t(c.family_name)),
                    row("Given names", t(c.given_names)),
                    row("Other names", t(c.other_names)),
                    row("Nationality", t(c.nationality)),
                    row("Place of birth", t(c.place_of_birth)),
                    row("Country of birth", t(c.country_of_birth)),
                    row("Date of birth", d(c.date_of_birth)),
                    row("Gender", t(c.gender)),
                    row("Country of residence", t(c.country_of_residence)),
                    row("Passport number", t(c.passport_number)),
                    row("Passport issue date", d(c.passport_issue_date)),
                    row("Passport expiry date", d(c.passport_expiry_date)),
                    row("Place of issue of passport", t(c.passport_place_of_issue)),
                    row("Home address", t(c.home_address)),
                    row("UK National Insurance number", t(c.ni_number)),
                    row("Employee number", t(c.employee_number)),
                ],
            },
            Section {
                title: "Work".into(),
                rows: vec![
                    row("Start date", d(c.work_start_date)),
                    row("End date", d(c.work_end_date)),
                    row("Total weekly hours", t(c.weekly_hours)),
                    row("Main work address", t(c.work_address)),
                    row("Other regular work addresses", c.other_work_addresses.0.iter().map(|a| a.one_line()).collect::<Vec<_>>().join("; ")),
                ],
            },
            Section {
                title: "Job".into(),
                rows: vec![
                    row("Job title", t(c.job_title)),
                    row("Occupation code (SOC 2020)", t(c.soc_code)),
                    row("Job description", t(c.job_description)),
                    row("Gross annual salary", c.gross_salary.map(|s| format!("£{s}")).unwrap_or_default()),
                    row("Allowances included in the salary", t(c.allowances)),
                    row(
                        "Certification of maintenance",
                        c.certify_maintenance.map(|b| if b { "Yes" } else { "No" }.to_string()).unwrap_or_default(),
                    ),
                ],
            },
        ];
        CosView { cos_number: c.cos_number, status: c.status, sections, notes }
    }
}

/// The three histories of one CoS, as their screens show them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CosHistories {
    pub cos_number: String,
    pub status: String,
    /// (status, date, changed by)
    pub statuses: Vec<(String, String, String)>,
    /// (from, to, date, by, batch)
    pub transfers: Vec<(String, String, String, String, String)>,
    pub activities: Vec<ActivityView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityView {
    pub id: i64,
    pub activity_type: String,
    pub reported: String,
    pub reported_by: String,
    pub details: String,
    /// The event's date, when it was due, and whether it was on time (reports made here).
    pub event: Option<(String, String, String)>,
    /// What changed: (label, value).
    pub changes: Vec<(String, String)>,
}

#[server(endpoint = "cos/histories")]
pub async fn load_cos_histories(cos_number: String) -> Result<CosHistories, AppError> {
    use crate::api::ssr::reachable_cos;
    use crate::db;
    use crate::domain::{dates::uk_date, permissions, Actor};

    let (_, pool, c) = reachable_cos(&cos_number, permissions::can_view).await?;
    // One turn at the pool for all three: taken apart, a busy pool made the page queue thrice.
    let mut conn = pool.acquire().await?;
    let statuses = db::cos::status_history(&mut *conn, c.sponsor_id, c.id)
        .await?
        .into_iter()
        .map(|(status, at, kind, user)| {
            let by = match (Actor::from_db(&kind), user) {
                (Some(Actor::User), Some(name)) => name,
                (Some(a), _) => a.label().to_string(),
                (None, _) => kind,
            };
            (status, uk_date(at.date()), by)
        })
        .collect();
    let transfers = db::cos::ownership_history(&mut *conn, c.sponsor_id, c.id)
        .await?
        .into_iter()
        .map(|t| (t.from_name, t.to_name, uk_date(t.transferred_at.date()), t.by_name, t.batch_reference.unwrap_or_default()))
        .collect();
    let activities = db::cos::activity_history(&mut *conn, c.sponsor_id, c.id)
        .await?
        .into_iter()
        .map(|a| ActivityView {
            id: a.id,
            activity_type: a.activity_type,
            reported: uk_date(a.reported_at.date()),
            reported_by: a.reported_by,
            details: a.details,
            event: a.event_date.zip(a.due_date).map(|(e, d)| {
                (uk_date(e), uk_date(d), crate::domain::working_days::lateness(a.days_late.max(0) as u32))
            }),
            changes: a
                .changes
                .as_object()
                .map(|o| o.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect())
                .unwrap_or_default(),
        })
        .collect();
    Ok(CosHistories { cos_number: c.cos_number, status: c.status, statuses, transfers, activities })
}
