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
    let used: Option<bool> = sqlx::query_scalar(
        "SELECT c.status = 'USED' FROM cos c
         WHERE c.sponsor_id = $1 AND c.id = $2
           AND ($3::bigint IS NULL OR EXISTS (
               SELECT 1 FROM cos_owners o WHERE o.sponsor_id = $1 AND o.cos_id = $2 AND o.owner_id = $3 FOR SHARE))
         FOR SHARE OF c",
    )
    .bind(sponsor_id)
    .bind(cos_id)
    .bind(owner_only)
    .fetch_optional(&mut *tx)
    .await?;
    if used != Some(true) {
        return Ok(None);
    }
    // Two Submits of one report at once (a double click) agree on which of them adds it.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('activity_report:' || $1::text || ':' || $2::text, 0))")
        .bind(by)
        .bind(cos_id)
        .execute(&mut *tx)
        .await?;
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
