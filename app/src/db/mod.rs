//! Every SQL statement of the product, as plain async functions taking a pool or a
//! transaction. Nothing else writes SQL. Server only.

pub mod advanced_search;
pub mod attention;
pub mod audit;
pub mod batches;
pub mod cos;
pub mod drafts;
pub mod notes;
pub mod reports;
pub mod status_changes;
pub mod users;
pub mod work_addresses;

pub use sqlx::PgPool;

/// Every statement is bounded by the pool's `statement_timeout` (`STATEMENT_TIMEOUT`: an
/// interactive page never waits on a runaway query; the export reads in chunks that each fit
/// it). The few that may rightly run longer — a transfer of a whole batch or selection, the
/// expiry job — say so inside their own transaction, and only there (`SET LOCAL` ends with it).
pub const STATEMENT_TIMEOUT: &str = "5s";
pub const LONG_STATEMENT_TIMEOUT: &str = "2min";

pub async fn allow_long_statements(tx: &mut sqlx::PgConnection) -> sqlx::Result<()> {
    sqlx::query(&format!("SET LOCAL statement_timeout = '{LONG_STATEMENT_TIMEOUT}'")).execute(tx).await.map(|_| ())
}

/// Names the user whose changes this transaction makes. The change notifications it sends
/// carry them (`by`, migration 000017), so that a user's own screens do not tell them of
/// their own change as news (`server/src/live.rs`). Ends with the transaction.
pub async fn acting_as(tx: &mut sqlx::PgConnection, user_id: i64) -> sqlx::Result<()> {
    sqlx::query("SELECT set_config('sms.actor', $1, true)").bind(user_id.to_string()).execute(tx).await.map(|_| ())
}

/// A read-only transaction on one connection, all of whose statements see one snapshot: a
/// screen read in several parts holds one pooled connection, never waits for a second, and
/// its parts agree with each other (a count with its page, a total with its list).
pub async fn snapshot(pool: &PgPool) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Postgres>> {
    pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").await
}

/// Runs `attempt`, one whole transaction, a second time if it lost a deadlock or a
/// serialization race (which rolled it back, so nothing was half done). None when it lost
/// twice: the screen then says the CoS changed meanwhile, as for any change made meanwhile.
/// Every statement that locks many CoS takes them in order of id, so this should be rare.
pub async fn retry_once<T, F, Fut>(mut attempt: F) -> sqlx::Result<Option<T>>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = sqlx::Result<T>>,
{
    for _ in 0..2 {
        match attempt().await {
            Err(e) if crate::error::is_contention(&e) => tracing::info!("crossed another change: {e}"),
            r => return r.map(Some),
        }
    }
    Ok(None)
}

/// The migrations of the product, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");
