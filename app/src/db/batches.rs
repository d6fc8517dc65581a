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

/// A batch with its route and owner, and how many of its CoS the user reaches: all of them
/// for a Level 1 user, only their own for a Level 2 user (`owner_only`).
fn push_select(qb: &mut QueryBuilder<'_, Postgres>, owner_only: Option<i64>) {
    qb.push("SELECT b.id, b.reference, r.name AS route, b.owner_id, u.full_name AS owner_name, b.created_at, b.version, ");
    match owner_only {
        None => qb.push("(SELECT count(*) FROM cos c WHERE c.sponsor_id = b.sponsor_id AND c.batch_id = b.id)"),
        Some(o) => qb
            .push("(SELECT count(*) FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id
                    WHERE c.sponsor_id = b.sponsor_id AND c.batch_id = b.id AND o.owner_id = ")
            .push_bind(o)
            .push(")"),
    };
    qb.push(" AS cos_count FROM batches b JOIN routes r ON r.id = b.route_id JOIN users u ON u.sponsor_id = b.sponsor_id AND u.id = b.owner_id");
}

/// `LIKE` treats % and _ as wildcards; a reference is matched literally, from its start.
/// (Worker names are folded first, so theirs are escaped after, in SQL: `sms_fold_prefix`.)
fn like_prefix(s: &str) -> String {
    let escaped = s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("{escaped}%")
}

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
        qb.push(" AND lower(b.reference) LIKE ").push_bind(like_prefix(&reference.to_lowercase()));
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
    let mut qb = QueryBuilder::new("");
    push_select(&mut qb, owner_only);
    push_where(&mut qb, sponsor_id, owner_only, s);
    qb.push(" ORDER BY b.created_at DESC, b.id DESC LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    let rows = qb.build_query_as().fetch_all(pool).await?;
    let mut qb = QueryBuilder::new("SELECT count(*) FROM batches b");
    push_where(&mut qb, sponsor_id, owner_only, s);
    let total = qb.build_query_scalar().fetch_one(pool).await?;
    Ok((rows, total))
}

/// (batch id, status, count) for the given batches: the counts per status of the list, of
/// the CoS the user reaches (only their own for a Level 2 user, `owner_only`).
pub async fn status_counts(
    pool: &PgPool,
    sponsor_id: i64,
    owner_only: Option<i64>,
    batch_ids: &[i64],
) -> sqlx::Result<Vec<(i64, String, i64)>> {
    sqlx::query_as(
        "SELECT c.batch_id, c.status, count(*) FROM cos c
         JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id
         WHERE c.sponsor_id = $1 AND c.batch_id = ANY($2) AND ($3::bigint IS NULL OR o.owner_id = $3)
         GROUP BY 1, 2 ORDER BY 1, 2",
    )
    .bind(sponsor_id)
    .bind(batch_ids)
    .bind(owner_only)
    .fetch_all(pool)
    .await
}

/// The batch `id` of the sponsor, with the count of its CoS the user reaches (`owner_only`).
pub async fn by_id(pool: &PgPool, sponsor_id: i64, owner_only: Option<i64>, id: i64) -> sqlx::Result<Option<BatchRow>> {
    let mut qb = QueryBuilder::new("");
    push_select(&mut qb, owner_only);
    qb.push(" WHERE b.sponsor_id = ").push_bind(sponsor_id).push(" AND b.id = ").push_bind(id);
    qb.build_query_as().fetch_optional(pool).await
}

#[derive(FromRow, Debug, Clone)]
pub struct BatchCos {
    pub cos_number: String,
    pub family_name: Option<String>,
    pub given_names: Option<String>,
    pub status: String,
    pub owner_name: String,
}

/// The CoS of a batch the user reaches (only their own for a Level 2 user, `owner_only`),
/// by CoS number.
pub async fn cos_of(pool: &PgPool, sponsor_id: i64, owner_only: Option<i64>, batch_id: i64) -> sqlx::Result<Vec<BatchCos>> {
    sqlx::query_as(
        "SELECT c.cos_number, c.family_name, c.given_names, c.status, u.full_name AS owner_name
         FROM cos c
         JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id
         JOIN users u ON u.sponsor_id = o.sponsor_id AND u.id = o.owner_id
         WHERE c.sponsor_id = $1 AND c.batch_id = $2 AND ($3::bigint IS NULL OR o.owner_id = $3)
         ORDER BY c.cos_number",
    )
    .bind(sponsor_id)
    .bind(batch_id)
    .bind(owner_only)
    .fetch_all(pool)
    .await
}

/// A batch transfer as the user asked for it: the batch as they were shown it (its owner
/// and version), where it goes, and whose CoS in it go along.
pub struct BatchTransfer {
    pub sponsor_id: i64,
    pub batch_id: i64,
    /// The owner and version shown: the transfer is refused if either has moved since.
    pub from: i64,
    pub version: i32,
    pub to: i64,
    pub by: i64,
    /// A Level 2 user moves only their own CoS of the batch; `None` moves all of them.
    pub owner_only: Option<i64>,
}

/// Moves the batch, if it is still owned by `from` at `version`, and its CoS (all, or only
/// `owner_only`'s) to `to`, with an ownership-history row per CoS marked as coming with the
/// batch. Set-based: three statements whatever the size of the batch. Locks the batch row
/// first, then the owner rows in CoS order, as every bulk transfer does. Returns how many CoS
/// moved, or None when the batch changed since it was shown (nothing is changed then). Runs
/// in the caller's transaction, so that a failure part-way leaves everything as it was.
pub async fn transfer(tx: &mut PgConnection, t: &BatchTransfer) -> sqlx::Result<Option<u64>> {
    let batch = sqlx::query(
        "UPDATE batches SET owner_id = $3, version = version + 1
         WHERE sponsor_id = $1 AND id = $2 AND owner_id = $4 AND version = $5",
    )
    .bind(t.sponsor_id)
    .bind(t.batch_id)
    .bind(t.to)
    .bind(t.from)
    .bind(t.version)
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
        "WITH old AS MATERIALIZED (
             SELECT o.cos_id, o.owner_id FROM cos c
             JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id
             WHERE c.sponsor_id = $1 AND c.batch_id = $2 AND o.owner_id <> $3
               AND ($5::bigint IS NULL OR o.owner_id = $5)
             ORDER BY o.cos_id FOR UPDATE OF o
         ), moved AS (
             UPDATE cos_owners o SET owner_id = $3, version = o.version + 1 FROM old
             WHERE o.sponsor_id = $1 AND o.cos_id = old.cos_id AND o.owner_id = old.owner_id
             RETURNING o.cos_id AS id, old.owner_id
         )
         INSERT INTO ownership_history (sponsor_id, cos_id, from_user_id, to_user_id, transferred_at, by_user_id, batch_id)
         SELECT $1, moved.id, moved.owner_id, $3, now(), $4, $2 FROM moved",
    )
    .bind(t.sponsor_id)
    .bind(t.batch_id)
    .bind(t.to)
    .bind(t.by)
    .bind(t.owner_only)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    Ok(Some(moved))
}
