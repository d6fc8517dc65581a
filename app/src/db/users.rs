//! Users: signing in, and the signed-in user's own facts.

use sqlx::{FromRow, PgConnection, PgPool};
use time::OffsetDateTime;

/// What sign-in needs: read once without a lock to check the password (slowly, on no
/// connection), then again under the row lock to count the outcome.
#[derive(FromRow, Debug)]
pub struct Credentials {
    pub id: i64,
    pub sponsor_id: i64,
    pub level: i16,
    pub password_hash: Option<String>,
    pub active: bool,
    pub failed_attempts: i32,
    pub locked_until: Option<OffsetDateTime>,
    pub now: OffsetDateTime,
}

const CREDENTIALS: &str =
    "SELECT id, sponsor_id, level, password_hash, active, failed_attempts, locked_until, now() AS now FROM users WHERE user_id = $1";

pub async fn credentials(pool: &PgPool, user_id: &str) -> sqlx::Result<Option<Credentials>> {
    sqlx::query_as(CREDENTIALS).bind(user_id).fetch_optional(pool).await
}

pub async fn credentials_for_update(
    conn: &mut PgConnection,
    user_id: &str,
) -> sqlx::Result<Option<Credentials>> {
    sqlx::query_as(&format!("{CREDENTIALS} FOR UPDATE")).bind(user_id).fetch_optional(conn).await
}

/// When a user ID that names nobody is locked until, if it is now (`sign_in_failures`).
pub async fn unknown_locked_until(pool: &PgPool, user_id: &str) -> sqlx::Result<Option<(OffsetDateTime, OffsetDateTime)>> {
    sqlx::query_as("SELECT locked_until, now() FROM sign_in_failures WHERE user_id = $1 AND locked_until > now()")
        .bind(user_id)
        .fetch_optional(pool)
        .await
}

/// What counting one more failure under an unknown user ID did.
pub enum UnknownFailure {
    /// It was locked already (by a parallel attempt): not counted.
    AlreadyLocked { until: OffsetDateTime, now: OffsetDateTime },
    /// Counted; `first` when it starts a new run of failures, `locked` when it locked the ID.
    Counted { first: bool, locked: bool },
}

/// Counts a failure under a user ID that names nobody, as `record_failure` does for a user,
/// under the row's lock so parallel attempts count right.
pub async fn record_unknown_failure(
    conn: &mut PgConnection,
    user_id: &str,
    limit: i32,
    lock_minutes: i32,
) -> sqlx::Result<UnknownFailure> {
    sqlx::query("INSERT INTO sign_in_failures (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    let (failed, locked_until, now): (i32, Option<OffsetDateTime>, OffsetDateTime) =
        sqlx::query_as("SELECT failed_attempts, locked_until, now() FROM sign_in_failures WHERE user_id = $1 FOR UPDATE")
            .bind(user_id)
            .fetch_one(&mut *conn)
            .await?;
    if let Some(until) = locked_until.filter(|u| *u > now) {
        return Ok(UnknownFailure::AlreadyLocked { until, now });
    }
    let locked = failed + 1 >= limit;
    sqlx::query(
        "UPDATE sign_in_failures SET
             failed_attempts = CASE WHEN $2 THEN 0 ELSE failed_attempts + 1 END,
             locked_until = CASE WHEN $2 THEN now() + make_interval(mins => $3) ELSE locked_until END,
             last_failed_at = now()
         WHERE user_id = $1",
    )
    .bind(user_id)
    .bind(locked)
    .bind(lock_minutes)
    .execute(&mut *conn)
    .await?;
    Ok(UnknownFailure::Counted { first: failed == 0, locked })
}

/// Forgets failures under unknown user IDs a day after the last one (and after any lock).
pub async fn forget_old_unknown_failures(pool: &PgPool) -> sqlx::Result<u64> {
    Ok(sqlx::query(
        "DELETE FROM sign_in_failures WHERE last_failed_at < now() - interval '1 day'
           AND (locked_until IS NULL OR locked_until < now())",
    )
    .execute(pool)
    .await?
    .rows_affected())
}

pub async fn record_success(conn: &mut PgConnection, id: i64) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE users SET failed_attempts = 0, locked_until = NULL, last_signed_in_at = now()
         WHERE id = $1",
    )
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Counts a failure; at `limit` failures the account locks for `lock_minutes` and the count
/// starts again. Returns the lock's end when this failure locked the account.
pub async fn record_failure(
    conn: &mut PgConnection,
    id: i64,
    limit: i32,
    lock_minutes: i32,
) -> sqlx::Result<Option<OffsetDateTime>> {
    let (locked_until,): (Option<OffsetDateTime>,) = sqlx::query_as(
        "UPDATE users SET
             failed_attempts = CASE WHEN failed_attempts + 1 >= $2 THEN 0 ELSE failed_attempts + 1 END,
             locked_until = CASE WHEN failed_attempts + 1 >= $2
                                 THEN now() + make_interval(mins => $3) ELSE locked_until END
         WHERE id = $1
         RETURNING CASE WHEN failed_attempts = 0 THEN locked_until END",
    )
    .bind(id)
    .bind(limit)
    .bind(lock_minutes)
    .fetch_one(conn)
    .await?;
    Ok(locked_until)
}

/// The signed-in user with their sponsor, or None when the user is gone or inactive.
#[derive(FromRow, Debug, Clone)]
pub struct UserWithSponsor {
    pub id: i64,
    pub sponsor_id: i64,
    pub user_id: String,
    pub full_name: String,
    pub level: i16,
    pub is_authorising_officer: bool,
    pub is_key_contact: bool,
    pub sponsor_name: String,
    pub licence_number: String,
}

pub async fn signed_in_user(
    pool: &PgPool,
    sponsor_id: i64,
    id: i64,
) -> sqlx::Result<Option<UserWithSponsor>> {
    sqlx::query_as(
        "SELECT u.id, u.sponsor_id, u.user_id, u.full_name, u.level,
                u.is_authorising_officer, u.is_key_contact,
                s.name AS sponsor_name, s.licence_number
         FROM users u JOIN sponsors s ON s.id = u.sponsor_id
         WHERE u.sponsor_id = $1 AND u.id = $2 AND u.active",
    )
    .bind(sponsor_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// The sponsor's active users, by name.
pub async fn active_users(pool: &PgPool, sponsor_id: i64) -> sqlx::Result<Vec<(i64, String, String)>> {
    sqlx::query_as(
        "SELECT id, full_name, user_id FROM users WHERE sponsor_id = $1 AND active ORDER BY full_name, user_id",
    )
    .bind(sponsor_id)
    .fetch_all(pool)
    .await
}

/// Which users belong to which sponsor, remembered once read. A user never moves to another
/// sponsor and is never deleted (the database refuses both: migration 000008), so a
/// remembered "yes" stays true. A "no" is not remembered: the user may be added later.
/// One per running app, as it holds facts about one database.
#[derive(Clone)]
pub struct KnownUsers(moka::future::Cache<(i64, i64), ()>);

impl Default for KnownUsers {
    fn default() -> Self {
        Self(moka::future::Cache::new(100_000))
    }
}

/// Whether `id` is a user (active or not) of the sponsor. Asks the database only the first
/// time the answer is yes.
pub async fn is_user_of(pool: &PgPool, known: &KnownUsers, sponsor_id: i64, id: i64) -> sqlx::Result<bool> {
    if known.0.contains_key(&(sponsor_id, id)) {
        return Ok(true);
    }
    let yes = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE sponsor_id = $1 AND id = $2)")
        .bind(sponsor_id)
        .bind(id)
        .fetch_one(pool)
        .await?;
    if yes {
        known.0.insert((sponsor_id, id), ()).await;
    }
    Ok(yes)
}

/// Every user of the sponsor, active or not (a CoS may still be owned by a former user).
pub async fn all_users(pool: &PgPool, sponsor_id: i64) -> sqlx::Result<Vec<(i64, String, String)>> {
    sqlx::query_as("SELECT id, full_name, user_id FROM users WHERE sponsor_id = $1 ORDER BY full_name, user_id")
        .bind(sponsor_id)
        .fetch_all(pool)
        .await
}
