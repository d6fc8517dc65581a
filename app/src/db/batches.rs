//! Batches of CoS: search, one batch with its CoS, and the transfer of a whole batch (the
//! batch and every one of its CoS in one set-based transaction).

use crate::domain::batch_search::BatchSearch;
use sqlx::{FromRow, PgConnection, PgPool, Postgres, QueryBuilder};
use time::OffsetDateTime;

#[derive(FromRow, Debug, Clone)]
pub struct BatchRow {
    pub id: i64,
    pub reference: String,
    pub route: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub created_at: OffsetDateTime,
    pub version: i32,
    pub cos_count: i64,
}

const SELECT: &str = "SELECT b.id, b.reference, r.name AS route, b.owner_id, u.full_name AS owner_name, b.created_at, b.version,
        (SELECT count(*) FROM cos c WHERE c.sponsor_id = b.sponsor_id AND c.batch_id = b.id) AS cos_count
     FROM batches b JOIN routes r ON r.id = b.route_id JOIN users u ON u.sponsor_id = b.sponsor_id AND u.id = b.owner_id";

fn push_where(qb: &mut QueryBuilder<'_, Postgres>, sponsor_id: i64, owner_only: Option<i64>, s: &BatchSearch) {
    qb.push(" WHERE b.sponsor_id = ").push_bind(sponsor_id);
    if let Some(o) = owner_only {
        qb.push(" AND b.owner_id = ").push_bind(o);
    }
    if let Some(o) = s.owner {
        qb.push(" AND b.owner_id = ").push_bind(o);
    }
    if let Some(r) = s.route {
        qb.push(" AND b.route_id = ").push_bind(r);
    }
    if let Some(reference) = &s.reference {
        qb.push(" AND lower(b.reference) LIKE ").push_bind(super::advanced_search::like_prefix(&reference.to_lowercase()));
    }
    if let Some(f) = s.created_from {
        qb.push(" AND b.created_at >= (").push_bind(f).push("::date)::timestamp AT TIME ZONE 'Europe/London'");
    }
    if let Some(t) = s.created_to {
        qb.push(" AND b.created_at < (").push_bind(t).push("::date + 1)::timestamp AT TIME ZONE 'Europe/London'");
    }
}

/// One page of matching batches, newest first, and how many match in all.
pub async fn search(
    pool: &PgPool,
    sponsor_id: i64,
    owner_only: Option<i64>,
    s: &BatchSearch,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<BatchRow>, i64)> {
    let mut qb = QueryBuilder::new(SELECT);
    push_where(&mut qb, sponsor_id, owner_only, s);
    qb.push(" ORDER BY b.created_at DESC, b.id DESC LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    let rows = qb.build_query_as().fetch_all(pool).await?;
    let mut qb = QueryBuilder::new("SELECT count(*) FROM batches b");
    push_where(&mut qb, sponsor_id, owner_only, s);
    let total = qb.build_query_scalar().fetch_one(pool).await?;
    Ok((rows, total))
}

/// (batch id, status, count) for the given batches: the counts per status of the list.
pub async fn status_counts(pool: &PgPool, sponsor_id: i64, batch_ids: &[i64]) -> sqlx::Result<Vec<(i64, String, i64)>> {
    sqlx::query_as(
        "SELECT batch_id, status, count(*) FROM cos WHERE sponsor_id = $1 AND batch_id = ANY($2) GROUP BY 1, 2 ORDER BY 1, 2",
    )
    .bind(sponsor_id)
    .bind(batch_ids)
    .fetch_all(pool)
    .await
}

pub async fn by_id(pool: &PgPool, sponsor_id: i64, id: i64) -> sqlx::Result<Option<BatchRow>> {
    sqlx::query_as(&format!("{SELECT} WHERE b.sponsor_id = $1 AND b.id = $2"))
        .bind(sponsor_id)
        .bind(id)
        .fetch_optional(pool)
        .await
}

#[derive(FromRow, Debug, Clone)]
pub struct BatchCos {
    pub cos_number: String,
    pub family_name: Option<String>,
    pub given_names: Option<String>,
    pub status: String,
    pub owner_name: String,
}

/// The CoS of a batch, by CoS number.
pub async fn cos_of(pool: &PgPool, sponsor_id: i64, batch_id: i64) -> sqlx::Result<Vec<BatchCos>> {
    sqlx::query_as(
        "SELECT c.cos_number, c.family_name, c.given_names, c.status, u.full_name AS owner_name
         FROM cos c
         JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id
         JOIN users u ON u.sponsor_id = o.sponsor_id AND u.id = o.owner_id
         WHERE c.sponsor_id = $1 AND c.batch_id = $2 ORDER BY c.cos_number",
    )
    .bind(sponsor_id)
    .bind(batch_id)
    .fetch_all(pool)
    .await
}

/// Moves the batch, if it is still at `version`, and every one of its CoS to `to`, with an
/// ownership-history row per CoS marked as coming with the batch. Set-based: three
/// statements whatever the size of the batch. Returns how many CoS moved, or None when the
/// batch changed since it was shown (nothing is changed then). Runs in the caller's
/// transaction, so that a failure part-way leaves everything as it was.
pub async fn transfer(
    tx: &mut PgConnection,
    sponsor_id: i64,
    batch_id: i64,
    version: i32,
    to: i64,
    by: i64,
) -> sqlx::Result<Option<u64>> {
    let batch = sqlx::query("UPDATE batches SET owner_id = $3, version = version + 1 WHERE sponsor_id = $1 AND id = $2 AND version = $4")
        .bind(sponsor_id)
        .bind(batch_id)
        .bind(to)
        .bind(version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if batch == 0 {
        return Ok(None);
    }
    // Move the batch's CoS and write a history row for each one the update really moved
    // (RETURNING: a CoS someone else moved meanwhile is neither moved nor recorded). Only the
    // narrow owner rows change, not the CoS: see the cos_owners migration.
    let moved = sqlx::query(
        "WITH old AS (
             SELECT o.cos_id, o.owner_id FROM cos c
             JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id
             WHERE c.sponsor_id = $1 AND c.batch_id = $2 AND o.owner_id <> $3
         ), moved AS (
             UPDATE cos_owners o SET owner_id = $3, version = o.version + 1 FROM old
             WHERE o.sponsor_id = $1 AND o.cos_id = old.cos_id AND o.owner_id = old.owner_id
             RETURNING o.cos_id AS id, old.owner_id
         )
         INSERT INTO ownership_history (sponsor_id, cos_id, from_user_id, to_user_id, transferred_at, by_user_id, batch_id)
         SELECT $1, moved.id, moved.owner_id, $3, now(), $4, $2 FROM moved",
    )
    .bind(sponsor_id)
    .bind(batch_id)
    .bind(to)
    .bind(by)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    Ok(Some(moved))
}
