//! Change notifications, heard from PostgreSQL: one listening connection per server process.
//!
//! The database announces every committed change on `sms_changes` (migration 000017), whoever
//! made it: this server, another one, the expiry job, the Home Office's commands. Here they
//! drop this process's cached copies of what changed (`Kept`: sessions, signed-in users, the
//! routes and activity types) and go on to every open live stream (`live.rs`). When the
//! connection is lost, it reconnects with backoff; anything may have changed meanwhile, so the
//! caches are emptied (signed-in users are read from the database until it is back) and the
//! streams told `Missed`.

use crate::sessions::SessionCache;
use app::db::advanced_search::ReferenceLists;
use app::db::users::SignedInUsers;
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, watch};

pub const CHANNEL: &str = "sms_changes";

/// How many changes a slow stream may fall behind before it is dropped (its browser reconnects).
const BACKLOG: usize = 1024;

/// One change, as the database announced it.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
pub struct Change {
    /// `cos`, `created`, `owner`, `note`, `activity`, `batch`, `work_address`, `user`, `session`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sponsor: Option<i64>,
    /// The users whose CoS these are (before and after, for a transfer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owners: Option<Vec<i64>>,
    /// The CoS numbers, when there are at most 100 of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cos: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ids: Option<Vec<i64>>,
    /// The user who made the change, when the app named one (`db::acting_as`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<i64>,
    /// A session's key (`sessions::notice_key`); never sent on to browsers.
    #[serde(default, skip_serializing)]
    pub key: Option<String>,
}

#[derive(Clone, Debug)]
pub enum Event {
    Changed(Arc<Change>),
    /// Notifications may have been lost (the database connection dropped): anything may have
    /// changed.
    Missed,
}

/// What this process keeps in memory, and the notifications keep true.
#[derive(Clone)]
pub struct Kept {
    pub sessions: SessionCache,
    pub users: SignedInUsers,
    pub lists: ReferenceLists,
}

impl Kept {
    /// Whatever happened before now was not heard: nothing kept may be trusted.
    fn forget_all(&self) {
        self.sessions.invalidate_all();
        self.users.hearing();
        self.lists.forget();
    }

    async fn forget(&self, change: &Change) {
        match change.kind.as_str() {
            "session" => {
                if let Some(key) = &change.key {
                    self.sessions.invalidate(key).await;
                }
            }
            "user" => match (change.sponsor, &change.ids) {
                (Some(sponsor), Some(ids)) => self.users.forget(sponsor, ids).await,
                _ => self.users.forget_all(),
            },
            "reference" => self.lists.forget(),
            _ => {}
        }
    }
}

/// The process's change feed. The listener stops when the last clone is dropped.
#[derive(Clone)]
pub struct Changes {
    events: broadcast::Sender<Event>,
    _running: Arc<watch::Sender<()>>,
}

impl Changes {
    /// Starts listening (in the background: a server starts even while the database is down).
    pub fn listen(pool: PgPool, kept: Kept) -> Changes {
        let (events, _) = broadcast::channel(BACKLOG);
        let (running, stopped) = watch::channel(());
        // A connection of its own, not one of the app's: a listener keeps its connection for
        // good, and the app's pool is sized for requests (a pool of one must still serve).
        let own = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .connect_lazy_with((*pool.connect_options()).clone());
        tokio::spawn(run(own, kept, events.clone(), stopped));
        Changes { events, _running: Arc::new(running) }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    /// How many live streams are open in this process.
    pub fn streams(&self) -> usize {
        self.events.receiver_count()
    }
}

async fn run(pool: PgPool, kept: Kept, events: broadcast::Sender<Event>, mut stopped: watch::Receiver<()>) {
    let mut backoff = Duration::from_millis(100);
    loop {
        let listened = tokio::select! {
            _ = stopped.changed() => return,
            listened = listen_until_lost(&pool, &kept, &events) => listened,
        };
        // Not heard from here until listening again: users are read from the database.
        kept.users.deaf();
        // Retried at once after a long listen; at up to 5 s apart while the database is away.
        backoff = if listened { Duration::from_millis(100) } else { (backoff * 2).min(Duration::from_secs(5)) };
        tokio::select! {
            _ = stopped.changed() => return,
            _ = tokio::time::sleep(backoff) => {}
        }
    }
}

/// Listens until the connection is lost. True when it was listening at all.
async fn listen_until_lost(pool: &PgPool, kept: &Kept, events: &broadcast::Sender<Event>) -> bool {
    let mut listener = match PgListener::connect_with(pool).await {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!("change notifications: cannot connect: {e}");
            return false;
        }
    };
    if let Err(e) = listener.listen(CHANNEL).await {
        tracing::warn!("change notifications: cannot listen: {e}");
        return false;
    }
    kept.forget_all();
    let _ = events.send(Event::Missed);
    loop {
        match listener.try_recv().await {
            Ok(Some(n)) => match serde_json::from_str::<Change>(n.payload()) {
                Ok(change) => {
                    // What this process keeps of it goes first; then on to the live streams,
                    // each filtered to what its user may see (`live.rs`).
                    kept.forget(&change).await;
                    let _ = events.send(Event::Changed(Arc::new(change)));
                }
                Err(e) => tracing::warn!("change notifications: unreadable {:?}: {e}", n.payload()),
            },
            // The connection was lost.
            Ok(None) => {
                tracing::warn!("change notifications: connection lost");
                return true;
            }
            Err(e) => {
                tracing::warn!("change notifications: {e}");
                return true;
            }
        }
    }
}
