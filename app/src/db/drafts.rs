//! CoS being created (SMS guide 8): drafts saved, edited and deleted while WORK IN PROGRESS or
//! READY TO GO, and the assignment that takes one CoS from the sponsor's allocation. Each
//! change writes its status history; the caller writes the audit event in the same
//! transaction.

use crate::domain::cos_form::{Checked, CosForm, Field, Kind, OtherAddress, SECTIONS};
use crate::domain::CosNumber;
use sqlx::{PgConnection, PgPool, QueryBuilder};
use time::Date;

/// A route a CoS can be created in: (id, name, category).
pub async fn active_routes(pool: &PgPool) -> sqlx::Result<Vec<(i16, String, String)>> {
    sqlx::query_as("SELECT id, name, category FROM routes WHERE active ORDER BY category DESC, name").fetch_all(pool).await
}

/// Every SOC 2020 unit group code.
pub async fn soc_codes(pool: &PgPool) -> sqlx::Result<std::collections::HashSet<String>> {
    Ok(sqlx::query_scalar::<_, String>("SELECT code FROM soc_unit_groups").fetch_all(pool).await?.into_iter().collect())
}

/// The SOC 2020 unit groups: (code, title), by code.
pub async fn soc_groups(pool: &PgPool) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as("SELECT code, title FROM soc_unit_groups ORDER BY code").fetch_all(pool).await
}

/// How a stored value is written: its cast from the text the checked form holds.
fn cast(kind: Kind) -> &'static str {
    match kind {
        Kind::Date => "::date",
        Kind::Hours | Kind::Money => "::numeric",
        Kind::YesNo => "::boolean",
        _ => "",
    }
}

/// A draft as its form shows it.
#[derive(Clone, Debug)]
pub struct Draft {
    pub id: i64,
    pub cos_number: String,
    pub version: i32,
    pub status: String,
    pub owner_id: i64,
    pub route_id: i16,
    pub route: String,
    pub category: String,
    /// Stored values, as a user types them (`cos_form::typed`).
    pub form: CosForm,
}

/// Any CoS of the sponsor, with its details as a form (for Edit, Copy and Assign).
pub async fn by_number(pool: &PgPool, sponsor_id: i64, cos_number: &str) -> sqlx::Result<Option<Draft>> {
    let mut qb = QueryBuilder::new(
        "SELECT c.id, c.cos_number, c.version, c.status, o.owner_id, c.route_id, r.name AS route, r.category, json_build_object(",
    );
    let mut first = true;
    for s in SECTIONS {
        for f in s.fields {
            if !first {
                qb.push(", ");
            }
            first = false;
            qb.push(format!("'{0}', c.{0}::text", f.name));
        }
    }
    qb.push(
        ") AS form, c.other_work_addresses FROM cos c JOIN routes r ON r.id = c.route_id
         JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id
         WHERE c.sponsor_id = ",
    )
    .push_bind(sponsor_id)
    .push(" AND c.cos_number = ")
    .push_bind(cos_number);
    let row: Option<(i64, String, i32, String, i64, i16, String, String, serde_json::Value, serde_json::Value)> =
        qb.build_query_as().fetch_optional(pool).await?;
    Ok(row.map(|(id, cos_number, version, status, owner_id, route_id, route, category, form, others)| {
        let mut form: CosForm = form
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| (k.clone(), crate::domain::cos_form::typed(k, v.as_str())))
                    .collect()
            })
            .unwrap_or_default();
        let others: Vec<OtherAddress> = serde_json::from_value(others).unwrap_or_default();
        form.extend(crate::domain::cos_form::others_typed(&others));
        Draft { id, cos_number, version, status, owner_id, route_id, route, category, form }
    }))
}

fn push_value<'a>(sep: &mut sqlx::query_builder::Separated<'_, 'a, sqlx::Postgres, &'static str>, f: &Field, v: &Option<String>) {
    sep.push_bind(v.clone());
    sep.push_unseparated(cast(f.kind));
}

/// Saves a new CoS owned by its creator `by`, with its first status history row. `token`:
/// the form's one-time key — the same form sent twice finds the CoS it made (`Err(id)`).
#[allow(clippy::too_many_arguments)]
pub async fn insert(
    tx: &mut PgConnection,
    sponsor_id: i64,
    route_id: i16,
    by: i64,
    status: &str,
    checked: &Checked,
    token: uuid::Uuid,
    batch_id: Option<i64>,
) -> sqlx::Result<Result<(i64, String), String>> {
    let values = &checked.values;
    // The form's key first: a second submit stops here, before it makes anything.
    if !claim(tx, token, sponsor_id).await? {
        let made: Option<String> = sqlx::query_scalar(
            "SELECT c.cos_number FROM cos_create_tokens t JOIN cos c ON c.sponsor_id = t.sponsor_id AND c.id = t.cos_id
             WHERE t.token = $1 AND t.sponsor_id = $2",
        )
        .bind(token)
        .bind(sponsor_id)
        .fetch_optional(&mut *tx)
        .await?;
        return Ok(Err(made.unwrap_or_default()));
    }
    let id: i64 = sqlx::query_scalar("SELECT nextval(pg_get_serial_sequence('cos', 'id'))").fetch_one(&mut *tx).await?;
    let number = CosNumber::from_sequence(id as u64).as_str().to_string();
    let mut qb = QueryBuilder::new(
        "INSERT INTO cos (sponsor_id, id, cos_number, route_id, status, status_date, created_by, created_at, batch_id, other_work_addresses",
    );
    for (f, _) in values {
        qb.push(", ").push(f.name);
    }
    qb.push(") VALUES (");
    {
        let mut sep = qb.separated(", ");
        sep.push_bind(sponsor_id).push_bind(id).push_bind(number.clone()).push_bind(route_id).push_bind(status.to_string());
        sep.push("now()").push_bind(by).push("now()").push_bind(batch_id).push_bind(others_json(&checked.others));
        for (f, v) in values {
            push_value(&mut sep, f, v);
        }
    }
    qb.push(")");
    qb.build().execute(&mut *tx).await?;
    sqlx::query("INSERT INTO cos_owners (sponsor_id, cos_id, owner_id) VALUES ($1, $2, $3)")
        .bind(sponsor_id)
        .bind(id)
        .bind(by)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE cos_create_tokens SET cos_id = $3 WHERE token = $1 AND sponsor_id = $2")
        .bind(token)
        .bind(sponsor_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    history(tx, sponsor_id, id, status, None, by).await?;
    Ok(Ok((id, number)))
}

fn others_json(others: &[OtherAddress]) -> serde_json::Value {
    serde_json::to_value(others).unwrap_or_else(|_| serde_json::json!([]))
}

/// Takes a form's one-time key; false when it was taken before (the same form sent again).
async fn claim(tx: &mut PgConnection, token: uuid::Uuid, sponsor_id: i64) -> sqlx::Result<bool> {
    let n = sqlx::query("INSERT INTO cos_create_tokens (token, sponsor_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(token)
        .bind(sponsor_id)
        .execute(tx)
        .await?
        .rows_affected();
    Ok(n == 1)
}

async fn history(tx: &mut PgConnection, sponsor_id: i64, cos_id: i64, status: &str, from: Option<&str>, by: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO cos_status_history (sponsor_id, cos_id, status, from_status, changed_at, actor_kind, actor_user_id)
         SELECT $1, $2, $3, $4, status_date, 'USER', $5 FROM cos WHERE sponsor_id = $1 AND id = $2",
    )
    .bind(sponsor_id)
    .bind(cos_id)
    .bind(status)
    .bind(from)
    .bind(by)
    .execute(tx)
    .await?;
    Ok(())
}

/// Locks a draft for a change if it is still a draft at `version` and (`owner_only`) still
/// that user's: its status, or None when anything moved.
async fn lock_draft(tx: &mut PgConnection, sponsor_id: i64, id: i64, version: i32, owner_only: Option<i64>) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT c.status FROM cos c
         WHERE c.sponsor_id = $1 AND c.id = $2 AND c.version = $3 AND c.status IN ('WORK IN PROGRESS', 'READY TO GO')
           AND ($4::bigint IS NULL OR EXISTS (
               SELECT 1 FROM cos_owners o WHERE o.sponsor_id = $1 AND o.cos_id = $2 AND o.owner_id = $4 FOR SHARE))
         FOR UPDATE OF c",
    )
    .bind(sponsor_id)
    .bind(id)
    .bind(version)
    .bind(owner_only)
    .fetch_optional(tx)
    .await
}

/// Saves an edited draft if it is still at `version`: its new values and status (a history
/// row when the status changes). False, and nothing written, when it changed meanwhile.
#[allow(clippy::too_many_arguments)]
pub async fn update(
    tx: &mut PgConnection,
    sponsor_id: i64,
    id: i64,
    version: i32,
    owner_only: Option<i64>,
    status: &str,
    checked: &Checked,
    by: i64,
) -> sqlx::Result<bool> {
    let values = &checked.values;
    let Some(was) = lock_draft(tx, sponsor_id, id, version, owner_only).await? else { return Ok(false) };
    let mut qb = QueryBuilder::new("UPDATE cos SET version = version + 1, status = ");
    qb.push_bind(status.to_string());
    qb.push(", status_date = CASE WHEN status = ").push_bind(status.to_string()).push(" THEN status_date ELSE now() END");
    qb.push(", other_work_addresses = ").push_bind(others_json(&checked.others));
    for (f, v) in values {
        qb.push(", ").push(f.name).push(" = ").push_bind(v.clone()).push(cast(f.kind));
    }
    qb.push(" WHERE sponsor_id = ").push_bind(sponsor_id).push(" AND id = ").push_bind(id);
    qb.build().execute(&mut *tx).await?;
    if was != status {
        history(tx, sponsor_id, id, status, Some(&was), by).await?;
    }
    Ok(true)
}

/// Deletes a draft still at `version`, with everything that hangs on it. False when it changed.
pub async fn delete(tx: &mut PgConnection, sponsor_id: i64, id: i64, version: i32, owner_only: Option<i64>) -> sqlx::Result<bool> {
    if lock_draft(tx, sponsor_id, id, version, owner_only).await?.is_none() {
        return Ok(false);
    }
    for table in ["cos_status_history", "ownership_history", "sponsor_notes", "activity_reports", "cos_owners"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE sponsor_id = $1 AND cos_id = $2"))
            .bind(sponsor_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("UPDATE cos_create_tokens SET cos_id = NULL WHERE sponsor_id = $1 AND cos_id = $2")
        .bind(sponsor_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM cos WHERE sponsor_id = $1 AND id = $2").bind(sponsor_id).bind(id).execute(&mut *tx).await?;
    Ok(true)
}

/// The year's allocation and how much of it is used, with the sponsor locked until the
/// transaction ends: assignments of one sponsor happen one at a time, so two can never both
/// take the last CoS. [from, to): the allocation year.
pub async fn lock_allocation(tx: &mut PgConnection, sponsor_id: i64, from: Date, to: Date) -> sqlx::Result<(i64, i64)> {
    let allocation: i32 = sqlx::query_scalar("SELECT allocation FROM sponsors WHERE id = $1 FOR UPDATE")
        .bind(sponsor_id)
        .fetch_one(&mut *tx)
        .await?;
    let used: i64 = sqlx::query_scalar("SELECT count(*) FROM cos WHERE sponsor_id = $1 AND date_assigned >= $2 AND date_assigned < $3")
        .bind(sponsor_id)
        .bind(from)
        .bind(to)
        .fetch_one(&mut *tx)
        .await?;
    Ok((allocation.into(), used))
}

/// Assigns a READY TO GO CoS still at `version`: ASSIGNED today, expiring three months on,
/// with its history row. The caller holds the allocation lock and has checked there is room.
/// None when the CoS changed; otherwise its expiry date.
pub async fn assign(
    tx: &mut PgConnection,
    sponsor_id: i64,
    id: i64,
    version: i32,
    owner_only: Option<i64>,
    today: Date,
    by: i64,
) -> sqlx::Result<Option<Date>> {
    match lock_draft(tx, sponsor_id, id, version, owner_only).await?.as_deref() {
        Some("READY TO GO") => {}
        _ => return Ok(None),
    }
    let expiry: Date = sqlx::query_scalar(
        "UPDATE cos SET status = 'ASSIGNED', status_date = now(), date_assigned = $3,
                expiry_date = ($3 + interval '3 months')::date, version = version + 1
         WHERE sponsor_id = $1 AND id = $2 RETURNING expiry_date",
    )
    .bind(sponsor_id)
    .bind(id)
    .bind(today)
    .fetch_one(&mut *tx)
    .await?;
    history(tx, sponsor_id, id, "ASSIGNED", Some("READY TO GO"), by).await?;
    Ok(Some(expiry))
}

/// Makes a batch owned by `by`, with the details its CoS share. `token`: the form's one-time
/// key; `Err(Some(id))`: this form made batch `id` already; `Err(None)`: the reference is taken.
pub async fn insert_batch(
    tx: &mut PgConnection,
    sponsor_id: i64,
    route_id: i16,
    by: i64,
    reference: &str,
    common: &serde_json::Value,
    token: uuid::Uuid,
) -> sqlx::Result<Result<i64, Option<i64>>> {
    if !claim(tx, token, sponsor_id).await? {
        let made: Option<Option<i64>> = sqlx::query_scalar("SELECT batch_id FROM cos_create_tokens WHERE token = $1 AND sponsor_id = $2")
            .bind(token)
            .bind(sponsor_id)
            .fetch_optional(&mut *tx)
            .await?;
        return Ok(Err(made.flatten()));
    }
    let taken: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM batches WHERE sponsor_id = $1 AND lower(reference) = lower($2))")
        .bind(sponsor_id)
        .bind(reference)
        .fetch_one(&mut *tx)
        .await?;
    if taken {
        return Ok(Err(None));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO batches (sponsor_id, reference, route_id, owner_id, created_at, common) VALUES ($1, $2, $3, $4, now(), $5) RETURNING id",
    )
    .bind(sponsor_id)
    .bind(reference)
    .bind(route_id)
    .bind(by)
    .bind(common)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("UPDATE cos_create_tokens SET batch_id = $3 WHERE token = $1 AND sponsor_id = $2")
        .bind(token)
        .bind(sponsor_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    Ok(Ok(id))
}

/// Saves many CoS of one batch at once, each with its status and owner row and first history
/// row, in statements of a thousand. How many.
pub async fn insert_many(
    tx: &mut PgConnection,
    sponsor_id: i64,
    route_id: i16,
    by: i64,
    batch_id: i64,
    rows: &[(&'static str, Checked)],
) -> sqlx::Result<u64> {
    let ids: Vec<i64> = sqlx::query_scalar("SELECT nextval(pg_get_serial_sequence('cos', 'id')) FROM generate_series(1, $1)")
        .bind(rows.len() as i64)
        .fetch_all(&mut *tx)
        .await?;
    let Some((_, first)) = rows.first() else { return Ok(0) };
    for (chunk, chunk_ids) in rows.chunks(1000).zip(ids.chunks(1000)) {
        let mut qb = QueryBuilder::new(
            "INSERT INTO cos (sponsor_id, id, cos_number, route_id, status, status_date, created_by, created_at, batch_id, other_work_addresses",
        );
        for (f, _) in &first.values {
            qb.push(", ").push(f.name);
        }
        qb.push(") ");
        qb.push_values(chunk.iter().zip(chunk_ids), |mut b, ((status, checked), id)| {
            b.push_bind(sponsor_id)
                .push_bind(*id)
                .push_bind(CosNumber::from_sequence(*id as u64).as_str().to_string())
                .push_bind(route_id)
                .push_bind(status.to_string())
                .push("now()")
                .push_bind(by)
                .push("now()")
                .push_bind(batch_id)
                .push_bind(others_json(&checked.others));
            for (f, v) in &checked.values {
                b.push_bind(v.clone());
                b.push_unseparated(cast(f.kind));
            }
        });
        qb.build().execute(&mut *tx).await?;
    }
    sqlx::query("INSERT INTO cos_owners (sponsor_id, cos_id, owner_id) SELECT $1, unnest($2::bigint[]), $3")
        .bind(sponsor_id)
        .bind(&ids)
        .bind(by)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO cos_status_history (sponsor_id, cos_id, status, from_status, changed_at, actor_kind, actor_user_id)
         SELECT sponsor_id, id, status, NULL, status_date, 'USER', $3 FROM cos WHERE sponsor_id = $1 AND id = ANY($2)",
    )
    .bind(sponsor_id)
    .bind(&ids)
    .bind(by)
    .execute(&mut *tx)
    .await?;
    Ok(ids.len() as u64)
}

/// The batch's READY TO GO CoS the user may assign (a Level 2 user: their own), locked in id
/// order: (id, work start date).
pub async fn lock_ready_in_batch(
    tx: &mut PgConnection,
    sponsor_id: i64,
    batch_id: i64,
    owner_only: Option<i64>,
) -> sqlx::Result<Vec<(i64, Option<Date>)>> {
    sqlx::query_as(
        "SELECT c.id, c.work_start_date FROM cos c
         WHERE c.sponsor_id = $1 AND c.batch_id = $2 AND c.status = 'READY TO GO'
           AND ($3::bigint IS NULL OR EXISTS (
               SELECT 1 FROM cos_owners o WHERE o.sponsor_id = $1 AND o.cos_id = c.id AND o.owner_id = $3))
         ORDER BY c.id FOR UPDATE OF c",
    )
    .bind(sponsor_id)
    .bind(batch_id)
    .bind(owner_only)
    .fetch_all(tx)
    .await
}

/// Assigns the CoS `ids` (locked, READY TO GO) today, with a history row each. How many.
pub async fn assign_many(tx: &mut PgConnection, sponsor_id: i64, ids: &[i64], today: Date, by: i64) -> sqlx::Result<u64> {
    Ok(sqlx::query(
        "WITH assigned AS (
             UPDATE cos SET status = 'ASSIGNED', status_date = now(), date_assigned = $3,
                    expiry_date = ($3 + interval '3 months')::date, version = version + 1
             WHERE sponsor_id = $1 AND id = ANY($2) AND status = 'READY TO GO'
             RETURNING sponsor_id, id, status_date)
         INSERT INTO cos_status_history (sponsor_id, cos_id, status, from_status, changed_at, actor_kind, actor_user_id)
         SELECT sponsor_id, id, 'ASSIGNED', 'READY TO GO', status_date, 'USER', $4 FROM assigned",
    )
    .bind(sponsor_id)
    .bind(ids)
    .bind(today)
    .bind(by)
    .execute(tx)
    .await?
    .rows_affected())
}

/// A batch's common details and route, for a worker added to it later.
pub async fn batch_common(pool: &PgPool, sponsor_id: i64, batch_id: i64) -> sqlx::Result<Option<(i16, serde_json::Value)>> {
    sqlx::query_as("SELECT route_id, common FROM batches WHERE sponsor_id = $1 AND id = $2")
        .bind(sponsor_id)
        .bind(batch_id)
        .fetch_optional(pool)
        .await
}
