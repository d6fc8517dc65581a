//! Sponsor notes: added to an ASSIGNED CoS, never changed or removed.

use sqlx::PgConnection;

pub enum Added {
    Yes(i64),
    /// The same note by the same user in the last minute: a double submit, added once.
    AlreadyThere,
    /// The CoS is no longer ASSIGNED (or no longer this Level 2 user's).
    NotAssigned,
}

pub async fn add(tx: &mut PgConnection, sponsor_id: i64, cos_id: i64, owner_only: Option<i64>, by: i64, note: &str) -> sqlx::Result<Added> {
    // Held against a withdrawal or transfer until the note is in.
    if !super::cos::hold_in_status(tx, sponsor_id, cos_id, owner_only, "ASSIGNED").await? {
        return Ok(Added::NotAssigned);
    }
    // Two submits of one note at once agree on which of them adds it.
    super::cos::lock_key(tx, &format!("sponsor_note:{by}:{cos_id}")).await?;
    let again: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sponsor_notes WHERE sponsor_id = $1 AND cos_id = $2 AND added_by = $3 AND note = $4
                        AND added_at > now() - interval '1 minute')",
    )
    .bind(sponsor_id)
    .bind(cos_id)
    .bind(by)
    .bind(note)
    .fetch_one(&mut *tx)
    .await?;
    if again {
        return Ok(Added::AlreadyThere);
    }
    let id = sqlx::query_scalar("INSERT INTO sponsor_notes (sponsor_id, cos_id, note, added_at, added_by) VALUES ($1, $2, $3, now(), $4) RETURNING id")
        .bind(sponsor_id)
        .bind(cos_id)
        .bind(note)
        .bind(by)
        .fetch_one(&mut *tx)
        .await?;
    Ok(Added::Yes(id))
}
