//! Workers → "Manage users" (SMS guide 1, the parts this product needs): a Level 1 user lists
//! the sponsor's users, creates Level 2 users, deactivates and reactivates them. A Level 2
//! user gets "not found" on all of it. Plain form posts; a refused form leaves what was typed
//! and why in the session for the form to show once, and a temporary password waits there to
//! be shown once.

use crate::domain::account::NewUser;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const START: &str = "/manage-users";

/// A user as the list and the user's screen show them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    /// The database id: what an advanced search of their CoS names as the owner.
    pub id: i64,
    pub user_id: String,
    pub full_name: String,
    pub email: String,
    pub level: String,
    /// "Authorising officer", "Key contact", both, or empty.
    pub roles: String,
    pub active: bool,
    /// "Never", or the UK date and time.
    pub last_signed_in: String,
    pub cos_owned: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersScreen {
    pub users: Vec<UserRow>,
}

/// One user's screen: who they are, and what may be done.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserScreen {
    pub user: UserRow,
    /// Why they cannot be deactivated (yourself, the last Level 1 user), if so.
    pub refusal: Option<String>,
}

/// The "Create a Level 2 user" form, with what was typed and what was wrong, once.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewUserScreen {
    pub typed: NewUser,
    pub errors: Vec<(String, String)>,
}

/// A temporary password to show once: a user created, or reactivated.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Created {
    pub user_id: String,
    pub full_name: String,
    pub password: String,
    pub reactivated: bool,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::*;
    use crate::db;
    use crate::domain::{dates::uk_date, permissions};

    pub const FORM_KEY: &str = "new_user_form";
    pub const CREATED_KEY: &str = "user_created";

    /// The signed-in user, when they may manage users; "not found" otherwise.
    pub async fn manager() -> Result<(permissions::Actor, db::PgPool), AppError> {
        let (actor, _) = crate::api::ssr::actor().await?;
        if !permissions::can_manage_users(&actor) {
            return Err(crate::api::ssr::not_found("Manage users".into()));
        }
        Ok((actor, crate::api::ssr::pool()?))
    }

    pub fn row(u: db::users::Listed) -> UserRow {
        let roles = [(u.is_authorising_officer, "Authorising officer"), (u.is_key_contact, "Key contact")]
            .into_iter()
            .filter_map(|(yes, r)| yes.then_some(r))
            .collect::<Vec<_>>()
            .join(", ");
        UserRow {
            id: u.id,
            level: crate::domain::Level::from_db(u.level).map(|l| l.label().to_string()).unwrap_or_default(),
            roles,
            active: u.active,
            last_signed_in: u
                .last_signed_in
                .map(|t| format!("{} at {:02}:{:02}", uk_date(t.date()), t.hour(), t.minute()))
                .unwrap_or_else(|| "Never".into()),
            cos_owned: u.cos_owned,
            email: u.email.unwrap_or_default(),
            user_id: u.user_id,
            full_name: u.full_name,
        }
    }

    /// One of the sponsor's users by user ID, or "not found".
    pub async fn target(pool: &db::PgPool, actor: &permissions::Actor, user_id: &str) -> Result<db::users::Listed, AppError> {
        let id = user_id.trim().to_lowercase();
        let not_found = || crate::api::ssr::not_found("This user".into());
        // Not a user ID at all (a NUL, a path): no one to look for.
        crate::domain::account::check_user_id(&id).map_err(|_| not_found())?;
        db::users::by_user_id(pool, actor.sponsor_id, &id).await?.ok_or_else(not_found)
    }

    pub async fn keep_created(created: Created) -> Result<(), AppError> {
        let session = crate::api::ssr::session().await?;
        session.insert(CREATED_KEY, created).await.map_err(AppError::from)
    }

    pub async fn audit(tx: &mut sqlx::PgConnection, actor: &permissions::Actor, action: &'static str, id: i64, details: serde_json::Value) -> Result<(), AppError> {
        Ok(db::audit::record(tx, db::audit::Event {
            sponsor_id: Some(actor.sponsor_id),
            actor_kind: "USER",
            actor_user_id: Some(actor.user_id),
            action,
            entity: Some("user"),
            entity_id: Some(id),
            details,
        })
        .await?)
    }
}

#[server(endpoint = "users/list")]
pub async fn load_users() -> Result<UsersScreen, AppError> {
    let (actor, pool) = ssr::manager().await?;
    let users = crate::db::users::list(&pool, actor.sponsor_id).await?.into_iter().map(ssr::row).collect();
    Ok(UsersScreen { users })
}

#[server(endpoint = "users/user")]
pub async fn load_user(user_id: String) -> Result<UserScreen, AppError> {
    use crate::domain::account::deactivation_refusal;
    let (actor, pool) = ssr::manager().await?;
    let u = ssr::target(&pool, &actor, &user_id).await?;
    let active_level1 = crate::db::users::list(&pool, actor.sponsor_id).await?.iter().filter(|u| u.active && u.level == 1).count();
    let refusal = u.active.then(|| deactivation_refusal(u.id == actor.user_id, u.level == 1, active_level1)).flatten().map(str::to_string);
    Ok(UserScreen { user: ssr::row(u), refusal })
}

#[server(endpoint = "users/new_form")]
pub async fn load_new_user_form() -> Result<NewUserScreen, AppError> {
    ssr::manager().await?;
    let session = crate::api::ssr::session().await?;
    let kept = session.remove::<NewUserScreen>(ssr::FORM_KEY).await?;
    Ok(kept.unwrap_or_default())
}

/// Creates a Level 2 user with a temporary password, then "User created" shows it once.
#[server(endpoint = "users/create")]
pub async fn create_user(full_name: String, email: String, user_id: String) -> Result<(), AppError> {
    use crate::api::auth::ssr::{hash_blocking, temporary_password};
    use crate::api::ssr::{redirect, session};
    use crate::db;
    use crate::domain::account::check_new_user;

    let (actor, pool) = ssr::manager().await?;
    let typed = NewUser { full_name, email, user_id };
    let session = session().await?;
    let back = |errors: Vec<(String, String)>| {
        let session = session.clone();
        let typed = typed.clone();
        async move {
            let screen = NewUserScreen { typed, errors };
            session.insert(ssr::FORM_KEY, screen).await?;
            redirect(&format!("{START}/new"));
            Ok(())
        }
    };
    let u = match check_new_user(&typed) {
        Ok(u) => u,
        Err(errors) => return back(errors).await,
    };
    let taken = vec![("user_id".to_string(), "This user ID is taken: choose another".to_string())];
    // A second click of Create finds its user made by the first: show the password again.
    let pending = session.get::<Created>(ssr::CREATED_KEY).await?;
    if pending.is_some_and(|c| c.user_id == u.user_id && !c.reactivated) {
        redirect(&format!("{START}/created"));
        return Ok(());
    }
    if db::users::user_id_taken(&mut *pool.acquire().await?, &u.user_id).await? {
        return back(taken).await;
    }
    let password = temporary_password();
    let hash = hash_blocking(&password).await?;
    let mut tx = pool.begin().await?;
    db::acting_as(&mut tx, actor.user_id).await?;
    let Some(id) = db::users::insert(&mut tx, actor.sponsor_id, &u.user_id, &u.full_name, &u.email, 2, &hash, Some(actor.user_id)).await? else {
        tx.rollback().await?;
        return back(taken).await;
    };
    ssr::audit(&mut tx, &actor, "user_created", id, serde_json::json!({ "user_id": u.user_id, "level": 2 })).await?;
    tx.commit().await?;
    ssr::keep_created(Created { user_id: u.user_id, full_name: u.full_name, password, reactivated: false }).await?;
    redirect(&format!("{START}/created"));
    Ok(())
}

/// The temporary password just made, once: read, it is gone from the session.
#[server(endpoint = "users/created")]
pub async fn take_created() -> Result<Option<Created>, AppError> {
    ssr::manager().await?;
    let session = crate::api::ssr::session().await?;
    session.remove::<Created>(ssr::CREATED_KEY).await.map_err(AppError::from)
}

/// Deactivates a user: their sessions end at once and they cannot sign in; their CoS stay
/// theirs. Never yourself, never the last active Level 1 user.
#[server(endpoint = "users/deactivate")]
pub async fn deactivate_user(user_id: String) -> Result<(), AppError> {
    use crate::api::ssr::redirect;
    use crate::db;
    use crate::domain::account::deactivation_refusal;

    let (actor, pool) = ssr::manager().await?;
    let u = ssr::target(&pool, &actor, &user_id).await?;
    let mut tx = pool.begin().await?;
    db::acting_as(&mut tx, actor.user_id).await?;
    // Every user of the sponsor locked, in one order: two Level 1 users deactivating each
    // other at once cannot both succeed.
    let all = db::users::lock_all(&mut tx, actor.sponsor_id).await?;
    // The one deactivating may have been deactivated meanwhile (by the one they target).
    if !all.iter().any(|(id, level, active)| *id == actor.user_id && *level == 1 && *active) {
        tx.rollback().await?;
        return Err(AppError::Forbidden("You can no longer manage users.".into()));
    }
    let active_level1 = all.iter().filter(|(_, level, active)| *active && *level == 1).count();
    if let Some(why) = deactivation_refusal(u.id == actor.user_id, u.level == 1, active_level1) {
        tx.rollback().await?;
        return Err(AppError::Forbidden(why.into()));
    }
    if db::users::deactivate(&mut tx, actor.sponsor_id, u.id).await? {
        ssr::audit(&mut tx, &actor, "user_deactivated", u.id, serde_json::json!({ "user_id": u.user_id, "cos_owned": u.cos_owned })).await?;
        tx.commit().await?;
        crate::api::ssr::forget_user(actor.sponsor_id, u.id).await;
    } else {
        tx.rollback().await?;
    }
    redirect(&format!("{START}/user/{}?done=deactivated", u.user_id));
    Ok(())
}

/// Reactivates a user with a new temporary password, shown once.
#[server(endpoint = "users/reactivate")]
pub async fn reactivate_user(user_id: String) -> Result<(), AppError> {
    use crate::api::auth::ssr::{hash_blocking, temporary_password};
    use crate::api::ssr::redirect;
    use crate::db;

    let (actor, pool) = ssr::manager().await?;
    let u = ssr::target(&pool, &actor, &user_id).await?;
    if u.active {
        redirect(&format!("{START}/user/{}", u.user_id));
        return Ok(());
    }
    let password = temporary_password();
    let hash = hash_blocking(&password).await?;
    let mut tx = pool.begin().await?;
    db::acting_as(&mut tx, actor.user_id).await?;
    if !db::users::reactivate(&mut tx, actor.sponsor_id, u.id, &hash).await? {
        // Reactivated by someone else meanwhile (or a second click): their password stands.
        tx.rollback().await?;
        redirect(&format!("{START}/user/{}", u.user_id));
        return Ok(());
    }
    ssr::audit(&mut tx, &actor, "user_reactivated", u.id, serde_json::json!({ "user_id": u.user_id })).await?;
    tx.commit().await?;
    crate::api::ssr::forget_user(actor.sponsor_id, u.id).await;
    ssr::keep_created(Created { user_id: u.user_id, full_name: u.full_name, password, reactivated: true }).await?;
    redirect(&format!("{START}/created"));
    Ok(())
}
