//! What the Workers screen shows needs attention: CoS by status, ASSIGNED CoS about to expire,
//! and the year's allocation. `owner_only`: a Level 2 user's own CoS.

use sqlx::{FromRow, PgExecutor};
use time::Date;

pub async fn counts_by_status(db: impl PgExecutor<'_>, sponsor_id: i64, owner_only: Option<i64>) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as(
        "SELECT c.status, count(*) FROM cos c
         WHERE c.sponsor_id = $1
           AND ($2::bigint IS NULL OR EXISTS (SELECT 1 FROM cos_owners o WHERE o.sponsor_id = c.sponsor_id AND o.cos_id = c.id AND o.owner_id = $2))
         GROUP BY c.status",
    )
    .bind(sponsor_id)
    .bind(owner_only)
    .fetch_all(db)
    .await
}

#[derive(FromRow, Debug, Clone)]
pub struct Expiring {
    pub cos_number: String,
    pub family_name: Option<String>,
    pub given_names: Option<String>,
    pub expiry_date: Date,
    pub owner_name: String,
    pub total: i64,
}

/// ASSIGNED CoS expiring on or before `until` (including any the expiry job has yet to
/// reach), soonest first, at most `limit`, each with the total.
pub async fn expiring(db: impl PgExecutor<'_>, sponsor_id: i64, owner_only: Option<i64>, until: Date, limit: i64) -> sqlx::Result<Vec<Expiring>> {
    sqlx::query_as(
        "SELECT c.cos_number, c.family_name, c.given_names, c.expiry_date, u.full_name AS owner_name, count(*) OVER () AS total
         FROM cos c
         JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id
         JOIN users u ON u.sponsor_id = o.sponsor_id AND u.id = o.owner_id
         WHERE c.sponsor_id = $1 AND c.status = 'ASSIGNED' AND c.expiry_date <= $3
           AND ($2::bigint IS NULL OR o.owner_id = $2)
         ORDER BY c.expiry_date, c.cos_number
         LIMIT $4",
    )
    .bind(sponsor_id)
    .bind(owner_only)
    .bind(until)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The sponsor's yearly allocation and how many CoS were assigned in [from, to): a withdrawn
/// or expired CoS still counts, as it is not returned to the allocation.
pub async fn allocation(db: impl PgExecutor<'_>, sponsor_id: i64, from: Date, to: Date) -> sqlx::Result<(i32, i64)> {
    sqlx::query_as(
        "SELECT s.allocation,
                (SELECT count(*) FROM cos c WHERE c.sponsor_id = s.id AND c.date_assigned >= $2 AND c.date_assigned < $3)
         FROM sponsors s WHERE s.id = $1",
    )
    .bind(sponsor_id)
    .bind(from)
    .bind(to)
    .fetch_one(db)
    .await
}

/// Reports of migrant activity made late in the last 30 days, newest first, at most `limit`:
/// (CoS number, activity, when reported, working days late).
pub async fn late_reports(db: impl PgExecutor<'_>, sponsor_id: i64, owner_only: Option<i64>, limit: i64) -> sqlx::Result<Vec<(String, String, time::OffsetDateTime, i32)>> {
    sqlx::query_as(
        "SELECT c.cos_number, t.name, a.reported_at, a.days_late
         FROM activity_reports a
         JOIN activity_types t ON t.id = a.activity_type_id
         JOIN cos c ON c.sponsor_id = a.sponsor_id AND c.id = a.cos_id
         WHERE a.sponsor_id = $1 AND a.days_late > 0 AND a.reported_at > now() - interval '30 days'
           AND ($2::bigint IS NULL OR EXISTS (SELECT 1 FROM cos_owners o WHERE o.sponsor_id = a.sponsor_id AND o.cos_id = a.cos_id AND o.owner_id = $2))
         ORDER BY a.reported_at DESC, a.id DESC
         LIMIT $3",
    )
    .bind(sponsor_id)
    .bind(owner_only)
    .bind(limit)
    .fetch_all(db)
    .await
}
