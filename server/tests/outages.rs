//! Faults beyond one request (issue 21): the database stopped as by a crash under a running
//! server, the server killed with SIGKILL in the middle of a batch transfer, and a SIGTERM
//! with a request in flight. Each test runs a PostgreSQL cluster of its own in a temporary
//! directory (the shared one serves the other tests, and these stop theirs), and the last
//! two run the server binary as a process.

mod common;

use common::{location, seed_demo, spawn_with_pool, ServerProcess, TODAY};
use server::embedded_pg::Cluster;
use sqlx::PgPool;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// A cluster of the test's own, removed when the test ends.
struct TempCluster {
    cluster: Cluster,
    root: PathBuf,
}

impl TempCluster {
    /// Its directory, for a server process to run the cluster itself (`SMS_TARGET_DIR`).
    fn dir(name: &str) -> PathBuf {
        let root = std::env::temp_dir().join(format!("sms-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        root
    }

    fn at(root: PathBuf) -> TempCluster {
        TempCluster { cluster: Cluster::new(&root).unwrap(), root }
    }

    async fn started(name: &str) -> TempCluster {
        let mut t = TempCluster::at(TempCluster::dir(name));
        t.cluster.start().unwrap();
        t.cluster.ensure_database("sms").await.unwrap();
        t
    }

    async fn pool(&self) -> PgPool {
        let pool = PgPool::connect_with(self.cluster.options("sms")).await.unwrap();
        app::db::MIGRATOR.run(&pool).await.unwrap();
        pool
    }
}

impl Drop for TempCluster {
    fn drop(&mut self) {
        let _ = self.cluster.stop(true);
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

async fn status_of(c: &reqwest::Client, url: String) -> (u16, Duration) {
    let t = Instant::now();
    let s = c.get(url).send().await.map(|r| r.status().as_u16()).unwrap_or(0);
    (s, t.elapsed())
}

/// A database restart: during the outage pages answer 503 quickly; afterwards the same server
/// answers again, with the same sessions, and its expiry job carries on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_outlives_a_database_restart() {
    let mut db = TempCluster::started("restart").await;
    let pool = db.pool().await;
    seed_demo(&pool).await;
    let number: String = sqlx::query_scalar(
        "SELECT c.cos_number FROM cos c JOIN users u ON u.sponsor_id = c.sponsor_id WHERE u.user_id = 'l1.demo' AND c.status = 'ASSIGNED' ORDER BY c.id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let app_pool = server::startup::pool_options().connect_with(server::startup::connect_options(db.cluster.options("sms"))).await.unwrap();
    let job = tokio::spawn(server::jobs::expire_cos_continuously(app_pool.clone(), Duration::from_millis(300)));
    let app = spawn_with_pool(pool.clone(), app_pool).await;
    let c = app.signed_in("l1.demo", "demo-password-1").await;
    let pages = [format!("/view-cos/{number}"), "/view-cos/advanced?status=assigned".to_string(), "/".to_string()];
    for p in &pages {
        assert_eq!(status_of(&c, app.url(p)).await.0, 200, "{p} before");
    }

    // A live stream open across the outage (a client of its own: no time limit on reading).
    let streamer = common::browser().build().unwrap();
    assert_eq!(app.sign_in(&streamer, "l1.demo", "demo-password-1", "/").await.status(), 303);
    let mut stream = common::EventStream::open(&streamer, app.url("/changes")).await;

    db.cluster.stop_immediately().unwrap();
    for p in &pages {
        let (s, took) = status_of(&c, app.url(p)).await;
        assert_eq!(s, 503, "{p} while the database is down");
        assert!(took < Duration::from_secs(8), "{p} answered after {took:?}");
    }
    // Signing in, which writes a session, is told the same.
    let other = app.client();
    let t = Instant::now();
    let r = app.sign_in(&other, "l2.demo", "demo-password-2", "/").await;
    assert_eq!(r.status(), 503, "sign-in while the database is down");
    assert!(t.elapsed() < Duration::from_secs(8));

    db.cluster.start().unwrap();
    let back = Instant::now();
    loop {
        let (s, _) = status_of(&c, app.url(&pages[0])).await;
        if s == 200 {
            break;
        }
        assert!(back.elapsed() < Duration::from_secs(20), "still {s} after the database came back");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for p in &pages {
        assert_eq!(status_of(&c, app.url(p)).await.0, 200, "{p} after");
    }
    // The job, which failed while the database was down, expires a CoS that falls due now.
    let pool = db.pool().await;
    sqlx::query("UPDATE cos SET date_assigned = ($2::date - interval '3 months')::date, expiry_date = $2 WHERE cos_number = $1")
        .bind(&number).bind(TODAY - time::Duration::days(30)).execute(&pool).await.unwrap();
    let waited = Instant::now();
    loop {
        let status: String = sqlx::query_scalar("SELECT status FROM cos WHERE cos_number = $1").bind(&number).fetch_one(&pool).await.unwrap();
        if status == "EXPIRED" {
            break;
        }
        assert!(waited.elapsed() < Duration::from_secs(10), "the expiry job stopped with the database");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The stream carried on: told that changes may have been missed while the server listened
    // again, then of the expiry, which happened after the restart.
    let mut missed = false;
    loop {
        let (name, data) = stream.next(Duration::from_secs(10)).await.expect("the stream hears changes after the restart");
        if name.as_deref() == Some("missed") {
            missed = true;
        } else if data.contains(&number) {
            assert!(data.contains("\"kind\":\"cos\""), "{data}");
            break;
        }
    }
    assert!(missed, "the browser is told it may have missed changes");
    job.abort();
    drop(app);
    pool.close().await;
}

/// Waits until a backend of the database is waiting on a lock in a statement containing `sql`.
async fn waiting_on_lock(pool: &PgPool, sql: &str) {
    let t = Instant::now();
    loop {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%' || $1 || '%'")
            .bind(sql)
            .fetch_one(pool)
            .await
            .unwrap();
        if n > 0 {
            return;
        }
        assert!(t.elapsed() < Duration::from_secs(20), "no statement waits on the lock");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// kill -9 in the middle of a 10,000-CoS batch transfer: the batch's row changed and every
/// CoS but one locked when the process dies. Nothing of it lands; started again, the server
/// moves the whole batch, with a history row per CoS and one audit event.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_batch_transfer_leaves_it_wholly_undone() {
    let db = TempCluster::started("kill").await;
    let pool = db.pool().await;
    server::seed::seed(&pool, &server::seed::Params { cos: 12_000, largest: Some(11_000), ..server::seed::Params::demo(TODAY) }).await.unwrap();
    let (acme, l1): (i64, i64) = sqlx::query_as("SELECT sponsor_id, id FROM users WHERE user_id = 'l1.demo'").fetch_one(&pool).await.unwrap();
    let (batch, version, owner): (i64, i32, i64) =
        sqlx::query_as("SELECT id, version, owner_id FROM batches WHERE sponsor_id = $1 ORDER BY id LIMIT 1").bind(acme).fetch_one(&pool).await.unwrap();
    sqlx::query("UPDATE cos SET batch_id = $2 WHERE sponsor_id = $1 AND id IN (SELECT id FROM cos WHERE sponsor_id = $1 ORDER BY id LIMIT 10000)")
        .bind(acme).bind(batch).execute(&pool).await.unwrap();
    sqlx::query("UPDATE cos SET batch_id = NULL WHERE sponsor_id = $1 AND batch_id = $2 AND id NOT IN (SELECT id FROM cos WHERE sponsor_id = $1 ORDER BY id LIMIT 10000)")
        .bind(acme).bind(batch).execute(&pool).await.unwrap();
    let to: i64 = sqlx::query_scalar("SELECT id FROM users WHERE sponsor_id = $1 AND active AND id <> $2 ORDER BY id LIMIT 1").bind(acme).bind(owner).fetch_one(&pool).await.unwrap();
    let owners = "SELECT array_agg(o.owner_id ORDER BY o.cos_id) FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id WHERE c.sponsor_id = $1 AND c.batch_id = $2";
    let owners_before: Vec<i64> = sqlx::query_scalar(owners).bind(acme).bind(batch).fetch_one(&pool).await.unwrap();
    assert_eq!(owners_before.len(), 10_000);
    let to_move = owners_before.iter().filter(|o| **o != to).count() as i64;
    let last: i64 = sqlx::query_scalar("SELECT max(id) FROM cos WHERE sponsor_id = $1 AND batch_id = $2").bind(acme).bind(batch).fetch_one(&pool).await.unwrap();
    let envs = [("DATABASE_URL", db.cluster.url("sms"))];

    let mut server = ServerProcess::start(&["serve", "--seed-demo"], &envs).await;
    let c = server.signed_in("l1.demo", "demo-password-1").await;
    // The last CoS of the batch is held by the test: the transfer locks the rest, then waits.
    let mut hold = pool.begin().await.unwrap();
    sqlx::query("SELECT 1 FROM cos_owners WHERE sponsor_id = $1 AND cos_id = $2 FOR UPDATE").bind(acme).bind(last).execute(&mut *hold).await.unwrap();
    let form = [("batch_id", batch.to_string()), ("to_user", to.to_string()), ("version", version.to_string())];
    let url = server.url("/api/batches/transfer");
    let request = tokio::spawn({
        let c = c.clone();
        let form = form.clone();
        async move { c.post(url).form(&form).send().await.map(|r| r.status().as_u16()) }
    });
    waiting_on_lock(&pool, "ownership_history").await;
    server.signal(libc::SIGKILL);
    server.exited(Duration::from_secs(5)).await;
    assert!(request.await.unwrap().is_err(), "the request dies with the server");
    hold.rollback().await.unwrap();
    // The database ends the dead server's transaction when it finds the client gone.
    let t = Instant::now();
    while sqlx::query_scalar::<_, i64>("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%ownership_history%' AND pid <> pg_backend_pid() AND state <> 'idle'")
        .fetch_one(&pool)
        .await
        .unwrap()
        > 0
    {
        assert!(t.elapsed() < Duration::from_secs(20), "the dead server's transaction still runs");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let batch_now: (i64, i32) = sqlx::query_as("SELECT owner_id, version FROM batches WHERE sponsor_id = $1 AND id = $2").bind(acme).bind(batch).fetch_one(&pool).await.unwrap();
    assert_eq!(batch_now, (owner, version), "the batch's own row is as it was");
    let owners_now: Vec<i64> = sqlx::query_scalar(owners).bind(acme).bind(batch).fetch_one(&pool).await.unwrap();
    assert!(owners_now == owners_before, "no CoS of the batch moved");
    let history: i64 = sqlx::query_scalar("SELECT count(*) FROM ownership_history WHERE sponsor_id = $1 AND batch_id = $2").bind(acme).bind(batch).fetch_one(&pool).await.unwrap();
    let audits: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'batch_transferred' AND entity_id = $1").bind(batch).fetch_one(&pool).await.unwrap();
    assert_eq!((history, audits), (0, 0), "no history and no audit of a move that did not happen");

    // Started again: the same form moves the whole batch.
    let server = ServerProcess::start(&["serve", "--seed-demo"], &envs).await;
    let c = server.signed_in("l1.demo", "demo-password-1").await;
    let r = c.post(server.url("/api/batches/transfer")).form(&form).send().await.unwrap();
    assert!(matches!(r.status().as_u16(), 302 | 303));
    assert!(location(&r).starts_with(&format!("/view-cos/batches/{batch}/transferred?moved=")), "{}", location(&r));
    let owners_now: Vec<i64> = sqlx::query_scalar(owners).bind(acme).bind(batch).fetch_one(&pool).await.unwrap();
    assert!(owners_now.iter().all(|o| *o == to), "every CoS of the batch moved");
    let history: i64 = sqlx::query_scalar("SELECT count(*) FROM ownership_history WHERE sponsor_id = $1 AND batch_id = $2 AND to_user_id = $3 AND by_user_id = $4")
        .bind(acme).bind(batch).bind(to).bind(l1).fetch_one(&pool).await.unwrap();
    assert_eq!(history, to_move);
    let moved: i64 = sqlx::query_scalar("SELECT (details->>'cos_moved')::bigint FROM audit_log WHERE action = 'batch_transferred' AND entity_id = $1")
        .bind(batch).fetch_one(&pool).await.unwrap();
    assert_eq!(moved, to_move);
    drop(server);
    pool.close().await;
}

/// SIGTERM lets a request in flight finish, takes no new ones, then stops the server's own
/// database cleanly; a second SIGTERM stops at once, and what it cut off is not half done.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_the_requests_in_flight_then_stops_the_database() {
    let dir = TempCluster::dir("sigterm");
    let db = TempCluster::at(dir.clone());
    let envs = [("SMS_TARGET_DIR", dir.display().to_string())];
    let mut server = ServerProcess::start(&["serve", "--seed-demo"], &envs).await;
    // While it runs: transparent huge pages are off for the process (main.rs; with them on,
    // the kernel grew its RSS by half over `make load`'s soak, in pages it filled in itself).
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.child.id())).unwrap();
    if let Some(thp) = status.lines().find(|l| l.starts_with("THP_enabled:")) {
        assert!(thp.ends_with('0'), "{thp}");
    }
    let pool = db.pool().await;
    let transfer = |pool: PgPool, skip: i64| async move {
        let (acme, cos, number, owner, version): (i64, i64, String, i64, i32) = sqlx::query_as(
            "SELECT c.sponsor_id, c.id, c.cos_number, o.owner_id, o.version FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id
             JOIN users u ON u.sponsor_id = c.sponsor_id WHERE u.user_id = 'l1.demo' ORDER BY c.id OFFSET $1 LIMIT 1",
        )
        .bind(skip)
        .fetch_one(&pool)
        .await
        .unwrap();
        let to: i64 = sqlx::query_scalar("SELECT id FROM users WHERE sponsor_id = $1 AND active AND id <> $2 ORDER BY id LIMIT 1")
            .bind(acme).bind(owner).fetch_one(&pool).await.unwrap();
        (cos, number, owner, version, to)
    };
    let owner_of = "SELECT owner_id FROM cos_owners WHERE cos_id = $1";

    // A transfer waits on a lock the test holds when the signal comes.
    let (cos, number, _, version, to) = transfer(pool.clone(), 0).await;
    let c = server.signed_in("l1.demo", "demo-password-1").await;
    let mut hold = pool.begin().await.unwrap();
    sqlx::query("SELECT 1 FROM cos_owners WHERE cos_id = $1 FOR UPDATE").bind(cos).execute(&mut *hold).await.unwrap();
    let form = [("cos_number", number.clone()), ("to_user", to.to_string()), ("version", version.to_string()), ("q", String::new())];
    let request = tokio::spawn({
        let (c, url, form) = (c.clone(), server.url("/api/cos/transfer"), form.clone());
        async move { c.post(url).form(&form).send().await.map(|r| (r.status().as_u16(), location(&r))) }
    });
    waiting_on_lock(&pool, "UPDATE cos_owners").await;
    server.signal(libc::SIGTERM);
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(server.child.try_wait().unwrap().is_none(), "it waits for the request in flight");
    assert!(reqwest::get(server.url("/health")).await.is_err(), "and takes no new ones");
    hold.commit().await.unwrap();
    let (status, to_page) = request.await.unwrap().expect("the request in flight is answered");
    assert!(matches!(status, 302 | 303), "{status}");
    assert!(to_page.ends_with("/transferred"), "{to_page}");
    assert!(server.exited(Duration::from_secs(10)).await.success());
    assert!(!db.cluster.is_running(), "its database is stopped");
    let _ = pool.close().await;

    // Again, but the request is still held when a second SIGTERM comes: it stops at once.
    let mut db = db;
    db.cluster.start().unwrap();
    let pool = db.pool().await;
    assert_eq!(sqlx::query_scalar::<_, i64>(owner_of).bind(cos).fetch_one(&pool).await.unwrap(), to, "the first transfer landed");
    let (cos, number, owner, version, to) = transfer(pool.clone(), 1).await;
    pool.close().await;
    db.cluster.stop(true).unwrap();
    let mut server = ServerProcess::start(&["serve", "--seed-demo"], &envs).await;
    let pool = db.pool().await;
    let c = server.signed_in("l1.demo", "demo-password-1").await;
    let mut hold = pool.begin().await.unwrap();
    sqlx::query("SELECT 1 FROM cos_owners WHERE cos_id = $1 FOR UPDATE").bind(cos).execute(&mut *hold).await.unwrap();
    let form = [("cos_number", number), ("to_user", to.to_string()), ("version", version.to_string()), ("q", String::new())];
    let request = tokio::spawn({
        let (c, url) = (c.clone(), server.url("/api/cos/transfer"));
        async move { c.post(url).form(&form).send().await.map(|r| r.status().as_u16()) }
    });
    waiting_on_lock(&pool, "UPDATE cos_owners").await;
    server.signal(libc::SIGTERM);
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(server.child.try_wait().unwrap().is_none(), "it waits for the request in flight");
    let t = Instant::now();
    server.signal(libc::SIGTERM);
    assert!(server.exited(Duration::from_secs(10)).await.success());
    assert!(t.elapsed() < Duration::from_secs(5), "the second signal stops it at once");
    // Cut off: no answer, or "busy" when the database going down reached it first.
    let cut = request.await.unwrap();
    assert!(cut.as_ref().map_or(true, |s| *s == 503), "the request cut off: {cut:?}");
    drop(hold);
    drop(pool);
    db.cluster.start().unwrap();
    let pool = db.pool().await;
    assert_eq!(sqlx::query_scalar::<_, i64>(owner_of).bind(cos).fetch_one(&pool).await.unwrap(), owner, "the transfer cut off did not land");
    pool.close().await;
}
