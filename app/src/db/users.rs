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
    pub session_epoch: i32,
    pub must_change_password: bool,
    pub now: OffsetDateTime,
}

const CREDENTIALS: &str = "SELECT id, sponsor_id, level, password_hash, active, failed_attempts, locked_until,
        session_epoch, must_change_password, now() AS now FROM users WHERE user_id = $1";

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

/// The user a session names, if that session is still good: the user is active and the
/// session is of their current epoch (deactivation and a password change move it on).
pub async fn signed_in_user(
    pool: &PgPool,
    sponsor_id: i64,
    id: i64,
    epoch: i32,
) -> sqlx::Result<Option<UserWithSponsor>> {
    sqlx::query_as(
        "SELECT u.id, u.sponsor_id, u.user_id, u.full_name, u.level,
                u.is_authorising_officer, u.is_key_contact,
                s.name AS sponsor_name, s.licence_number
         FROM users u JOIN sponsors s ON s.id = u.sponsor_id
         WHERE u.sponsor_id = $1 AND u.id = $2 AND u.active AND u.session_epoch = $3",
    )
    .bind(sponsor_id)
    .bind(id)
    .bind(epoch)
    .fetch_optional(pool)
    .await
}

/// Signed-in users as last read, so a page need not read its user again: kept true by the
/// change notifications (`server/src/changes.rs` drops a user on every change to them, from any
/// server), and trusted only while they are being heard. Until the listener is connected, and
/// from the moment it loses its connection until it has it back (when everything is dropped),
/// every read goes to the database. One per running app.
#[derive(Clone)]
pub struct SignedInUsers(std::sync::Arc<SignedInInner>);

struct SignedInInner {
    /// (sponsor, user) → the session epoch it was read for, and the user.
    users: moka::future::Cache<(i64, i64), (i32, UserWithSponsor)>,
    /// Moved on by every change heard: a read that began before one is not kept, as it may
    /// be the copy that change made stale.
    generation: std::sync::atomic::AtomicU64,
    hearing: std::sync::atomic::AtomicBool,
}

impl Default for SignedInUsers {
    fn default() -> Self {
        Self(std::sync::Arc::new(SignedInInner {
            users: moka::future::Cache::new(100_000),
            generation: Default::default(),
            hearing: Default::default(),
        }))
    }
}

impl SignedInUsers {
    /// The change notifications are heard (again): start from nothing.
    pub fn hearing(&self) {
        self.forget_all();
        self.0.hearing.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// The change notifications are not heard: nothing remembered may be trusted.
    pub fn deaf(&self) {
        self.0.hearing.store(false, std::sync::atomic::Ordering::SeqCst);
        self.forget_all();
    }

    pub fn forget_all(&self) {
        self.0.generation.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.0.users.invalidate_all();
    }

    pub async fn forget(&self, sponsor_id: i64, ids: &[i64]) {
        self.0.generation.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        for id in ids {
            self.0.users.invalidate(&(sponsor_id, *id)).await;
        }
    }

    /// `signed_in_user`, from memory when it is known to be current.
    pub async fn signed_in_user(
        &self,
        pool: &PgPool,
        sponsor_id: i64,
        id: i64,
        epoch: i32,
    ) -> sqlx::Result<Option<UserWithSponsor>> {
        use std::sync::atomic::Ordering::SeqCst;
        let k = &self.0;
        if k.hearing.load(SeqCst) {
            if let Some((e, user)) = k.users.get(&(sponsor_id, id)).await {
                if e == epoch {
                    return Ok(Some(user));
                }
            }
        }
        let before = k.generation.load(SeqCst);
        let user = signed_in_user(pool, sponsor_id, id, epoch).await?;
        if let Some(u) = &user {
            if k.hearing.load(SeqCst) && k.generation.load(SeqCst) == before {
                k.users.insert((sponsor_id, id), (epoch, u.clone())).await;
            }
        }
        Ok(user)
    }
}

/// The sponsor's active users, by name.
pub async fn active_users(db: impl sqlx::PgExecutor<'_>, sponsor_id: i64) -> sqlx::Result<Vec<(i64, String, String)>> {
    sqlx::query_as(
        "SELECT id, full_name, user_id FROM users WHERE sponsor_id = $1 AND active ORDER BY full_name, user_id",
    )
    .bind(sponsor_id)
    .fetch_all(db)
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

/// A user as "Manage users" lists them.
#[derive(FromRow, Debug, Clone)]
pub struct Listed {
    pub id: i64,
    pub user_id: String,
    pub full_name: String,
    pub email: Option<String>,
    pub level: i16,
    pub is_authorising_officer: bool,
    pub is_key_contact: bool,
    pub active: bool,
    /// In UK time.
    pub last_signed_in: Option<time::PrimitiveDateTime>,
    pub cos_owned: i64,
}

const LISTED: &str = "SELECT u.id, u.user_id, u.full_name, u.email, u.level, u.is_authorising_officer, u.is_key_contact,
        u.active, (u.last_signed_in_at AT TIME ZONE 'Europe/London') AS last_signed_in,
        (SELECT count(*) FROM cos_owners o WHERE o.sponsor_id = u.sponsor_id AND o.owner_id = u.id) AS cos_owned
     FROM users u WHERE u.sponsor_id = $1";

/// The sponsor's users, active ones first, by name.
pub async fn list(pool: &PgPool, sponsor_id: i64) -> sqlx::Result<Vec<Listed>> {
    sqlx::query_as(&format!("{LISTED} ORDER BY u.active DESC, u.full_name, u.user_id")).bind(sponsor_id).fetch_all(pool).await
}

/// One of the sponsor's users, by the ID they sign in with.
pub async fn by_user_id(pool: &PgPool, sponsor_id: i64, user_id: &str) -> sqlx::Result<Option<Listed>> {
    sqlx::query_as(&format!("{LISTED} AND u.user_id = $2")).bind(sponsor_id).bind(user_id).fetch_optional(pool).await
}

/// Whether a user ID is taken, by anyone of any sponsor.
pub async fn user_id_taken(conn: &mut PgConnection, user_id: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE user_id = $1)").bind(user_id).fetch_one(conn).await
}

/// A new user with a temporary password they must change at first sign-in. None when the
/// user ID was taken meanwhile (the unique index decides, not an earlier look).
#[allow(clippy::too_many_arguments)]
pub async fn insert(
    conn: &mut PgConnection,
    sponsor_id: i64,
    user_id: &str,
    full_name: &str,
    email: &str,
    level: i16,
    password_hash: &str,
    created_by: Option<i64>,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "INSERT INTO users (sponsor_id, user_id, full_name, email, level, password_hash, must_change_password, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, true, $7)
         ON CONFLICT (user_id) DO NOTHING RETURNING id",
    )
    .bind(sponsor_id)
    .bind(user_id)
    .bind(full_name)
    .bind(email)
    .bind(level)
    .bind(password_hash)
    .bind(created_by)
    .fetch_optional(conn)
    .await
}

/// Locks the sponsor's users in id order (one order for everyone: no deadlocks), so that
/// "never the last active Level 1 user" holds when two are deactivated at once. Returns
/// (id, level, active) of each.
pub async fn lock_all(conn: &mut PgConnection, sponsor_id: i64) -> sqlx::Result<Vec<(i64, i16, bool)>> {
    sqlx::query_as("SELECT id, level, active FROM users WHERE sponsor_id = $1 ORDER BY id FOR UPDATE")
        .bind(sponsor_id)
        .fetch_all(conn)
        .await
}

/// Makes a user inactive and ends their sessions (a new epoch). False if already inactive.
pub async fn deactivate(conn: &mut PgConnection, sponsor_id: i64, id: i64) -> sqlx::Result<bool> {
    Ok(sqlx::query(
        "UPDATE users SET active = false, deactivated_at = now(), session_epoch = session_epoch + 1
         WHERE sponsor_id = $1 AND id = $2 AND active",
    )
    .bind(sponsor_id)
    .bind(id)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Makes a user active again with a new temporary password to change at first sign-in, and
/// no lock left from before. False if already active.
pub async fn reactivate(conn: &mut PgConnection, sponsor_id: i64, id: i64, password_hash: &str) -> sqlx::Result<bool> {
    Ok(sqlx::query(
        "UPDATE users SET active = true, deactivated_at = NULL, password_hash = $3, must_change_password = true,
                failed_attempts = 0, locked_until = NULL, session_epoch = session_epoch + 1
         WHERE sponsor_id = $1 AND id = $2 AND NOT active",
    )
    .bind(sponsor_id)
    .bind(id)
    .bind(password_hash)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// The user's password hash and epoch, under the row lock (a password change).
pub async fn password_for_update(conn: &mut PgConnection, sponsor_id: i64, id: i64) -> sqlx::Result<Option<(Option<String>, i32)>> {
    sqlx::query_as("SELECT password_hash, session_epoch FROM users WHERE sponsor_id = $1 AND id = $2 AND active FOR UPDATE")
        .bind(sponsor_id)
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Sets the user's own new password and moves their epoch on (every other session ends);
/// returns the new epoch, for the session that made the change.
pub async fn set_password(conn: &mut PgConnection, sponsor_id: i64, id: i64, password_hash: &str) -> sqlx::Result<i32> {
    sqlx::query_scalar(
        "UPDATE users SET password_hash = $3, must_change_password = false, session_epoch = session_epoch + 1
         WHERE sponsor_id = $1 AND id = $2 RETURNING session_epoch",
    )
    .bind(sponsor_id)
    .bind(id)
    .bind(password_hash)
    .fetch_one(conn)
    .await
}

/// Clears the count of failed attempts (the right current password was given).
pub async fn record_success_without_sign_in(conn: &mut PgConnection, id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET failed_attempts = 0 WHERE id = $1").bind(id).execute(conn).await?;
    Ok(())
}
