//! Create and assign CoS (SMS guide 8): the route, the "Create a CoS" form (new, edit, copy),
//! Save, "CoS saved", Delete, and Assign with its confirmation. Saves, deletes and assigns are
//! plain form posts (they work before the WebAssembly arrives); a refused save leaves what was
//! typed and why in the session for the form to show once.

use crate::api::cos::CosView;
use crate::domain::cos_form::CosForm;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const START: &str = "/create-cos";

/// A pre-stored work address, offered by the form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredAddress {
    pub id: i64,
    pub identifier: String,
    /// The form's field name → value, for the fields it fills.
    pub fields: Vec<(String, String)>,
}

/// What "Create a CoS" (or "Edit CoS") shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormScreen {
    /// None while the CoS is new.
    pub cos_number: Option<String>,
    pub version: i32,
    pub route_id: i16,
    pub route: String,
    pub status: Option<String>,
    /// The batch a new CoS joins ("Add a worker" on the batch screen): (id, reference).
    pub batch: Option<(i64, String)>,
    /// The new form's one-time key: sent twice, it makes one CoS.
    pub token: String,
    pub form: CosForm,
    pub errors: Vec<(String, String)>,
    /// Someone else changed the CoS after it was opened.
    pub conflict: bool,
    pub addresses: Vec<StoredAddress>,
}

/// "CoS saved": the number, the status, what is still missing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedScreen {
    pub cos_number: String,
    pub status: String,
    pub missing: Vec<String>,
}

/// "Confirm CoS details before assigning".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignScreen {
    pub details: CosView,
    pub version: i32,
    pub route: String,
    pub fee: u32,
    pub allocation: i64,
    pub left: i64,
    /// Why it cannot be assigned now (not READY TO GO, or its start date), if so.
    pub refusal: Option<String>,
}

/// What "Create a batch of CoS" shows: the route, the common details' fields, and after a
/// refused upload, what was typed and every problem (the first `PROBLEMS_SHOWN`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchFormScreen {
    pub route_id: i16,
    pub route: String,
    pub token: String,
    pub reference: String,
    pub form: CosForm,
    pub errors: Vec<(String, String)>,
    pub problems: Vec<crate::domain::cos_form::Problem>,
    /// How many problems there were beyond those listed.
    pub more: usize,
    pub addresses: Vec<StoredAddress>,
}

/// "Assign batch": how many of its CoS are READY TO GO, the fee, the allocation left.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchAssignScreen {
    pub batch_id: i64,
    pub reference: String,
    pub route: String,
    pub ready: i64,
    pub fee_each: u32,
    pub allocation: i64,
    pub left: i64,
    pub refusal: Option<String>,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::*;
    use crate::db;
    use crate::domain::permissions::Actor;

    pub const FLASH_KEY: &str = "cos_form";

    #[derive(Serialize, Deserialize)]
    pub struct Flash {
        pub path: String,
        pub form: CosForm,
        pub errors: Vec<(String, String)>,
        pub conflict: bool,
    }

    pub const BATCH_FLASH_KEY: &str = "batch_form";

    /// A refused upload, for the batch form to show once.
    #[derive(Serialize, Deserialize)]
    pub struct BatchFlash {
        pub path: String,
        pub reference: String,
        pub form: CosForm,
        pub errors: Vec<(String, String)>,
        pub problems: Vec<crate::domain::cos_form::Problem>,
        pub more: usize,
    }

    pub fn batch_form_path(route_id: i16) -> String {
        format!("{START}/batch?route={route_id}")
    }

    pub fn form_path(cos_number: Option<&str>, route_id: i16, batch: Option<i64>) -> String {
        match (cos_number, batch) {
            (Some(n), _) => format!("/view-cos/{n}/edit"),
            (None, Some(b)) => format!("{START}/new?batch={b}"),
            (None, None) => format!("{START}/new?route={route_id}"),
        }
    }

    /// A batch the user may add a worker to: (id, reference, route id, common details typed).
    pub async fn batch_to_join(pool: &db::PgPool, actor: &Actor, batch: &str) -> Result<(i64, String, i16, CosForm), AppError> {
        let b = crate::api::batches::ssr::reachable(pool, actor, batch, crate::domain::permissions::can_transfer).await?;
        let (route_id, common) = db::drafts::batch_common(pool, actor.sponsor_id, b.id)
            .await?
            .ok_or_else(|| crate::api::ssr::not_found("That batch".into()))?;
        let form = common
            .as_object()
            .map(|o| o.iter().filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string()))).collect())
            .unwrap_or_default();
        Ok((b.id, b.reference, route_id, form))
    }

    /// Back to the form with what was typed and what was wrong.
    pub async fn refuse(path: String, form: CosForm, errors: Vec<(String, String)>, conflict: bool) -> Result<(), AppError> {
        let session = crate::api::ssr::session().await?;
        session
            .insert(FLASH_KEY, Flash { path: path.clone(), form, errors, conflict })
            .await
            ?;
        crate::api::ssr::redirect(&path);
        Ok(())
    }

    pub async fn take_flash(path: &str) -> Result<Option<Flash>, AppError> {
        let session = crate::api::ssr::session().await?;
        let flash = session.get::<Flash>(FLASH_KEY).await?;
        match flash {
            Some(f) if f.path == path => {
                session.remove_value(FLASH_KEY).await?;
                Ok(Some(f))
            }
            _ => Ok(None),
        }
    }

    pub async fn route(pool: &db::PgPool, route: &str) -> Result<(i16, String, String), AppError> {
        let id: Option<i16> = route.trim().parse().ok();
        db::drafts::active_routes(pool)
            .await?
            .into_iter()
            .find(|r| Some(r.0) == id)
            .ok_or_else(|| AppError::Invalid(vec![("route".into(), "Select the route of the CoS".into())]))
    }

    pub async fn addresses(pool: &db::PgPool, actor: &Actor) -> Result<Vec<StoredAddress>, AppError> {
        Ok(db::work_addresses::list(pool, actor.sponsor_id)
            .await?
            .iter()
            .map(|s| {
                let a = s.address();
                let fields = [
                    ("work_address_line1", a.line1.clone()),
                    ("work_address_line2", a.line2.clone().unwrap_or_default()),
                    ("work_address_line3", a.line3.clone().unwrap_or_default()),
                    ("work_address_town", a.town.clone()),
                    ("work_address_county", a.county.clone().unwrap_or_default()),
                    ("work_address_postcode", a.postcode.as_str().to_string()),
                ];
                StoredAddress {
                    id: s.id,
                    identifier: a.identifier.clone(),
                    fields: fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
                }
            })
            .collect())
    }

    /// Puts the pre-stored addresses a form chose (`address_id` for the main work address,
    /// `other{n}_address_id` for the others) into its address fields: the CoS keeps a copy of
    /// each as it is now. An id that is not one of the sponsor's addresses is told by its field.
    pub fn use_prestored(form: &mut CosForm, addresses: &[StoredAddress]) -> Vec<(String, String)> {
        let wrong = "Select one of your pre-stored addresses, or type the address";
        let mut errors = Vec::new();
        let keys = std::iter::once(("address_id".to_string(), None))
            .chain((1..=crate::domain::cos_form::MAX_OTHER).map(|n| (crate::domain::cos_form::other_key(n, "address_id"), Some(n))));
        for (key, other) in keys {
            let Some(chosen) = form.remove(&key).filter(|a| !a.trim().is_empty()) else { continue };
            let Some(a) = addresses.iter().find(|a| a.id.to_string() == chosen.trim()) else {
                errors.push((key, wrong.to_string()));
                continue;
            };
            for (name, value) in &a.fields {
                let name = match other {
                    None => name.clone(),
                    Some(n) => crate::domain::cos_form::other_key(n, name.trim_start_matches("work_address_")),
                };
                form.insert(name, value.clone());
            }
        }
        errors
    }

    /// A draft the user may change: reachable, and still WORK IN PROGRESS or READY TO GO.
    pub async fn draft(cos_number: &str) -> Result<(Actor, db::PgPool, db::drafts::Draft), AppError> {
        use crate::domain::permissions;
        let (actor, pool, c) = crate::api::ssr::reachable_cos(cos_number, permissions::can_view).await?;
        let d = db::drafts::by_number(&pool, actor.sponsor_id, &c.cos_number)
            .await?
            .ok_or_else(|| crate::api::ssr::not_found(format!("CoS {}", c.cos_number)))?;
        if !matches!(d.status.as_str(), "WORK IN PROGRESS" | "READY TO GO") {
            return Err(AppError::Forbidden(format!(
                "CoS {} is {}: only a CoS that is WORK IN PROGRESS or READY TO GO can be edited, deleted or assigned.",
                d.cos_number, d.status
            )));
        }
        Ok((actor, pool, d))
    }

    /// The official lists a form is checked against: SOC 2020 from the database, ISO 3166
    /// from the `isocountry` crate.
    pub struct ServerLists(std::collections::HashSet<String>);

    impl crate::domain::cos_form::Lists for ServerLists {
        fn soc(&self, code: &str) -> bool {
            self.0.contains(code)
        }
        fn country(&self, name: &str) -> Option<String> {
            let name = name.trim();
            isocountry::CountryCode::iter().find(|c| c.name().eq_ignore_ascii_case(name)).map(|c| c.name().to_string())
        }
    }

    pub async fn lists(pool: &db::PgPool) -> Result<ServerLists, AppError> {
        Ok(ServerLists(db::drafts::soc_codes(pool).await?))
    }

    /// The allocation year of `today`: the calendar year, as the Workers screen counts it.
    pub fn year(today: time::Date) -> (time::Date, time::Date) {
        let y = today.year();
        let start = |y| time::Date::from_calendar_date(y, time::Month::January, 1).unwrap_or(today);
        (start(y), start(y + 1))
    }

    /// Why a READY TO GO CoS starting on `start` cannot be assigned today, if it cannot.
    pub fn start_date_refusal(start: Option<time::Date>, today: time::Date) -> Option<String> {
        use crate::domain::dates::{add_months, uk_date};
        let start = start?;
        if start < today {
            return Some("The work start date is in the past. Edit the CoS to change it, then assign it.".into());
        }
        if start > add_months(today, 3) {
            return Some(format!(
                "A CoS can be assigned at most three months before the work starts: this one can be assigned from {}.",
                uk_date(add_months(start, -3))
            ));
        }
        None
    }

    /// The work start date of a draft's form.
    pub fn start_of(form: &CosForm) -> Option<time::Date> {
        form.get("work_start_date").and_then(|s| crate::domain::search::parse_date(s))
    }
}

/// The active routes a CoS can be created in: (id, name, category).
#[server(endpoint = "create/routes")]
pub async fn create_routes() -> Result<Vec<(i16, String, String)>, AppError> {
    use crate::api::ssr::{actor, pool};
    actor().await?;
    Ok(crate::db::drafts::active_routes(&pool()?).await?)
}

/// The lists the form's type-aheads offer: the SOC 2020 unit groups (code, title) and the
/// ISO 3166 country names.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormLists {
    pub soc: Vec<(String, String)>,
    pub countries: Vec<String>,
}

#[server(endpoint = "create/lists")]
pub async fn load_form_lists() -> Result<FormLists, AppError> {
    use crate::api::ssr::{actor, pool};
    actor().await?;
    Ok(FormLists {
        soc: crate::db::drafts::soc_groups(&pool()?).await?,
        countries: isocountry::CountryCode::iter().map(|c| c.name().to_string()).collect(),
    })
}

/// The form of a new CoS in `route` (copying the job and work details of `copy`, if given),
/// or of the draft `cos_number` to edit.
#[server(endpoint = "create/form")]
pub async fn load_cos_form(cos_number: String, route: String, copy: String, batch: String) -> Result<FormScreen, AppError> {
    use crate::api::ssr::{actor, pool, reachable_cos};
    use crate::domain::{cos_form, permissions};

    let mut screen = if !cos_number.trim().is_empty() {
        let (actor, pool, d) = ssr::draft(&cos_number).await?;
        FormScreen {
            cos_number: Some(d.cos_number),
            version: d.version,
            route_id: d.route_id,
            route: d.route,
            status: Some(d.status),
            form: d.form,
            addresses: ssr::addresses(&pool, &actor).await?,
            ..Default::default()
        }
    } else {
        let (actor, _) = actor().await?;
        let pool = pool()?;
        let mut form = CosForm::new();
        let mut route = route;
        let mut joins = None;
        if !batch.trim().is_empty() {
            // "Add a worker" to a batch: its route and its common details.
            let (id, reference, route_id, common) = ssr::batch_to_join(&pool, &actor, &batch).await?;
            form = common;
            route = route_id.to_string();
            joins = Some((id, reference));
        } else if !copy.trim().is_empty() {
            // The job and work of an existing CoS the user can see, in its route; never its worker.
            let (_, _, c) = reachable_cos(&copy, permissions::can_view).await?;
            if let Some(d) = crate::db::drafts::by_number(&pool, actor.sponsor_id, &c.cos_number).await? {
                let work = ["Work dates and hours", "Main work address in the UK", "Job", "Certify maintenance"];
                for s in cos_form::SECTIONS.iter().filter(|s| work.contains(&s.title)) {
                    for f in s.fields {
                        if let Some(v) = d.form.get(f.name).filter(|v| !v.is_empty()) {
                            form.insert(f.name.to_string(), v.clone());
                        }
                    }
                }
                form.extend(d.form.iter().filter(|(k, _)| cos_form::is_other_key(k)).map(|(k, v)| (k.clone(), v.clone())));
                if route.trim().is_empty() {
                    route = d.route_id.to_string();
                }
            }
        }
        let (route_id, route, _) = ssr::route(&pool, &route).await?;
        FormScreen {
            route_id,
            route,
            batch: joins,
            token: uuid::Uuid::new_v4().to_string(),
            form,
            addresses: ssr::addresses(&pool, &actor).await?,
            ..Default::default()
        }
    };
    let path = ssr::form_path(screen.cos_number.as_deref(), screen.route_id, screen.batch.as_ref().map(|b| b.0));
    if let Some(f) = ssr::take_flash(&path).await? {
        screen.form = f.form;
        screen.errors = f.errors;
        screen.conflict = f.conflict;
    }
    Ok(screen)
}

/// Saves the CoS: a new one gets its number; WORK IN PROGRESS while something mandatory is
/// missing, READY TO GO once complete. Anything filled in but wrong is refused by its field,
/// and nothing is saved. Then "CoS saved".
#[server(endpoint = "create/save")]
pub async fn save_cos(cos_number: String, version: String, route: String, batch: String, token: String, cos: CosForm) -> Result<(), AppError> {
    use crate::api::ssr::{actor, pool, redirect};
    use crate::db::{self, audit, status_changes::uk_today};
    use crate::domain::{cos_form, permissions};

    let (actor, _) = actor().await?;
    let pool = pool()?;
    let mut form: CosForm =
        cos.into_iter().filter(|(k, _)| k == "address_id" || cos_form::field(k).is_some() || cos_form::is_other_key(k)).collect();
    let existing = if cos_number.trim().is_empty() { None } else { Some(ssr::draft(&cos_number).await?.2) };
    let joins = match (&existing, batch.trim().is_empty()) {
        (None, false) => Some(ssr::batch_to_join(&pool, &actor, &batch).await?),
        _ => None,
    };
    let route_id = match (&existing, &joins) {
        (Some(d), _) => d.route_id,
        (None, Some(b)) => b.2,
        (None, None) => ssr::route(&pool, &route).await?.0,
    };
    let path = ssr::form_path(existing.as_ref().map(|d| d.cos_number.as_str()), route_id, joins.as_ref().map(|b| b.0));
    // A pre-stored address chosen: the CoS keeps a copy of it as it is now.
    let wrong = ssr::use_prestored(&mut form, &ssr::addresses(&pool, &actor).await?);
    if !wrong.is_empty() {
        return ssr::refuse(path, form, wrong, false).await;
    }
    let today = uk_today(&mut *pool.acquire().await?).await?;
    let checked = cos_form::check(&form, today, &ssr::lists(&pool).await?);
    if !checked.errors.is_empty() {
        return ssr::refuse(path, form, checked.errors, false).await;
    }
    let status = if checked.complete() { "READY TO GO" } else { "WORK IN PROGRESS" };
    let mut tx = pool.begin().await?;
    db::acting_as(&mut tx, actor.user_id).await?;
    let (id, number, action) = match &existing {
        None => {
            let token = uuid::Uuid::parse_str(token.trim())
                .map_err(|_| AppError::BadRequest("This form cannot be read. Open Create a CoS again.".into()))?;
            let batch_id = joins.as_ref().map(|b| b.0);
            match db::drafts::insert(&mut tx, actor.sponsor_id, route_id, actor.user_id, status, &checked, token, batch_id).await? {
                Ok((id, number)) => (id, number, "cos_created"),
                Err(made) => {
                    // The same form sent twice: it made its CoS the first time.
                    tx.rollback().await?;
                    if made.is_empty() {
                        let e = vec![("family_name".to_string(), "This form has already been sent. Open Create a CoS again to make another.".to_string())];
                        return ssr::refuse(path, form, e, false).await;
                    }
                    redirect(&format!("{START}/{made}/saved"));
                    return Ok(());
                }
            }
        }
        Some(d) => {
            let version: i32 = version.trim().parse().map_err(|_| AppError::BadRequest("This form cannot be read. Open the CoS again.".into()))?;
            let owner_only = permissions::sees_only_own(&actor).then_some(actor.user_id);
            if !db::drafts::update(&mut tx, actor.sponsor_id, d.id, version, owner_only, status, &checked, actor.user_id).await? {
                tx.rollback().await?;
                return ssr::refuse(path, form, vec![], true).await;
            }
            (d.id, d.cos_number.clone(), "cos_edited")
        }
    };
    audit::record(&mut tx, audit::Event {
        sponsor_id: Some(actor.sponsor_id),
        actor_kind: "USER",
        actor_user_id: Some(actor.user_id),
        action,
        entity: Some("cos"),
        entity_id: Some(id),
        details: serde_json::json!({ "cos_number": number, "status": status }),
    })
    .await?;
    tx.commit().await?;
    redirect(&format!("{START}/{number}/saved"));
    Ok(())
}

/// "CoS saved": what the CoS is now and what it still needs.
#[server(endpoint = "create/saved")]
pub async fn load_saved(cos_number: String) -> Result<SavedScreen, AppError> {
    use crate::api::ssr::reachable_cos;
    use crate::db::{self, status_changes::uk_today};
    use crate::domain::{cos_form, permissions};

    let (actor, pool, c) = reachable_cos(&cos_number, permissions::can_view).await?;
    let d = db::drafts::by_number(&pool, actor.sponsor_id, &c.cos_number)
        .await?
        .ok_or_else(|| crate::api::ssr::not_found(format!("CoS {}", c.cos_number)))?;
    let missing = if d.status == "WORK IN PROGRESS" {
        let today = uk_today(&mut *pool.acquire().await?).await?;
        cos_form::check(&d.form, today, &ssr::lists(&pool).await?).missing.into_iter().map(str::to_string).collect()
    } else {
        vec![]
    };
    Ok(SavedScreen { cos_number: d.cos_number, status: d.status, missing })
}

/// Deletes a draft (the confirmation's Delete CoS): only an audit event keeps its number.
#[server(endpoint = "create/delete")]
pub async fn delete_cos(cos_number: String, version: String) -> Result<(), AppError> {
    use crate::api::ssr::redirect;
    use crate::db::{self, audit};
    use crate::domain::permissions;

    let (actor, pool, d) = ssr::draft(&cos_number).await?;
    let version: i32 = version.trim().parse().map_err(|_| AppError::BadRequest("This form cannot be read. Open the CoS again.".into()))?;
    let owner_only = permissions::sees_only_own(&actor).then_some(actor.user_id);
    let mut tx = pool.begin().await?;
    db::acting_as(&mut tx, actor.user_id).await?;
    if !db::drafts::delete(&mut tx, actor.sponsor_id, d.id, version, owner_only).await? {
        tx.rollback().await?;
        redirect(&format!("/view-cos/{}/delete?problem=changed", d.cos_number));
        return Ok(());
    }
    audit::record(&mut tx, audit::Event {
        sponsor_id: Some(actor.sponsor_id),
        actor_kind: "USER",
        actor_user_id: Some(actor.user_id),
        action: "cos_deleted",
        entity: Some("cos"),
        entity_id: Some(d.id),
        details: serde_json::json!({ "cos_number": d.cos_number, "status": d.status }),
    })
    .await?;
    tx.commit().await?;
    redirect(&format!("{START}/deleted?cos={}", d.cos_number));
    Ok(())
}

/// "Confirm CoS details before assigning": the CoS, the fee, the allocation left.
#[server(endpoint = "create/assign_screen")]
pub async fn load_assign(cos_number: String) -> Result<AssignScreen, AppError> {
    use crate::db::{self, status_changes::uk_today};
    use crate::domain::cos_form::fee_pounds;

    let (actor, pool, d) = ssr::draft(&cos_number).await?;
    let today = uk_today(&mut *pool.acquire().await?).await?;
    let (from, to) = ssr::year(today);
    let (allocation, used) = db::attention::allocation(&pool, actor.sponsor_id, from, to).await?;
    let c = db::cos::by_number(&pool, actor.sponsor_id, &d.cos_number)
        .await?
        .ok_or_else(|| crate::api::ssr::not_found(format!("CoS {}", d.cos_number)))?;
    let details = crate::api::cos::ssr::cos_view(c);
    let refusal = if d.status != "READY TO GO" {
        Some("This CoS is WORK IN PROGRESS: complete it before you assign it.".to_string())
    } else {
        ssr::start_date_refusal(ssr::start_of(&d.form), today)
    };
    Ok(AssignScreen {
        details,
        version: d.version,
        fee: fee_pounds(&d.category),
        route: d.route,
        allocation: allocation.into(),
        left: (i64::from(allocation) - used).max(0),
        refusal,
    })
}

/// Assigns the CoS ("Assign CoS"): one CoS of the year's allocation, ASSIGNED today, expiring
/// in three months, in one transaction under the sponsor's lock, so that users assigning at
/// once never take more than the allocation. Refused with nothing changed when none is left.
#[server(endpoint = "create/assign")]
pub async fn assign_cos(cos_number: String, version: String) -> Result<(), AppError> {
    use crate::api::ssr::redirect;
    use crate::db::{self, audit, status_changes::uk_today};
    use crate::domain::permissions;

    let number = crate::domain::CosNumber::parse(&cos_number).map(|n| n.as_str().to_string()).unwrap_or_default();
    let (actor, pool, d) = match ssr::draft(&cos_number).await {
        Ok(found) => found,
        Err(AppError::Forbidden(m)) => {
            // A second click finds it ASSIGNED already: it was assigned once.
            let (_, _, c) = crate::api::ssr::reachable_cos(&number, crate::domain::permissions::can_view).await?;
            if c.status == "ASSIGNED" {
                redirect(&format!("/view-cos/{number}/assigned"));
                return Ok(());
            }
            return Err(AppError::Forbidden(m));
        }
        Err(e) => return Err(e),
    };
    let version: i32 = version.trim().parse().map_err(|_| AppError::BadRequest("This form cannot be read. Open the CoS again.".into()))?;
    let back = |problem: &str| format!("/view-cos/{}/assign?problem={problem}", d.cos_number);
    let owner_only = permissions::sees_only_own(&actor).then_some(actor.user_id);
    let mut tx = pool.begin().await?;
    db::acting_as(&mut tx, actor.user_id).await?;
    let today = uk_today(&mut tx).await?;
    if d.status != "READY TO GO" || ssr::start_date_refusal(ssr::start_of(&d.form), today).is_some() {
        tx.rollback().await?;
        redirect(&back("not-ready"));
        return Ok(());
    }
    let (from, to) = ssr::year(today);
    let (allocation, used) = db::drafts::lock_allocation(&mut tx, actor.sponsor_id, from, to).await?;
    if used >= allocation {
        tx.rollback().await?;
        redirect(&back("allocation"));
        return Ok(());
    }
    let Some(expiry) = db::drafts::assign(&mut tx, actor.sponsor_id, d.id, version, owner_only, today, actor.user_id).await? else {
        tx.rollback().await?;
        redirect(&back("changed"));
        return Ok(());
    };
    audit::record(&mut tx, audit::Event {
        sponsor_id: Some(actor.sponsor_id),
        actor_kind: "USER",
        actor_user_id: Some(actor.user_id),
        action: "cos_assigned",
        entity: Some("cos"),
        entity_id: Some(d.id),
        details: serde_json::json!({ "cos_number": d.cos_number, "date_assigned": today.to_string(), "expiry_date": expiry.to_string() }),
    })
    .await?;
    tx.commit().await?;
    redirect(&format!("/view-cos/{}/assigned", d.cos_number));
    Ok(())
}

/// "Create a batch of CoS" in `route`, with what a refused upload left to show.
#[server(endpoint = "create/batch_form")]
pub async fn load_batch_form(route: String) -> Result<BatchFormScreen, AppError> {
    use crate::api::ssr::{actor, pool, session};

    let (actor, _) = actor().await?;
    let pool = pool()?;
    let (route_id, route, _) = ssr::route(&pool, &route).await?;
    let mut screen = BatchFormScreen {
        route_id,
        route,
        token: uuid::Uuid::new_v4().to_string(),
        addresses: ssr::addresses(&pool, &actor).await?,
        ..Default::default()
    };
    let session = session().await?;
    let flash = session.get::<ssr::BatchFlash>(ssr::BATCH_FLASH_KEY).await?;
    if let Some(f) = flash.filter(|f| f.path == ssr::batch_form_path(route_id)) {
        session.remove_value(ssr::BATCH_FLASH_KEY).await?;
        (screen.reference, screen.form, screen.errors, screen.problems, screen.more) = (f.reference, f.form, f.errors, f.problems, f.more);
    }
    Ok(screen)
}

/// "Assign batch": the batch's READY TO GO CoS the user may assign, the fee, the allocation.
#[server(endpoint = "create/batch_assign_screen")]
pub async fn load_batch_assign(batch_id: String) -> Result<BatchAssignScreen, AppError> {
    use crate::api::ssr::{actor, pool};
    use crate::db::{self, status_changes::uk_today};
    use crate::domain::{cos_form::fee_pounds, permissions};

    let (actor, _) = actor().await?;
    let pool = pool()?;
    let b = crate::api::batches::ssr::reachable(&pool, &actor, &batch_id, permissions::can_transfer).await?;
    let owner_only = permissions::sees_only_own(&actor).then_some(actor.user_id);
    let mut tx = pool.begin().await?;
    db::acting_as(&mut tx, actor.user_id).await?;
    let today = uk_today(&mut tx).await?;
    // Read under the same locks the assignment takes, and let go at once.
    let ready = db::drafts::lock_ready_in_batch(&mut tx, actor.sponsor_id, b.id, owner_only).await?;
    tx.rollback().await?;
    let (from, to) = ssr::year(today);
    let (allocation, used) = db::attention::allocation(&pool, actor.sponsor_id, from, to).await?;
    let category: String = db::drafts::active_routes(&pool)
        .await?
        .into_iter()
        .find(|r| r.1 == b.route)
        .map(|r| r.2)
        .unwrap_or_else(|| "Worker".into());
    let refusal = if ready.is_empty() {
        Some("None of the CoS of this batch that you can assign is READY TO GO.".to_string())
    } else {
        ready.iter().find_map(|(_, start)| ssr::start_date_refusal(*start, today))
    };
    Ok(BatchAssignScreen {
        batch_id: b.id,
        reference: b.reference,
        route: b.route,
        ready: ready.len() as i64,
        fee_each: fee_pounds(&category),
        allocation: allocation.into(),
        left: (i64::from(allocation) - used).max(0),
        refusal,
    })
}

/// "Assign batch": every READY TO GO CoS of the batch the user may assign, at once, or none
/// when the allocation cannot cover them all. `ready`: how many the confirmation showed; if
/// that changed meanwhile nothing is assigned and the confirmation is shown again.
#[server(endpoint = "create/assign_batch")]
pub async fn assign_batch(batch_id: String, ready: String) -> Result<(), AppError> {
    use crate::api::ssr::{actor, pool, redirect};
    use crate::db::{self, audit, status_changes::uk_today};
    use crate::domain::permissions;

    let (actor, _) = actor().await?;
    let pool = pool()?;
    let b = crate::api::batches::ssr::reachable(&pool, &actor, &batch_id, permissions::can_transfer).await?;
    let shown: usize = ready.trim().parse().map_err(|_| AppError::BadRequest("This form cannot be read. Open the batch again.".into()))?;
    let back = |problem: &str| format!("/view-cos/batches/{}/assign?problem={problem}", b.id);
    let owner_only = permissions::sees_only_own(&actor).then_some(actor.user_id);
    let mut tx = pool.begin().await?;
    db::acting_as(&mut tx, actor.user_id).await?;
    let today = uk_today(&mut tx).await?;
    let (from, to) = ssr::year(today);
    // The sponsor first, then its CoS in id order: the order every assignment locks in.
    let (allocation, used) = db::drafts::lock_allocation(&mut tx, actor.sponsor_id, from, to).await?;
    let ready = db::drafts::lock_ready_in_batch(&mut tx, actor.sponsor_id, b.id, owner_only).await?;
    if ready.is_empty() && shown > 0 {
        // Sent twice: the first assigned them all.
        tx.rollback().await?;
        redirect(&format!("/view-cos/batches/{}?assigned={shown}", b.id));
        return Ok(());
    }
    let problem = if ready.len() != shown {
        Some("changed")
    } else if ready.iter().any(|(_, start)| ssr::start_date_refusal(*start, today).is_some()) {
        Some("not-ready")
    } else if used + ready.len() as i64 > allocation.into() {
        Some("allocation")
    } else {
        None
    };
    if let Some(p) = problem {
        tx.rollback().await?;
        redirect(&back(p));
        return Ok(());
    }
    let ids: Vec<i64> = ready.iter().map(|r| r.0).collect();
    let assigned = db::drafts::assign_many(&mut tx, actor.sponsor_id, &ids, today, actor.user_id).await?;
    audit::record(&mut tx, audit::Event {
        sponsor_id: Some(actor.sponsor_id),
        actor_kind: "USER",
        actor_user_id: Some(actor.user_id),
        action: "batch_assigned",
        entity: Some("batch"),
        entity_id: Some(b.id),
        details: serde_json::json!({ "reference": b.reference, "assigned": assigned, "date_assigned": today.to_string() }),
    })
    .await?;
    tx.commit().await?;
    redirect(&format!("/view-cos/batches/{}?assigned={assigned}", b.id));
    Ok(())
}
