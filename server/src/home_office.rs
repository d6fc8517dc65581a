//! The Home Office's side of the statuses, as commands of the server binary (the Home Office
//! is not a user of this product): mark a CoS USED, revoke a licence, surrender a route. Each
//! runs in one transaction, writes status history by "Home Office" and an audit event, and
//! refuses what domain.md does not allow with a message, changing nothing.

use app::db::{audit, status_changes as db};
use app::domain::{Actor, Status};
use sqlx::PgPool;
use time::Date;

/// Why a command was refused, in words for whoever runs it.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("{0}")]
    Rule(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

async fn record(tx: &mut sqlx::PgConnection, sponsor_id: i64, action: &str, entity: Option<(&str, i64)>, details: serde_json::Value) -> sqlx::Result<()> {
    audit::record(tx, audit::Event {
        sponsor_id: Some(sponsor_id),
        actor_kind: "HOME_OFFICE",
        actor_user_id: None,
        action,
        entity: entity.map(|e| e.0),
        entity_id: entity.map(|e| e.1),
        details,
    })
    .await
}

/// Marks a CoS USED: from ASSIGNED, or from EXPIRED when the application was made on or before
/// the expiry date (`applied_on`, required then).
pub async fn mark_used(pool: &PgPool, cos_number: &str, applied_on: Option<Date>) -> Result<String, Refused> {
    let number = cos_number.trim().to_uppercase();
    let mut tx = pool.begin().await?;
    let c = db::lock_cos(&mut tx, &number).await?.ok_or_else(|| Refused::Rule(format!("There is no CoS {number}.")))?;
    let from = Status::parse(&c.status).ok_or_else(|| Refused::Rule(format!("CoS {number} has an unknown status {}.", c.status)))?;
    if let Err(e) = from.check_change(Status::Used, Actor::HomeOffice) {
        return Err(Refused::Rule(format!("CoS {number} is {from}: {e} The Home Office marks a CoS USED from ASSIGNED, or from EXPIRED when the application was made in time.")));
    }
    if from == Status::Expired {
        let expiry = c.expiry_date.ok_or_else(|| Refused::Rule(format!("CoS {number} is EXPIRED but has no expiry date.")))?;
        match applied_on {
            None => {
                return Err(Refused::Rule(format!(
                    "CoS {number} is EXPIRED. Give the date the application was made (--applied-on): it can become USED only if that was on or before its expiry date, {expiry}."
                )))
            }
            Some(d) if d > expiry => {
                return Err(Refused::Rule(format!(
                    "CoS {number} expired on {expiry} and the application was made on {d}, after it expired: it cannot become USED."
                )))
            }
            Some(_) => {}
        }
    }
    db::change(&mut tx, c.sponsor_id, c.id, None, from, Status::Used, db::ChangedBy::HomeOffice).await?;
    record(&mut tx, c.sponsor_id, "cos_used", Some(("cos", c.id)), serde_json::json!({ "cos_number": number, "from": from.as_str(), "applied_on": applied_on.map(|d| d.to_string()) })).await?;
    tx.commit().await?;
    Ok(format!("CoS {number} is now USED (it was {from})."))
}

/// The sponsor holding `licence`, locked for the change; refused, saying `then`, when there is
/// none or its licence is no longer active.
async fn active_sponsor(tx: &mut sqlx::PgConnection, licence: &str, then: &str) -> Result<(i64, String), Refused> {
    let (sponsor_id, name, status) =
        db::lock_sponsor(tx, licence).await?.ok_or_else(|| Refused::Rule(format!("There is no sponsor with licence number {licence}.")))?;
    if status != "ACTIVE" {
        return Err(Refused::Rule(format!("The licence of {name} ({licence}) is already {}: {then}.", status.to_lowercase())));
    }
    Ok((sponsor_id, name))
}

/// Revokes a sponsor's licence: every CoS of the sponsor that is not USED is cancelled.
pub async fn revoke_licence(pool: &PgPool, licence_number: &str) -> Result<String, Refused> {
    let licence = licence_number.trim().to_uppercase();
    let mut tx = pool.begin().await?;
    let (sponsor_id, name) = active_sponsor(&mut tx, &licence, "nothing changed").await?;
    db::set_licence_status(&mut tx, sponsor_id, "REVOKED").await?;
    let cancelled = db::cancel_all(&mut tx, sponsor_id, None).await?;
    record(&mut tx, sponsor_id, "licence_revoked", None, serde_json::json!({ "licence_number": licence, "cancelled": cancelled })).await?;
    tx.commit().await?;
    Ok(format!("The licence of {name} ({licence}) is revoked; {cancelled} CoS cancelled."))
}

/// The sponsor surrenders a route: every CoS of that route that is not USED is cancelled.
pub async fn surrender_route(pool: &PgPool, licence_number: &str, route: &str) -> Result<String, Refused> {
    let licence = licence_number.trim().to_uppercase();
    let mut tx = pool.begin().await?;
    let (sponsor_id, name) = active_sponsor(&mut tx, &licence, "it has no routes to surrender").await?;
    let (route_id, route_name) =
        db::route_by_name(&mut tx, route).await?.ok_or_else(|| Refused::Rule(format!("There is no route called {}.", route.trim())))?;
    let cancelled = db::cancel_all(&mut tx, sponsor_id, Some(route_id)).await?;
    record(&mut tx, sponsor_id, "route_surrendered", None, serde_json::json!({ "licence_number": licence, "route": route_name, "cancelled": cancelled })).await?;
    tx.commit().await?;
    Ok(format!("{name} ({licence}) has surrendered the {route_name} route; {cancelled} CoS cancelled."))
}

/// A new Level 1 user for a sponsor (Level 1 users are the Home Office's to grant): the
/// details checked as the "Create a Level 2 user" form checks them. Returns what to print,
/// with the temporary password, which the user must change when they first sign in.
pub async fn add_level1_user(pool: &PgPool, licence_number: &str, full_name: &str, email: &str, user_id: &str) -> Result<String, Refused> {
    use app::domain::account::{check_new_user, NewUser};
    let licence = licence_number.trim().to_uppercase();
    let typed = NewUser { full_name: full_name.into(), email: email.into(), user_id: user_id.into() };
    let u = check_new_user(&typed).map_err(|errors| Refused::Rule(errors.into_iter().map(|(_, m)| format!("{m}.")).collect::<Vec<_>>().join(" ")))?;
    let taken = || Refused::Rule(format!("The user ID {} is taken: choose another.", u.user_id));
    if app::db::users::user_id_taken(&mut *pool.acquire().await?, &u.user_id).await? {
        return Err(taken());
    }
    let password = app::api::auth::ssr::temporary_password();
    let hash = app::api::auth::ssr::hash_blocking(&password).await.map_err(|e| Refused::Rule(e.to_string()))?;
    let mut tx = pool.begin().await?;
    let (sponsor_id, name) = active_sponsor(&mut tx, &licence, "no user was added").await?;
    let id = app::db::users::insert(&mut tx, sponsor_id, &u.user_id, &u.full_name, &u.email, 1, &hash, None).await?.ok_or_else(taken)?;
    record(&mut tx, sponsor_id, "user_created", Some(("user", id)), serde_json::json!({ "user_id": u.user_id, "level": 1 })).await?;
    tx.commit().await?;
    Ok(format!(
        "{} ({}) is a Level 1 user of {name} ({licence}).\nTemporary password: {password}\nIt will not be shown again; they must change it when they first sign in.",
        u.full_name, u.user_id
    ))
}
