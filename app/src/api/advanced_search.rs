//! Advanced search: the choices of its drop-downs, and one page of results.

use crate::api::cos::SearchHit;
use crate::domain::advanced_search::AdvancedForm;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The drop-downs of the form: (id, label).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choices {
    pub activities: Vec<(i16, String)>,
    pub routes: Vec<(i16, String)>,
    /// A Level 2 user sees only themselves: they search only their own CoS.
    pub owners: Vec<(i64, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AdvancedOutcome {
    /// (field, message) for each filter that is wrong; nothing was searched.
    Invalid(Vec<(String, String)>),
    Results {
        hits: Vec<SearchHit>,
        total: i64,
        /// Cursor parameters (`after=…` / `before=…`) of the neighbouring pages.
        next: Option<String>,
        previous: Option<String>,
    },
}

#[server(endpoint = "cos/advanced-choices")]
pub async fn advanced_choices() -> Result<Choices, AppError> {
    use crate::api::ssr::{actor, pool};
    use crate::db;
    use crate::domain::permissions;

    let (actor, user) = actor().await?;
    let pool = pool()?;
    let owners = if permissions::sees_only_own(&actor) {
        vec![(user.id, format!("{} ({})", user.full_name, user.user_id))]
    } else {
        db::users::all_users(&pool, actor.sponsor_id)
            .await?
            .into_iter()
            .map(|(id, name, login)| (id, format!("{name} ({login})")))
            .collect()
    };
    let lists = crate::api::ssr::reference_lists();
    Ok(Choices {
        activities: db::advanced_search::activity_types(&pool, &lists).await?,
        routes: db::advanced_search::routes(&pool, &lists).await?,
        owners,
    })
}

#[server(endpoint = "cos/advanced-search")]
pub async fn advanced_search(form: AdvancedForm) -> Result<AdvancedOutcome, AppError> {
    use crate::api::ssr::{actor_for, known_users, pool, session_user, sign_in_required};
    use crate::domain::{permissions::Actor, Level};
    let (pool, known) = (pool()?, known_users()?);
    let su = session_user().await?;
    // Searched as the session says the user was at sign-in, while the count's statement reads
    // the user afresh: the results stand only if that user is still active at that level.
    // This saves a round trip on the screen that runs most.
    if let Some(level) = su.level.and_then(Level::from_db) {
        let guess = Actor { user_id: su.id, sponsor_id: su.sponsor_id, level };
        match ssr::run_checked(&pool, &known, &guess, &form).await? {
            (outcome, Some(now)) if now.and_then(Level::from_db) == Some(level) => return Ok(outcome),
            (_, Some(None)) => return Err(sign_in_required()),
            // No query ran (the filters were bad), or the level has changed since sign-in.
            _ => {}
        }
    }
    let (actor, _) = actor_for(&pool, su).await?;
    ssr::run(&pool, &known, &actor, &form).await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::*;
    use crate::db;
    use crate::domain::advanced_search::{AdvancedSearch, Cursor, Direction};
    use crate::domain::permissions;

    /// The filters checked against this sponsor's routes, activity types and users: an id
    /// from a hand-edited URL that names nothing gets a message by its field.
    pub async fn parse(
        pool: &db::PgPool,
        known: &db::users::KnownUsers,
        actor: &permissions::Actor,
        form: &AdvancedForm,
    ) -> Result<Result<AdvancedSearch, Vec<(String, String)>>, AppError> {
        let s = match form.parse() {
            Ok(s) => s,
            Err(e) => return Ok(Err(e)),
        };
        let mut errors = Vec::new();
        let lists = crate::api::ssr::reference_lists();
        if let Some(r) = s.route {
            if !db::advanced_search::routes(pool, &lists).await?.iter().any(|(id, _)| *id == r) {
                errors.push(("route".into(), "Select a route from the list.".into()));
            }
        }
        if let Some(a) = s.activity {
            if !db::advanced_search::activity_types(pool, &lists).await?.iter().any(|(id, _)| *id == a) {
                errors.push(("activity".into(), "Select a reported activity from the list.".into()));
            }
        }
        if let Some(o) = s.owner {
            // Anyone may name themselves; a Level 2 user no one else. Only a Level 1 user
            // naming someone else needs the database.
            let allowed = o == actor.user_id
                || (!permissions::sees_only_own(actor)
                    && db::users::is_user_of(pool, known, actor.sponsor_id, o).await?);
            if !allowed {
                errors.push(("owner".into(), "Select an owner from the list.".into()));
            }
        }
        Ok(if errors.is_empty() { Ok(s) } else { Err(errors) })
    }

    /// One page of results for `actor`.
    pub async fn run(
        pool: &db::PgPool,
        known: &db::users::KnownUsers,
        actor: &permissions::Actor,
        form: &AdvancedForm,
    ) -> Result<AdvancedOutcome, AppError> {
        Ok(run_checked(pool, known, actor, form).await?.0)
    }

    /// One page of results for `actor`, and the actor's level as the database holds it now
    /// (`Some(None)`: gone or inactive), read by the count's statement; `None` when the
    /// filters were bad and no query ran.
    pub async fn run_checked(
        pool: &db::PgPool,
        known: &db::users::KnownUsers,
        actor: &permissions::Actor,
        form: &AdvancedForm,
    ) -> Result<(AdvancedOutcome, Option<Option<i16>>), AppError> {
        let s = match parse(pool, known, actor, form).await? {
            Ok(s) => s,
            Err(e) => return Ok((AdvancedOutcome::Invalid(e), None)),
        };
        let owner_only = permissions::sees_only_own(actor).then_some(actor.user_id);
        // The page and its count on one connection and one snapshot (never two connections
        // for one request: under load, a request holding one while waiting for a second is
        // how a pool deadlocks), so the count always agrees with the page.
        let mut tx = db::snapshot(pool).await?;
        let (page, more) = db::advanced_search::page(&mut *tx, actor.sponsor_id, owner_only, &s).await?;
        let (total, level) = db::advanced_search::count_and_level(&mut *tx, actor.sponsor_id, owner_only, &s, actor.user_id).await?;
        tx.commit().await?;
        let cursor = |h: &db::advanced_search::Hit| Cursor { key: h.sort_key.clone(), id: h.id };
        let dir = s.cursor.as_ref().map(|(d, _)| *d);
        let next = match (dir, page.last()) {
            (Some(Direction::Before), Some(last)) => Some(format!("after={}", cursor(last).to_param())),
            (_, Some(last)) if more => Some(format!("after={}", cursor(last).to_param())),
            _ => None,
        };
        let previous = match (dir, page.first()) {
            (Some(Direction::After), Some(first)) => Some(format!("before={}", cursor(first).to_param())),
            (Some(Direction::Before), Some(first)) if more => Some(format!("before={}", cursor(first).to_param())),
            _ => None,
        };
        let results = AdvancedOutcome::Results {
            total,
            next,
            previous,
            hits: page
                .into_iter()
                .map(|h| SearchHit::new(h.cos_number, h.family_name, h.given_names, h.route, h.status, h.status_date, h.owner_name))
                .collect(),
        };
        Ok((results, Some(level)))
    }
}
