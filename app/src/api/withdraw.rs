//! Sponsorship duties → Manage live CoS: one CoS as that screen shows it, and withdrawing it.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the Manage live CoS and Withdrawal confirmation screens show of one CoS.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveCos {
    pub cos_number: String,
    pub status: String,
    /// (label, value), in the order the screen lists them.
    pub rows: Vec<(String, String)>,
    /// Why it cannot be withdrawn; `None` when it can.
    pub refusal: Option<String>,
}

#[server(endpoint = "cos/live")]
pub async fn load_live_cos(cos_number: String) -> Result<LiveCos, AppError> {
    use crate::api::cos::worker_name;
    use crate::api::ssr::reachable_cos;
    use crate::domain::{dates::uk_date, permissions, withdrawal, Status};

    let (_, _, c) = reachable_cos(&cos_number, permissions::can_withdraw).await?;
    let status = Status::parse(&c.status).ok_or_else(|| AppError::internal("cos status", &c.status))?;
    let date = |d: Option<time::Date>| d.map(uk_date).unwrap_or_default();
    let rows = vec![
        ("CoS number", c.cos_number.clone()),
        ("Status", c.status.clone()),
        ("Status date", uk_date(c.status_date.date())),
        ("Worker", worker_name(c.family_name.as_deref(), c.given_names.as_deref())),
        ("Date of birth", date(c.date_of_birth)),
        ("Nationality", c.nationality.unwrap_or_default()),
        ("Route", c.route),
        ("Job title", c.job_title.unwrap_or_default()),
        ("Date assigned", date(c.date_assigned)),
        ("Expiry date", date(c.expiry_date)),
        ("Owner", c.owner_name),
    ];
    Ok(LiveCos {
        cos_number: c.cos_number,
        status: c.status,
        rows: rows.into_iter().map(|(l, v)| (l.to_string(), v)).collect(),
        refusal: withdrawal::refusal(status).map(str::to_string),
    })
}

/// Withdraws the CoS: a plain form post from the Withdrawal confirmation screen, so it works
/// before the WebAssembly arrives. Then back to "Search for a CoS", which names the CoS
/// withdrawn. A CoS that cannot be withdrawn (including one withdrawn a moment ago by a second
/// click or another user) changes nothing and goes back to its Manage live CoS screen, which
/// says why.
#[server(endpoint = "cos/withdraw")]
pub async fn withdraw_cos(cos_number: String, q: String) -> Result<(), AppError> {
    use crate::api::ssr::reachable_cos;
    use crate::db::{self, audit};
    use crate::domain::search::{encode_component, keep, with_search};
    use crate::domain::{permissions, withdrawal, Status};

    let (actor, pool, c) = reachable_cos(&cos_number, permissions::can_withdraw).await?;
    let refused = {
        let sep = if q.is_empty() { "?" } else { "&" };
        format!("/sponsorship-duties/manage-live-cos/{}{}{sep}problem=status", c.cos_number, keep(&q))
    };
    if Status::parse(&c.status).and_then(withdrawal::refusal).is_some() {
        crate::api::ssr::redirect(&refused);
        return Ok(());
    }
    let owner_only = permissions::sees_only_own(&actor).then_some(actor.user_id);
    let mut tx = pool.begin().await?;
    db::acting_as(&mut tx, actor.user_id).await?;
    let by = db::status_changes::ChangedBy::User(actor.user_id);
    if !db::status_changes::change(&mut tx, c.sponsor_id, c.id, owner_only, Status::Assigned, Status::Withdrawn, by).await? {
        tx.rollback().await?;
        crate::api::ssr::redirect(&refused);
        return Ok(());
    }
    audit::record(&mut tx, audit::Event {
        sponsor_id: Some(c.sponsor_id),
        actor_kind: "USER",
        actor_user_id: Some(actor.user_id),
        action: "cos_withdrawn",
        entity: Some("cos"),
        entity_id: Some(c.id),
        details: serde_json::json!({ "cos_number": c.cos_number, "owner_id": c.owner_id }),
    })
    .await?;
    tx.commit().await?;
    // "Search for a CoS" again, with the search the CoS was found by and its results.
    let search = with_search("/sponsorship-duties/manage-live-cos", &q);
    let sep = if search.contains('?') { '&' } else { '?' };
    crate::api::ssr::redirect(&format!("{search}{sep}withdrawn={}", encode_component(&c.cos_number)));
    Ok(())
}
