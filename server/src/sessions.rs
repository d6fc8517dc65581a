//! The session store as the app uses it.
//!
//! `EndedStaysEnded`: a session once deleted (signed out, or replaced at sign-in) is never
//! written again. Without it, a request still in flight at sign-out would save its copy of the
//! session afterwards and bring it back to life.
//!
//! `Cached`: sessions read from memory, kept true on every server by change notifications.

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

/// The key a change notification names a session by: the first 16 hex digits of the SHA-256
/// of its id as the store writes it (migration 000017 computes the same in the database).
pub fn notice_key(id: &Id) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(id.to_string().as_bytes())[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// Sessions read from memory, written through to the store. Every server's copy is dropped
/// when any server saves or deletes that session (`changes` hears it from the database), and
/// all of them when the notifications may have been missed.
#[derive(Clone, Debug)]
pub struct SessionCache {
    records: moka::future::Cache<String, Record>,
    /// Moved on by every invalidation: a read from the store that began before one is not
    /// kept, as it may be the copy just invalidated.
    generation: Arc<std::sync::atomic::AtomicU64>,
}

impl SessionCache {
    pub fn new(capacity: u64) -> Self {
        Self { records: moka::future::Cache::new(capacity), generation: Default::default() }
    }

    pub async fn invalidate(&self, key: &str) {
        self.generation.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.records.invalidate(key).await;
    }

    pub fn invalidate_all(&self) {
        self.generation.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.records.invalidate_all();
    }
}

#[derive(Clone, Debug)]
pub struct Cached<S> {
    inner: S,
    cache: SessionCache,
}

impl<S> Cached<S> {
    pub fn new(inner: S, cache: SessionCache) -> Self {
        Self { inner, cache }
    }
}

#[async_trait]
impl<S: SessionStore + Clone> SessionStore for Cached<S> {
    async fn create(&self, record: &mut Record) -> Result<()> {
        self.inner.create(record).await?;
        self.cache.records.insert(notice_key(&record.id), record.clone()).await;
        Ok(())
    }

    async fn save(&self, record: &Record) -> Result<()> {
        self.inner.save(record).await?;
        self.cache.records.insert(notice_key(&record.id), record.clone()).await;
        Ok(())
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let key = notice_key(id);
        if let Some(r) = self.cache.records.get(&key).await.filter(|r| r.id == *id) {
            return Ok(Some(r));
        }
        let before = self.cache.generation.load(std::sync::atomic::Ordering::SeqCst);
        let record = self.inner.load(id).await?;
        if let Some(r) = &record {
            if self.cache.generation.load(std::sync::atomic::Ordering::SeqCst) == before {
                self.cache.records.insert(key, r.clone()).await;
            }
        }
        Ok(record)
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        self.inner.delete(id).await?;
        self.cache.invalidate(&notice_key(id)).await;
        Ok(())
    }
}
