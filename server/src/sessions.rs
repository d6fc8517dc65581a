//! The session store as the app uses it: a session once deleted (signed out, or replaced at
//! sign-in) is never written again. Without this, a request still in flight at sign-out
//! would save its copy of the session afterwards and bring it back to life.

use async_trait::async_trait;
use std::sync::Arc;
use tokio::sync::Mutex;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Result, SessionStore};

/// Locks striped by session id: a save and a delete of the same session never interleave.
const STRIPES: usize = 64;

#[derive(Clone, Debug)]
pub struct EndedStaysEnded<S> {
    inner: S,
    /// Ids deleted in this process, remembered for longer than any session can live.
    ended: moka::future::Cache<i128, ()>,
    stripes: Arc<Vec<Mutex<()>>>,
}

impl<S> EndedStaysEnded<S> {
    pub fn new(inner: S, remember: std::time::Duration) -> Self {
        Self {
            inner,
            ended: moka::future::Cache::builder().time_to_live(remember).max_capacity(1_000_000).build(),
            stripes: Arc::new((0..STRIPES).map(|_| Mutex::new(())).collect()),
        }
    }

    fn stripe(&self, id: &Id) -> &Mutex<()> {
        &self.stripes[(id.0.unsigned_abs() % STRIPES as u128) as usize]
    }
}

#[async_trait]
impl<S: SessionStore + Clone> SessionStore for EndedStaysEnded<S> {
    async fn create(&self, record: &mut Record) -> Result<()> {
        // A session flushed at sign-out and then given new data (the "You have signed out"
        // notice) is created again under its old id: it gets a new one.
        while self.ended.contains_key(&record.id.0) {
            record.id = Id::default();
        }
        self.inner.create(record).await
    }

    async fn save(&self, record: &Record) -> Result<()> {
        let _one_at_a_time = self.stripe(&record.id).lock().await;
        if self.ended.contains_key(&record.id.0) {
            return Ok(());
        }
        self.inner.save(record).await
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        if self.ended.contains_key(&id.0) {
            return Ok(None);
        }
        self.inner.load(id).await
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        let _one_at_a_time = self.stripe(id).lock().await;
        self.ended.insert(id.0, ()).await;
        self.inner.delete(id).await
    }
}
