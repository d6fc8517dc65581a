//! "Transfer a single CoS" to another user of the same sponsor.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the Transfer screen needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferForm {
    pub cos_number: String,
    pub status: String,
    pub owner: String,
    /// The CoS's ownership version shown: the transfer is refused if it has moved since.
    pub version: i32,
    /// (id, "Name (user id)") of the sponsor's other active users.
    pub users: Vec<(i64, String)>,
}

#[server(endpoint = "cos/transfer_form")]
pub async fn load_transfer_form(cos_number: String) -> Result<TransferForm, AppError> {
    use crate::api::ssr::reachable_cos;
    use crate::db;
    use crate::domain::permissions;

    let (actor, pool, c) = reachable_cos(&cos_number, permissions::can_transfer).await?;
    let users = db::users::active_users(&pool, actor.sponsor_id)
        .await?
        .into_iter()
        .filter(|(id, _, _)| *id != c.owner_id)
        .map(|(id, name, login)| (id, format!("{name} ({login})")))
        .collect();
    Ok(TransferForm { cos_number: c.cos_number, status: c.status, owner: c.owner_name, version: c.owner_version, users })
}

/// How a transfer went. A plain form post is sent on to the next page instead (the
/// confirmation, or the transfer screen with a reason); the dialog shows this in place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TransferOutcome {
    /// Moved, or found moved already by the same transfer sent twice. `text`: the
    /// confirmation's sentence. `visible`: whether the user can still open what moved (a
    /// Level 2 user who gives their CoS away cannot).
    Done { text: String, visible: bool },
    /// No user, or one who cannot receive it, was chosen.
    Choose,
    /// Someone else changed it first: nothing moved. `owner`: its owner now, when one.
    Changed { owner: String },
}

/// Transfers the CoS if its owner is still the one shown (`version`). A plain form post
/// then goes to "The CoS has been transferred", or back to the Transfer screen with a
/// reason code (`q`: the search, kept for Back); a dialog gets the outcome.
#[server(endpoint = "cos/transfer")]
pub async fn transfer_cos(cos_number: String, to_user: String, version: i32, q: String) -> Result<TransferOutcome, AppError> {
    use crate::api::ssr::{reachable_cos, redirect_form};
    use crate::db::{self, audit};
    use crate::domain::{permissions, search::keep};

    let (actor, pool, c) = reachable_cos(&cos_number, permissions::can_transfer).await?;
    let base = format!("/view-cos/{}", c.cos_number);
    let sep = if q.is_empty() { "?" } else { "&" };
    let back_with = |reason: &str| format!("{base}/transfer{}{sep}problem={reason}", keep(&q));
    let done = |to_name: &str| {
        redirect_form(&format!("{base}/transferred{}", keep(&q)));
        let visible = !permissions::sees_only_own(&actor);
        let text = if visible {
            format!("CoS {} is now owned by {to_name}.", c.cos_number)
        } else {
            format!("CoS {} has been transferred. You no longer own it, so it is not in your searches.", c.cos_number)
        };
        Ok(TransferOutcome::Done { text, visible })
    };
    let users = db::users::active_users(&pool, actor.sponsor_id).await?;
    let Some((to, to_name, _)) = to_user.parse::<i64>().ok().and_then(|id| users.into_iter().find(|u| u.0 == id)) else {
        redirect_form(&back_with("choose"));
        return Ok(TransferOutcome::Choose);
    };
    if to == c.owner_id {
        // Already there: a second click of the same transfer, or nothing to do.
        return done(&to_name);
    }
    let mut tx = pool.begin().await?;
    db::acting_as(&mut tx, actor.user_id).await?;
    let moved = db::cos::transfer(&mut tx, c.sponsor_id, c.id, c.owner_id, to, actor.user_id, version).await?;
    if !moved {
        tx.rollback().await?;
        let (owner, owner_name, _) = db::cos::owner_and_version(&pool, c.sponsor_id, c.id).await?;
        // The same transfer submitted twice lands once; anything else is a conflict.
        if owner == to {
            return done(&to_name);
        }
        redirect_form(&back_with("changed"));
        return Ok(TransferOutcome::Changed { owner: owner_name });
    }
    audit::record(&mut tx, audit::Event {
        sponsor_id: Some(c.sponsor_id),
        actor_kind: "USER",
        actor_user_id: Some(actor.user_id),
        action: "cos_transferred",
        entity: Some("cos"),
        entity_id: Some(c.id),
        details: serde_json::json!({ "cos_number": c.cos_number, "from_user_id": c.owner_id, "to_user_id": to }),
    })
    .await?;
    tx.commit().await?;
    done(&to_name)
}

/// What "Transfer CoS" (several at once) shows: how many are selected, in what state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferManyForm {
    pub count: i64,
    /// "count-digest" of the selection when shown (`db::cos::selection_state`); the transfer
    /// checks it again.
    pub state: String,
    pub users: Vec<(i64, String)>,
}

#[server(endpoint = "cos/transfer_many_form")]
pub async fn load_transfer_many(selection: String) -> Result<TransferManyForm, AppError> {
    use crate::api::ssr::{actor, pool};
    use crate::db;
    use crate::domain::{permissions, selection::Selection};

    let (actor, _) = actor().await?;
    let sel = Selection::from_query(&selection).map_err(|m| AppError::Invalid(vec![("selection".into(), m)]))?;
    let pool = pool()?;
    let owner_only = permissions::sees_only_own(&actor).then_some(actor.user_id);
    let mut conn = pool.acquire().await?;
    let (count, digest) = db::cos::selection_state(&mut conn, actor.sponsor_id, owner_only, &sel, false).await?;
    // On the connection already held: a request never waits for a second one.
    let users = db::users::active_users(&mut *conn, actor.sponsor_id)
        .await?
        .into_iter()
        .map(|(id, name, login)| (id, format!("{name} ({login})")))
        .collect();
    drop(conn);
    Ok(TransferManyForm { count, state: format!("{count}-{digest}"), users })
}

/// Transfers every CoS of the selection to one user in one transaction, with a history row
/// each and one audit event, if the selection is still as it was shown (`state`). A plain
/// form post then goes to "The CoS have been transferred", naming how many moved, or back to
/// "Transfer CoS" with a reason; a dialog gets the outcome.
#[server(endpoint = "cos/transfer_many")]
pub async fn transfer_many(selection: String, to_user: String, state: String, back: String) -> Result<TransferOutcome, AppError> {
    use crate::api::ssr::{actor, pool, redirect_form};
    use crate::db::{self, audit};
    use crate::domain::search::encode_component as enc;
    use crate::domain::{permissions, selection::Selection};

    let (actor, _) = actor().await?;
    let sel = Selection::from_query(&selection).map_err(|m| AppError::Invalid(vec![("selection".into(), m)]))?;
    let pool = pool()?;
    let owner_only = permissions::sees_only_own(&actor).then_some(actor.user_id);
    let again = |problem: &str| format!("/view-cos/transfer-many?{selection}&back={}&problem={problem}", enc(&back));
    let users = db::users::active_users(&pool, actor.sponsor_id).await?;
    let Some((to, to_name, _)) = to_user.parse::<i64>().ok().and_then(|id| users.into_iter().find(|u| u.0 == id)) else {
        redirect_form(&again("choose"));
        return Ok(TransferOutcome::Choose);
    };
    let done = |moved: u64| {
        redirect_form(&format!("/view-cos/transferred-many?moved={moved}&to={}&back={}", enc(&to_name), enc(&back)));
        let text = match moved {
            1 => format!("1 CoS is now owned by {to_name}."),
            n => format!("{n} CoS are now owned by {to_name}."),
        };
        Ok(TransferOutcome::Done { text, visible: true })
    };
    let (pool_ref, sel_ref, state_ref, selection_ref) = (&pool, &sel, &state, &selection);
    let (sponsor_id, by) = (actor.sponsor_id, actor.user_id);
    let attempt = || async move {
        let mut tx = pool_ref.begin().await?;
        db::acting_as(&mut tx, actor.user_id).await?;
        db::allow_long_statements(&mut tx).await?;
        let (count, digest) = db::cos::selection_state(&mut tx, sponsor_id, owner_only, sel_ref, true).await?;
        if format!("{count}-{digest}") != *state_ref {
            let (all, theirs) = db::cos::selection_owned_by(&mut tx, sponsor_id, owner_only, sel_ref, to).await?;
            tx.rollback().await?;
            return Ok(Moved::Stale { all, theirs });
        }
        let moved = db::cos::transfer_selection(&mut tx, sponsor_id, owner_only, sel_ref, to, by).await?;
        audit::record(&mut tx, audit::Event {
            sponsor_id: Some(sponsor_id),
            actor_kind: "USER",
            actor_user_id: Some(by),
            action: "cos_transferred_many",
            entity: Some("cos"),
            entity_id: None,
            details: serde_json::json!({ "selection": selection_ref, "to_user_id": to, "selected": count, "moved": moved }),
        })
        .await?;
        tx.commit().await?;
        Ok(Moved::Done(moved))
    };
    match db::retry_once(attempt).await? {
        Some(Moved::Done(moved)) => done(moved),
        // The same transfer sent twice finds them all moved already: it lands once.
        Some(Moved::Stale { all, theirs }) if all > 0 && all == theirs => done(all as u64),
        // Changed since shown, or crossed another change twice: nothing moved.
        _ => {
            redirect_form(&again("changed"));
            Ok(TransferOutcome::Changed { owner: String::new() })
        }
    }
}

/// What one attempt at a selection's transfer found.
#[cfg(feature = "ssr")]
enum Moved {
    Done(u64),
    /// The selection is not as shown: (how many it holds, how many `to` owns already).
    Stale { all: i64, theirs: i64 },
}
