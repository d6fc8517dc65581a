//! Manage live CoS → "Add a sponsor note" (SMS guide 9): only on an ASSIGNED CoS, up to 2,000
//! characters, kept in order with who added it and when; never edited or deleted. A plain form
//! post; a refused note leaves what was typed and why in the session for the form to show once.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const MAX_NOTE: usize = 2000;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteScreen {
    pub cos_number: String,
    pub status: String,
    pub worker: String,
    /// Why no note can be added (not ASSIGNED), if so.
    pub refusal: Option<String>,
    pub typed: String,
    pub error: Option<String>,
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;

    pub const FLASH_KEY: &str = "note_form";

    #[derive(Serialize, Deserialize)]
    pub struct Flash {
        pub cos_number: String,
        pub note: String,
        pub error: String,
    }

    pub fn refusal(status: &str) -> Option<String> {
        (status != "ASSIGNED").then(|| format!("A sponsor note can only be added to an ASSIGNED CoS. This CoS is {status}."))
    }

    /// What is wrong with a note, if anything.
    pub fn check(note: &str) -> Result<String, String> {
        let note = note.replace("\r\n", "\n");
        let note = note.trim();
        if note.is_empty() {
            return Err("Enter the note".into());
        }
        if note.chars().count() > MAX_NOTE {
            return Err(format!("The note must be {} characters or fewer; it has {}", "2,000", note.chars().count()));
        }
        if crate::domain::search::has_control(&note.replace(['\n', '\t'], " ")) {
            return Err(crate::domain::search::CONTROL_MESSAGE.into());
        }
        Ok(note.to_string())
    }
}

pub fn note_path(cos_number: &str) -> String {
    format!("/sponsorship-duties/manage-live-cos/{cos_number}/note")
}

#[server(endpoint = "cos/note_form")]
pub async fn load_note_form(cos_number: String) -> Result<NoteScreen, AppError> {
    use crate::api::cos::worker_name;
    use crate::api::ssr::{reachable_cos, session};
    use crate::domain::permissions;

    let (_, _, c) = reachable_cos(&cos_number, permissions::can_view).await?;
    let session = session().await?;
    let flash = session.get::<ssr::Flash>(ssr::FLASH_KEY).await?;
    let flash = match flash {
        Some(f) if f.cos_number == c.cos_number => {
            session.remove_value(ssr::FLASH_KEY).await?;
            Some(f)
        }
        _ => None,
    };
    Ok(NoteScreen {
        refusal: ssr::refusal(&c.status),
        worker: worker_name(c.family_name.as_deref(), c.given_names.as_deref()),
        status: c.status,
        typed: flash.as_ref().map(|f| f.note.clone()).unwrap_or_default(),
        error: flash.map(|f| f.error),
        cos_number: c.cos_number,
    })
}

/// Adds the note, then back to Manage live CoS, which says so. The same note sent twice within
/// a minute (a double click) is added once.
#[server(endpoint = "cos/add_note")]
pub async fn add_note(cos_number: String, note: String, q: String) -> Result<(), AppError> {
    use crate::api::ssr::{reachable_cos, redirect, session};
    use crate::db::{self, audit};
    use crate::domain::{permissions, search::keep};

    let (actor, pool, c) = reachable_cos(&cos_number, permissions::can_view).await?;
    let back = format!("{}{}", note_path(&c.cos_number), keep(&q));
    if let Some(why) = ssr::refusal(&c.status) {
        return Err(AppError::Forbidden(why));
    }
    let text = match ssr::check(&note) {
        Ok(t) => t,
        Err(error) => {
            let session = session().await?;
            session
                .insert(ssr::FLASH_KEY, ssr::Flash { cos_number: c.cos_number.clone(), note, error })
                .await
                ?;
            redirect(&back);
            return Ok(());
        }
    };
    let owner_only = permissions::sees_only_own(&actor).then_some(actor.user_id);
    let mut tx = pool.begin().await?;
    db::acting_as(&mut tx, actor.user_id).await?;
    match db::notes::add(&mut tx, c.sponsor_id, c.id, owner_only, actor.user_id, &text).await? {
        db::notes::Added::Yes(id) => {
            audit::record(&mut tx, audit::Event {
                sponsor_id: Some(c.sponsor_id),
                actor_kind: "USER",
                actor_user_id: Some(actor.user_id),
                action: "sponsor_note_added",
                entity: Some("cos"),
                entity_id: Some(c.id),
                details: serde_json::json!({ "cos_number": c.cos_number, "note_id": id, "characters": text.chars().count() }),
            })
            .await?;
            tx.commit().await?;
        }
        db::notes::Added::AlreadyThere => tx.rollback().await?,
        db::notes::Added::NotAssigned => {
            tx.rollback().await?;
            return Err(AppError::Forbidden(ssr::refusal("not ASSIGNED any more").unwrap_or_default()));
        }
    }
    let sep = if q.is_empty() { "?" } else { "&" };
    redirect(&format!("/sponsorship-duties/manage-live-cos/{}{}{sep}noted=1", c.cos_number, keep(&q)));
    Ok(())
}
