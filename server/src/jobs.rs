//! Background work of the server.

use tower_sessions::ExpiredDeletion;
use tower_sessions_sqlx_store::PostgresStore;

/// Removes expired sessions every few minutes.
pub async fn delete_expired_sessions(store: PostgresStore) {
    if let Err(e) = store
        .continuously_delete_expired(tokio::time::Duration::from_secs(300))
        .await
    {
        tracing::error!("deleting expired sessions stopped: {e}");
    }
}
