//! Reports of migrant activity made in the product, and what they are checked against.

use crate::domain::activity_report::Report;
use sqlx::{PgConnection, PgPool};
use time::Date;

/// The England and Wales bank holidays (migration 000013).
pub async fn bank_holidays(pool: &PgPool) -> sqlx::Result<Vec<Date>> {
    sqlx::query_scalar("SELECT day FROM bank_holidays ORDER BY day").fetch_all(pool).await
}

/// Adds a report to a USED CoS (a Level 2 user's own, with `owner_only`), with when it was due
/// and how late it is: its id, and whether it is new (false: the same report a moment ago).
/// None when the CoS is not USED (or not theirs) any more.
#[allow(clippy::too_many_arguments)]
pub async fn add(
    tx: &mut PgConnection,
    sponsor_id: i64,
    cos_id: i64,
    owner_only: Option<i64>,
    by: i64,
    report: &Report,
    due: Date,
    days_late: u32,
) -> sqlx::Result<Option<(i64, bool)>> {
    if !super::cos::hold_in_status(tx, sponsor_id, cos_id, owner_only, "USED").await? {
        return Ok(None);
    }
    // Two Submits of one report at once (a double click) agree on which of them adds it.
    super::cos::lock_key(tx, &format!("activity_report:{by}:{cos_id}")).await?;
    let same: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM activity_reports WHERE sponsor_id = $1 AND cos_id = $2 AND reported_by = $3 AND activity_type_id = $4
           AND event_date = $5 AND details = $6 AND reported_at > now() - interval '1 minute'",
    )
    .bind(sponsor_id)
    .bind(cos_id)
    .bind(by)
    .bind(report.type_id)
    .bind(report.event)
    .bind(&report.details)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(id) = same {
        return Ok(Some((id, false)));
    }
    let changes: serde_json::Map<String, serde_json::Value> =
        report.changes.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
    let id = sqlx::query_scalar(
        "INSERT INTO activity_reports (sponsor_id, cos_id, activity_type_id, reported_at, reported_by, details, event_date, due_date, days_late, changes)
         VALUES ($1, $2, $3, now(), $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(sponsor_id)
    .bind(cos_id)
    .bind(report.type_id)
    .bind(by)
    .bind(&report.details)
    .bind(report.event)
    .bind(due)
    .bind(days_late as i32)
    .bind(serde_json::Value::Object(changes))
    .fetch_one(&mut *tx)
    .await?;
    Ok(Some((id, true)))
}
