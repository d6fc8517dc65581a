//! Background work of the server: expiring CoS, and removing expired sessions.

use app::db::{audit, status_changes};
use sqlx::PgPool;
use std::time::Duration;
use time::Date;
use tower_sessions::ExpiredDeletion;
use tower_sessions_sqlx_store::PostgresStore;

/// How often the expiry job runs (it also runs at start-up).
pub const EXPIRY_EVERY: Duration = Duration::from_secs(300);

/// Removes expired sessions every few minutes.
pub async fn delete_expired_sessions(store: PostgresStore) {
    if let Err(e) = store
        .continuously_delete_expired(tokio::time::Duration::from_secs(300))
        .await
    {
        tracing::error!("deleting expired sessions stopped: {e}");
    }
}

/// Forgets failed sign-ins under unknown user IDs a day after the last, every hour.
pub async fn forget_unknown_sign_in_failures(pool: PgPool) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        if let Err(e) = app::db::users::forget_old_unknown_failures(&pool).await {
            tracing::warn!("forgetting old sign-in failures: {e}");
        }
    }
}

/// Runs the expiry job now and then every `every`, for as long as the server runs. A failed
/// run is logged and the next one tries again.
pub async fn expire_cos_continuously(pool: PgPool, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tick.tick().await;
        match expire_cos(&pool, None).await {
            Ok(Some(n)) if n > 0 => tracing::info!("expired {n} CoS"),
            Ok(_) => {}
            Err(e) => tracing::error!("the expiry job failed: {e}"),
        }
    }
}

/// One run of the expiry job: every ASSIGNED CoS whose expiry date is before `today` (default:
/// today in the UK by the database's clock) becomes EXPIRED, with a history row by the system
/// and an audit event per sponsor, in one transaction. `None` when another server is running
/// the job at this moment (it holds the advisory lock); otherwise how many expired.
pub async fn expire_cos(pool: &PgPool, today: Option<Date>) -> sqlx::Result<Option<i64>> {
    let mut tx = pool.begin().await?;
    app::db::allow_long_statements(&mut tx).await?;
    if !status_changes::try_lock_expiry(&mut tx).await? {
        return Ok(None);
    }
    let today = match today {
        Some(d) => d,
        None => status_changes::uk_today(&mut tx).await?,
    };
    let expired = status_changes::expire_due(&mut tx, today).await?;
    for (sponsor_id, count) in &expired {
        audit::record(&mut tx, audit::Event {
            sponsor_id: Some(*sponsor_id),
            actor_kind: "SYSTEM",
            actor_user_id: None,
            action: "cos_expired",
            entity: None,
            entity_id: None,
            details: serde_json::json!({ "count": count, "expired_before": today.to_string() }),
        })
        .await?;
    }
    tx.commit().await?;
    Ok(Some(expired.iter().map(|e| e.1).sum()))
}
