//! `make load`: many sponsors' users at once against a running release server over the bench
//! data (1,000,000 CoS, 1,000 sponsors). Each virtual user signs in (from an address of its
//! own on loopback, as offices do, so sign-in throttling by address does not pool them) and
//! runs a sponsor's day: searches, advanced searches, View CoS, histories, transfers, now and
//! then a batch transfer or an export. Prints per request type the throughput and p50/p95/p99
//! at 50 and at 200 users, the errors, the server's peak RSS; then a soak at 50 users with the
//! RSS at its start and end; before all that, 1,000 live-change streams (memory each, and how
//! soon each hears of a transfer); then View CoS against a static file of the same bytes from the
//! same server, and the page asked for with brotli as browsers do. Every request goes to 127.0.0.1, for a bounded time. Asserts nothing.
//!
//! Settings (environment): LOAD_BASE (the server), LOAD_SERVER_PID (for its RSS),
//! LOAD_SITE_ROOT (where the static copy is written), DATABASE_URL (the bench database, read
//! for users and CoS numbers), LOAD_SECS (each level, default 60), LOAD_SOAK_SECS (600),
//! LOAD_STREAMS (live streams held open, 1000; then also the notification's cost on a
//! 10,000-CoS transfer); 0 skips that part. LOAD_ONLY (say `viewcos,export`): only those kinds.

#[path = "../tests/common/mod.rs"]
mod common;

use hdrhistogram::Histogram;
use rand::{Rng, SeedableRng};
use sqlx::PgPool;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Search,
    AdvancedSearch,
    ViewCos,
    History,
    Transfer,
    BatchTransfer,
    Export,
}

/// How often each comes up in a day: (kind, weight).
const MIX: [(Kind, u32); 7] = [
    (Kind::Search, 22),
    (Kind::AdvancedSearch, 18),
    (Kind::ViewCos, 32),
    (Kind::History, 16),
    (Kind::Transfer, 8),
    (Kind::BatchTransfer, 1),
    (Kind::Export, 1),
];

/// What one virtual user works with: their sponsor's CoS, names and colleagues.
#[derive(Clone)]
struct Desk {
    login: String,
    sponsor_id: i64,
    cos: Vec<String>,
    family_names: Vec<String>,
    colleagues: Vec<i64>,
    batch: Option<i64>,
}

#[derive(Default)]
struct Tally {
    times: BTreeMap<Kind, Histogram<u64>>,
    errors: BTreeMap<Kind, u64>,
    examples: Vec<String>,
}

impl Tally {
    fn record(&mut self, kind: Kind, took: Duration, ok: Result<(), String>) {
        let h = self.times.entry(kind).or_insert_with(|| Histogram::new_with_bounds(1, 120_000_000, 3).unwrap());
        let _ = h.record(took.as_micros().max(1) as u64);
        if let Err(e) = ok {
            *self.errors.entry(kind).or_default() += 1;
            if self.examples.len() < 5 {
                self.examples.push(format!("{kind:?}: {e}"));
            }
        }
    }

    fn merge(&mut self, other: Tally) {
        for (k, h) in other.times {
            match self.times.get_mut(&k) {
                Some(mine) => mine.add(&h).unwrap(),
                None => {
                    self.times.insert(k, h);
                }
            }
        }
        for (k, n) in other.errors {
            *self.errors.entry(k).or_default() += n;
        }
        for e in other.examples {
            if self.examples.len() < 5 {
                self.examples.push(e);
            }
        }
    }
}

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

fn rss_mb(pid: Option<u32>) -> f64 {
    let Some(pid) = pid else { return 0.0 };
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok()))
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

async fn desks(pool: &PgPool, n: usize) -> Vec<Desk> {
    // A Level 1 user of each of the first sponsors (the largest among them), skipping the
    // demo sponsors' named users, whose passwords differ.
    let users: Vec<(String, i64)> = sqlx::query_as(
        "SELECT DISTINCT ON (sponsor_id) user_id, sponsor_id FROM users
         WHERE level = 1 AND active AND user_id LIKE 'user%' ORDER BY sponsor_id, id LIMIT $1",
    )
    .bind(n as i64)
    .fetch_all(pool)
    .await
    .unwrap();
    let mut out = Vec::new();
    for (login, sponsor_id) in users {
        let cos: Vec<(String, Option<String>)> = sqlx::query_as(
            "SELECT cos_number, family_name FROM cos WHERE sponsor_id = $1 ORDER BY id DESC LIMIT 40",
        )
        .bind(sponsor_id)
        .fetch_all(pool)
        .await
        .unwrap();
        let colleagues: Vec<i64> = sqlx::query_scalar("SELECT id FROM users WHERE sponsor_id = $1 AND active ORDER BY id")
            .bind(sponsor_id)
            .fetch_all(pool)
            .await
            .unwrap();
        // The smallest of their batches: a batch transfer moves every CoS of it.
        let batch: Option<i64> = sqlx::query_scalar(
            "SELECT b.id FROM batches b JOIN cos c ON c.sponsor_id = b.sponsor_id AND c.batch_id = b.id
             WHERE b.sponsor_id = $1 GROUP BY b.id ORDER BY count(*), b.id LIMIT 1",
        )
        .bind(sponsor_id)
        .fetch_optional(pool)
        .await
        .unwrap();
        if cos.is_empty() || colleagues.len() < 2 {
            continue;
        }
        out.push(Desk {
            login,
            sponsor_id,
            family_names: cos.iter().filter_map(|c| c.1.clone()).collect(),
            cos: cos.into_iter().map(|c| c.0).collect(),
            colleagues,
            batch,
        });
    }
    out
}

fn client(k: usize) -> reqwest::Client {
    // 127.0.1.x, 127.0.2.x …: an address of its own, still on loopback.
    let local = std::net::Ipv4Addr::new(127, 0, 1 + (k / 250) as u8, 1 + (k % 250) as u8);
    common::browser()
        .local_address(std::net::IpAddr::V4(local))
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

async fn sign_in(base: &str, c: &reqwest::Client, login: &str) -> Result<(), String> {
    let r = c
        .post(format!("{base}/sign-in"))
        .form(&[("user_id", login), ("password", server::seed::GENERATED_USER_PASSWORD), ("next", "/")])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    match r.headers().get("location").and_then(|l| l.to_str().ok()) {
        Some(l) if r.status() == 303 && !l.contains("sign-in") => Ok(()),
        _ => Err(format!("sign-in of {login}: {}", r.status())),
    }
}

/// Reads the whole answer; fine when its status is one of `ok`.
async fn expect(r: reqwest::Result<reqwest::Response>, ok: &[u16]) -> Result<String, String> {
    let r = r.map_err(|e| e.to_string())?;
    let status = r.status().as_u16();
    let body = r.text().await.map_err(|e| e.to_string())?;
    if ok.contains(&status) {
        Ok(body)
    } else {
        Err(format!("{status}: {}", body.chars().take(160).collect::<String>()))
    }
}

async fn one(kind: Kind, base: &str, c: &reqwest::Client, d: &Desk, pool: &PgPool, rng: &mut impl Rng) -> Result<(), String> {
    let number = &d.cos[rng.random_range(0..d.cos.len())];
    match kind {
        Kind::Search => {
            let name = d.family_names.get(rng.random_range(0..d.family_names.len().max(1))).cloned().unwrap_or_default();
            expect(c.get(format!("{base}/view-cos")).query(&[("family_name", name)]).send().await, &[200]).await.map(|_| ())
        }
        Kind::AdvancedSearch => {
            let status = ["assigned", "used", "withdrawn", "expired"][rng.random_range(0..4)];
            expect(c.get(format!("{base}/view-cos/advanced?status={status}")).send().await, &[200]).await.map(|_| ())
        }
        Kind::ViewCos => expect(c.get(format!("{base}/view-cos/{number}")).send().await, &[200]).await.map(|_| ()),
        Kind::History => {
            let which = ["ownership-history", "status-history"][rng.random_range(0..2)];
            expect(c.get(format!("{base}/view-cos/{number}/{which}")).send().await, &[200]).await.map(|_| ())
        }
        Kind::Transfer => {
            // As the dialog does: the form (owner, version, who may receive it), then the move.
            let r = c
                .post(format!("{base}/api/cos/transfer_form"))
                .header("accept", "application/json")
                .header("origin", base)
                .form(&[("cos_number", number.as_str())])
                .send()
                .await
                .map_err(|e| e.to_string())?;
            if r.status().is_client_error() {
                // Not one they may transfer now (used, or withdrawn meanwhile): told so.
                return Ok(());
            }
            let form = expect(Ok(r), &[200]).await?;
            let v: serde_json::Value = serde_json::from_str(&form).map_err(|e| format!("{e}: {form}"))?;
            let (Some(version), Some(users)) = (v.get("version"), v.get("users").and_then(|u| u.as_array())) else {
                // Not transferable now (withdrawn meanwhile, say): told so, which is no error.
                return Ok(());
            };
            let Some(to) = users.get(rng.random_range(0..users.len().max(1))).and_then(|u| u.get(0)).and_then(|id| id.as_i64()) else {
                return Ok(());
            };
            expect(
                c.post(format!("{base}/api/cos/transfer"))
                    .header("accept", "application/json")
                    .header("origin", base)
                    .form(&[("cos_number", number.clone()), ("to_user", to.to_string()), ("version", version.to_string()), ("q", String::new())])
                    .send()
                    .await,
                &[200, 409],
            )
            .await
            .map(|_| ())
        }
        Kind::BatchTransfer => {
            let Some(batch) = d.batch else { return Ok(()) };
            let (owner, version): (i64, i32) = sqlx::query_as("SELECT owner_id, version FROM batches WHERE sponsor_id = $1 AND id = $2")
                .bind(d.sponsor_id)
                .bind(batch)
                .fetch_one(pool)
                .await
                .map_err(|e| e.to_string())?;
            let others: Vec<i64> = d.colleagues.iter().copied().filter(|u| *u != owner).collect();
            let to = others[rng.random_range(0..others.len())];
            let r = c
                .post(format!("{base}/api/batches/transfer"))
                .form(&[("batch_id", batch.to_string()), ("to_user", to.to_string()), ("version", version.to_string())])
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let to_page = r.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or("").to_owned();
            if r.status().is_redirection() && (to_page.contains("/transferred") || to_page.contains("problem=changed")) {
                Ok(())
            } else {
                Err(format!("{} to {to_page}", r.status()))
            }
        }
        Kind::Export => {
            expect(c.get(format!("{base}/view-cos/advanced/export.csv?status=withdrawn")).send().await, &[200]).await.map(|_| ())
        }
    }
}

/// The day's mix, or only the kinds named in LOAD_ONLY (say `export,batchtransfer`): to tell
/// which kind of request a figure comes from.
fn mix() -> &'static [(Kind, u32)] {
    static MINE: std::sync::OnceLock<Vec<(Kind, u32)>> = std::sync::OnceLock::new();
    MINE.get_or_init(|| {
        let only = env("LOAD_ONLY", "").to_lowercase();
        let named: Vec<&str> = only.split(',').map(str::trim).filter(|n| !n.is_empty()).collect();
        let chosen: Vec<(Kind, u32)> = MIX.into_iter().filter(|(k, _)| named.is_empty() || named.contains(&format!("{k:?}").to_lowercase().as_str())).collect();
        assert!(!chosen.is_empty(), "LOAD_ONLY names none of {:?}", MIX.map(|m| m.0));
        chosen
    })
}

fn pick(rng: &mut impl Rng) -> Kind {
    let total: u32 = mix().iter().map(|m| m.1).sum();
    let mut at = rng.random_range(0..total);
    for &(k, w) in mix() {
        if at < w {
            return k;
        }
        at -= w;
    }
    Kind::ViewCos
}

/// The server's RSS over one minute under load, MB: the median of its samples (four a second)
/// and the last. A single sample swings by a fifth with what is in flight at that instant.
struct Minute {
    median: f64,
    last: f64,
}

/// `users` virtual users for `secs` seconds: the tally, the server's peak RSS, the time taken,
/// and its RSS minute by minute.
async fn run(base: &str, desks: &[Desk], clients: &[reqwest::Client], pool: &PgPool, users: usize, secs: u64, pid: Option<u32>) -> (Tally, f64, Duration, Vec<Minute>) {
    let until = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for k in 0..users {
        let (base, d, c, pool) = (base.to_owned(), desks[k % desks.len()].clone(), clients[k].clone(), pool.clone());
        tasks.push(tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(k as u64);
            let mut tally = Tally::default();
            while Instant::now() < until {
                let kind = pick(&mut rng);
                let t = Instant::now();
                let ok = one(kind, &base, &c, &d, &pool, &mut rng).await;
                tally.record(kind, t.elapsed(), ok);
            }
            tally
        }));
    }
    let started = Instant::now();
    let (mut peak, mut minutes, mut this_minute) = (rss_mb(pid), Vec::new(), Vec::new());
    while tasks.iter().any(|t| !t.is_finished()) {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let now = rss_mb(pid);
        peak = peak.max(now);
        this_minute.push(now);
        if started.elapsed() >= Duration::from_secs(60 * (minutes.len() as u64 + 1)) {
            minutes.push(Minute { median: median(&mut this_minute), last: now });
            this_minute.clear();
        }
    }
    let mut all = Tally::default();
    for t in tasks {
        all.merge(t.await.unwrap());
    }
    (all, peak, started.elapsed(), minutes)
}

fn print(users: usize, t: &Tally, peak: f64, took: Duration) {
    println!("\n{users} concurrent users, {:.0} s; server peak RSS {peak:.0} MB", took.as_secs_f64());
    println!("  {:<15} {:>9} {:>8} {:>8} {:>8} {:>8} {:>7}", "request", "count", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors");
    let mut total = 0;
    for (k, h) in &t.times {
        let q = |p: f64| h.value_at_quantile(p) as f64 / 1000.0;
        let errors = t.errors.get(k).copied().unwrap_or(0);
        total += errors;
        println!(
            "  {:<15} {:>9} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>7}",
            format!("{k:?}"),
            h.len(),
            h.len() as f64 / took.as_secs_f64(),
            q(0.50),
            q(0.95),
            q(0.99),
            errors
        );
    }
    println!("  errors: {total}");
    for e in &t.examples {
        println!("    e.g. {e}");
    }
}

/// The SSR ratio's rounds (`main`).
const RATIO_ROUNDS: usize = 7;
const RATIO_ROUND_SECS: u64 = 4;

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Requests a second for `url` from `n` clients for `secs` seconds.
async fn rate(clients: &[reqwest::Client], url: &str, secs: u64) -> (f64, u64) {
    rate_accepting(clients, url, "identity", secs).await
}

/// `rate`, asking for the answer in `encoding` as a browser does (`br, gzip`).
async fn rate_accepting(clients: &[reqwest::Client], url: &str, encoding: &'static str, secs: u64) -> (f64, u64) {
    let until = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for c in clients {
        let (c, url) = (c.clone(), url.to_owned());
        tasks.push(tokio::spawn(async move {
            let (mut n, mut bad) = (0u64, 0u64);
            while Instant::now() < until {
                match c.get(&url).header("accept-encoding", encoding).send().await {
                    Ok(r) if r.status() == 200 => {
                        let _ = r.bytes().await;
                        n += 1;
                    }
                    _ => bad += 1,
                }
            }
            (n, bad)
        }));
    }
    let (mut n, mut bad) = (0, 0);
    for t in tasks {
        let (a, b) = t.await.unwrap();
        n += a;
        bad += b;
    }
    (n as f64 / secs as f64, bad)
}

/// Live streams (issue 22): `n` browsers of one sponsor hold `GET /changes` open; the server's
/// memory per stream, and the time from a transfer's answer (its commit is just before) to
/// each stream hearing of it, over `rounds` transfers.
async fn live_streams(base: &str, pool: &PgPool, desk: &Desk, n: usize, rounds: usize, pid: Option<u32>) {
    // The transfers are made by a colleague: nobody is told of their own change.
    let colleague: Option<String> = sqlx::query_scalar(
        "SELECT user_id FROM users WHERE sponsor_id = $1 AND level = 1 AND active AND user_id LIKE 'user%' AND user_id <> $2 ORDER BY id LIMIT 1",
    )
    .bind(desk.sponsor_id)
    .bind(&desk.login)
    .fetch_optional(pool)
    .await
    .unwrap();
    let Some(colleague) = colleague else {
        println!("live streams: {} has no Level 1 colleague to make the changes", desk.login);
        return;
    };
    let viewer = common::browser().build().unwrap();
    let mover = client(0);
    if let Err(e) = sign_in(base, &viewer, &desk.login).await.and(sign_in(base, &mover, &colleague).await) {
        println!("live streams: {e}");
        return;
    }
    let before = rss_mb(pid);
    let (heard, mut arrivals) = tokio::sync::mpsc::unbounded_channel::<Instant>();
    let mut open = Vec::new();
    for _ in 0..n {
        let r = viewer.get(format!("{base}/changes")).header("accept", "text/event-stream").send().await;
        let Ok(mut r) = r.map_err(|e| println!("live stream: {e}")) else { continue };
        let heard = heard.clone();
        open.push(tokio::spawn(async move {
            while let Ok(Some(chunk)) = r.chunk().await {
                for _ in 0..String::from_utf8_lossy(&chunk).matches("\"kind\":\"owner\"").count() {
                    let _ = heard.send(Instant::now());
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let during = rss_mb(pid);
    println!(
        "\nLive streams: {} open; server RSS {before:.0} MB before, {during:.0} MB with them: {:.1} KB a stream",
        open.len(),
        (during - before) * 1024.0 / open.len().max(1) as f64
    );
    let mut latency = Histogram::<u64>::new(3).unwrap();
    let mut moved = 0;
    let mut late = 0;
    for number in desk.cos.iter().cycle().take(rounds * 4) {
        if moved == rounds {
            break;
        }
        let form = mover
            .post(format!("{base}/api/cos/transfer_form"))
            .header("accept", "application/json")
            .header("origin", base)
            .form(&[("cos_number", number.as_str())])
            .send()
            .await;
        let Ok(form) = form else { continue };
        let v: serde_json::Value = serde_json::from_str(&form.text().await.unwrap_or_default()).unwrap_or_default();
        let (Some(version), Some(to)) = (v.get("version"), v["users"].get(0).and_then(|u| u.get(0)).and_then(|id| id.as_i64())) else {
            continue;
        };
        let r = mover
            .post(format!("{base}/api/cos/transfer"))
            .header("accept", "application/json")
            .header("origin", base)
            .form(&[("cos_number", number.clone()), ("to_user", to.to_string()), ("version", version.to_string()), ("q", String::new())])
            .send()
            .await;
        if !r.is_ok_and(|r| r.status() == 200) {
            continue;
        }
        let answered = Instant::now();
        moved += 1;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        for _ in 0..open.len() {
            match tokio::time::timeout_at(deadline, arrivals.recv()).await {
                Ok(Some(at)) => latency.record(at.saturating_duration_since(answered).as_micros() as u64).unwrap(),
                _ => late += 1,
            }
        }
    }
    let ms = |q: f64| latency.value_at_quantile(q) as f64 / 1000.0;
    println!(
        "  {moved} transfers, heard {} times: from the answer to each stream, p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms; {late} not heard within 10 s",
        latency.len(),
        ms(0.5),
        ms(0.95),
        latency.max() as f64 / 1000.0
    );
    banner_latency(base, &desk.login, &colleague, &desk.cos, rounds);
    for t in open {
        t.abort();
    }
}

/// With the streams still open: the time from a transfer's commit to the banner on a real,
/// hydrated View CoS in Chromium (end2end/load/banner.spec.ts, which prints one sample a line).
fn banner_latency(base: &str, watcher: &str, mover: &str, cos: &[String], rounds: usize) {
    let end2end = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../end2end");
    if !end2end.join("node_modules/@playwright/test").exists() {
        println!("  commit to banner: not measured (no Playwright: run `make node-deps`)");
        return;
    }
    let out = std::process::Command::new("npx")
        .args(["playwright", "test", "-c", "load.config.ts"])
        .current_dir(&end2end)
        .env("LOAD_BASE", base)
        .env("LOAD_WATCHER", watcher)
        .env("LOAD_MOVER", mover)
        .env("LOAD_PASSWORD", server::seed::GENERATED_USER_PASSWORD)
        .env("LOAD_COS", cos.iter().take(rounds * 4).cloned().collect::<Vec<_>>().join(","))
        .env("LOAD_BANNER_ROUNDS", rounds.to_string())
        .output();
    let Ok(out) = out.map_err(|e| println!("  commit to banner: not measured ({e})")) else { return };
    let mut banner = Histogram::<u64>::new(3).unwrap();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if let Some(ms) = line.trim().strip_prefix("banner-ms ").and_then(|n| n.trim().parse::<i64>().ok()) {
            banner.record(ms.max(0) as u64).unwrap();
        }
    }
    if banner.is_empty() {
        println!("  commit to banner: no samples; Playwright said:\n{}", String::from_utf8_lossy(&out.stdout));
        return;
    }
    println!(
        "  commit to banner on a hydrated View CoS in Chromium ({} transfers, streams still open): p50 {} ms, p95 {} ms, max {} ms",
        banner.len(),
        banner.value_at_quantile(0.5),
        banner.value_at_quantile(0.95),
        banner.max()
    );
}

/// What the change notification costs a 10,000-CoS transfer: the trigger's time in the
/// statement's own plan (run and rolled back: nothing changes, nothing is announced).
async fn notification_cost(pool: &PgPool) {
    let mut tx = pool.begin().await.unwrap();
    let plan: serde_json::Value = sqlx::query_scalar(
        "EXPLAIN (ANALYZE, FORMAT JSON)
         UPDATE cos_owners o SET owner_id = (SELECT u.id FROM users u WHERE u.sponsor_id = o.sponsor_id AND u.id <> o.owner_id ORDER BY u.id LIMIT 1),
                version = o.version + 1
         WHERE (o.sponsor_id, o.cos_id) IN (
             SELECT sponsor_id, cos_id FROM cos_owners
             WHERE (sponsor_id, owner_id) = (SELECT sponsor_id, owner_id FROM cos_owners GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1)
             ORDER BY cos_id LIMIT 10000)",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    let top = &plan[0];
    let total = top["Execution Time"].as_f64().unwrap_or(0.0);
    for t in top["Triggers"].as_array().into_iter().flatten() {
        println!(
            "  a 10,000-CoS transfer in one statement: {total:.0} ms, of which trigger {} {:.1} ms in {} call(s)",
            t["Trigger Name"].as_str().unwrap_or("?"),
            t["Time"].as_f64().unwrap_or(0.0),
            t["Calls"]
        );
    }
}

#[tokio::main]
async fn main() {
    let base = env("LOAD_BASE", "http://127.0.0.1:3400");
    assert!(base.starts_with("http://127.0.0.1:"), "load is sent only to this machine");
    let pid: Option<u32> = std::env::var("LOAD_SERVER_PID").ok().and_then(|p| p.parse().ok());
    let secs: u64 = env("LOAD_SECS", "60").parse().unwrap();
    let soak: u64 = env("LOAD_SOAK_SECS", "600").parse().unwrap();
    let streams: usize = env("LOAD_STREAMS", "1000").parse().unwrap();
    let pool = PgPool::connect(&std::env::var("DATABASE_URL").expect("DATABASE_URL: the bench database")).await.unwrap();
    let levels = [50usize, 200];
    let desks = desks(&pool, 200).await;
    println!("{} sponsors' users; server RSS idle {:.0} MB", desks.len(), rss_mb(pid));

    // Everyone signs in first (argon2: the cost of a sign-in is on purpose), from their own address.
    let t = Instant::now();
    let mut clients = Vec::new();
    let mut failed = 0;
    for k in 0..levels[1] {
        let c = client(k);
        if let Err(e) = sign_in(&base, &c, &desks[k % desks.len()].login).await {
            failed += 1;
            eprintln!("{e}");
        }
        clients.push(c);
    }
    println!("{} sign-ins in {:.1} s, {failed} failed", levels[1], t.elapsed().as_secs_f64());

    // Live streams first, on a server that has not yet grown its heap: what a stream costs.
    if streams > 0 {
        live_streams(&base, &pool, &desks[0], streams, 20, pid).await;
        notification_cost(&pool).await;
    }

    for users in levels.into_iter().filter(|_| secs > 0) {
        let (tally, peak, took, _) = run(&base, &desks, &clients, &pool, users, secs, pid).await;
        print(users, &tally, peak, took);
    }

    if soak > 0 {
        let start = rss_mb(pid);
        let (tally, peak, took, minutes) = run(&base, &desks, &clients, &pool, levels[0], soak, pid).await;
        print(levels[0], &tally, peak, took);
        let end = rss_mb(pid);
        println!("  soak: RSS {start:.0} MB at its start, {end:.0} MB at its end ({:+.1}%)", (end / start - 1.0) * 100.0);
        // The start is read idle and the end straight after the load, before the allocator
        // gives memory back, so the two differ by the working set as much as by any leak. A
        // leak climbs minute after minute under the same load: the per-minute medians are the
        // figures to judge by (the samples at each minute's end are shown for comparison).
        let show = |f: fn(&Minute) -> f64| minutes.iter().map(|m| format!("{:.0}", f(m))).collect::<Vec<_>>().join(", ");
        if let (Some(first), Some(last)) = (minutes.first(), minutes.last()) {
            let low = minutes.iter().map(|m| m.median).fold(f64::INFINITY, f64::min);
            let high = minutes.iter().map(|m| m.median).fold(0.0, f64::max);
            println!(
                "  soak: RSS minute by minute under load, median of the minute's samples, MB: {} (lowest {low:.0}, highest {high:.0}; {:+.1}% from the first minute to the last)",
                show(|m| m.median),
                (last.median / first.median - 1.0) * 100.0
            );
            println!("  soak: RSS at the end of each minute, MB: {}", show(|m| m.last));
        }
    }

    // Server-side rendering against the same bytes as a static file, from the same server.
    let number = &desks[0].cos[0];
    let page = clients[0].get(format!("{base}/view-cos/{number}")).send().await.unwrap().bytes().await.unwrap();
    let site = env("LOAD_SITE_ROOT", "target/site");
    let name = format!("load-static-{}.html", std::process::id());
    let file = std::path::Path::new(&site).join("pkg").join(&name);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, &page).unwrap();
    let same = vec![clients[0].clone(); 16];
    // Alternating short rounds, each ratio from two rounds seconds apart: this machine's speed
    // drifts by up to half from one minute to the next, so two long runs a minute apart
    // compared the drift as much as the server.
    let (mut ssr, mut stat, mut ratios, mut bad) = (Vec::new(), Vec::new(), Vec::new(), 0);
    for _ in 0..RATIO_ROUNDS {
        let (a, a_bad) = rate(&same, &format!("{base}/view-cos/{number}"), RATIO_ROUND_SECS).await;
        let (b, b_bad) = rate(&same, &format!("{base}/pkg/{name}"), RATIO_ROUND_SECS).await;
        ratios.push(a / b * 100.0);
        ssr.push(a);
        stat.push(b);
        bad += a_bad + b_bad;
    }
    let _ = std::fs::remove_file(&file);
    let rounds = ratios.iter().map(|r| format!("{r:.0}%")).collect::<Vec<_>>().join(", ");
    println!(
        "\nView CoS ({} bytes) at 16 clients, {RATIO_ROUNDS} alternating rounds of {RATIO_ROUND_SECS} s: {:.0} pages/s server-rendered, {:.0}/s as a static file (medians); \
         server-rendered against static, round by round: {}; median {:.0}% ({bad} failed)",
        page.len(),
        median(&mut ssr),
        median(&mut stat),
        rounds,
        median(&mut ratios),
    );
    // Browsers ask for brotli: the page is then compressed as it is sent.
    let (br, br_bad) = rate_accepting(&same, &format!("{base}/view-cos/{number}"), "br, gzip", 15).await;
    println!("  the same page asked for as a browser does (br, gzip): {br:.0} pages/s ({br_bad} failed)");
}
