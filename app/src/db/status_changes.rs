//! Status changes: one CoS by a user or the Home Office, and the set-based ones of the system
//! (expiry) and the Home Office (cancelling a licence's or a route's CoS). Each is one
//! statement that writes the new status and its history row together; the
//! status condition in the UPDATE is re-checked under the row lock, so two runs at once
//! cannot change a CoS twice.

use crate::domain::{Actor, Status};
use sqlx::PgConnection;
use time::Date;

/// Today in the UK, from the database's clock.
pub async fn uk_today(conn: &mut PgConnection) -> sqlx::Result<Date> {
    sqlx::query_scalar("SELECT (now() AT TIME ZONE 'Europe/London')::date").fetch_one(conn).await
}

/// Takes the expiry job's lock for this transaction, if no other server holds it.
pub async fn try_lock_expiry(tx: &mut PgConnection) -> sqlx::Result<bool> {
    // An arbitrary constant naming "the expiry job" among advisory locks.
    sqlx::query_scalar("SELECT pg_try_advisory_xact_lock(7406551001)").fetch_one(tx).await
}

/// Moves every ASSIGNED CoS whose expiry date is before `today` to EXPIRED, with a history row
/// by the system. Touches no other status. Locks them in order of id first (as every
/// statement that locks many CoS does). Returns (sponsor, how many) for the audit.
pub async fn expire_due(tx: &mut PgConnection, today: Date) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "WITH due AS MATERIALIZED (
             SELECT sponsor_id, id FROM cos WHERE status = 'ASSIGNED' AND expiry_date < $1
             ORDER BY id FOR UPDATE),
         expired AS (
             UPDATE cos c SET status = 'EXPIRED', status_date = now(), version = c.version + 1
             FROM due WHERE c.sponsor_id = due.sponsor_id AND c.id = due.id
             RETURNING c.sponsor_id, c.id, c.status_date),
         history AS (
             INSERT INTO cos_status_history (sponsor_id, cos_id, status, from_status, changed_at, actor_kind)
             SELECT sponsor_id, id, 'EXPIRED', 'ASSIGNED', status_date, 'SYSTEM' FROM expired)
         SELECT sponsor_id, count(*) FROM expired GROUP BY sponsor_id ORDER BY sponsor_id",
    )
    .bind(today)
    .fetch_all(tx)
    .await
}

/// A CoS as the Home Office's commands need it, locked for the transaction.
#[derive(sqlx::FromRow, Debug)]
pub struct Found {
    pub sponsor_id: i64,
    pub id: i64,
    pub status: String,
    pub expiry_date: Option<Date>,
}

pub async fn lock_cos(tx: &mut PgConnection, cos_number: &str) -> sqlx::Result<Option<Found>> {
    sqlx::query_as("SELECT sponsor_id, id, status, expiry_date FROM cos WHERE cos_number = $1 FOR UPDATE")
        .bind(cos_number)
        .fetch_optional(tx)
        .await
}

/// Who makes a change of one CoS: a user (named in its history row), or the Home Office.
#[derive(Clone, Copy, Debug)]
pub enum ChangedBy {
    User(i64),
    HomeOffice,
}

/// Moves one CoS from `from` to `to`, with its history row, in the caller's transaction.
/// `owner_only`: only while that user still owns it (a Level 2 user). False, and nothing
/// changed, when the CoS is no longer in `from` (a second click, or someone else first): the
/// row lock makes the second wait, then find it moved on.
pub async fn change(
    tx: &mut PgConnection,
    sponsor_id: i64,
    cos_id: i64,
    owner_only: Option<i64>,
    from: Status,
    to: Status,
    by: ChangedBy,
) -> sqlx::Result<bool> {
    let (kind, user) = match by {
        ChangedBy::User(id) => (Actor::User, Some(id)),
        ChangedBy::HomeOffice => (Actor::HomeOffice, None),
    };
    let n = sqlx::query(
        "WITH changed AS (
             UPDATE cos SET status = $5, status_date = now(), version = version + 1
             WHERE sponsor_id = $1 AND id = $2 AND status = $4
               -- A Level 2 user's own CoS; the owner row is held until commit, so a transfer
               -- cannot take it away in between.
               AND ($3::bigint IS NULL OR EXISTS (
                   SELECT 1 FROM cos_owners o WHERE o.sponsor_id = $1 AND o.cos_id = $2 AND o.owner_id = $3 FOR SHARE))
             RETURNING sponsor_id, id, status_date)
         INSERT INTO cos_status_history (sponsor_id, cos_id, status, from_status, changed_at, actor_kind, actor_user_id)
         SELECT sponsor_id, id, $5, $4, status_date, $6, $7 FROM changed",
    )
    .bind(sponsor_id)
    .bind(cos_id)
    .bind(owner_only)
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(kind.as_db())
    .bind(user)
    .execute(tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// A sponsor by licence number, locked: (id, name, licence status).
pub async fn lock_sponsor(tx: &mut PgConnection, licence_number: &str) -> sqlx::Result<Option<(i64, String, String)>> {
    sqlx::query_as("SELECT id, name, licence_status FROM sponsors WHERE licence_number = $1 FOR UPDATE")
        .bind(licence_number)
        .fetch_optional(tx)
        .await
}

pub async fn set_licence_status(tx: &mut PgConnection, sponsor_id: i64, status: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE sponsors SET licence_status = $2 WHERE id = $1").bind(sponsor_id).bind(status).execute(tx).await?;
    Ok(())
}

/// Cancels every CoS of the sponsor (of one route when `route_id` is given) that is neither
/// USED nor already CANCELLED, with a history row each by the Home Office. How many.
pub async fn cancel_all(tx: &mut PgConnection, sponsor_id: i64, route_id: Option<i16>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "WITH due AS MATERIALIZED (
             SELECT id, status FROM cos
             WHERE sponsor_id = $1 AND ($2::smallint IS NULL OR route_id = $2)
               AND status NOT IN ('USED', 'CANCELLED')
             ORDER BY id FOR UPDATE),
         cancelled AS (
             UPDATE cos c SET status = 'CANCELLED', status_date = now(), version = c.version + 1
             FROM due WHERE c.sponsor_id = $1 AND c.id = due.id
             RETURNING c.sponsor_id, c.id, c.status_date, due.status AS from_status),
         history AS (
             INSERT INTO cos_status_history (sponsor_id, cos_id, status, from_status, changed_at, actor_kind)
             SELECT sponsor_id, id, 'CANCELLED', from_status, status_date, 'HOME_OFFICE' FROM cancelled)
         SELECT count(*) FROM cancelled",
    )
    .bind(sponsor_id)
    .bind(route_id)
    .fetch_one(tx)
    .await
}

/// A route by name, ignoring case: (id, name).
pub async fn route_by_name(tx: &mut PgConnection, name: &str) -> sqlx::Result<Option<(i16, String)>> {
    sqlx::query_as("SELECT id, name FROM routes WHERE lower(name) = lower($1)").bind(name.trim()).fetch_optional(tx).await
}
