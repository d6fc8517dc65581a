//! Server functions, one file per area. Each is thin: the current user from the session →
//! a domain rule → the database → a DTO.

pub mod account;
pub mod advanced_search;
pub mod attention;
pub mod auth;
pub mod batches;
pub mod cos;
pub mod create;
pub mod notes;
pub mod report;
pub mod transfer;
pub mod users;
pub mod withdraw;
pub mod work_addresses;

#[cfg(feature = "ssr")]
pub mod ssr {
    //! What every server function needs: the pool, the session, the signed-in user.

    use crate::db;
    use crate::domain::{permissions, Level};
    use crate::error::AppError;
    use leptos::prelude::*;
    use serde::{Deserialize, Serialize};
    use tower_sessions::Session;

    /// The session key holding the signed-in user.
    pub const USER_KEY: &str = "user";

    /// What the session remembers of the signed-in user; everything else is read afresh.
    #[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
    pub struct SessionUser {
        pub id: i64,
        pub sponsor_id: i64,
        /// The level at sign-in: only a guess, which lets a search start while the user is
        /// read afresh (see `advanced_search`). Absent in sessions from before it was kept.
        #[serde(default)]
        pub level: Option<i16>,
        /// When the user signed in (Unix seconds): a session ends this long after, however
        /// busy (`server/src/middleware.rs`). A session without it is from before and ends.
        #[serde(default)]
        pub signed_in_at: Option<i64>,
        /// The user's session epoch at sign-in: the session is good while it is still theirs
        /// (`db::users::signed_in_user`); deactivation and a password change move it on.
        #[serde(default)]
        pub epoch: i32,
        /// Signed in with a temporary password: nothing but "Change your password" until a
        /// new one is chosen (`server/src/middleware.rs`).
        #[serde(default)]
        pub must_change_password: bool,
    }

    /// The pool, or "busy" at once when another part of this request found it busy.
    #[track_caller]
    pub fn pool() -> Result<db::PgPool, AppError> {
        let at = std::panic::Location::caller();
        if use_context::<RequestBusy>().is_some_and(|b| b.0.load(std::sync::atomic::Ordering::Relaxed)) {
            return Err(crate::error::busy());
        }
        use_context::<db::PgPool>().ok_or_else(|| AppError::internal("context", format!("no database pool at {at}")))
    }

    /// Set once a part of this request found the database busy (`crate::error::busy`). A page reads
    /// its parts one after another (`crate::data`): the rest of it then says "busy" at once,
    /// rather than each part waiting out the pool's acquire timeout in turn. Made afresh for
    /// every request (the app's context).
    #[derive(Clone, Default)]
    pub struct RequestBusy(std::sync::Arc<std::sync::atomic::AtomicBool>);

    /// Marks this request as having found the database busy (`RequestBusy`); by way of
    /// `crate::error::busy`, which also sets the 503.
    pub(crate) fn found_busy() {
        if let Some(b) = use_context::<RequestBusy>() {
            b.0.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Who belongs to which sponsor, as far as this app has seen (`db::users::KnownUsers`).
    #[track_caller]
    pub fn known_users() -> Result<db::users::KnownUsers, AppError> {
        let at = std::panic::Location::caller();
        use_context::<db::users::KnownUsers>()
            .ok_or_else(|| AppError::internal("context", format!("no known users at {at}")))
    }

    /// The app's drop-down lists (`db::advanced_search::ReferenceLists`); outside a page or
    /// server function (an export), lists that are read afresh.
    pub fn reference_lists() -> db::advanced_search::ReferenceLists {
        use_context::<db::advanced_search::ReferenceLists>().unwrap_or_default()
    }

    pub async fn session() -> Result<Session, AppError> {
        leptos_axum::extract::<Session>()
            .await
            .map_err(|e| AppError::internal("session", e))
    }

    /// The signed-in user, checked on every call (against the database, or what the change
    /// notifications keep true: `db::users::SignedInUsers`) so that a user made inactive loses
    /// access at once.
    pub async fn signed_in() -> Result<Option<db::users::UserWithSponsor>, AppError> {
        let session = session().await?;
        let Some(su) = session
            .get::<SessionUser>(USER_KEY)
            .await
            ?
        else {
            return Ok(None);
        };
        let user = user_of(&pool()?, su).await?;
        if user.is_none() {
            end_session(&session).await;
        }
        Ok(user)
    }

    /// The signed-in user as read once in this request. A page asks for it twice at once (its
    /// header and its screen, as two resources): the second waits for the first's read rather
    /// than reading again. Made afresh for every request (the app's context), so every request
    /// still checks the user.
    #[derive(Clone, Default)]
    pub struct RequestUser(std::sync::Arc<tokio::sync::OnceCell<(SessionUser, Option<db::users::UserWithSponsor>)>>);

    /// The user `su` names, read afresh: once per request where the request has a
    /// `RequestUser`, and again if the session's user is not the one read (a sign-in).
    async fn user_of(pool: &db::PgPool, su: SessionUser) -> Result<Option<db::users::UserWithSponsor>, AppError> {
        let remembered = use_context::<db::users::SignedInUsers>();
        let read = || async {
            match &remembered {
                Some(known) => known.signed_in_user(pool, su.sponsor_id, su.id, su.epoch).await,
                None => db::users::signed_in_user(pool, su.sponsor_id, su.id, su.epoch).await,
            }
        };
        let Some(RequestUser(once)) = use_context::<RequestUser>() else {
            return Ok(read().await?);
        };
        let (read_for, user) = once.get_or_try_init(|| async { Ok::<_, sqlx::Error>((su, read().await?)) }).await?;
        if *read_for == su {
            Ok(user.clone())
        } else {
            Ok(read().await?)
        }
    }

    /// After a change to a user (deactivated, a new password): this server forgets them at
    /// once, before the change notification that tells every server arrives.
    pub async fn forget_user(sponsor_id: i64, id: i64) {
        if let Some(known) = use_context::<db::users::SignedInUsers>() {
            known.forget(sponsor_id, &[id]).await;
        }
    }

    /// Ends a session whose user was deactivated or changed their password elsewhere: its
    /// next page goes to sign in.
    pub async fn end_session(session: &Session) {
        let _ = session.flush().await;
    }

    /// The CoS `number` of the signed-in user's sponsor when `allowed` lets the user at it.
    /// Otherwise "not found", whether it is missing, another sponsor's or out of reach: no
    /// hint that it exists.
    pub async fn reachable_cos(
        number: &str,
        allowed: fn(&permissions::Actor, &permissions::Owned) -> bool,
    ) -> Result<(permissions::Actor, db::PgPool, db::cos::Record), AppError> {
        let (actor, _) = actor().await?;
        let pool = pool()?;
        let c = find_reachable_cos(&pool, &actor, number, allowed).await?;
        Ok((actor, pool, c))
    }

    /// `reachable_cos` for a known actor: also used by the plain routes (the PDF).
    pub async fn find_reachable_cos(
        pool: &db::PgPool,
        actor: &permissions::Actor,
        number: &str,
        allowed: fn(&permissions::Actor, &permissions::Owned) -> bool,
    ) -> Result<db::cos::Record, AppError> {
        let not_found = || not_found(format!("CoS {}", number.trim()));
        let number = crate::domain::CosNumber::parse(number).map_err(|_| not_found())?;
        let c = db::cos::by_number(pool, actor.sponsor_id, number.as_str()).await?.ok_or_else(not_found)?;
        if !allowed(actor, &permissions::Owned { sponsor_id: c.sponsor_id, owner_id: c.owner_id }) {
            return Err(not_found());
        }
        Ok(c)
    }

    /// Sends the browser on to `path` after a server function or a page. Built from request
    /// text, a path may hold bytes a header cannot: they are percent-encoded, never a panic.
    pub fn redirect(path: &str) {
        leptos_axum::redirect(&crate::domain::paths::header_safe(path));
    }

    /// Whether the request is a plain HTML form post (a page before its WebAssembly has
    /// arrived), to be answered with the next page; a call from the browser's code (a
    /// dialog) asks for data instead, and must not be sent anywhere.
    pub fn plain_form() -> bool {
        use_context::<axum::http::request::Parts>()
            .and_then(|p| p.headers.get(axum::http::header::ACCEPT).and_then(|v| v.to_str().ok()).map(|v| v.contains("text/html")))
            .unwrap_or(false)
    }

    /// `redirect`, for a plain form post only (`plain_form`).
    pub fn redirect_form(path: &str) {
        if plain_form() {
            redirect(path);
        }
    }

    /// "Sign in required", and a 401 for the response when there is one.
    pub fn sign_in_required() -> AppError {
        crate::error::set_status(401);
        AppError::SignInRequired
    }

    /// "Not found", and a 404 for the response when there is one (a forged server-function
    /// call is answered as a missing page would be).
    pub fn not_found(what: String) -> AppError {
        crate::error::set_status(404);
        AppError::NotFound(what)
    }

    /// The signed-in user as a permissions actor, or "sign in required".
    pub async fn actor() -> Result<(permissions::Actor, db::users::UserWithSponsor), AppError> {
        let found = actor_for(&pool()?, session_user().await?).await;
        if matches!(found, Err(AppError::SignInRequired)) {
            end_session(&session().await?).await;
        }
        found
    }

    /// Who the session says is signed in (not yet checked against the database).
    pub async fn session_user() -> Result<SessionUser, AppError> {
        session()
            .await?
            .get::<SessionUser>(USER_KEY)
            .await
            ?
            .ok_or_else(sign_in_required)
    }

    /// The user a session names, read afresh (an inactive user is signed out at once).
    pub async fn actor_for(
        pool: &db::PgPool,
        su: SessionUser,
    ) -> Result<(permissions::Actor, db::users::UserWithSponsor), AppError> {
        let user = user_of(pool, su).await?.ok_or_else(sign_in_required)?;
        let level = Level::from_db(user.level)
            .ok_or_else(|| AppError::internal("user level", user.level))?;
        Ok((
            permissions::Actor { user_id: user.id, sponsor_id: user.sponsor_id, level },
            user,
        ))
    }
}
