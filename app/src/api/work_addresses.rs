//! Manage work addresses: the list, one address, and adding, saving and deleting them. Saves
//! and deletes are plain form posts (they work before the WebAssembly arrives): a refused one
//! leaves what was typed and why in the session for the form to show once, then sends the
//! browser back to the form.

use crate::domain::work_address::AddressForm;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const LIST: &str = "/work-addresses";

/// One pre-stored address as the screens show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedAddress {
    pub id: i64,
    /// The version shown; a save or delete checks it is still the one stored.
    pub version: i32,
    pub form: AddressForm,
    pub one_line: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressList {
    /// Level 1 users add, edit and delete; Level 2 users see.
    pub can_manage: bool,
    pub addresses: Vec<SavedAddress>,
    /// What the last save or delete did ("Work address … has been added.").
    pub notice: Option<String>,
}

/// What an address form shows: the address as stored (none when adding) and, after a refused
/// save, what was typed and why it was refused.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressScreen {
    pub can_manage: bool,
    pub saved: Option<SavedAddress>,
    pub typed: Option<AddressForm>,
    pub errors: Vec<(String, String)>,
    /// Someone else changed the address after it was opened: `saved` is how it is now.
    pub conflict: bool,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::*;
    use crate::db::work_addresses::Saved;

    pub const NOTICE_KEY: &str = "work_address_notice";
    pub const FLASH_KEY: &str = "work_address_form";

    /// A refused save, kept for the one form it belongs to.
    #[derive(Serialize, Deserialize)]
    pub struct Flash {
        pub path: String,
        pub form: AddressForm,
        pub errors: Vec<(String, String)>,
        pub conflict: bool,
    }

    pub fn saved(s: &Saved) -> SavedAddress {
        let a = s.address();
        SavedAddress { id: s.id, version: s.version, one_line: a.one_line(), form: a.to_form() }
    }

    pub fn form_path(id: Option<i64>) -> String {
        match id {
            Some(id) => format!("{LIST}/{id}"),
            None => format!("{LIST}/add"),
        }
    }

    pub async fn notify(message: String) -> Result<(), AppError> {
        let session = crate::api::ssr::session().await?;
        session.insert(NOTICE_KEY, message).await.map_err(AppError::from)
    }

    /// Back to the form with what was typed and what was wrong.
    pub async fn refuse(id: Option<i64>, form: AddressForm, errors: Vec<(String, String)>, conflict: bool) -> Result<(), AppError> {
        let path = form_path(id);
        let session = crate::api::ssr::session().await?;
        session
            .insert(FLASH_KEY, Flash { path: path.clone(), form, errors, conflict })
            .await
            ?;
        crate::api::ssr::redirect(&path);
        Ok(())
    }

    /// Only Level 1 users change addresses; anyone else's post is refused with a 403.
    pub fn may_manage(actor: &crate::domain::permissions::Actor) -> Result<(), AppError> {
        if crate::domain::permissions::can_manage_addresses(actor) {
            return Ok(());
        }
        Err(AppError::Forbidden("Only a Level 1 user can add, change or delete work addresses.".into()))
    }

    pub fn parse_id(id: &str) -> Result<i64, AppError> {
        id.trim().parse().map_err(|_| crate::api::ssr::not_found("That work address".into()))
    }
}

#[server(endpoint = "work_addresses/list")]
pub async fn list_work_addresses() -> Result<AddressList, AppError> {
    use crate::api::ssr::{actor, pool, session};
    use crate::db;
    use crate::domain::permissions;

    let (actor, _) = actor().await?;
    let addresses = db::work_addresses::list(&pool()?, actor.sponsor_id).await?.iter().map(ssr::saved).collect();
    // Read, and removed only when there is one: a removal always re-saves the session.
    let session = session().await?;
    let notice = session.get::<String>(ssr::NOTICE_KEY).await?;
    if notice.is_some() {
        session.remove_value(ssr::NOTICE_KEY).await?;
    }
    Ok(AddressList { can_manage: permissions::can_manage_addresses(&actor), addresses, notice })
}

/// The form of one address (`id`), or of a new one (`id` empty).
#[server(endpoint = "work_addresses/screen")]
pub async fn load_work_address(id: String) -> Result<AddressScreen, AppError> {
    use crate::api::ssr::{actor, not_found, pool, session};
    use crate::db;
    use crate::domain::permissions;

    let (actor, _) = actor().await?;
    let id = if id.is_empty() { None } else { Some(ssr::parse_id(&id)?) };
    let saved = match id {
        None => None,
        Some(id) => Some(
            db::work_addresses::by_id(&pool()?, actor.sponsor_id, id)
                .await?
                .ok_or_else(|| not_found("That work address".into()))?,
        ),
    };
    let session = session().await?;
    let flash = session.get::<ssr::Flash>(ssr::FLASH_KEY).await?;
    let flash = match flash {
        Some(f) if f.path == ssr::form_path(id) => {
            session.remove_value(ssr::FLASH_KEY).await?;
            Some(f)
        }
        _ => None,
    };
    let (typed, errors, conflict) = match flash {
        Some(f) => (Some(f.form), f.errors, f.conflict),
        None => (None, vec![], false),
    };
    Ok(AddressScreen { can_manage: permissions::can_manage_addresses(&actor), saved: saved.as_ref().map(ssr::saved), typed, errors, conflict })
}

/// Adds (`id` empty) or saves an address. Refused when a field is wrong, the identifier is
/// taken, nothing changed, or someone else changed the address since `version` was shown;
/// then nothing is written and the form shows why.
#[server(endpoint = "work_addresses/save")]
#[allow(clippy::too_many_arguments)]
pub async fn save_work_address(
    id: String,
    version: String,
    identifier: String,
    line1: String,
    line2: String,
    line3: String,
    town: String,
    county: String,
    postcode: String,
) -> Result<(), AppError> {
    use crate::api::ssr::{actor, pool};
    use crate::db::{self, audit};
    use crate::domain::work_address::NO_CHANGE;

    let (actor, _) = actor().await?;
    ssr::may_manage(&actor)?;
    let id = if id.is_empty() { None } else { Some(ssr::parse_id(&id)?) };
    let form = AddressForm { identifier, line1, line2, line3, town, county, postcode };
    let address = match form.parse() {
        Ok(a) => a,
        Err(errors) => return ssr::refuse(id, form, errors, false).await,
    };
    let taken = || vec![("identifier".to_string(), format!(
        "You already have a work address called \u{201c}{}\u{201d}. Choose a different address identifier", address.identifier
    ))];
    let pool = pool()?;
    let mut tx = pool.begin().await?;
    db::acting_as(&mut tx, actor.user_id).await?;
    let (entity_id, action, details) = match id {
        None => match db::work_addresses::insert(&mut tx, actor.sponsor_id, &address).await? {
            Ok(new_id) => (new_id, "work_address_added", serde_json::json!({ "address": address })),
            Err(_) => {
                tx.rollback().await?;
                let same = db::work_addresses::by_identifier(&pool, actor.sponsor_id, &address.identifier).await?;
                if same.is_some_and(|s| s.address() == address) {
                    // The same Add sent twice: it is already there.
                    ssr::notify(format!("Work address \u{201c}{}\u{201d} has been added.", address.identifier)).await?;
                    crate::api::ssr::redirect(LIST);
                    return Ok(());
                }
                return ssr::refuse(id, form, taken(), false).await;
            }
        },
        Some(id) => {
            let Some(current) = db::work_addresses::lock(&mut tx, actor.sponsor_id, id).await? else {
                tx.rollback().await?;
                ssr::notify("That work address has been deleted, so your changes were not saved.".into()).await?;
                crate::api::ssr::redirect(LIST);
                return Ok(());
            };
            let now = current.address();
            if version.trim().parse::<i32>().ok() != Some(current.version) {
                tx.rollback().await?;
                if now == address {
                    // The same save sent twice: it is already there.
                    ssr::notify(format!("Work address \u{201c}{}\u{201d} has been saved.", now.identifier)).await?;
                    crate::api::ssr::redirect(LIST);
                    return Ok(());
                }
                let message = "Someone else changed this work address after you opened it. Its details now are shown above your changes: check them, then select Save again to replace them with yours";
                return ssr::refuse(Some(id), form, vec![("identifier".into(), message.into())], true).await;
            }
            if now == address {
                tx.rollback().await?;
                return ssr::refuse(Some(id), form, vec![("identifier".into(), NO_CHANGE.into())], false).await;
            }
            match db::work_addresses::update(&mut tx, actor.sponsor_id, id, current.version, &address).await? {
                Ok(true) => (id, "work_address_changed", serde_json::json!({ "before": now, "after": address })),
                // Cannot happen while the row is locked at this version; refused, not panicked.
                Ok(false) => {
                    tx.rollback().await?;
                    return Err(AppError::Conflict("The work address changed while it was being saved. Try again.".into()));
                }
                Err(_) => {
                    tx.rollback().await?;
                    return ssr::refuse(Some(id), form, taken(), false).await;
                }
            }
        }
    };
    audit::record(&mut tx, audit::Event {
        sponsor_id: Some(actor.sponsor_id),
        actor_kind: "USER",
        actor_user_id: Some(actor.user_id),
        action,
        entity: Some("work_address"),
        entity_id: Some(entity_id),
        details,
    })
    .await?;
    tx.commit().await?;
    let done = if action == "work_address_added" { "added" } else { "saved" };
    ssr::notify(format!("Work address \u{201c}{}\u{201d} has been {done}.", address.identifier)).await?;
    crate::api::ssr::redirect(LIST);
    Ok(())
}

/// Deletes an address if it is still as it was shown (`version`); CoS that were given a copy
/// keep it. Deleting one already gone lands on the list as if it had just been deleted.
#[server(endpoint = "work_addresses/delete")]
pub async fn delete_work_address(id: String, version: String) -> Result<(), AppError> {
    use crate::api::ssr::{actor, pool};
    use crate::db::{self, audit};

    let (actor, _) = actor().await?;
    ssr::may_manage(&actor)?;
    let id = ssr::parse_id(&id)?;
    let pool = pool()?;
    let mut tx = pool.begin().await?;
    db::acting_as(&mut tx, actor.user_id).await?;
    let Some(current) = db::work_addresses::lock(&mut tx, actor.sponsor_id, id).await? else {
        tx.rollback().await?;
        ssr::notify("That work address has been deleted.".into()).await?;
        crate::api::ssr::redirect(LIST);
        return Ok(());
    };
    if version.trim().parse::<i32>().ok() != Some(current.version) {
        tx.rollback().await?;
        crate::api::ssr::redirect(&format!("{LIST}/{id}/delete?problem=changed"));
        return Ok(());
    }
    db::work_addresses::delete(&mut tx, actor.sponsor_id, id, current.version).await?;
    let address = current.address();
    audit::record(&mut tx, audit::Event {
        sponsor_id: Some(actor.sponsor_id),
        actor_kind: "USER",
        actor_user_id: Some(actor.user_id),
        action: "work_address_deleted",
        entity: Some("work_address"),
        entity_id: Some(id),
        details: serde_json::json!({ "address": address }),
    })
    .await?;
    tx.commit().await?;
    ssr::notify(format!("Work address \u{201c}{}\u{201d} has been deleted.", address.identifier)).await?;
    crate::api::ssr::redirect(LIST);
    Ok(())
}
