//! Advanced search over every CoS of a sponsor: one page at a time by keyset (so page 1,000
//! costs what page 1 does), the count of matches, and every match streamed for the CSV export.
//! The statement is built with only the filters given, so each combination gets its own plan.

use crate::domain::advanced_search::{AdvancedSearch, Cursor, Direction, Sort};
use sqlx::{FromRow, PgPool, Postgres, QueryBuilder};
use std::future::Future;
use time::{Date, OffsetDateTime};

#[derive(FromRow, Debug, Clone)]
pub struct Hit {
    pub id: i64,
    pub cos_number: String,
    pub family_name: Option<String>,
    pub given_names: Option<String>,
    pub route: String,
    pub status: String,
    pub status_date: OffsetDateTime,
    pub owner_name: String,
    pub date_assigned: Option<Date>,
    pub expiry_date: Option<Date>,
    /// The sort key as text, for the cursor of the next or previous page.
    pub sort_key: String,
}

/// A row of the CSV export: what the list shows, and the CoS's reports of migrant activity
/// (how many, and the latest: its type, the day it was reported, the date of the event).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ExportRow {
    #[sqlx(flatten)]
    pub hit: Hit,
    pub activity_reports: i64,
    pub latest_activity: Option<String>,
    pub latest_reported_on: Option<Date>,
    pub latest_event_date: Option<Date>,
}

/// The latest report of CoS `c` and how many it has, as `la`: one index probe per CoS.
const JOIN_LATEST_REPORT: &str = " LEFT JOIN LATERAL (
        SELECT t.name, (a.reported_at AT TIME ZONE 'Europe/London')::date AS reported_on, a.event_date, count(*) OVER () AS n
        FROM activity_reports a JOIN activity_types t ON t.id = a.activity_type_id
        WHERE a.sponsor_id = c.sponsor_id AND a.cos_id = c.id
        ORDER BY a.reported_at DESC, a.id DESC LIMIT 1) la ON true";

/// A listed CoS's columns, its route and owner names read by one small subquery each: the
/// rows are chosen from `cos` alone, and only the chosen ones look their names up. As joins,
/// the planner could pair every match with every user before the limit (the list), or read
/// all of a sponsor's owners for each export chunk (for the largest sponsor, 30-35 ms a chunk
/// alone and 300-660 ms under `make load`, against about 20 ms alone this way).
const ROW_COLUMNS: &str = "SELECT c.id, c.cos_number, c.family_name, c.given_names,
        (SELECT r.name FROM routes r WHERE r.id = c.route_id) AS route, c.status, c.status_date,
        (SELECT u.full_name FROM cos_owners o JOIN users u ON u.sponsor_id = o.sponsor_id AND u.id = o.owner_id
         WHERE o.sponsor_id = c.sponsor_id AND o.cos_id = c.id) AS owner_name,
        c.date_assigned, c.expiry_date, ";

fn sort_key(sort: Sort) -> &'static str {
    match sort {
        Sort::StatusDate => "to_char(c.status_date AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
        Sort::CosNumber => "c.cos_number",
        Sort::Name => "sms_fold(coalesce(c.family_name, '')) || E'\\t' || sms_fold(coalesce(c.given_names, ''))",
    }
}

/// `FROM cos c WHERE …`: the matches alone.
pub(crate) fn push_from_cos_where(qb: &mut QueryBuilder<'_, Postgres>, sponsor_id: i64, owner_only: Option<i64>, s: &AdvancedSearch) {
    qb.push(" FROM cos c");
    push_where(qb, sponsor_id, owner_only, s);
}

/// ` AND` the CoS `c` is owned by `owner`: a semi-join, so the planner may start from either
/// side (the owner's few CoS, or the sort order until a page is full).
fn push_owned_by(qb: &mut QueryBuilder<'_, Postgres>, owner: i64) {
    qb.push(" AND EXISTS (SELECT 1 FROM cos_owners w WHERE w.sponsor_id = c.sponsor_id AND w.cos_id = c.id AND w.owner_id = ")
        .push_bind(owner)
        .push(")");
}

/// The one owner a search is limited to, from the Level 2 limit and the owner filter;
/// `Err` when they name different users, so that nothing can match.
fn wanted_owner(owner_only: Option<i64>, s: &AdvancedSearch) -> Result<Option<i64>, ()> {
    match (owner_only, s.owner) {
        (Some(a), Some(b)) if a != b => Err(()),
        (a, b) => Ok(a.or(b)),
    }
}

pub(crate) fn push_where(qb: &mut QueryBuilder<'_, Postgres>, sponsor_id: i64, owner_only: Option<i64>, s: &AdvancedSearch) {
    qb.push(" WHERE c.sponsor_id = ");
    qb.push_bind(sponsor_id);
    match wanted_owner(owner_only, s) {
        Err(()) => {
            qb.push(" AND false");
        }
        Ok(Some(o)) => push_owned_by(qb, o),
        Ok(None) => {}
    }
    let b = &s.basic;
    if let Some(n) = &b.cos_number {
        qb.push(" AND c.cos_number = ").push_bind(n.clone());
    }
    if let Some(f) = &b.family_name {
        qb.push(" AND sms_fold(c.family_name) LIKE sms_fold_prefix(").push_bind(f.clone()).push(")");
    }
    if let Some(g) = &b.given_name {
        qb.push(" AND sms_fold(c.given_names) LIKE sms_fold_prefix(").push_bind(g.clone()).push(")");
    }
    if let Some(d) = b.date_of_birth {
        qb.push(" AND c.date_of_birth = ").push_bind(d);
    }
    if let Some(n) = &b.nationality {
        qb.push(" AND sms_fold(c.nationality) = sms_fold(").push_bind(n.clone()).push(")");
    }
    if let Some(p) = &b.passport_number {
        qb.push(" AND upper(replace(c.passport_number, ' ', '')) = ").push_bind(p.clone());
    }
    if let Some(r) = s.route {
        qb.push(" AND c.route_id = ").push_bind(r);
    }
    if !s.statuses.is_empty() {
        let statuses: Vec<String> = s.statuses.iter().map(|s| s.as_str().to_string()).collect();
        qb.push(" AND c.status = ANY(").push_bind(statuses).push(")");
    }
    // Dates are UK days: from the start of `from` to the end of `to`, in UK time.
    if let Some(f) = s.changed_from {
        qb.push(" AND c.status_date >= (").push_bind(f).push("::date)::timestamp AT TIME ZONE 'Europe/London'");
    }
    if let Some(t) = s.changed_to {
        qb.push(" AND c.status_date < (").push_bind(t).push("::date + 1)::timestamp AT TIME ZONE 'Europe/London'");
    }
    if let Some(a) = s.activity {
        qb.push(" AND EXISTS (SELECT 1 FROM activity_reports a WHERE a.sponsor_id = c.sponsor_id AND a.cos_id = c.id AND a.activity_type_id = ")
            .push_bind(a)
            .push(")");
    }
}

/// `ORDER BY` for the sort, reversed when reading backwards.
fn push_order(qb: &mut QueryBuilder<'_, Postgres>, sort: Sort, backwards: bool) {
    let (asc, desc) = if backwards { ("DESC", "ASC") } else { ("ASC", "DESC") };
    match sort {
        Sort::StatusDate => qb.push(format!(" ORDER BY c.status_date {desc}, c.id {desc}")),
        Sort::CosNumber => qb.push(format!(" ORDER BY c.cos_number {asc}")),
        Sort::Name => qb.push(format!(
            " ORDER BY sms_fold(coalesce(c.family_name, '')) {asc}, sms_fold(coalesce(c.given_names, '')) {asc}, c.id {asc}"
        )),
    };
}

/// Rows strictly beyond the cursor in the reading direction.
fn push_cursor(qb: &mut QueryBuilder<'_, Postgres>, sort: Sort, dir: Direction, c: &Cursor) {
    // In list order, "after" means further down the list.
    let down = dir == Direction::After;
    match sort {
        Sort::StatusDate => {
            let op = if down { "<" } else { ">" };
            qb.push(format!(" AND (c.status_date, c.id) {op} (")).push_bind(c.key.clone()).push("::timestamptz, ").push_bind(c.id).push(")");
        }
        Sort::CosNumber => {
            let op = if down { ">" } else { "<" };
            qb.push(format!(" AND c.cos_number {op} ")).push_bind(c.key.clone());
        }
        Sort::Name => {
            let op = if down { ">" } else { "<" };
            let (family, given) = c.key.split_once('\t').unwrap_or((c.key.as_str(), ""));
            qb.push(format!(" AND (sms_fold(coalesce(c.family_name, '')), sms_fold(coalesce(c.given_names, '')), c.id) {op} ("))
                .push_bind(family.to_string())
                .push(", ")
                .push_bind(given.to_string())
                .push(", ")
                .push_bind(c.id)
                .push(")");
        }
    }
}

/// One page in list order, and whether there is more beyond it in the direction read.
pub async fn page(db: impl sqlx::PgExecutor<'_>, sponsor_id: i64, owner_only: Option<i64>, s: &AdvancedSearch) -> sqlx::Result<(Vec<Hit>, bool)> {
    let backwards = matches!(s.cursor, Some((Direction::Before, _)));
    let mut qb = page_query("", sponsor_id, owner_only, s, 0);
    // Not kept as a prepared statement: each combination of filters and sponsor size is
    // planned with its own values (a generic plan chose a join a hundred times slower).
    let mut rows: Vec<Hit> = qb.build_query_as().persistent(false).fetch_all(db).await?;
    let more = rows.len() > s.per_page as usize;
    rows.truncate(s.per_page as usize);
    if backwards {
        rows.reverse();
    }
    Ok((rows, more))
}

/// Page `number` (from 1) by position: the basic search numbers its pages ("Page 2 of 7"). Its
/// searches are narrow (a name, a date of birth, a number), so skipping rows stays cheap.
pub async fn numbered_page(db: impl sqlx::PgExecutor<'_>, sponsor_id: i64, owner_only: Option<i64>, s: &AdvancedSearch, number: u32) -> sqlx::Result<Vec<Hit>> {
    let offset = (number.max(1) as i64 - 1) * s.per_page as i64;
    let mut rows: Vec<Hit> = page_query("", sponsor_id, owner_only, s, offset).build_query_as().persistent(false).fetch_all(db).await?;
    rows.truncate(s.per_page as usize);
    Ok(rows)
}

/// The page is chosen from `cos` alone (`ROW_COLUMNS`); weighing joins there took longer
/// than running the whole query.
fn page_query<'a>(prefix: &str, sponsor_id: i64, owner_only: Option<i64>, s: &AdvancedSearch, offset: i64) -> QueryBuilder<'a, Postgres> {
    let backwards = matches!(s.cursor, Some((Direction::Before, _)));
    let mut qb = QueryBuilder::new(format!("{prefix}{ROW_COLUMNS}"));
    qb.push(sort_key(s.sort)).push(" AS sort_key");
    push_from_cos_where(&mut qb, sponsor_id, owner_only, s);
    if let Some((dir, c)) = &s.cursor {
        push_cursor(&mut qb, s.sort, *dir, c);
    }
    push_order(&mut qb, s.sort, backwards);
    qb.push(" LIMIT ").push_bind(s.per_page as i64 + 1);
    if offset > 0 {
        qb.push(" OFFSET ").push_bind(offset);
    }
    qb
}

/// The plan Postgres chooses for a page (for `make bench`, which prints it).
pub async fn explain_page(pool: &PgPool, sponsor_id: i64, owner_only: Option<i64>, s: &AdvancedSearch) -> sqlx::Result<Vec<String>> {
    page_query("EXPLAIN ", sponsor_id, owner_only, s, 0).build_query_scalar().persistent(false).fetch_all(pool).await
}

/// The plan of the count as `count_and_level` runs it (for `make bench`).
pub async fn explain_count(pool: &PgPool, sponsor_id: i64, owner_only: Option<i64>, s: &AdvancedSearch, user: i64) -> sqlx::Result<Vec<String>> {
    count_query("EXPLAIN ", sponsor_id, owner_only, s, Some(user)).build_query_scalar().persistent(false).fetch_all(pool).await
}

/// How many CoS match.
pub async fn count(db: impl sqlx::PgExecutor<'_>, sponsor_id: i64, owner_only: Option<i64>, s: &AdvancedSearch) -> sqlx::Result<i64> {
    count_query("", sponsor_id, owner_only, s, None).build_query_scalar().persistent(false).fetch_one(db).await
}

/// How many CoS match, and the level of the sponsor's user `user` read in the same statement:
/// None when that user is gone or inactive. A search checks who is asking without a round
/// trip (and a connection) of its own.
pub async fn count_and_level(
    db: impl sqlx::PgExecutor<'_>,
    sponsor_id: i64,
    owner_only: Option<i64>,
    s: &AdvancedSearch,
    user: i64,
) -> sqlx::Result<(i64, Option<i16>)> {
    count_query("", sponsor_id, owner_only, s, Some(user)).build_query_as().persistent(false).fetch_one(db).await
}

fn count_query<'a>(prefix: &str, sponsor_id: i64, owner_only: Option<i64>, s: &AdvancedSearch, user: Option<i64>) -> QueryBuilder<'a, Postgres> {
    let mut qb = QueryBuilder::new(prefix);
    qb.push("SELECT count(*)");
    if let Some(u) = user {
        // Read once, before the count (an uncorrelated subquery is an InitPlan).
        qb.push(", (SELECT level FROM users WHERE sponsor_id = ").push_bind(sponsor_id);
        qb.push(" AND id = ").push_bind(u).push(" AND active)");
    }
    match wanted_owner(owner_only, s) {
        // All of one user's CoS (where a Level 2 user's lists start): every CoS has exactly
        // one owner row (cos_has_owner), so the owner's rows are the count, read from one
        // index rather than matched against every CoS of the sponsor.
        Ok(Some(o)) if s.filters_only_owner() => {
            qb.push(" FROM cos_owners WHERE sponsor_id = ").push_bind(sponsor_id);
            qb.push(" AND owner_id = ").push_bind(o);
        }
        _ => push_from_cos_where(&mut qb, sponsor_id, owner_only, s),
    }
    qb
}

/// How many rows the export reads per statement. A chunk is read whole, then the connection
/// goes back to the pool while the rows are sent, however slowly the client takes them.
pub const EXPORT_CHUNK: i64 = 1000;

/// Every match in list order, for the export: read in chunks of `EXPORT_CHUNK`, each after
/// the last row of the one before (the list's own keyset order, which ends in the CoS id, so
/// no row is skipped or repeated unless its sort key changes meanwhile). Each chunk takes a
/// connection for one statement only. (The same columns and filters as the list, plus each
/// CoS's latest activity report.) `each` returns false to stop (the download was abandoned).
pub async fn for_each_match<F, Fut>(
    pool: &PgPool,
    sponsor_id: i64,
    owner_only: Option<i64>,
    s: &AdvancedSearch,
    mut each: F,
) -> sqlx::Result<()>
where
    F: FnMut(ExportRow) -> Fut,
    Fut: Future<Output = bool>,
{
    let mut after: Option<Cursor> = None;
    loop {
        let mut qb = QueryBuilder::new(ROW_COLUMNS);
        qb.push(sort_key(s.sort)).push(
            " AS sort_key, coalesce(la.n, 0) AS activity_reports, la.name AS latest_activity,
              la.reported_on AS latest_reported_on, la.event_date AS latest_event_date",
        );
        qb.push(" FROM cos c").push(JOIN_LATEST_REPORT);
        push_where(&mut qb, sponsor_id, owner_only, s);
        if let Some(c) = &after {
            push_cursor(&mut qb, s.sort, Direction::After, c);
        }
        push_order(&mut qb, s.sort, false);
        qb.push(" LIMIT ").push_bind(EXPORT_CHUNK);
        let rows: Vec<ExportRow> = qb.build_query_as().persistent(false).fetch_all(pool).await?;
        let last_chunk = (rows.len() as i64) < EXPORT_CHUNK;
        after = rows.last().map(|r| Cursor { key: r.hit.sort_key.clone(), id: r.hit.id });
        for row in rows {
            if !each(row).await {
                return Ok(());
            }
        }
        if last_chunk {
            return Ok(());
        }
    }
}

/// The choices of the form's drop-downs, (id, name): routes and activity types. Written by the
/// migrations and seldom changed after, so each app reads them once and keeps them until the
/// database announces a change to either (`server/src/changes.rs`, migration 000020); checking
/// a route or activity in a search then costs no round trip. A `ReferenceLists::default()`
/// made for one call keeps nothing beyond it.
#[derive(Clone, Default)]
pub struct ReferenceLists(std::sync::Arc<std::sync::RwLock<Lists>>);

#[derive(Default)]
struct Lists {
    routes: Option<Vec<(i16, String)>>,
    activity_types: Option<Vec<(i16, String)>>,
    /// Moved on by every change heard: a read that began before one is not kept.
    generation: u64,
}

impl ReferenceLists {
    pub fn forget(&self) {
        let mut lists = self.0.write().unwrap_or_else(|e| e.into_inner());
        *lists = Lists { generation: lists.generation + 1, ..Lists::default() };
    }

    async fn read(
        &self,
        pool: &PgPool,
        sql: &'static str,
        slot: fn(&mut Lists) -> &mut Option<Vec<(i16, String)>>,
    ) -> sqlx::Result<Vec<(i16, String)>> {
        let generation = {
            let mut lists = self.0.write().unwrap_or_else(|e| e.into_inner());
            if let Some(kept) = slot(&mut lists) {
                return Ok(kept.clone());
            }
            lists.generation
        };
        let read: Vec<(i16, String)> = sqlx::query_as(sql).fetch_all(pool).await?;
        let mut lists = self.0.write().unwrap_or_else(|e| e.into_inner());
        if lists.generation == generation {
            *slot(&mut lists) = Some(read.clone());
        }
        Ok(read)
    }
}

pub async fn routes(pool: &PgPool, lists: &ReferenceLists) -> sqlx::Result<Vec<(i16, String)>> {
    lists.read(pool, "SELECT id, name FROM routes ORDER BY name", |l| &mut l.routes).await
}

pub async fn activity_types(pool: &PgPool, lists: &ReferenceLists) -> sqlx::Result<Vec<(i16, String)>> {
    lists.read(pool, "SELECT id, name FROM activity_types ORDER BY name", |l| &mut l.activity_types).await
}
