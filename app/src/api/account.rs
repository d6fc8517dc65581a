//! "Change your password", for every user, from the header; and the change a user signed in
//! with a temporary password must make before anything else (`server/src/middleware.rs`).

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const PATH: &str = "/change-password";

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordScreen {
    pub user_id: String,
    /// Signed in with a temporary password: this comes first.
    pub must_change: bool,
    /// What was wrong, by field (never the passwords typed).
    pub errors: Vec<(String, String)>,
    /// Just changed: "Your password has been changed".
    pub changed: bool,
}

#[cfg(feature = "ssr")]
mod ssr {
    pub const FLASH_KEY: &str = "password_form";

    #[derive(Default, serde::Serialize, serde::Deserialize)]
    pub struct Flash {
        pub errors: Vec<(String, String)>,
        pub changed: bool,
    }
}

#[server(endpoint = "account/password_form")]
pub async fn load_password_form() -> Result<PasswordScreen, AppError> {
    use crate::api::ssr::{actor_for, pool, session, session_user};
    let su = session_user().await?;
    let (_, user) = actor_for(&pool()?, su).await?;
    let flash = session().await?.remove::<ssr::Flash>(ssr::FLASH_KEY).await?.unwrap_or_default();
    Ok(PasswordScreen { user_id: user.user_id, must_change: su.must_change_password, errors: flash.errors, changed: flash.changed })
}

/// Changes the signed-in user's password: the current one checked (a wrong one counts
/// towards the sign-in lock), the new one by the rules of domain.md. Every other session of
/// the user ends; this one carries on under a new id.
#[server(endpoint = "account/change_password")]
pub async fn change_password(current_password: String, new_password: String, confirm_password: String) -> Result<(), AppError> {
    use crate::api::auth::ssr::{hash_blocking, too_common, verify_blocking};
    use crate::api::auth::{locked_message, LOCK_MINUTES, MAX_FAILED_ATTEMPTS};
    use crate::api::ssr::{actor_for, pool, redirect, session, session_user, USER_KEY};
    use crate::db::{self, audit};
    use crate::domain::account::{check_new_password, MAX_PASSWORD};

    let su = session_user().await?;
    let pool = pool()?;
    let (actor, user) = actor_for(&pool, su).await?;
    let session = session().await?;
    let back = |errors: Vec<(String, String)>| {
        let session = session.clone();
        async move {
            session.insert(ssr::FLASH_KEY, ssr::Flash { errors, changed: false }).await?;
            redirect(PATH);
            Ok(())
        }
    };
    let mut errors = Vec::new();
    if current_password.is_empty() {
        errors.push(("current_password".to_string(), "Enter your current password".to_string()));
    }
    errors.extend(check_new_password(&user.user_id, &new_password, &confirm_password));
    if errors.iter().all(|(f, _)| f != "new_password") {
        if new_password == current_password {
            errors.push(("new_password".into(), "Your new password must be different from your current one".into()));
        } else if too_common(&new_password, &[&user.user_id, &user.full_name, &user.sponsor_name]) {
            errors.push(("new_password".into(), "This password is too common or too easy to guess: try three or four unrelated words".into()));
        }
    }
    if !errors.is_empty() {
        return back(errors).await;
    }
    if current_password.len() > MAX_PASSWORD * 4 {
        return back(vec![("current_password".into(), "Your current password is incorrect".into())]).await;
    }

    // The current password, checked on no connection and in no transaction (Argon2 is slow).
    let Some(c) = db::users::credentials(&pool, &user.user_id).await? else { return Err(crate::api::ssr::sign_in_required()) };
    if let Some(until) = c.locked_until.filter(|u| *u > c.now) {
        let minutes = ((until - c.now).whole_seconds() + 59) / 60;
        return back(vec![("current_password".into(), locked_message(minutes))]).await;
    }
    let ok = match &c.password_hash {
        Some(h) => verify_blocking(&current_password, h).await,
        None => false,
    };
    let event = |action, details| audit::Event {
        sponsor_id: Some(actor.sponsor_id),
        actor_kind: "USER",
        actor_user_id: Some(actor.user_id),
        action,
        entity: Some("user"),
        entity_id: Some(actor.user_id),
        details,
    };
    if !ok {
        let mut tx = pool.begin().await?;
        db::acting_as(&mut tx, actor.user_id).await?;
        let locked = db::users::record_failure(&mut tx, actor.user_id, MAX_FAILED_ATTEMPTS, LOCK_MINUTES).await?;
        audit::record(&mut tx, event("password_change_failed", serde_json::json!({ "reason": "wrong current password" }))).await?;
        tx.commit().await?;
        let message = match locked {
            Some(_) => locked_message(LOCK_MINUTES as i64),
            None => "Your current password is incorrect".to_string(),
        };
        return back(vec![("current_password".into(), message)]).await;
    }
    let hash = hash_blocking(&new_password).await?;
    let mut tx = pool.begin().await?;
    db::acting_as(&mut tx, actor.user_id).await?;
    match db::users::password_for_update(&mut tx, actor.sponsor_id, actor.user_id).await? {
        // Changed (or the user deactivated) while this was hashing: start again.
        Some((now_hash, epoch)) if now_hash == c.password_hash && epoch == su.epoch => {}
        _ => {
            tx.rollback().await?;
            return back(vec![("current_password".into(), "Your password was changed meanwhile: enter your current password again".into())]).await;
        }
    }
    let epoch = db::users::set_password(&mut tx, actor.sponsor_id, actor.user_id, &hash).await?;
    db::users::record_success_without_sign_in(&mut tx, actor.user_id).await?;
    audit::record(&mut tx, event("password_changed", serde_json::json!({ "was_temporary": su.must_change_password }))).await?;
    tx.commit().await?;
    crate::api::ssr::forget_user(actor.sponsor_id, actor.user_id).await;
    // This session carries on, under the new epoch and a new id.
    let now = crate::api::ssr::SessionUser { epoch, must_change_password: false, ..su };
    session.cycle_id().await?;
    session.insert(USER_KEY, now).await?;
    session.insert(ssr::FLASH_KEY, ssr::Flash { errors: vec![], changed: true }).await?;
    redirect(PATH);
    Ok(())
}
