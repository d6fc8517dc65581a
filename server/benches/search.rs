//! `make bench`: the advanced search, its pages, its CSV export and Print, measured on the
//! generated data of 1,000,000 CoS (1,000 sponsors, the largest holding 100,000). Each HTTP
//! figure stands beside a baseline taken in the same process: the same SQL run straight on
//! Postgres, or page 1 for page 1,000. Prints figures; asserts nothing.

#[path = "../tests/common/mod.rs"]
mod common;

use app::api::advanced_search::ssr::parse;
use app::db::advanced_search as db;
use app::domain::advanced_search::{query_pairs, AdvancedForm};
use app::domain::{permissions::Actor, Level};
use sqlx::postgres::PgPoolOptions;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const RUNS: usize = 100;
/// Untimed calls first, so that every pooled connection has prepared the statements and
/// chosen its plans, as in a server that has been running a while.
const WARM_UP: usize = 20;

fn form(q: &str) -> AdvancedForm {
    let pairs = query_pairs(q);
    AdvancedForm::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// The body the hydrated page sends to the search server function.
fn server_fn_body(f: &AdvancedForm) -> String {
    let enc = app::domain::search::encode_component;
    let b = &f.basic;
    let mut parts = vec![];
    for (k, v) in [("cos_number", &b.cos_number), ("family_name", &b.family_name), ("given_name", &b.given_name),
        ("date_of_birth", &b.date_of_birth), ("nationality", &b.nationality), ("passport_number", &b.passport_number)] {
        parts.push(format!("form[basic][{k}]={}", enc(v)));
    }
    parts.push("form[basic][page]=0".into());
    for (k, v) in [("activity", &f.activity), ("route", &f.route), ("changed_from", &f.changed_from), ("changed_to", &f.changed_to),
        ("owner", &f.owner), ("sort", &f.sort), ("per_page", &f.per_page), ("after", &f.after), ("before", &f.before)] {
        parts.push(format!("form[{k}]={}", enc(v)));
    }
    for (i, s) in f.statuses.iter().enumerate() {
        parts.push(format!("form[statuses][{i}]={}", enc(s)));
    }
    parts.push(format!("form[page]={}", f.page));
    parts.join("&")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// (p50, p95) in milliseconds.
fn percentiles(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    (ms(v[v.len() / 2]), ms(v[(v.len() * 95 / 100).min(v.len() - 1)]))
}

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

/// Index names and scan kinds of a plan, in order: what the note reports.
fn plan_summary(plan: &[String]) -> String {
    let mut out: Vec<String> = Vec::new();
    for line in plan {
        let l = line.trim().trim_start_matches("->").trim();
        for kind in ["Index Only Scan Backward", "Index Only Scan", "Index Scan Backward", "Index Scan", "Bitmap Index Scan", "Seq Scan"] {
            if let Some(rest) = l.find(kind).map(|at| &l[at + kind.len()..]) {
                let name = rest.split_whitespace().find(|w| *w != "using" && *w != "on").unwrap_or("");
                let item = format!("{kind} {name}");
                if !out.contains(&item) {
                    out.push(item);
                }
                break;
            }
        }
        if l.starts_with("Sort ") && !out.iter().any(|o| o == "Sort") {
            out.push("Sort".into());
        }
    }
    out.join(" + ")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = std::env::var("DATABASE_URL").map_err(|_| anyhow::anyhow!("run through `make bench`, which sets DATABASE_URL"))?;
    let pool = PgPoolOptions::new().max_connections(16).connect(&url).await?;
    app::db::MIGRATOR.run(&pool).await?;
    // What autovacuum does soon after a load (the visibility map lets counts use the indexes
    // alone), and after the last run's rolled-back transfer left dead rows in the ownership
    // tables. Done here, in every table, so that autovacuum does not take one of the two
    // cores in the middle of the measurements. A few seconds when done already.
    sqlx::query("VACUUM (ANALYZE)").execute(&pool).await?;
    // What an earlier run's "create and assign" section left, had it stopped half way.
    remove_created(&pool).await?;
    let (cos, sponsors): (i64, i64) =
        sqlx::query_as("SELECT (SELECT count(*) FROM cos), (SELECT count(*) FROM sponsors)").fetch_one(&pool).await?;
    anyhow::ensure!(cos == 1_000_000 && sponsors == 1_000, "expected the bench data (1,000,000 CoS, 1,000 sponsors); found {cos} CoS, {sponsors} sponsors");
    let (sponsor_id, largest): (i64, i64) =
        sqlx::query_as("SELECT sponsor_id, count(*) FROM cos GROUP BY 1 ORDER BY 2 DESC LIMIT 1").fetch_one(&pool).await?;
    let (user_id, login): (i64, String) =
        sqlx::query_as("SELECT id, user_id FROM users WHERE sponsor_id = $1 AND user_id = 'l1.demo'").bind(sponsor_id).fetch_one(&pool).await?;
    let actor = Actor { user_id, sponsor_id, level: Level::One };
    println!("Bench data: {cos} CoS over {sponsors} sponsors; the largest (sponsor {sponsor_id}) holds {largest}; signed in as {login} (Level 1).");

    let app = common::spawn(pool.clone()).await;
    let c = app.client();
    let r = app.sign_in(&c, "l1.demo", "demo-password-1", "/").await;
    anyhow::ensure!(r.status().as_u16() == 303, "sign-in failed");

    // What every call pays whatever it searches: a round trip to Postgres, and the HTTP stack.
    let mut fixed = vec![];
    for (label, kind) in [("SELECT 1 on Postgres", 0), ("GET /health over HTTP (runs SELECT 1)", 1)] {
        let mut v = vec![];
        for i in 0..WARM_UP + RUNS {
            let started = Instant::now();
            match kind {
                0 => drop(sqlx::query("SELECT 1").execute(&pool).await?),
                _ => drop(c.get(app.url("/health")).send().await?.bytes().await?),
            }
            if i >= WARM_UP {
                v.push(started.elapsed());
            }
        }
        fixed.push(format!("{label}: p50 {:.2}", percentiles(v).0));
    }
    println!("\n## Fixed costs (ms): {}", fixed.join("; "));

    // Filter values taken from the largest sponsor's own data.
    let one = |sql: &str| {
        let pool = pool.clone();
        let sql = sql.to_string();
        async move { sqlx::query_scalar::<_, String>(&sql).bind(sponsor_id).fetch_one(&pool).await }
    };
    let route = one("SELECT route_id::text FROM cos WHERE sponsor_id = $1 GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").await?;
    let rare_route = one("SELECT route_id::text FROM cos WHERE sponsor_id = $1 GROUP BY 1 ORDER BY count(*) LIMIT 1").await?;
    let owner = one("SELECT owner_id::text FROM cos_owners WHERE sponsor_id = $1 GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").await?;
    let activity = one("SELECT activity_type_id::text FROM activity_reports WHERE sponsor_id = $1 GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").await?;
    let family = one("SELECT left(family_name, 3) FROM cos WHERE sponsor_id = $1 AND family_name IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").await?;
    let given = one("SELECT left(given_names, 2) FROM cos WHERE sponsor_id = $1 AND given_names IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").await?;
    let nationality = one("SELECT nationality FROM cos WHERE sponsor_id = $1 AND nationality IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").await?;
    let dob = one("SELECT to_char(date_of_birth, 'DD/MM/YYYY') FROM cos WHERE sponsor_id = $1 AND date_of_birth IS NOT NULL LIMIT 1").await?;
    let passport = one("SELECT passport_number FROM cos WHERE sponsor_id = $1 AND passport_number IS NOT NULL OFFSET 5000 LIMIT 1").await?;
    let number = one("SELECT cos_number FROM cos WHERE sponsor_id = $1 OFFSET 7000 LIMIT 1").await?;
    let latest = one("SELECT to_char(max(status_date), 'DD/MM/YYYY') FROM cos WHERE sponsor_id = $1").await?;
    let month_ago = one("SELECT to_char(max(status_date) - interval '30 days', 'DD/MM/YYYY') FROM cos WHERE sponsor_id = $1").await?;
    let year_ago = one("SELECT to_char(max(status_date) - interval '1 year', 'DD/MM/YYYY') FROM cos WHERE sponsor_id = $1").await?;
    let enc = app::domain::search::encode_component;
    let combos: Vec<(&str, String)> = vec![
        ("everything", String::new()),
        ("status ASSIGNED", "status=assigned".into()),
        ("status USED + EXPIRED", "status=used&status=expired".into()),
        ("route (most common)", format!("route={route}")),
        ("route (rarest)", format!("route={rare_route}")),
        ("owner", format!("owner={owner}")),
        ("reported activity", format!("activity={activity}")),
        ("changed in the last 30 days", format!("changed_from={}&changed_to={}", enc(&month_ago), enc(&latest))),
        ("family name prefix", format!("family_name={}", enc(&family))),
        ("given name prefix", format!("given_name={}", enc(&given))),
        ("nationality", format!("nationality={}", enc(&nationality))),
        ("date of birth", format!("date_of_birth={}", enc(&dob))),
        ("passport number", format!("passport_number={}", enc(&passport))),
        ("CoS number", format!("cos_number={number}")),
        ("route + status", format!("route={route}&status=assigned")),
        ("owner + status", format!("owner={owner}&status=used")),
        ("status + changed in a year", format!("status=withdrawn&changed_from={}&changed_to={}", enc(&year_ago), enc(&latest))),
        ("activity + route", format!("activity={activity}&route={route}")),
        ("everything, by name", "sort=name".into()),
        ("status USED, by CoS number, 100 a page", "status=used&sort=cos_number&per_page=100".into()),
    ];

    println!("\n## Advanced search, {RUNS} runs each (ms): HTTP = the server function over HTTP, as the browser calls it;");
    println!("## SQL = the same page and count statements straight on Postgres in this process, side by side as the server runs them; ratio = HTTP / SQL (p50)\n");
    println!("{:<42} {:>7} {:>8} {:>8} {:>8} {:>8} {:>6}  plan: page | count", "filters", "matches", "SQL p50", "SQL p95", "HTTP p50", "HTTP p95", "ratio");
    let mut worst_p95: f64 = 0.0;
    let mut worst_ratio: f64 = 0.0;
    // BENCH_ONLY=owner,route: only the combinations whose label contains one of these words.
    let only: Vec<String> = std::env::var("BENCH_ONLY").map(|v| v.split(',').map(str::to_string).collect()).unwrap_or_default();
    for (label, q) in combos.iter().filter(|(l, _)| only.is_empty() || only.iter().any(|o| l.contains(o.as_str()))) {
        let f = form(q);
        let s = parse(&pool, &Default::default(), &actor, &f).await?.map_err(|e| anyhow::anyhow!("{label}: {e:?}"))?;
        let body = server_fn_body(&f);
        let http = || async {
            let started = Instant::now();
            let r = c
                .post(app.url("/api/cos/advanced-search"))
                .header("accept", "application/json")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body.clone())
                .send()
                .await?;
            anyhow::ensure!(r.status().as_u16() == 200, "{label}: HTTP {}", r.status());
            r.bytes().await?;
            Ok::<_, anyhow::Error>(started.elapsed())
        };
        let sql = || async {
            let started = Instant::now();
            // As the server function runs them: side by side.
            let (page, (total, _)) =
                futures::try_join!(db::page(&pool, sponsor_id, None, &s), db::count_and_level(&pool, sponsor_id, None, &s, user_id))?;
            Ok::<_, anyhow::Error>((started.elapsed(), total, page.0.len()))
        };
        for _ in 0..WARM_UP {
            http().await?;
            sql().await?;
        }
        let (mut hs, mut ss) = (vec![], vec![]);
        let mut total = 0;
        for _ in 0..RUNS {
            let (d, t, _) = sql().await?;
            ss.push(d);
            total = t;
            hs.push(http().await?);
        }
        let (s50, s95) = percentiles(ss);
        let (h50, h95) = percentiles(hs);
        let plan = plan_summary(&db::explain_page(&pool, sponsor_id, None, &s).await?);
        let count_plan = plan_summary(&db::explain_count(&pool, sponsor_id, None, &s, user_id).await?);
        println!("{label:<42} {total:>7} {s50:>8.2} {s95:>8.2} {h50:>8.2} {h95:>8.2} {:>6.2}  {plan} | {count_plan}", h50 / s50);
        worst_p95 = worst_p95.max(h95);
        worst_ratio = worst_ratio.max(h50 / s50);
    }
    println!("\nWorst HTTP p95: {worst_p95:.2} ms (target < 50). Worst HTTP/SQL ratio: {worst_ratio:.2} (target < 1.5).");

    // Page 1 against page 1,000 (25 a page, most recent first): the cursor of row 24,975.
    let (key, id): (String, i64) = sqlx::query_as(
        "SELECT to_char(status_date AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), id FROM cos WHERE sponsor_id = $1
         ORDER BY status_date DESC, id DESC OFFSET 24974 LIMIT 1",
    )
    .bind(sponsor_id)
    .fetch_one(&pool)
    .await?;
    let mut timed = vec![];
    for q in [String::new(), format!("after={}&page=1000", enc(&format!("{id}~{key}")))] {
        let body = server_fn_body(&form(&q));
        let mut v = vec![];
        for i in 0..WARM_UP + RUNS {
            let started = Instant::now();
            let r = c.post(app.url("/api/cos/advanced-search")).header("accept", "application/json")
                .header("content-type", "application/x-www-form-urlencoded").body(body.clone()).send().await?;
            anyhow::ensure!(r.status().as_u16() == 200);
            r.bytes().await?;
            if i >= WARM_UP {
                v.push(started.elapsed());
            }
        }
        timed.push(percentiles(v));
    }
    println!("\n## Keyset paging (HTTP, ms)\npage 1:     p50 {:.2}  p95 {:.2}\npage 1,000: p50 {:.2}  p95 {:.2}   ratio page 1,000 / page 1 (p50): {:.2} (target < 2)",
        timed[0].0, timed[0].1, timed[1].0, timed[1].1, timed[1].0 / timed[0].0);

    // CSV export: every CoS of the largest sponsor, and a tenth of them, for the memory slope.
    println!("\n## Export CSV (streamed; peak RSS of this process, which runs both the server and the client)");
    for (label, q) in [("a tenth (status filter)", "status=withdrawn&status=expired&status=cancelled"), ("all of the largest sponsor", "")] {
        let base = rss_kb();
        let peak = Arc::new(AtomicU64::new(base));
        let done = Arc::new(AtomicBool::new(false));
        let sampler = {
            let (peak, done) = (peak.clone(), done.clone());
            std::thread::spawn(move || {
                while !done.load(Ordering::Relaxed) {
                    peak.fetch_max(rss_kb(), Ordering::Relaxed);
                    std::thread::sleep(Duration::from_millis(5));
                }
            })
        };
        let started = Instant::now();
        let mut r = c.get(app.url(&format!("/view-cos/advanced/export.csv?{q}"))).send().await?;
        anyhow::ensure!(r.status().as_u16() == 200);
        let (mut bytes, mut lines) = (0usize, 0usize);
        while let Some(chunk) = r.chunk().await? {
            bytes += chunk.len();
            lines += chunk.iter().filter(|b| **b == b'\n').count();
        }
        let took = started.elapsed();
        done.store(true, Ordering::Relaxed);
        sampler.join().ok();
        println!("{label:<28} {:>7} rows  {:>6.1} MB  {:>6.2} s  peak RSS +{:.1} MB (from {:.1} MB)",
            lines - 1, bytes as f64 / 1e6, took.as_secs_f64(), (peak.load(Ordering::Relaxed) - base) as f64 / 1024.0, base as f64 / 1024.0);
    }

    // Transfer of a batch of 10,000 CoS, set-based. The batch is made once and kept (its CoS
    // committed beforehand, as a real batch's are: rows changed earlier in the same transaction
    // would force every foreign-key check of the update); each run transfers it in a
    // transaction that is then rolled back.
    let users: Vec<i64> = sqlx::query_scalar("SELECT id FROM users WHERE sponsor_id = $1 AND active ORDER BY id LIMIT 2")
        .bind(sponsor_id).fetch_all(&pool).await?;
    let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM batches WHERE sponsor_id = $1 AND reference = 'BENCH-10000'")
        .bind(sponsor_id).fetch_optional(&pool).await?;
    let batch = match existing {
        Some(id) => id,
        None => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO batches (sponsor_id, reference, route_id, owner_id, created_at)
                 VALUES ($1, 'BENCH-10000', (SELECT min(id) FROM routes), $2, now()) RETURNING id",
            )
            .bind(sponsor_id).bind(users[0]).fetch_one(&mut *tx).await?;
            sqlx::query("UPDATE cos SET batch_id = $2 WHERE sponsor_id = $1 AND id IN (SELECT id FROM cos WHERE sponsor_id = $1 ORDER BY id LIMIT 10000)")
                .bind(sponsor_id).bind(id).execute(&mut *tx).await?;
            sqlx::query("UPDATE cos_owners SET owner_id = $3 WHERE sponsor_id = $1 AND cos_id IN (SELECT id FROM cos WHERE sponsor_id = $1 AND batch_id = $2)")
                .bind(sponsor_id).bind(id).bind(users[0]).execute(&mut *tx).await?;
            tx.commit().await?;
            sqlx::query("VACUUM ANALYZE cos").execute(&pool).await?;
            sqlx::query("VACUUM ANALYZE cos_owners").execute(&pool).await?;
            id
        }
    };
    let (version, owner): (i32, i64) =
        sqlx::query_as("SELECT version, owner_id FROM batches WHERE id = $1").bind(batch).fetch_one(&pool).await?;
    let asked = app::db::batches::BatchTransfer {
        sponsor_id, batch_id: batch, from: owner, version, to: users[1], by: users[0], owner_only: None,
    };
    // Three runs: the first after a checkpoint writes whole pages to the WAL, as a real
    // transfer does the first time it touches a page since the last checkpoint.
    sqlx::query("CHECKPOINT").execute(&pool).await?;
    let mut runs = vec![];
    let mut moved = None;
    for _ in 0..3 {
        let mut tx = pool.begin().await?;
        let started = Instant::now();
        moved = app::db::batches::transfer(&mut tx, &asked).await?;
        runs.push(ms(started.elapsed()));
        tx.rollback().await?;
    }
    let each = runs.iter().map(|t| format!("{t:.0}")).collect::<Vec<_>>().join(", ");
    println!("\n## Transfer batch of CoS: {} CoS moved with their history rows in {each} ms (first after a checkpoint; target < 2,000; rolled back)", moved.unwrap_or(0));

    // Print: the PDF of one CoS.
    let numbers: Vec<String> = sqlx::query_scalar("SELECT cos_number FROM cos WHERE sponsor_id = $1 AND status = 'USED' LIMIT $2")
        .bind(sponsor_id).bind((WARM_UP + RUNS) as i64).fetch_all(&pool).await?;
    let mut v = vec![];
    let mut size = 0;
    for (i, n) in numbers.iter().enumerate() {
        let started = Instant::now();
        let r = c.get(app.url(&format!("/view-cos/{n}/print"))).send().await?;
        anyhow::ensure!(r.status().as_u16() == 200);
        size = r.bytes().await?.len();
        if i >= WARM_UP {
            v.push(started.elapsed());
        }
    }
    let (p50, p95) = percentiles(v);
    println!("\n## Print (PDF over HTTP, {RUNS} different CoS): p50 {p50:.1} ms, p95 {p95:.1} ms, {:.0} KB each", size as f64 / 1024.0);

    create_and_assign(&pool, &app, &c, sponsor_id).await?;
    Ok(())
}

/// The CoS and batches the create-and-assign section makes, removed again so that the bench
/// data stays as loaded (the audit log keeps its events: it is append-only).
async fn remove_created(pool: &sqlx::PgPool) -> anyhow::Result<()> {
    let mut tx = pool.begin().await?;
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT c.id FROM cos c LEFT JOIN batches b ON b.sponsor_id = c.sponsor_id AND b.id = c.batch_id
         WHERE c.family_name = 'Benchsave' OR b.reference LIKE 'BENCH-UPLOAD-%'",
    )
    .fetch_all(&mut *tx)
    .await?;
    for table in ["cos_status_history", "ownership_history", "cos_owners"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE cos_id = ANY($1)")).bind(&ids).execute(&mut *tx).await?;
    }
    sqlx::query("UPDATE cos_create_tokens SET cos_id = NULL, batch_id = NULL WHERE cos_id = ANY($1) OR batch_id IN (SELECT id FROM batches WHERE reference LIKE 'BENCH-UPLOAD-%')")
        .bind(&ids).execute(&mut *tx).await?;
    sqlx::query("DELETE FROM cos WHERE id = ANY($1)").bind(&ids).execute(&mut *tx).await?;
    sqlx::query("DELETE FROM batches WHERE reference LIKE 'BENCH-UPLOAD-%'").execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

fn uk(d: time::Date) -> String {
    format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year())
}

/// Issue 17's figures: a single save and a single assign (HTTP, as the form posts them), a
/// CSV upload of 10,000 workers checked and saved, and Assign batch of those 10,000.
async fn create_and_assign(pool: &sqlx::PgPool, app: &common::TestApp, c: &reqwest::Client, sponsor_id: i64) -> anyhow::Result<()> {
    let today = time::OffsetDateTime::now_utc().date();
    let route: i16 = sqlx::query_scalar("SELECT id FROM routes WHERE name = 'Skilled Worker'").fetch_one(pool).await?;
    let allocation: i32 = sqlx::query_scalar("SELECT allocation FROM sponsors WHERE id = $1").bind(sponsor_id).fetch_one(pool).await?;
    // Room for everything assigned here; put back at the end.
    sqlx::query("UPDATE sponsors SET allocation = 10000000 WHERE id = $1").bind(sponsor_id).execute(pool).await?;
    let common_fields: Vec<(&str, String)> = vec![
        ("work_start_date", uk(today + time::Duration::days(30))), ("work_end_date", uk(today + time::Duration::days(800))),
        ("weekly_hours", "37.5".into()), ("work_address_line1", "1 Piccadilly".into()), ("work_address_town", "Manchester".into()),
        ("work_address_postcode", "M1 3HE".into()), ("job_title", "Software developer".into()), ("soc_code", "2134".into()),
        ("job_description", "Builds systems".into()), ("gross_salary", "52000".into()), ("certify_maintenance", "yes".into()),
    ];
    let worker = |i: usize| -> Vec<(&'static str, String)> {
        vec![
            ("family_name", "Benchsave".into()), ("given_names", format!("Ada{i}")), ("nationality", "Nigeria".into()),
            ("place_of_birth", "Lagos".into()), ("country_of_birth", "Nigeria".into()), ("date_of_birth", "27/03/1990".into()),
            ("gender", "Female".into()), ("country_of_residence", "Nigeria".into()), ("passport_number", format!("P{i:07}")),
            ("passport_issue_date", uk(today - time::Duration::days(300))), ("passport_expiry_date", uk(today + time::Duration::days(3000))),
            ("passport_place_of_issue", "Abuja".into()), ("home_address", "12 Marina Road, Lagos".into()),
        ]
    };

    // A single save (a new, complete CoS), then a single assign of each.
    let mut saves = vec![];
    let mut made = vec![];
    for i in 0..WARM_UP + RUNS {
        let mut form: Vec<(String, String)> = vec![
            ("cos_number".into(), String::new()), ("version".into(), "0".into()), ("route".into(), route.to_string()),
            ("batch".into(), String::new()), ("token".into(), uuid::Uuid::new_v4().to_string()),
        ];
        form.extend(worker(i).into_iter().chain(common_fields.clone()).map(|(k, v)| (format!("cos[{k}]"), v)));
        let started = Instant::now();
        let r = c.post(app.url("/api/create/save")).form(&form).send().await?;
        let took = started.elapsed();
        let to = common::location(&r);
        anyhow::ensure!(to.ends_with("/saved"), "save: {to}");
        made.push(to.trim_start_matches("/create-cos/").trim_end_matches("/saved").to_string());
        if i >= WARM_UP {
            saves.push(took);
        }
    }
    let mut assigns = vec![];
    for (i, n) in made.iter().enumerate() {
        let version: i32 = sqlx::query_scalar("SELECT version FROM cos WHERE cos_number = $1").bind(n).fetch_one(pool).await?;
        let started = Instant::now();
        let r = c.post(app.url("/api/create/assign")).form(&[("cos_number", n.as_str()), ("version", &version.to_string())]).send().await?;
        let took = started.elapsed();
        anyhow::ensure!(common::location(&r).ends_with("/assigned"), "assign: {}", common::location(&r));
        if i >= WARM_UP {
            assigns.push(took);
        }
    }
    let (s50, s95) = percentiles(saves);
    let (a50, a95) = percentiles(assigns);
    println!("\n## Create and assign (HTTP, {RUNS} runs each, ms; targets < 50)\nSave a new CoS:  p50 {s50:.1}  p95 {s95:.1}\nAssign a CoS:    p50 {a50:.1}  p95 {a95:.1}");

    // A CSV of 10,000 workers, checked and saved; then all of them assigned at once.
    let mut csv = String::from(
        "family_name,given_names,nationality,place_of_birth,country_of_birth,date_of_birth,gender,country_of_residence,\
         passport_number,passport_issue_date,passport_expiry_date,passport_place_of_issue,home_address\n",
    );
    for i in 0..10_000 {
        let w = worker(i);
        csv.push_str(&w.iter().map(|(_, v)| format!("\"{v}\"")).collect::<Vec<_>>().join(","));
        csv.push('\n');
    }
    let mut form = reqwest::multipart::Form::new()
        .text("route", route.to_string())
        .text("token", uuid::Uuid::new_v4().to_string())
        .text("reference", format!("BENCH-UPLOAD-{}", uuid::Uuid::new_v4().simple()));
    for (k, v) in &common_fields {
        form = form.text(format!("cos[{k}]"), v.clone());
    }
    let size = csv.len();
    form = form.part("workers", reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("workers.csv").mime_str("text/csv")?);
    let started = Instant::now();
    let r = c.post(app.url("/create-cos/batch")).multipart(form).send().await?;
    let upload = started.elapsed();
    let to = common::location(&r);
    anyhow::ensure!(to.contains("created=10000"), "upload: {to}");
    let batch = to.trim_start_matches("/view-cos/batches/").split('?').next().unwrap_or_default().to_string();
    let started = Instant::now();
    let r = c.post(app.url("/api/create/assign_batch")).form(&[("batch_id", batch.as_str()), ("ready", "10000")]).send().await?;
    let assign = started.elapsed();
    anyhow::ensure!(common::location(&r).contains("assigned=10000"), "assign batch: {}", common::location(&r));
    println!(
        "CSV upload of 10,000 workers ({:.1} MB), checked and saved: {:.2} s (target < 5)\nAssign batch of 10,000 CoS: {:.2} s (target < 2)",
        size as f64 / 1_048_576.0,
        upload.as_secs_f64(),
        assign.as_secs_f64()
    );

    remove_created(pool).await?;
    sqlx::query("UPDATE sponsors SET allocation = $2 WHERE id = $1").bind(sponsor_id).bind(allocation).execute(pool).await?;
    Ok(())
}
