//! "What needs attention" on the Workers screen.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// How many days ahead an ASSIGNED CoS counts as about to expire.
pub const EXPIRING_WITHIN_DAYS: i64 = 14;
/// At most this many are listed; the total is always given.
pub const EXPIRING_LISTED: i64 = 25;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiringCos {
    pub cos_number: String,
    pub worker: String,
    pub expiry_date: String,
    /// "today", "tomorrow", "in 5 days"; "overdue" if the expiry job has yet to run.
    pub when: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attention {
    /// Whether the figures are the user's own CoS (Level 2) or the sponsor's.
    pub own_only: bool,
    /// (status, slug for the advanced search, count), in the order of the statuses.
    pub by_status: Vec<(String, String, i64)>,
    pub expiring: Vec<ExpiringCos>,
    pub expiring_total: i64,
    pub year: i32,
    pub allocation: i64,
    pub used: i64,
    /// Reports of migrant activity made late in the last 30 days: (CoS number, activity,
    /// reported on, working days late).
    pub late_reports: Vec<(String, String, String, i32)>,
}

impl Attention {
    pub fn remaining(&self) -> i64 {
        (self.allocation - self.used).max(0)
    }
}

#[server(endpoint = "workers/attention")]
pub async fn load_attention() -> Result<Attention, AppError> {
    use crate::api::cos::worker_name;
    use crate::api::ssr::{actor, pool};
    use crate::db::{attention, status_changes};
    use crate::domain::{dates::uk_date, permissions, Status};

    let (actor, _) = actor().await?;
    let pool = pool()?;
    let owner_only = permissions::sees_only_own(&actor).then_some(actor.user_id);
    // One connection, one snapshot: the figures agree with each other, and the panel never
    // holds one pooled connection while waiting for another.
    let mut tx = crate::db::snapshot(&pool).await?;
    let today = status_changes::uk_today(&mut tx).await?;
    let until = today + time::Duration::days(EXPIRING_WITHIN_DAYS);
    let year = today.year();
    let from = time::Date::from_calendar_date(year, time::Month::January, 1).map_err(|e| AppError::internal("year", e))?;
    let to = time::Date::from_calendar_date(year + 1, time::Month::January, 1).map_err(|e| AppError::internal("year", e))?;
    let counts = attention::counts_by_status(&mut *tx, actor.sponsor_id, owner_only).await?;
    let rows = attention::expiring(&mut *tx, actor.sponsor_id, owner_only, until, EXPIRING_LISTED).await?;
    let (allocation, used) = attention::allocation(&mut *tx, actor.sponsor_id, from, to).await?;
    let late = attention::late_reports(&mut *tx, actor.sponsor_id, owner_only, EXPIRING_LISTED).await?;
    tx.commit().await?;
    let late_reports = late.into_iter().map(|(n, activity, at, days)| (n, activity, uk_date(at.date()), days)).collect();
    let by_status = Status::ALL
        .into_iter()
        .map(|s| (s.as_str().to_string(), s.slug().to_string(), counts.iter().find(|c| c.0 == s.as_str()).map_or(0, |c| c.1)))
        .collect();
    let expiring_total = rows.first().map_or(0, |r| r.total);
    let expiring = rows
        .into_iter()
        .map(|r| {
            let days = (r.expiry_date - today).whole_days();
            ExpiringCos {
                worker: worker_name(r.family_name.as_deref(), r.given_names.as_deref()),
                expiry_date: uk_date(r.expiry_date),
                when: match days {
                    d if d < 0 => "overdue".to_string(),
                    0 => "today".to_string(),
                    1 => "tomorrow".to_string(),
                    d => format!("in {d} days"),
                },
                cos_number: r.cos_number,
            }
        })
        .collect();
    Ok(Attention { own_only: owner_only.is_some(), by_status, expiring, expiring_total, year, allocation: allocation.into(), used, late_reports })
}
