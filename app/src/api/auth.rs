//! Signing in and out, and who is signed in.
//!
//! Sign-in and sign-out are plain form posts handled by the server (`server/src/routes/auth.rs`)
//! so that they work before any WebAssembly arrives; the rules live here.

use crate::domain::Level;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The signed-in user as every screen shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub user_id: String,
    pub full_name: String,
    pub level: Level,
    pub is_authorising_officer: bool,
    pub is_key_contact: bool,
    pub sponsor_name: String,
    pub licence_number: String,
}

/// What the sign-in screen shows after a failed attempt or a sign-out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SignInNotice {
    /// The user id as typed, so the form keeps it.
    pub user_id: String,
    pub error: Option<String>,
    pub info: Option<String>,
}

/// Failed attempts before an account locks, and for how long.
pub const MAX_FAILED_ATTEMPTS: i32 = 5;
pub const LOCK_MINUTES: i32 = 20;

pub const INVALID_CREDENTIALS: &str = "The user ID or password is incorrect.";

pub fn locked_message(minutes_left: i64) -> String {
    let minutes_left = minutes_left.max(1);
    format!(
        "This account is locked for {LOCK_MINUTES} minutes after {MAX_FAILED_ATTEMPTS} failed attempts to sign in. \
         Try again in {minutes_left} minute{}.",
        if minutes_left == 1 { "" } else { "s" }
    )
}

#[server(endpoint = "me")]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    let Some(u) = ssr::signed_in().await? else {
        return Ok(None);
    };
    Ok(Some(Me {
        level: Level::from_db(u.level).ok_or_else(|| AppError::internal("user level", u.level))?,
        user_id: u.user_id,
        full_name: u.full_name,
        is_authorising_officer: u.is_authorising_officer,
        is_key_contact: u.is_key_contact,
        sponsor_name: u.sponsor_name,
        licence_number: u.licence_number,
    }))
}

/// Reads the notice left by the last sign-in attempt, once.
#[server(endpoint = "sign_in_notice")]
pub async fn take_sign_in_notice() -> Result<SignInNotice, AppError> {
    let session = ssr::session().await?;
    let notice = session
        .get::<SignInNotice>(ssr::NOTICE_KEY)
        .await
        ?;
    // Removed only when there is one: a removal always re-saves the session.
    if notice.is_some() {
        session.remove_value(ssr::NOTICE_KEY).await?;
    }
    Ok(notice.unwrap_or_default())
}

#[cfg(feature = "ssr")]
pub mod ssr {
    pub use crate::api::ssr::*;
    use crate::db::{self, audit};
    use crate::error::AppError;
    use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
    use argon2::Argon2;
    use std::sync::OnceLock;

    pub const NOTICE_KEY: &str = "sign_in_notice";

    pub enum Outcome {
        SignedIn(SessionUser),
        Invalid,
        Locked { minutes_left: i64 },
    }

    pub fn hash_password(password: &str) -> String {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .expect("argon2 hashing cannot fail with default parameters")
            .to_string()
    }

    fn verify(password: &str, hash: &str) -> bool {
        PasswordHash::new(hash)
            .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
            .unwrap_or(false)
    }

    /// A hash to check against when the user id is unknown, so both cases take as long.
    fn decoy_hash() -> &'static str {
        static DECOY: OnceLock<String> = OnceLock::new();
        DECOY.get_or_init(|| hash_password("decoy password that nobody has"))
    }

    /// Runs Argon2 work on a blocking thread, at most one per core at a time: it is slow on
    /// purpose, and a burst of sign-ins must queue here, not take every core (or hold a
    /// database connection) while it waits.
    async fn hashing<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        static HASHING: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let _permit = HASHING.get_or_init(|| tokio::sync::Semaphore::new(cores)).acquire().await.ok()?;
        tokio::task::spawn_blocking(work).await.ok()
    }

    /// Checks a password against its hash (`hashing`).
    pub async fn verify_blocking(password: &str, hash: &str) -> bool {
        let (p, h) = (password.to_owned(), hash.to_owned());
        hashing(move || verify(&p, &h)).await.unwrap_or(false)
    }

    /// Hashes a password (`hashing`).
    pub async fn hash_blocking(password: &str) -> Result<String, AppError> {
        let p = password.to_owned();
        hashing(move || hash_password(&p)).await.ok_or_else(|| AppError::internal("hashing", "the hashing task stopped"))
    }

    /// A temporary password: 16 characters from an alphabet without look-alikes (no 0/O,
    /// 1/l/I), about 93 bits from the operating system's CSPRNG via `rand`'s thread generator.
    pub fn temporary_password() -> String {
        use rand::seq::IndexedRandom;
        const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        let mut rng = rand::rng();
        (0..16).map(|_| *ALPHABET.choose(&mut rng).expect("not empty") as char).collect()
    }

    /// Whether a password is among the common ones, or as easy to guess (zxcvbn's estimate:
    /// a million guesses or fewer). `also` are words the user's own details make guessable.
    pub fn too_common(password: &str, also: &[&str]) -> bool {
        (zxcvbn::zxcvbn(password, also).score() as u8) <= 1
    }

    fn minutes_until(until: time::OffsetDateTime, now: time::OffsetDateTime) -> i64 {
        ((until - now).whole_seconds() + 59) / 60
    }

    /// Checks a user id and password. The password is checked first, on no connection and in
    /// no transaction; the outcome is then counted under the user's row lock, so parallel
    /// attempts cannot exceed the limit. An unknown user id and a wrong password look alike,
    /// and so do their locks: failures under an unknown id are counted and locked the same.
    pub async fn sign_in(pool: &db::PgPool, user_id: &str, password: &str) -> Result<Outcome, AppError> {
        let user_id = user_id.trim().to_lowercase();
        let Some(c) = db::users::credentials(pool, &user_id).await? else {
            return unknown_user(pool, &user_id, password).await;
        };
        if let Some(until) = c.locked_until.filter(|u| *u > c.now) {
            return Ok(Outcome::Locked { minutes_left: minutes_until(until, c.now) });
        }
        let ok = match (&c.password_hash, c.active) {
            (Some(h), true) => verify_blocking(password, h).await,
            _ => {
                verify_blocking(password, decoy_hash()).await;
                false
            }
        };
        let checked_hash = c.password_hash;
        let mut tx = pool.begin().await?;
        let Some(c) = db::users::credentials_for_update(&mut tx, &user_id).await? else {
            return Ok(Outcome::Invalid);
        };
        // A parallel attempt may have locked the account while this one was hashing.
        if let Some(until) = c.locked_until.filter(|u| *u > c.now) {
            tx.commit().await?;
            return Ok(Outcome::Locked { minutes_left: minutes_until(until, c.now) });
        }
        let event = |action, details| audit::Event {
            sponsor_id: Some(c.sponsor_id),
            actor_kind: "USER",
            actor_user_id: Some(c.id),
            action,
            entity: Some("user"),
            entity_id: Some(c.id),
            details,
        };
        // Only if the password checked is still the user's: one changed (or an account made
        // inactive) while this attempt was hashing does not let the old one in.
        if ok && c.active && c.password_hash == checked_hash {
            db::users::record_success(&mut tx, c.id).await?;
            audit::record(&mut tx, event("sign_in", serde_json::json!({}))).await?;
            tx.commit().await?;
            return Ok(Outcome::SignedIn(SessionUser {
                id: c.id,
                sponsor_id: c.sponsor_id,
                level: Some(c.level),
                signed_in_at: Some(c.now.unix_timestamp()),
                epoch: c.session_epoch,
                must_change_password: c.must_change_password,
            }));
        }
        let locked = db::users::record_failure(
            &mut tx,
            c.id,
            super::MAX_FAILED_ATTEMPTS,
            super::LOCK_MINUTES,
        )
        .await?;
        let action = if locked.is_some() { "account_locked" } else { "sign_in_failed" };
        audit::record(&mut tx, event(action, serde_json::json!({ "reason": "wrong password" }))).await?;
        tx.commit().await?;
        Ok(match locked {
            Some(_) => Outcome::Locked { minutes_left: super::LOCK_MINUTES as i64 },
            None => Outcome::Invalid,
        })
    }

    /// A user id that names nobody: the same work and the same answers as a wrong password,
    /// and the same lock after as many attempts. Only the first failure of a run is audited.
    async fn unknown_user(pool: &db::PgPool, user_id: &str, password: &str) -> Result<Outcome, AppError> {
        if let Some((until, now)) = db::users::unknown_locked_until(pool, user_id).await? {
            return Ok(Outcome::Locked { minutes_left: minutes_until(until, now) });
        }
        verify_blocking(password, decoy_hash()).await;
        let mut tx = pool.begin().await?;
        let counted =
            db::users::record_unknown_failure(&mut tx, user_id, super::MAX_FAILED_ATTEMPTS, super::LOCK_MINUTES).await?;
        let outcome = match counted {
            db::users::UnknownFailure::AlreadyLocked { until, now } => Outcome::Locked { minutes_left: minutes_until(until, now) },
            db::users::UnknownFailure::Counted { first, locked } => {
                if first {
                    audit::record(&mut tx, audit::Event {
                        sponsor_id: None,
                        actor_kind: "ANONYMOUS",
                        actor_user_id: None,
                        action: "sign_in_failed",
                        entity: None,
                        entity_id: None,
                        details: serde_json::json!({ "reason": "unknown user id" }),
                    })
                    .await?;
                }
                if locked { Outcome::Locked { minutes_left: super::LOCK_MINUTES as i64 } } else { Outcome::Invalid }
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }
}
