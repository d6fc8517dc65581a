//! One CoS: the full record, its histories, and the changes a user makes to it (transfer,
//! withdraw, print). Always scoped by the signed-in user's sponsor. Searches are in
//! `db::advanced_search`, which serves the basic search too.

use sqlx::{FromRow, PgConnection, PgPool};
use time::{Date, OffsetDateTime};

/// Every field of one CoS, as the View CoS screen and the printed certificate show it.
#[derive(FromRow, Debug, Clone)]
pub struct Record {
    pub id: i64,
    /// How many times the CoS has changed owner: a transfer is checked against it.
    pub owner_version: i32,
    pub sponsor_id: i64,
    pub owner_id: i64,
    pub cos_number: String,
    pub status: String,
    pub status_date: OffsetDateTime,
    pub date_assigned: Option<Date>,
    pub expiry_date: Option<Date>,
    pub route: String,
    pub owner_name: String,
    pub batch_reference: Option<String>,
    pub family_name: Option<String>,
    pub given_names: Option<String>,
    pub other_names: Option<String>,
    pub nationality: Option<String>,
    pub place_of_birth: Option<String>,
    pub country_of_birth: Option<String>,
    pub date_of_birth: Option<Date>,
    pub gender: Option<String>,
    pub country_of_residence: Option<String>,
    pub passport_number: Option<String>,
    pub passport_issue_date: Option<Date>,
    pub passport_expiry_date: Option<Date>,
    pub passport_place_of_issue: Option<String>,
    pub home_address: Option<String>,
    pub ni_number: Option<String>,
    pub employee_number: Option<String>,
    pub work_start_date: Option<Date>,
    pub work_end_date: Option<Date>,
    pub weekly_hours: Option<String>,
    pub work_address: Option<String>,
    /// Read as stored and put on one line in Rust (`OtherAddress::one_line`): unpacked in SQL,
    /// a subquery over the JSON array, it made the whole query a third dearer to PostgreSQL.
    pub other_work_addresses: sqlx::types::Json<Vec<crate::domain::cos_form::OtherAddress>>,
    pub job_title: Option<String>,
    pub soc_code: Option<String>,
    pub job_description: Option<String>,
    pub gross_salary: Option<String>,
    pub allowances: Option<String>,
    pub certify_maintenance: Option<bool>,
    /// The sponsor notes, oldest first: read in the same query, so a View CoS page costs one
    /// round trip to the database for the CoS instead of two.
    pub notes: sqlx::types::Json<Vec<Note>>,
}

/// A sponsor note on a CoS.
#[derive(serde::Deserialize, Debug, Clone)]
pub struct Note {
    #[serde(with = "time::serde::rfc3339")]
    pub added_at: OffsetDateTime,
    pub added_by: String,
    pub note: String,
}

pub async fn by_number(pool: &PgPool, sponsor_id: i64, cos_number: &str) -> sqlx::Result<Option<Record>> {
    sqlx::query_as(
        "SELECT c.id, o.version AS owner_version, c.sponsor_id, o.owner_id, c.cos_number, c.status, c.status_date, c.date_assigned, c.expiry_date,
                r.name AS route, u.full_name AS owner_name, b.reference AS batch_reference,
                c.family_name, c.given_names, c.other_names, c.nationality, c.place_of_birth, c.country_of_birth,
                c.date_of_birth, c.gender, c.country_of_residence, c.passport_number, c.passport_issue_date,
                c.passport_expiry_date, c.passport_place_of_issue, c.home_address, c.ni_number, c.employee_number,
                c.work_start_date, c.work_end_date, c.weekly_hours::text AS weekly_hours,
                concat_ws(', ', c.work_address_line1, c.work_address_line2, c.work_address_line3,
                          c.work_address_town, c.work_address_county, c.work_address_postcode) AS work_address,
                c.other_work_addresses,
                c.job_title, c.soc_code, c.job_description, to_char(c.gross_salary, 'FM999,999,990.00') AS gross_salary,
                c.allowances, c.certify_maintenance,
                COALESCE((SELECT json_agg(json_build_object('added_at', n.added_at, 'added_by', nu.full_name, 'note', n.note)
                                          ORDER BY n.added_at)
                          FROM sponsor_notes n
                          JOIN users nu ON nu.sponsor_id = n.sponsor_id AND nu.id = n.added_by
                          WHERE n.sponsor_id = c.sponsor_id AND n.cos_id = c.id), '[]') AS notes
         FROM cos c
         JOIN routes r ON r.id = c.route_id
         JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id
         JOIN users u ON u.sponsor_id = o.sponsor_id AND u.id = o.owner_id
         LEFT JOIN batches b ON b.sponsor_id = c.sponsor_id AND b.id = c.batch_id
         WHERE c.sponsor_id = $1 AND c.cos_number = $2",
    )
    .bind(sponsor_id)
    .bind(cos_number)
    .fetch_optional(pool)
    .await
}

/// Each status the CoS has had: (status, when, who or what: a user's name or the actor kind).
/// The three histories take any executor: the history page reads them on one connection.
pub async fn status_history(db: impl sqlx::PgExecutor<'_>, sponsor_id: i64, cos_id: i64) -> sqlx::Result<Vec<(String, OffsetDateTime, String, Option<String>)>> {
    sqlx::query_as(
        "SELECT h.status, h.changed_at, h.actor_kind, u.full_name
         FROM cos_status_history h
         LEFT JOIN users u ON u.sponsor_id = h.sponsor_id AND u.id = h.actor_user_id
         WHERE h.sponsor_id = $1 AND h.cos_id = $2
         ORDER BY h.changed_at, h.id",
    )
    .bind(sponsor_id)
    .bind(cos_id)
    .fetch_all(db)
    .await
}

#[derive(FromRow, Debug, Clone)]
pub struct Transfer {
    pub from_name: String,
    pub to_name: String,
    pub by_name: String,
    pub transferred_at: OffsetDateTime,
    pub batch_reference: Option<String>,
}

pub async fn ownership_history(db: impl sqlx::PgExecutor<'_>, sponsor_id: i64, cos_id: i64) -> sqlx::Result<Vec<Transfer>> {
    sqlx::query_as(
        "SELECT f.full_name AS from_name, t.full_name AS to_name, b.full_name AS by_name, o.transferred_at,
                bt.reference AS batch_reference
         FROM ownership_history o
         JOIN users f ON f.sponsor_id = o.sponsor_id AND f.id = o.from_user_id
         JOIN users t ON t.sponsor_id = o.sponsor_id AND t.id = o.to_user_id
         JOIN users b ON b.sponsor_id = o.sponsor_id AND b.id = o.by_user_id
         LEFT JOIN batches bt ON bt.sponsor_id = o.sponsor_id AND bt.id = o.batch_id
         WHERE o.sponsor_id = $1 AND o.cos_id = $2
         ORDER BY o.transferred_at, o.id",
    )
    .bind(sponsor_id)
    .bind(cos_id)
    .fetch_all(db)
    .await
}

#[derive(FromRow, Debug, Clone)]
pub struct Activity {
    pub id: i64,
    pub activity_type: String,
    pub reported_at: OffsetDateTime,
    pub reported_by: String,
    pub details: String,
    /// Set for reports made in the product (not for the demo's loaded history).
    pub event_date: Option<Date>,
    pub due_date: Option<Date>,
    pub days_late: i32,
    /// What changed: label → value.
    pub changes: serde_json::Value,
}

pub async fn activity_history(db: impl sqlx::PgExecutor<'_>, sponsor_id: i64, cos_id: i64) -> sqlx::Result<Vec<Activity>> {
    sqlx::query_as(
        "SELECT a.id, t.name AS activity_type, a.reported_at, u.full_name AS reported_by, a.details,
                a.event_date, a.due_date, a.days_late, a.changes
         FROM activity_reports a
         JOIN activity_types t ON t.id = a.activity_type_id
         JOIN users u ON u.sponsor_id = a.sponsor_id AND u.id = a.reported_by
         WHERE a.sponsor_id = $1 AND a.cos_id = $2
         ORDER BY a.reported_at, a.id",
    )
    .bind(sponsor_id)
    .bind(cos_id)
    .fetch_all(db)
    .await
}

/// Moves a CoS to `to` if it is still owned by `from` at `owner_version`; writes the
/// ownership history row in the same transaction. Returns false (and changes nothing) when
/// someone got there first.
pub async fn transfer(
    tx: &mut sqlx::PgConnection,
    sponsor_id: i64,
    cos_id: i64,
    from: i64,
    to: i64,
    by: i64,
    owner_version: i32,
) -> sqlx::Result<bool> {
    let moved = sqlx::query(
        "UPDATE cos_owners SET owner_id = $4, version = version + 1
         WHERE sponsor_id = $1 AND cos_id = $2 AND owner_id = $3 AND version = $5",
    )
    .bind(sponsor_id)
    .bind(cos_id)
    .bind(from)
    .bind(to)
    .bind(owner_version)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if moved == 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO ownership_history (sponsor_id, cos_id, from_user_id, to_user_id, transferred_at, by_user_id)
         VALUES ($1, $2, $3, $4, now(), $5)",
    )
    .bind(sponsor_id)
    .bind(cos_id)
    .bind(from)
    .bind(to)
    .bind(by)
    .execute(&mut *tx)
    .await?;
    Ok(true)
}

/// The owner of a CoS now: (id, name, ownership version).
pub async fn owner_and_version(pool: &PgPool, sponsor_id: i64, cos_id: i64) -> sqlx::Result<(i64, String, i32)> {
    sqlx::query_as(
        "SELECT o.owner_id, u.full_name, o.version FROM cos_owners o
         JOIN users u ON u.sponsor_id = o.sponsor_id AND u.id = o.owner_id
         WHERE o.sponsor_id = $1 AND o.cos_id = $2",
    )
    .bind(sponsor_id)
    .bind(cos_id)
    .fetch_one(pool)
    .await
}

/// Records that a user printed a CoS (printing discloses personal data, so it is audited)
/// and returns the moment in UK time, as the PDF prints it.
pub async fn record_print(
    pool: &PgPool,
    sponsor_id: i64,
    user_id: i64,
    cos_id: i64,
    cos_number: &str,
) -> sqlx::Result<time::PrimitiveDateTime> {
    let mut tx = pool.begin().await?;
    // Print is a GET: a reload, a prefetch or a crawler may repeat it. One event per user,
    // CoS and minute keeps the log a record of printing, not of requests. The lock makes two
    // prints at once agree on which of them writes it.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('print_cos:' || $1::text || ':' || $2::text, 0))")
        .bind(user_id)
        .bind(cos_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO audit_log (sponsor_id, actor_kind, actor_user_id, action, entity, entity_id, details)
         SELECT $1, 'USER', $2, 'print_cos', 'cos', $3, jsonb_build_object('cos_number', $4::text)
         WHERE NOT EXISTS (
             SELECT 1 FROM audit_log
             WHERE sponsor_id = $1 AND at >= date_trunc('minute', now()) AND action = 'print_cos'
               AND actor_user_id = $2 AND entity_id = $3
         )",
    )
    .bind(sponsor_id)
    .bind(user_id)
    .bind(cos_id)
    .bind(cos_number)
    .execute(&mut *tx)
    .await?;
    let (at,): (time::PrimitiveDateTime,) =
        sqlx::query_as("SELECT now() AT TIME ZONE 'Europe/London'").fetch_one(&mut *tx).await?;
    tx.commit().await?;
    Ok(at)
}

/// `FROM cos c JOIN cos_owners o … WHERE …` for the CoS of a selection and their owner rows,
/// within the sponsor and the user's reach.
fn push_selection<'a>(
    qb: &mut sqlx::QueryBuilder<'a, sqlx::Postgres>,
    sponsor_id: i64,
    owner_only: Option<i64>,
    sel: &'a crate::domain::selection::Selection,
) {
    use super::advanced_search::push_where;
    use crate::domain::selection::Selection;
    qb.push(" FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id");
    match sel {
        Selection::AllMatching(s) => push_where(qb, sponsor_id, owner_only, s),
        Selection::Numbers(numbers) => {
            qb.push(" WHERE c.sponsor_id = ").push_bind(sponsor_id);
            if let Some(o) = owner_only {
                qb.push(" AND o.owner_id = ").push_bind(o);
            }
            qb.push(" AND c.cos_number = ANY(").push_bind(numbers.clone()).push(")");
        }
    }
}

/// How many CoS a selection holds now, and a digest of which ones at which versions (of the
/// CoS and of its ownership): shown with the transfer form and checked again under lock, so
/// a selection that changed in between is noticed instead of moved. A SHA-256 of the sorted
/// (id, versions) triples: two different states cannot share it, as sums of versions could.
pub async fn selection_state(
    conn: &mut PgConnection,
    sponsor_id: i64,
    owner_only: Option<i64>,
    sel: &crate::domain::selection::Selection,
    lock: bool,
) -> sqlx::Result<(i64, String)> {
    let mut qb = sqlx::QueryBuilder::new(
        "SELECT count(*), encode(sha256(convert_to(coalesce(string_agg(x.state, ',' ORDER BY x.id), ''), 'UTF8')), 'hex')
         FROM (SELECT c.id, c.id || ':' || c.version || ':' || o.version AS state",
    );
    push_selection(&mut qb, sponsor_id, owner_only, sel);
    if lock {
        // The owner rows are what moves; the CoS rows are held still so that their state
        // stays the one just checked. Locked in order of id, as every statement that locks
        // many CoS does, so that two of them cannot each wait for the other.
        qb.push(" ORDER BY c.id FOR UPDATE OF o FOR SHARE OF c");
    }
    qb.push(") x");
    qb.build_query_as().persistent(false).fetch_one(conn).await
}

/// Moves every CoS of the selection that `to` does not own yet, with an ownership-history
/// row each; set-based. Returns how many moved. Runs in the caller's transaction.
pub async fn transfer_selection(
    tx: &mut PgConnection,
    sponsor_id: i64,
    owner_only: Option<i64>,
    sel: &crate::domain::selection::Selection,
    to: i64,
    by: i64,
) -> sqlx::Result<u64> {
    let mut qb = sqlx::QueryBuilder::new("WITH old AS (SELECT c.id, o.owner_id");
    push_selection(&mut qb, sponsor_id, owner_only, sel);
    qb.push(" AND o.owner_id <> ").push_bind(to);
    // The selection's state was checked under lock; RETURNING records exactly what moved.
    qb.push("), moved AS (UPDATE cos_owners u SET owner_id = ").push_bind(to);
    qb.push(", version = u.version + 1 FROM old WHERE u.sponsor_id = ").push_bind(sponsor_id);
    qb.push(" AND u.cos_id = old.id AND u.owner_id = old.owner_id RETURNING u.cos_id AS id, old.owner_id)");
    qb.push(" INSERT INTO ownership_history (sponsor_id, cos_id, from_user_id, to_user_id, transferred_at, by_user_id) SELECT ")
        .push_bind(sponsor_id)
        .push(", moved.id, moved.owner_id, ")
        .push_bind(to)
        .push(", now(), ")
        .push_bind(by)
        .push(" FROM moved");
    Ok(qb.build().persistent(false).execute(tx).await?.rows_affected())
}

/// How many CoS of the selection `to` owns already (a repeated transfer finds them all).
pub async fn selection_owned_by(
    conn: &mut PgConnection,
    sponsor_id: i64,
    owner_only: Option<i64>,
    sel: &crate::domain::selection::Selection,
    to: i64,
) -> sqlx::Result<(i64, i64)> {
    let mut qb = sqlx::QueryBuilder::new("SELECT count(*), count(*) FILTER (WHERE o.owner_id = ");
    qb.push_bind(to).push(")");
    push_selection(&mut qb, sponsor_id, owner_only, sel);
    qb.build_query_as().persistent(false).fetch_one(conn).await
}

/// Locks a CoS against a change of status or owner until the transaction ends, if it is in
/// `status` and (`owner_only`) still that Level 2 user's. False when it is not.
pub async fn hold_in_status(tx: &mut PgConnection, sponsor_id: i64, cos_id: i64, owner_only: Option<i64>, status: &str) -> sqlx::Result<bool> {
    let held: Option<bool> = sqlx::query_scalar(
        "SELECT c.status = $4 FROM cos c
         WHERE c.sponsor_id = $1 AND c.id = $2
           AND ($3::bigint IS NULL OR EXISTS (
               SELECT 1 FROM cos_owners o WHERE o.sponsor_id = $1 AND o.cos_id = $2 AND o.owner_id = $3 FOR SHARE))
         FOR SHARE OF c",
    )
    .bind(sponsor_id)
    .bind(cos_id)
    .bind(owner_only)
    .bind(status)
    .fetch_optional(tx)
    .await?;
    Ok(held == Some(true))
}

/// Serialises, until the transaction ends, everyone who takes the same `key` (the same user
/// adding the same kind of thing to the same CoS): a double click is then seen by its twin.
pub async fn lock_key(tx: &mut PgConnection, key: &str) -> sqlx::Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))").bind(key).execute(tx).await?;
    Ok(())
}

/// The last transfer of a CoS: to whom and by whom (full names), for the live banner.
pub async fn latest_transfer(pool: &PgPool, sponsor_id: i64, cos_id: i64) -> sqlx::Result<Option<(String, String)>> {
    sqlx::query_as(
        "SELECT t.full_name, b.full_name FROM ownership_history h
         JOIN users t ON t.sponsor_id = h.sponsor_id AND t.id = h.to_user_id
         JOIN users b ON b.sponsor_id = h.sponsor_id AND b.id = h.by_user_id
         WHERE h.sponsor_id = $1 AND h.cos_id = $2 ORDER BY h.transferred_at DESC, h.id DESC LIMIT 1",
    )
    .bind(sponsor_id)
    .bind(cos_id)
    .fetch_optional(pool)
    .await
}

/// Who made the latest change of a kind to a CoS (`owner`: a transfer; `note`; `activity`;
/// else a change of status): a user's id, or None for the system and the Home Office.
pub async fn latest_actor(pool: &PgPool, sponsor_id: i64, cos_id: i64, kind: &str) -> sqlx::Result<Option<i64>> {
    let sql = match kind {
        "owner" => "SELECT by_user_id FROM ownership_history WHERE sponsor_id = $1 AND cos_id = $2 ORDER BY transferred_at DESC, id DESC LIMIT 1",
        "note" => "SELECT added_by FROM sponsor_notes WHERE sponsor_id = $1 AND cos_id = $2 ORDER BY added_at DESC, id DESC LIMIT 1",
        "activity" => "SELECT reported_by FROM activity_reports WHERE sponsor_id = $1 AND cos_id = $2 ORDER BY reported_at DESC, id DESC LIMIT 1",
        _ => "SELECT actor_user_id FROM cos_status_history WHERE sponsor_id = $1 AND cos_id = $2 ORDER BY changed_at DESC, id DESC LIMIT 1",
    };
    Ok(sqlx::query_scalar::<_, Option<i64>>(sql).bind(sponsor_id).bind(cos_id).fetch_optional(pool).await?.flatten())
}
