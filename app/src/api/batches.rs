//! Batches of CoS: search, the batch screen ("CoS search result") and "Transfer batch of CoS".

use crate::api::transfer::TransferOutcome;
use crate::domain::batch_search::BatchSearchForm;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchHit {
    pub id: i64,
    pub reference: String,
    pub route: String,
    pub owner: String,
    pub created: String,
    /// How many of the batch's CoS the user reaches (a Level 2 user: their own).
    pub cos_count: i64,
    /// (status, how many of those CoS are in it)
    pub statuses: Vec<(String, i64)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BatchOutcome {
    Invalid(Vec<(String, String)>),
    Results { hits: Vec<BatchHit>, total: i64, page: u32, pages: u32 },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchView {
    pub id: i64,
    pub reference: String,
    pub route: String,
    pub owner: String,
    pub created: String,
    pub version: i32,
    /// (CoS number, worker, status, owner) of the CoS the user reaches: every one for a
    /// Level 1 user, their own for a Level 2 user (`only_own`).
    pub cos: Vec<(String, String, String, String)>,
    pub only_own: bool,
    /// (id, "Name (user id)") of the sponsor's other active users, for the transfer.
    pub users: Vec<(i64, String)>,
}

#[server(endpoint = "batches/search")]
pub async fn search_batches(form: BatchSearchForm) -> Result<BatchOutcome, AppError> {
    use crate::api::ssr::{actor, pool};
    use crate::db;
    use crate::domain::{batch_search::PAGE_SIZE, dates::uk_date, permissions};

    let (actor, _) = actor().await?;
    let s = match form.parse() {
        Ok(s) => s,
        Err(e) => return Ok(BatchOutcome::Invalid(e)),
    };
    let pool = pool()?;
    let owner_only = permissions::sees_only_own(&actor).then_some(actor.user_id);
    let page = form.page.max(1);
    let (rows, total) =
        db::batches::search(&pool, actor.sponsor_id, owner_only, &s, PAGE_SIZE as i64, (page as i64 - 1) * PAGE_SIZE as i64).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let counts = db::batches::status_counts(&pool, actor.sponsor_id, owner_only, &ids).await?;
    Ok(BatchOutcome::Results {
        total,
        page,
        pages: (total as u32).div_ceil(PAGE_SIZE).max(1),
        hits: rows
            .into_iter()
            .map(|r| BatchHit {
                statuses: counts.iter().filter(|(b, _, _)| *b == r.id).map(|(_, s, n)| (s.clone(), *n)).collect(),
                id: r.id,
                reference: r.reference,
                route: r.route,
                owner: r.owner_name,
                created: uk_date(r.created_at.date()),
                cos_count: r.cos_count,
            })
            .collect(),
    })
}

#[server(endpoint = "batches/view")]
pub async fn view_batch(id: String) -> Result<BatchView, AppError> {
    use crate::api::ssr::{actor, pool};
    use crate::api::cos::worker_name;
    use crate::db;
    use crate::domain::{dates::uk_date, permissions};

    let (actor, _) = actor().await?;
    let pool = pool()?;
    let b = ssr::reachable(&pool, &actor, &id, permissions::can_view).await?;
    let owner_only = permissions::sees_only_own(&actor).then_some(actor.user_id);
    let cos = db::batches::cos_of(&pool, actor.sponsor_id, owner_only, b.id)
        .await?
        .into_iter()
        .map(|c| (c.cos_number, worker_name(c.family_name.as_deref(), c.given_names.as_deref()), c.status, c.owner_name))
        .collect();
    let users = db::users::active_users(&pool, actor.sponsor_id)
        .await?
        .into_iter()
        .filter(|(uid, _, _)| *uid != b.owner_id)
        .map(|(uid, name, login)| (uid, format!("{name} ({login})")))
        .collect();
    Ok(BatchView {
        id: b.id,
        reference: b.reference,
        route: b.route,
        owner: b.owner_name,
        created: uk_date(b.created_at.date()),
        version: b.version,
        cos,
        only_own: owner_only.is_some(),
        users,
    })
}

/// Transfers the batch and its CoS (a Level 2 user: only their own of them) if its owner is
/// still the one shown (`version`). A plain form post then goes to "The batch has been
/// transferred", saying how many moved, or back to the transfer screen with a reason; a
/// dialog gets the outcome.
#[server(endpoint = "batches/transfer")]
pub async fn transfer_batch(batch_id: String, to_user: String, version: i32) -> Result<TransferOutcome, AppError> {
    use crate::api::ssr::{actor, pool, redirect_form};
    use crate::db::{self, audit};
    use crate::domain::permissions;

    let (actor, _) = actor().await?;
    let pool = pool()?;
    let b = ssr::reachable(&pool, &actor, &batch_id, permissions::can_transfer).await?;
    let base = format!("/view-cos/batches/{}", b.id);
    let owner_only = permissions::sees_only_own(&actor).then_some(actor.user_id);
    let done = |to_name: &str, moved: Option<u64>| {
        redirect_form(&match moved {
            Some(n) => format!("{base}/transferred?moved={n}"),
            None => format!("{base}/transferred"),
        });
        let moved_text = moved.map(|n| format!(" {n} CoS {} moved with it.", if n == 1 { "was" } else { "were" })).unwrap_or_default();
        let visible = owner_only.is_none();
        let text = if visible {
            format!("Batch {} is now owned by {to_name}.{moved_text}", b.reference)
        } else {
            format!("Batch {} has been transferred.{moved_text} You no longer own it, so it is not in your searches.", b.reference)
        };
        Ok(TransferOutcome::Done { text, visible })
    };
    let users = db::users::active_users(&pool, actor.sponsor_id).await?;
    let Some((to, to_name, _)) = to_user.parse::<i64>().ok().and_then(|id| users.into_iter().find(|u| u.0 == id)) else {
        redirect_form(&format!("{base}/transfer?problem=choose"));
        return Ok(TransferOutcome::Choose);
    };
    if to == b.owner_id {
        // Already theirs: the same transfer submitted twice.
        return done(&to_name, None);
    }
    let asked = db::batches::BatchTransfer {
        sponsor_id: actor.sponsor_id,
        batch_id: b.id,
        from: b.owner_id,
        version,
        to,
        by: actor.user_id,
        owner_only,
    };
    let (pool_ref, asked_ref, reference) = (&pool, &asked, &b.reference);
    let attempt = || async move {
        let mut tx = pool_ref.begin().await?;
        db::acting_as(&mut tx, actor.user_id).await?;
        db::allow_long_statements(&mut tx).await?;
        let Some(moved) = db::batches::transfer(&mut tx, asked_ref).await? else {
            return Ok(None);
        };
        audit::record(&mut tx, audit::Event {
            sponsor_id: Some(asked_ref.sponsor_id),
            actor_kind: "USER",
            actor_user_id: Some(asked_ref.by),
            action: "batch_transferred",
            entity: Some("batch"),
            entity_id: Some(asked_ref.batch_id),
            details: serde_json::json!({ "reference": reference, "from_user_id": asked_ref.from, "to_user_id": asked_ref.to, "cos_moved": moved }),
        })
        .await?;
        tx.commit().await?;
        Ok(Some(moved))
    };
    let Some(moved) = db::retry_once(attempt).await?.flatten() else {
        // Moved or changed by someone else meanwhile (or crossed with them twice).
        let now = db::batches::by_id(&pool, actor.sponsor_id, None, b.id).await?;
        return match now {
            Some(n) if n.owner_id == to => done(&to_name, None),
            n => {
                redirect_form(&format!("{base}/transfer?problem=changed"));
                Ok(TransferOutcome::Changed { owner: n.map(|n| n.owner_name).unwrap_or_default() })
            }
        };
    };
    done(&to_name, Some(moved))
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::db;
    use crate::domain::permissions::{self, Actor, Owned};
    use crate::error::AppError;

    /// The batch `id` of the user's sponsor when `allowed` lets them at it; otherwise "not
    /// found", with no hint that it exists.
    pub async fn reachable(
        pool: &db::PgPool,
        actor: &Actor,
        id: &str,
        allowed: fn(&permissions::Actor, &Owned) -> bool,
    ) -> Result<db::batches::BatchRow, AppError> {
        let not_found = || crate::api::ssr::not_found("That batch".into());
        let id: i64 = id.trim().parse().map_err(|_| not_found())?;
        let owner_only = permissions::sees_only_own(actor).then_some(actor.user_id);
        let b = db::batches::by_id(pool, actor.sponsor_id, owner_only, id).await?.ok_or_else(not_found)?;
        if !allowed(actor, &Owned { sponsor_id: actor.sponsor_id, owner_id: b.owner_id }) {
            return Err(not_found());
        }
        Ok(b)
    }
}
