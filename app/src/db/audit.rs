//! The append-only audit log.

use sqlx::PgConnection;

/// One audit event. Written in the same transaction as the change it records.
pub struct Event<'a> {
    pub sponsor_id: Option<i64>,
    pub actor_kind: &'a str,
    pub actor_user_id: Option<i64>,
    pub action: &'a str,
    pub entity: Option<&'a str>,
    pub entity_id: Option<i64>,
    pub details: serde_json::Value,
}

pub async fn record(conn: &mut PgConnection, e: Event<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (sponsor_id, actor_kind, actor_user_id, action, entity, entity_id, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(e.sponsor_id)
    .bind(e.actor_kind)
    .bind(e.actor_user_id)
    .bind(e.action)
    .bind(e.entity)
    .bind(e.entity_id)
    .bind(e.details)
    .execute(conn)
    .await?;
    Ok(())
}
